"""JSON API of the case ledger (诉求件): report, list, read and work cases.

Reads go through ``selectors.cases_visible_to``: a case the caller may not see answers 404,
exactly as if it did not exist; a case they see but may not act on answers 403. Every
action sends the ``expected_version`` the caller last read; a case that moved on meanwhile
answers 409 and nothing changes.
"""

import base64
import binascii
import json
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Path, Query, Router, Schema
from ninja import Status as Reply

from gongzhi.accounts.models import Organisation, User
from gongzhi.areas.models import AreaNode
from gongzhi.areas.selectors import area_by_code, public_building, smallest_grid_at
from gongzhi.cases import actions, selectors
from gongzhi.cases.actions import CaseConflict
from gongzhi.cases.models import OPEN_STATUSES, Case, Category, ExtensionStatus, Source
from gongzhi.cases.permissions import is_case_staff, is_reporter
from gongzhi.cases.selectors import deadline_q
from gongzhi.core.api import (
    AUTH_ERRORS,
    ERRORS,
    ApiError,
    ErrorOut,
    forbidden,
    validation_body,
)
from gongzhi.core.masking import mask_phone
from gongzhi.core.permissions import Perm, can

router = Router()

ACT_ERRORS = {**ERRORS, 403: ErrorOut, 409: ErrorOut}
SUBMIT_ERRORS = {**AUTH_ERRORS, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut}
CASE_ID = Path(..., ge=1, le=2**63 - 1, description="诉求件 ID / case id")
# Sources the API accepts: its own, or what staff take down by phone, visit or patrol.
ApiSource = Literal["api", "hotline", "visit", "door_to_door", "patrol", "deputy_station"]


# --- schemas -----------------------------------------------------------------------------


class Ref(Schema):
    code: str
    name: str


class AreaRef(Ref):
    kind: str


class OrgRef(Ref):
    kind: str


class CaseSummaryOut(Schema):
    id: int
    reference: str = Field(description="受理编号 / reference shown to residents")
    title: str
    status: str
    status_label: str
    category: Ref | None
    source: str
    source_label: str
    priority: str
    area: AreaRef
    created_at: datetime
    resolution_due: datetime | None
    deadline_state: str = Field(description="overdue / due_soon / on_time / closed")
    version: int


class EventOut(Schema):
    kind: str
    kind_label: str
    created_at: datetime
    actor: str | None
    note: str
    is_internal: bool
    from_status: str
    to_status: str


class ExtensionOut(Schema):
    id: int
    workdays: int
    reason: str
    requested_by: str
    requested_at: datetime


class CaseOut(CaseSummaryOut):
    description: str
    handling_area: AreaRef
    address: str
    lat: float | None
    lng: float | None
    reporter_name: str
    reporter_phone: str = Field(description="未获授权时脱敏 / masked unless entitled")
    phone_masked: bool
    assignee: str | None
    assignee_org: OrgRef | None
    response_due: datetime | None
    accepted_at: datetime | None
    dispatched_at: datetime | None
    responded_at: datetime | None
    resolved_at: datetime | None
    archived_at: datetime | None
    result: str
    rejection_reason: str
    rating: str
    rating_comment: str
    reopen_count: int
    merged_into: int | None
    five_questions: dict[str, str] | None = Field(description="五问，仅工作人员 / staff only")
    pending_extension: ExtensionOut | None = Field(
        description="待审批的延期申请，仅工作人员 / pending extension, staff only")
    timeline: list[EventOut]


class CasePage(Schema):
    items: list[CaseSummaryOut]
    next_cursor: str | None = Field(description="下一页游标，无则为 null / null on the last page")


class SubmitIn(Schema):
    title: str = Field(..., max_length=100)
    description: str = Field(..., max_length=5000)
    area: str | None = Field(None, max_length=64,
                             description="区域编码；缺省时按坐标定位网格 / area code, else lat/lng")
    category: str | None = Field(None, max_length=32, description="分类编码 / category code")
    priority: Literal["normal", "urgent"] = "normal"
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    address: str = Field("", max_length=200)
    source: ApiSource = Field("api", description="工作人员代录时可填热线、来访等 / staff entry")
    reporter_name: str = Field("", max_length=50)
    reporter_phone: str = Field("", max_length=20)
    is_anonymous: bool = False


