"""JSON API of public notices (公示公告): read notices, lodge objections.

Reads go through ``selectors.public_notices``: a notice the caller may not read (drafts
included) answers 404, exactly as if it did not exist. Objections are public text; who
lodged one is never exposed (``mine`` tells callers which are their own).
"""

from datetime import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja import Status as Reply

from gongzhi.areas.selectors import area_by_code
from gongzhi.core.api import ERRORS, ApiError, ErrorOut, validation_body
from gongzhi.core.tree import subtree_q
from gongzhi.notices import actions, selectors
from gongzhi.notices.actions import MAX_OBJECTION
from gongzhi.notices.models import Notice, NoticeStatus, Objection

router = Router()

OBJECT_ERRORS = {**ERRORS, 403: ErrorOut}
NOTICE_ID = Path(..., ge=1, le=2**63 - 1, description="公示 ID / notice id")


# --- schemas -----------------------------------------------------------------------------


class AreaRef(Schema):
    code: str
    name: str
    kind: str


class NoticeSummaryOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    area: AreaRef
    status: str
    status_label: str
    state: str = Field(description="in_period 公示中 / ended 公示期满 / withdrawn 已撤回")
    state_label: str
    period_days: int
    published_at: datetime | None
    period_ends_at: datetime | None


class ObjectionOut(Schema):
    id: int
    text: str
    status: str
    status_label: str
    created_at: datetime
    answer: str
    answered_at: datetime | None
    mine: bool = Field(description="是否本人提出（不公开提出人）/ lodged by the caller")


class NoticeOut(NoticeSummaryOut):
    body: str
    withdrawn_at: datetime | None
    withdraw_reason: str
    may_object: bool = Field(description="调用者现在能否提出异议 / may the caller object now")
    objections: list[ObjectionOut]


class NoticePage(Schema):
    items: list[NoticeSummaryOut]
    count: int = Field(description="符合条件的总数 / total matching")
    next_offset: int | None = Field(description="下一页的 offset，无则为 null / null when last")


class ObjectionIn(Schema):
    text: str = Field(..., max_length=MAX_OBJECTION, description="异议内容 / objection text")


# --- output ------------------------------------------------------------------------------


def _summary(notice: Notice, now: datetime) -> dict:
    state = selectors.state(notice, now)
    area = notice.area
    return {
        "id": notice.pk, "kind": notice.kind, "kind_label": str(notice.get_kind_display()),
        "title": notice.title, "area": {"code": area.code, "name": area.name, "kind": area.kind},
        "status": notice.status, "status_label": str(notice.get_status_display()),
        "state": state, "state_label": str(selectors.STATE_LABELS[state]),
        "period_days": notice.period_days, "published_at": notice.published_at,
        "period_ends_at": notice.period_ends_at,
    }


def objection_out(user, objection: Objection) -> dict:
    return {
        "id": objection.pk, "text": objection.text, "status": objection.status,
        "status_label": str(objection.get_status_display()), "created_at": objection.created_at,
        "answer": objection.answer, "answered_at": objection.answered_at,
        "mine": objection.author_id == user.pk,
    }


def notice_out(user, notice: Notice) -> dict:
    return {
        **_summary(notice, timezone.now()), "body": notice.body,
        "withdrawn_at": notice.withdrawn_at, "withdraw_reason": notice.withdraw_reason,
        "may_object": actions.in_period(notice) and actions.may_object(user, notice),
        "objections": [objection_out(user, o) for o in selectors.objections_of(notice)],
    }


# --- errors ------------------------------------------------------------------------------


def notice_not_found() -> ApiError:
    return ApiError(404, _("未找到该公示"), "notice not found", "not_found")



def visible_notice(user, notice_id: int) -> Notice:
    notice = selectors.public_notices(user).filter(pk=notice_id).first()
    if notice is None:
        raise notice_not_found()
    return notice


# --- endpoints ---------------------------------------------------------------------------


@router.get("/", response={200: NoticePage, **ERRORS},
            summary="公示公告列表 / notices I may read")
def notice_list(
    request: HttpRequest,
    state: Literal["in_period", "ended", "withdrawn"] | None = Query(
        None, description="公示中、公示期满或已撤回 / state"),
    area: str | None = Query(None, max_length=64, description="区域编码（含下级）/ area code"),
    limit: int = Query(50, ge=1, le=200, description="每页条数 / page size (1–200)"),
    offset: int = Query(0, ge=0, le=100_000, description="跳过条数 / rows to skip"),
):
    user = request.auth
    now = timezone.now()
    notices = selectors.public_notices(user)
    if state == "withdrawn":
        notices = notices.filter(status=NoticeStatus.WITHDRAWN)
    elif state == "in_period":
        notices = notices.filter(status=NoticeStatus.PUBLISHED, period_ends_at__gte=now)
    elif state == "ended":
        notices = notices.filter(status=NoticeStatus.PUBLISHED, period_ends_at__lt=now)
    if area:
        node = area_by_code(user, area)
        if node is None:
            raise ApiError(404, _("未找到该区域"), "area not found", "not_found")
        notices = notices.filter(subtree_q(node.path, "area_path"))
    count = notices.count()
    rows = list(notices[offset:offset + limit])
    return {"items": [_summary(n, now) for n in rows], "count": count,
            "next_offset": offset + limit if offset + limit < count else None}


@router.get("/{id}", response={200: NoticeOut, **ERRORS},
            summary="公示详情与异议 / one notice with its objections")
def notice_detail(request: HttpRequest, id: int = NOTICE_ID):
    return notice_out(request.auth, visible_notice(request.auth, id))


@router.post("/{id}/objections", response={200: ObjectionOut, 201: ObjectionOut,
                                           **OBJECT_ERRORS},
             summary="提出异议 / lodge an objection (200: the same one was lodged already)")
def lodge(request: HttpRequest, body: ObjectionIn, id: int = NOTICE_ID):
    user = request.auth
    notice = visible_notice(user, id)
    same = selectors.existing_objection(notice, user, body.text)
    if same is not None:  # a retried request: the objection is on record already
        return Reply(200, objection_out(user, same))
    try:
        objection = actions.lodge_objection(notice=notice, text=body.text, acting_user=user)
    except PermissionDenied:
        raise ApiError(403, _("只有公示范围内的居民可以提出异议"),
                       "only residents of the notice's area may object", "forbidden") from None
    except ValidationError as exc:
        if not hasattr(exc, "error_dict") and not actions.in_period(notice):
            raise ApiError(422, _("不在公示期内，不能提出异议"),
                           "the notice period is over", "not_in_period") from None
        return Reply(422, validation_body(exc))
    return Reply(201, objection_out(user, objection))
