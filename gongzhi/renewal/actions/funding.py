"""Funding (资金): sources with amounts, money committed to items, payments against them.

The rule that keeps the books straight: committed from a source never exceeds what the
source holds; committed to an item never exceeds its budget; paid for an item out of a
source never exceeds what that source committed to that item. Rows are locked (the source,
then the item) so two clerks at once cannot both slip under a limit.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.renewal.actions._common import actor, lock_project, money, require_manager
from gongzhi.renewal.models import (
    Allocation,
    FundingSource,
    Payment,
    Project,
    SourceKind,
    Stage,
    WorkItem,
)


def _sum(rows) -> Decimal:
    return rows.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _require_open_books(project: Project) -> None:
    if project.stage == Stage.MANAGEMENT:
        raise ValidationError(_("项目已验收并公开资金，账目不能再改"))


@transaction.atomic
def set_source(*, project: Project, kind: str, amount, acting_user, note: str = ""
               ) -> FundingSource:
    """The amount a source provides (中央、省、市县、居民、维修资金、企业、捐赠)."""
    project = lock_project(project)
    require_manager(acting_user, project.area)
    _require_open_books(project)
    if kind not in SourceKind.values:
        raise ValidationError({"kind": _("请选择资金来源")})
    amount = money(amount, "amount", allow_zero=True)
    source = FundingSource.objects.select_for_update().filter(project=project, kind=kind).first()
    before = audit.snapshot(source, ["kind", "amount", "note"]) if source else None
    if source is not None:
        already = _sum(source.allocations)
        if amount < already:
            raise ValidationError({"amount": _("金额不能低于已落实到改造内容的 %(n)s 元")
                                   % {"n": _yuan(already)}})
        source.amount, source.note = amount, (note or "").strip()[:200]
        source.save()
    else:
        source = FundingSource.objects.create(project=project, kind=kind, amount=amount,
                                              note=(note or "").strip()[:200])
    audit.record(actor=acting_user, action="renewal.set_source", obj=source, before=before,
                 after=audit.snapshot(source, ["kind", "amount", "note"]),
                 area_path=project.area_path)
    return source


def _locked_pair(item: WorkItem, source: FundingSource) -> tuple[WorkItem, FundingSource]:
    if source.project_id != item.project_id:
        raise ValidationError({"source": _("资金来源不属于该项目")})
    source = FundingSource.objects.select_for_update().get(pk=source.pk)
    item = (WorkItem.objects.select_for_update(of=("self",)).select_related("project")
            .get(pk=item.pk))
    return item, source


@transaction.atomic
def commit_funds(*, item: WorkItem, source: FundingSource, amount, acting_user,
                 note: str = "") -> Allocation:
    """落实资金: part of a source promised to an item (its contract share)."""
    item, source = _locked_pair(item, source)
    require_manager(acting_user, item.project.area)
    _require_open_books(item.project)
    amount = money(amount, "amount")
    left_in_source = source.amount - _sum(source.allocations)
    if amount > left_in_source:
        raise ValidationError({"amount": _(
            "%(source)s只剩 %(left)s 元未落实，不能再落实 %(amount)s 元")
            % {"source": source.get_kind_display(), "left": _yuan(left_in_source),
               "amount": _yuan(amount)}})
    left_in_budget = item.budget - _sum(item.allocations)
    if amount > left_in_budget:
        raise ValidationError({"amount": _(
            "“%(item)s”预算只剩 %(left)s 元未落实；超出预算须先调整预算")
            % {"item": item.name, "left": _yuan(left_in_budget)}})
    allocation = Allocation.objects.create(item=item, source=source, amount=amount,
                                           note=(note or "").strip()[:200],
                                           created_by=actor(acting_user),
                                           created_at=timezone.now())
    audit.record(actor=acting_user, action="renewal.commit_funds", obj=item,
                 after={"source": source.kind, "amount": str(amount)})
    return allocation


@transaction.atomic
def record_payment(*, item: WorkItem, source: FundingSource, amount, acting_user,
                   paid_on: date | None = None, note: str = "") -> Payment:
    """支出: money paid for an item out of a source — never more than it committed."""
    item, source = _locked_pair(item, source)
    require_manager(acting_user, item.project.area)
    _require_open_books(item.project)
    amount = money(amount, "amount")
    paid_on = paid_on or timezone.localdate()
    if not isinstance(paid_on, date) or paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("支付日期不能晚于今天")})
    promised = _sum(item.allocations.filter(source=source))
    paid = _sum(item.payments.filter(source=source))
    if paid + amount > promised:
        raise ValidationError({"amount": _(
            "支出超过已落实资金：%(source)s为“%(item)s”落实 %(promised)s 元，已支出 %(paid)s 元，"
            "本次最多支出 %(left)s 元")
            % {"source": source.get_kind_display(), "item": item.name,
               "promised": _yuan(promised), "paid": _yuan(paid),
               "left": _yuan(promised - paid)}})
    payment = Payment.objects.create(item=item, source=source, amount=amount, paid_on=paid_on,
                                     note=(note or "").strip()[:200],
                                     created_by=actor(acting_user), created_at=timezone.now())
    audit.record(actor=acting_user, action="renewal.record_payment", obj=item,
                 after={"source": source.kind, "amount": str(amount),
                        "paid_on": paid_on.isoformat()})
    return payment
