"""Background work of the case ledger (django-tasks, database backend; run by `gongzhi worker`).

The scan re-queues itself: `gongzhi worker` queues one at start and, each time one finishes,
the next for ``--scan-interval`` seconds later (see ``schedule_scan``). The state changes
live in ``reminders.send_deadline_reminders``, ``actions.archive_unrated`` and the sweeps
other apps register with ``gongzhi.core.sweeps``.
"""

from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from gongzhi.cases.actions import archive_unrated
from gongzhi.cases.reminders import send_deadline_reminders
from gongzhi.core.sweeps import run_sweeps


@task()
def scan_deadlines() -> dict[str, int]:
    """Remind of deadlines due soon or passed; archive resolved cases left unrated; then the
    other apps' sweeps (e.g. service orders nobody took in time)."""
    reminders = send_deadline_reminders()
    archived = archive_unrated()
    return {"reminders": reminders, "archived": archived, **run_sweeps()}


def schedule_scan(*, at: datetime | None = None) -> bool:
    """Queue a scan to run at ``at`` (now) unless one already waits to run by then.

    Returns whether a scan was queued. Several workers may race here; at worst a scan runs
    twice, which sends nothing twice.
    """
    from django_tasks_db.models import DBTaskResult, get_date_max

    at = at or timezone.now()
    waiting = DBTaskResult.objects.filter(
        task_path=scan_deadlines.module_path, status=TaskResultStatus.READY,
    ).filter(Q(run_after__lte=at) | Q(run_after=get_date_max()))
    if waiting.exists():
        return False
    scan_deadlines.using(run_after=at).enqueue()
    return True
