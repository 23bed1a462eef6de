"""gongzhi serve [--host 127.0.0.1] [--port 8000] [--workers N]: the production server.

Refuses a port another program already listens on, collects static files (whitenoise
serves them from STATIC_ROOT in the data directory), then replaces this process with
granian, so signals reach the server directly and the environment (DATABASE_URL,
GONGZHI_DATA_DIR, …) carries over.
"""

import errno
import os
import socket
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

MAX_DEFAULT_WORKERS = 8
# Python threads per worker. The interpreter runs one at a time, so a few suffice to
# overlap database waits; each may hold a database connection (CONN_MAX_AGE), and
# granian's own default (hundreds) could open more than PostgreSQL allows.
DEFAULT_THREADS = 8


def default_workers() -> int:
    """One worker per core this process may run on, at most eight."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_DEFAULT_WORKERS))


def add_server_arguments(parser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="监听地址（缺省 127.0.0.1）")
    parser.add_argument("--port", type=int, default=8000, help="端口（缺省 8000）")
    parser.add_argument("--workers", type=int, default=None,
                        help=f"工作进程数（缺省按 CPU 核数，最多 {MAX_DEFAULT_WORKERS}）")
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS,
                        help=f"每个进程的线程数（缺省 {DEFAULT_THREADS}），"
                        "即每个进程最多占用的数据库连接数")


def server_argv(host: str, port: int, workers: int, threads: int = DEFAULT_THREADS) -> list[str]:
    return [sys.executable, "-m", "granian", "--interface", "wsgi", "gongzhi.wsgi:application",
            "--host", host, "--port", str(port), "--workers", str(workers),
            "--blocking-threads", str(threads)]


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def check_port_free(host: str, port: int) -> None:
    """Refuse ``host:port`` if another program already listens there.

    granian binds with SO_REUSEPORT, so on a port another SO_REUSEPORT server holds (another
    granian, say) it would silently share the connections with it. A plain bind without
    SO_REUSEPORT fails on any listening socket; SO_REUSEADDR only lets connections still in
    TIME_WAIT from a previous run pass. The socket is closed at once; granian's own workers
    then share the port it binds, since this runs once, before granian starts.
    """
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                       flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError):
        message = _("无法识别监听地址 %(host)s，请检查 --host。")
        raise CommandError(message % {"host": host}) from None
    for family, kind, proto, _canonname, sockaddr in addresses:
        shown = _address(sockaddr[0], port)
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                # As granian does: "::" also takes IPv4, so an IPv4 holder counts as busy.
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            try:
                sock.bind(sockaddr)
            except OSError as exc:
                values = {"port": port, "address": shown}
                if exc.errno == errno.EADDRINUSE:
                    message = _("端口 %(port)d 已被其他程序占用（%(address)s）。"
                                "请先停止它，或用 --port 换一个端口。")
                elif exc.errno == errno.EACCES:
                    message = _("没有权限监听端口 %(port)d（%(address)s）。"
                                "请用 --port 换一个 1024 以上的端口。")
                elif exc.errno == errno.EADDRNOTAVAIL:
                    message = _("地址 %(address)s 不属于本机，无法监听。请检查 --host。")
                else:
                    message = _("无法监听 %(address)s：%(error)s")
                    values["error"] = exc.strerror or exc
                raise CommandError(message % values) from None


def check_server_arguments(*, host: str, port: int, workers: int | None,
                           threads: int = DEFAULT_THREADS) -> None:
    """Refuse bad options and a busy port, before anything is started."""
    if not 0 < port < 65536:
        raise CommandError(_("端口须在 1 到 65535 之间"))
    if workers is not None and workers < 1:
        raise CommandError(_("工作进程数至少为 1"))
    if not 1 <= threads <= 64:
        raise CommandError(_("每个进程的线程数须在 1 到 64 之间"))
    check_port_free(host, port)


def run_server(*, host: str, port: int, workers: int | None, threads: int = DEFAULT_THREADS,
               stdout=None) -> None:
    """Check the options and the port, collect static files, then exec granian; does not
    return."""
    check_server_arguments(host=host, port=port, workers=workers, threads=threads)
    workers = workers or default_workers()
    call_command("collectstatic", interactive=False, verbosity=0)
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    # The data directory may have come from the working directory: pin it for the server.
    env["GONGZHI_DATA_DIR"] = str(settings.DATA_DIR)
    argv = server_argv(host, port, workers, threads)
    if stdout is not None:
        stdout.write(_("共治服务启动：http://%(host)s:%(port)d/ （%(workers)d 个工作进程，"
                       "按 Ctrl+C 停止）") % {"host": host, "port": port, "workers": workers})
        stdout.flush()
    sys.stdout.flush()
    sys.stderr.flush()
    connections.close_all()
    os.execvpe(argv[0], argv, env)


class Command(BaseCommand):
    help = "收集静态文件后以 granian 启动生产服务器"

    def add_arguments(self, parser):
        add_server_arguments(parser)

    def handle(self, *args, host: str, port: int, workers: int | None, threads: int,
               **options):
        run_server(host=host, port=port, workers=workers, threads=threads, stdout=self.stdout)
