"""JSON API of volunteering (志愿服务): the service menu, the four orders (四单: 点单 →
派单 → 接单 → 评单), micro-wishes, activities with their waiting list, and the
volunteer's card (hours, stars, points, time-bank units).

An order is seen by whoever it concerns: the resident who ordered it, the volunteer it
was dispatched to or who took it, the members of the team it was sent to, and the staff
of its area; volunteers also see the open board (待认领) of their community. Anything
else answers 404, as if it did not exist. Every change is one of
``gongzhi.volunteering.actions``; their refusals answer 403 (not yours to do), 409
(already done, or taken by someone else) or 422 (bad input). Staff dispatch orders and
run activities from the console, not from here.
"""

from collections.abc import Callable
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja import Status as Reply

from gongzhi.areas.models import AreaNode
from gongzhi.core.api import (
    AUTH_ERRORS,
    ERRORS,
    ApiError,
    ErrorOut,
    forbidden,
    run_action,
    validation_body,
)
from gongzhi.core.permissions import Perm, can
from gongzhi.volunteering import selectors
from gongzhi.volunteering.actions import activities as activity_actions
from gongzhi.volunteering.actions import orders as order_actions
from gongzhi.volunteering.api_schemas import (
    ActivityPage,
    CardOut,
    CompleteIn,
    MenuOut,
    OrderIn,
    OrderOut,
    OrderPage,
    RateIn,
    ReasonIn,
    SignupOut,
    WishIn,
    activity_body,
    card_body,
    counted,
    menu_item_body,
    order_body,
    order_summary,
    signup_body,
)
from gongzhi.volunteering.models import (
    Activity,
    ActivitySignup,
    OrderStatus,
    ServiceItem,
    ServiceOrder,
    SignupStatus,
)

router = Router()

S = OrderStatus
ID = Path(..., ge=1, le=2**63 - 1, description="ID")
LIMIT = Query(20, ge=1, le=100, description="每页条数 / page size (1–100)")
OFFSET = Query(0, ge=0, le=10**6, description="跳过条数 / rows to skip")
CREATE_ERRORS = {**AUTH_ERRORS, 403: ErrorOut, 422: ErrorOut}
STEP_ERRORS = {**ERRORS, 403: ErrorOut, 409: ErrorOut}
ORDER_RELATED = ("item", "area", "requester", "team", "volunteer__user")


# --- who sees what (selectors decide; here only the answers) ------------------------------


def _order(user, pk: int, *, to_claim: bool = False) -> ServiceOrder:
    order = selectors.order_seen_by(user, pk, to_claim=to_claim)
    if order is None:
        raise ApiError(404, _("未找到该订单"), "order not found", "not_found")
    return order


def _activity(user, pk: int) -> Activity:
    if selectors.volunteer_of(user) is None:  # the action's own words: register first
        raise ApiError(403, _("请先注册成为志愿者"), "register as a volunteer first",
                       "not_a_volunteer")
    activity = selectors.activities_seen_by(user).filter(pk=pk).first()
    if activity is None:
        raise ApiError(404, _("未找到该活动"), "activity not found", "not_found")
    return activity


# --- rows as JSON ------------------------------------------------------------------------


def _next_steps(user, order: ServiceOrder) -> list[str]:
    """What the caller may do now (a hint for clients; the actions decide)."""
    takes = order.volunteer_id and order.volunteer.user_id == user.pk
    in_team = selectors.in_team(user, order)
    staff = can(user, Perm.MANAGE_VOLUNTEERS, order.area_path)
    mine = order.requester_id == user.pk
    steps = []
    if order.status == S.OPEN and not mine and selectors.on_board_of(user, order):
        steps.append("claim")
    if order.status == S.DISPATCHED and (takes or in_team):
        steps += ["accept", "decline"]
    if order.status == S.ACCEPTED and takes:
        steps += ["decline", "complete"]
    if order.status == S.DONE and mine:
        steps.append("rate")
    if (mine and order.status in order_actions.UNTAKEN) or (
            staff and order.status in (*order_actions.UNTAKEN, S.ACCEPTED)):
        steps.append("cancel")
    return steps


def order_out(user, order: ServiceOrder) -> dict:
    return order_body(order, user, _next_steps(user, order))


def page_of(queryset: QuerySet, limit: int, offset: int, out: Callable) -> dict:
    rows = queryset[offset:offset + limit]
    return {"items": [out(r) for r in rows], "count": queryset.count(), "limit": limit,
            "offset": offset}


# --- errors ------------------------------------------------------------------------------


def invalid(exc: ValidationError) -> Reply:
    return Reply(422, validation_body(exc))


def fresh_order(pk: int) -> ServiceOrder:
    # Without the scope: whoever just gave an order back still hears how it stands.
    return ServiceOrder.objects.select_related(*ORDER_RELATED).get(pk=pk)


def _taken(user, pk: int, yours: str) -> tuple[str, str] | None:
    order = fresh_order(pk)
    if order.status not in (S.ACCEPTED, S.DONE, S.RATED):
        return None
    if order.volunteer_id and order.volunteer.user_id == user.pk:
        return yours, "you have taken this order already"
    if selectors.volunteer_of(user, active=True) is None:
        return None  # refused for who the caller is, not for the order being taken
    return "taken", "another volunteer has taken this order"


