"""Crediting hours, and the balances derived from the three ledgers.

``credit_hours`` is the one way hours enter the ledger (orders, activities and shifts all
call it): the volunteer's hours, the same units into their time-bank account (up to the
cap) and the points the per-hour rule gives, in one transaction. The database's unique key
per volunteer and source makes a second credit for the same service a no-op, even when two
requests arrive at the same moment.
"""

from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.notifications import notify
from gongzhi.volunteering.actions._common import actor
from gongzhi.volunteering.models import (
    HoursEntry,
    HoursSource,
    PointsEntry,
    PointsReason,
    PointsRule,
    TimeBankEntry,
    TimeBankKind,
    Volunteer,
)

# Star levels (星级志愿者) by hours served: community volunteer registration rules, art. 18.
STAR_THRESHOLDS = (Decimal(100), Decimal(300), Decimal(600), Decimal(1000), Decimal(1500))
MAX_HOURS_AT_ONCE = Decimal(24)
TENTH = Decimal("0.1")


def star_level(hours: Decimal) -> int:
    """0 to 5 stars: at least 100 / 300 / 600 / 1000 / 1500 hours."""
    return sum(1 for threshold in STAR_THRESHOLDS if hours >= threshold)


def tenths(total) -> Decimal:
    """A ledger sum to the tenth: SQLite adds decimals as floats (0.1 + 0.2 − 0.3 ≠ 0)."""
    return Decimal(str(total or 0)).quantize(TENTH) + 0  # + 0: never "-0.0"


def hours_total(volunteer: Volunteer) -> Decimal:
    return tenths(volunteer.hours_entries.aggregate(s=Sum("hours"))["s"])


def time_bank_balance(user) -> Decimal:
    return tenths(TimeBankEntry.objects.filter(holder=user).aggregate(s=Sum("units"))["s"])


def points_balance(user) -> int:
    return PointsEntry.objects.filter(holder=user).aggregate(s=Sum("points"))["s"] or 0


def rule_points(code: str) -> int:
    rule = PointsRule.objects.filter(code=code, is_active=True).first()
    return rule.points if rule else 0


def _once(model, **fields):
    """Create the entry unless its (holder, source_key) is on record already."""
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError:
        return None


def award_points(*, holder, points: int, reason: str, source_key: str,
                 note: str = "") -> PointsEntry | None:
    """Points earned by a deed, once per deed (None: nothing to award, or awarded before).
    Called inside the action that did the deed, whose audit event records the points."""
    if points <= 0:
        return None
    return _once(PointsEntry, holder=holder, points=points, reason=reason,
                 source_key=source_key, note=note[:200], created_at=timezone.now())


def _deposit(volunteer: Volunteer, entry: HoursEntry, acting_user) -> TimeBankEntry | None:
    """1 hour = 1 unit, up to the cap: what would pass it is not stored."""
    room = Decimal(settings.GONGZHI_TIME_BANK_CAP) - time_bank_balance(volunteer.user)
    units = min(entry.hours, room)
    if units <= 0:
        return None
    return _once(TimeBankEntry, holder=volunteer.user, units=units, kind=TimeBankKind.DEPOSIT,
                 source_key=f"hours:{entry.pk}", note=entry.note,
                 created_by=actor(acting_user), created_at=timezone.now())


@transaction.atomic
def credit_hours(*, volunteer: Volunteer, hours: Decimal, source: str, source_key: str,
                 served_on: date, acting_user, note: str = "") -> HoursEntry | None:
    """Credit ``hours`` for one service (``source_key`` names it); None if it was credited
    before. Deposits the time-bank units and awards the per-hour points with it."""
    hours = Decimal(hours)
    if source not in HoursSource.values or source == HoursSource.ADJUSTMENT:
        raise ValidationError({"source": _("未知的时长来源")})
    if not Decimal(0) < hours <= MAX_HOURS_AT_ONCE:
        raise ValidationError({"hours": _("服务时长须在 0 到 24 小时之间")})
    if hours != hours.quantize(TENTH):
        raise ValidationError({"hours": _("服务时长最多保留一位小数")})
    # Serialise credits of one volunteer: the time-bank cap is read, then written.
    Volunteer.objects.select_for_update().filter(pk=volunteer.pk).first()
    entry = _once(HoursEntry, volunteer=volunteer, hours=hours, source=source,
                  source_key=source_key, served_on=served_on, note=note[:200],
                  credited_by=actor(acting_user), created_at=timezone.now())
    if entry is None:
        return None
    deposit = _deposit(volunteer, entry, acting_user)
    per_hour = rule_points("per_hour")
    points = int((Decimal(per_hour) * hours).to_integral_value(rounding=ROUND_DOWN))
    award = award_points(holder=volunteer.user, points=points, reason=PointsReason.HOURS,
                         source_key=f"hours:{entry.pk}", note=note)
    audit.record(actor=acting_user, action="volunteering.credit_hours", obj=volunteer,
                 after={"hours": str(hours), "source_key": source_key,
                        "units": str(deposit.units) if deposit else "0",
                        "points": award.points if award else 0})
    notify([volunteer.user], kind="volunteering.hours_credited",
           title=_("已记录服务时长 %(hours)s 小时") % {"hours": hours}, body=note[:200],
           url="/volunteering/me/")
    return entry
