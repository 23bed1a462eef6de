"""JSON API of renewal (老旧小区改造): projects with their items, money, survey and vote;
the needs survey for my household; supervisors' inspections; sign-offs at acceptance; and
for staff the stage steps, progress of the works, compound records and the year's board.

A project is seen by the staff who run renovation for its area, the residents of its
compounds, the residents serving on it and the contractors working on it; anything else
answers 404, as if it did not exist. Every change is one of ``gongzhi.renewal.actions``;
their refusals answer 403 (not yours to do), 409 (done already: one survey answer per
household, one sign-off per side, a stage reached) or 422 (bad input).
"""

from dataclasses import replace
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja import Status as Reply

from gongzhi.areas.models import AreaKind, AreaNode, Household
from gongzhi.core.api import (
    AUTH_ERRORS,
    ERRORS,
    ApiError,
    ErrorOut,
    run_action,
    validation_body,
)
from gongzhi.core.permissions import Perm, scope_paths
from gongzhi.core.tree import subtree_q
from gongzhi.renewal import actions, selectors
from gongzhi.renewal import api_schemas as schemas
from gongzhi.renewal.actions.projects import vote_result
from gongzhi.renewal.actions.supervision import party_of
from gongzhi.renewal.actions.survey import project_households
from gongzhi.renewal.api_schemas import (
    BoardOut,
    CompoundPage,
    InspectionIn,
    InspectionOut,
    ProgressIn,
    ProgressOut,
    ProjectOut,
    ProjectPage,
    SignoffIn,
    SignoffOut,
    StageIn,
    SurveyAnswerIn,
    SurveyOut,
)
from gongzhi.renewal.models import (
    STAGE_ORDER,
    Category,
    CompoundRecord,
    Photo,
    Project,
    SourceKind,
    Stage,
    Survey,
    SurveyStatus,
    WorkItem,
    built_before,
)
from gongzhi.renewal.panels import household_response, my_roles

router = Router()

ID = Path(..., ge=1, le=2**63 - 1, description="ID")
LIMIT = Query(20, ge=1, le=100, description="每页条数 / page size (1–100)")
OFFSET = Query(0, ge=0, le=10**6, description="跳过条数 / rows to skip")
YEAR = Query(None, ge=2000, le=2100, description="年度 / year")
ACT_ERRORS = {**ERRORS, 403: ErrorOut}
CHANGE_ERRORS = {**ACT_ERRORS, 409: ErrorOut}
STAFF_ERRORS = {**AUTH_ERRORS, 403: ErrorOut, 422: ErrorOut}
RELATED = ("area", "batch", "poll", "consultation", "resolution", "funding_notice")
STEPS = {"start_planning": (actions.start_planning, Stage.PLANNING),
         "start_works": (actions.start_works, Stage.WORKS),
         "start_acceptance": (actions.start_acceptance, Stage.ACCEPTANCE),
         "complete_acceptance": (actions.complete_acceptance, Stage.MANAGEMENT)}


# --- lookups and refusals ----------------------------------------------------------------


def _project(user, pk: int) -> Project:
    project = selectors.visible_projects(user).select_related(*RELATED).filter(pk=pk).first()
    if project is None:
        raise ApiError(404, _("未找到该改造项目"), "project not found", "not_found")
    return project


def _item(user, pk: int) -> WorkItem:
    seen = selectors.visible_projects(user).values("pk")
    item = (WorkItem.objects.filter(pk=pk, project__in=seen)
            .select_related("project", "contractor").first())
    if item is None:
        raise ApiError(404, _("未找到该改造内容"), "item not found", "not_found")
    return item


def _survey(project: Project) -> Survey:
    survey = Survey.objects.filter(project=project).exclude(status=SurveyStatus.DRAFT).first()
    if survey is None:
        raise ApiError(404, _("该项目还没有开始需求调查"), "no survey open for this project",
                       "not_found")
    return survey


def _require_staff(user) -> None:
    if not (user.is_superuser or scope_paths(user, Perm.MANAGE_RENEWAL)):
        raise ApiError(403, _("只有负责老旧小区改造的工作人员可以查看"),
                       "renovation staff only", "forbidden")


# --- bodies ------------------------------------------------------------------------------


