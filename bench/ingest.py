"""Bulk ingestion benchmark: an administrative-punishment CSV through the full path
(parse, validate, match, store, audit) beside the raw driver inserting the same rows.

Batches are all-or-nothing, so the file with ~1% invalid rows is measured as what it is
(every row validated, the rejected ones reported, nothing stored) and the same file
without its invalid rows as the storing path.
"""

from __future__ import annotations

import csv
import json
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.subjects import Target, context_for
from creditreg.demo import dataset as demo
from creditreg.demo.catalogs import PUNISHMENT
from creditreg.demo.dataset import demo_uscc
from creditreg.domain.access.principals import SYSTEM
from creditreg.services.records import ingest_files, record_batches, records

FIELDS = [f["name"] for f in PUNISHMENT["template"]]
AUTHORITY = demo_uscc("11410100MB0000003")


def _row(i: int) -> dict[str, Any]:
    return {
        "party_name": f"示例企业{i}",
        "party_category": "法人及非法人组织",
        "uscc": demo_uscc(f"92{410100 + i % 90:06d}{i:09d}"[:17]),
        "legal_representative": "王示例",
        "decision_number": f"罚〔2026〕{i}号",
        "violation_type": "未按期申报",
        "facts": "未按照规定期限办理纳税申报",
        "legal_basis": "《税收征收管理法》第六十二条",
        "penalty_category": "罚款",
        "penalty_content": "罚款二千元",
        "fine_10k_cny": "0.2",
        "decision_date": "2026-02-27",
        "valid_until": "2029-02-27",
        "authority": "郑州市税务局",
        "authority_uscc": AUTHORITY,
        "source_unit": "郑州市税务局",
        "source_unit_uscc": AUTHORITY,
    }


def write_csv(path: Path, n: int, invalid_share: float, seed: int = 3) -> int:
    """n rows, about `invalid_share` of them invalid in one field; returns the bad count."""
    rng = random.Random(seed)
    bad = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(FIELDS)
        for i in range(n):
            row = _row(i)
            if rng.random() < invalid_share:
                bad += 1
                # Each change makes the row invalid: a missing required field, a bad
                # number, a bad identifier.
                field, value = rng.choice(
                    [("facts", ""), ("fine_10k_cny", "无效"), ("uscc", "无效"), ("uscc", "")]
                )
                row[field] = value
            writer.writerow([row.get(name, "") for name in FIELDS])
    return bad


def ingest_creditreg(target: Target, path: Path) -> tuple[float, record_batches.BatchResult]:
    """Rows/s through records.submit, streaming the file."""
    ctx = context_for(target)
    demo.load(ctx)
    from creditreg.services.records import catalog

    item = catalog.find(ctx, "XZCF")
    started = time.perf_counter()
    result = records.submit(
        ctx,
        SYSTEM,
        code="XZCF",
        rows=ingest_files.read_rows(path, "csv", item.template),
        content_digest=ingest_files.file_digest(path),
        source="bench",
    )
    elapsed = time.perf_counter() - started
    ctx.db.dispose()
    return result.rows / elapsed, result


def _raw_rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def ingest_raw(target: Target, path: Path) -> float:
    """Rows/s for the same subjects and records through the driver, no creditreg code."""
    ctx = context_for(target)
    demo.load(ctx)  # the same catalog item to point at
    ctx.db.dispose()
    conn = target.raw()
    p = target.param
    pg = target.backend == "postgresql"
    now: Any = datetime(2026, 3, 2, 1, tzinfo=UTC) if pg else "2026-03-02 01:00:00.000000"
    subject_sql = (
        f"INSERT INTO subject (kind, id_type, id_number, name, created_at, updated_at) "
        f"VALUES ({p}, {p}, {p}, {p}, {p}, {p})"
    )
    record_sql = (
        "INSERT INTO record (catalog_item_id, subject_id, providing_unit_id, data, "
        "self_declared, status, character, disclosure, decision_date, received_at, verify_due) "
        f"VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})"
    )
    started = time.perf_counter()
    cur = conn.cursor()
    if not pg:
        cur.execute("BEGIN IMMEDIATE")
    else:
        conn.autocommit = False
    next_id = int(cur.execute("SELECT COALESCE(MAX(id), 0) FROM subject").fetchone()[0]) + 1
    subjects_chunk: list[tuple[Any, ...]] = []
    records_chunk: list[tuple[Any, ...]] = []
    rows = 0
    for row in _raw_rows(path):
        rows += 1
        subjects_chunk.append(("legal_person", "uscc", row["uscc"], row["party_name"], now, now))
        data = json.dumps(row, ensure_ascii=False)
        records_chunk.append(
            (
                1,
                next_id,
                3,
                data,
                False,
                "received",
                "untrustworthy",
                "public_display",
                "2026-02-27",
                now,
                "2026-03-09",
            )
        )
        next_id += 1
        if len(records_chunk) >= 2000:
            cur.executemany(subject_sql, subjects_chunk)
            cur.executemany(record_sql, records_chunk)
            subjects_chunk, records_chunk = [], []
    if records_chunk:
        cur.executemany(subject_sql, subjects_chunk)
        cur.executemany(record_sql, records_chunk)
    conn.commit() if pg else cur.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return rows / elapsed


def _isolated(kind: str, target: Target, path: Path) -> tuple[float, int, int, int]:
    """Run one ingestion in this (spawned) process: rows/s, stored, rejected, peak KiB."""
    if kind == "raw":
        rate, stored, rejected = ingest_raw(target, path), -1, 0
    else:
        rate, result = ingest_creditreg(target, path)
        stored, rejected = result.stored, result.rejected_count
    # VmHWM, not ru_maxrss: Linux carries the parent's high-water mark across exec.
    status = Path("/proc/self/status").read_text().splitlines()
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return rate, stored, rejected, peak


def run_isolated(kind: str, target: Target, path: Path) -> tuple[float, int, int, int]:
    """`_isolated` in a fresh process, so that each figure's peak memory is its own."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_isolated, (kind, target, path))
