"""Case.expected_resolution: the time a reporter is told to expect, from the report on.

It is a promise, not a deadline: resolution_due stays empty until the case is accepted, and
the overdue rules, reminders and KPIs read only that (see test_deadlines.py for 2026's days).
"""

import importlib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.utils import timezone

from gongzhi.cases import actions
from gongzhi.cases.kpis import kpis
from gongzhi.cases.models import Case, Rating, Reminder, ReminderKind
from gongzhi.cases.reminders import send_deadline_reminders
from gongzhi.cases.selectors import deadline_q, deadline_state

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=10, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def due_day(y, m, d) -> datetime:
    return datetime(y, m, d, 23, 59, 59, tzinfo=SH)


@pytest.fixture
def clock(monkeypatch):
    def set_now(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)
    return set_now


def test_a_call_entered_late_counts_from_when_it_was_reported(ledger, clock):
    # Taken on the hotline Wed 30 Sep, entered Thu 8 Oct: street lights, 3 working days
    # from the call (Thu 8, Fri 9, Sat 10 make-up), not from the entry.
    clock(at(2026, 10, 8, 9))
    case = actions.submit_case(title="路灯不亮", description="3栋门口路灯不亮", area=ledger.b1,
                               source="hotline", acting_user=ledger.staff_a,
                               category=ledger.light, created_at=at(2026, 9, 30, 16))
    assert case.expected_resolution == due_day(2026, 10, 10)
    assert case.resolution_due is None


def test_reopening_keeps_the_promise_in_step(ledger, clock):
    clock(at(2026, 9, 21, 9))
    case = ledger.advance(ledger.new_case(), "resolved")
    # Rated 不满意 Tue 29 Sep: 7 working days from there, Wed 14 Oct (as test_deadlines).
    clock(at(2026, 9, 29, 15))
    case = actions.rate_case(case=case, rating=Rating.UNSATISFIED, acting_user=ledger.resident)
    assert case.resolution_due == due_day(2026, 10, 14)
    assert case.expected_resolution == case.resolution_due


def test_an_unaccepted_case_past_its_promise_is_late_only_on_its_response(ledger, clock):
    clock(at(2026, 9, 30, 10))
    case = ledger.new_case()
    assert case.expected_resolution == due_day(2026, 10, 15)
    later = case.expected_resolution + timedelta(hours=1)
    # Overdue, as before, because nobody answered within the response hours ...
    assert deadline_state(case, later) == "overdue"
    assert Case.objects.filter(deadline_q("overdue", later), pk=case.pk).exists()
    # ... and no resolution reminder: there is no resolution deadline yet.
    send_deadline_reminders(now=later)
    assert set(Reminder.objects.values_list("kind", flat=True)) == {
        ReminderKind.RESPONSE_OVERDUE}


def test_a_past_promise_is_no_overdue_case_in_the_kpis(ledger, clock):
    clock(at(2026, 9, 30, 10))
    case = ledger.new_case()
    Case.objects.filter(pk=case.pk).update(expected_resolution=at(2026, 9, 30, 10, 10))
    now = at(2026, 9, 30, 10, 30)  # the promise is past, the response hours are not
    assert kpis(ledger.street, date(2026, 9, 1), date(2026, 10, 31), now=now).open_overdue == 0
    late = at(2026, 9, 30, 12, 30)  # past the response hours: overdue, as it always was
    assert kpis(ledger.street, date(2026, 9, 1), date(2026, 10, 31), now=late).open_overdue == 1


def test_the_migration_fills_existing_cases(ledger, clock):
    clock(at(2026, 9, 30, 10))
    waiting = ledger.new_case()  # unclassified: 7 working days, Thu 15 Oct
    filed = actions.submit_case(title="路灯不亮", description="3栋门口路灯不亮", area=ledger.b1,
                                source="patrol", acting_user=ledger.worker_a1,
                                category=ledger.light)  # 3 working days, Sat 10 Oct
    accepted = ledger.new_case("in_progress", category=ledger.road)
    rejected = ledger.new_case("rejected")
    Case.objects.update(expected_resolution=None)
    migration = importlib.import_module("gongzhi.cases.migrations.0005_case_expected_resolution")
    migration.fill(apps, None)
    got = dict(Case.objects.values_list("pk", "expected_resolution"))
    assert got[waiting.pk] == due_day(2026, 10, 15)
    assert got[filed.pk] == due_day(2026, 10, 10)
    assert got[accepted.pk] == Case.objects.get(pk=accepted.pk).resolution_due
    assert got[rejected.pk] is None
