"""The money of one project (资金): sources, funds committed to items, payments.

Every figure comes from ``selectors.funding_summary`` and ``selectors.item_money`` (added
up from the rows, never stored), so this page, the board, the ledger and the funding notice
agree. The three forms each call one action; its refusal (over-commit, spending above what
was committed, closed books) is shown next to the field and nothing changes.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.pages import PAGE_SIZE, one_or_404, run_form
from gongzhi.renewal import actions
from gongzhi.renewal.forms_funding import CommitForm, PaymentForm, SourceForm
from gongzhi.renewal.models import Allocation, Payment, Project, Stage, WorkItem
from gongzhi.renewal.selectors import ZERO, funding_summary, item_money, staff_projects
from gongzhi.renewal.views_records import project_page
from gongzhi.renewal.views_staff_common import T, require_manager_somewhere


def _project(request: HttpRequest, pk) -> Project:
    require_manager_somewhere(request.user)
    return one_or_404(staff_projects(request.user).select_related("area", "batch"), pk,
                      _("未找到该项目"))


@dataclass(frozen=True)
class ItemRow:
    item: WorkItem
    committed: Decimal
    spent: Decimal

    @property
    def uncommitted(self) -> Decimal:
        return self.item.budget - self.committed


def _page(request: HttpRequest, project: Project, *, source=None, commit=None,
          payment=None, status: int = 200) -> HttpResponse:
    summary = funding_summary(project)
    money = item_money(project)
    items = [ItemRow(i, *money.get(i.pk, (ZERO, ZERO)))
             for i in project.items.order_by("category", "order", "id")]
    open_books = project.stage != Stage.MANAGEMENT
    related = ("item", "source", "created_by")
    return render(request, T + "funding.html", {
        "project": project, "project_url": project_page(project.pk), "summary": summary,
        "sources": [(r, r.amount - r.committed) for r in summary.by_source],
        "items": items,
        "item_totals": {"budget": sum((r.item.budget for r in items), ZERO),
                        "committed": sum((r.committed for r in items), ZERO),
                        "spent": sum((r.spent for r in items), ZERO)},
        "allocations": list(Allocation.objects.filter(item__project=project)
                            .select_related(*related).order_by("-created_at", "-id")
                            [:PAGE_SIZE]),
        "payments": list(Payment.objects.filter(item__project=project)
                         .select_related(*related).order_by("-paid_on", "-id")[:PAGE_SIZE]),
        "page_size": PAGE_SIZE,
        "open_books": open_books,
        "source_form": source or SourceForm(),
        "commit_form": commit or CommitForm(project=project),
        "payment_form": payment or PaymentForm(project=project),
    }, status=status)


@login_required
@require_GET
def funding(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _project(request, pk))


def _done(request: HttpRequest, project: Project, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("renewal_staff:funding", pk=project.pk)


@login_required
@require_POST
def funding_source(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    form = SourceForm(request.POST)
    if run_form(form, lambda d: actions.set_source(
            project=project, kind=d["kind"], amount=d["amount"], note=d["note"],
            acting_user=request.user)):
        return _done(request, project, _("资金来源已保存"))
    return _page(request, project, source=form, status=400)


@login_required
@require_POST
def funding_commit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    form = CommitForm(request.POST, project=project)
    if run_form(form, lambda d: actions.commit_funds(
            item=d["item"], source=d["source"], amount=d["amount"], note=d["note"],
            acting_user=request.user)):
        return _done(request, project, _("资金已落实到改造内容"))
    return _page(request, project, commit=form, status=400)


@login_required
@require_POST
def funding_payment(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    form = PaymentForm(request.POST, project=project)
    if run_form(form, lambda d: actions.record_payment(
            item=d["item"], source=d["source"], amount=d["amount"], paid_on=d["paid_on"],
            note=d["note"], acting_user=request.user)):
        return _done(request, project, _("支出已登记"))
    return _page(request, project, payment=form, status=400)
