"""Residents' pages of renewal (老旧小区改造), on the phone: my compound's projects, one
project (what, when, the money, photos, the vote, the notices, where to report a problem),
the needs survey of my household, a supervisor's inspection, a representative's sign-off,
and the photos.

Everything works without JavaScript: plain forms, POST then redirect with a message. State
changes only through ``gongzhi.renewal.actions``; their refusals are shown in Chinese next
to the field they name and change nothing. A project the user may not see is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.core.pages import apply_errors, one_or_404, upload_response
from gongzhi.core.tree import subtree_q
from gongzhi.deliberation.models import PollStatus, ResolutionStatus
from gongzhi.notices.models import NoticeStatus
from gongzhi.renewal import actions, selectors
from gongzhi.renewal.actions._common import may_manage
from gongzhi.renewal.actions.projects import vote_result
from gongzhi.renewal.actions.supervision import holds
from gongzhi.renewal.actions.survey import project_households
from gongzhi.renewal.forms_resident import InspectionForm, SignoffForm, SurveyForm
from gongzhi.renewal.models import (
    STAGE_ORDER,
    ItemStatus,
    MemberRole,
    Party,
    Photo,
    ProgressLog,
    Project,
    Stage,
    Survey,
    SurveyStatus,
    WorkItem,
)
from gongzhi.renewal.panels import (
    awaiting_signoff,
    household_response,
    my_projects,
    my_roles,
    survey_waiting,
)

T = "renewal/resident/"
INSPECTING = (Stage.WORKS, Stage.ACCEPTANCE)
ITEM_CLASS = {ItemStatus.IN_WORKS: "status-due-soon", ItemStatus.REWORK: "status-overdue",
              ItemStatus.FINISHED: "status-on-time", ItemStatus.ACCEPTED: "status-closed"}


# --- helpers ----------------------------------------------------------------------------------


def error_text(exc: Exception) -> str:
    """An action's refusal as one Chinese sentence."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("您无权进行此操作")


def about_fields(exc: ValidationError, form) -> bool:
    """Is the refusal about what was typed (every message names a field of ``form``)?"""
    return hasattr(exc, "error_dict") and set(exc.error_dict) <= set(form.fields)


def yuan(amount) -> str:
    return f"{amount:,.2f}"


def quantity(item: WorkItem) -> str:
    """1200 米, 40 个: the quantity without trailing zeros, with its unit."""
    if item.quantity is None:
        return ""
    return f"{item.quantity.normalize():f}{item.unit}"


def _project(request: HttpRequest, pk: int) -> Project:
    projects = selectors.visible_projects(request.user).select_related(
        "area", "batch", "poll", "consultation", "resolution__notice", "funding_notice",
        "manager")
    return one_or_404(projects, pk, _("没有找到该改造项目"))


def stages(project: Project) -> list[dict]:
    """储备 → 谋划 → 实施 → 验收 → 长效管理, with the ones reached and the current one."""
    now = STAGE_ORDER.index(project.stage)
    return [{"value": value, "label": Stage(value).label, "reached": i <= now,
             "current": i == now} for i, value in enumerate(STAGE_ORDER)]


def vote_state(project: Project) -> dict | None:
    """The plan's vote (表决) or consultation (征询), with the page residents answer on."""
    if project.poll_id and project.poll.status != PollStatus.DRAFT:
        poll, result = project.poll, vote_result(project)
        return {"kind": "poll", "title": poll.title, "result": result,
                "closes_at": poll.closes_at,
                "url": reverse("deliberation:poll", args=[poll.pk]),
                "result_url": reverse("deliberation:result", args=[poll.pk])
                if poll.status == PollStatus.CLOSED else ""}
    if project.consultation_id:
        c = project.consultation
        return {"kind": "consultation", "title": c.title, "result": vote_result(project),
                "closes_at": c.closes_at, "result_url": "",
                "url": reverse("deliberation:consultation", args=[c.pk])}
    return None


