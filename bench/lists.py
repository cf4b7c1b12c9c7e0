"""Lists benchmark: the sweep over a large list table when 0, 1,000 and 100,000 entries
are due, and the re-evaluation of a changed standard over every subject.

One database per backend: N subjects, each with one verified serious punishment and a
designated blacklist entry resting on it (loaded with the driver's executemany; loading
is not measured). Then, with the clock fixed:
- sweep with nothing due, then with 1,000 and 100,000 entries expired (at most a tenth
  of the entries each, for smaller N): the time should follow what is due, not the table;
- a new version of the standard that 1% of the subjects no longer meet: the rule runs
  over every subject's records, the 1% are removed (and put under key scrutiny).
Peak memory is the process's high-water mark during each step (reset before it).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import subjects as sb
from creditreg.demo import dataset as demo
from creditreg.demo.catalogs import STANDARDS
from creditreg.domain.access.principals import SYSTEM
from creditreg.domain.lists.standards import draft_from_dict
from creditreg.services.context import Context
from creditreg.services.kernel import sweep
from creditreg.services.lists import standards
from creditreg.store import bulk
from creditreg.store.lists.tables import list_entry, list_entry_record
from creditreg.store.records.tables import catalog_item, record
from creditreg.store.subjects.tables import subject

CHUNK = 50_000
TODAY = date(2026, 3, 2)
FAR = date(2029, 3, 1)
VERIFIED_AT = datetime(2025, 6, 5, 1, tzinfo=UTC)


def _reset_peak() -> None:
    with contextlib.suppress(OSError):  # Linux: resets VmHWM to the current size
        Path("/proc/self/clear_refs").write_text("5")


def _peak_mib() -> float:
    status = Path("/proc/self/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def _chunks(n: int) -> Iterator[range]:
    for start in range(0, n, CHUNK):
        yield range(start, min(n, start + CHUNK))


def _insert(conn: sa.Connection, table: sa.Table, columns: list[str], rows: list[Any]) -> None:
    procs = bulk.processors(conn, table, columns)
    sql = bulk.insert_sql(conn, table, columns)
    bulk.executemany(conn, sql, [bulk.processed(r, procs) for r in rows])


def populate(ctx: Context, codes: list[str]) -> None:
    """N subjects, records and designated blacklist entries (not measured)."""
    demo.load(ctx)
    now = ctx.now()
    with ctx.db.write() as conn:
        item = conn.execute(
            sa.select(catalog_item.c.id).where(catalog_item.c.code == "XZCF")
        ).scalar_one()
        std_id = conn.execute(
            sa.text("SELECT id FROM standard WHERE code = 'SCJG-HMD'")
        ).scalar_one()
        base = conn.execute(sa.select(sa.func.coalesce(sa.func.max(subject.c.id), 0))).scalar_one()
    for part in _chunks(len(codes)):
        with ctx.db.write() as conn:
            _insert(
                conn,
                subject,
                [
                    "id",
                    "kind",
                    "id_type",
                    "id_number",
                    "name",
                    "region",
                    "created_at",
                    "updated_at",
                ],
                [
                    (
                        base + i + 1,
                        "legal_person",
                        "uscc",
                        codes[i],
                        f"示例企业{i}",
                        "410100",
                        now,
                        now,
                    )
                    for i in part
                ],
            )
            _insert(
                conn,
                record,
                [
                    "id",
                    "catalog_item_id",
                    "subject_id",
                    "providing_unit_id",
                    "data",
                    "self_declared",
                    "status",
                    "character",
                    "disclosure",
                    "decision_date",
                    "received_at",
                    "verify_due",
                    "verified_at",
                    "untrustworthy_class",
                    "serious_class",
                    "severity",
                    "final_on",
                ],
                [
                    (
                        i + 1,
                        item,
                        base + i + 1,
                        3,
                        {"fine_10k_cny": "0.5" if i % 100 == 0 else "5"},
                        False,
                        "verified",
                        "untrustworthy",
                        "public_display",
                        date(2025, 6, 1),
                        now,
                        date(2025, 6, 8),
                        VERIFIED_AT,
                        "art20_2",
                        "art33_2",
                        "serious",
                        date(2025, 12, 1),
                    )
                    for i in part
                ],
            )
            info = {"name": "示例企业", "kind": "legal_person", "responsible_persons": []}
            _insert(
                conn,
                list_entry,
                [
                    "id",
                    "list_type",
                    "field",
                    "subject_id",
                    "designating_unit_id",
                    "standard_id",
                    "standard_code",
                    "status",
                    "origin",
                    "subject_info",
                    "facts",
                    "basis",
                    "rule_inputs",
                    "measures",
                    "channels",
                    "validity_months",
                    "restorable",
                    "restoration_method",
                    "restoration_after_months",
                    "scrutiny_months",
                    "preliminary_on",
                    "designated_on",
                    "valid_until",
                    "created_at",
                    "updated_at",
                ],
                [
                    (
                        i + 1,
                        "blacklist",
                        "market_regulation",
                        base + i + 1,
                        2,
                        std_id,
                        "SCJG-HMD",
                        "designated",
                        "standard",
                        info,
                        "bench",
                        "bench",
                        {},
                        [],
                        ["unit_portal", "credit_website"],
                        36,
                        False,
                        "",
                        0,
                        12,
                        date(2025, 12, 1),
                        date(2025, 12, 8),
                        FAR,
                        now,
                        now,
                    )
                    for i in part
                ],
            )
            _insert(
                conn, list_entry_record, ["entry_id", "record_id"], [(i + 1, i + 1) for i in part]
            )
    if ctx.db.engine.dialect.name == "postgresql":
        with ctx.db.write() as conn:
            for table in ("subject", "record", "list_entry"):
                # The ids were given explicitly: move each sequence past them.
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        with ctx.db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()


def _expire(ctx: Context, how_many: int) -> None:
    """Make the next `how_many` designated entries due (yesterday was their last day)."""
    with ctx.db.write() as conn:
        ids = (
            sa.select(list_entry.c.id)
            .where(list_entry.c.status == "designated", list_entry.c.list_type == "blacklist")
            .order_by(list_entry.c.id)
            .limit(how_many)
        )
        conn.execute(
            list_entry.update()
            .where(list_entry.c.id.in_(ids.scalar_subquery()))
            .values(valid_until=date(2026, 3, 1))
        )


def run(target: sb.Target, codes: list[str]) -> None:
    ctx = sb.context_for(target)
    started = time.perf_counter()
    populate(ctx, codes)
    print(
        f"  loaded {len(codes):,} subjects, records and entries in "
        f"{time.perf_counter() - started:.0f}s (not measured)"
    )
    remaining = len(codes)
    for wanted in (0, 1_000, 100_000):
        # Any size (the cases used to assume 1,000,000 entries and stopped with an
        # AssertionError below it): each case expires at most a tenth of the entries, so
        # that the re-evaluation below still has most of them to check (at 1,000,000 the
        # cases are the README's 1,000 and 100,000).
        due = min(wanted, max(1, len(codes) // 10), remaining)
        if wanted and not due:
            continue
        remaining -= due
        _expire(ctx, due)
        _reset_peak()
        t0 = time.perf_counter()
        report = sweep.run(ctx, SYSTEM)
        elapsed = time.perf_counter() - t0
        print(
            f"  sweep, {due:>7,} due of {len(codes):,}: {elapsed * 1000:>9,.0f} ms   "
            f"expired {report.count('expired'):,}, "
            f"key scrutiny {report.count('key_scrutiny_followups'):,}   "
            f"peak {_peak_mib():.0f} MiB"
        )
        if report.count("expired") != due:  # a figure, not a test: say it, go on
            print(f"  !! expected {due:,} expiries, the sweep reported {report.count('expired'):,}")
    stricter = {
        **STANDARDS[0],
        "rule": {**STANDARDS[0]["rule"], "amount": {"field": "fine_10k_cny", "minimum": 1}},
    }
    _reset_peak()
    t0 = time.perf_counter()
    _, outcome = standards.publish(ctx, SYSTEM, draft_from_dict(stricter))
    elapsed = time.perf_counter() - t0
    print(
        f"  re-evaluation over {len(codes):,} subjects: {elapsed:>6.1f} s   "
        f"checked {outcome['checked']:,} entries, removed {outcome['removed']:,}   "
        f"peak {_peak_mib():.0f} MiB"
    )
    ctx.db.dispose()
