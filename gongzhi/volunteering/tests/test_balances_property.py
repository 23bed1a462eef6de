"""Property: after any sequence of crediting, spending, transferring, redeeming and buying
and using coupons, every balance equals the sum of its ledger entries, never goes below
zero, no time-bank account passes the cap, no stock below zero — and each operation
succeeds exactly when a simple model of the rules says it should."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, event, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from gongzhi.accounts.actions import add_member, create_organisation
from gongzhi.accounts.models import OrgKind
from gongzhi.conftest import make_user
from gongzhi.volunteering.actions.bank import save_points_rule, spend_units, transfer_units
from gongzhi.volunteering.actions.ledger import (
    award_points,
    credit_hours,
    hours_total,
    points_balance,
    time_bank_balance,
)
from gongzhi.volunteering.actions.rewards import (
    buy_coupon,
    redeem_coupon_code,
    redeem_reward,
    save_coupon,
    save_reward,
)
from gongzhi.volunteering.models import (
    Coupon,
    HoursEntry,
    PointsEntry,
    Reward,
    TimeBankEntry,
)
from gongzhi.volunteering.selectors import balances
from gongzhi.volunteering.tests.test_bank import family_of

CAP = 8  # small, so that sequences run into it
PER_HOUR = 10
tenths = st.integers(min_value=1, max_value=40)
person = st.integers(min_value=0, max_value=3)  # vol1, vol1's son (same home), vol2, vol_b
family_first = st.sampled_from([0, 1, 0, 1, 2, 3])  # most transfers within vol1's home
operations = st.lists(st.one_of(
    st.tuples(st.just("credit"), st.integers(0, 2), tenths),
    st.tuples(st.just("spend"), person, tenths),
    st.tuples(st.just("transfer"), st.just(0), st.just(1), tenths),  # vol1 to the son
    st.tuples(st.just("transfer"), family_first, family_first, tenths),
    st.tuples(st.just("redeem"), person, st.integers(0, 1)),
    st.tuples(st.just("buy"), person),
    st.tuples(st.just("use"), st.integers(0, 2)),
), min_size=5, max_size=30)


@pytest.fixture
def world(vol, settings):
    n = vol
    settings.GONGZHI_TIME_BANK_CAP = CAP
    save_points_rule(code="per_hour", points=PER_HOUR, is_active=True, acting_user=n.admin)
    n.son = family_of(n)
    n.people = [n.u1, n.son, n.u2, n.ub]
    n.volunteers = [n.v1, n.v2, n.vb]  # their users are people 0, 2, 3
    n.counter = {n.u1.pk: n.staff_a, n.son.pk: n.staff_a, n.u2.pk: n.staff_a,
                 n.ub.pk: n.staff_b}
    # Community A's shelf, and the street's (which serves community B too).
    n.rewards = [save_reward(acting_user=n.staff_a, name="环保袋", points=30, stock=2,
                             area=n.comm_a),
                 save_reward(acting_user=n.street_staff, name="毛巾", points=20, stock=1,
                             area=n.street)]
    n.merchant = create_organisation(kind=OrgKind.MERCHANT, code="SH-1", name="老街理发店",
                                     areas=[n.comm_a], acting_user=None)
    n.clerk = make_user("clerk")
    add_member(organisation=n.merchant, user=n.clerk, acting_user=None)
    n.coupon = save_coupon(acting_user=n.staff_a, merchant=n.merchant, title="理发八折",
                           points=25, stock=3, valid_until=timezone.localdate(), area=n.comm_a)
    # Something to spend from the start: vol1 8 hours (5 of them
    # given to the son) and 5 more, vol2 and vol_b 3 each …
    for i, (volunteer, hours) in enumerate([(n.v1, 8), (n.v2, 3), (n.vb, 3)]):
        credit_hours(volunteer=volunteer, hours=Decimal(hours), source="activity",
                     source_key=f"activity:{i}", served_on=timezone.localdate(),
                     acting_user=n.staff_a)
    transfer_units(to_user=n.son, units=5, acting_user=n.u1)
    credit_hours(volunteer=n.v1, hours=Decimal(5), source="activity", source_key="activity:3",
                 served_on=timezone.localdate(), acting_user=n.staff_a)
    for user in n.people:  # and 100 points each for taking part
        award_points(holder=user, points=100, reason="activity", source_key="activity:9")
    return n


def attempt(call, kind: str = "") -> bool:
    try:
        call()
    except (ValidationError, PermissionDenied):
        event(f"{kind} refused")  # --hypothesis-show-statistics: both outcomes are reached
        return False
    event(f"{kind} done")
    return True


class Model:
    """The rules, independently of the code: what each balance should be."""

    def __init__(self, n):
        self.n = n
        self.units = dict(zip([u.pk for u in n.people], map(Decimal, [8, 5, 3, 3]),
                              strict=True))
        self.points = dict(zip([u.pk for u in n.people], [230, 100, 130, 130], strict=True))
        self.hours = dict(zip([v.pk for v in n.volunteers], map(Decimal, [13, 3, 3]),
                              strict=True))
        self.stock = [r.stock for r in n.rewards]
        self.coupons = n.coupon.stock
        self.codes: list = []
        self.used: set[int] = set()
        self.keys = 0

    def run(self, op) -> None:
        n, kind = self.n, op[0]
        if kind == "credit":
            volunteer, hours = n.volunteers[op[1]], Decimal(op[2]) / 10
            self.keys += 1
            credit_hours(volunteer=volunteer, hours=hours, source="order",
                         source_key=f"order:{self.keys}", served_on=timezone.localdate(),
                         acting_user=n.staff_a)
            holder = volunteer.user_id
            self.hours[volunteer.pk] += hours
            self.units[holder] += max(min(hours, CAP - self.units[holder]), Decimal(0))
            self.points[holder] += op[2] * PER_HOUR // 10
        elif kind == "spend":
            holder, units = n.people[op[1]], Decimal(op[2]) / 10
            expect = units <= self.units[holder.pk]
            assert attempt(lambda: spend_units(holder=holder, units=units, note="理发",
                                               acting_user=n.counter[holder.pk]), kind) == expect
            if expect:
                self.units[holder.pk] -= units
        elif kind == "transfer":
            giver, taker, units = n.people[op[1]], n.people[op[2]], Decimal(op[3]) / 10
            family = {giver.pk, taker.pk} == {n.u1.pk, n.son.pk}
            expect = (family and units <= self.units[giver.pk]
                      and self.units[taker.pk] + units <= CAP)
            if family and units <= self.units[giver.pk] and not expect:
                event("transfer would pass the cap")
            assert attempt(lambda: transfer_units(to_user=taker, units=units,
                                                  acting_user=giver), kind) == expect
            if expect:
                self.units[giver.pk] -= units
                self.units[taker.pk] += units
        elif kind == "redeem":
            holder, i = n.people[op[1]], op[2]
            reward = n.rewards[i]
            allowed = i == 1 or holder != n.ub
            expect = allowed and self.points[holder.pk] >= reward.points and self.stock[i] > 0
            assert attempt(lambda: redeem_reward(reward=reward, acting_user=holder), kind) == expect
            if expect:
                self.points[holder.pk] -= reward.points
                self.stock[i] -= 1
        elif kind == "buy":
            holder = n.people[op[1]]
            expect = (holder != n.ub and self.points[holder.pk] >= n.coupon.points
                      and self.coupons > 0)
            got = []
            assert attempt(lambda: got.append(buy_coupon(coupon=n.coupon,
                                                         acting_user=holder)), kind) == expect
            if expect:
                self.points[holder.pk] -= n.coupon.points
                self.coupons -= 1
                self.codes.append(got[0].code)
        elif kind == "use" and op[1] < len(self.codes):
            expect = op[1] not in self.used
            assert attempt(lambda: redeem_coupon_code(code=self.codes[op[1]],
                                                      acting_user=n.clerk), kind) == expect
            self.used.add(op[1])

    def check(self) -> None:
        n = self.n
        for user in n.people:
            units = sum(TimeBankEntry.objects.filter(holder=user)
                        .values_list("units", flat=True), Decimal(0))
            points = sum(PointsEntry.objects.filter(holder=user)
                         .values_list("points", flat=True))
            # (SQLite sums decimals as floats: a helper that does not round to the tenth
            # reports 0.999999999999999 for 0.3 + 0.7.)
            assert time_bank_balance(user) == units == self.units[user.pk]
            assert points_balance(user) == points == self.points[user.pk]
            seen = balances(user)
            assert (seen["units"], seen["points"]) == (units, points)
            assert 0 <= units <= CAP and points >= 0
        for volunteer in n.volunteers:
            hours = sum(HoursEntry.objects.filter(volunteer=volunteer)
                        .values_list("hours", flat=True), Decimal(0))
            assert hours_total(volunteer) == hours == self.hours[volunteer.pk]
            assert balances(volunteer.user)["hours"] == hours
        assert [Reward.objects.get(pk=r.pk).stock for r in n.rewards] == self.stock
        assert Coupon.objects.get(pk=n.coupon.pk).stock == self.coupons >= 0


@hsettings(max_examples=40, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture],
           phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink])  # no "explain"
@given(ops=operations)
def test_balances_are_always_the_sum_of_their_entries(world, ops):
    # Each example starts from the same world: its writes are rolled back afterwards.
    with transaction.atomic():
        model = Model(world)
        for op in ops:
            model.run(op)
            model.check()
        transaction.set_rollback(True)