def _survey_brief(user, project: Project) -> dict | None:
    survey = Survey.objects.filter(project=project).exclude(status=SurveyStatus.DRAFT).first()
    if survey is None:
        return None
    return {"id": survey.pk, "title": survey.title, "status": survey.status,
            "status_label": survey.get_status_display(), "closes_at": survey.closes_at,
            "accepting": _accepting(survey),
            "answered": household_response(user, survey) is not None}


def _vote(project: Project) -> dict:
    via = "poll" if project.poll_id else "consultation" if project.consultation_id else None
    target = project.poll if project.poll_id else project.consultation
    return {"via": via, "id": target.pk if target else None, "result": vote_result(project),
            "closes_at": target.closes_at if target else None}


def _photos(project: Project) -> list[dict]:
    rows = (Photo.objects.filter(progress__item__project=project)
            .select_related("progress").order_by("-uploaded_at", "-id")[:12])
    return [{"id": p.pk, "url": reverse("renewal:photo", args=[p.pk]), "note": p.progress.note,
             "taken_at": p.uploaded_at} for p in rows]


def project_out(user, project: Project) -> dict:
    money = selectors.item_money(project)
    return {
        **schemas.project_summary(project, my_roles(user, project)),
        "summary": project.summary,
        "items": [schemas.item_body(i, money)
                  for i in project.items.select_related("project", "contractor")],
        "funding": schemas.funding_body(selectors.funding_summary(project)),
        "survey": _survey_brief(user, project), "vote": _vote(project),
        "resolution": project.resolution_id, "funding_notice": project.funding_notice_id,
        "photos": _photos(project),
    }


def _accepting(survey: Survey) -> bool:
    return survey.status == SurveyStatus.OPEN and survey.closes_at > timezone.now()


def _my_household(user, project: Project):
    resident = getattr(user, "resident", None)
    if resident is None or not project_households(project).filter(
            pk=resident.household_id).exists():
        return None
    return resident.household


def survey_out(user, project: Project, survey: Survey) -> dict:
    household = _my_household(user, project)
    response = household_response(user, survey) if household is not None else None
    return schemas.survey_body(survey, household=household, response=response,
                               accepting=_accepting(survey), user=user)


# --- projects ----------------------------------------------------------------------------


@router.get("/projects", response={200: ProjectPage, **AUTH_ERRORS, 422: ErrorOut},
            summary="我能看到的改造项目 / renovation projects visible to me")
def project_list(request: HttpRequest,
                 stage: Literal["reserve", "planning", "works", "acceptance", "management"]
                 | None = Query(None, description="储备 / 谋划 / 实施 / 验收 / 长效管理 — stage"),
                 year: int | None = YEAR, limit: int = LIMIT, offset: int = OFFSET):
    user = request.auth
    projects = (selectors.visible_projects(user).select_related("area", "batch")
                .prefetch_related("compounds"))
    if stage:
        projects = projects.filter(stage=stage)
    if year:
        projects = projects.filter(Q(batch__year=year)
                                   | Q(batch__isnull=True, planned_start__year=year))
    projects = projects.order_by("-created_at", "-id")
    rows = projects[offset:offset + limit]
    return {"items": [schemas.project_summary(p, my_roles(user, p)) for p in rows],
            "count": projects.count(), "limit": limit, "offset": offset}


@router.get("/projects/{id}", response={200: ProjectOut, **ERRORS},
            summary="改造项目：内容、阶段、时间、资金、调查和表决 / one project in full")
def project_detail(request: HttpRequest, id: int = ID):
    return project_out(request.auth, _project(request.auth, id))


# --- the needs survey --------------------------------------------------------------------


@router.get("/projects/{id}/survey", response={200: SurveyOut, **ERRORS},
            summary="需求调查与我家的答卷 / the needs survey and my household's answer")
def survey_detail(request: HttpRequest, id: int = ID):
    project = _project(request.auth, id)
    return survey_out(request.auth, project, _survey(project))


@router.post("/projects/{id}/survey/answer", response={201: SurveyOut, **CHANGE_ERRORS},
             summary="填写需求调查（每户一份）/ answer for my household, once")
def survey_answer(request: HttpRequest, body: SurveyAnswerIn, id: int = ID):
    """201 with the answer; 409 ``already_answered`` when my household (I or another
    member) has answered already."""
    user = request.auth
    project = _project(user, id)
    survey = _survey(project)

    def answered() -> tuple[str, str] | None:
        if household_response(user, survey) is None:
            return None
        return "already_answered", "your household has answered already: one per household"

    refused = run_action(lambda: actions.answer_survey(
        survey=survey, choices=body.choices, comment=body.comment, acting_user=user),
        answered)
    return refused or Reply(201, survey_out(user, project, survey))


