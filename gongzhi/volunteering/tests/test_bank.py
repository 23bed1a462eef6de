"""The time bank: spending units at the counter, giving them to family, the storage cap;
points rules set by administrators only."""

import time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.areas.actions import add_resident
from gongzhi.cases.tests.test_concurrency import race
from gongzhi.conftest import make_user
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.volunteering.actions import bank
from gongzhi.volunteering.actions.bank import save_points_rule, spend_units, transfer_units
from gongzhi.volunteering.actions.ledger import credit_hours, rule_points, time_bank_balance
from gongzhi.volunteering.models import PointsRule, TimeBankEntry, TimeBankKind
from gongzhi.volunteering.selectors import balances


def credit(n, volunteer, hours, key):
    return credit_hours(volunteer=volunteer, hours=Decimal(hours), source="order",
                        source_key=key, served_on=n.now.date(), acting_user=n.staff_a)


def family_of(n, username="vol1_son", household=None):
    """A second user living in vol1's household (h1)."""
    relative = add_resident(household=household or n.h1, name="王小明", acting_user=None)
    return make_user(username, resident=relative, full_name="王小明")


def test_spend_within_balance_writes_a_negative_entry_audit_and_inbox(vol):
    credit(vol, vol.v1, "5", "order:1")
    entry = spend_units(holder=vol.u1, units="2.5", note="理发一次", acting_user=vol.staff_a)
    assert entry.units == Decimal("-2.5") and entry.kind == TimeBankKind.SPEND
    assert entry.source_key.startswith("spend:") and entry.created_by == vol.staff_a
    assert time_bank_balance(vol.u1) == Decimal("2.5")
    assert AuditEvent.objects.filter(action="volunteering.spend_units").count() == 1
    assert Notification.objects.filter(recipient=vol.u1,
                                       kind="volunteering.units_spent").exists()
    # The whole balance may be spent, not a tenth more.
    spend_units(holder=vol.u1, units="2.5", note="理发", acting_user=vol.staff_a)
    assert time_bank_balance(vol.u1) == 0


def test_spend_over_balance_is_refused_and_nothing_written(vol):
    credit(vol, vol.v1, "2", "order:1")
    with pytest.raises(ValidationError) as err:
        spend_units(holder=vol.u1, units="2.1", note="家政", acting_user=vol.staff_a)
    assert "余额不足" in str(err.value)
    assert not TimeBankEntry.objects.filter(kind=TimeBankKind.SPEND).exists()
    assert time_bank_balance(vol.u1) == Decimal("2")


@pytest.mark.parametrize("units", ["0", "-1", "1.25", "abc", "NaN", ""])
def test_bad_units_are_refused(vol, units):
    credit(vol, vol.v1, "5", "order:1")
    with pytest.raises(ValidationError):
        spend_units(holder=vol.u1, units=units, note="理发", acting_user=vol.staff_a)
    assert time_bank_balance(vol.u1) == Decimal("5")


def test_spend_only_by_staff_of_the_holders_community(vol):
    credit(vol, vol.v1, "5", "order:1")
    for outsider in (vol.staff_b, vol.u2, vol.u1, vol.worker_a1):
        with pytest.raises(PermissionDenied):
            spend_units(holder=vol.u1, units="1", note="理发", acting_user=outsider)
    spend_units(holder=vol.u1, units="1", note="理发", acting_user=vol.street_staff)
    assert time_bank_balance(vol.u1) == Decimal("4")


def test_same_counter_slip_twice_is_refused(vol):
    credit(vol, vol.v1, "5", "order:1")
    spend_units(holder=vol.u1, units="1", note="理发", acting_user=vol.staff_a,
                source_key="slip:7")
    with pytest.raises(ValidationError):
        spend_units(holder=vol.u1, units="1", note="理发", acting_user=vol.staff_a,
                    source_key="slip:7")
    assert time_bank_balance(vol.u1) == Decimal("4")


def test_transfer_to_a_household_member(vol):
    son = family_of(vol)
    credit(vol, vol.v1, "6", "order:1")
    out, into = transfer_units(to_user=son, units="2.5", acting_user=vol.u1)
    assert (out.kind, out.units, out.counterpart) == (TimeBankKind.TRANSFER_OUT,
                                                     Decimal("-2.5"), son)
    assert (into.kind, into.units, into.counterpart) == (TimeBankKind.TRANSFER_IN,
                                                        Decimal("2.5"), vol.u1)
    assert out.source_key.removesuffix(":out") == into.source_key.removesuffix(":in")
    assert time_bank_balance(vol.u1) == Decimal("3.5")
    assert time_bank_balance(son) == Decimal("2.5")
    note = Notification.objects.get(recipient=son, kind="volunteering.units_received")
    assert "王秀英" in note.title and "2.5" in note.title
    assert AuditEvent.objects.filter(action="volunteering.transfer_units").count() == 1


