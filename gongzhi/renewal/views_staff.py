"""Staff console pages for old-compound renovation (小区改造 · 工作台): the projects this
user manages, a new project or batch, and the project page. The plan, its vote and the
stage steps are in views_staff_plan, works on site, members, acceptance and long-term
management in views_staff_works, the needs survey in views_staff_survey.

Every change is an action's; a page only parses, checks the scope and shows the action's
answer. Projects outside the user's MANAGE_RENEWAL scope answer 404; a user without the
permission anywhere, or an action refusing them, answers 403.
"""

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.areas.models import AreaKind
from gongzhi.core.tree import subtree_q
from gongzhi.renewal import actions, selectors
from gongzhi.renewal import forms_staff as forms
from gongzhi.renewal.actions.projects import EDITABLE_PLAN, may_approve, vote_result
from gongzhi.renewal.actions.survey import project_households
from gongzhi.renewal.models import (
    STAGE_ORDER,
    ItemStatus,
    Party,
    PlanStatus,
    Signoff,
    Stage,
    Survey,
    SurveyResponse,
)
from gongzhi.renewal.views_staff_common import (
    PAGE_SIZE,
    T,
    page_of,
    require_manager_somewhere,
    run_form,
    staff_project,
)

BATCH_KINDS = (AreaKind.CITY, AreaKind.DISTRICT, AreaKind.STREET)

# --- the projects --------------------------------------------------------------------------------


def _filtered(request: HttpRequest):
    base = selectors.staff_projects(request.user)
    years = sorted({y for y in base.filter(batch__isnull=False).order_by()
                    .values_list("batch__year", flat=True)}, reverse=True)
    filters = forms.ProjectFilterForm(request.GET or None, user=request.user, years=years)
    chosen = filters.chosen()
    rows = base
    if "year" in chosen:
        rows = rows.filter(batch__year=chosen["year"])
    if "community" in chosen:
        rows = rows.filter(subtree_q(chosen["community"].path, "area_path"))
    return filters, chosen, rows


