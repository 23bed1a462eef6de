"""Funding (资金): where the money comes from, what each item is promised, what was paid.

Sums are never stored: committed and spent are always added up from the rows, and the
actions refuse a row that would pay more than was committed or commit more than a source
holds or an item's budget allows.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.choices import QuickChoiceLabels
from gongzhi.renewal.models.projects import Project, WorkItem


class SourceKind(models.TextChoices):
    CENTRAL = "central", _("中央补助资金")
    PROVINCIAL = "provincial", _("省级补助资金")
    LOCAL = "local", _("市县（区）财政资金")
    RESIDENTS = "residents", _("居民出资")
    REPAIR_FUND = "repair_fund", _("住宅专项维修资金")
    ENTERPRISE = "enterprise", _("企业投入")
    DONATION = "donation", _("社会捐赠")


class FundingSource(QuickChoiceLabels):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField(_("资金来源"), max_length=12, choices=SourceKind.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("资金来源")
        verbose_name_plural = _("资金来源")
        ordering = ["project", "kind"]
        constraints = [models.UniqueConstraint(fields=["project", "kind"],
                                               name="renewal_source_once")]

    def __str__(self) -> str:
        return self.get_kind_display()


class Allocation(models.Model):
    """已落实: money of one source committed to one item (its contract share)."""

    item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="allocations")
    source = models.ForeignKey(FundingSource, on_delete=models.PROTECT,
                               related_name="allocations")
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("资金落实")
        verbose_name_plural = _("资金落实")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} · {self.amount}"


class Payment(models.Model):
    """已支出: money paid for one item out of one source."""

    item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="payments")
    source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("支付日期"))
    note = models.CharField(_("用途"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("资金支出")
        verbose_name_plural = _("资金支出")
        ordering = ["paid_on", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} · {self.amount} · {self.paid_on}"
