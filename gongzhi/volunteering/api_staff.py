"""Staff endpoints of the volunteering API (志愿服务 · 工作台), under /api/volunteering/manage/:
the orders of the caller's area and dispatching them (派单) or posting them to the open
board, publishing activities and confirming who came, the uncovered-shift report and the
hours rankings.

Only staff who manage volunteering somewhere (Perm.MANAGE_VOLUNTEERS) get in; anyone else
is 403. An order or activity outside the caller's area answers 404, as if it did not
exist. Every change is one of ``gongzhi.volunteering.actions``, its refusals mapped the
way ``gongzhi.volunteering.api`` maps them (403 / 409 / 422).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja import Status as Reply

from gongzhi.accounts.models import Organisation, OrgKind
from gongzhi.areas.models import AreaNode
from gongzhi.core.api import AUTH_ERRORS, ApiError, ErrorOut
from gongzhi.core.permissions import Perm, scope_paths, scope_q
from gongzhi.volunteering import selectors
from gongzhi.volunteering.actions import activities as activity_actions
from gongzhi.volunteering.actions import orders as order_actions
from gongzhi.volunteering.api import (
    CREATE_ERRORS,
    ID,
    LIMIT,
    OFFSET,
    ORDER_RELATED,
    STEP_ERRORS,
    forbidden,
    fresh_order,
    invalid,
    order_out,
    page_of,
    run_action,
)
from gongzhi.volunteering.api_schemas import (
    ActivityOut,
    AreaRef,
    OrderOut,
    OrderSummaryOut,
    Ref,
    activity_body,
    area_ref,
    counted,
    order_summary,
    ref,
    tenths,
)
from gongzhi.volunteering.models import Activity, OrderStatus, ServiceOrder, Volunteer

router = Router()

S = OrderStatus
LIST_ERRORS = {**AUTH_ERRORS, 403: ErrorOut, 422: ErrorOut}
FILTER_ERRORS = {**LIST_ERRORS, 404: ErrorOut}
ACT_ERRORS = {**AUTH_ERRORS, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
UNCOVERED_DAYS = 14  # the default window of the uncovered-shift report, as on the console
MAX_WINDOW_DAYS = 92  # a quarter at most: the report is a working list
FROM = Query(None, description="起始日期（含）/ from, included")
FROM_TODAY = Query(None, description="起始日期，默认今天 / from, today if not given")
TO = Query(None, description="截止日期（含）/ to, included")


# --- bodies ------------------------------------------------------------------------------


class ManagedOrderOut(OrderSummaryOut):
    flagged_at: datetime | None = Field(description="超时无人接单的提醒时间 / flagged as stale")


class ManagedOrderPage(Schema):
    items: list[ManagedOrderOut]
    count: int = Field(description="总条数 / rows in all")
    limit: int
    offset: int


class DispatchIn(Schema):
    team: str | None = Field(None, max_length=64, description="派给队伍（编码）/ team code")
    volunteer: int | None = Field(None, ge=1, le=2**63 - 1,
                                  description="或派给志愿者（ID）/ or a volunteer id")


class ActivityIn(Schema):
    title: str = Field(..., max_length=100, description="活动名称 / title")
    description: str = Field("", max_length=5000, description="活动说明 / details")
    area: str = Field(..., max_length=64, description="区域编码 / area code")
    place: str = Field(..., max_length=100, description="活动地点 / place")
    starts_at: datetime = Field(..., description="开始时间 / starts at")
    ends_at: datetime = Field(..., description="结束时间 / ends at")
    capacity: int = Field(..., description="人数上限（1–10000）/ places")
    hours: Decimal = Field(..., description="记录时长，0.5–24 小时 / hours credited")
    team: str | None = Field(None, max_length=64, description="组织队伍（编码）/ team code")


class AttendanceIn(Schema):
    present: list[int] = Field(..., max_length=10000,
                               description="到场志愿者 ID / ids of the volunteers who came")


class AttendanceOut(Schema):
    activity: int
    status: str = Field(description="confirmed 已确认时长")
    credited: int = Field(description="本次新记录时长的人数 / volunteers credited this time")
    credited_volunteers: list[int] = Field(description="本次新记录的志愿者 ID / their ids")


class ShiftOut(Schema):
    id: int
    title: str = Field(description="值守岗位 / duty")
    area: AreaRef
    place: str
    starts_at: datetime
    ends_at: datetime
    slots: int = Field(description="每班人数 / places")
    signed_count: int = Field(description="已排人数 / volunteers signed")
    missing: int = Field(description="缺员 / places still open")


class ShiftReport(Schema):
    start: date
    end: date
    items: list[ShiftOut]
    count: int
    missing: int = Field(description="缺员合计 / open places in all")


class RankedOut(Schema):
    rank: int
    volunteer: Ref
    area: AreaRef = Field(description="服务社区 / community served")
    period_hours: str = Field(description="期间服务时长 / hours in the period")
    total_hours: str = Field(description="累计服务时长 / hours in all")
    stars: int = Field(description="星级（按累计时长）/ star level from all-time hours")


class RankingOut(Schema):
    items: list[RankedOut]


# --- who gets in, and what they name -----------------------------------------------------


def manager(request: HttpRequest):
    """The caller, if they manage volunteering somewhere; else 403."""
    user = request.auth
    if not (user.is_superuser or scope_paths(user, Perm.MANAGE_VOLUNTEERS)):
        raise ApiError(403, _("您无权管理志愿服务"), "you do not manage volunteering",
                       "forbidden")
    return user


def _managed_order(user, pk: int) -> ServiceOrder:
    order = selectors.managed_orders(user).select_related(*ORDER_RELATED).filter(pk=pk).first()
    if order is None:
        raise ApiError(404, _("未找到该订单"), "order not found", "not_found")
    return order


def _managed_activity(user, pk: int) -> Activity:
    activity = selectors.managed_activities(user).filter(pk=pk).first()
    if activity is None:
        raise ApiError(404, _("未找到该活动"), "activity not found", "not_found")
    return activity


def _team(code: str | None) -> Organisation | None:
    """A volunteer team named in a body (whether it serves there is the action's rule)."""
    if not code:
        return None
    team = Organisation.objects.filter(code=code, kind=OrgKind.VOLUNTEER_TEAM).first()
    if team is None:
        raise ValidationError({"team": _("未找到该志愿服务队")})
    return team


def _area_filter(user, code: str | None) -> AreaNode | None:
    if not code:
        return None
    node = AreaNode.objects.filter(scope_q(user, Perm.MANAGE_VOLUNTEERS, "path"),
                                   code=code).first()
    if node is None:
        raise ApiError(404, _("未找到该区域"), "area not found", "not_found")
    return node


def _team_filter(user, code: str | None) -> Organisation | None:
    if not code:
        return None
    team = (Organisation.objects.filter(scope_q(user, Perm.MANAGE_VOLUNTEERS, "areas__path"),
                                        code=code, kind=OrgKind.VOLUNTEER_TEAM)
            .distinct().first())
    if team is None:
        raise ApiError(404, _("未找到该志愿服务队"), "team not found", "not_found")
    return team


def _bad_window(message: str) -> ApiError:
    return ApiError(422, message, "invalid date range", "invalid")


def _wrong_status(pk: int, allowed: tuple):
    """The 409 of a step refused because the order has moved on (asked after the refusal)."""
    def check() -> tuple[str, str] | None:
        if fresh_order(pk).status in allowed:
            return None
        return "wrong_status", "the order's status does not allow this step"
    return check


# --- orders ------------------------------------------------------------------------------


@router.get("/manage/orders", response={200: ManagedOrderPage, **LIST_ERRORS},
            summary="本区域订单（工作人员）/ the orders of my area, newest first")
def managed_orders(request: HttpRequest,
                   status: Literal["ordered", "open", "dispatched", "accepted", "done",
                                   "rated", "cancelled"] | None = Query(
                       None, description="状态 / status"),
                   flagged: bool = Query(False, description="仅超时仍无人接单 / stale only"),
                   limit: int = LIMIT, offset: int = OFFSET):
    user = manager(request)
    orders = selectors.managed_orders(user).select_related(*ORDER_RELATED)
    if status:
        orders = orders.filter(status=status)
    if flagged:
        orders = orders.filter(flagged_at__isnull=False, status__in=order_actions.UNTAKEN)
    return page_of(orders.order_by("-created_at", "-id"), limit, offset,
                 lambda o: order_summary(o) | {"flagged_at": o.flagged_at})


@router.post("/manage/orders/{id}/dispatch", response={200: OrderOut, **STEP_ERRORS},
             summary="派单：派给一支队伍或一名志愿者 / dispatch to a team or a volunteer")
def dispatch(request: HttpRequest, body: DispatchIn, id: int = ID):
    """409 ``wrong_status`` when the order is past dispatching (dispatched, taken, done …)."""
    user = manager(request)
    order = _managed_order(user, id)

    def run() -> None:
        volunteer = None
        if body.volunteer is not None:
            volunteer = Volunteer.objects.filter(pk=body.volunteer).first()
            if volunteer is None:
                raise ValidationError({"volunteer": _("未找到该志愿者")})
        order_actions.dispatch_order(order=order, team=_team(body.team), volunteer=volunteer,
                                     acting_user=user)

    refused = run_action(run, _wrong_status(id, (S.ORDERED, S.OPEN)))
    return refused or order_out(user, fresh_order(id))


@router.post("/manage/orders/{id}/board", response={200: OrderOut, **STEP_ERRORS},
             summary="发布到待认领需求 / put the order on the open board")
def board(request: HttpRequest, id: int = ID):
    """409 ``wrong_status`` when it is on the board already, or taken, done, cancelled."""
    user = manager(request)
    order = _managed_order(user, id)
    refused = run_action(lambda: order_actions.post_to_board(order=order, acting_user=user),
                   _wrong_status(id, (S.ORDERED, S.DISPATCHED)))
    return refused or order_out(user, fresh_order(id))


# --- activities --------------------------------------------------------------------------


@router.post("/manage/activities", response={201: ActivityOut, **CREATE_ERRORS},
             summary="发布志愿活动 / publish an activity")
def publish(request: HttpRequest, body: ActivityIn):
    user = manager(request)
    try:
        area = AreaNode.objects.filter(code=body.area).first()
        if area is None:
            raise ValidationError({"area": _("未找到该区域")})
        activity = activity_actions.publish_activity(
            title=body.title, description=body.description, area=area, place=body.place,
            starts_at=body.starts_at, ends_at=body.ends_at, capacity=body.capacity,
            hours=body.hours, team=_team(body.team), acting_user=user)
    except PermissionDenied as exc:
        raise forbidden(exc) from None
    except ValidationError as exc:
        return invalid(exc)
    return Reply(201, activity_body(counted(Activity.objects.filter(pk=activity.pk))
                                    .select_related("area", "team").get(), None))


@router.post("/manage/activities/{id}/attendance", response={200: AttendanceOut, **ACT_ERRORS},
             summary="确认到场并记录时长 / confirm who came; each is credited once")
def attendance(request: HttpRequest, body: AttendanceIn, id: int = ID):
    """Confirming again credits nobody twice (``credited`` is 0) and may add people missed."""
    user = manager(request)
    activity = _managed_activity(user, id)
    added: list = []

    def run() -> None:
        wanted = set(body.present)
        present = list(Volunteer.objects.filter(pk__in=wanted).select_related("user"))
        if len(present) != len(wanted):
            raise ValidationError({"present": _("未找到部分志愿者")})
        added.extend(activity_actions.confirm_attendance(activity=activity, present=present,
                                                         acting_user=user))

    refused = run_action(run, lambda: None)
    if refused:
        return refused
    return {"activity": activity.pk, "status": Activity.objects.get(pk=activity.pk).status,
            "credited": len(added), "credited_volunteers": [e.volunteer_id for e in added]}


# --- reports -----------------------------------------------------------------------------


@router.get("/manage/shifts/uncovered", response={200: ShiftReport, **LIST_ERRORS},
            summary="缺员值守班次 / shifts with places still open, by time")
def uncovered(request: HttpRequest,
              start: date | None = FROM_TODAY, end: date | None = TO):
    user = manager(request)
    start = start or timezone.localdate()
    end = end or start + timedelta(days=UNCOVERED_DAYS - 1)
    if end < start:
        raise _bad_window(_("结束日期不能早于开始日期"))
    if (end - start).days > MAX_WINDOW_DAYS:
        raise _bad_window(_("一次最多查询 %(n)d 天") % {"n": MAX_WINDOW_DAYS + 1})
    rows = [{"id": s.pk, "title": s.template.title, "area": area_ref(s.template.area),
             "place": s.template.place, "starts_at": s.starts_at, "ends_at": s.ends_at,
             "slots": s.slots, "signed_count": s.signed_count,
             "missing": s.slots - s.signed_count}
            for s in selectors.uncovered_shifts(user, start, end)]
    return {"start": start, "end": end, "items": rows, "count": len(rows),
            "missing": sum(r["missing"] for r in rows)}


@router.get("/manage/rankings", response={200: RankingOut, **FILTER_ERRORS},
            summary="服务时长排行 / volunteers by hours served in a period")
def rankings(request: HttpRequest,
             area: str | None = Query(None, max_length=64, description="区域编码 / area code"),
             team: str | None = Query(None, max_length=64, description="队伍编码 / team code"),
             start: date | None = FROM, end: date | None = TO,
             limit: int = Query(50, ge=1, le=100, description="条数 / rows (1–100)")):
    user = manager(request)
    if start and end and end < start:
        raise _bad_window(_("结束日期不能早于开始日期"))
    ranked = selectors.rankings(user, area=_area_filter(user, area),
                                team=_team_filter(user, team), start=start, end=end,
                                limit=limit)
    return {"items": [
        {"rank": i, "volunteer": ref(v, v.user.display_name), "area": area_ref(v.area),
         "period_hours": tenths(v.period_hours), "total_hours": tenths(v.total_hours),
         "stars": v.stars} for i, v in enumerate(ranked, 1)]}
