"""`gongzhi serve` for real: granian in a subprocess, answering over HTTP."""

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