def _status_is(pk: int, statuses: tuple, code: str, detail_en: str):
    return lambda: (code, detail_en) if fresh_order(pk).status in statuses else None


def _step(request: HttpRequest, order: ServiceOrder, run: Callable[[], object],
          conflict: Callable[[], tuple[str, str] | None] = lambda: None):
    refused = run_action(run, conflict)
    return refused or order_out(request.auth, fresh_order(order.pk))


# --- menu and ordering -------------------------------------------------------------------


@router.get("/menu", response={200: MenuOut, **AUTH_ERRORS, 422: ErrorOut},
            summary="服务菜单（可点单项目）/ the menu serving my home")
def menu(request: HttpRequest,
         library: str | None = Query(None, max_length=16, description="项目库 / library")):
    items = selectors.menu_for(request.auth)
    if library:
        items = items.filter(library=library)
    return {"items": [menu_item_body(i) for i in items]}


def _place(body) -> AreaNode | None:
    if not body.area:
        return None
    node = AreaNode.objects.filter(code=body.area).first()
    if node is None:
        raise ValidationError({"area": _("未找到该服务地点")})
    return node


@router.post("/orders", response={201: OrderOut, **CREATE_ERRORS},
             summary="点单 / order an item of the menu")
def place_order(request: HttpRequest, body: OrderIn):
    user = request.auth
    try:
        item = ServiceItem.objects.filter(pk=body.item).first()
        if item is None:
            raise ValidationError({"item": _("未找到该服务项目")})
        order = order_actions.place_order(item=item, description=body.description,
                                          area=_place(body), acting_user=user)
    except PermissionDenied as exc:
        raise forbidden(exc) from None
    except ValidationError as exc:
        return invalid(exc)
    return Reply(201, order_out(user, fresh_order(order.pk)))


@router.post("/wishes", response={201: OrderOut, **CREATE_ERRORS},
             summary="发布微心愿 / post a micro-wish to the open board")
def post_wish(request: HttpRequest, body: WishIn):
    user = request.auth
    try:
        order = order_actions.post_wish(title=body.title, description=body.description,
                                        area=_place(body), acting_user=user)
    except PermissionDenied as exc:
        raise forbidden(exc) from None
    except ValidationError as exc:
        return invalid(exc)
    return Reply(201, order_out(user, fresh_order(order.pk)))


@router.get("/orders", response={200: OrderPage, **AUTH_ERRORS, 422: ErrorOut},
            summary="我的订单（点单人或志愿者）/ my orders, as resident or as volunteer")
def order_list(request: HttpRequest,
               role: Literal["resident", "volunteer"] = Query(
                   "resident", alias="as",
                   description="resident 我点的单 / volunteer 派给我或我接的单"),
               status: Literal["ordered", "open", "dispatched", "accepted", "done", "rated",
                               "cancelled"] | None = Query(None, description="状态 / status"),
               limit: int = LIMIT, offset: int = OFFSET):
    user = request.auth
    orders = (selectors.volunteer_orders(user) if role == "volunteer"
              else selectors.resident_orders(user))
    if status:
        orders = orders.filter(status=status)
    return page_of(orders.order_by("-created_at", "-id"), limit, offset, order_summary)


@router.get("/orders/{id}", response={200: OrderOut, **ERRORS},
            summary="订单详情与进程 / one order with its timeline")
def order_detail(request: HttpRequest, id: int = ID):
    return order_out(request.auth, _order(request.auth, id))


@router.get("/board", response={200: OrderPage, **AUTH_ERRORS, 422: ErrorOut},
            summary="待认领需求（志愿者）/ the open board of my community")
def board(request: HttpRequest, limit: int = LIMIT, offset: int = OFFSET):
    return page_of(selectors.open_board(request.auth), limit, offset, order_summary)


# --- order steps -------------------------------------------------------------------------


@router.post("/orders/{id}/claim", response={200: OrderOut, **STEP_ERRORS},
             summary="认领（待认领需求）/ claim an order of the open board")
def claim(request: HttpRequest, id: int = ID):
    """409 ``taken`` when another volunteer was first, ``already_claimed`` when it is
    yours already."""
    user = request.auth
    order = _order(user, id, to_claim=True)
    return _step(request, order,
                 lambda: order_actions.claim_order(order=order, acting_user=user),
                 lambda: _taken(user, id, "already_claimed"))


@router.post("/orders/{id}/accept", response={200: OrderOut, **STEP_ERRORS},
             summary="接单（派给我或我的队伍）/ accept an order dispatched to me or my team")
def accept(request: HttpRequest, id: int = ID):
    """409 ``taken`` when a team-mate accepted first, ``already_accepted`` when you did."""
    user = request.auth
    order = _order(user, id)
    return _step(request, order,
                 lambda: order_actions.accept_order(order=order, acting_user=user),
                 lambda: _taken(user, id, "already_accepted"))