# --- supervision and acceptance ----------------------------------------------------------


@router.post("/projects/{id}/inspections", response={201: InspectionOut, **ACT_ERRORS},
             summary="登记巡查（居民监督员），发现问题即立案 / log an inspection")
def inspection_create(request: HttpRequest, body: InspectionIn, id: int = ID):
    user = request.auth
    project = _project(user, id)
    item = project.items.filter(pk=body.item).first() if body.item else None
    if body.item and item is None:
        return Reply(422, validation_body(ValidationError(
            {"item": _("该改造内容不属于本项目")})))
    done: list = []
    refused = run_action(lambda: done.append(actions.log_inspection(
        project=project, note=body.note, problem=body.problem, item=item, acting_user=user)))
    return refused or Reply(201, schemas.inspection_body(done[0]))


@router.post("/items/{id}/signoff", response={201: SignoffOut, **CHANGE_ERRORS},
             summary="验收签署（居民代表或社区）/ accept an item, or refuse with the reason")
def signoff(request: HttpRequest, body: SignoffIn, id: int = ID):
    """201 with the sign-off; a refusal sends the item back to works. 409
    ``already_signed`` when the caller's side has signed this item already."""
    user = request.auth
    item = _item(user, id)
    party = body.party or party_of(user, item.project)

    def signed() -> tuple[str, str] | None:
        if not item.signoffs.filter(party=party, superseded=False).exists():
            return None
        return "already_signed", "this side has signed off this item already"

    done: list = []
    refused = run_action(lambda: done.append(actions.sign_off_item(
        item=item, accepted=body.accepted, reason=body.reason, party=party,
        acting_user=user)), signed)
    if refused:
        return refused
    row = done[0]
    item = WorkItem.objects.select_related("project", "contractor").get(pk=item.pk)
    return Reply(201, {"id": row.pk, "party": row.party, "party_label": row.get_party_display(),
                       "accepted": row.accepted, "reason": row.reason,
                       "signed_at": row.signed_at, "item": schemas.item_body(item),
                       "project_stage": item.project.stage})


# --- staff: stages and works -------------------------------------------------------------


@router.post("/projects/{id}/stage", response={200: ProjectOut, **CHANGE_ERRORS},
             summary="推进项目阶段（工作人员）/ move the project to its next stage")
def stage_step(request: HttpRequest, body: StageIn, id: int = ID):
    """409 ``already_done`` when the project has reached that stage already."""
    user = request.auth
    project = _project(user, id)
    step, target = STEPS[body.step]

    def reached() -> tuple[str, str] | None:
        now = Project.objects.get(pk=project.pk).stage
        if STAGE_ORDER.index(now) < STAGE_ORDER.index(target):
            return None
        return "already_done", "the project has reached this stage already"

    refused = run_action(lambda: step(project=project, acting_user=user), reached)
    return refused or project_out(user, _project(user, id))


@router.post("/items/{id}/progress", response={201: ProgressOut, **ACT_ERRORS},
             summary="登记施工进度（工作人员或施工单位）/ log progress of an item")
def progress_log(request: HttpRequest, body: ProgressIn, id: int = ID):
    user = request.auth
    item = _item(user, id)
    done: list = []
    refused = run_action(lambda: done.append(actions.log_progress(
        item=item, note=body.note, progress=body.progress, acting_user=user)))
    if refused:
        return refused
    log = done[0]
    item = WorkItem.objects.select_related("project", "contractor").get(pk=item.pk)
    return Reply(201, {"id": log.pk, "note": log.note, "progress": log.progress,
                       "logged_at": log.logged_at, "item": schemas.item_body(item)})


# --- staff: records and the board --------------------------------------------------------


def _record_body(record: CompoundRecord) -> dict:
    compound = record.compound
    return {
        "id": record.pk, "compound": schemas.area_ref(compound),
        "built_year": record.built_year, "floor_area": schemas.yuan(record.floor_area),
        "management": record.management, "management_label": record.get_management_display(),
        "manager": record.manager.name if record.manager_id else None,
        "eligible": record.eligible,
        "buildings": AreaNode.objects.filter(subtree_q(compound.path),
                                             kind=AreaKind.BUILDING).count(),
        "households": Household.objects.filter(subtree_q(compound.path, "area_path")).count(),
        "projects": sorted(Project.objects.filter(compounds=compound)
                           .values_list("pk", flat=True)),
    }


