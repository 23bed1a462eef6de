"""Compound records (一院一档): the facts a renovation plan starts from."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organisation
from gongzhi.areas.models import AreaNode
from gongzhi.core.choices import QuickChoiceLabels


class Management(models.TextChoices):
    PROPERTY = "property", _("物业服务企业")
    EMPLOYER = "employer", _("原产权单位")
    SELF = "self", _("居民自管")
    NONE = "none", _("无人管理")


def built_before() -> int:
    """Compounds built before this year are eligible (REFERENCES: before the end of 2000)."""
    return int(getattr(settings, "GONGZHI_RENEWAL_BUILT_BEFORE", 2001))


class CompoundRecord(QuickChoiceLabels):
    """One record per compound (小区档案); counts of buildings and households come live
    from the area tree, the rest from the survey of the compound."""

    compound = models.OneToOneField(AreaNode, verbose_name=_("小区"), on_delete=models.PROTECT,
                                    related_name="renewal_record")
    area_path = models.CharField(max_length=60, db_index=True, editable=False)
    built_year = models.PositiveSmallIntegerField(_("建成年份"), null=True, blank=True)
    floor_area = models.DecimalField(_("总建筑面积 (m²)"), max_digits=12, decimal_places=2,
                                     null=True, blank=True)
    management = models.CharField(_("管理方式"), max_length=10, choices=Management.choices,
                                  default=Management.NONE)
    manager = models.ForeignKey(Organisation, verbose_name=_("管理单位"), null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="+")
    facilities = models.TextField(_("现有设施"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("小区档案")
        verbose_name_plural = _("小区档案")
        ordering = ["area_path"]

    def __str__(self) -> str:
        return self.compound.name

    @property
    def eligible(self) -> bool:
        return self.built_year is not None and self.built_year < built_before()
