"""The four orders (四单): a resident orders from the menu or posts a micro-wish (点单),
staff dispatch it to a team or a volunteer or put it on the open board (派单), a volunteer
accepts or claims it (接单), carries it out and reports the hours, the resident rates it
(评单). Orders nobody takes in time are flagged to staff.

Each step locks the order row, checks who acts and that the step is allowed from the
order's status, writes a timeline row (``OrderEvent``, kind = the step) and one audit event,
and tells the people concerned.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Membership, Organisation, RoleGrant, User
from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.core import audit
from gongzhi.core.notifications import notify
from gongzhi.core.permissions import ROLE_PERMS, Perm, Role, can
from gongzhi.core.tree import ancestor_paths
from gongzhi.volunteering.actions import ledger
from gongzhi.volunteering.actions._common import actor, require_manager, text, volunteer_of
from gongzhi.volunteering.actions.menu import check_team, parse_hours
from gongzhi.volunteering.models import (
    OrderEvent,
    OrderKind,
    OrderStatus,
    Rating,
    ServiceItem,
    ServiceOrder,
    Volunteer,
    VolunteerStatus,
)

FIELDS = ["kind", "item", "title", "area", "requester", "status", "team", "volunteer",
          "take_by", "flagged_at", "hours", "rating"]
UNTAKEN = (OrderStatus.ORDERED, OrderStatus.OPEN, OrderStatus.DISPATCHED)
S = OrderStatus  # short: every step names the statuses it moves between


# --- helpers ---------------------------------------------------------------------------------


def managers(area_path: str):
    """The nearest staff who manage volunteering over ``area_path``: those granted
    MANAGE_VOLUNTEERS on the deepest node above it that has any (the community, as a rule —
    the street is not told of every order; administrators never are)."""
    roles = [r for r, perms in ROLE_PERMS.items()
             if Perm.MANAGE_VOLUNTEERS in perms and r != Role.ADMIN]
    grants = RoleGrant.objects.filter(role__in=roles, user__is_active=True,
                                      area__path__in=ancestor_paths(area_path))
    # Ancestors' paths are prefixes of one another: the deepest sorts last.
    nearest = grants.aggregate(path=Max("area__path"))["path"]
    return User.objects.filter(is_active=True, role_grants__role__in=roles,
                               role_grants__area__path=nearest).distinct()


def _team_members(team_id: int):
    return User.objects.filter(is_active=True, membership__organisation_id=team_id).distinct()


def _url(order: ServiceOrder) -> str:
    return f"/volunteering/orders/{order.pk}/"


def _lock(order: ServiceOrder) -> ServiceOrder:
    return (ServiceOrder.objects.select_for_update(of=("self",))
            .select_related("volunteer__user").get(pk=order.pk))


def _event(order: ServiceOrder, kind: str, acting_user, note: str = "") -> OrderEvent:
    return OrderEvent.objects.create(order=order, kind=kind, actor=actor(acting_user),
                                     note=note[:300], created_at=timezone.now())


def _record(order: ServiceOrder, name: str, acting_user, before: dict | None,
            extra: dict | None = None) -> None:
    audit.record(actor=acting_user, action=f"volunteering.{name}", obj=order, before=before,
                 after=audit.snapshot(order, FIELDS) | (extra or {}))


def _refuse_status(order: ServiceOrder, allowed: tuple) -> None:
    if order.status not in allowed:
        raise ValidationError(_("该订单当前为“%(status)s”，不能进行此操作")
                              % {"status": order.get_status_display()})


def _resident_home(acting_user) -> AreaNode:
    """The acting resident's home building; only residents on record order (点单)."""
    active = getattr(acting_user, "is_authenticated", False) and acting_user.is_active
    resident = getattr(acting_user, "resident", None) if active else None
    if resident is None:
        raise PermissionDenied(_("只有登记在册的居民可以点单或发布心愿"))
    return resident.household.building


