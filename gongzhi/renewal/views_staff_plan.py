"""The plan and the project's stage steps (小区改造 · 工作台): items of the plan, the item
page, the residents' vote, submission to the street and its decision, and the buttons that
move a project from one stage to the next.

A button the action refuses shows the refusal on the project page, next to the button
(400); success redirects back (POST-redirect-GET).
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.renewal import actions
from gongzhi.renewal import forms_staff as forms
from gongzhi.renewal.actions.projects import EDITABLE_PLAN
from gongzhi.renewal.models import ItemStatus, Party, Stage
from gongzhi.renewal.views_staff import _approver, project_page
from gongzhi.renewal.views_staff_common import T, run_form, staff_item, staff_project


def to_project(project, anchor: str = "") -> HttpResponse:
    url = reverse("renewal_staff:project", kwargs={"pk": project.pk})
    return redirect(url + (f"#{anchor}" if anchor else ""))


def step(request: HttpRequest, project, done: str, action: Callable,
         anchor: str = "next") -> HttpResponse:
    """A button without fields, ``action(project=…)``: its refusal next to the button (400),
    else back to the project."""
    try:
        action(project=project, acting_user=request.user)
    except ValidationError as exc:
        return project_page(request, project, status=400, step_error=" ".join(exc.messages))
    messages.success(request, done)
    return to_project(project, anchor)


# --- stage steps --------------------------------------------------------------------------------


@login_required
@require_POST
def start_planning(request: HttpRequest, pk: int) -> HttpResponse:
    project = staff_project(request, pk)
    return step(request, project, _("项目已进入谋划阶段：请开展需求调查、编制改造方案"),
                actions.start_planning)


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    project = staff_project(request, pk)
    return step(request, project, _("改造方案已报街道审批"), actions.submit_plan)


@login_required
@require_POST
def start_works(request: HttpRequest, pk: int) -> HttpResponse:
    project = staff_project(request, pk)
    return step(request, project, _("项目已开工，已通知改造小区的居民"), actions.start_works)


@login_required
@require_POST
def start_acceptance(request: HttpRequest, pk: int) -> HttpResponse:
    project = staff_project(request, pk)
    return step(request, project, _("项目已进入验收，已通知居民代表"), actions.start_acceptance,
                anchor="acceptance")


@login_required
@require_POST
def complete_acceptance(request: HttpRequest, pk: int) -> HttpResponse:
    project = staff_project(request, pk)
    return step(request, project, _("验收完成，资金使用情况已公示；请确定长效管理方式"),
                actions.complete_acceptance, anchor="management")


# --- the vote and the street's decision ----------------------------------------------------------


@login_required
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    project = staff_project(request, pk)
    form = forms.VoteForm(request.POST)
    if run_form(form, lambda d: actions.put_plan_to_vote(
            project=project, via=d["via"], matter=d["matter"], opens_at=d["opens_at"],
            closes_at=d["closes_at"], acting_user=request.user)):
        messages.success(request, _("改造方案已交居民表决（征询），已通知改造小区的居民"))
        return to_project(project, "vote")
    return project_page(request, project, status=400, vote_form=form)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    project = staff_project(request, pk)
    if not _approver(request.user, project):
        raise PermissionDenied(_("只有街道可以审批改造方案"))
    form = forms.DecideForm(request.POST)
    if run_form(form, lambda d: actions.decide_plan(
            project=project, approve=d["decision"] == "approve", note=d["note"],
            acting_user=request.user)):
        approved = form.cleaned_data["decision"] == "approve"
        messages.success(request, _("已批准改造方案，决议已公示") if approved
                         else _("已退回改造方案，社区已收到通知"))
        return to_project(project)
    return project_page(request, project, status=400, decide_form=form)


# --- items of the plan ----------------------------------------------------------------------------


@login_required
@require_POST
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = staff_project(request, pk)
    form = forms.ItemForm(request.POST, project=project)
    if run_form(form, lambda d: actions.add_item(project=project, acting_user=request.user,
                                                 **d)):
        messages.success(request, _("已添加改造内容"))
        return to_project(project, "plan")
    return project_page(request, project, status=400, item_form=form)


def plan_fixed(project) -> bool:
    return project.plan_status not in EDITABLE_PLAN or project.stage not in (Stage.RESERVE,
                                                                             Stage.PLANNING)


def _initial(item) -> dict:
    return {"category": item.category, "name": item.name, "unit": item.unit,
            "quantity": "" if item.quantity is None else f"{item.quantity:f}",
            "budget": f"{item.budget:f}", "contractor": item.contractor_id,
            "need": item.need_id, "planned_start": item.planned_start,
            "planned_end": item.planned_end}


def item_page(request: HttpRequest, item, status: int = 200, **given) -> HttpResponse:
    """One item: its facts, the edit form, its progress log with photos, the site steps and
    its sign-offs."""
    project = item.project
    on_site = project.stage == Stage.WORKS
    ctx = {
        "item": item, "project": project, "plan_fixed": plan_fixed(project),
        "edit_form": forms.ItemForm(project=project, plan_fixed=plan_fixed(project),
                                    initial=_initial(item))
        if item.status != ItemStatus.ACCEPTED else None,
        "logs": list(item.progress_logs.select_related("logged_by").prefetch_related("photos")),
        "progress_form": forms.ProgressForm()
        if on_site and item.status in (ItemStatus.IN_WORKS, ItemStatus.REWORK) else None,
        "can_start": on_site and item.status == ItemStatus.PLANNED,
        "can_finish": on_site and item.status in (ItemStatus.IN_WORKS, ItemStatus.REWORK),
        "signoffs": list(item.signoffs.select_related("signed_by")),
        "parties": Party, "step_error": None,
    }
    ctx.update(given)
    return render(request, T + "item.html", ctx, status=status)


@login_required
@require_GET
def item(request: HttpRequest, pk: int) -> HttpResponse:
    return item_page(request, staff_item(request, pk))


@login_required
@require_POST
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    obj = staff_item(request, pk)
    form = forms.ItemForm(request.POST, project=obj.project, plan_fixed=plan_fixed(obj.project))
    if run_form(form, lambda d: actions.update_item(item=obj, acting_user=request.user, **d)):
        messages.success(request, _("已保存改造内容"))
        return redirect("renewal_staff:item", pk=obj.pk)
    return item_page(request, obj, status=400, edit_form=form)
