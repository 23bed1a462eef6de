"""Reads for the volunteering pages and API, scoped by area."""

from django.db.models import Q, QuerySet

from gongzhi.accounts.models import Membership
from gongzhi.core.permissions import Perm, scope_q
from gongzhi.core.tree import subtree_q
from gongzhi.volunteering.models import (
    Activity,
    ActivitySignup,
    OrderEvent,
    ServiceOrder,
    Volunteer,
)


def managed_volunteers(user) -> QuerySet[Volunteer]:
    return Volunteer.objects.filter(scope_q(user, Perm.MANAGE_VOLUNTEERS, "area_path"))


def managed_orders(user) -> QuerySet[ServiceOrder]:
    return ServiceOrder.objects.filter(scope_q(user, Perm.MANAGE_VOLUNTEERS, "area_path"))


# --- orders (menu, four orders) ---------------------------------------------------------------

_ORDER_RELATED = ("item", "area", "requester", "team", "volunteer__user")
_UNTAKEN = ("ordered", "open", "dispatched")


def volunteer_of(user, *, active: bool = False) -> Volunteer | None:
    """The user's volunteer record (only an active one with ``active``), if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    volunteers = Volunteer.objects.filter(user=user)
    return (volunteers.filter(status="active") if active else volunteers).first()


def resident_orders(user) -> QuerySet[ServiceOrder]:
    """What the resident ordered or wished for, newest first."""
    if not getattr(user, "is_authenticated", False):
        return ServiceOrder.objects.none()
    return ServiceOrder.objects.filter(requester=user).select_related(*_ORDER_RELATED)


def volunteer_orders(user) -> QuerySet[ServiceOrder]:
    """Orders dispatched to me or to a team I belong to (still waiting to be taken), and
    every order I took."""
    if not getattr(user, "is_authenticated", False):
        return ServiceOrder.objects.none()
    from django.db.models import Q

    teams = user.organisations.values("pk")
    mine = Q(volunteer__user=user) | Q(status="dispatched", volunteer__isnull=True,
                                       team__in=teams)
    return ServiceOrder.objects.filter(mine).select_related(*_ORDER_RELATED)


def open_board(user) -> QuerySet[ServiceOrder]:
    """The open board (待认领) of the volunteer's community, oldest first; not their own."""
    volunteer = volunteer_of(user, active=True)
    if volunteer is None:
        return ServiceOrder.objects.none()
    from gongzhi.core.tree import subtree_q

    return (ServiceOrder.objects.filter(subtree_q(volunteer.area_path, "area_path"),
                                        status="open")
            .exclude(requester=user).select_related(*_ORDER_RELATED)
            .order_by("created_at", "id"))


def stale_orders(user) -> QuerySet[ServiceOrder]:
    """Orders flagged as not taken in time and still untaken, in the staff's area."""
    return (managed_orders(user).filter(flagged_at__isnull=False, status__in=_UNTAKEN)
            .select_related(*_ORDER_RELATED).order_by("take_by", "id"))


def menu_for(user) -> QuerySet:
    """The active service items serving the resident's home (an item's area is the home or
    a node above it); none for someone who is not a resident on record."""
    from gongzhi.areas.selectors import home_path
    from gongzhi.core.tree import ancestor_paths
    from gongzhi.volunteering.models import ServiceItem

    home = home_path(user) if getattr(user, "is_authenticated", False) else None
    if not home:
        return ServiceItem.objects.none()
    return (ServiceItem.objects.filter(is_active=True, area_path__in=ancestor_paths(home))
            .select_related("team", "area"))


# --- activities and rosters -------------------------------------------------------------------
# (Imports inside the functions keep this section's edits within its own lines.)

def _window(start, end):
    """Dates mean whole local days, ``end`` included; datetimes are taken as they are."""
    from datetime import date, datetime, time, timedelta

    from django.utils import timezone

    def moment(value, next_day: bool):
        if isinstance(value, datetime):
            return value
        assert isinstance(value, date)
        day = value + timedelta(days=1) if next_day else value
        return timezone.make_aware(datetime.combine(day, time.min),
                                   timezone.get_current_timezone())

    return moment(start, False), moment(end, True)