def report_url(user, project: Project) -> str:
    """反映问题: my own building's page (its QR code's link), else the project's first."""
    paths = list(project.compounds.values_list("path", flat=True))
    resident = getattr(user, "resident", None)
    if resident is not None:
        building = resident.household.building
        if any(building.path.startswith(path) for path in paths):
            return reverse("report_landing_short", args=[building.code])
    for path in paths:
        building = (AreaNode.objects.filter(subtree_q(path), kind=AreaKind.BUILDING)
                    .order_by("path").first())
        if building is not None:
            return reverse("report_landing_short", args=[building.code])
    return ""


def lives_in(user, project: Project) -> bool:
    resident = getattr(user, "resident", None)
    return resident is not None and project_households(project).filter(
        pk=resident.household_id).exists()


# --- my projects ------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """My compound's projects and those I serve on, with what waits for me on each."""
    user = request.user
    rows = []
    for project in my_projects(user).select_related("poll", "consultation")[:50]:
        vote = vote_state(project)
        rows.append({
            "project": project, "progress": selectors.progress_percent(project),
            "roles": [MemberRole(r).label for r in sorted(my_roles(user, project))],
            "survey": survey_waiting(user, project),
            "signoffs": awaiting_signoff(user, project).count(),
            "vote_open": vote is not None and vote["result"] == "open",
        })
    return render(request, T + "home.html", {
        "rows": rows, "resident": getattr(user, "resident", None)})


# --- one project ------------------------------------------------------------------------------


def plan_rows(project: Project) -> list[dict]:
    """Items by category, each with its status, progress and dates, ready to print."""
    groups = []
    for label, items, budget in selectors.plan_by_category(project):
        rows = [{"item": item, "budget": yuan(item.budget),
                 "quantity": quantity(item),
                 "status_class": ITEM_CLASS.get(item.status, "")} for item in items]
        groups.append({"label": label, "rows": rows, "budget": yuan(budget)})
    return groups


def money(project: Project) -> dict:
    """The money as residents read it: raised, spent, by source, and their own share."""
    summary = selectors.funding_summary(project)
    return {
        "budget": yuan(summary.budget), "raised": yuan(summary.raised),
        "committed": yuan(summary.committed), "spent": yuan(summary.spent),
        "residents_share": summary.residents_share_text,
        "residents_amount": yuan(summary.source("residents").amount),
        "residents_spent": yuan(summary.residents_spent), "has_spent": bool(summary.spent),
        "residents_spent_share": summary.residents_spent_share_text,
        "sources": [{"label": r.label, "amount": yuan(r.amount), "spent": yuan(r.spent)}
                    for r in summary.by_source],
        "categories": [{"label": r.label, "budget": yuan(r.budget), "spent": yuan(r.spent)}
                       for r in summary.by_category],
    }


def published(notice) -> bool:
    return notice is not None and notice.status == NoticeStatus.PUBLISHED


def _notices(project: Project) -> dict:
    resolution = project.resolution
    if resolution is not None and resolution.status == ResolutionStatus.DRAFT:
        resolution = None
    return {
        "resolution": resolution,
        "resolution_notice": resolution.notice if resolution is not None and published(
            resolution.notice) else None,
        "funding_notice": project.funding_notice if published(project.funding_notice)
        else None,
    }


def _progress_logs(project: Project) -> list[ProgressLog]:
    """The latest progress notes that came with photos (what residents want to see)."""
    return list(ProgressLog.objects.filter(item__project=project, photos__isnull=False)
                .select_related("item").prefetch_related("photos").distinct()[:10])


@login_required
@require_GET
def project(request: HttpRequest, pk: int) -> HttpResponse:
    """What will be done, when, with how much money, and how it is going."""
    project = _project(request, pk)
    user = request.user
    roles = my_roles(user, project)
    survey = Survey.objects.filter(project=project).exclude(status=SurveyStatus.DRAFT).first()
    inspections = project.inspections.select_related("item", "case").prefetch_related(
        "photos")[:10]
    return render(request, T + "project.html", {
        "project": project, "stages": stages(project),
        "progress": selectors.progress_percent(project),
        "compounds": project.compounds.order_by("path"), "plan": plan_rows(project),
        "money": money(project), "logs": _progress_logs(project),
        "project_photos": project.photos.all()[:9], "vote": vote_state(project),
        **_notices(project), "survey": survey, "survey_waiting": survey_waiting(user, project),
        "is_supervisor": MemberRole.SUPERVISOR in roles,
        "may_inspect": MemberRole.SUPERVISOR in roles and project.stage in INSPECTING,
        "signoff_items": list(awaiting_signoff(user, project)),
        "is_representative": MemberRole.REPRESENTATIVE in roles,
        "members": project.members.filter(left_at__isnull=True),
        "inspections": inspections, "report_url": report_url(user, project),
        "is_manager": may_manage(user, project.area_path),
    })


