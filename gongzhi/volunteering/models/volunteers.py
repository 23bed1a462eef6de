"""Volunteers (志愿者) and the service menu (服务项目库) their teams offer."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organisation
from gongzhi.areas.models import AreaNode
from gongzhi.core.choices import QuickChoiceLabels


class VolunteerStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    SUSPENDED = "suspended", _("暂停")


class Volunteer(QuickChoiceLabels):
    """A registered volunteer: a user, the community they serve (their home, or for a party
    member reporting to the community, 双报到, the community they report to)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("账号"),
                                on_delete=models.PROTECT, related_name="volunteer")
    area = models.ForeignKey(AreaNode, verbose_name=_("所在社区"), on_delete=models.PROTECT,
                             related_name="+")
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    skills = models.CharField(_("特长"), max_length=200, blank=True,
                              help_text=_("如：水电维修、理发、法律咨询"))
    availability = models.CharField(_("可服务时间"), max_length=200, blank=True)
    is_party_member = models.BooleanField(_("党员"), default=False)
    # 双报到: serving party members report to their home community from their workplace.
    party_unit = models.CharField(_("党员报到单位"), max_length=100, blank=True)
    expected_hours = models.PositiveSmallIntegerField(_("每年应服务时长（小时）"), null=True,
                                                      blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=VolunteerStatus.choices,
                              default=VolunteerStatus.ACTIVE)
    registered_at = models.DateTimeField(_("注册时间"))

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["area_path", "registered_at", "id"]

    def __str__(self) -> str:
        return self.user.display_name


class Library(models.TextChoices):
    """The service menu's libraries (项目库)."""

    DAILY = "daily", _("生活服务")
    GOVERNANCE = "governance", _("社区治理")
    ENVIRONMENT = "environment", _("环境卫生")
    CIVILITY = "civility", _("文明劝导")
    ELDERLY = "elderly", _("助老服务")
    CHILDREN = "children", _("关爱少儿")
    DISABLED = "disabled", _("助残服务")
    HEALTH = "health", _("医疗健康")
    LEGAL = "legal", _("法律服务")
    CULTURE = "culture", _("文体服务")
    SAFETY = "safety", _("平安巡逻")
    MEDIATION = "mediation", _("矛盾调解")


class ServiceItem(QuickChoiceLabels):
    """One item of the menu a resident can order (点单), offered by a team in an area."""

    library = models.CharField(_("项目库"), max_length=16, choices=Library.choices)
    name = models.CharField(_("服务项目"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    team = models.ForeignKey(Organisation, verbose_name=_("提供服务的队伍"), null=True,
                             blank=True, on_delete=models.PROTECT, related_name="+")
    usual_hours = models.DecimalField(_("一般用时（小时）"), max_digits=4, decimal_places=1)
    area = models.ForeignKey(AreaNode, verbose_name=_("服务范围"), on_delete=models.PROTECT,
                             related_name="+")
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    is_active = models.BooleanField(_("可点单"), default=True)

    class Meta:
        verbose_name = _("服务项目")
        verbose_name_plural = _("服务项目")
        ordering = ["library", "name", "id"]

    def __str__(self) -> str:
        return self.name
