"""The results table, and how each figure stands against issue 6's targets."""

P95_TARGET_MS = 100.0  # single-client p95 at the largest ledger
SQL_FACTOR, SQL_SLACK_MS = 3.0, 20.0  # an endpoint's p50 at most 3 × its SQL + 20 ms
GROWTH_FACTOR = 1.5  # p95 at the largest ledger at most 1.5 × the smallest's


def _ms(value: float) -> str:
    return f"{value:.1f}"


def checks(row: dict) -> list[str]:
    """What this row misses of the per-endpoint targets (empty: all met)."""
    missed = []
    if row["p95"] >= P95_TARGET_MS:
        missed.append(f"p95 ≥ {P95_TARGET_MS:.0f} ms")
    if row["p50"] > SQL_FACTOR * row["sql_ms"] + SQL_SLACK_MS:
        missed.append(f"p50 > {SQL_FACTOR:g}×SQL+{SQL_SLACK_MS:.0f}")
    if row["errors"]:
        missed.append(f"{row['errors']} errors")
    return missed


def markdown(meta: dict, rows: list[dict]) -> str:
    steps = meta["steps"]
    largest, smallest = steps[-1], steps[0]
    out = [
        "# Benchmark results",
        "",
        f"Run on {meta['date']} at commit `{meta['commit']}`: {meta['cores']} cores, "
        f"{meta['memory_gib']} GiB ({meta['cpu']}), PostgreSQL {meta['postgresql']}, "
        f"Python {meta['python']}. A generated city of {meta['households']:,} households; "
        f"the server is `gongzhi serve` with {rows[0]['workers'] if rows else '?'} workers, "
        f"driven over loopback by wrk on the same machine ({meta['seconds']:g} s per run: "
        f"one connection for latency, {meta['connections']} for throughput). "
        f"The whole run took {meta['minutes']} minutes.",
        "",
        "Times in milliseconds. *SQL* is the page's own queries (sessions and permissions "
        "included), replayed straight against the database, median of 7; *×SQL* is the "
        "single-client p50 over it.",
        "",
    ]
    for cases in steps:
        out += [f"## {cases:,} cases", "",
                "| endpoint | p50 | p95 | p99 | req/s | queries | SQL | ×SQL | misses |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
        for row in (r for r in rows if r["cases"] == cases):
            ratio = row["p50"] / row["sql_ms"] if row["sql_ms"] else 0
            missed = checks(row) if cases == largest else []
            out.append(
                f"| {row['endpoint']} | {_ms(row['p50'])} | {_ms(row['p95'])} | "
                f"{_ms(row['p99'])} | {row['throughput']:.0f} | {row['queries']} | "
                f"{_ms(row['sql_ms'])} | {ratio:.1f} | {'; '.join(missed) or '—'} |")
        out.append("")
    out += [f"## Growth: single-client p95 from {smallest:,} to {largest:,} cases", "",
            "| endpoint | " + " | ".join(f"{s:,}" for s in steps) + " | growth |",
            "|---|" + "---:|" * (len(steps) + 1)]
    by_endpoint: dict[str, dict[int, dict]] = {}
    for row in rows:
        by_endpoint.setdefault(row["endpoint"], {})[row["cases"]] = row
    for name, per_step in by_endpoint.items():
        figures = [per_step.get(s, {}).get("p95") for s in steps]
        growth = (figures[-1] / figures[0]) if figures[0] and figures[-1] else None
        flag = "" if growth is None or growth <= GROWTH_FACTOR else " ✗"
        cells = " | ".join(_ms(f) if f else "—" for f in figures)
        tail = f"{growth:.2f}{flag}" if growth is not None else "—"
        out.append(f"| {name} | {cells} | {tail} |")
    out += ["", "## Targets", "",
            f"- single-client p95 under {P95_TARGET_MS:.0f} ms at {largest:,} cases;",
            f"- no endpoint's p50 above {SQL_FACTOR:g}× its SQL time plus {SQL_SLACK_MS:.0f} ms;",
            f"- p95 at {largest:,} cases within {GROWTH_FACTOR}× of {smallest:,} "
            "(✗ marks a miss).", ""]
    return "\n".join(out)
