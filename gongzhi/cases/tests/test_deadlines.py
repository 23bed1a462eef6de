"""Deadlines on the Chinese working-day calendar (2026 holidays and make-up workdays).

2026 as announced by the State Council: Spring Festival Sun 15 – Mon 23 February off, with
make-up workdays Sat 14 and Sat 28 February; Mid-Autumn Fri 25 – Sun 27 September off;
National Day Thu 1 – Wed 7 October off, with make-up workdays Sun 20 September and
Sat 10 October.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from gongzhi.cases import actions
from gongzhi.cases.models import Priority, Rating
from gongzhi.cases.selectors import deadline_state
from gongzhi.core.actions import set_workday_override

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=10, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def due_day(y, m, d) -> datetime:
    return datetime(y, m, d, 23, 59, 59, tzinfo=SH)


@pytest.fixture
def clock(monkeypatch):
    """Set "now" for the actions (and every auto_now field)."""
    def set_now(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)
    return set_now


def accepted(ledger, clock, moment: datetime, *, category=None, priority=None):
    clock(moment)
    case = ledger.new_case(created_at=moment - timedelta(minutes=30))
    return actions.accept_case(case=case, category=category or ledger.road, priority=priority,
                               acting_user=ledger.staff_a)


def test_seven_workdays_across_the_spring_festival(ledger, clock):
    # Accepted Fri 13 Feb. Working days after it: Sat 14 (make-up) 1; 15–23 off;
    # Tue 24 2, Wed 25 3, Thu 26 4, Fri 27 5, Sat 28 (make-up) 6; Sun 1 Mar off; Mon 2 Mar 7.
    case = accepted(ledger, clock, at(2026, 2, 13, 16, 30))
    assert case.resolution_due == due_day(2026, 3, 2)
    assert case.response_due == at(2026, 2, 13, 16, 0) + timedelta(hours=2)


def test_seven_workdays_across_national_day(ledger, clock):
    # Accepted Wed 30 Sep. 1–7 Oct off; Thu 8 1, Fri 9 2, Sat 10 (make-up) 3, Sun 11 off,
    # Mon 12 4, Tue 13 5, Wed 14 6, Thu 15 7.
    case = accepted(ledger, clock, at(2026, 9, 30, 9))
    assert case.resolution_due == due_day(2026, 10, 15)


def test_three_workdays_across_mid_autumn_with_the_sunday_make_up(ledger, clock):
    # Street lights: 3 working days. Accepted Sat 19 Sep (a rest day); Sun 20 (make-up) 1,
    # Mon 21 2, Tue 22 3.
    case = accepted(ledger, clock, at(2026, 9, 19, 11), category=ledger.light)
    assert case.resolution_due == due_day(2026, 9, 22)
    # Accepted Thu 24 Sep: 25–27 off (Mid-Autumn); Mon 28 1, Tue 29 2, Wed 30 3.
    case = accepted(ledger, clock, at(2026, 9, 24, 11), category=ledger.light)
    assert case.resolution_due == due_day(2026, 9, 30)


def test_acceptance_day_is_the_shanghai_date(ledger, clock):
    # 00:30 on Sat 14 Feb in Shanghai is still Fri 13 Feb in UTC (which would give Mon 2 Mar),
    # but counts from Sat 14: Tue 24 1, Wed 25 2, Thu 26 3, Fri 27 4, Sat 28 (make-up) 5,
    # Mon 2 Mar 6, Tue 3 Mar 7.
    case = accepted(ledger, clock, at(2026, 2, 14, 0, 30))
    assert case.resolution_due == due_day(2026, 3, 3)


def test_urgent_limits(ledger, clock):
    # Urgent roads: 1 hour to respond, 1 working day to resolve. Fri 13 Feb → Sat 14 (make-up).
    case = accepted(ledger, clock, at(2026, 2, 13, 9), priority=Priority.URGENT)
    assert case.priority == Priority.URGENT
    assert case.response_due == at(2026, 2, 13, 8, 30) + timedelta(hours=1)
    assert case.resolution_due == due_day(2026, 2, 14)
    # Accepted on the make-up Saturday itself: the next working day is Tue 24 Feb.
    case = accepted(ledger, clock, at(2026, 2, 14, 9), priority=Priority.URGENT)
    assert case.resolution_due == due_day(2026, 2, 24)


def test_extension_counts_from_the_old_deadline(ledger, clock):
    # Due Mon 2 Mar (see above); 3 more working days: Tue 3, Wed 4, Thu 5 Mar.
    case = accepted(ledger, clock, at(2026, 2, 13, 16, 30))
    case = ledger.advance(case, "in_progress")
    ext = actions.request_extension(case=case, workdays=3, reason="等待配件",
                                    acting_user=ledger.dept_member)
    actions.decide_extension(extension=ext, approve=True, acting_user=ledger.staff_a)
    case.refresh_from_db()
    assert case.resolution_due == due_day(2026, 3, 5)


def test_reopen_gives_a_fresh_period_from_the_reopen_day(ledger, clock):
    case = accepted(ledger, clock, at(2026, 9, 21, 9))
    case = ledger.advance(case, "resolved")
    # Rated 不满意 on Tue 29 Sep: 7 working days from there: Wed 30 1; 1–7 Oct off;
    # Thu 8 2, Fri 9 3, Sat 10 (make-up) 4, Mon 12 5, Tue 13 6, Wed 14 7.
    clock(at(2026, 9, 29, 15))
    case = actions.rate_case(case=case, rating=Rating.UNSATISFIED, acting_user=ledger.resident)
    assert case.resolution_due == due_day(2026, 10, 14)


def test_an_override_day_counts(ledger, clock):
    # The administrator declares Tue 24 Feb a rest day: Fri 13 urgent → Sat 14 still;
    # 3-day street lights from Fri 13: Sat 14 1, Wed 25 2, Thu 26 3.
    set_workday_override(day=date(2026, 2, 24), is_workday=False, note="临时调整",
                         acting_user=ledger.admin)
    case = accepted(ledger, clock, at(2026, 2, 13, 9), category=ledger.light)
    assert case.resolution_due == due_day(2026, 2, 26)


def test_deadline_states(ledger, clock):
    case = accepted(ledger, clock, at(2026, 2, 13, 16, 30))  # due Mon 2 Mar 23:59:59
    assert deadline_state(case, now=at(2026, 2, 27, 12)) == "on_time"
    assert deadline_state(case, now=at(2026, 3, 2, 0, 0)) == "due_soon"
    assert deadline_state(case, now=at(2026, 3, 3, 0, 0)) == "overdue"
    case = ledger.advance(case, "resolved")
    assert deadline_state(case, now=at(2026, 3, 3, 0, 0)) == "closed"


def test_a_report_must_be_answered_within_the_response_hours_from_its_arrival(ledger, settings):
    case = ledger.new_case()
    assert case.resolution_due is None
    assert case.response_due == case.created_at + timedelta(hours=settings.GONGZHI_RESPONSE_HOURS)
    assert deadline_state(case) == "due_soon"
    assert deadline_state(case, case.created_at + timedelta(hours=3)) == "overdue"
    settings.GONGZHI_RESPONSE_HOURS = 48
    fresh = ledger.new_case()
    assert fresh.response_due == fresh.created_at + timedelta(hours=48)
    assert deadline_state(fresh) == "on_time"


def test_a_report_filed_with_its_category_follows_the_category_limit(ledger):
    case = actions.submit_case(title="路灯不亮", description="3栋门口路灯不亮", area=ledger.b1,
                               source="patrol", acting_user=ledger.worker_a1,
                               category=ledger.light, priority="urgent")
    assert case.response_due == case.created_at + timedelta(
        hours=ledger.light.urgent_response_hours)


def test_the_sql_rule_and_the_python_rule_agree(ledger):
    """deadline_q (ledger filters, wall chart counts) and deadline_state (the colours)."""
    from gongzhi.cases.models import Case
    from gongzhi.cases.selectors import deadline_q

    now = timezone.now()
    hours = [-30, -3, -1, 1, 5, 23, 25, 72]
    made = []
    for status in ["submitted", "accepted", "in_progress", "resolved"]:
        for h in hours:
            case = ledger.new_case(status, category=ledger.road) if status != "submitted" \
                else ledger.new_case()
            due = now + timedelta(hours=h)
            Case.objects.filter(pk=case.pk).update(
                **({"response_due": due} if status == "submitted" else {"resolution_due": due}))
            made.append(case.pk)
    answered = ledger.new_case("in_progress", category=ledger.road)
    Case.objects.filter(pk=answered.pk).update(resolution_due=None,
                                               response_due=now - timedelta(hours=5))
    made.append(answered.pk)
    cases = Case.objects.filter(pk__in=made)
    for state in ["overdue", "due_soon", "on_time"]:
        in_sql = set(cases.filter(deadline_q(state, now)).values_list("pk", flat=True))
        in_python = {c.pk for c in cases if deadline_state(c, now) == state}
        assert in_sql == in_python, state
    assert {c.pk for c in cases if deadline_state(c, now) == "closed"} == set(
        cases.exclude(status__in=["submitted", "accepted", "in_progress"])
        .values_list("pk", flat=True))
