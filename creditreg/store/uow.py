"""Unit of work: one transaction per use case; entrypoints never open one.

A service called inside another service's transaction joins it (the connection is kept in
a context variable), so a composite use case commits or rolls back as one.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from creditreg.store.engine import SQLITE_BEGIN

if TYPE_CHECKING:
    from creditreg.store.fast import FastQuery


class Database:
    """Hands out transactions: `write()` for changes, `read()` for queries."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._active: ContextVar[tuple[sa.Connection, bool] | None] = ContextVar(
            f"creditreg_tx_{id(self)}", default=None
        )
        self._readers = threading.local()
        self._readers_lock = threading.Lock()
        self._all_readers: list[Any] = []
        # Hot-path SELECTs compiled for this database's dialect (creditreg.store.fast).
        self.fast_queries: dict[str, FastQuery] = {}

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """A read-write transaction, committed on success and rolled back on any error."""
        active = self._active.get()
        if active is not None:
            conn, writable = active
            if not writable:
                raise RuntimeError("a write cannot join a read-only transaction")
            yield conn
            return
        with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                conn.info[SQLITE_BEGIN] = "BEGIN IMMEDIATE"
            token = self._active.set((conn, True))
            try:
                with conn.begin():
                    yield conn
            finally:
                self._active.reset(token)

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A read-only transaction (rolled back at the end), or the caller's transaction."""
        active = self._active.get()
        if active is not None:
            yield active[0]
            return
        with self.engine.connect() as conn:
            token = self._active.set((conn, False))
            trans = conn.begin()
            try:
                yield conn
            finally:
                trans.rollback()
                self._active.reset(token)

    def reader(self) -> Any:
        """This thread's autocommit read connection (DB-API), for creditreg.store.fast."""
        conn: Any = getattr(self._readers, "conn", None)
        if conn is None:
            fairy = self.engine.raw_connection()
            conn = fairy.driver_connection
            assert conn is not None
            fairy.detach()  # ours for good: never returned to, or reset by, the pool
            if self.dialect == "postgresql":
                conn.autocommit = True
            self._readers.conn = conn
            with self._readers_lock:
                self._all_readers.append(conn)
        return conn

    def drop_reader(self) -> None:
        """Forget this thread's read connection (it broke); the next call opens another."""
        conn = getattr(self._readers, "conn", None)
        self._readers.conn = None
        if conn is not None:
            with self._readers_lock:
                if conn in self._all_readers:
                    self._all_readers.remove(conn)
            with contextlib.suppress(Exception):
                conn.close()

    def dispose(self) -> None:
        """Close every connection: the pool's and the threads' read connections."""
        with self._readers_lock:
            readers, self._all_readers = self._all_readers, []
        for conn in readers:
            with contextlib.suppress(Exception):
                conn.close()
        self._readers = threading.local()
        self.engine.dispose()