def managed_activities(user):
    """Activities in the staff member's area, newest first."""
    from gongzhi.volunteering.models import Activity

    return Activity.objects.filter(scope_q(user, Perm.MANAGE_VOLUNTEERS, "area_path")
                                   ).select_related("area", "team", "organiser")


def uncovered_shifts(user, start, end):
    """Shifts of active duties in the staff member's area starting in [start, end] with
    fewer volunteers signed than places, each with ``signed_count``; by time (one query)."""
    from django.db.models import Count, F, Q

    from gongzhi.volunteering.models import Shift

    since, until = _window(start, end)
    return (Shift.objects
            .filter(scope_q(user, Perm.MANAGE_VOLUNTEERS, "template__area_path"),
                    template__is_active=True, starts_at__gte=since, starts_at__lt=until)
            .annotate(signed_count=Count("signups", filter=Q(signups__status="signed")))
            .filter(signed_count__lt=F("slots"))
            .select_related("template", "template__area")
            .order_by("starts_at", "id"))


def activities_near(user):
    """Published activities a volunteer may join or is at now: in their community or
    above it (the street's), soonest first."""
    from django.db.models import Q
    from django.utils import timezone

    from gongzhi.core.tree import ancestor_paths, subtree_q
    from gongzhi.volunteering.models import Activity

    volunteer = volunteer_of(user)
    if volunteer is None:
        return Activity.objects.none()
    path = volunteer.area_path
    return (Activity.objects
            .filter(subtree_q(path, "area_path") | Q(area_path__in=ancestor_paths(path)),
                    status="published", ends_at__gt=timezone.now())
            .select_related("area", "team").order_by("starts_at", "id"))


def my_signups(user):
    """The volunteer's places and waiting-list entries (not the cancelled), latest first."""
    from gongzhi.volunteering.models import ActivitySignup

    volunteer = volunteer_of(user)
    if volunteer is None:
        return ActivitySignup.objects.none()
    return (ActivitySignup.objects
            .filter(volunteer=volunteer, status__in=["signed", "waiting"])
            .select_related("activity", "activity__area")
            .order_by("-activity__starts_at", "-id"))


def my_shift_signups(user):
    """The volunteer's shifts (signed), soonest first."""
    from gongzhi.volunteering.models import ShiftSignup

    volunteer = volunteer_of(user)
    if volunteer is None:
        return ShiftSignup.objects.none()
    return (ShiftSignup.objects.filter(volunteer=volunteer, status="signed")
            .select_related("shift", "shift__template").order_by("shift__starts_at", "id"))



# --- hours, rankings, time bank, points -------------------------------------------------------
# (imported here so the sections other helpers own stay independent of each other)
from datetime import date  # noqa: E402
from decimal import Decimal  # noqa: E402

from django.db.models import DecimalField, Sum, Value  # noqa: E402
from django.db.models.functions import Coalesce  # noqa: E402
from django.utils import timezone  # noqa: E402

from gongzhi.accounts.models import Organisation  # noqa: E402
from gongzhi.areas.models import AreaNode  # noqa: E402
from gongzhi.areas.selectors import home_path  # noqa: E402
from gongzhi.core.permissions import scope_paths  # noqa: E402
from gongzhi.core.tree import ancestor_paths  # noqa: E402
from gongzhi.volunteering.actions.ledger import (  # noqa: E402
    hours_total,
    points_balance,
    star_level,
    tenths,
    time_bank_balance,
)
from gongzhi.volunteering.models import (  # noqa: E402
    Coupon,
    CouponCode,
    HoursSource,
    PointsEntry,
    Redemption,
    Reward,
    TimeBankEntry,
    VolunteerStatus,
)

_HOURS = DecimalField(max_digits=12, decimal_places=1)


def holder_paths(user) -> list[str]:
    """Where a ledger holder belongs: their home, and the community they serve as a volunteer."""
    paths = [home_path(user) or ""]
    volunteer = Volunteer.objects.filter(user_id=getattr(user, "pk", None)).first()
    if volunteer is not None:
        paths.append(volunteer.area_path)
    return [p for p in paths if p]


