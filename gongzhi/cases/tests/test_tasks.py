"""Deadline reminders and the background scan (scan_deadlines, schedule_scan)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from gongzhi.cases import actions
from gongzhi.cases.models import Case, CaseEvent, EventKind, Reminder, ReminderKind, Status
from gongzhi.cases.reminders import _remind, send_deadline_reminders
from gongzhi.cases.tasks import scan_deadlines, schedule_scan
from gongzhi.core.models import AuditEvent, Notification

K = ReminderKind


def inbox(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=f"cases.{kind}")
               .values_list("recipient__username", flat=True))


def scan_audits() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="cases.scan_deadlines"))


def test_response_due_soon_reminds_the_handlers_once(ledger):
    case = ledger.new_case("dispatched")  # to 城管执法中队 (dept_member); not started
    now = case.response_due - timedelta(minutes=20)
    assert send_deadline_reminders(now=now) == 1
    reminder = Reminder.objects.get()
    assert (reminder.case_id, reminder.kind, reminder.due) == (case.pk, K.RESPONSE_DUE_SOON,
                                                               case.response_due)
    assert inbox(K.RESPONSE_DUE_SOON) == {"dept_member"}
    event = CaseEvent.objects.get(case=case, kind=EventKind.REMINDED)
    assert event.is_internal and event.actor is None and event.data["kind"] == K.RESPONSE_DUE_SOON
    [audit] = scan_audits()
    assert audit.actor is None and audit.after["reminders"] == 1
    assert audit.after["by_kind"] == {K.RESPONSE_DUE_SOON: 1}
    assert audit.after["cases"] == [case.pk]
    # The next scans send nothing again and write no audit event.
    assert send_deadline_reminders(now=now + timedelta(minutes=5)) == 0
    assert Notification.objects.filter(kind__startswith="cases.response").count() == 1
    assert CaseEvent.objects.filter(kind=EventKind.REMINDED).count() == 1
    assert len(scan_audits()) == 1


def test_nothing_is_due_soon_too_early(ledger):
    case = ledger.new_case("dispatched")
    assert send_deadline_reminders(now=case.response_due - timedelta(minutes=31)) == 0
    assert not Reminder.objects.exists() and not scan_audits()


def test_overdue_goes_to_the_handlers_and_the_level_above(ledger):
    case = ledger.new_case("in_progress")  # responded: only the resolution clock runs
    now = case.resolution_due + timedelta(minutes=1)
    assert send_deadline_reminders(now=now) == 1
    assert Reminder.objects.get().kind == K.RESOLUTION_OVERDUE
    # The community 活龙社区 handles it: the street above hears, the district does not.
    assert inbox(K.RESOLUTION_OVERDUE) == {"dept_member", "street"}


def test_accepted_case_without_handler_reminds_the_triage_level(ledger):
    case = ledger.new_case("accepted")
    now = case.response_due + timedelta(seconds=1)
    assert send_deadline_reminders(now=now) == 1
    assert inbox(K.RESPONSE_OVERDUE) == {"staff_a", "street"}


def test_escalated_case_overdue_reaches_the_district(ledger):
    case = ledger.new_case("escalated")  # handled by the street now
    assert case.handling_area_id == ledger.street.pk
    send_deadline_reminders(now=case.resolution_due + timedelta(hours=1))
    assert inbox(K.RESOLUTION_OVERDUE) == {"street", "district"}


def test_resolution_due_soon_within_one_working_day(ledger):
    case = ledger.new_case("in_progress")
    due = case.resolution_due  # 23:59:59 of a working day
    # The evening before is still more than a working day away.
    assert send_deadline_reminders(now=due - timedelta(days=1, hours=1)) == 0
    assert send_deadline_reminders(now=due - timedelta(hours=12)) == 1
    assert Reminder.objects.get().kind == K.RESOLUTION_DUE_SOON
    assert inbox(K.RESOLUTION_DUE_SOON) == {"dept_member"}
    assert inbox(K.RESOLUTION_OVERDUE) == set()


def test_a_new_deadline_reminds_again(ledger):
    case = ledger.new_case("in_progress")
    first_due = case.resolution_due
    assert send_deadline_reminders(now=first_due + timedelta(minutes=1)) == 1
    extension = actions.request_extension(case=case, workdays=3, reason="等待材料",
                                          acting_user=ledger.dept_member)
    actions.decide_extension(extension=extension, approve=True, acting_user=ledger.staff_a)
    case.refresh_from_db()
    assert case.resolution_due > first_due
    assert send_deadline_reminders(now=case.resolution_due + timedelta(minutes=1)) == 1
    assert sorted(Reminder.objects.values_list("due", flat=True)) == [first_due,
                                                                       case.resolution_due]


def test_closed_cases_are_never_reminded(ledger):
    resolved = ledger.new_case("resolved")
    ledger.new_case("rejected")
    assert send_deadline_reminders(now=resolved.resolution_due + timedelta(days=30)) == 0
    assert not Reminder.objects.exists()
    assert not Notification.objects.filter(
        kind__in=[f"cases.{kind}" for kind in K.values]).exists()


def test_a_reminder_sent_by_a_parallel_scan_is_skipped(ledger):
    case = ledger.new_case("dispatched")
    Reminder.objects.create(case=case, kind=K.RESPONSE_OVERDUE, due=case.response_due)
    assert _remind(case, K.RESPONSE_OVERDUE, case.response_due) is False
    assert not CaseEvent.objects.filter(kind=EventKind.REMINDED).exists()
    assert not inbox(K.RESPONSE_OVERDUE)


def test_scan_task_reminds_and_archives_unrated(ledger):
    overdue = ledger.new_case("dispatched")
    Case.objects.filter(pk=overdue.pk).update(response_due=timezone.now() - timedelta(hours=1))
    unrated = ledger.new_case("resolved")
    old = timezone.now() - timedelta(days=settings.GONGZHI_RATING_DAYS + 1)
    Case.objects.filter(pk=unrated.pk).update(resolved_at=old)
    assert scan_deadlines.call() == {"reminders": 1, "archived": 1, "stale_orders": 0}
    unrated.refresh_from_db()
    assert unrated.status == Status.ARCHIVED
    assert inbox(K.RESPONSE_OVERDUE) == {"dept_member", "street"}
    assert scan_deadlines.call() == {"reminders": 0, "archived": 0, "stale_orders": 0}


def _waiting_scans():
    return DBTaskResult.objects.filter(task_path=scan_deadlines.module_path,
                                       status=TaskResultStatus.READY)


def test_schedule_scan_queues_one_at_a_time(db):
    assert schedule_scan() is True
    assert schedule_scan() is False
    assert _waiting_scans().count() == 1
    later = timezone.now() + timedelta(minutes=5)
    assert schedule_scan(at=later) is False  # the waiting one runs before then


def test_schedule_scan_adds_an_earlier_one(db):
    soon = timezone.now() + timedelta(minutes=5)
    assert schedule_scan(at=soon + timedelta(hours=1)) is True
    assert schedule_scan(at=soon) is True
    assert sorted(_waiting_scans().values_list("run_after", flat=True)) == [
        soon, soon + timedelta(hours=1)]