@router.get("/compounds", response={200: CompoundPage, **STAFF_ERRORS},
            summary="小区档案及是否在改造范围（工作人员）/ compound records in my area")
def compound_list(request: HttpRequest,
                  eligible: bool | None = Query(None, description="只看可改造 / eligible"),
                  limit: int = LIMIT, offset: int = OFFSET):
    user = request.auth
    _require_staff(user)
    records = selectors.staff_records(user).select_related("compound", "manager")
    if eligible is not None:
        in_range = Q(built_year__isnull=False, built_year__lt=built_before())
        records = records.filter(in_range) if eligible else records.exclude(in_range)
    rows = records[offset:offset + limit]
    return {"items": [_record_body(r) for r in rows], "count": records.count(),
            "limit": limit, "offset": offset}


def _merged(groups, key: str, order: list[str]) -> list:
    """Rows of several projects' summaries added up by source (or category)."""
    out: dict = {}
    for group in groups:
        for row in group:
            have = out.get(getattr(row, key))
            if have is None:
                out[getattr(row, key)] = replace(row)
                continue
            for name in ("amount", "budget", "committed", "spent"):
                if hasattr(row, name):
                    setattr(have, name, getattr(have, name) + getattr(row, name))
    return [out[k] for k in order if k in out]


def _households(projects: list[Project]) -> tuple[int, int]:
    """(compounds, households) the year's projects reach."""
    paths = sorted(set(AreaNode.objects.filter(
        pk__in=Project.compounds.through.objects.filter(project__in=projects)
        .values("areanode_id")).values_list("path", flat=True)))
    q = Q(pk__in=[])
    for path in paths:
        q |= subtree_q(path, "area_path")
    return len(paths), Household.objects.filter(q).count()


def _progress(ids: list[int]) -> dict[int, int]:
    """Each project's progress by the selectors' rule, from one query over the items."""
    rows: dict[int, list] = {pk: [] for pk in ids}
    for pk, *row in WorkItem.objects.filter(project_id__in=ids).values_list(
            "project_id", "budget", "progress", "status"):
        rows[pk].append(row)
    return {pk: selectors.progress_of(r) for pk, r in rows.items()}


def board_body(projects: QuerySet[Project], year: int) -> dict:
    """The year's figures, added up from the same sums every project's page shows."""
    projects = list(projects.order_by("name", "pk"))
    ids = [p.pk for p in projects]
    summaries, progress = selectors.funding_summaries(ids), _progress(ids)
    total = selectors.FundingSummary(
        by_source=_merged((s.by_source for s in summaries.values()), "kind",
                          SourceKind.values),
        by_category=_merged((s.by_category for s in summaries.values()), "category",
                            Category.values))
    weights = {pk: max(s.budget, Decimal(1)) for pk, s in summaries.items()}
    done = sum((weights[pk] * progress[pk] for pk in ids), Decimal(0))
    compounds, households = _households(projects)
    return {
        "year": year, "projects": len(projects), "compounds": compounds,
        "households": households,
        "by_stage": [{"stage": s.value, "label": str(s.label),
                      "count": sum(1 for p in projects if p.stage == s)} for s in Stage],
        "funding": schemas.funding_body(total),
        "progress": int(done / sum(weights.values())) if ids else 0,
        "rows": [_board_row(p, summaries[p.pk], progress[p.pk]) for p in projects],
    }


def _board_row(project: Project, summary, progress: int) -> dict:
    return {"id": project.pk, "name": project.name, "stage": project.stage,
            "stage_label": project.get_stage_display(), "progress": progress,
            "budget": schemas.yuan(summary.budget), "raised": schemas.yuan(summary.raised),
            "spent": schemas.yuan(summary.spent),
            "residents_share_text": summary.residents_share_text}


@router.get("/board", response={200: BoardOut, **STAFF_ERRORS},
            summary="年度改造一览（工作人员）/ the year's board of my area")
def board(request: HttpRequest, year: int | None = YEAR):
    user = request.auth
    _require_staff(user)
    year = year or timezone.localdate().year
    return board_body(selectors.projects_of_year(user, year), year)
