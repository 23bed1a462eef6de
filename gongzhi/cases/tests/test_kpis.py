"""KPIs on a data set whose every figure is worked out by hand below."""

import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from gongzhi.cases.kpis import Rate, kpis, rollup
from gongzhi.cases.models import Case, Category, Rating, Source, Status

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 31, 12, 0, tzinfo=SH)
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def at(month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=SH)


def put(area, created: datetime, *, status: str = Status.SUBMITTED, category=None,
        source: str = Source.RESIDENT_PAGE, handling=None, **fields) -> Case:
    """A case row exactly as given (test setup: the actions would stamp the real time)."""
    return Case.objects.create(
        created_at=created, title="测试", description="测试", status=status, category=category,
        source=source, area=area, area_path=area.path, handling_area=handling or area,
        access_token=secrets.token_hex(8), **fields,
    )


@pytest.fixture
def data(street):
    return build_data(street)


def build_data(street):
    """Ten cases in March 2026 under the street, three outside the period.

    no. where status       cat   source   response (due/at)    resolution (due/at)   rating
     1  b1  archived       road  hotline  11:00 / 10:00 ok     03-10 / 03-05 09 (72h) 满意
     2  b1  archived       road  page     11:00 / 12:00 late   03-06 / 03-09 09 (144h) 基本满意
     3  b2  in_progress    garb  page     10:00 / 09:00 ok     04-10 / — (reopened)   不满意
     4  b2  resolved       garb  patrol   12:00 / 10:30 ok     03-08 / 03-05 16 (6h)   —
     5  b3  dispatched     road  hotline  03-20 12:00 / — (overdue)  03-25 (overdue)  —
     6  b3  submitted      —     page     —
     7  b1  rejected       —     page     —
     8  b1  merged         road  page     accepted, response overdue — but merged: no rates
     9  b3  accepted       road  page     due 13:00 today, not yet owed; 04-09
    11  b2  submitted      —     page     created 03-01 00:10 local (still February in UTC)
    """
    n = street
    road = Category.objects.create(code="road", name="道路破损")
    garbage = Category.objects.create(code="garbage", name="垃圾清运")
    day_end = {"hour": 23, "minute": 59, "second": 59}
    n.c1 = put(n.b1, at(3, 2, 9), status=Status.ARCHIVED, category=road, source=Source.HOTLINE,
               accepted_at=at(3, 2, 9, 30), response_due=at(3, 2, 11), responded_at=at(3, 2, 10),
               resolution_due=at(3, 10, **day_end), resolved_at=at(3, 5, 9),
               rating=Rating.SATISFIED)
    put(n.b1, at(3, 3, 9), status=Status.ARCHIVED, category=road,
        accepted_at=at(3, 3, 9), response_due=at(3, 3, 11), responded_at=at(3, 3, 12),
        resolution_due=at(3, 6, **day_end), resolved_at=at(3, 9, 9), rating=Rating.BASIC)
    put(n.b2, at(3, 4, 8), status=Status.IN_PROGRESS, category=garbage,
        accepted_at=at(3, 4, 8), response_due=at(3, 4, 10), responded_at=at(3, 4, 9),
        resolution_due=at(4, 10, **day_end), rating=Rating.UNSATISFIED, reopen_count=1)
    put(n.b2, at(3, 5, 10), status=Status.RESOLVED, category=garbage, source=Source.PATROL,
        accepted_at=at(3, 5, 10), response_due=at(3, 5, 12), responded_at=at(3, 5, 10, 30),
        resolution_due=at(3, 8, **day_end), resolved_at=at(3, 5, 16))
    put(n.b3, at(3, 20, 10), status=Status.DISPATCHED, category=road, source=Source.HOTLINE,
        accepted_at=at(3, 20, 10), response_due=at(3, 20, 12),
        resolution_due=at(3, 25, **day_end))
    put(n.b3, at(3, 30, 10))
    put(n.b1, at(3, 6, 10), status=Status.REJECTED, rejection_reason="不属于受理范围")
    put(n.b1, at(3, 7, 10), status=Status.MERGED, category=road, accepted_at=at(3, 7, 10),
        response_due=at(3, 7, 12), resolution_due=at(3, 12, **day_end))
    put(n.b3, at(3, 31, 11), status=Status.ACCEPTED, category=road, accepted_at=at(3, 31, 11),
        response_due=at(3, 31, 13), resolution_due=at(4, 9, **day_end))
    put(n.b2, at(3, 1, 0, 10))
    # Outside the period, just before and just after it (local time).
    put(n.b1, at(2, 28, 23, 50), status=Status.RESOLVED, category=road,
        accepted_at=at(3, 1, 8), response_due=at(3, 1, 10), responded_at=at(3, 1, 9),
        resolved_at=at(3, 2, 9), resolution_due=at(3, 3, **day_end), rating=Rating.UNSATISFIED)
    put(n.b3, at(4, 1, 0, 0))
    put(n.b2, at(4, 2, 9))
    n.road, n.garbage = road, garbage
    return n


def tallies(items) -> dict[str, int]:
    return {t.label: t.count for t in items}