class VersionIn(Schema):
    expected_version: int = Field(..., ge=1, description="读取时的 version / version last read")


class AcceptIn(VersionIn):
    category: str = Field(..., max_length=32)
    priority: Literal["normal", "urgent"] | None = None
    note: str = Field("", max_length=500)


class RejectIn(VersionIn):
    reason: str = Field(..., max_length=200)


class DispatchIn(VersionIn):
    to_user: str | None = Field(None, max_length=150, description="承办人用户名 / username")
    to_org: str | None = Field(None, max_length=64,
                               description="承办单位编码；都不填则按派单规则 / else routing")
    note: str = Field("", max_length=500)


class NoteIn(VersionIn):
    note: str = Field("", max_length=500)


class ResolveIn(VersionIn):
    result: str = Field(..., max_length=5000)


class RateIn(VersionIn):
    rating: Literal["satisfied", "basic", "unsatisfied"]
    comment: str = Field("", max_length=500)
    access_token: str | None = Field(None, max_length=64,
                                     description="匿名反映人的查询令牌 / anonymous reporter's")


class ReasonIn(VersionIn):
    reason: str = Field(..., max_length=500)


class ForwardIn(ReasonIn):
    to_org: str = Field(..., max_length=64, description="承办单位编码 / organisation code")


# --- output ------------------------------------------------------------------------------


def _area(node: AreaNode) -> dict:
    return {"code": node.code, "name": node.name, "kind": node.kind}


def _summary(case: Case, now: datetime) -> dict:
    return {
        "id": case.pk, "reference": case.reference, "title": case.title,
        "status": case.status, "status_label": str(case.get_status_display()),
        "category": {"code": case.category.code, "name": case.category.name}
        if case.category_id else None,
        "source": case.source, "source_label": str(case.get_source_display()),
        "priority": case.priority, "area": _area(case.area), "created_at": case.created_at,
        "resolution_due": case.resolution_due,
        "deadline_state": selectors.deadline_state(case, now), "version": case.version,
    }


def _event(event) -> dict:
    return {
        "kind": event.kind, "kind_label": str(event.get_kind_display()),
        "created_at": event.created_at,
        "actor": event.actor.display_name if event.actor_id else None,
        "note": event.note, "is_internal": event.is_internal,
        "from_status": event.from_status, "to_status": event.to_status,
    }


def case_out(user, case: Case) -> dict:
    """The case as ``user`` may see it: personal data masked, internal notes for staff."""
    entitled = can(user, Perm.VIEW_PERSONAL_DATA, case) or is_reporter(user, case)
    staff = is_case_staff(user, case)
    if case.is_anonymous and not entitled:
        name = _("匿名")
    else:
        name = case.reporter_name or (case.reporter.display_name if case.reporter_id else "")
    org = case.assignee_org
    return {
        **_summary(case, timezone.now()),
        "description": case.description, "handling_area": _area(case.handling_area),
        "address": case.address, "lat": case.lat, "lng": case.lng,
        "reporter_name": name,
        "reporter_phone": case.reporter_phone if entitled else mask_phone(case.reporter_phone),
        "phone_masked": not entitled and bool(case.reporter_phone),
        "assignee": case.assignee.display_name if case.assignee_id else None,
        "assignee_org": {"code": org.code, "name": org.name, "kind": org.kind} if org else None,
        **{f: getattr(case, f) for f in (
            "response_due", "accepted_at", "dispatched_at", "responded_at", "resolved_at",
            "archived_at", "result", "rejection_reason", "rating", "rating_comment",
            "reopen_count")},
        "merged_into": case.merged_into_id,
        "five_questions": {f: getattr(case, f) for f in actions.FIVE_QUESTIONS}
        if staff else None,
        "pending_extension": _pending_extension(case) if staff else None,
        "timeline": [_event(e) for e in selectors.timeline(case, user)],
    }