def _order_area(acting_user, area: AreaNode | None) -> AreaNode:
    """Where the service is wanted: the home building, or a place in the home community."""
    home = _resident_home(acting_user)
    if area is None or area.pk == home.pk:
        return home
    community = AreaNode.objects.filter(path__in=ancestor_paths(home.path),
                                        kind=AreaKind.COMMUNITY).first()
    if community is None or not area.path.startswith(community.path):
        raise ValidationError({"area": _("服务地点须在您居住的社区内")})
    return area


def _take_by(now: datetime) -> datetime:
    return now + timedelta(hours=settings.GONGZHI_ORDER_TAKE_HOURS)


def _description(value: str) -> str:
    value = (value or "").strip()
    if len(value) > 2000:
        raise ValidationError({"description": _("不能超过 %(n)d 个字") % {"n": 2000}})
    return value


def _is_taker(order: ServiceOrder, acting_user) -> bool:
    """The dispatched (or accepting) volunteer, or a member of the dispatched team."""
    user_id = getattr(acting_user, "pk", None)
    if order.volunteer_id and order.volunteer.user_id == user_id:
        return True
    return bool(order.team_id) and Membership.objects.filter(
        organisation_id=order.team_id, user_id=user_id).exists()


def _create(*, kind: str, item: ServiceItem | None, title: str, description: str,
            area: AreaNode, status: str, acting_user) -> ServiceOrder:
    now = timezone.now()
    return ServiceOrder.objects.create(
        kind=kind, item=item, title=title, description=description, area=area,
        area_path=area.path, requester=acting_user, status=status, created_at=now,
        take_by=_take_by(now))


# --- 点单: ordering, micro-wishes ------------------------------------------------------------


@transaction.atomic
def place_order(*, item: ServiceItem, acting_user, description: str = "",
                area: AreaNode | None = None) -> ServiceOrder:
    """A resident orders an item of the menu; the staff of the area are told to dispatch."""
    area = _order_area(acting_user, area)
    item = ServiceItem.objects.get(pk=item.pk)
    if not item.is_active:
        raise ValidationError({"item": _("该服务项目已下架")})
    if not area.path.startswith(item.area_path):
        raise ValidationError({"item": _("该服务项目不在您所在区域提供")})
    order = _create(kind=OrderKind.MENU, item=item, title=item.name,
                    description=_description(description), area=area,
                    status=S.ORDERED, acting_user=acting_user)
    _event(order, "ordered", acting_user)
    _record(order, "place_order", acting_user, None)
    notify(managers(order.area_path), kind="volunteering.order_placed",
           title=_("新的点单待派单：%(title)s") % {"title": order.title},
           body=order.description[:200], url=_url(order))
    return order


@transaction.atomic
def post_wish(*, title: str, description: str, acting_user,
              area: AreaNode | None = None) -> ServiceOrder:
    """微心愿: straight onto the open board, where volunteers (party members …) claim it."""
    area = _order_area(acting_user, area)
    title = text(title, "title", _("请填写心愿内容"), 100)
    order = _create(kind=OrderKind.WISH, item=None, title=title,
                    description=_description(description), area=area, status=S.OPEN,
                    acting_user=acting_user)
    _event(order, "wished", acting_user)
    _record(order, "post_wish", acting_user, None)
    notify(managers(order.area_path), kind="volunteering.wish_posted",
           title=_("居民发布了微心愿：%(title)s") % {"title": order.title},
           body=order.description[:200], url=_url(order))
    return order


# --- 派单: dispatching, the open board --------------------------------------------------------


