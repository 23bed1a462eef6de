"""gongzhi demo: setup-demo, the background worker, then the production server on 127.0.0.1:8000.

The worker (deadline reminders, unrated cases archived) runs as a child process that stops
with the server: Ctrl+C reaches both, and on Linux the worker is also told when its parent
goes away. Its output goes to worker.log in the data directory.
"""

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from gongzhi.core.management.commands.serve import (
    add_server_arguments,
    check_server_arguments,
    run_server,
)

PR_SET_PDEATHSIG = 1


def _stop_with_parent() -> None:
    """In the child before exec: ask Linux for SIGTERM when the parent (the server) exits."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: Ctrl+C still stops both


def start_worker(*, scan_interval: int = 300) -> subprocess.Popen:
    """``gongzhi worker`` on the same data directory and database, logging to worker.log."""
    env = dict(os.environ, GONGZHI_DATA_DIR=str(settings.DATA_DIR))
    env.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    log = open(settings.DATA_DIR / "worker.log", "ab")  # noqa: SIM115 (the child keeps it)
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "gongzhi.cli", "worker", "--scan-interval",
             str(scan_interval)],
            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            preexec_fn=_stop_with_parent if sys.platform == "linux" else None,
        )
    finally:
        log.close()


class Command(BaseCommand):
    help = "载入演示数据（已载入则不重复）、列出登录账号，启动后台任务，然后启动服务"

    def add_arguments(self, parser):
        add_server_arguments(parser)
        parser.add_argument("--no-worker", action="store_true",
                            help="不启动后台任务进程（催办提醒、逾期未评价归档）")

    def handle(self, *args, host: str, port: int, workers: int | None, threads: int,
               no_worker: bool, **options):
        # A busy port or a bad option is refused before the demo is loaded or the worker
        # started; run_server checks again, in case the port was taken meanwhile.
        check_server_arguments(host=host, port=port, workers=workers, threads=threads)
        call_command("setup_demo", stdout=self.stdout, stderr=self.stderr)
        worker = None
        if not no_worker:
            worker = start_worker()
            self.stdout.write(_("后台任务已启动（进程 %(pid)d，日志 %(log)s）") % {
                "pid": worker.pid, "log": settings.DATA_DIR / "worker.log"})
        try:
            run_server(host=host, port=port, workers=workers, threads=threads,
                       stdout=self.stdout)
        except BaseException:  # it only returns by failing: leave no worker behind
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.kill()
            raise