def near_holder_q(user, field: str = "area_path") -> Q:
    """Rows offered where the holder lives or serves, or at any level above (street …)."""
    paths = {a for p in holder_paths(user) for a in ancestor_paths(p)}
    return Q(**{f"{field}__in": sorted(paths)}) if paths else Q(pk__in=[])


def _ranking_scope(user) -> Q:
    """Staff rank the volunteers they manage; anyone else those of their own community."""
    if getattr(user, "is_superuser", False) or scope_paths(user, Perm.MANAGE_VOLUNTEERS):
        return scope_q(user, Perm.MANAGE_VOLUNTEERS, "area_path")
    return near_holder_q(user)


def rankings(user, *, area: AreaNode | None = None, team: Organisation | None = None,
             start: date | None = None, end: date | None = None,
             limit: int = 50) -> list[Volunteer]:
    """Volunteers by hours served between ``start`` and ``end`` (inclusive, by served_on),
    most first, in one query. Each carries ``period_hours``, ``total_hours`` (all time) and
    ``stars`` (from all-time hours: a star once earned does not depend on the period)."""
    period = Q()
    if start is not None:
        period &= Q(hours_entries__served_on__gte=start)
    if end is not None:
        period &= Q(hours_entries__served_on__lte=end)
    qs = Volunteer.objects.filter(_ranking_scope(user), status=VolunteerStatus.ACTIVE)
    if area is not None:
        qs = qs.filter(subtree_q(area.path, "area_path"))
    if team is not None:
        # A subquery, not a join: a join would multiply the hours rows being summed.
        qs = qs.filter(user_id__in=Membership.objects.filter(organisation=team)
                       .values("user_id"))
    zero = Value(Decimal(0), output_field=_HOURS)
    qs = qs.annotate(
        period_hours=Coalesce(Sum("hours_entries__hours", filter=period), zero,
                              output_field=_HOURS),
        total_hours=Coalesce(Sum("hours_entries__hours"), zero, output_field=_HOURS),
    ).filter(period_hours__gt=0).select_related("user", "area")
    ranked = list(qs.order_by("-period_hours", "-total_hours", "id")[:limit])
    for volunteer in ranked:
        # SQLite sums decimals as floats; the ledger keeps tenths.
        volunteer.period_hours = tenths(volunteer.period_hours)
        volunteer.total_hours = tenths(volunteer.total_hours)
        volunteer.stars = star_level(volunteer.total_hours)
    return ranked


def service_record(volunteer: Volunteer) -> dict:
    """Everything for a printable service record (志愿服务记录证明): every entry, oldest
    first, the total, the star level and the hours by kind of service."""
    entries = list(volunteer.hours_entries.select_related("credited_by")
                   .order_by("served_on", "id"))
    total = sum((e.hours for e in entries), Decimal(0))
    by_source: dict[str, Decimal] = {}
    for entry in entries:
        label = HoursSource(entry.source).label
        by_source[label] = by_source.get(label, Decimal(0)) + entry.hours
    return {"volunteer": volunteer, "entries": entries, "total": total,
            "stars": star_level(total), "by_source": by_source,
            "first_served": entries[0].served_on if entries else None,
            "last_served": entries[-1].served_on if entries else None,
            "printed_on": timezone.localdate()}


def balances(user) -> dict:
    """The user's hours and star level (None if not a volunteer), time-bank units, points."""
    volunteer = Volunteer.objects.filter(user_id=getattr(user, "pk", None)).first()
    hours = hours_total(volunteer) if volunteer is not None else None
    return {"hours": hours, "stars": star_level(hours) if hours is not None else None,
            "units": time_bank_balance(user), "points": points_balance(user)}


def time_bank_entries(user) -> QuerySet[TimeBankEntry]:
    return TimeBankEntry.objects.filter(holder=user).select_related("counterpart")


def points_entries(user) -> QuerySet[PointsEntry]:
    return PointsEntry.objects.filter(holder=user)


def rewards_for(user) -> QuerySet[Reward]:
    """The catalogue (积分超市) a holder may redeem from: on the shelf where they belong."""
    return Reward.objects.filter(near_holder_q(user), is_active=True)


def coupons_for(user) -> QuerySet[Coupon]:
    return Coupon.objects.filter(near_holder_q(user), is_active=True, merchant__is_active=True,
                                 valid_until__gte=timezone.localdate()).select_related("merchant")