def _pending_extension(case: Case) -> dict | None:
    pending = (case.extensions.filter(status=ExtensionStatus.PENDING)
               .select_related("requested_by").first())
    if pending is None:
        return None
    return {"id": pending.pk, "workdays": pending.workdays, "reason": pending.reason,
            "requested_by": pending.requested_by.display_name,
            "requested_at": pending.requested_at}


# --- lookups and errors ------------------------------------------------------------------


def case_not_found() -> ApiError:
    return ApiError(404, _("未找到该诉求件"), "case not found", "not_found")


def _invalid(field: str, detail: str, detail_en: str) -> Reply:
    return Reply(422, {"detail": detail, "detail_en": detail_en, "code": "invalid",
                       "errors": [{"loc": ["body", field], "msg": detail, "type": "invalid"}]})



def _conflict(case_id: int) -> Reply:
    current = Case.objects.filter(pk=case_id).values_list("version", flat=True).first()
    return Reply(409, {
        "detail": _("该诉求件已被他人处理，请刷新后再试"),
        "detail_en": "this case was changed by someone else; reload it and try again",
        "code": "conflict", "errors": [{"loc": ["body", "expected_version"],
                                        "msg": f"current version {current}", "type": "stale"}],
    })


def _key_reused() -> ApiError:
    return ApiError(409, _("该幂等键已被使用，请换一个"), "idempotency key already used",
                    "idempotency_key_reused")


def visible_case(user, case_id: int) -> Case | None:
    return (selectors.cases_visible_to(user).filter(pk=case_id)
            .select_related("area", "category", "handling_area", "assignee", "assignee_org",
                            "reporter").first())


def category_by_code(code: str) -> Category | None:
    return Category.objects.filter(code=code, is_active=True).first()


def org_by_code(code: str) -> Organisation | None:
    return Organisation.objects.filter(code=code, is_active=True).first()


def act_on_case(request: HttpRequest, case_id: int, run: Callable[[Case], object],
         case: Case | None = None):
    """Run an action on a visible case and answer with the case, or the matching error."""
    user = request.auth
    case = case or visible_case(user, case_id)
    if case is None:
        raise case_not_found()
    try:
        run(case)
    except CaseConflict:
        return _conflict(case_id)
    except ValidationError as exc:
        return Reply(422, validation_body(exc))
    except PermissionDenied as exc:
        raise forbidden(exc) from None
    # Read again without the scope: a handler who forwarded the case may no longer see it,
    # yet is told the outcome of what they just did.
    fresh = Case.objects.select_related("area", "category", "handling_area", "assignee",
                                        "assignee_org", "reporter").get(pk=case_id)
    return Reply(200, case_out(user, fresh))


# --- cursors: base64 of [created_at, id] of the last row ---------------------------------


