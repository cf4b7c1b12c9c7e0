"""Hot-path reads: one Core SELECT compiled once, run on a pooled DB-API connection.

Measured here (bench/subjects.py): a lookup through `Database.read()` spends about 60% of
its time on the pool, an emitted BEGIN and a ROLLBACK, not on the SELECT. A
single-statement read needs no transaction, so this path skips them: SQLite reads in
autocommit, PostgreSQL runs the statement with autocommit on (one round trip).

Only for single SELECTs whose columns need no SQLAlchemy type processing (strings,
integers, JSON decoded by `decode_json`); anything else goes through `Database.read()`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Table, bindparam
from sqlalchemy.sql import Select

from creditreg.store.uow import Database


class FastQuery:
    """A SELECT compiled for the database's dialect once, executed with plain DB-API calls."""

    def __init__(self, db: Database, statement: Select[Any]) -> None:
        self.db = db
        compiled = statement.compile(dialect=db.engine.dialect)
        self.sql = str(compiled)
        self.order = tuple(compiled.positiontup or ())
        self.columns = tuple(str(c.key) for c in statement.selected_columns)

    def _params(self, params: Mapping[str, Any]) -> Any:
        return tuple(params[name] for name in self.order) if self.order else dict(params)

    def first(self, params: Mapping[str, Any]) -> dict[str, Any] | None:
        """The first row as a dict of column -> raw DB-API value, or None."""
        args = self._params(params)
        for attempt in (1, 2):
            conn = self.db.reader()
            try:
                cursor = conn.cursor()
                try:
                    cursor.execute(self.sql, args)
                    row = cursor.fetchone()
                finally:
                    cursor.close()
                break
            except self.db.engine.dialect.loaded_dbapi.OperationalError:
                # A server restart or an idle timeout closed it: reconnect once.
                self.db.drop_reader()
                if attempt == 2:
                    raise
        return None if row is None else dict(zip(self.columns, row, strict=True))


def decode_utc(value: Any) -> datetime | None:
    """A UTCDateTime column as SQLite (naive ISO text, UTC) or psycopg (aware) returns it."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def decode_json(value: Any) -> Any:
    """A JSON column as SQLite (text) or psycopg (already decoded) returns it."""
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def compiled_once(db: Database, key: str, build: Any) -> FastQuery:
    """The FastQuery `key` for this database, built on first use."""
    query = db.fast_queries.get(key)
    if query is None:
        query = db.fast_queries[key] = FastQuery(db, build())
    return query


class FastInsert:
    """A one-row INSERT compiled once, run on the thread's autocommit read connection.

    For a hot read that must leave a row behind (SEC-2: the query register beside a subject
    lookup): the statement commits on its own, one round trip, without the pool, a BEGIN
    or a COMMIT of its own. Values go through each column's bind processor (UTC stamps)."""

    def __init__(self, db: Database, table: Table, columns: tuple[str, ...]) -> None:
        self.db = db
        dialect = db.engine.dialect
        statement = table.insert().values({name: bindparam(name) for name in columns})
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.order = tuple(compiled.positiontup or ())
        self.processors = {name: table.c[name].type.bind_processor(dialect) for name in columns}

    def execute(self, values: Mapping[str, Any]) -> None:
        """Insert one row (committed when this returns)."""
        bound = {
            name: (proc(value) if proc is not None and value is not None else value)
            for name, value in values.items()
            for proc in (self.processors[name],)
        }
        args: Any = tuple(bound[name] for name in self.order) if self.order else bound
        conn = self.db.reader()
        cursor = conn.cursor()
        try:
            cursor.execute(self.sql, args)
        finally:
            cursor.close()


def insert_once(db: Database, key: str, table: Table, columns: tuple[str, ...]) -> FastInsert:
    """The FastInsert `key` for this database, built on first use."""
    insert = db.fast_inserts.get(key)
    if insert is None:
        insert = db.fast_inserts[key] = FastInsert(db, table, columns)
    return insert