def my_coupon_codes(user) -> QuerySet[CouponCode]:
    return (CouponCode.objects.filter(holder=user).select_related("coupon__merchant")
            .order_by("redeemed_at", "-issued_at"))


def managed_rewards(user) -> QuerySet[Reward]:
    return Reward.objects.filter(scope_q(user, Perm.MANAGE_VOLUNTEERS, "area_path"))


def managed_coupons(user) -> QuerySet[Coupon]:
    return Coupon.objects.filter(scope_q(user, Perm.MANAGE_VOLUNTEERS, "area_path"))


def redemptions_to_hand_over(user) -> QuerySet[Redemption]:
    return Redemption.objects.filter(
        scope_q(user, Perm.MANAGE_VOLUNTEERS, "reward__area_path"), handed_over_at__isnull=True,
    ).select_related("reward", "holder").order_by("created_at", "id")


def shop_redeemed_codes(user) -> QuerySet[CouponCode]:
    """Codes redeemed at the shops the user works for (their own till record)."""
    shops = Membership.objects.filter(user=user).values("organisation_id")
    return (CouponCode.objects.filter(coupon__merchant_id__in=shops, redeemed_at__isnull=False)
            .select_related("coupon").order_by("-redeemed_at"))


# --- who sees what (the JSON API) ------------------------------------------------------------
# An order is seen by whoever it concerns, and by active volunteers on their community's
# open board; anything else is answered as if it did not exist.


def board_q(user) -> Q:
    """The open board of the caller's community, if they are an active volunteer."""
    volunteer = volunteer_of(user, active=True)
    if volunteer is None:
        return Q(pk__in=[])
    return subtree_q(volunteer.area_path, "area_path") & Q(status="open") & ~Q(requester=user)


def concerned_q(user) -> Q:
    """Requester, dispatched or taking volunteer, member of the team, staff of the area."""
    teams = Membership.objects.filter(user_id=user.pk).values("organisation_id")
    return (Q(requester=user) | Q(volunteer__user=user) | Q(team__in=teams)
            | scope_q(user, Perm.MANAGE_VOLUNTEERS, "area_path"))


def claimable_q(user) -> Q:
    """Orders of the caller's community that were ever on the open board (wishes, orders
    staff posted there): a claim of one already taken is told so (409), not 404."""
    volunteer = volunteer_of(user)
    if volunteer is None:
        return Q(pk__in=[])
    posted = OrderEvent.objects.filter(kind="posted").values("order_id")
    return subtree_q(volunteer.area_path, "area_path") & (Q(kind="wish") | Q(pk__in=posted))


def order_seen_by(user, pk: int, *, to_claim: bool = False) -> ServiceOrder | None:
    """One order the caller may see (``to_claim``: or may try to claim), else None."""
    seen = concerned_q(user) | board_q(user) | (claimable_q(user) if to_claim else Q(pk__in=[]))
    return ServiceOrder.objects.filter(seen, pk=pk).select_related(*_ORDER_RELATED).first()


def on_board_of(user, order: ServiceOrder) -> bool:
    return ServiceOrder.objects.filter(board_q(user), pk=order.pk).exists()


def in_team(user, order: ServiceOrder) -> bool:
    """Whether the caller is a member of the team the order was sent to."""
    return bool(order.team_id) and Membership.objects.filter(
        organisation_id=order.team_id, user_id=user.pk).exists()


def activities_seen_by(user) -> QuerySet[Activity]:
    """Activities where the caller serves (any status, to be told why not), and any they
    signed up for."""
    from gongzhi.volunteering.actions.activities import serving_q

    volunteer = volunteer_of(user)
    if volunteer is None:
        return Activity.objects.none()
    return Activity.objects.filter(
        serving_q(volunteer.area_path)
        | Q(pk__in=ActivitySignup.objects.filter(volunteer=volunteer).values("activity_id")))


def signups_in(user, activities, statuses=("signed", "waiting")) -> QuerySet[ActivitySignup]:
    """The caller's signups of the given statuses in ``activities`` (rows or a queryset)."""
    return ActivitySignup.objects.filter(activity__in=activities, volunteer__user=user,
                                         status__in=statuses)
