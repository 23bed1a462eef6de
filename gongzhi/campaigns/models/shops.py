"""门前三包: every street-front shop on record with its address and responsible person, a
responsibility contract for its three duties (包市容环境卫生、包绿化、包秩序), inspections by
grid workers on the phone (a problem with a photo, notified to the shop and inspected again),
and the monthly 红黑榜 published from the month's inspections."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organisation
from gongzhi.areas.models import AreaNode
from gongzhi.core.choices import QuickChoiceLabels


class Duty(models.TextChoices):
    SANITATION = "sanitation", _("包市容环境卫生")
    GREENERY = "greenery", _("包绿化")
    ORDER = "order", _("包秩序")


class Shop(models.Model):
    """A street-front shop (沿街商户): the merchant organisation with where it is and who
    answers for its frontage."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE,
                                        related_name="shop", verbose_name=_("商户"))
    area = models.ForeignKey(AreaNode, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("所在网格"))
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    address = models.CharField(_("门牌地址"), max_length=120)
    business = models.CharField(_("经营类别"), max_length=30, blank=True)
    responsible_person = models.CharField(_("责任人"), max_length=30)
    responsible_phone = models.CharField(_("责任人电话"), max_length=20)
    registered_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("沿街商户")
        verbose_name_plural = _("沿街商户")
        ordering = ["area_path", "address", "id"]

    def __str__(self) -> str:
        return self.organisation.name


class ShopContract(models.Model):
    """门前三包责任书: the shop's three duties for a period, signed on a date."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="contracts",
                             verbose_name=_("沿街商户"))
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    terms = models.TextField(_("责任内容"))
    starts_on = models.DateField(_("责任期开始"))
    ends_on = models.DateField(_("责任期结束"))
    signed_on = models.DateField(_("签订日期"))
    signed_by_shop = models.CharField(_("商户签字人"), max_length=30)
    signed_for = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("社区经办人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("门前三包责任书")
        verbose_name_plural = _("门前三包责任书")
        ordering = ["-starts_on", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_on__gt=models.F("starts_on")),
                                              name="shop_contract_period")]

    def __str__(self) -> str:
        return f"{self.shop} · {self.starts_on:%Y}"


class InspectionResult(models.TextChoices):
    PASS = "pass", _("合格")
    PROBLEM = "problem", _("有问题")


class Inspection(QuickChoiceLabels):
    """One look at a shop's frontage. Each duty passes or fails; any failure makes it a
    problem, which stays open until a re-inspection of it passes."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="inspections",
                             verbose_name=_("沿街商户"))
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    inspected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("检查人"))
    inspected_at = models.DateTimeField(_("检查时间"))
    result = models.CharField(_("检查结果"), max_length=8, choices=InspectionResult.choices)
    sanitation_ok = models.BooleanField(_("市容环境卫生"), default=True)
    greenery_ok = models.BooleanField(_("绿化"), default=True)
    order_ok = models.BooleanField(_("秩序"), default=True)
    note = models.CharField(_("检查情况"), max_length=300, blank=True)
    reinspection_of = models.ForeignKey("self", null=True, blank=True,
                                        on_delete=models.SET_NULL,
                                        related_name="reinspections",
                                        verbose_name=_("复查的问题"))
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("转办诉求件"))

    class Meta:
        verbose_name = _("门前三包检查")
        verbose_name_plural = _("门前三包检查")
        ordering = ["-inspected_at", "-id"]
        indexes = [models.Index(fields=["shop", "inspected_at"])]

    def __str__(self) -> str:
        return f"{self.shop_id} · {self.inspected_at:%Y-%m-%d}"

    @property
    def failed_duties(self) -> list[str]:
        return [label for ok, label in ((self.sanitation_ok, Duty.SANITATION.label),
                                        (self.greenery_ok, Duty.GREENERY.label),
                                        (self.order_ok, Duty.ORDER.label)) if not ok]


def inspection_photo_path(photo: "InspectionPhoto", filename: str) -> str:
    return f"campaigns/shops/{photo.sha256[:2]}/{filename}"


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE,
                                   related_name="photos", verbose_name=_("门前三包检查"))
    image = models.FileField(upload_to=inspection_photo_path)
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("检查照片")
        verbose_name_plural = _("检查照片")
        ordering = ["uploaded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "sha256"],
                                               name="inspection_photo_once")]

    def __str__(self) -> str:
        return self.sha256[:16]


class Listing(models.TextChoices):
    RED = "red", _("红榜")
    BLACK = "black", _("黑榜")
    NONE = "", _("未上榜")


class ShopBoard(models.Model):
    """A month's 红黑榜 of an area, published as a notice; its entries keep the scores as
    they were when it went out."""

    area = models.ForeignKey(AreaNode, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("区域"))
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    month = models.DateField(_("月份"))
    notice = models.ForeignKey("notices.Notice", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("公示"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("发布人"))
    published_at = models.DateTimeField(_("发布时间"))

    class Meta:
        verbose_name = _("门前三包红黑榜")
        verbose_name_plural = _("门前三包红黑榜")
        ordering = ["-month", "area_path"]
        constraints = [models.UniqueConstraint(fields=["area", "month"],
                                               name="shop_board_once_a_month")]

    def __str__(self) -> str:
        return f"{self.area} · {self.month:%Y-%m}"


class ShopBoardEntry(QuickChoiceLabels):
    board = models.ForeignKey(ShopBoard, on_delete=models.CASCADE, related_name="entries",
                              verbose_name=_("红黑榜"))
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("沿街商户"))
    score = models.PositiveSmallIntegerField(_("月度得分"))
    inspections = models.PositiveSmallIntegerField(_("检查次数"))
    problems = models.PositiveSmallIntegerField(_("问题次数"))
    listing = models.CharField(_("上榜"), max_length=5, choices=Listing.choices, blank=True)

    class Meta:
        verbose_name = _("红黑榜条目")
        verbose_name_plural = _("红黑榜条目")
        ordering = ["board", "-score", "shop_id"]
        constraints = [models.UniqueConstraint(fields=["board", "shop"],
                                               name="shop_board_entry_once")]

    def __str__(self) -> str:
        return f"{self.shop_id}: {self.score}"