@router.post("/orders/{id}/decline", response={200: OrderOut, **ERRORS, 403: ErrorOut},
             summary="退回订单 / give an order back to staff, with the reason")
def decline(request: HttpRequest, body: ReasonIn, id: int = ID):
    user = request.auth
    order = _order(user, id)
    return _step(request, order, lambda: order_actions.decline_order(
        order=order, reason=body.reason, acting_user=user))


@router.post("/orders/{id}/complete", response={200: OrderOut, **STEP_ERRORS},
             summary="完成服务并记录时长 / report it done with the hours served")
def complete(request: HttpRequest, body: CompleteIn, id: int = ID):
    """409 ``already_done`` when it was reported done before (hours are credited once)."""
    user = request.auth
    order = _order(user, id)
    return _step(request, order, lambda: order_actions.complete_order(
        order=order, hours=body.hours, report=body.report, acting_user=user),
        _status_is(id, (S.DONE, S.RATED), "already_done", "this order is done already"))


@router.post("/orders/{id}/rate", response={200: OrderOut, **STEP_ERRORS},
             summary="评价（点单人）/ rate the service, once")
def rate(request: HttpRequest, body: RateIn, id: int = ID):
    """409 ``already_rated`` on a second rating."""
    user = request.auth
    order = _order(user, id)
    return _step(request, order, lambda: order_actions.rate_order(
        order=order, rating=body.rating, comment=body.comment, acting_user=user),
        _status_is(id, (S.RATED,), "already_rated", "this order has been rated already"))


@router.post("/orders/{id}/cancel", response={200: OrderOut, **STEP_ERRORS},
             summary="取消订单 / cancel an order, with the reason")
def cancel(request: HttpRequest, body: ReasonIn, id: int = ID):
    """409 ``already_cancelled`` when it was cancelled before."""
    user = request.auth
    order = _order(user, id)
    return _step(request, order, lambda: order_actions.cancel_order(
        order=order, reason=body.reason, acting_user=user),
        _status_is(id, (S.CANCELLED,), "already_cancelled", "this order is cancelled already"))


# --- activities --------------------------------------------------------------------------


@router.get("/activities", response={200: ActivityPage, **AUTH_ERRORS, 422: ErrorOut},
            summary="可报名的志愿活动 / activities near me, soonest first")
def activity_list(request: HttpRequest, limit: int = LIMIT, offset: int = OFFSET):
    user = request.auth
    activities = counted(selectors.activities_near(user))
    rows = list(activities[offset:offset + limit])
    signups = {s.activity_id: s for s in selectors.signups_in(user, rows)}
    return {"items": [activity_body(a, signups.get(a.pk)) for a in rows],
            "count": activities.count(), "limit": limit, "offset": offset}


def _signup_conflict(user, pk: int, statuses: tuple, code: str, detail_en: str):
    def check() -> tuple[str, str] | None:
        activity = Activity.objects.get(pk=pk)
        if timezone.now() >= activity.starts_at:
            return None  # refused for the time, whatever the caller's place
        mine = selectors.signups_in(user, [activity], statuses).exists()
        return (code, detail_en) if mine else None
    return check


@router.post("/activities/{id}/signup", response={201: SignupOut, **STEP_ERRORS},
             summary="报名（满员则候补）/ sign up, or join the waiting list when full")
def signup(request: HttpRequest, id: int = ID):
    """201 with ``signed`` or ``waiting`` and the waiting position; 409
    ``already_signed_up`` when the caller has a place or waits already."""
    user = request.auth
    activity = _activity(user, id)
    done: list[ActivitySignup] = []
    refused = run_action(
        lambda: done.append(activity_actions.sign_up(activity=activity, acting_user=user)),
        _signup_conflict(user, id, (SignupStatus.SIGNED, SignupStatus.WAITING),
                         "already_signed_up", "you have signed up already"))
    return refused or Reply(201, signup_body(done[0]))


@router.post("/activities/{id}/cancel", response={200: SignupOut, **STEP_ERRORS},
             summary="取消报名 / withdraw (the first waiting moves up)")
def cancel_signup(request: HttpRequest, id: int = ID):
    """409 ``already_cancelled`` when the caller withdrew before."""
    user = request.auth
    activity = _activity(user, id)
    done: list[ActivitySignup] = []

    def conflict() -> tuple[str, str] | None:
        if selectors.signups_in(user, [activity]).exists():
            return None
        return _signup_conflict(user, id, (SignupStatus.CANCELLED,), "already_cancelled",
                                "you have withdrawn already")()

    refused = run_action(lambda: done.append(activity_actions.cancel_signup(activity=activity,
                                                                      acting_user=user)),
                   conflict)
    return refused or signup_body(done[0])


# --- the volunteer's card ----------------------------------------------------------------


@router.get("/me", response={200: CardOut, **AUTH_ERRORS},
            summary="我的志愿者卡：时长、星级、积分、时间银行 / my hours, stars, points, units")
def card(request: HttpRequest):
    user = request.auth
    return card_body(selectors.volunteer_of(user), selectors.balances(user))
