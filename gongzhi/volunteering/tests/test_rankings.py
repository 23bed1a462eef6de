"""Hours rankings by community, team and period (stars from all-time hours), the printable
service record and the balances a volunteer sees."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from gongzhi.volunteering.actions.bank import spend_units
from gongzhi.volunteering.actions.ledger import award_points, credit_hours
from gongzhi.volunteering.actions.volunteers import set_volunteer_status
from gongzhi.volunteering.selectors import balances, rankings, service_record

LAST_YEAR = date(2025, 6, 1)
THIS_MONTH = date(2026, 11, 10)


def credit(n, volunteer, hours, key, served_on, source="order"):
    credit_hours(volunteer=volunteer, hours=Decimal(hours), source=source, source_key=key,
                 served_on=served_on, acting_user=n.staff_a, note=f"服务 {key}")


@pytest.fixture
def served(vol):
    """vol1: 100 hours last year (one star) and 3 this month; vol2: 5 this month;
    vol_b (community B): 10 this month."""
    n = vol
    for i in range(5):
        credit(n, n.v1, "20", f"activity:{i}", LAST_YEAR + timedelta(days=i), "activity")
    credit(n, n.v1, "3", "order:1", THIS_MONTH)
    credit(n, n.v2, "5", "order:2", THIS_MONTH)
    credit(n, n.vb, "10", "order:3", THIS_MONTH + timedelta(days=1))
    return n


def table(ranked):
    return [(v.user.username, v.period_hours, v.total_hours, v.stars) for v in ranked]


def test_community_staff_rank_their_own_community_all_time(served):
    n = served
    assert table(rankings(n.staff_a)) == [
        ("vol1", Decimal("103"), Decimal("103"), 1), ("vol2", Decimal("5"), Decimal("5"), 0)]


def test_a_period_counts_hours_served_in_it_but_stars_stay_all_time(served):
    n = served
    month = rankings(n.street_staff, start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert table(month) == [("vol_b", Decimal("10"), Decimal("10"), 0),
                            ("vol2", Decimal("5"), Decimal("5"), 0),
                            ("vol1", Decimal("3"), Decimal("103"), 1)]
    # Both ends are inclusive; a volunteer with no hours in the period is not listed.
    day = rankings(n.street_staff, start=THIS_MONTH, end=THIS_MONTH)
    assert [v.user.username for v in day] == ["vol2", "vol1"]
    last_year = rankings(n.street_staff, end=date(2025, 12, 31))
    assert table(last_year) == [("vol1", Decimal("100"), Decimal("103"), 1)]


def test_by_community_and_by_team(served):
    n = served
    assert [v.user.username for v in rankings(n.street_staff, area=n.comm_b)] == ["vol_b"]
    assert [v.user.username for v in rankings(n.street_staff, area=n.comm_a)] == [
        "vol1", "vol2"]
    assert [v.user.username for v in rankings(n.street_staff, team=n.team)] == ["vol1", "vol2"]
    assert table(rankings(n.street_staff, team=n.team_b)) == [
        ("vol_b", Decimal("10"), Decimal("10"), 0)]
    # Staff of A asking for B get nothing: the scope still applies.
    assert rankings(n.staff_a, area=n.comm_b) == []
    assert [v.user.username for v in rankings(n.street_staff, limit=1)] == ["vol1"]


def test_residents_see_their_own_community_and_suspended_volunteers_drop_out(served):
    n = served
    assert [v.user.username for v in rankings(n.resident)] == ["vol1", "vol2"]
    assert [v.user.username for v in rankings(n.ub)] == ["vol_b"]
    set_volunteer_status(volunteer=n.v2, status="suspended", acting_user=n.staff_a)
    assert [v.user.username for v in rankings(n.resident)] == ["vol1"]


def test_rankings_are_one_query(served, django_assert_num_queries):
    n = served
    rankings(n.street_staff)  # the user's grants are read once and kept on the user
    with django_assert_num_queries(1):
        ranked = rankings(n.street_staff, start=THIS_MONTH)
        assert [v.area.name for v in ranked] == ["德鑫社区", "活龙社区", "活龙社区"]


def test_service_record_lists_every_entry_with_totals_and_stars(served):
    n = served
    record = service_record(n.v1)
    assert [e.hours for e in record["entries"]] == [Decimal("20")] * 5 + [Decimal("3")]
    assert record["entries"][0].served_on == LAST_YEAR
    assert record["total"] == Decimal("103") and record["stars"] == 1
    assert record["by_source"] == {"志愿活动": Decimal("100"), "服务订单": Decimal("3")}
    assert (record["first_served"], record["last_served"]) == (LAST_YEAR, THIS_MONTH)
    empty = service_record(n.vb)
    assert empty["total"] == Decimal("10") and empty["stars"] == 0


def test_balances(served, settings):
    n = served
    award_points(holder=n.u1, points=40, reason="activity", source_key="gift:1")
    spend_units(holder=n.u1, units="3", note="理发", acting_user=n.staff_a)
    assert balances(n.u1) == {"hours": Decimal("103"), "stars": 1, "units": Decimal("100"),
                              "points": 40}
    assert balances(n.resident) == {"hours": None, "stars": None, "units": Decimal("0"),
                                    "points": 0}


def test_tenths_add_up_exactly(vol):
    n = vol
    for i, hours in enumerate(["0.1", "0.2", "0.4"]):
        credit(n, n.v2, hours, f"order:{i}", THIS_MONTH)
    (ranked,) = rankings(n.staff_a)
    assert (str(ranked.period_hours), str(ranked.total_hours)) == ("0.7", "0.7")
