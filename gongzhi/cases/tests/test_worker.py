"""`gongzhi worker`: runs queued tasks and keeps the deadline scan going."""

import signal
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from gongzhi.cases.models import Case, Reminder, ReminderKind
from gongzhi.cases.tasks import scan_deadlines
from gongzhi.core.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)  # the worker commits like in production
BATCH = ["--batch", "--no-startup-delay", "--no-reload", "--interval", "0", "--verbosity", "0"]


@pytest.fixture(autouse=True)
def _keep_signal_handlers():
    # The worker installs its own SIGINT/SIGTERM handlers; give pytest its own back.
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.fixture
def overdue(ledger):
    case = ledger.new_case("dispatched")
    Case.objects.filter(pk=case.pk).update(response_due=timezone.now() - timedelta(hours=1))
    return case


def scans():
    return DBTaskResult.objects.filter(task_path=scan_deadlines.module_path)


def test_batch_worker_runs_the_queued_scan_and_queues_the_next(overdue):
    queued = scan_deadlines.enqueue()
    before = timezone.now()
    call_command("worker", *BATCH, "--scan-interval", "300")
    after = timezone.now()
    ran = DBTaskResult.objects.get(pk=queued.id)
    assert ran.status == TaskResultStatus.SUCCESSFUL
    assert ran.return_value == {"reminders": 1, "archived": 0, "stale_orders": 0}
    reminder = Reminder.objects.get()
    assert (reminder.case_id, reminder.kind) == (overdue.pk, ReminderKind.RESPONSE_OVERDUE)
    assert Notification.objects.filter(kind="cases.response_overdue",
                                       recipient__username="dept_member").exists()
    # One scan ran (start-up found the queued one); the next waits for the interval.
    assert scans().filter(status=TaskResultStatus.SUCCESSFUL).count() == 1
    [waiting] = scans().filter(status=TaskResultStatus.READY)
    assert before + timedelta(seconds=300) <= waiting.run_after <= after + timedelta(seconds=300)


def test_worker_queues_a_scan_at_start(overdue):
    call_command("worker", *BATCH)
    assert Reminder.objects.filter(case=overdue).count() == 1
    assert scans().filter(status=TaskResultStatus.SUCCESSFUL).count() == 1
    # A restart scans at once again; nothing is sent twice and one next scan still waits.
    call_command("worker", *BATCH)
    assert scans().filter(status=TaskResultStatus.SUCCESSFUL).count() == 2
    assert Reminder.objects.count() == 1
    assert scans().filter(status=TaskResultStatus.READY).count() == 1


def test_scan_interval_zero_runs_no_scan(overdue):
    call_command("worker", *BATCH, "--scan-interval", "0")
    assert not scans().exists()
    assert not Reminder.objects.exists()


@pytest.mark.parametrize("value", ["-1", "soon", "999999"])
def test_bad_scan_interval_is_refused(db, value):
    with pytest.raises(CommandError, match="scan-interval"):
        call_command("worker", *BATCH, "--scan-interval", value)
    assert not scans().exists()
