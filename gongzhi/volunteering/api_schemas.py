"""Request and response bodies of the volunteering API (gongzhi.volunteering.api), and
how rows become those bodies.

Hours and time-bank units are exact decimals, sent as text ("1.5"). Bilingual descriptions
(中文 / English) end up in the OpenAPI schema at /api/docs.
"""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.db.models import Count, Q, QuerySet
from ninja import Field, Schema

from gongzhi.areas.models import AreaNode
from gongzhi.volunteering.actions.ledger import STAR_THRESHOLDS
from gongzhi.volunteering.models import (
    Activity,
    ActivitySignup,
    ServiceItem,
    ServiceOrder,
    SignupStatus,
    Volunteer,
    VolunteerStatus,
)


class AreaRef(Schema):
    code: str
    name: str
    kind: str


class Ref(Schema):
    id: int
    name: str


class MenuItemOut(Schema):
    id: int = Field(description="点单时填写 / the item to order")
    library: str
    library_label: str = Field(description="项目库 / library")
    name: str
    description: str
    team: Ref | None = Field(description="提供服务的队伍 / the team offering it")
    usual_hours: str = Field(description="一般用时（小时）/ usual hours")
    area: AreaRef = Field(description="服务范围 / the area it serves")


class MenuOut(Schema):
    items: list[MenuItemOut]


class OrderSummaryOut(Schema):
    id: int
    kind: str = Field(description="menu 点单服务 / wish 微心愿")
    kind_label: str
    title: str
    status: str
    status_label: str
    area: AreaRef = Field(description="服务地点 / where the service is wanted")
    item: Ref | None = Field(description="服务项目 / menu item")
    requester: str = Field(description="点单人 / who ordered")
    team: Ref | None = Field(description="派给队伍 / dispatched to a team")
    volunteer: Ref | None = Field(description="志愿者 / the volunteer")
    created_at: datetime
    take_by: datetime = Field(description="接单期限 / to be taken by")
    hours: str | None = Field(description="服务时长（小时）/ hours served")
    rating: str = Field(description="satisfied / basic / unsatisfied, or empty")
    rating_label: str


class OrderPage(Schema):
    items: list[OrderSummaryOut]
    count: int = Field(description="总条数 / rows in all")
    limit: int
    offset: int


class EventOut(Schema):
    kind: str = Field(description="ordered, wished, dispatched, posted, claimed, accepted, "
                                  "declined, done, rated, cancelled, flagged")
    actor: str | None
    note: str
    created_at: datetime


class OrderOut(OrderSummaryOut):
    description: str
    report: str = Field(description="服务情况 / the volunteer's report")
    rating_comment: str
    dispatched_at: datetime | None
    accepted_at: datetime | None
    done_at: datetime | None
    rated_at: datetime | None
    mine: bool = Field(description="我点的单 / I ordered it")
    next_steps: list[str] = Field(
        description="我现在可以做的操作 / steps the caller may take now "
                    "(claim, accept, decline, complete, rate, cancel)")
    events: list[EventOut] = Field(description="订单进程 / the order's timeline")


class OrderIn(Schema):
    item: int = Field(..., ge=1, le=2**63 - 1, description="服务项目 ID / menu item id")
    description: str = Field("", max_length=2000, description="需求说明 / what is needed")
    area: str | None = Field(None, max_length=64,
                             description="服务地点编码，默认为住址 / place code, else my home")


class WishIn(Schema):
    title: str = Field(..., max_length=100, description="心愿 / the wish")
    description: str = Field("", max_length=2000, description="说明 / details")
    area: str | None = Field(None, max_length=64,
                             description="服务地点编码，默认为住址 / place code, else my home")


class ReasonIn(Schema):
    reason: str = Field(..., max_length=300, description="原因 / reason")


class CompleteIn(Schema):
    hours: Decimal = Field(..., description="服务时长，0.1–24 小时，一位小数 / hours served")
    report: str = Field(..., max_length=2000, description="服务情况 / what was done")


class RateIn(Schema):
    rating: Literal["satisfied", "basic", "unsatisfied"] = Field(
        ..., description="满意 / 基本满意 / 不满意")
    comment: str = Field("", max_length=300, description="评价意见，不满意时必填 / comment")


class ActivityOut(Schema):
    id: int
    title: str
    description: str
    area: AreaRef
    place: str
    starts_at: datetime
    ends_at: datetime
    team: Ref | None
    capacity: int = Field(description="人数上限 / places")
    hours: str = Field(description="记录时长（小时）/ hours credited")
    signed_count: int = Field(description="已报名人数 / places taken")
    waiting_count: int = Field(description="候补人数 / on the waiting list")
    my_status: str | None = Field(description="signed 已报名 / waiting 候补 / null")
    my_position: int | None = Field(description="我的候补顺位 / my place in the queue")


class ActivityPage(Schema):
    items: list[ActivityOut]
    count: int
    limit: int
    offset: int


class SignupOut(Schema):
    activity: int
    status: str = Field(description="signed 已报名 / waiting 候补 / cancelled 已取消")
    status_label: str
    position: int | None = Field(description="候补顺位（1 为下一个递补）/ waiting position")
    signed_count: int
    capacity: int


class VolunteerRef(Schema):
    id: int
    area: AreaRef = Field(description="服务社区 / the community served")
    status: str
    status_label: str
    is_party_member: bool
    skills: str
    registered_at: datetime