@transaction.atomic
def dispatch_order(*, order: ServiceOrder, acting_user, team: Organisation | None = None,
                   volunteer: Volunteer | None = None) -> ServiceOrder:
    """Staff send the order to one team or one volunteer, who accepts or declines it."""
    order = _lock(order)
    require_manager(acting_user, order.area_path)
    _refuse_status(order, (S.ORDERED, S.OPEN))
    if (team is None) == (volunteer is None):
        raise ValidationError({"team": _("请选择派给一支队伍或一名志愿者")})
    if team is not None:
        check_team(team, order.area_path)
    else:
        volunteer = Volunteer.objects.select_related("user").get(pk=volunteer.pk)
        if volunteer.status != VolunteerStatus.ACTIVE:
            raise ValidationError({"volunteer": _("该志愿者已暂停服务")})
        # Their community: home, or the one a party member reports to (双报到).
        if not order.area_path.startswith(volunteer.area_path):
            raise ValidationError({"volunteer": _("该志愿者不在本社区服务")})
        if volunteer.user_id == order.requester_id:
            raise ValidationError({"volunteer": _("不能派给点单人本人")})
    before = audit.snapshot(order, FIELDS)
    order.status, order.team, order.volunteer = S.DISPATCHED, team, volunteer
    order.dispatched_at = timezone.now()
    order.save(update_fields=["status", "team", "volunteer", "dispatched_at"])
    _event(order, "dispatched", acting_user, str(team or volunteer))
    _record(order, "dispatch_order", acting_user, before)
    recipients = [volunteer.user] if volunteer is not None else _team_members(team.pk)
    notify(recipients, kind="volunteering.order_dispatched",
           title=_("派单待接单：%(title)s") % {"title": order.title},
           body=order.description[:200], url=_url(order))
    return order


@transaction.atomic
def post_to_board(*, order: ServiceOrder, acting_user) -> ServiceOrder:
    """Staff put an order on the open board, where any volunteer of the community claims it
    (a dispatched order nobody took is withdrawn from its team or volunteer)."""
    order = _lock(order)
    require_manager(acting_user, order.area_path)
    _refuse_status(order, (S.ORDERED, S.DISPATCHED))
    before = audit.snapshot(order, FIELDS)
    was = ([order.volunteer.user] if order.volunteer_id
           else _team_members(order.team_id) if order.team_id else [])
    order.status, order.team, order.volunteer, order.dispatched_at = S.OPEN, None, None, None
    order.save(update_fields=["status", "team", "volunteer", "dispatched_at"])
    _event(order, "posted", acting_user)
    _record(order, "post_to_board", acting_user, before)
    notify(was, kind="volunteering.order_withdrawn",
           title=_("派给您的订单已改为公开认领：%(title)s") % {"title": order.title},
           url=_url(order))
    return order


# --- 接单: claiming, accepting, declining, completing ----------------------------------------


@transaction.atomic
def claim_order(*, order: ServiceOrder, acting_user) -> ServiceOrder:
    """A volunteer of the community takes an order from the open board; the row lock makes
    the first of two simultaneous claims win and the second hear so."""
    volunteer = volunteer_of(acting_user)
    order = _lock(order)
    if not order.area_path.startswith(volunteer.area_path):
        raise PermissionDenied(_("只能认领本社区的需求"))
    if order.status in (S.ACCEPTED, S.DONE, S.RATED) and order.volunteer_id == volunteer.pk:
        raise ValidationError(_("您已认领该需求"))
    if order.status in (S.ACCEPTED, S.DONE, S.RATED):
        raise ValidationError(_("该需求已被其他志愿者认领"))
    _refuse_status(order, (S.OPEN,))
    if order.requester_id == acting_user.pk:
        raise ValidationError(_("不能认领自己发布的需求"))
    before = audit.snapshot(order, FIELDS)
    order.status, order.volunteer, order.accepted_at = S.ACCEPTED, volunteer, timezone.now()
    order.save(update_fields=["status", "volunteer", "accepted_at"])
    _event(order, "claimed", acting_user)
    _record(order, "claim_order", acting_user, before)
    notify([order.requester], kind="volunteering.order_accepted",
           title=_("志愿者%(name)s已认领您的需求：%(title)s")
           % {"name": volunteer.user.display_name, "title": order.title}, url=_url(order))
    return order


@transaction.atomic
def accept_order(*, order: ServiceOrder, acting_user) -> ServiceOrder:
    """The dispatched volunteer, or a member of the dispatched team, takes the order."""
    order = _lock(order)
    if not _is_taker(order, acting_user):
        raise PermissionDenied(_("该订单没有派给您或您所在的队伍"))
    volunteer = volunteer_of(acting_user)  # hours are credited to a registered volunteer
    if order.status == S.ACCEPTED:
        raise ValidationError(_("该订单已被其他志愿者接单")
                              if order.volunteer_id != volunteer.pk else _("您已接单"))
    _refuse_status(order, (S.DISPATCHED,))
    before = audit.snapshot(order, FIELDS)
    order.status, order.volunteer, order.accepted_at = S.ACCEPTED, volunteer, timezone.now()
    order.save(update_fields=["status", "volunteer", "accepted_at"])
    _event(order, "accepted", acting_user)
    _record(order, "accept_order", acting_user, before)
    notify([order.requester], kind="volunteering.order_accepted",
           title=_("志愿者%(name)s已接单：%(title)s")
           % {"name": volunteer.user.display_name, "title": order.title}, url=_url(order))
    return order


