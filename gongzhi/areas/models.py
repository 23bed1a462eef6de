"""The area tree (city › … › building), households (户) and residents (居民)."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.choices import QuickChoiceLabels
from gongzhi.core.tree import PATH_STEP, ancestor_paths, subtree_q


class AreaKind(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区")
    STREET = "street", _("街道")
    COMMUNITY = "community", _("社区")
    GRID_LARGE = "grid_large", _("大网格")
    GRID_SMALL = "grid_small", _("小网格")
    COMPOUND = "compound", _("小区")
    BUILDING = "building", _("楼栋")


GRID_KINDS = (AreaKind.GRID_LARGE, AreaKind.GRID_SMALL)


class AreaNode(QuickChoiceLabels):
    kind = models.CharField(_("层级"), max_length=16, choices=AreaKind.choices)
    code = models.CharField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=PATH_STEP * 10, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("深度"), editable=False)
    boundary = models.JSONField(_("边界 (GeoJSON)"), null=True, blank=True)
    # Bounding box of the boundary: a cheap indexed pre-filter for point lookups.
    min_lng = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lng = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    built_year = models.PositiveSmallIntegerField(_("建成年份"), null=True, blank=True)
    floors = models.PositiveSmallIntegerField(_("层数"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["kind", "path"]),
            models.Index(fields=["min_lng", "max_lng", "min_lat", "max_lat"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def area_path(self) -> str:
        return self.path

    @property
    def is_grid(self) -> bool:
        return self.kind in GRID_KINDS

    def ancestors(self) -> models.QuerySet["AreaNode"]:
        """This node and every node above it, root first."""
        return AreaNode.objects.filter(path__in=ancestor_paths(self.path)).order_by("depth")

    def descendants(self) -> models.QuerySet["AreaNode"]:
        return AreaNode.objects.filter(subtree_q(self.path)).exclude(pk=self.pk)


class Tenure(models.TextChoices):
    OWNER = "owner", _("自有")
    TENANT = "tenant", _("租住")
    PUBLIC = "public", _("公房")
    VACANT = "vacant", _("空置")


class Household(QuickChoiceLabels):
    """A dwelling (户 / 专有部分) in a building."""

    building = models.ForeignKey(
        AreaNode, verbose_name=_("楼栋"), on_delete=models.PROTECT, related_name="households"
    )
    # Copy of the building's path: households of any subtree in one indexed range scan.
    area_path = models.CharField(max_length=PATH_STEP * 10, db_index=True, editable=False)
    unit = models.CharField(_("单元"), max_length=16, blank=True)
    room = models.CharField(_("房号"), max_length=16)
    floor = models.SmallIntegerField(_("楼层"), null=True, blank=True)
    floor_area = models.DecimalField(
        _("建筑面积 (m²)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    tenure = models.CharField(
        _("居住性质"), max_length=8, choices=Tenure.choices, default=Tenure.OWNER
    )
    member_count = models.PositiveSmallIntegerField(_("人数"), default=1)

    class Meta:
        verbose_name = _("住户")
        verbose_name_plural = _("住户")
        ordering = ["area_path", "unit", "room"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "unit", "room"], name="household_unique_room"
            )
        ]

    def __str__(self) -> str:
        unit = f"{self.unit}单元" if self.unit else ""
        return f"{self.building.name}{unit}{self.room}"

    @property
    def head(self) -> "Resident | None":
        return next((r for r in self.residents.all() if r.is_head), None)


class ResidentTag(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", _("独居老人")
    ELDERLY = "elderly", _("老年人")
    DISABILITY = "disability", _("残疾人")
    PARTY_MEMBER = "party_member", _("党员")
    LOW_INCOME = "low_income", _("低保户")
    VETERAN = "veteran", _("退役军人")
    CHILD_LEFT_BEHIND = "child_left_behind", _("留守儿童")
    VOLUNTEER = "volunteer", _("志愿者")


class Resident(models.Model):
    household = models.ForeignKey(
        Household, verbose_name=_("住户"), on_delete=models.PROTECT, related_name="residents"
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, db_index=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    is_head = models.BooleanField(_("户主"), default=False)
    tags = models.JSONField(_("标签"), default=list, blank=True)

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["household", "-is_head", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def area_path(self) -> str:
        return self.household.area_path

    def tag_labels(self) -> list[str]:
        labels = dict(ResidentTag.choices)
        return [str(labels.get(t, t)) for t in self.tags]
