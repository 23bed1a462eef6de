"""`gongzhi serve` and `gongzhi demo` refuse a port another program already listens on."""

import contextlib
import os
import socket
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongzhi.core.management.commands import serve
from gongzhi.core.management.commands.serve import check_port_free
from gongzhi.demo.management.commands import demo


@contextlib.contextmanager
def listening(host: str = "127.0.0.1", *, family: int = socket.AF_INET,
              reuseport: bool = False):
    """A real listening socket on an ephemeral port; yields the port."""
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        if reuseport:  # as granian binds: a second plain SO_REUSEPORT bind would share it
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, 0))
        sock.listen()
        yield sock.getsockname()[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ipv6_loopback() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.fixture
def nothing_started(monkeypatch):
    """Fail the test if the demo is loaded, the worker started, static files collected or
    granian executed."""
    started = []

    def record(what):
        def fake(*args, **kwargs):
            started.append((what, args))
            raise AssertionError(f"{what} ran despite the busy port")
        return fake

    monkeypatch.setattr(serve, "call_command", record("collectstatic"))
    monkeypatch.setattr(serve.os, "execvpe", record("granian"))
    monkeypatch.setattr(demo, "call_command", record("setup_demo"))
    monkeypatch.setattr(demo, "start_worker", record("worker"))
    yield started
    assert started == []


def test_a_free_port_passes_the_check():
    port = free_port()
    check_port_free("127.0.0.1", port)
    check_port_free("0.0.0.0", port)
    # The check leaves nothing behind: the port can be bound and listened on at once.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
        sock.listen()


def test_a_listening_port_is_refused_naming_host_and_port():
    with listening() as port, pytest.raises(CommandError) as refused:
        check_port_free("127.0.0.1", port)
    message = str(refused.value)
    assert f"端口 {port} 已被其他程序占用（127.0.0.1:{port}）" in message
    assert "--port" in message


def test_a_port_shared_with_so_reuseport_is_refused_too():
    """Another granian (SO_REUSEPORT) would otherwise silently split the connections."""
    with listening(reuseport=True) as port, pytest.raises(CommandError, match=str(port)):
        check_port_free("127.0.0.1", port)


def test_all_interfaces_are_refused_when_loopback_is_held():
    with listening() as port, pytest.raises(CommandError, match=f"0.0.0.0:{port}"):
        check_port_free("0.0.0.0", port)


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback here")
def test_ipv6_hosts_are_checked():
    with listening("::1", family=socket.AF_INET6) as port:
        with pytest.raises(CommandError, match=rf"\[::1\]:{port}"):
            check_port_free("::1", port)
        check_port_free("127.0.0.1", port)  # another address, another socket: free
    with listening() as port, pytest.raises(CommandError, match=str(port)):
        check_port_free("::", port)  # granian's "::" takes IPv4 as well


def test_an_unknown_host_is_refused_clearly():
    with pytest.raises(CommandError, match="no-such-host.invalid"):
        check_port_free("no-such-host.invalid", free_port())


def test_serve_refuses_a_busy_port_before_starting_anything(nothing_started):
    with listening() as port, pytest.raises(CommandError, match=f"端口 {port} 已被其他程序占用"):
        call_command("serve", "--port", str(port), "--workers", "1")


def test_demo_refuses_a_busy_port_before_loading_or_starting_the_worker(nothing_started):
    with listening() as port, pytest.raises(CommandError, match=f"端口 {port} 已被其他程序占用"):
        call_command("demo", "--port", str(port), "--workers", "1")


def test_demo_stops_its_worker_when_the_server_fails_to_start(monkeypatch):
    """If the port is taken while the demo loads, the worker it started does not outlive it."""
    events = []

    class Worker:
        pid = 4242

        def terminate(self):
            events.append("terminated")

        def wait(self, timeout=None):
            events.append("waited")

    def taken(**kwargs):
        raise CommandError("busy")

    monkeypatch.setattr(demo, "call_command", lambda *args, **kwargs: events.append("loaded"))
    monkeypatch.setattr(demo, "start_worker", lambda: Worker())
    monkeypatch.setattr(demo, "run_server", taken)
    with pytest.raises(CommandError, match="busy"):
        call_command("demo", "--port", str(free_port()))
    assert events == ["loaded", "terminated", "waited"]


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_the_gongzhi_command_refuses_a_busy_port_without_a_traceback(command, tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "GONGZHI_TEST_DB", "DJANGO_SETTINGS_MODULE")}
    env["GONGZHI_DATA_DIR"] = str(tmp_path / "data")
    with listening() as port:
        result = subprocess.run(
            [sys.executable, "-m", "gongzhi.cli", command, "--port", str(port)],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
        )
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"端口 {port} 已被其他程序占用（127.0.0.1:{port}）" in result.stderr
    assert "Traceback" not in result.stderr
    # Nothing was loaded, collected or started.
    assert "后台任务已启动" not in result.stdout
    assert not (tmp_path / "data" / "worker.log").exists()
    assert not list((tmp_path / "data" / "static").iterdir())  # the settings make it empty
    assert not (tmp_path / "data" / "gongzhi.sqlite3").exists()
