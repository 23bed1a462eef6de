"""The instruments: the real server, wrk over loopback, and the bare SQL timed on its own."""

import http.cookiejar
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psycopg

HERE = Path(__file__).resolve().parent
WRK_SCRIPT = HERE / "wrk.lua"


@dataclass(frozen=True)
class Endpoint:
    name: str  # what a person does, in the results table
    user: str | None  # who does it (None: anonymous, or a bearer token in ``headers``)
    method: str
    path: str
    body: str | None = None  # JSON; {{n}} becomes a number unique to the request
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Latency:
    requests: int
    seconds: float
    errors: int
    p50: float
    p95: float
    p99: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``gongzhi serve`` in its own process group, as it runs in production."""

    def __init__(self, env: dict[str, str], log: Path, workers: int | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        argv = [sys.executable, "-m", "gongzhi.cli", "serve", "--port", str(self.port)]
        if workers:
            argv += ["--workers", str(workers)]
        self.log = open(log, "ab")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(argv, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped; see {log}")
            try:
                urllib.request.urlopen(self.base + "/accounts/login/", timeout=2).read()
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"the server did not answer; see {log}")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log.close()


def log_in(base: str, username: str, password: str) -> str:
    """A logged-in session's cookie header, through the real login form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username,
                                   "password": password}).encode()
    opener.open(urllib.request.Request(base + "/accounts/login/", form,
                                       headers={"Referer": base + "/accounts/login/"}))
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise RuntimeError(f"could not log in as {username}")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def fetch_status(base: str, endpoint: Endpoint, cookie: str | None) -> int:
    headers = dict(endpoint.headers)
    if cookie:
        headers["Cookie"] = cookie
    data = None
    if endpoint.body is not None:
        data = endpoint.body.replace("{{n}}", f"check-{time.time_ns()}").encode()
        headers["Content-Type"] = "application/json"
    if "Idempotency-Key" in headers:
        headers["Idempotency-Key"] = f"check-{time.time_ns()}"
    request = urllib.request.Request(base + endpoint.path, data=data, headers=headers,
                                     method=endpoint.method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def wrk(base: str, endpoint: Endpoint, cookies: list[str], *, connections: int,
        seconds: float) -> Latency:
    """One wrk run; the Lua script reports percentiles as a JSON line."""
    with tempfile.TemporaryDirectory() as tmp:
        body = "-"
        if endpoint.body is not None:
            body = os.path.join(tmp, "body.json")
            Path(body).write_text(endpoint.body)
        headers = os.path.join(tmp, "headers.txt")
        lines = [f"{k}: {v}" for k, v in endpoint.headers] + [f"Cookie: {c}" for c in cookies]
        Path(headers).write_text("\n".join(lines) + "\n")
        threads = 1 if connections == 1 else 2
        out = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s",
             "--timeout", "10s", "-s", str(WRK_SCRIPT), base + endpoint.path, "--",
             endpoint.method, endpoint.path, body, headers],
            capture_output=True, text=True, check=True, timeout=seconds + 60)
    line = next(x for x in out.stdout.splitlines() if x.startswith("{"))
    data = json.loads(line)
    return Latency(requests=data["requests"], seconds=data["seconds"],
                   errors=data["errors"] + data["status_errors"], p50=data["p50"],
                   p95=data["p95"], p99=data["p99"])


def captured_sql(endpoint: Endpoint, user) -> list[str]:
    """The SQL the page runs for ``user``, as Django sent it (one request, in process)."""
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    if user is not None:
        client.force_login(user)
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in endpoint.headers}
    if "HTTP_IDEMPOTENCY_KEY" in headers:
        headers["HTTP_IDEMPOTENCY_KEY"] = f"sql-{time.time_ns()}"
    body = (endpoint.body or "").replace("{{n}}", f"sql-{time.time_ns()}")
    # Rolled back, so that replaying the writes later finds the database as it was.
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        if endpoint.method == "POST":
            response = client.post(endpoint.path, body, content_type="application/json",
                                   **headers)
        else:
            response = client.get(endpoint.path, **headers)
        transaction.set_rollback(True)
    if response.status_code >= 400:
        raise RuntimeError(f"{endpoint.name}: {endpoint.path} answered {response.status_code}")
    return [q["sql"] for q in queries.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def time_sql(dsn: str, statements: list[str], repeat: int = 7) -> float:
    """Median milliseconds to run all ``statements`` once, each set in a rolled-back
    transaction (a page's writes are timed but not kept)."""
    runs = []
    with psycopg.connect(dsn, autocommit=False) as conn:
        for attempt in range(repeat + 1):
            started = time.perf_counter()
            with conn.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    if cursor.description is not None:
                        cursor.fetchall()
            elapsed = (time.perf_counter() - started) * 1000
            conn.rollback()
            if attempt:  # the first run warms the caches
                runs.append(elapsed)
    return statistics.median(runs)
