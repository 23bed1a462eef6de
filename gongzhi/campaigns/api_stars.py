"""API of 十星级文明户, mounted under /api/campaigns/ (paths /stars/…): the criteria; the
assessments in my field-work area (grid workers, building heads, staff) with filters; one
assessment; assessing a household (a draft); the community's confirmation (which awards the
points once); my own household's stars.

An assessment or household outside my area answers 404; a step not mine to take 403
(assessing without field-work rights anywhere, a building head confirming); 409
``already_confirmed`` for an assessment confirmed before; 422 for bad input (no evidence,
an inactive criterion, a year other than this or last).
"""

from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja import Status as Reply

from gongzhi.campaigns import actions
from gongzhi.campaigns import selectors_stars as sel
from gongzhi.campaigns.api_schemas_stars import (
    AssessIn,
    AssessmentOut,
    AssessmentPage,
    CriterionOut,
    MyStarsOut,
    assessment_body,
    criterion_body,
)
from gongzhi.campaigns.models import AssessmentStatus, StarAssessment
from gongzhi.core.api import AUTH_ERRORS, ERRORS, ApiError, ErrorOut, run_action
from gongzhi.core.permissions import Perm, scope_paths

router = Router()

ID = Path(..., ge=1, le=2**63 - 1, description="ID")
LIMIT = Query(20, ge=1, le=100, description="每页条数 / page size (1–100)")
OFFSET = Query(0, ge=0, le=10**6, description="跳过条数 / rows to skip")
CHANGE_ERRORS = {**ERRORS, 403: ErrorOut, 409: ErrorOut}


def _assessment(user, pk: int) -> StarAssessment:
    row = sel.with_awards(sel.visible_assessments(user)).filter(pk=pk).first()
    if row is None:
        raise ApiError(404, _("未找到该评定"), "assessment not found", "not_found")
    return row


def _confirmed_already(pk: int):
    def conflict() -> tuple[str, str] | None:
        if StarAssessment.objects.filter(pk=pk, status=AssessmentStatus.CONFIRMED).exists():
            return "already_confirmed", "this assessment has been confirmed already"
        return None
    return conflict


@router.get("/stars/criteria", response={200: list[CriterionOut], **AUTH_ERRORS},
            summary="十星级文明户评定标准 / the criteria of the ten stars")
def criteria(request: HttpRequest):
    return [criterion_body(c) for c in sel.active_criteria()]


@router.get("/stars/assessments", response={200: AssessmentPage, **AUTH_ERRORS, 422: ErrorOut},
            summary="我负责区域的文明户评定 / assessments in my area")
def assessment_list(request: HttpRequest,
                    year: int | None = Query(None, ge=2000, le=2100, description="年度 / year"),
                    building: str | None = Query(None, max_length=64,
                                                 description="楼栋编码 / building code"),
                    status: Literal["draft", "confirmed"] | None = Query(
                        None, description="draft 待确认 / confirmed 已评定"),
                    limit: int = LIMIT, offset: int = OFFSET):
    """Empty for someone without field-work rights (residents read /stars/mine)."""
    rows = sel.visible_assessments(request.auth)
    if year:
        rows = rows.filter(year=year)
    if building:
        rows = rows.filter(household__building__code=building)
    if status:
        rows = rows.filter(status=status)
    rows = sel.with_awards(rows.order_by("-year", "area_path", "household__unit",
                                         "household__room", "pk"))
    return {"items": [assessment_body(a) for a in rows[offset:offset + limit]],
            "count": rows.count(), "limit": limit, "offset": offset}


@router.get("/stars/assessments/{id}", response={200: AssessmentOut, **ERRORS},
            summary="一户的文明户评定 / one assessment with its evidence")
def assessment_detail(request: HttpRequest, id: int = ID):
    return assessment_body(_assessment(request.auth, id))


@router.post("/stars/assessments", response={201: AssessmentOut, **CHANGE_ERRORS},
             summary="评定一户的文明户星级（网格员、楼栋长）/ assess a household")
def assess(request: HttpRequest, body: AssessIn):
    """201 with the draft for the community to confirm; a draft of the same year is
    replaced. 409 ``already_confirmed`` once the community confirmed that year; 404 for a
    household outside my area; 403 without field-work rights anywhere."""
    user = request.auth
    household = sel.field_household(user, body.household)
    if household is None:
        if not (user.is_superuser or scope_paths(user, Perm.INSPECT)):
            raise ApiError(403, _("您无权评定文明户星级"), "you may not assess households",
                           "forbidden")
        raise ApiError(404, _("未找到该住户"), "household not found", "not_found")
    awards: dict = {}
    for award in body.awards:
        awards[award.criterion] = award.evidence
    done: list[StarAssessment] = []

    def conflict() -> tuple[str, str] | None:
        if StarAssessment.objects.filter(household=household, year=body.year,
                                         status=AssessmentStatus.CONFIRMED).exists():
            return "already_confirmed", "this year's assessment has been confirmed already"
        return None

    refused = run_action(lambda: done.append(actions.assess_household(
        household=household, year=body.year, awards=awards, note=body.note,
        acting_user=user)), conflict)
    return refused or Reply(201, assessment_body(_assessment(user, done[0].pk)))


@router.post("/stars/assessments/{id}/confirm", response={200: AssessmentOut, **CHANGE_ERRORS},
             summary="社区确认文明户评定并发放积分 / confirm an assessment, award the points")
def confirm(request: HttpRequest, id: int = ID):
    """200 with the confirmed assessment and its ``points_awarded``. 409
    ``already_confirmed`` the second time (no second award); 403 for anyone but the staff
    who run the area's campaigns."""
    user = request.auth
    assessment = _assessment(user, id)
    refused = run_action(lambda: actions.confirm_assessment(
        assessment=assessment, acting_user=user), _confirmed_already(id))
    return refused or assessment_body(_assessment(user, id))


@router.get("/stars/mine", response={200: MyStarsOut, **AUTH_ERRORS},
            summary="我家的文明户星级 / my household's stars by year")
def mine(request: HttpRequest):
    household = sel.my_household(request.auth)
    history = []
    if household is not None:
        history = [assessment_body(a) for a in sel.household_history(household)]
    return {"household": sel.address(household) if household else None,
            "assessments": history,
            "criteria": [criterion_body(c) for c in sel.active_criteria()]}
