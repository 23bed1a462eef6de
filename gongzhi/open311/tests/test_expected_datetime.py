"""expected_datetime: promised from the moment a request is filed, on the working-day calendar.

2026 (see gongzhi/cases/tests/test_deadlines.py): National Day Thu 1 – Wed 7 October off,
make-up workday Sat 10 October. Street lights take 3 working days, roads 7.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from gongzhi.cases import actions
from gongzhi.cases.models import Case, Priority, Source
from gongzhi.core.actions import set_workday_override
from gongzhi.core.workdays import workdays_between
from gongzhi.open311.tests.helpers import BASE, fields, xml

SH = ZoneInfo("Asia/Shanghai")
IN_GRID_A1 = {"lat": "26.004", "long": "111.003"}


def at(y, m, d, hh=10, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def due_day(y, m, d) -> datetime:
    return datetime(y, m, d, 23, 59, 59, tzinfo=SH)


@pytest.fixture
def clock(monkeypatch):
    """Set "now" for the views and the actions (and every auto_now field)."""
    def set_now(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)
    return set_now


def post(client, o311, service_code: str = "street_light") -> tuple[Case, dict]:
    response = client.post(BASE + "requests.json", {
        "api_key": o311.key, "service_code": service_code, **IN_GRID_A1,
        "description": "3栋门口路灯不亮", "phone": "13712345678"})
    assert response.status_code == 200, response.content
    [answer] = response.json()
    return Case.objects.get(pk=answer["service_request_id"]), answer


def expected(client, case: Case) -> datetime | None:
    """expected_datetime as GET shows it: one request, the list, and the XML; all agree."""
    [one] = client.get(f"{BASE}requests/{case.pk}.json").json()
    [listed] = client.get(f"{BASE}requests.json?service_request_id={case.pk}").json()
    [element] = xml(client.get(f"{BASE}requests/{case.pk}.xml"))
    assert one["expected_datetime"] == listed["expected_datetime"]
    assert fields(element).expected_datetime == one["expected_datetime"]
    value = one["expected_datetime"]
    return None if value is None else datetime.fromisoformat(value)


def notice(case: Case, hours: int, days: int) -> str:
    return f"受理编号 {case.reference}；{hours} 小时内响应，{days} 个工作日内办结。"


def test_a_posted_request_expects_the_category_limit_across_national_day(client, o311, clock):
    # Filed Wed 30 Sep: 1–7 Oct off; Thu 8 1, Fri 9 2, Sat 10 (make-up) 3.
    clock(at(2026, 9, 30, 10))
    case, answer = post(client, o311)
    assert answer["service_notice"] == notice(case, 4, 3)
    assert expected(client, case) == due_day(2026, 10, 10)
    assert case.expected_resolution == due_day(2026, 10, 10)
    # The notice's days, counted on the calendar from the report, reach the same day.
    assert workdays_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    [item] = client.get(f"{BASE}requests/{case.pk}.json").json()
    assert item["service_notice"] == answer["service_notice"]
    # Still only a promise: no resolution deadline (nor its reminders, overdue counts, KPIs)
    # before the case is accepted.
    assert case.resolution_due is None and case.accepted_at is None


def test_a_weekend_and_an_administrators_rest_day_are_skipped(client, o311, clock):
    # Roads, filed Fri 13 Nov: Mon 16 1, Tue 17 2, Wed 18 3, Thu 19 4, Fri 20 5, Mon 23 6,
    # Tue 24 7.
    clock(at(2026, 11, 13, 17))
    case, answer = post(client, o311, "road")
    assert answer["service_notice"] == notice(case, 2, 7)
    assert expected(client, case) == due_day(2026, 11, 24)
    # Wed 18 Nov declared a rest day: the next request files to Wed 25.
    set_workday_override(day=date(2026, 11, 18), is_workday=False, note="临时调整",
                         acting_user=o311.admin)
    later, _ = post(client, o311, "road")
    assert expected(client, later) == due_day(2026, 11, 25)
    assert expected(client, case) == due_day(2026, 11, 24)  # a promise made stays made


def test_the_report_day_is_the_shanghai_date(client, o311, clock):
    # 00:30 Sat 10 Oct in Shanghai (still Fri 9 in UTC) counts from the make-up Saturday:
    # Mon 12 1, Tue 13 2, Wed 14 3.
    clock(at(2026, 10, 10, 0, 30))
    case, _ = post(client, o311)
    assert expected(client, case) == due_day(2026, 10, 14)


def test_accepting_counts_again_from_the_acceptance(client, o311, clock):
    clock(at(2026, 9, 30, 10))
    case, _ = post(client, o311)
    assert expected(client, case) == due_day(2026, 10, 10)
    # Accepted Fri 9 Oct as a street light: Sat 10 1, Mon 12 2, Tue 13 3.
    clock(at(2026, 10, 9, 9))
    case = actions.accept_case(case=case, category=o311.light, acting_user=o311.triager(case))
    assert case.resolution_due == due_day(2026, 10, 13)
    assert case.expected_resolution == case.resolution_due
    assert expected(client, case) == due_day(2026, 10, 13)
    [item] = client.get(f"{BASE}requests/{case.pk}.json").json()
    assert item["service_notice"] == notice(case, 4, 3)
    assert workdays_between(date(2026, 10, 9), date(2026, 10, 13)) == 3


def test_accepting_under_another_category_takes_its_limit(client, o311, clock):
    clock(at(2026, 9, 30, 10))
    case, _ = post(client, o311)
    # Accepted Fri 9 Oct as a road (7): Sat 10, Mon 12 … Fri 16, Mon 19 7.
    clock(at(2026, 10, 9, 9))
    case = actions.accept_case(case=case, category=o311.road, acting_user=o311.triager(case))
    assert expected(client, case) == due_day(2026, 10, 19)
    [item] = client.get(f"{BASE}requests/{case.pk}.json").json()
    assert item["service_notice"] == notice(case, 2, 7)


def test_reclassifying_to_another_limit_moves_it(client, o311, clock):
    clock(at(2026, 9, 30, 10))
    case, _ = post(client, o311)
    clock(at(2026, 10, 9, 9))
    case = actions.accept_case(case=case, category=o311.light, acting_user=o311.triager(case))
    assert expected(client, case) == due_day(2026, 10, 13)
    # Not dispatched yet: the road's 7 working days from the acceptance, Mon 19 Oct.
    clock(at(2026, 10, 9, 15))
    case = actions.reclassify_case(case=case, category=o311.road,
                                   acting_user=o311.triager(case))
    assert case.resolution_due == due_day(2026, 10, 19)
    assert expected(client, case) == due_day(2026, 10, 19)
    assert case.expected_resolution == case.resolution_due


def test_an_approved_extension_moves_it_a_refused_one_does_not(client, o311, clock):
    clock(at(2026, 9, 30, 10))
    case, _ = post(client, o311)
    clock(at(2026, 10, 9, 9))
    case = o311.advance(case, "in_progress", category=o311.light)  # due Tue 13 Oct
    assert expected(client, case) == due_day(2026, 10, 13)
    ext = actions.request_extension(case=case, workdays=2, reason="等待配件",
                                    acting_user=o311.dept_member)
    actions.decide_extension(extension=ext, approve=False, acting_user=o311.staff_a)
    assert expected(client, case) == due_day(2026, 10, 13)
    ext = actions.request_extension(case=case, workdays=2, reason="等待配件",
                                    acting_user=o311.dept_member)
    actions.decide_extension(extension=ext, approve=True, acting_user=o311.staff_a)
    # Two more working days from Tue 13: Wed 14, Thu 15.
    case.refresh_from_db()
    assert case.resolution_due == due_day(2026, 10, 15)
    assert case.expected_resolution == case.resolution_due
    assert expected(client, case) == due_day(2026, 10, 15)


@pytest.mark.parametrize(("priority", "days", "day"), [
    # Filed Wed 30 Sep; 7 working days: Thu 8, Fri 9, Sat 10, Mon 12 … Thu 15 Oct.
    (Priority.NORMAL, 7, due_day(2026, 10, 15)),
    # Urgent: 1 working day, Thu 8 Oct.
    (Priority.URGENT, 1, due_day(2026, 10, 8)),
])
def test_an_unclassified_report_expects_the_default_limit_its_notice_states(
        client, o311, clock, priority, days, day):
    clock(at(2026, 9, 30, 10))
    case = actions.submit_case(title="井盖缺失", description="小区门口井盖缺失",
                               area=o311.b1, source=Source.RESIDENT_PAGE,
                               acting_user=o311.resident, priority=priority)
    assert days == actions.resolution_workdays(None, priority)
    assert expected(client, case) == day
    [item] = client.get(f"{BASE}requests/{case.pk}.json").json()
    assert item["service_notice"] == (f"受理编号 {case.reference}；社区将尽快受理并分类，"
                                      f"预计 {days} 个工作日内办结。")
    assert workdays_between(date(2026, 9, 30), day.date()) == days


def test_a_request_rejected_or_merged_before_acceptance_expects_nothing(client, o311, clock):
    clock(at(2026, 9, 30, 10))
    case, _ = post(client, o311)
    case = actions.reject_case(case=case, reason="不属于受理范围",
                               acting_user=o311.triager(case))
    assert expected(client, case) is None
    [item] = client.get(f"{BASE}requests/{case.pk}.json").json()
    assert item["service_notice"] is None
    merged, _ = post(client, o311)
    o311.advance(merged, "merged")
    assert expected(client, merged) is None
