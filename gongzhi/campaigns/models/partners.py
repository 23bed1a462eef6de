"""网格合伙人: a grid recruits partners among residents, shop owners and property staff;
the community accepts them; partners take the grid's patrol tasks and the cases they are
assigned, and what they do is counted."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organisation
from gongzhi.areas.models import AreaNode
from gongzhi.core.choices import QuickChoiceLabels


class PartnerPost(QuickChoiceLabels):
    """招募: a grid's call for partners, with what they will do and how many it needs."""

    area = models.ForeignKey(AreaNode, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("网格"))
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    title = models.CharField(_("招募名称"), max_length=100)
    duties = models.TextField(_("合伙人职责"))
    places = models.PositiveSmallIntegerField(_("招募名额"), default=5)
    closes_on = models.DateField(_("报名截止"))
    is_open = models.BooleanField(_("招募中"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("发布人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("网格合伙人招募")
        verbose_name_plural = _("网格合伙人招募")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class PartnerKind(models.TextChoices):
    RESIDENT = "resident", _("居民")
    SHOP = "shop", _("商户")
    PROPERTY = "property", _("物业人员")


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    ACCEPTED = "accepted", _("已接纳")
    DECLINED = "declined", _("未接纳")
    ENDED = "ended", _("已退出")


class PartnerApplication(QuickChoiceLabels):
    """An application to a post; once accepted, the applicant is the grid's partner."""

    post = models.ForeignKey(PartnerPost, on_delete=models.CASCADE,
                             related_name="applications", verbose_name=_("招募"))
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="partner_applications",
                                  verbose_name=_("申请人"))
    kind = models.CharField(_("身份"), max_length=10, choices=PartnerKind.choices)
    organisation = models.ForeignKey(Organisation, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("所在商户或物业"))
    motivation = models.CharField(_("自我介绍和特长"), max_length=300)
    status = models.CharField(_("状态"), max_length=10, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.PENDING)
    decision_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("审核人"))
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("合伙人申请")
        verbose_name_plural = _("合伙人申请")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["post", "applicant"],
                                               name="partner_application_once")]
        indexes = [models.Index(fields=["applicant", "status"])]

    def __str__(self) -> str:
        return f"{self.post_id} · {self.applicant_id}"


class PatrolStatus(models.TextChoices):
    ASSIGNED = "assigned", _("待巡查")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class PatrolTask(QuickChoiceLabels):
    """A patrol of the grid given to a partner (a street, a compound's corners); the partner
    reports what they saw, and what needs fixing becomes a case."""

    partner = models.ForeignKey(PartnerApplication, on_delete=models.CASCADE,
                                related_name="patrols", verbose_name=_("网格合伙人"))
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    route = models.CharField(_("巡查路线和内容"), max_length=200)
    due_on = models.DateField(_("巡查日期"))
    status = models.CharField(_("状态"), max_length=10, choices=PatrolStatus.choices,
                              default=PatrolStatus.ASSIGNED)
    report = models.CharField(_("巡查情况"), max_length=500, blank=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("上报诉求件"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("派发人"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("巡查任务")
        verbose_name_plural = _("巡查任务")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["partner", "status"])]

    def __str__(self) -> str:
        return self.route
