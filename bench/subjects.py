"""Subjects benchmark: bulk load and lookup by code, creditreg beside the raw database.

Both sides get the same pre-generated rows and the same random codes, on a freshly
migrated database each (same table, same indexes and constraints), in the same run.
"raw" is the DB-API driver alone (sqlite3 / psycopg) with no creditreg code at all.
"""

from __future__ import annotations

import random
import sqlite3
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa

from creditreg.bootstrap import build_audit_key, build_context
from creditreg.clock import FixedClock
from creditreg.config import Settings
from creditreg.domain.access.principals import SYSTEM, Principal
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.kernel.codes import USCC_ALPHABET, uscc_check_character
from creditreg.domain.subjects.identifiers import IdType
from creditreg.services.context import Context
from creditreg.services.subjects import subjects
from creditreg.store.engine import make_engine
from creditreg.store.migrate import upgrade

CHUNK = subjects.IMPORT_CHUNK
LOOKUP_SQL = (
    "SELECT id, kind, id_type, id_number, name, lei, region FROM subject "
    "WHERE id_type = {p} AND id_number = {p}"
)
INSERT_SQL = (
    "INSERT INTO subject (kind, id_type, id_number, name, created_at, updated_at) "
    "VALUES ({p}, {p}, {p}, {p}, {p}, {p})"
)
READER = Principal(
    actor="bench",
    unit_id=None,
    level=SYSTEM.level,
    permissions=frozenset({Permission.SUBJECTS_READ}),
)


def codes(n: int) -> list[str]:
    """n distinct valid USCCs (legal persons, Henan division codes)."""
    result = []
    base = len(USCC_ALPHABET)
    for i in range(n):
        body, x = [], i
        for _ in range(9):
            x, r = divmod(x, base)
            body.append(USCC_ALPHABET[r])
        head = f"914{101 + i % 80:03d}00" + "".join(reversed(body))
        result.append(head + uscc_check_character(head))
    return result


@dataclass
class Target:
    """A freshly migrated database for one side of one measurement."""

    backend: str
    url: str
    schema: str | None
    path: Path | None = None

    def engine(self) -> sa.Engine:
        return make_engine(self.url, self.schema)

    def raw(self) -> Any:
        """A DB-API connection with no SQLAlchemy and no creditreg in between."""
        if self.backend == "sqlite":
            conn = sqlite3.connect(str(self.path), isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            return conn
        dsn = self.url.replace("postgresql+psycopg://", "postgresql://")
        return psycopg.connect(dsn, options=f"-csearch_path={self.schema}", autocommit=True)

    @property
    def param(self) -> str:
        return "?" if self.backend == "sqlite" else "%s"


def new_target(backend: str, pg_url: str, workdir: Path) -> Target:
    if backend == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:8]}.db"
        target = Target("sqlite", f"sqlite:///{path}", None, path)
    else:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(pg_url)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        admin.dispose()
        target = Target("postgresql", pg_url, schema)
    engine = target.engine()
    upgrade(engine, audit_key=build_audit_key(Settings()))
    engine.dispose()
    return target


def drop_target(target: Target, pg_url: str) -> None:
    if target.backend == "sqlite" and target.path:
        for suffix in ("", "-wal", "-shm"):
            Path(str(target.path) + suffix).unlink(missing_ok=True)
    elif target.schema:
        admin = make_engine(pg_url)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{target.schema}" CASCADE')
        admin.dispose()


def context_for(target: Target) -> Context:
    settings = Settings(database_url=target.url, database_schema=target.schema)
    return build_context(settings, clock=FixedClock(datetime(2026, 3, 2, 1, tzinfo=UTC)))


def load_creditreg(target: Target, all_codes: Sequence[str]) -> float:
    """Subjects/s through subjects.import_subjects (validate, match, store, audit)."""
    ctx = context_for(target)
    rows = (
        subjects.ImportRow("legal_person", "uscc", c, f"示例企业{i}")
        for i, c in enumerate(all_codes)
    )
    started = time.perf_counter()
    result = subjects.import_subjects(ctx, SYSTEM, rows)
    elapsed = time.perf_counter() - started
    ctx.db.dispose()
    assert result.added == len(all_codes)
    return len(all_codes) / elapsed


def _raw_rows(all_codes: Sequence[str], now: Any) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for i, c in enumerate(all_codes):
        chunk.append(("legal_person", "uscc", c, f"示例企业{i}", now, now))
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def load_raw(target: Target, all_codes: Sequence[str]) -> float:
    """Subjects/s for the same rows through the driver's executemany, one transaction."""
    conn = target.raw()
    sql = INSERT_SQL.format(p=target.param)
    now: Any = (
        "2026-03-02 01:00:00.000000"
        if target.backend == "sqlite"
        else datetime(2026, 3, 2, 1, tzinfo=UTC)
    )
    started = time.perf_counter()
    if target.backend == "sqlite":
        conn.execute("BEGIN IMMEDIATE")
        for chunk in _raw_rows(all_codes, now):
            conn.executemany(sql, chunk)
        conn.execute("COMMIT")
    else:
        with conn.transaction(), conn.cursor() as cur:
            for chunk in _raw_rows(all_codes, now):
                cur.executemany(sql, chunk)
    elapsed = time.perf_counter() - started
    conn.close()
    return len(all_codes) / elapsed


def lookup_creditreg(target: Target, sample: Sequence[str]) -> float:
    """Lookups/s through subjects.find (normalise, validate, read, mask)."""
    ctx = context_for(target)
    started = time.perf_counter()
    for code in sample:
        subjects.find(ctx, READER, IdType.USCC, code)
    elapsed = time.perf_counter() - started
    ctx.db.dispose()
    return len(sample) / elapsed


def lookup_raw(target: Target, sample: Sequence[str]) -> float:
    """Lookups/s for the same indexed SELECT on one driver connection."""
    conn = target.raw()
    sql = LOOKUP_SQL.format(p=target.param)
    started = time.perf_counter()
    if target.backend == "sqlite":
        for code in sample:
            row = conn.execute(sql, ("uscc", code)).fetchone()
            assert row is not None
    else:
        with conn.cursor() as cur:
            for code in sample:
                cur.execute(sql, ("uscc", code), prepare=True)
                assert cur.fetchone() is not None
    elapsed = time.perf_counter() - started
    conn.close()
    return len(sample) / elapsed


def sample_codes(all_codes: Sequence[str], n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [all_codes[rng.randrange(len(all_codes))] for _ in range(n)]
