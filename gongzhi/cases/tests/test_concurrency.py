"""Two people acting on the same case at the same moment (real row locks: PostgreSQL)."""

import threading

import pytest
from django.db import connection

from gongzhi.cases import actions
from gongzhi.cases.actions import CaseConflict
from gongzhi.cases.models import Case, EventKind, Rating, Status
from gongzhi.core.models import AuditEvent

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def race(*calls) -> tuple[list, list[Exception]]:
    """Run the calls in threads released together; return results and errors."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(call())
        except Exception as exc:  # collected and asserted by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results, errors


def test_two_staff_dispatch_the_same_case_at_once(ledger):
    case = ledger.new_case("accepted")
    seen = case.version
    results, errors = race(
        lambda: actions.dispatch_case(case=Case.objects.get(pk=case.pk), to_org=ledger.dept,
                                      acting_user=ledger.staff_a, expected_version=seen),
        lambda: actions.dispatch_case(case=Case.objects.get(pk=case.pk),
                                      to_org=ledger.other_dept, acting_user=ledger.street_staff,
                                      expected_version=seen),
    )
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], CaseConflict)
    assert "该诉求件已被他人处理，请刷新后再试" in errors[0].messages[0]
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and case.version == seen + 1
    assert case.assignee_org_id == results[0].assignee_org_id
    assert case.events.filter(kind=EventKind.DISPATCHED).count() == 1
    dispatched = AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk),
                                           action="cases.dispatch_case")
    assert dispatched.count() == 1


def test_two_ratings_at_once(ledger):
    case = ledger.new_case("resolved")
    results, errors = race(
        lambda: actions.rate_case(case=Case.objects.get(pk=case.pk), rating=Rating.SATISFIED,
                                  acting_user=ledger.resident),
        lambda: actions.rate_case(case=Case.objects.get(pk=case.pk), rating=Rating.UNSATISFIED,
                                  access_token=case.access_token),
    )
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], CaseConflict)
    case.refresh_from_db()
    assert case.rating == results[0].rating
    assert case.status == (Status.ARCHIVED if case.rating == Rating.SATISFIED
                           else Status.IN_PROGRESS)
    assert case.events.filter(kind=EventKind.RATED).count() == 1
    assert AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk),
                                     action="cases.rate_case").count() == 1


def test_a_double_tapped_submission_makes_one_case(ledger):
    def submit():
        return ledger.new_case(idempotency_key="double-tap-1")

    results, errors = race(submit, submit)
    assert errors == []
    assert results[0].pk == results[1].pk
    assert Case.objects.filter(idempotency_key="double-tap-1").count() == 1
