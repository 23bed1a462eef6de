"""Crediting hours: once per service, units into the time bank up to the cap, points by the
per-hour rule, star levels at the national thresholds."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gongzhi.core.models import AuditEvent, Notification
from gongzhi.volunteering.actions.ledger import (
    credit_hours,
    hours_total,
    points_balance,
    star_level,
    time_bank_balance,
)
from gongzhi.volunteering.models import HoursEntry, PointsRule, TimeBankEntry


def credit(n, hours, key="order:1", volunteer=None):
    return credit_hours(volunteer=volunteer or n.v1, hours=Decimal(hours), source="order",
                        source_key=key, served_on=n.now.date(), acting_user=n.staff_a,
                        note="上门修水管")


@pytest.mark.parametrize(("hours", "stars"), [
    ("0", 0), ("99.9", 0), ("100", 1), ("100.1", 1), ("299.9", 1), ("300", 2), ("599.9", 2),
    ("600", 3), ("999.9", 3), ("1000", 4), ("1499.9", 4), ("1500", 5), ("20000", 5)])
def test_star_levels_at_and_around_each_threshold(hours, stars):
    assert star_level(Decimal(hours)) == stars


def test_credit_once_with_units_points_audit_and_inbox(vol):
    PointsRule.objects.create(code="per_hour", points=10)
    entry = credit(vol, "2.5")
    assert entry is not None and hours_total(vol.v1) == Decimal("2.5")
    assert time_bank_balance(vol.u1) == Decimal("2.5")
    assert points_balance(vol.u1) == 25
    assert credit(vol, "2.5") is None  # the same service again: nothing more
    assert hours_total(vol.v1) == Decimal("2.5") and points_balance(vol.u1) == 25
    assert AuditEvent.objects.filter(action="volunteering.credit_hours").count() == 1
    assert Notification.objects.filter(recipient=vol.u1,
                                       kind="volunteering.hours_credited").count() == 1


def test_time_bank_keeps_at_most_the_cap(vol, settings):
    settings.GONGZHI_TIME_BANK_CAP = 5
    credit(vol, "4", key="order:1")
    credit(vol, "3", key="order:2")  # one more unit fits
    credit(vol, "2", key="order:3")  # full: the hours count, no units are stored
    assert hours_total(vol.v1) == Decimal("9")
    assert time_bank_balance(vol.u1) == Decimal("5")
    assert list(TimeBankEntry.objects.order_by("id").values_list("units", flat=True)) == [
        Decimal("4"), Decimal("1")]


@pytest.mark.parametrize("hours", ["0", "-1", "24.5", "1.25"])
def test_bad_hours_are_refused_and_nothing_is_written(vol, hours):
    with pytest.raises(ValidationError):
        credit(vol, hours)
    assert not HoursEntry.objects.exists() and not TimeBankEntry.objects.exists()
