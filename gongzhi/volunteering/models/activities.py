"""Activities (志愿活动) with sign-up, a waiting list and QR check-in, and duty rosters
(值守排班): recurring shifts such as a 24-hour camera room or an evening patrol."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organisation
from gongzhi.areas.models import AreaNode
from gongzhi.core.choices import QuickChoiceLabels
from gongzhi.volunteering.models.volunteers import Volunteer


class ActivityStatus(models.TextChoices):
    PUBLISHED = "published", _("报名中")
    CANCELLED = "cancelled", _("已取消")
    CONFIRMED = "confirmed", _("已确认时长")


class Activity(QuickChoiceLabels):
    title = models.CharField(_("活动名称"), max_length=100)
    description = models.TextField(_("活动内容"), blank=True)
    team = models.ForeignKey(Organisation, verbose_name=_("组织队伍"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(AreaNode, verbose_name=_("区域"), on_delete=models.PROTECT,
                             related_name="+")
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    place = models.CharField(_("地点"), max_length=100)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("人数上限"))
    hours = models.DecimalField(_("记录时长（小时）"), max_digits=4, decimal_places=1)
    status = models.CharField(_("状态"), max_length=10, choices=ActivityStatus.choices,
                              default=ActivityStatus.PUBLISHED)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("组织者"),
                                  null=True, on_delete=models.SET_NULL, related_name="+")
    # Shown as a QR code at the site: volunteers scan it to check in and out.
    checkin_token = models.CharField(max_length=32, unique=True, editable=False)
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("志愿活动")
        verbose_name_plural = _("志愿活动")
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return self.title


class SignupStatus(models.TextChoices):
    SIGNED = "signed", _("已报名")
    WAITING = "waiting", _("候补")
    CANCELLED = "cancelled", _("已取消")


class ActivitySignup(models.Model):
    """One volunteer's place (or place on the waiting list, first come first served)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    status = models.CharField(max_length=10, choices=SignupStatus.choices)
    created_at = models.DateTimeField()
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["activity", "volunteer"],
                                               name="activity_signup_once")]

    def __str__(self) -> str:
        return f"{self.activity_id} · {self.volunteer_id}"


class ShiftTemplate(QuickChoiceLabels):
    """A recurring duty: on the given weekdays from ``start_time`` for ``hours``."""

    title = models.CharField(_("值守岗位"), max_length=100)
    area = models.ForeignKey(AreaNode, verbose_name=_("区域"), on_delete=models.PROTECT,
                             related_name="+")
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    team = models.ForeignKey(Organisation, verbose_name=_("负责队伍"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("地点"), max_length=100)
    weekdays = models.CharField(_("星期"), max_length=7, default="0123456",
                                help_text=_("0 为星期一，6 为星期日"))
    start_time = models.TimeField(_("开始时间"))
    hours = models.DecimalField(_("时长（小时）"), max_digits=4, decimal_places=1)
    slots = models.PositiveSmallIntegerField(_("每班人数"), default=1)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("值守岗位")
        verbose_name_plural = _("值守岗位")
        ordering = ["area_path", "start_time", "title"]

    def __str__(self) -> str:
        return self.title


class Shift(models.Model):
    template = models.ForeignKey(ShiftTemplate, on_delete=models.PROTECT, related_name="shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    slots = models.PositiveSmallIntegerField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("值守班次")
        verbose_name_plural = _("值守班次")
        ordering = ["starts_at", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "starts_at"],
                                               name="shift_once")]

    def __str__(self) -> str:
        return f"{self.template} · {self.starts_at:%Y-%m-%d %H:%M}"


class ShiftSignup(models.Model):
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT,
                                  related_name="shift_signups")
    status = models.CharField(max_length=10, choices=SignupStatus.choices,
                              default=SignupStatus.SIGNED)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("值守报名")
        verbose_name_plural = _("值守报名")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(
            fields=["shift", "volunteer"], name="shift_signup_once",
            condition=models.Q(status="signed"))]

    def __str__(self) -> str:
        return f"{self.shift_id} · {self.volunteer_id}"


class SwapStatus(models.TextChoices):
    REQUESTED = "requested", _("待对方确认")
    ACCEPTED = "accepted", _("已换班")
    DECLINED = "declined", _("已拒绝")


class ShiftSwap(models.Model):
    """换班: the volunteer of ``signup`` asks ``to_volunteer`` to take the shift over."""

    signup = models.ForeignKey(ShiftSignup, on_delete=models.CASCADE, related_name="swaps")
    to_volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=SwapStatus.choices,
                              default=SwapStatus.REQUESTED)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("换班申请")
        verbose_name_plural = _("换班申请")

    def __str__(self) -> str:
        return f"{self.signup_id} → {self.to_volunteer_id}"
