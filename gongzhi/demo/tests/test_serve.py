"""`gongzhi serve` and `gongzhi demo` for real: granian in a subprocess, answering over HTTP."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture
def data_env(tmp_path):
    """An environment on a fresh SQLite data directory (never the test run's database)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "GONGZHI_TEST_DB", "DJANGO_SETTINGS_MODULE")}
    env["GONGZHI_DATA_DIR"] = str(tmp_path / "data")
    subprocess.run([sys.executable, "-m", "gongzhi.cli", "migrate", "--noinput", "-v", "0"],
                   env=env, cwd=tmp_path, check=True, timeout=180)
    return env


def test_serve_answers_pages_and_static_files_over_http(data_env, tmp_path):
    port = free_port()
    log = open(tmp_path / "server.log", "w+b")  # noqa: SIM115 (read back on failure)
    server = subprocess.Popen(
        [sys.executable, "-m", "gongzhi.cli", "serve", "--port", str(port), "--workers", "1"],
        env=data_env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline:
            if server.poll() is not None:
                break
            try:
                status, _body = fetch(f"http://127.0.0.1:{port}/")
                break
            except OSError:
                time.sleep(0.3)
        log.seek(0)
        assert status == 200, f"server did not answer: {log.read().decode(errors='replace')}"
        status, body = fetch(f"http://127.0.0.1:{port}/static/admin/css/base.css")
        assert status == 200 and b"body" in body
        status, _body = fetch(f"http://127.0.0.1:{port}/static/no-such-file.css")
        assert status == 404
        assert (tmp_path / "data" / "static" / "admin" / "css" / "base.css").exists()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        log.close()



def _gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # a zombie child of a process we did not start counts as gone too
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().split(") ", 1)[1].startswith("Z"):
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.2)
    return False


def test_demo_serves_runs_the_worker_and_stops_it_with_the_server(data_env, tmp_path):
    import re
    import sqlite3

    port = free_port()
    log = open(tmp_path / "demo.log", "w+b")  # noqa: SIM115 (read back on failure)
    demo = subprocess.Popen(
        [sys.executable, "-m", "gongzhi.cli", "demo", "--port", str(port), "--workers", "1"],
        env=data_env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def output() -> str:
        log.seek(0)
        return log.read().decode(errors="replace")

    database = tmp_path / "data" / "gongzhi.sqlite3"
    scanned = "SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path LIKE ?"
    try:
        deadline = time.monotonic() + 240
        status, done = None, []
        while time.monotonic() < deadline and demo.poll() is None and not (status and done):
            try:
                status, _body = fetch(f"http://127.0.0.1:{port}/")
            except OSError:
                time.sleep(0.5)
                continue
            with sqlite3.connect(database) as db:
                done = [row for row in db.execute(scanned, ("%scan_deadlines%",))
                        if row[0] == "SUCCESSFUL"]
            time.sleep(0.5)
        assert status == 200, output()
        assert done, "the worker never ran the deadline scan:\n" + output()
        worker = int(re.search(r"后台任务已启动（进程 (\d+)", output()).group(1))
        # The server alone goes away (not Ctrl+C to the group): the worker follows it.
        os.kill(demo.pid, signal.SIGTERM)
        demo.wait(timeout=30)
        assert _gone(worker, 20), "the worker outlived the server"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(demo.pid, signal.SIGKILL)
        log.close()
