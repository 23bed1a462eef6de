"""`gongzhi worker`: the background worker (django_tasks_db's db_worker) plus the deadline scan.

Every option of db_worker works here (--batch, --max-tasks, --interval, --queue-name …).
With --scan-interval N (default 300 s; 0 turns it off) the worker queues a deadline scan at
start and, whenever a scan finishes, the next one N seconds later: no extra thread, and
`--batch` still stops once nothing is ready to run.
"""

import logging
from argparse import ArgumentParser, ArgumentTypeError
from datetime import timedelta

from django.utils import timezone
from django_tasks_db.compat import task_finished
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from gongzhi.cases.tasks import scan_deadlines, schedule_scan

logger = logging.getLogger("gongzhi.worker")
MAX_SCAN_INTERVAL = 24 * 3600


def scan_interval(value: str) -> int:
    try:
        seconds = int(value)
    except ValueError:
        raise ArgumentTypeError("扫描间隔须为整数秒 / must be whole seconds") from None
    if not 0 <= seconds <= MAX_SCAN_INTERVAL:
        raise ArgumentTypeError(
            f"扫描间隔须在 0–{MAX_SCAN_INTERVAL} 秒之间 / must be 0–{MAX_SCAN_INTERVAL} seconds")
    return seconds


class Command(DbWorkerCommand):
    help = "运行后台任务，并定时扫描诉求件时限 / Run background tasks and the deadline scan"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--scan-interval", type=scan_interval, default=300,
            help="Seconds between deadline scans; 0: no scans (default: %(default)s)",
        )

    def handle(self, *args, scan_interval: int, **options) -> None:
        if not scan_interval:
            return super().handle(*args, **options)
        interval = timedelta(seconds=scan_interval)

        def next_scan(sender, task_result, **kwargs) -> None:
            # Raising here would mark the finished task failed: log instead.
            try:
                if task_result.task.module_path == scan_deadlines.module_path:
                    schedule_scan(at=timezone.now() + interval)
            except Exception:
                logger.exception("could not queue the next deadline scan")

        schedule_scan()
        task_finished.connect(next_scan, weak=False)
        try:
            super().handle(*args, **options)
        finally:
            task_finished.disconnect(next_scan)