@transaction.atomic
def decline_order(*, order: ServiceOrder, reason: str, acting_user) -> ServiceOrder:
    """The dispatched volunteer or team, or the volunteer who took it (before it is done),
    gives it back: it returns to staff to dispatch again, with a fresh time to be taken."""
    order = _lock(order)
    if order.status == S.ACCEPTED:  # taken: only by whoever took it
        mine = order.volunteer.user_id == getattr(acting_user, "pk", None)
    else:
        mine = _is_taker(order, acting_user)
    if not mine:
        raise PermissionDenied(_("该订单不由您承接"))
    _refuse_status(order, (S.DISPATCHED, S.ACCEPTED))
    reason = text(reason, "reason", _("请说明不能承接的原因"), 300)
    before = audit.snapshot(order, FIELDS)
    now = timezone.now()
    order.status, order.team, order.volunteer = S.ORDERED, None, None
    order.dispatched_at = order.accepted_at = order.flagged_at = None
    order.take_by = _take_by(now)
    order.save(update_fields=["status", "team", "volunteer", "dispatched_at", "accepted_at",
                              "flagged_at", "take_by"])
    _event(order, "declined", acting_user, reason)
    _record(order, "decline_order", acting_user, before, {"reason": reason})
    notify(managers(order.area_path), kind="volunteering.order_declined",
           title=_("订单被退回，请重新派单：%(title)s") % {"title": order.title},
           body=reason, url=_url(order))
    return order


@transaction.atomic
def complete_order(*, order: ServiceOrder, hours, report: str,
                   acting_user) -> ServiceOrder:
    """The volunteer who took the order reports it done with the hours it took; the hours
    enter the ledger (with time-bank units and points) and the resident is asked to rate."""
    order = _lock(order)
    if not (order.volunteer_id and order.volunteer.user_id == getattr(acting_user, "pk", None)):
        raise PermissionDenied(_("只有接单的志愿者可以完成该订单"))
    _refuse_status(order, (S.ACCEPTED,))
    hours = parse_hours(hours, "hours", Decimal("0.1"),
                        _("服务时长须在 0 到 24 小时之间"))
    report = text(report, "report", _("请填写服务情况"), 2000)
    before = audit.snapshot(order, FIELDS)
    order.status, order.hours, order.report = S.DONE, hours, report
    order.done_at = timezone.now()
    order.save(update_fields=["status", "hours", "report", "done_at"])
    _event(order, "done", acting_user, f"{hours}h")
    ledger.credit_hours(volunteer=order.volunteer, hours=hours, source="order",
                        source_key=f"order:{order.pk}", served_on=timezone.localdate(),
                        acting_user=acting_user, note=order.title)
    _record(order, "complete_order", acting_user, before)
    notify([order.requester], kind="volunteering.order_done",
           title=_("服务已完成，请评价：%(title)s") % {"title": order.title},
           body=report[:200], url=_url(order))
    return order


# --- 评单: rating; cancelling; stale orders -------------------------------------------------


