"""The check's benchmark (issue 11, "Performance"): single checks over HTTP and batches.

One database per backend: the demo data set (units, the reference measures, the demo
memoranda in force for the demo implementing unit), N legal-person subjects with valid
USCCs and M list entries in force spread over them (every fifth a red-list entry, the
others blacklist entries), loaded with the driver's executemany (loading is not measured).

Then, with the same uvicorn settings for every server (`--workers`, no access log):
- creditreg (the app factory, the real `POST /api/v1/check` with the demo implementing
  unit's token) under C concurrent keep-alive clients: throughput, p50 and p99;
- the same server's bare route returning a constant JSON body (the ceiling);
- the baseline: bench.raw_app's `/check`, the same reads and the same register INSERT
  with the DB-API driver alone, committed before the answer;
- every check answered is counted in the register after the run;
- batches of 1,000 identifiers (`POST /api/v1/check/batch`) beside the raw driver's
  indexed lookup of the same identifiers.
Half the identifiers checked name a listed subject, half are drawn from every subject.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import date
from typing import Any

import orjson
import sqlalchemy as sa

from bench import subjects as sb
from bench.http import _free_port, _stop, _wait
from creditreg.demo import dataset as demo
from creditreg.store import bulk
from creditreg.store.access.query_register import query_register
from creditreg.store.access.tables import unit
from creditreg.store.lists.tables import list_entry
from creditreg.store.subjects.tables import subject

CHUNK = 50_000
FAR = date(2029, 3, 1)
PURPOSE = "procurement"
ROUNDS = 4  # turns each server takes in a measurement (see `interleaved`)


def creditreg_app() -> Any:
    """uvicorn --factory: creditreg's app from the environment's settings, no timers, and
    a bare route returning a constant JSON body (the ceiling of this server), matched just
    before the check's routes."""
    from fastapi.responses import JSONResponse

    from creditreg.api.app import create_app, settle
    from creditreg.bootstrap import build_context
    from creditreg.config import Settings

    settings = Settings()
    app = create_app(build_context(settings), settings, None)

    async def constant() -> JSONResponse:
        return JSONResponse({"ok": True})

    app.add_api_route("/bench/constant", constant, methods=["POST"], include_in_schema=False)
    # At the check's place in the routing table: the same matching work as a check.
    from creditreg.api.routers import check as check_routes

    routes = app.router.routes
    bare = routes.pop()
    at = next(
        i
        for i, r in enumerate(routes)
        if getattr(r, "original_router", None) is check_routes.router
    )
    routes.insert(at, bare)
    settle()  # as `creditreg serve` does before serving
    return app


def _insert(conn: sa.Connection, table: sa.Table, columns: list[str], rows: list[Any]) -> None:
    procs = bulk.processors(conn, table, columns)
    sql = bulk.insert_sql(conn, table, columns)
    bulk.executemany(conn, sql, [bulk.processed(r, procs) for r in rows])