# --- the needs survey -------------------------------------------------------------------------


def _survey(project: Project) -> Survey:
    survey = Survey.objects.filter(project=project).exclude(status=SurveyStatus.DRAFT).first()
    if survey is None:
        raise Http404(_("该项目还没有开始需求调查"))
    return survey


def _survey_page(request: HttpRequest, project: Project, survey: Survey,
                 form: SurveyForm | None = None) -> HttpResponse:
    user = request.user
    mine = lives_in(user, project)
    response = household_response(user, survey) if mine else None
    is_open = survey.status == SurveyStatus.OPEN and survey.closes_at > timezone.now()
    answered_by = response.answered_by if response is not None else None
    return render(request, T + "survey.html", {
        "project": project, "survey": survey, "lives_here": mine, "response": response,
        "is_open": is_open, "by_me": answered_by is not None and answered_by.pk == user.pk,
        "by_name": _member_name(answered_by),
        "form": (form or SurveyForm(survey=survey)) if mine and response is None and is_open
        else None,
        "results": selectors.survey_results(survey)
        if survey.status == SurveyStatus.CLOSED else None,
    })


def _member_name(user) -> str:
    if user is None:
        return ""
    resident = getattr(user, "resident", None)
    return (resident.name if resident is not None else "") or user.display_name


@login_required
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    """问需于民: my household ticks the works it wants, once for the whole household."""
    project = _project(request, pk)
    survey = _survey(project)
    if request.method == "GET":
        return _survey_page(request, project, survey)
    back = redirect("renewal:survey", pk=project.pk)
    if not lives_in(request.user, project):
        messages.error(request, _("只有改造小区的住户可以填写这份问卷"))
        return back
    if household_response(request.user, survey) is not None:
        messages.info(request, _("您家已经填写过这份问卷（每户一份），不用再填。"))
        return back
    form = SurveyForm(request.POST, survey=survey)
    if not form.is_valid():
        return _survey_page(request, project, survey, form)
    try:
        actions.answer_survey(survey=survey, choices=form.cleaned_data["choices"],
                              comment=form.cleaned_data["comment"], acting_user=request.user)
    except PermissionDenied as exc:
        messages.error(request, error_text(exc))
        return back
    except ValidationError as exc:
        if not about_fields(exc, form):  # answered already, or closed: the form is gone
            messages.error(request, error_text(exc))
            return back
        apply_errors(form, exc)
        return _survey_page(request, project, survey, form)
    messages.success(request, _("您家的意见已提交，谢谢！"
                                "社区会汇总大家的意见，定出改造方案后再请大家表决。"))
    return back


# --- a supervisor's inspection ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def inspect(request: HttpRequest, pk: int) -> HttpResponse:
    """监督巡查: what I saw on site; a problem becomes a case the community must answer."""
    project = _project(request, pk)
    user = request.user
    if not holds(user, project, MemberRole.SUPERVISOR):
        messages.error(request, _("只有本项目的居民监督员可以登记巡查"))
        return redirect("renewal:project", pk=project.pk)
    if project.stage not in INSPECTING:
        messages.error(request, _("项目施工期间才能登记巡查"))
        return redirect("renewal:project", pk=project.pk)
    form = InspectionForm(request.POST or None, request.FILES or None,
                          items=project.items.all())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = actions.log_inspection(
                project=project, note=data["note"], problem=data["problem"],
                item=data["item"], photos=data["photos"], acting_user=user)
        except PermissionDenied as exc:
            messages.error(request, error_text(exc))
            return redirect("renewal:project", pk=project.pk)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if inspection.case_id:
                messages.success(request, _(
                    "巡查已登记。发现的问题已转给社区处理，编号 %(ref)s，"
                    "处理进度在“我反映过的问题”里查看。") % {"ref": inspection.case.reference})
            else:
                messages.success(request, _("巡查已登记，谢谢您的监督！"))
            return redirect(reverse("renewal:project", args=[project.pk]) + "#inspections")
    mine = project.inspections.filter(inspector=user).select_related("item", "case")[:10]
    return render(request, T + "inspect.html", {"project": project, "form": form,
                                                "mine": mine})


