"""Engines for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from creditreg.domain.errors import InvalidInput

# Key of Connection.info that asks the next BEGIN on SQLite to take the write lock.
SQLITE_BEGIN = "creditreg_sqlite_begin"


# Issue 9: a SQLite writer waits this long for the lock, then fails as `db.busy` (503 with
# Retry-After). Ingests commit in short chunks, so no writer waits behind one for long.
SQLITE_BUSY_TIMEOUT_MS = 2000


def make_engine(
    url: str, schema: str | None = None, *, sqlite_busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS
) -> Engine:
    """An engine for `url`; on PostgreSQL, `schema` becomes the search path. A URL that is
    not SQLite or PostgreSQL is `config.bad_database_url` (CREDITREG_DATABASE_URL is input)."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise InvalidInput(
            "config.bad_database_url",
            "CREDITREG_DATABASE_URL is not a database URL (sqlite:///PATH or postgresql://...)",
        ) from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, sqlite_busy_timeout_ms)
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        connect_args: dict[str, Any] = {}
        if schema:
            connect_args["options"] = f"-csearch_path={schema}"
        return sa.create_engine(
            parsed,
            connect_args=connect_args,
            pool_pre_ping=True,
            pool_size=10,
            max_overflow=20,
            # DIS-3: an error's message and log never carry the statement's parameters
            # (ID numbers and names among them).
            hide_parameters=True,
        )
    raise InvalidInput(
        "config.bad_database_url",
        f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql",
    )


def _sqlite_engine(url: sa.URL, busy_timeout_ms: int) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        hide_parameters=True,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin() emit BEGIN itself (pysqlite's own handling is off).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        # Writers take the lock up front (BEGIN IMMEDIATE) so that a read-then-write
        # transaction, like appending to the audit chain, never fails half-way.
        conn.exec_driver_sql(conn.info.pop(SQLITE_BEGIN, "BEGIN"))

    return engine


def is_postgresql(engine: Engine) -> bool:
    """True on PostgreSQL."""
    return engine.dialect.name == "postgresql"