def encode_cursor(case: Case) -> str:
    raw = json.dumps([case.created_at.isoformat(), case.pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        when, pk = json.loads(raw)
        when = datetime.fromisoformat(when)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise _bad_cursor() from None
    if type(pk) is not int or timezone.is_naive(when):
        raise _bad_cursor()
    return when, pk


def _bad_cursor() -> ApiError:
    return ApiError(422, _("分页游标无效"), "invalid cursor", "invalid_cursor")


# --- endpoints ---------------------------------------------------------------------------


@router.post("/", response={200: CaseOut, 201: CaseOut, **SUBMIT_ERRORS},
             summary="反映问题 / submit a case")
def submit(request: HttpRequest, body: SubmitIn,
           idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=64)):
    user = request.auth
    if body.area:
        area = area_by_code(user, body.area) or public_building(body.area)
        if area is None:
            return _invalid("area", _("未找到该区域"), "area not found")
    elif body.lat is not None and body.lng is not None:
        area = smallest_grid_at(body.lng, body.lat)
        if area is None:
            return _invalid("area", _("该位置不在任何网格内"), "no grid at this point")
    else:
        return _invalid("area", _("请填写区域编码或坐标"), "give an area code or lat/lng")
    category = None
    if body.category:
        category = category_by_code(body.category)
        if category is None:
            return _invalid("category", _("未知的问题分类"), "unknown category")
    key = (idempotency_key or "").strip() or None
    seen = key is not None and Case.objects.filter(idempotency_key=key).exists()
    try:
        case = actions.submit_case(
            title=body.title, description=body.description, area=area, source=body.source,
            acting_user=user, reporter_name=body.reporter_name,
            reporter_phone=body.reporter_phone, is_anonymous=body.is_anonymous,
            priority=body.priority, category=category, address=body.address, lat=body.lat,
            lng=body.lng, idempotency_key=key)
    except ValidationError as exc:
        if "idempotency_key" in getattr(exc, "error_dict", {}):  # someone else's key
            raise _key_reused() from None
        return Reply(422, validation_body(exc))
    except PermissionDenied:
        raise ApiError(403, _("您无权在该区域录入诉求"), "you may not enter cases for this area",
                       "forbidden") from None
    fresh = visible_case(user, case.pk)
    if fresh is None:  # the key belongs to someone else's case: reveal nothing of it
        raise _key_reused()
    return Reply(200 if seen else 201, case_out(user, fresh))


@router.get("/", response={200: CasePage, **ERRORS}, summary="诉求件列表 / cases I may see")
def case_list(
    request: HttpRequest,
    status: Literal["open", "submitted", "accepted", "dispatched", "in_progress", "escalated",
                    "resolved", "archived", "rejected", "merged"] | None = Query(
        None, description="状态，open 为全部未办结 / status"),
    category: str | None = Query(None, max_length=32, description="分类或分类组编码"),
    area: str | None = Query(None, max_length=64, description="区域编码（含下级）"),
    source: str | None = Query(None, max_length=16, description="来源 / source"),
    overdue: bool | None = Query(None, description="true 仅超期；false 排除超期"),
    cursor: str | None = Query(None, max_length=200, description="上一页的 next_cursor"),
    limit: int = Query(50, ge=1, le=200, description="每页条数 / page size (1–200)"),
):
    user = request.auth
    now = timezone.now()
    # Staff and handlers list the cases they work on; residents, their own.
    cases = (selectors.working_cases(user) if selectors.works_on_cases(user)
             else selectors.own_cases(user))
    if status == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif status:
        cases = cases.filter(status=status)
    if category:
        cases = cases.filter(Q(category__code=category) | Q(category__parent__code=category))
    if area:
        node = area_by_code(user, area)
        if node is None:
            raise ApiError(404, _("未找到该区域"), "area not found", "not_found")
        cases = cases.filter(selectors.in_area(node.path))
    if source:
        if source not in Source.values:
            raise ApiError(422, _("未知的来源渠道"), "unknown source", "invalid")
        cases = cases.filter(source=source)
    if overdue is not None:
        cases = cases.filter(deadline_q("overdue", now)) if overdue else cases.exclude(
            deadline_q("overdue", now))
    cases = cases.order_by("-created_at", "-id")
    if cursor:
        when, pk = decode_cursor(cursor)
        cases = cases.filter(created_at__lte=when).filter(
            Q(created_at__lt=when) | Q(created_at=when, pk__lt=pk))
    rows = list(cases.select_related("area", "category")[:limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": [_summary(c, now) for c in rows],
            "next_cursor": encode_cursor(rows[-1]) if more else None}


@router.get("/{id}", response={200: CaseOut, **ERRORS}, summary="诉求件详情 / one case")
def case_detail(request: HttpRequest, id: int = CASE_ID):
    case = visible_case(request.auth, id)
    if case is None:
        raise case_not_found()
    return case_out(request.auth, case)


@router.post("/{id}/accept", response={200: CaseOut, **ACT_ERRORS}, summary="受理 / accept")
def accept(request: HttpRequest, body: AcceptIn, id: int = CASE_ID):
    def run(case: Case):
        category = category_by_code(body.category)
        if category is None:
            raise ValidationError({"category": _("请选择有效的问题分类")})
        actions.accept_case(case=case, category=category, priority=body.priority,
                            note=body.note, acting_user=request.auth,
                            expected_version=body.expected_version)
    return act_on_case(request, id, run)


@router.post("/{id}/reject", response={200: CaseOut, **ACT_ERRORS},
             summary="不予受理 / reject")
def reject(request: HttpRequest, body: RejectIn, id: int = CASE_ID):
    return act_on_case(request, id, lambda case: actions.reject_case(
        case=case, reason=body.reason, acting_user=request.auth,
        expected_version=body.expected_version))


@router.post("/{id}/dispatch", response={200: CaseOut, **ACT_ERRORS}, summary="派单 / dispatch")
def dispatch(request: HttpRequest, body: DispatchIn, id: int = CASE_ID):
    def run(case: Case):
        to_user = to_org = None
        if body.to_user:
            to_user = User.objects.filter(username=body.to_user, is_active=True).first()
            if to_user is None:
                raise ValidationError({"to_user": _("未找到该承办人")})
        if body.to_org:
            to_org = org_by_code(body.to_org)
            if to_org is None:
                raise ValidationError({"to_org": _("未找到该承办单位")})
        actions.dispatch_case(case=case, to_user=to_user, to_org=to_org, note=body.note,
                              acting_user=request.auth, expected_version=body.expected_version)
    return act_on_case(request, id, run)


@router.post("/{id}/start", response={200: CaseOut, **ACT_ERRORS}, summary="开始办理 / start")
def start(request: HttpRequest, body: NoteIn, id: int = CASE_ID):
    return act_on_case(request, id, lambda case: actions.start_case(
        case=case, note=body.note, acting_user=request.auth,
        expected_version=body.expected_version))


@router.post("/{id}/resolve", response={200: CaseOut, **ACT_ERRORS}, summary="办结 / resolve")
def resolve(request: HttpRequest, body: ResolveIn, id: int = CASE_ID):
    return act_on_case(request, id, lambda case: actions.resolve_case(
        case=case, result=body.result, acting_user=request.auth,
        expected_version=body.expected_version))


@router.post("/{id}/rate", response={200: CaseOut, **ACT_ERRORS}, summary="评价 / rate")
def rate(request: HttpRequest, body: RateIn, id: int = CASE_ID):
    case = visible_case(request.auth, id)
    if case is None and body.access_token:
        # The link an anonymous reporter was given also lets them rate while logged in.
        held = Case.objects.filter(pk=id).first()
        if held and secrets.compare_digest(body.access_token, held.access_token):
            case = held
    return act_on_case(request, id, lambda c: actions.rate_case(
        case=c, rating=body.rating, comment=body.comment, acting_user=request.auth,
        access_token=body.access_token, expected_version=body.expected_version), case)


@router.post("/{id}/escalate", response={200: CaseOut, **ACT_ERRORS},
             summary="上报上级（吹哨）/ escalate")
def escalate(request: HttpRequest, body: ReasonIn, id: int = CASE_ID):
    return act_on_case(request, id, lambda case: actions.escalate_case(
        case=case, reason=body.reason, acting_user=request.auth,
        expected_version=body.expected_version))


@router.post("/{id}/forward", response={200: CaseOut, **ACT_ERRORS}, summary="转办 / forward")
def forward(request: HttpRequest, body: ForwardIn, id: int = CASE_ID):
    def run(case: Case):
        to_org = org_by_code(body.to_org)
        if to_org is None:
            raise ValidationError({"to_org": _("未找到该承办单位")})
        actions.forward_case(case=case, to_org=to_org, reason=body.reason,
                             acting_user=request.auth, expected_version=body.expected_version)
    return act_on_case(request, id, run)