# --- a representative's sign-off --------------------------------------------------------------


def _item(request: HttpRequest, pk: int) -> WorkItem:
    items = WorkItem.objects.filter(
        project__in=selectors.visible_projects(request.user).values("pk")).select_related(
        "project", "contractor")
    return one_or_404(items, pk, _("没有找到该改造内容"))


def _signoff_page(request: HttpRequest, item: WorkItem,
                  form: SignoffForm | None = None) -> HttpResponse:
    project = item.project
    mine = item.signoffs.filter(party=Party.RESIDENTS, superseded=False).first()
    waiting = (project.stage == Stage.ACCEPTANCE and item.status == ItemStatus.FINISHED
               and mine is None)
    logs = item.progress_logs.prefetch_related("photos")[:5]
    return render(request, T + "signoff.html", {
        "project": project, "item": item, "signed": mine, "waiting": waiting,
        "form": (form or SignoffForm()) if waiting else None, "logs": logs,
        "refusals": item.signoffs.filter(accepted=False).order_by("-signed_at")[:5],
        "quantity": quantity(item),
    })


@login_required
@require_http_methods(["GET", "POST"])
def signoff(request: HttpRequest, pk: int) -> HttpResponse:
    """验收: a residents' representative accepts one finished item, or refuses with a reason."""
    item = _item(request, pk)
    project = item.project
    if not holds(request.user, project, MemberRole.REPRESENTATIVE):
        messages.error(request, _("只有本项目的居民代表可以验收"))
        return redirect("renewal:project", pk=project.pk)
    if request.method == "GET":
        return _signoff_page(request, item)
    form = SignoffForm(request.POST)
    if not form.is_valid():
        return _signoff_page(request, item, form)
    try:
        actions.sign_off_item(item=item, accepted=form.accepted, party=Party.RESIDENTS,
                              reason=form.cleaned_data["reason"], acting_user=request.user)
    except PermissionDenied as exc:
        messages.error(request, error_text(exc))
    except ValidationError as exc:
        if about_fields(exc, form):
            apply_errors(form, exc)
            return _signoff_page(request, item, form)
        messages.error(request, error_text(exc))
    else:
        if form.accepted:
            messages.success(request, _("您已同意验收“%(item)s”。") % {"item": item.name})
        else:
            messages.success(request, _(
                "已退回整改：“%(item)s”。社区会安排施工单位整改，整改完成后再请您验收。")
                % {"item": item.name})
    return redirect(reverse("renewal:project", args=[project.pk]) + "#acceptance")


# --- photos -----------------------------------------------------------------------------------


def _photo_project_id(row: Photo) -> int | None:
    if row.project_id:
        return row.project_id
    if row.progress_id:
        return row.progress.item.project_id
    if row.inspection_id:
        return row.inspection.project_id
    return None


def may_see_photo(user, row: Photo) -> bool:
    """Whoever may see the photo's project, or its compound record (staff of the area, and
    those who see a project of that compound)."""
    visible = selectors.visible_projects(user)
    project_id = _photo_project_id(row)
    if project_id is not None:
        return visible.filter(pk=project_id).exists()
    if row.record_id:
        return (selectors.staff_records(user).filter(pk=row.record_id).exists()
                or visible.filter(compounds=row.record.compound_id).exists())
    return False


@login_required
@require_GET
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A stored photo, only for those who may see what it belongs to."""
    rows = Photo.objects.select_related("progress__item", "inspection", "record")
    row = one_or_404(rows, pk, _("没有找到这张照片"))
    if not may_see_photo(request.user, row):
        raise Http404(_("没有找到这张照片"))
    return upload_response(row, _("没有找到这张照片"))