class CardOut(Schema):
    """Balances are sums of the ledgers' entries, never stored numbers."""

    volunteer: VolunteerRef | None = Field(description="未注册志愿者时为 null / null if none")
    hours: str | None = Field(description="累计服务时长 / hours served in all")
    stars: int | None = Field(description="星级（0–5）/ star level")
    next_star_hours: str | None = Field(description="下一星级所需时长 / hours for next star")
    hours_to_next_star: str | None = Field(description="距下一星级 / hours still to serve")
    points: int = Field(description="积分余额 / points balance")
    time_bank_units: str = Field(description="时间银行余额 / time-bank units")


# --- rows as these bodies --------------------------------------------------------------------


def area_ref(node: AreaNode) -> dict:
    return {"code": node.code, "name": node.name, "kind": node.kind}


def ref(row, name: str | None = None) -> dict | None:
    return None if row is None else {"id": row.pk, "name": name or str(row)}


def tenths(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.1")))


def menu_item_body(item: ServiceItem) -> dict:
    return {"id": item.pk, "library": item.library, "library_label": item.get_library_display(),
            "name": item.name, "description": item.description, "team": ref(item.team),
            "usual_hours": tenths(item.usual_hours), "area": area_ref(item.area)}


def order_summary(order: ServiceOrder) -> dict:
    volunteer = order.volunteer
    return {
        "id": order.pk, "kind": order.kind, "kind_label": order.get_kind_display(),
        "title": order.title, "status": order.status,
        "status_label": order.get_status_display(), "area": area_ref(order.area),
        "item": ref(order.item, order.item.name if order.item_id else None),
        "requester": order.requester.display_name, "team": ref(order.team),
        "volunteer": ref(volunteer, volunteer.user.display_name if volunteer else None),
        "created_at": order.created_at, "take_by": order.take_by,
        "hours": tenths(order.hours), "rating": order.rating,
        "rating_label": order.get_rating_display() if order.rating else "",
    }


def order_body(order: ServiceOrder, user, next_steps: list[str]) -> dict:
    events = order.events.select_related("actor").order_by("created_at", "id")
    return {
        **order_summary(order), "description": order.description, "report": order.report,
        "rating_comment": order.rating_comment, "dispatched_at": order.dispatched_at,
        "accepted_at": order.accepted_at, "done_at": order.done_at,
        "rated_at": order.rated_at, "mine": order.requester_id == user.pk,
        "next_steps": next_steps,
        "events": [{"kind": e.kind, "actor": e.actor.display_name if e.actor else None,
                    "note": e.note, "created_at": e.created_at} for e in events],
    }


def waiting_position(signup: ActivitySignup) -> int | None:
    """1 for the next to move up: the active volunteers waiting before, plus one (paused
    volunteers keep waiting but are passed over)."""
    if signup.status != SignupStatus.WAITING:
        return None
    ahead = ActivitySignup.objects.filter(
        Q(created_at__lt=signup.created_at) | Q(created_at=signup.created_at, id__lt=signup.pk),
        activity_id=signup.activity_id, status=SignupStatus.WAITING,
        volunteer__status=VolunteerStatus.ACTIVE)
    return ahead.count() + 1


def counted(queryset: QuerySet[Activity]) -> QuerySet[Activity]:
    """Activities with ``n_signed`` and ``n_waiting``, in the same query."""
    return queryset.annotate(
        n_signed=Count("signups", filter=Q(signups__status=SignupStatus.SIGNED)),
        n_waiting=Count("signups", filter=Q(signups__status=SignupStatus.WAITING)))


def activity_body(activity: Activity, signup: ActivitySignup | None) -> dict:
    """``activity`` comes from ``counted``; ``signup`` is the caller's live one, if any."""
    return {
        "id": activity.pk, "title": activity.title, "description": activity.description,
        "area": area_ref(activity.area), "place": activity.place,
        "starts_at": activity.starts_at, "ends_at": activity.ends_at,
        "team": ref(activity.team), "capacity": activity.capacity,
        "hours": tenths(activity.hours), "signed_count": activity.n_signed,
        "waiting_count": activity.n_waiting,
        "my_status": signup.status if signup is not None else None,
        "my_position": waiting_position(signup) if signup is not None else None,
    }


def signup_body(signup: ActivitySignup) -> dict:
    activity = signup.activity
    signed = activity.signups.filter(status=SignupStatus.SIGNED).count()
    return {"activity": activity.pk, "status": signup.status,
            "status_label": str(SignupStatus(signup.status).label),
            "position": waiting_position(signup), "signed_count": signed,
            "capacity": activity.capacity}


def card_body(volunteer: Volunteer | None, balance: dict) -> dict:
    """``balance`` is ``selectors.balances``: sums of the ledgers."""
    hours = balance["hours"]
    upcoming = next((t for t in STAR_THRESHOLDS if hours is not None and hours < t), None)
    return {
        "volunteer": None if volunteer is None else {
            "id": volunteer.pk, "area": area_ref(volunteer.area), "status": volunteer.status,
            "status_label": volunteer.get_status_display(),
            "is_party_member": volunteer.is_party_member, "skills": volunteer.skills,
            "registered_at": volunteer.registered_at},
        "hours": tenths(hours), "stars": balance["stars"],
        "next_star_hours": tenths(upcoming),
        "hours_to_next_star": tenths(upcoming - hours) if upcoming is not None else None,
        "points": balance["points"], "time_bank_units": tenths(balance["units"]),
    }