@transaction.atomic
def rate_order(*, order: ServiceOrder, rating: str, acting_user,
               comment: str = "") -> ServiceOrder:
    """The resident who ordered rates the service, once; a good rating earns the volunteer
    the per-rated-order points, an unsatisfied one (with its reason) goes to staff."""
    order = _lock(order)
    if order.requester_id != getattr(acting_user, "pk", None):
        raise PermissionDenied(_("只有点单人可以评价"))
    if order.status == S.RATED:
        raise ValidationError(_("您已评价过该订单"))
    _refuse_status(order, (S.DONE,))
    if rating not in Rating.values:
        raise ValidationError({"rating": _("请选择评价")})
    comment = (comment or "").strip()
    if rating == Rating.UNSATISFIED and not comment:
        raise ValidationError({"comment": _("不满意时请说明原因")})
    if len(comment) > 300:
        raise ValidationError({"comment": _("不能超过 %(n)d 个字") % {"n": 300}})
    before = audit.snapshot(order, FIELDS)
    order.status, order.rating, order.rating_comment = S.RATED, rating, comment
    order.rated_at = timezone.now()
    order.save(update_fields=["status", "rating", "rating_comment", "rated_at"])
    _event(order, "rated", acting_user, comment)
    award = None
    if rating in (Rating.SATISFIED, Rating.BASIC):
        award = ledger.award_points(holder=order.volunteer.user,
                                    points=ledger.rule_points("per_rated_order"),
                                    reason="rated_order", source_key=f"order:{order.pk}:rated",
                                    note=order.title)
    _record(order, "rate_order", acting_user, before,
            {"points": award.points if award else 0})
    label = order.get_rating_display()
    notify([order.volunteer.user], kind="volunteering.order_rated",
           title=_("居民评价了您的服务：%(rating)s") % {"rating": label},
           body=comment[:200], url=_url(order))
    if rating == Rating.UNSATISFIED:
        notify(managers(order.area_path), kind="volunteering.order_unsatisfied",
               title=_("居民对服务不满意：%(title)s") % {"title": order.title},
               body=comment[:200], url=_url(order))
    return order


@transaction.atomic
def cancel_order(*, order: ServiceOrder, acting_user, reason: str) -> ServiceOrder:
    """The resident cancels before a volunteer has taken it; staff, any time before done."""
    order = _lock(order)
    staff = acting_user is None or can(acting_user, Perm.MANAGE_VOLUNTEERS, order.area_path)
    requester = order.requester_id == getattr(acting_user, "pk", None)
    if not (staff or requester):
        raise PermissionDenied(_("您无权取消该订单"))
    if order.status in (S.DONE, S.RATED, S.CANCELLED):
        raise ValidationError(_("该订单已完成或已取消，不能再取消"))
    if order.status == S.ACCEPTED and not staff:
        raise ValidationError(_("志愿者已接单，如需取消请联系社区工作人员"))
    reason = text(reason, "reason", _("请说明取消原因"), 300)
    before = audit.snapshot(order, FIELDS)
    told = ([order.volunteer.user] if order.volunteer_id
            else list(_team_members(order.team_id)) if order.team_id else [])
    order.status = S.CANCELLED
    order.save(update_fields=["status"])
    _event(order, "cancelled", acting_user, reason)
    _record(order, "cancel_order", acting_user, before, {"reason": reason})
    told += list(managers(order.area_path)) if requester else [order.requester]
    notify([u for u in told if u.pk != getattr(acting_user, "pk", None)],
           kind="volunteering.order_cancelled",
           title=_("订单已取消：%(title)s") % {"title": order.title}, body=reason,
           url=_url(order))
    return order


@transaction.atomic
def flag_stale_orders(*, now: datetime | None = None) -> int:
    """The worker's sweep: orders nobody has taken by their time are flagged to the staff
    of their area, once each. Returns how many were flagged."""
    now = now or timezone.now()
    stale = list(ServiceOrder.objects.select_for_update()
                 .filter(status__in=UNTAKEN, take_by__lt=now, flagged_at__isnull=True)
                 .order_by("id"))
    for order in stale:
        before = audit.snapshot(order, FIELDS)
        order.flagged_at = now
        order.save(update_fields=["flagged_at"])
        _event(order, "flagged", None)
        _record(order, "flag_stale_orders", None, before)
        notify(managers(order.area_path), kind="volunteering.order_stale",
               title=_("订单超时无人接单：%(title)s") % {"title": order.title},
               body=_("点单时间 %(at)s，状态：%(status)s")
               % {"at": timezone.localtime(order.created_at).strftime("%Y-%m-%d %H:%M"),
                  "status": order.get_status_display()},
               url=_url(order))
    return len(stale)
