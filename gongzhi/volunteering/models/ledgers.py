"""The three ledgers — hours served, time-bank units, points — and what points buy: the
reward catalogue (积分超市) and shops' neighbour coupons (友邻券).

Entries are only ever added. ``source_key`` names what an entry is for ("order:12",
"activity:3:volunteer:8" …); a unique key per holder and source makes crediting the same
thing twice impossible, even when two requests arrive at the same moment.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organisation
from gongzhi.areas.models import AreaNode
from gongzhi.core.choices import QuickChoiceLabels
from gongzhi.volunteering.models.volunteers import Volunteer


class HoursSource(models.TextChoices):
    ORDER = "order", _("服务订单")
    ACTIVITY = "activity", _("志愿活动")
    SHIFT = "shift", _("值守")
    ADJUSTMENT = "adjustment", _("更正")


class HoursEntry(models.Model):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT,
                                  related_name="hours_entries")
    hours = models.DecimalField(max_digits=6, decimal_places=1)  # negative only to correct
    source = models.CharField(max_length=12, choices=HoursSource.choices)
    source_key = models.CharField(max_length=60)
    note = models.CharField(max_length=200, blank=True)
    served_on = models.DateField()  # when the service was given (rankings by period)
    credited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("服务时长记录")
        verbose_name_plural = _("服务时长记录")
        ordering = ["-served_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["volunteer", "source_key"],
                                               name="hours_credited_once")]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.hours:+} ({self.source_key})"


class TimeBankKind(models.TextChoices):
    DEPOSIT = "deposit", _("服务存入")
    SPEND = "spend", _("兑换服务")
    TRANSFER_OUT = "transfer_out", _("转给家人")
    TRANSFER_IN = "transfer_in", _("家人转入")


class TimeBankEntry(models.Model):
    """时间银行: 1 hour served = 1 unit, kept for the holder, spent on services or given to
    a family member."""

    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="time_bank_entries")
    units = models.DecimalField(max_digits=7, decimal_places=1)
    kind = models.CharField(max_length=12, choices=TimeBankKind.choices)
    source_key = models.CharField(max_length=60)
    counterpart = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("时间银行记录")
        verbose_name_plural = _("时间银行记录")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["holder", "source_key"],
                                               name="time_bank_once")]

    def __str__(self) -> str:
        return f"{self.holder_id} {self.units:+} ({self.kind})"


class RuleCode(models.TextChoices):
    PER_HOUR = "per_hour", _("每服务 1 小时")
    PER_ACTIVITY = "per_activity", _("每参加一次活动")
    PER_RATED_ORDER = "per_rated_order", _("每完成一单并获好评")
    PER_CIVILISED_STAR = "per_civil_star", _("文明户每获评一颗星")  # 十星级文明户 (campaigns)


class PointsRule(models.Model):
    """How many points a deed earns; set by administrators (0 or inactive: none)."""

    code = models.CharField(_("规则"), max_length=20, choices=RuleCode.choices, unique=True)
    points = models.PositiveSmallIntegerField(_("积分"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")

    def __str__(self) -> str:
        return f"{self.get_code_display()}: {self.points}"


class PointsReason(models.TextChoices):
    HOURS = "hours", _("服务时长")
    ACTIVITY = "activity", _("参加活动")
    RATED_ORDER = "rated_order", _("服务好评")
    REWARD = "reward", _("兑换礼品")
    COUPON = "coupon", _("兑换友邻券")
    CIVILISED_STARS = "civil_stars", _("文明户星级")
    ADJUSTMENT = "adjustment", _("更正")


class PointsEntry(models.Model):
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="points_entries")
    points = models.IntegerField()
    reason = models.CharField(max_length=12, choices=PointsReason.choices)
    source_key = models.CharField(max_length=60)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["holder", "source_key"],
                                               name="points_once")]

    def __str__(self) -> str:
        return f"{self.holder_id} {self.points:+} ({self.reason})"


class Reward(QuickChoiceLabels):
    """积分超市: a thing points buy, while stock lasts."""

    name = models.CharField(_("礼品"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    points = models.PositiveIntegerField(_("所需积分"))
    stock = models.PositiveIntegerField(_("库存"))
    area = models.ForeignKey(AreaNode, verbose_name=_("区域"), on_delete=models.PROTECT,
                             related_name="+")
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    is_active = models.BooleanField(_("上架"), default=True)

    class Meta:
        verbose_name = _("积分礼品")
        verbose_name_plural = _("积分礼品")
        ordering = ["points", "name"]
        constraints = [models.CheckConstraint(condition=models.Q(stock__gte=0),
                                              name="reward_stock_not_negative")]

    def __str__(self) -> str:
        return self.name


class Redemption(models.Model):
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    points = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    handed_over_at = models.DateTimeField(null=True, blank=True)
    handed_over_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("礼品兑换")
        verbose_name_plural = _("礼品兑换")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reward} · {self.holder_id}"


class Coupon(QuickChoiceLabels):
    """友邻券: a shop's offer bought with points; the shop redeems each code once."""

    merchant = models.ForeignKey(Organisation, verbose_name=_("商户"), on_delete=models.PROTECT,
                                 related_name="coupons")
    title = models.CharField(_("友邻券"), max_length=100)
    description = models.CharField(_("使用说明"), max_length=300, blank=True)
    points = models.PositiveIntegerField(_("所需积分"))
    stock = models.PositiveIntegerField(_("剩余张数"))
    valid_until = models.DateField(_("有效期至"))
    area = models.ForeignKey(AreaNode, verbose_name=_("区域"), on_delete=models.PROTECT,
                             related_name="+")
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    is_active = models.BooleanField(_("上架"), default=True)

    class Meta:
        verbose_name = _("友邻券")
        verbose_name_plural = _("友邻券")
        ordering = ["points", "title"]
        constraints = [models.CheckConstraint(condition=models.Q(stock__gte=0),
                                              name="coupon_stock_not_negative")]

    def __str__(self) -> str:
        return self.title


class CouponCode(models.Model):
    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="codes")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    code = models.CharField(max_length=16, unique=True)
    issued_at = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True)
    redeemed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("友邻券券码")
        verbose_name_plural = _("友邻券券码")

    def __str__(self) -> str:
        return f"{self.coupon} · {self.holder_id}"