def _stage_counts(rows, chosen: dict) -> list[dict]:
    counts = dict(rows.order_by().values("stage").annotate(n=Count("pk"))
                  .values_list("stage", "n"))
    keep = {k: (v.pk if k == "community" else v) for k, v in chosen.items()
            if k in ("year", "community")}
    return [{"stage": value, "label": label, "n": counts.get(value, 0),
             "current": chosen.get("stage") == value,
             "query": urlencode(keep | {"stage": value})} for value, label in Stage.choices]


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    require_manager_somewhere(request.user)
    filters, chosen, rows = _filtered(request)
    stages = _stage_counts(rows, chosen)
    for name in ("stage", "plan_status"):
        if name in chosen:
            rows = rows.filter(**{name: chosen[name]})
    rows = (rows.select_related("batch", "area").prefetch_related("compounds")
            .annotate(total_budget=Sum("items__budget")).order_by("-created_at", "-id"))
    page = page_of(request, rows)
    progress = selectors.progress_percents([p.pk for p in page.object_list])
    listed = [{"p": p, "progress": progress[p.pk]} for p in page.object_list]
    extra = {k: (v.pk if k == "community" else v) for k, v in chosen.items()}
    return render(request, T + "home.html", {
        "filters": filters, "page": page, "rows": listed, "stages": stages,
        "total": sum(s["n"] for s in stages), "extra": urlencode(extra),
        "may_batch": forms.areas_in_scope(request.user, BATCH_KINDS).exists()})


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_manager_somewhere(user)
    form = forms.ProjectForm(request.POST or None, user=user)
    made = []
    if request.method == "POST" and run_form(form, lambda d: made.append(
            actions.create_project(
                name=d["name"], compounds=list(d["compounds"]), batch=d["batch"],
                summary=d["summary"], planned_start=d["planned_start"],
                planned_end=d["planned_end"], acting_user=user))):
        messages.success(request, _("已建立改造项目（储备）"))
        return redirect("renewal_staff:project", pk=made[0].pk)
    return render(request, T + "project_new.html", {"form": form},
                  status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def batch_new(request: HttpRequest) -> HttpResponse:
    """年度批次: street (or district) staff only — a community has no area to offer."""
    user = request.user
    require_manager_somewhere(user)
    areas = forms.areas_in_scope(user, BATCH_KINDS)
    if not areas.exists():
        raise PermissionDenied(_("改造批次由街道或区统筹"))
    form = forms.BatchForm(request.POST or None, areas=areas)
    if request.method == "POST" and run_form(form, lambda d: actions.create_batch(
            year=d["year"], name=d["name"], area=d["area"], acting_user=user)):
        messages.success(request, _("已建立改造批次"))
        return redirect("renewal_staff:home")
    batches = forms.batches_for(user).select_related("area").annotate(
        n_projects=Count("projects"))[:PAGE_SIZE]
    return render(request, T + "batch_new.html", {"form": form, "batches": batches},
                  status=400 if form.is_bound else 200)


# --- the project page -------------------------------------------------------------------------


def _asked(project) -> dict[int, int]:
    """survey option id → households that asked for it."""
    through = SurveyResponse.choices.through.objects.filter(
        surveyresponse__survey__project=project)
    return dict(through.order_by().values("surveyoption_id").annotate(n=Count("pk"))
                .values_list("surveyoption_id", "n"))


def _signoffs(project) -> dict[int, dict[str, Signoff]]:
    """item id → {party: its standing sign-off}."""
    out: dict[int, dict[str, Signoff]] = {}
    for s in Signoff.objects.filter(item__project=project, superseded=False).select_related(
            "signed_by"):
        out.setdefault(s.item_id, {})[s.party] = s
    return out


def _approver(user, project) -> bool:
    try:
        return may_approve(user, project)
    except ValidationError:  # no street above the area
        return False


def _next_step(project, items, vote: str, approver: bool) -> dict:
    """The one step the stage is waiting for, and what still stands in its way (a hint:
    the action checks again and its answer is the one shown)."""
    s, p = project.stage, project.plan_status
    blockers: list[str] = []
    if s == Stage.RESERVE:
        step = "start_planning"
    elif s == Stage.PLANNING:
        if p == PlanStatus.APPROVED:
            step = "start_works"
        elif p == PlanStatus.SUBMITTED:
            step = "decide" if approver else "await_decision"
        elif p in EDITABLE_PLAN and vote != "passed":
            step = "vote"
            if not items:
                blockers.append(_("改造方案还没有改造内容"))
        else:
            step = "submit"
            if vote == "open":
                blockers.append(_("居民表决（征询）尚未结束计票"))
            elif vote == "failed":
                blockers.append(_("居民未通过改造方案"))
    elif s == Stage.WORKS:
        step = "start_acceptance"
        blockers += [i.name for i in items
                     if i.status not in (ItemStatus.FINISHED, ItemStatus.ACCEPTED)]
    elif s == Stage.ACCEPTANCE:
        step = "complete_acceptance"
        blockers += [i.name for i in items if i.status != ItemStatus.ACCEPTED]
    else:
        step = "management"
    return {"step": step, "blockers": blockers}


def _stage_bar(project) -> list[dict]:
    here = STAGE_ORDER.index(project.stage)
    return [{"label": Stage(v).label, "done": i < here, "current": i == here}
            for i, v in enumerate(STAGE_ORDER)]


def _item_rows(groups, asked: dict, signoffs: dict, acceptance: bool, bound=None,
               errors: dict | None = None) -> list:
    out = []
    for label, items, budget in groups:
        rows = []
        for item in items:
            mine = signoffs.get(item.pk, {})
            form = None
            if acceptance and item.status == ItemStatus.FINISHED and Party.COMMUNITY not in mine:
                form = bound if bound is not None and bound.item_id == item.pk else \
                    forms.SignoffForm(item_id=item.pk)
            rows.append({"item": item, "asked": asked.get(item.need_id),
                         "residents": mine.get(Party.RESIDENTS),
                         "community": mine.get(Party.COMMUNITY), "signoff_form": form,
                         "error": (errors or {}).get(item.pk)})
        out.append({"label": label, "budget": budget, "rows": rows})
    return out


def _window() -> dict:
    now = timezone.localtime().replace(second=0, microsecond=0)
    return {"opens_at": now, "closes_at": now + timedelta(days=7)}


def project_context(request: HttpRequest, project, **given) -> dict:
    """Everything the project page shows; ``given`` holds bound forms with their errors
    (``step_error`` for a refused button)."""
    user = request.user
    groups = selectors.plan_by_category(project)
    items = [i for _label, mine, _budget in groups for i in mine]
    vote = vote_result(project)
    approver = _approver(user, project)
    editable = project.plan_status in EDITABLE_PLAN and project.stage in (Stage.RESERVE,
                                                                          Stage.PLANNING)
    nxt = _next_step(project, items, vote, approver)
    households = project_households(project)
    ctx = {
        "project": project, "stages": _stage_bar(project), "next": nxt["step"],
        "blockers": nxt["blockers"], "vote": vote, "approver": approver, "editable": editable,
        "compounds": list(project.compounds.all()),
        "groups": _item_rows(groups, _asked(project), _signoffs(project),
                             project.stage == Stage.ACCEPTANCE, given.pop("signoff_form", None),
                             given.pop("item_errors", None)),
        "budget": sum((b for _label, _mine, b in groups), 0),
        "progress": selectors.progress_percent(project),
        "survey": Survey.objects.filter(project=project).first(),
        "members": list(project.members.filter(left_at__isnull=True).select_related("user")),
        "inspections": list(project.inspections.select_related("item", "inspector", "case")
                            [:PAGE_SIZE]),
        "cases": list(selectors.compound_cases(project).select_related("area")[:PAGE_SIZE]),
        "households": households.count(),
        "item_form": forms.ItemForm(project=project) if editable else None,
        "vote_form": forms.VoteForm(initial=_window())
        if editable and project.stage == Stage.PLANNING else None,
        "decide_form": forms.DecideForm() if nxt["step"] == "decide" else None,
        "member_form": forms.MemberForm(households=households),
        "management_form": forms.ManagementForm(project=project, initial={
            "management": project.management, "manager": project.manager_id,
            "convention": project.convention}) if project.stage == Stage.MANAGEMENT else None,
        "step_error": None,
    }
    ctx.update(given)
    return ctx


def project_page(request: HttpRequest, project, status: int = 200, **given) -> HttpResponse:
    return render(request, T + "project.html", project_context(request, project, **given),
                  status=status)


@login_required
@require_GET
def project(request: HttpRequest, pk: int) -> HttpResponse:
    return project_page(request, staff_project(request, pk))