def populate(target: sb.Target, codes: Sequence[str], n_entries: int) -> tuple[int, list[int]]:
    """The demo data, the subjects and the entries; (implementing unit id, listed indexes)."""
    ctx = sb.context_for(target)
    demo.load(ctx)
    now = ctx.now()
    with ctx.db.write() as conn:
        unit_id = conn.execute(
            sa.select(unit.c.id).where(unit.c.uscc == demo.DEMO_UNITS[3].uscc)
        ).scalar_one()
        designator = conn.execute(
            sa.select(unit.c.id).where(unit.c.uscc == demo.DEMO_UNITS[1].uscc)
        ).scalar_one()
        base = conn.execute(sa.select(sa.func.coalesce(sa.func.max(subject.c.id), 0))).scalar_one()
        entry_base = conn.execute(
            sa.select(sa.func.coalesce(sa.func.max(list_entry.c.id), 0))
        ).scalar_one()
    n = len(codes)
    step = max(1, n // n_entries) if n_entries else 0
    listed = [i * step for i in range(min(n_entries, n))]
    for start in range(0, n, CHUNK):
        with ctx.db.write() as conn:
            _insert(
                conn,
                subject,
                ["id", "kind", "id_type", "id_number", "name", "region", "created_at",
                 "updated_at"],
                [
                    (base + i + 1, "legal_person", "uscc", codes[i], f"示例企业{i}", "410100",
                     now, now)
                    for i in range(start, min(n, start + CHUNK))
                ],
            )  # fmt: skip
    info = {"name": "示例企业", "kind": "legal_person", "responsible_persons": []}
    for start in range(0, len(listed), CHUNK):
        with ctx.db.write() as conn:
            rows = []
            for j in range(start, min(len(listed), start + CHUNK)):
                red = j % 5 == 0
                rows.append(
                    (entry_base + j + 1, "red_list" if red else "blacklist",
                     "market_regulation", base + listed[j] + 1, designator, None,
                     "designated", "standard", info,
                     "连续三年守信" if red else "多次虚假宣传，罚款五万元",
                     "《社会信用条例》", {}, [], ["unit_portal", "credit_website"], 36,
                     False, "", 0, 12, "general" if red else "serious", date(2025, 12, 1),
                     date(2025, 12, 8), FAR, now, now)
                )  # fmt: skip
            _insert(
                conn,
                list_entry,
                ["id", "list_type", "field", "subject_id", "designating_unit_id",
                 "standard_code", "status", "origin", "subject_info", "facts", "basis",
                 "rule_inputs", "measures", "channels", "validity_months", "restorable",
                 "restoration_method", "restoration_after_months", "scrutiny_months",
                 "severity", "preliminary_on", "designated_on", "valid_until", "created_at",
                 "updated_at"],
                rows,
            )  # fmt: skip
    if ctx.db.engine.dialect.name == "postgresql":
        with ctx.db.write() as conn:
            for table in ("subject", "list_entry"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        with ctx.db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    else:
        with ctx.db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    ctx.db.dispose()
    return int(unit_id), listed


def register_count(target: sb.Target, ours: bool) -> int:
    """The register's `check` rows of creditreg (ours) or of the raw baseline."""
    engine = target.engine()
    raw = query_register.c.actor == "bench-raw"
    try:
        with engine.connect() as conn:
            q = sa.select(sa.func.count()).select_from(query_register)
            q = q.where(query_register.c.what == "check", sa.not_(raw) if ours else raw)
            return int(conn.execute(q).scalar_one())
    finally:
        engine.dispose()


# The load: C keep-alive connections on asyncio streams (light enough to leave the cores
# to the server), each sending its next request as soon as the last answer is read.
async def _one(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    body = await reader.readexactly(length)
    return status, body


async def _load(
    port: int, requests: Sequence[bytes], concurrency: int
) -> tuple[float, list[float], list[bytes]]:
    latencies: list[float] = []
    failures: list[bytes] = []
    position = iter(range(len(requests)))

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for i in position:
            t0 = time.perf_counter()
            status, body = await _one(reader, writer, requests[i])
            latencies.append(time.perf_counter() - t0)
            if status != 200:
                failures.append(body[:200])
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, failures


def drive(port: int, requests: Sequence[bytes], concurrency: int) -> dict[str, float]:
    return summary([measure(port, requests, concurrency)])


def measure(port: int, requests: Sequence[bytes], concurrency: int) -> tuple[float, list[float]]:
    """One run: its elapsed time and every request's latency."""
    elapsed, latencies, failures = asyncio.run(_load(port, requests, concurrency))
    if failures:
        raise RuntimeError(f"{len(failures)} failed requests, e.g. {failures[0]!r}")
    return elapsed, latencies


def summary(runs: Sequence[tuple[float, list[float]]]) -> dict[str, float]:
    """Throughput over the runs together, p50 and p99 of all their requests."""
    latencies = sorted(x for _, run in runs for x in run)
    return {
        "rate": len(latencies) / sum(elapsed for elapsed, _ in runs),
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


def interleaved(
    sides: Sequence[tuple[int, Sequence[bytes]]], concurrency: int, rounds: int
) -> list[dict[str, float]]:
    """Each side's requests in `rounds` parts, the sides taking turns (a, b, a, b ...), so
    that a slower stretch of a shared machine falls on every side alike."""
    runs: list[list[tuple[float, list[float]]]] = [[] for _ in sides]
    for r in range(rounds):
        for i, (port, requests) in enumerate(sides):
            part = requests[r * len(requests) // rounds : (r + 1) * len(requests) // rounds]
            runs[i].append(measure(port, part, concurrency))
    return [summary(side) for side in runs]


def _post(path: str, body: bytes, token: str | None = None) -> bytes:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"{auth}Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def _serve(
    app: list[str], env: dict[str, str], workers: int
) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", *app, "--port", str(port), "--workers", str(workers),
         "--log-level", "warning", "--no-access-log"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    probe = "/constant" if "bench.raw_app:app" in app else "/api/v1/health"
    _wait(port, probe, proc)
    return proc, port


def _sample(codes: Sequence[str], listed: Sequence[int], n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        if listed and i % 2 == 0:
            out.append(codes[listed[rng.randrange(len(listed))]])
        else:
            out.append(codes[rng.randrange(len(codes))])
    return out


def _line(label: str, m: dict[str, float]) -> None:
    print(
        f"  {label:<40} {m['rate']:>8,.0f} req/s   p50 {m['p50']:>6.1f} ms   "
        f"p99 {m['p99']:>6.1f} ms"
    )


def run(target: sb.Target, codes: Sequence[str], n_entries: int, args: Any) -> None:
    started = time.perf_counter()
    unit_id, listed = populate(target, codes, n_entries)
    print(
        f"  loaded {len(codes):,} subjects and {len(listed):,} entries in force in "
        f"{time.perf_counter() - started:.0f}s (not measured)"
    )
    token = demo.token_for("implementer")
    n, c, workers = args.check_requests, args.check_clients, args.check_workers
    sample = _sample(codes, listed, n, seed=13)
    warm = _sample(codes, listed, min(500, n), seed=17)

    def bodies(path: str, tok: str | None, which: Sequence[str]) -> list[bytes]:
        return [
            _post(
                path,
                orjson.dumps({"id_type": "uscc", "id_number": code, "purpose": PURPOSE}),
                tok,
            )
            for code in which
        ]

    env = {"CREDITREG_DATABASE_URL": target.url, "CREDITREG_EMBEDDED_WORKER": "false"}
    if target.schema:
        env["CREDITREG_DATABASE_SCHEMA"] = target.schema
    raw_env = {
        "BENCH_BACKEND": target.backend,
        "BENCH_URL": target.url,
        "BENCH_SCHEMA": target.schema or "",
        "BENCH_PATH": str(target.path or ""),
        "BENCH_UNIT_ID": str(unit_id),
    }
    print(
        f"  uvicorn --workers {workers} --no-access-log, {c} concurrent clients, "
        f"{n:,} checks per server"
    )
    ours_before = register_count(target, ours=True)
    raw_before = register_count(target, ours=False)
    proc, port = _serve(["--factory", "bench.check:creditreg_app"], env, workers)
    raw_proc, raw_port = _serve(["bench.raw_app:app"], raw_env, workers)
    try:
        drive(port, bodies("/api/v1/check", token, warm), c)
        drive(raw_port, bodies("/check", None, warm), c)
        ours, raw = interleaved(
            [
                (port, bodies("/api/v1/check", token, sample)),
                (raw_port, bodies("/check", None, sample)),
            ],
            c,
            ROUNDS,
        )
        ceiling, raw_ceiling = interleaved(
            [
                (port, [_post("/bench/constant", b"{}")] * n),
                (raw_port, [_post("/constant", b"{}")] * n),
            ],
            c,
            ROUNDS,
        )
    finally:
        _stop(proc)
        _stop(raw_proc)
    _line("creditreg POST /api/v1/check", ours)
    _line("raw driver check (baseline)", raw)
    _line("creditreg server, constant JSON (ceiling)", ceiling)
    _line("bare ASGI, constant JSON", raw_ceiling)
    print(
        f"  {'':<40} creditreg at {ours['rate'] / raw['rate']:.0%} of the baseline, "
        f"{ours['rate'] / ceiling['rate']:.0%} of its ceiling"
    )
    ours_rows = register_count(target, ours=True) - ours_before
    raw_rows = register_count(target, ours=False) - raw_before
    sent = len(warm) + n
    print(
        f"  {'':<40} register rows: creditreg {ours_rows:,} for {sent:,} checks answered "
        f"({'match' if ours_rows == sent else 'MISMATCH'}), raw {raw_rows:,} "
        f"({'match' if raw_rows == sent else 'MISMATCH'})"
    )
    if args.check_batches:
        batch(target, codes, listed, token, env, workers, args.check_batches)


def batch(
    target: sb.Target,
    codes: Sequence[str],
    listed: Sequence[int],
    token: str,
    env: dict[str, str],
    workers: int,
    batches: int,
) -> None:
    size = min(1000, len(codes))
    rng = random.Random(23)
    groups = []
    for _ in range(batches):
        chosen = dict.fromkeys(_sample(codes, listed, size * 2, seed=rng.randrange(10**9)))
        groups.append(list(chosen)[:size])
    requests = [
        _post(
            "/api/v1/check/batch",
            orjson.dumps(
                {
                    "purpose": PURPOSE,
                    "identifiers": [{"id_type": "uscc", "id_number": x} for x in group],
                }
            ),
            token,
        )
        for group in groups
    ]
    conn = target.raw()
    sql = sb.LOOKUP_SQL.format(p=target.param)

    def lookups(group: Sequence[str]) -> float:
        """The raw driver's indexed lookup of each identifier of `group`: the elapsed time."""
        t0 = time.perf_counter()
        if target.backend == "sqlite":
            for x in group:
                assert conn.execute(sql, ("uscc", x)).fetchone() is not None
        else:
            with conn.cursor() as cur:
                for x in group:
                    cur.execute(sql, ("uscc", x), prepare=True)
                    assert cur.fetchone() is not None
        return time.perf_counter() - t0

    proc, port = _serve(["--factory", "bench.check:creditreg_app"], env, workers)
    try:
        drive(port, requests[:1], 1)
        lookups(groups[0])
        runs, raw_elapsed = [], 0.0
        for request, group in zip(requests[1:], groups[1:], strict=True):  # taking turns
            runs.append(measure(port, [request], 1))
            raw_elapsed += lookups(group)
        ours = summary(runs)
    finally:
        _stop(proc)
        conn.close()
    raw_rate = sum(len(g) for g in groups[1:]) / raw_elapsed
    ours_rate = ours["rate"] * size
    print(
        f"  batch of {size:,} over HTTP (1 client)        {ours_rate:>8,.0f} identifiers/s "
        f"({ours['p50']:.0f} ms a batch)   raw indexed lookup {raw_rate:>8,.0f} /s   "
        f"{ours_rate / raw_rate:.0%} of raw"
    )