def test_street_figures_match_the_hand_count(data, django_assert_num_queries):
    with django_assert_num_queries(2):
        k = kpis(data.street, *MARCH, now=NOW)
    assert k.total == 10
    assert k.response_rate == Rate(3, 5)
    assert k.response_rate.value == Fraction(3, 5)
    assert str(k.response_rate) == "3/5 = 60.0%"
    assert k.resolution_rate == Rate(3, 6)
    assert k.satisfaction_rate == Rate(2, 3)
    assert k.satisfaction_rate.percent == Decimal("66.7")
    assert k.on_time_rate == Rate(2, 3)
    assert k.avg_handling == timedelta(hours=74)  # (72 + 144 + 6) / 3
    assert k.avg_handling_hours == Decimal("74.0")
    assert k.open_overdue == 1
    assert tallies(k.by_category) == {"道路破损": 5, "垃圾清运": 2, "未分类": 3}
    assert [t.label for t in k.by_category] == ["道路破损", "未分类", "垃圾清运"]
    assert tallies(k.by_source) == {"热线电话": 2, "居民上报": 7, "网格巡查": 1}
    assert {t.key: t.count for t in k.by_status} == {
        "submitted": 2, "accepted": 1, "dispatched": 1, "in_progress": 1, "escalated": 0,
        "resolved": 1, "archived": 2, "rejected": 1, "merged": 1,
    }


def test_community_sees_only_its_subtree(data):
    k = kpis(data.comm_a, *MARCH, now=NOW)
    assert k.total == 7  # cases 1 2 3 4 7 8 11
    assert k.response_rate == Rate(3, 4)
    assert k.resolution_rate == Rate(3, 4)
    assert k.satisfaction_rate == Rate(2, 3)
    assert k.on_time_rate == Rate(2, 3)
    assert k.avg_handling == timedelta(hours=74)
    assert k.open_overdue == 0
    b = kpis(data.comm_b, *MARCH, now=NOW)
    assert (b.total, b.response_rate, b.resolution_rate, b.open_overdue) == (
        3, Rate(0, 1), Rate(0, 2), 1)
    assert b.satisfaction_rate.value is None and b.avg_handling is None


def test_period_is_local_dates(data):
    # 03-01 00:10 local is still February in UTC: it belongs to March.
    first = kpis(data.street, date(2026, 3, 1), date(2026, 3, 1), now=NOW)
    assert first.total == 1
    feb = kpis(data.street, date(2026, 2, 1), date(2026, 2, 28), now=NOW)
    assert feb.total == 1 and feb.satisfaction_rate == Rate(0, 1)
    april = kpis(data.street, date(2026, 4, 1), date(2026, 4, 30), now=NOW)
    assert april.total == 2


def test_response_owed_depends_on_now(data):
    # At 13:00 the accepted case 9 has run out of response time too.
    later = kpis(data.street, *MARCH, now=NOW + timedelta(hours=1, minutes=1))
    assert later.response_rate == Rate(3, 6)


def test_empty_period_has_no_rates(data):
    k = kpis(data.street, date(2025, 1, 1), date(2025, 1, 31), now=NOW)
    assert k.total == 0
    for rate in (k.response_rate, k.resolution_rate, k.satisfaction_rate, k.on_time_rate):
        assert rate.value is None and rate.percent is None
        assert str(rate) == "0/0 = —"
    assert k.avg_handling is None and k.avg_handling_hours is None
    assert k.by_category == [] and k.by_source == []


def test_end_before_start_is_refused(data):
    with pytest.raises(ValueError):
        kpis(data.street, date(2026, 3, 2), date(2026, 3, 1))


def _sum(rows, name: str) -> Rate:
    rates = [getattr(k, name) for _node, k in rows]
    return Rate(sum(r.numerator for r in rates), sum(r.denominator for r in rates))


@pytest.mark.parametrize("parent", ["street", "comm_a"])
def test_rollup_rows_equal_each_child_and_sum_to_the_parent(data, parent,
                                                             django_assert_num_queries):
    node = getattr(data, parent)
    with django_assert_num_queries(3):
        rows = rollup(node, *MARCH, now=NOW)
    assert [child.pk for child, _k in rows] == list(
        node.children.order_by("path").values_list("pk", flat=True))
    whole = kpis(node, *MARCH, now=NOW)
    for child, k in rows:
        assert k == kpis(child, *MARCH, now=NOW)
    assert sum(k.total for _c, k in rows) == whole.total
    assert sum(k.open_overdue for _c, k in rows) == whole.open_overdue
    for name in ("response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate"):
        assert _sum(rows, name) == getattr(whole, name)
    counts: dict[str, int] = {}
    for _c, k in rows:
        for t in k.by_category:
            counts[t.label] = counts.get(t.label, 0) + t.count
    assert counts == tallies(whole.by_category)


def test_rollup_of_a_community_by_grid(data):
    rows = {child.code: k for child, k in rollup(data.comm_a, *MARCH, now=NOW)}
    assert rows["CA-G1"].total == 4  # cases 1 2 7 8
    assert rows["CA-G2"].total == 3  # cases 3 4 11
    assert rows["CA-G1"].on_time_rate == Rate(1, 2)
    assert rows["CA-G2"].on_time_rate == Rate(1, 1)
    assert rows["CA-G1"].avg_handling == timedelta(hours=108)
    assert rows["CA-G2"].avg_handling == timedelta(hours=6)


def test_query_count_does_not_grow_with_the_data(street, django_assert_num_queries):
    node = SimpleNamespace(street=street.street)
    for i in range(30):
        put(street.b3 if i % 2 else street.b1, at(3, 1 + i % 28, 9), status=Status.RESOLVED,
            responded_at=at(3, 1 + i % 28, 10), resolved_at=at(3, 1 + i % 28, 12),
            accepted_at=at(3, 1 + i % 28, 9))
    with django_assert_num_queries(2):
        k = kpis(node.street, *MARCH, now=NOW)
    assert k.total == 30 and k.avg_handling == timedelta(hours=3)
    with django_assert_num_queries(3):
        rows = rollup(node.street, *MARCH, now=NOW)
    assert [k.total for _c, k in rows] == [15, 15]