def test_transfer_to_a_stranger_or_self_is_refused(vol):
    credit(vol, vol.v1, "6", "order:1")
    staff_no_home = vol.staff_a
    for other in (vol.u2, vol.resident, staff_no_home, vol.u1):
        with pytest.raises(ValidationError):
            transfer_units(to_user=other, units="1", acting_user=vol.u1)
    assert time_bank_balance(vol.u1) == Decimal("6")
    assert TimeBankEntry.objects.count() == 1


def test_transfer_over_balance_or_over_the_cap_is_refused(vol, settings):
    settings.GONGZHI_TIME_BANK_CAP = 10
    son = family_of(vol)
    daughter = family_of(vol, "vol1_daughter")
    credit(vol, vol.v1, "8", "order:1")
    with pytest.raises(ValidationError) as err:
        transfer_units(to_user=son, units="8.5", acting_user=vol.u1)
    assert "余额不足" in str(err.value)
    # The son already holds 4 (given earlier): 6 more fit, 6.1 do not.
    transfer_units(to_user=son, units="4", acting_user=vol.u1)
    credit(vol, vol.v1, "6", "order:2")
    with pytest.raises(ValidationError) as err:
        transfer_units(to_user=son, units="6.1", acting_user=vol.u1)
    assert "最多存 10" in str(err.value)
    transfer_units(to_user=son, units="6", acting_user=vol.u1)
    assert time_bank_balance(son) == Decimal("10")
    # A full account passes nothing on, and gets nothing more.
    with pytest.raises(ValidationError):
        transfer_units(to_user=son, units="0.1", acting_user=vol.u1)
    transfer_units(to_user=daughter, units="3", acting_user=son)
    assert time_bank_balance(son) == Decimal("7")
    assert time_bank_balance(vol.u1) == Decimal("4")


def test_points_rules_are_set_by_administrators_only(vol):
    for not_admin in (vol.staff_a, vol.street_staff, vol.district_staff, vol.u1):
        with pytest.raises(PermissionDenied):
            save_points_rule(code="per_hour", points=10, is_active=True, acting_user=not_admin)
    assert not PointsRule.objects.exists()
    save_points_rule(code="per_hour", points="10", is_active=True, acting_user=vol.admin)
    assert rule_points("per_hour") == 10
    rule = save_points_rule(code="per_hour", points=12, is_active=False, acting_user=vol.admin)
    assert PointsRule.objects.count() == 1 and rule.points == 12
    assert rule_points("per_hour") == 0  # inactive: earns nothing
    event = AuditEvent.objects.filter(action="volunteering.save_points_rule").order_by("id").last()
    assert event.before["points"] == 10 and event.after == {
        "code": "per_hour", "points": 12, "is_active": False}


@pytest.mark.parametrize(("code", "points"), [("per_day", 5), ("per_hour", -1),
                                              ("per_hour", 1001), ("per_hour", "x")])
def test_bad_points_rules_are_refused(vol, code, points):
    with pytest.raises(ValidationError):
        save_points_rule(code=code, points=points, is_active=True, acting_user=vol.admin)
    assert not PointsRule.objects.exists()


def test_balances_stay_exact_to_the_tenth(vol):
    # SQLite sums decimals as floats: 0.3 - 0.1 - 0.2 would come back as -2.8E-17.
    credit(vol, vol.v1, "0.3", "order:1")
    spend_units(holder=vol.u1, units="0.1", note="理发", acting_user=vol.staff_a)
    spend_units(holder=vol.u1, units="0.2", note="理发", acting_user=vol.staff_a)
    assert str(time_bank_balance(vol.u1)) in ("0", "0.0")  # not "-0.0", not "…E-17"
    assert balances(vol.u1)["units"] == 0 and str(balances(vol.u1)["units"]) == "0.0"
    with pytest.raises(ValidationError):
        spend_units(holder=vol.u1, units="0.1", note="理发", acting_user=vol.staff_a)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_counters_spend_the_same_units_at_once(vol, monkeypatch):
    credit(vol, vol.v1, "5", "order:1")
    read = bank.time_bank_balance

    def slow(user):  # a pause between reading the balance and spending it
        balance = read(user)
        time.sleep(0.3)
        return balance

    monkeypatch.setattr(bank, "time_bank_balance", slow)
    results, errors = race(
        lambda: spend_units(holder=vol.u1, units="3", note="理发", acting_user=vol.staff_a),
        lambda: spend_units(holder=vol.u1, units="3", note="家政", acting_user=vol.street_staff),
    )
    assert len(results) == 1 and len(errors) == 1 and "余额不足" in str(errors[0])
    assert read(vol.u1) == Decimal("2")
