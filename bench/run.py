"""gongzhi's benchmark: a generated city on PostgreSQL, the real server, wrk over loopback.

    .venv/bin/python bench/run.py            # 1,000,000 households; 10k, 100k, 1M cases
    .venv/bin/python bench/run.py --quick    # a few minutes: 20,000 households, 1k–10k cases

For every endpoint and every ledger size: single-client p50 / p95 / p99 (wrk, one
connection), throughput at saturation (wrk, many connections), and the SQL the page sends,
timed on its own against the same database; the report says how each figure compares with
the targets of issue 6. The full run writes bench/RESULTS.md and bench/results.json; the
quick run writes them under var/bench/.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import report  # noqa: E402
from bench.load import Server, captured_sql, fetch_status, log_in, time_sql, wrk  # noqa: E402

CITY = "GEN1"
SESSIONS = 8  # logged-in sessions per person, rotated over the connections


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small and short: minutes")
    parser.add_argument("--database", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gongzhi_bench"),
        help="PostgreSQL database to (re)create for the run")
    parser.add_argument("--households", type=int, help="households in the generated city")
    parser.add_argument("--steps", help="ledger sizes, comma-separated (e.g. 10000,100000)")
    parser.add_argument("--seconds", type=float, help="length of each wrk run")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections at load")
    parser.add_argument("--out", type=Path, help="folder for RESULTS.md and results.json")
    args = parser.parse_args()
    args.households = args.households or (20_000 if args.quick else 1_000_000)
    steps = args.steps or ("1000,3000,10000" if args.quick else "10000,100000,1000000")
    args.steps = [int(s) for s in steps.split(",")]
    args.seconds = args.seconds or (3 if args.quick else 10)
    args.out = args.out or (ROOT / "var" / "bench" if args.quick else ROOT / "bench")
    return args


def recreate(dsn: str) -> None:
    info = psycopg.conninfo.conninfo_to_dict(dsn)
    name = info.pop("dbname")
    with psycopg.connect(psycopg.conninfo.make_conninfo(**info, dbname="postgres"),
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def gongzhi(env: dict[str, str], *args: str) -> None:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "gongzhi.cli", *args], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    print(f"   gongzhi {' '.join(args)}: {time.monotonic() - started:.0f} s", flush=True)


def machine() -> dict:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text()
                      .splitlines() if line.startswith("model name")), "")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    return {"cores": len(os.sched_getaffinity(0)), "memory_gib": round(memory, 1),
            "cpu": model, "python": platform.python_version(), "commit": commit}


def measure_step(args, env: dict, dsn: str, cast, cases: int, log: Path) -> list[dict]:
    from bench.scenario import PASSWORD, endpoints, forget_submissions
    from gongzhi.core.management.commands.serve import default_workers

    server = Server(env, log)
    rows = []
    try:
        cookies = {role: [log_in(server.base, user.username, PASSWORD)
                          for _ in range(SESSIONS)] for role, user in cast.users.items()}
        for endpoint in endpoints(cast):
            jar = cookies[endpoint.user] if endpoint.user else []
            status = fetch_status(server.base, endpoint, jar[0] if jar else None)
            if status not in (200, 201):
                raise RuntimeError(f"{endpoint.name}: {endpoint.path} answered {status}")
            wrk(server.base, endpoint, jar, connections=1, seconds=min(2, args.seconds))
            single = wrk(server.base, endpoint, jar, connections=1, seconds=args.seconds)
            loaded = wrk(server.base, endpoint, jar, connections=args.connections,
                         seconds=args.seconds)
            user = cast.users[endpoint.user] if endpoint.user else None
            sql = captured_sql(endpoint, user)
            rows.append({
                "cases": cases, "endpoint": endpoint.name, "path": endpoint.path[:80],
                "p50": single.p50, "p95": single.p95, "p99": single.p99,
                "requests": single.requests, "errors": single.errors + loaded.errors,
                "throughput": loaded.rate, "load_p95": loaded.p95,
                "queries": len(sql), "sql_ms": time_sql(dsn, sql),
                "workers": default_workers(),
            })
            print(f"   {endpoint.name:32} p50 {single.p50:7.1f}  p95 {single.p95:7.1f}  "
                  f"{loaded.rate:7.1f}/s  sql {rows[-1]['sql_ms']:6.1f} ms "
                  f"({len(sql)} queries)", flush=True)
    finally:
        server.stop()
        forget_submissions(cast)
    return rows


def main() -> None:
    args = arguments()
    dsn = args.database
    args.out.mkdir(parents=True, exist_ok=True)
    data_dir = ROOT / "var" / "bench-data"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": dsn, "GONGZHI_DATA_DIR": str(data_dir),
           "DJANGO_SETTINGS_MODULE": "gongzhi.settings", "GONGZHI_LOG": "WARNING",
           "GONGZHI_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    os.environ.update(env)
    started = time.monotonic()
    print(f"== a city of {args.households:,} households in {dsn}", flush=True)
    recreate(dsn)
    gongzhi(env, "migrate", "--noinput", "-v", "0")
    gongzhi(env, "generate", "--households", str(args.households), "--seed", "1")

    import django

    django.setup()
    from bench.scenario import make_cast

    cast = make_cast(CITY)
    until = datetime.now(ZoneInfo("Asia/Shanghai")).replace(minute=0, second=0, microsecond=0)
    rows: list[dict] = []
    have = 0
    for number, target in enumerate(args.steps, 1):
        print(f"== {target:,} cases", flush=True)
        gongzhi(env, "generate-cases", "--city-code", CITY, "--cases", str(target - have),
                "--seed", str(100 + number), "--until", until.isoformat())
        have = target
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
            # Write the load out now, or the first commits measured wait on its checkpoint.
            try:
                conn.execute("CHECKPOINT")
            except psycopg.errors.InsufficientPrivilege:
                print("   (no CHECKPOINT: not a superuser; writes may wait on the load's)")
        rows += measure_step(args, env, dsn, cast, target, args.out / "server.log")
    meta = {**machine(), "date": datetime.now(ZoneInfo("Asia/Shanghai")).isoformat(
        timespec="minutes"), "households": args.households, "steps": args.steps,
        "seconds": args.seconds, "connections": args.connections,
        "postgresql": _pg_version(dsn), "minutes": round((time.monotonic() - started) / 60, 1)}
    (args.out / "results.json").write_text(json.dumps({"meta": meta, "rows": rows},
                                                      ensure_ascii=False, indent=1))
    (args.out / "RESULTS.md").write_text(report.markdown(meta, rows))
    print(f"== written {args.out / 'RESULTS.md'} in {meta['minutes']} minutes")


def _pg_version(dsn: str) -> str:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


if __name__ == "__main__":
    main()
