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

from creditreg.domain.errors import Conflict
from creditreg.store.engine import SQLITE_BEGIN
from creditreg.store.kernel.queries import lock_chain

if TYPE_CHECKING:
    from creditreg.store.fast import FastInsert, FastQuery


# Constraints whose violation has a code of its own (the one a service's own check gives,
# so that a race answers what a sequential duplicate answers).
CONSTRAINT_CODES = {
    "uq_subject_id_type_id_number": (
        "subject.duplicate",
        "a subject with this identifier already exists",
    ),
    "uq_subject_lei": ("subject.duplicate_lei", "this LEI is already recorded for a subject"),
    "uq_list_entry_live": ("entry.already_listed", "the subject already has a live entry here"),
}
_SQLITE_COLUMNS = {
    "subject.id_type, subject.id_number": "uq_subject_id_type_id_number",
    "subject.lei": "uq_subject_lei",
}


def conflict_of(exc: Exception) -> Conflict:
    """The Conflict a constraint violation means (PostgreSQL names the constraint; SQLite
    names the columns)."""
    orig = getattr(exc, "orig", exc)
    name = getattr(getattr(orig, "diag", None), "constraint_name", None)
    if name is None:
        text = str(orig)
        name = next((c for cols, c in _SQLITE_COLUMNS.items() if cols in text), None)
    code, message = CONSTRAINT_CODES.get(
        name or "", ("db.conflict", "the change clashes with data stored at the same time")
    )
    return Conflict(code, message, constraint=name)


def serialization_failure(exc: BaseException) -> bool:
    """PostgreSQL refused a transaction that raced another (SQLSTATE 40001) or deadlocked
    with one (40P01): nothing of it was kept, and it may be tried again."""
    code = getattr(getattr(exc, "orig", exc), "sqlstate", None)
    return code in ("40001", "40P01")


def is_busy(exc: BaseException) -> bool:
    """A write that waited for the database's lock and gave up (SQLite's busy timeout,
    PostgreSQL's lock_timeout: SQLSTATE 55P03)."""
    if not isinstance(exc, sa.exc.OperationalError):
        return False
    if getattr(exc.orig, "sqlstate", None) == "55P03":
        return True
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text


class DriverTx:
    """A transaction on a DB-API connection (`Database.driver_write`): its cursor and the
    dialect its statements were compiled for. `of(conn)` gives the same view of a
    SQLAlchemy Connection's transaction, so that one store function serves both."""

    __slots__ = ("cursor", "dialect", "sqlite")

    def __init__(self, cursor: Any, dialect: sa.Dialect) -> None:
        self.cursor = cursor
        self.dialect = dialect
        self.sqlite = dialect.name == "sqlite"

    @classmethod
    def of(cls, conn: sa.Connection | DriverTx) -> DriverTx:
        if isinstance(conn, DriverTx):
            return conn
        return cls(conn.connection.driver_connection.cursor(), conn.dialect)  # type: ignore[union-attr]

    @property
    def in_transaction(self) -> bool:
        """Whether the transaction is still open: SQLite rolls the whole of it back by
        itself on some errors (disk full, I/O error, out of memory), PostgreSQL aborts it
        on any error."""
        conn = self.cursor.connection
        if self.sqlite:
            return bool(conn.in_transaction)
        return str(conn.info.transaction_status.name) in ("INTRANS", "ACTIVE")

    def run(self, sql: str, args: Any) -> Any:
        """Execute `sql` on the cursor; driver errors are raised as SQLAlchemy's, as
        `Connection.execute` would (the API answers them: 503, 409)."""
        try:
            return self.cursor.execute(sql, args)
        except self.dialect.loaded_dbapi.Error as exc:
            raise driver_error(sql, exc, self.dialect) from exc

    def run_many(self, sql: str, rows: Any, *, returning: bool = False) -> list[Any]:
        """executemany, errors as `run`'s; with `returning` (psycopg), each statement's
        first row, in the order of `rows`."""
        try:
            if not returning:
                self.cursor.executemany(sql, rows)
                return []
            self.cursor.executemany(sql, rows, returning=True)
            out = []
            while True:
                out.append(self.cursor.fetchone())
                if not self.cursor.nextset():
                    return out
        except self.dialect.loaded_dbapi.Error as exc:
            raise driver_error(sql, exc, self.dialect) from exc


def driver_error(sql: str, exc: Exception, dialect: sa.Dialect) -> sa.exc.StatementError:
    """A driver's error as SQLAlchemy raises it (OperationalError, IntegrityError ...)."""
    dbapi = dialect.loaded_dbapi
    return sa.exc.DBAPIError.instance(
        sql, None, exc, dbapi.Error, hide_parameters=True, dialect=dialect
    )


# How long a PostgreSQL writer waits for its turn (or a row lock) before giving up.
PG_LOCK_TIMEOUT = "10s"

# What `Database._active` holds during a driver transaction: no Connection can join it.
_DRIVER: Any = (None, True)


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
        # Hot-path one-row INSERTs (the query register beside a lookup; SEC-2).
        self.fast_inserts: dict[str, FastInsert] = {}

    @contextmanager
    def write(self, *, exclusive: bool = True) -> Iterator[sa.Connection]:
        """A read-write transaction, committed on success and rolled back on any error.
        On PostgreSQL it waits its turn behind the other writers (`exclusive`), as SQLite's
        always do; a transaction that only counts (a refused call) need not."""
        active = self._active.get()
        if active is not None:
            conn, writable = active
            if active is _DRIVER:
                raise RuntimeError("nothing joins a driver transaction (driver_write)")
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
                    if self.dialect == "postgresql" and exclusive:
                        # What SQLite's BEGIN IMMEDIATE gives: one writer at a time, each
                        # reading what the one before committed. Without it, two
                        # transactions that read a status, a count or a quota and acted
                        # on it interleaved (two acceptances of one objection, a third
                        # free report). The audit chain's lock, taken first instead of
                        # last; the check's own transactions (driver_write) do not take it.
                        # A writer waits at most PG_LOCK_TIMEOUT, then is answered 503
                        # db.busy (as SQLite's busy timeout answers), never queued for ever.
                        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{PG_LOCK_TIMEOUT}'")
                        lock_chain(conn)
                    yield conn
            except (sa.exc.IntegrityError, self.engine.dialect.loaded_dbapi.IntegrityError) as exc:
                # One place for every service: a constraint that a concurrent writer won
                # (two registrations of one code at once) is a 409, never a 500.
                raise conflict_of(exc) from None
            except sa.exc.OperationalError as exc:
                if serialization_failure(exc):
                    raise Conflict(
                        "db.conflict", "a change made at the same time won; retry"
                    ) from None
                raise
            finally:
                self._active.reset(token)

    @contextmanager
    def driver_write(self) -> Iterator[DriverTx]:
        """A read-write transaction on this thread's own DB-API connection, for the hot
        paths that write (the check registers every answer): an explicit BEGIN (IMMEDIATE
        on SQLite) and COMMIT on the driver, without the pool's checkout and reset or a
        SQLAlchemy Connection; rolled back on any error. Statements run on `DriverTx.cursor`
        (compiled once: `creditreg.store.measures.check_reads.Compiled`). It joins no
        caller's transaction and none can join it."""
        if self._active.get() is not None:
            raise RuntimeError("a driver transaction cannot join a caller's transaction")
        dbapi = self.engine.dialect.loaded_dbapi
        if self.dialect == "postgresql":
            with self._pipelined() as cursor:
                yield DriverTx(cursor, self.engine.dialect)
            return
        for attempt in (1, 2):
            cursor = self.reader().cursor()
            try:
                cursor.execute("BEGIN IMMEDIATE")
                break
            except dbapi.OperationalError as exc:
                cursor.close()
                text = str(exc).lower()
                if attempt == 2 or "locked" in text or "busy" in text:
                    raise  # another writer kept the lock past the busy timeout: 503
                # A connection left unusable (closed, or inside a transaction): anew once.
                self.drop_reader()
        token = self._active.set(_DRIVER)
        try:
            yield DriverTx(cursor, self.engine.dialect)
        except BaseException:
            with contextlib.suppress(Exception):
                cursor.execute("ROLLBACK")
            cursor.close()
            raise
        finally:
            self._active.reset(token)
        try:
            cursor.execute("COMMIT")
        except dbapi.Error as exc:
            with contextlib.suppress(Exception):
                cursor.execute("ROLLBACK")
            raise driver_error("COMMIT", exc, self.engine.dialect) from exc
        finally:
            cursor.close()

    @contextmanager
    def _pipelined(self) -> Iterator[Any]:
        """PostgreSQL: the transaction in psycopg's pipeline mode, so that the statements
        whose results nobody waits for (BEGIN, the exposures' INSERT, COMMIT) travel with
        the next one instead of costing a round trip each. A connection found broken is
        dropped (the caller is answered 503 and the next transaction opens another)."""
        dbapi = self.engine.dialect.loaded_dbapi
        conn = self.reader()
        # Pipeline mode needs libpq 14 or later; with an older one, a plain transaction.
        pipeline = conn.pipeline() if dbapi.Pipeline.is_supported() else contextlib.nullcontext()
        token = self._active.set(_DRIVER)
        try:
            with pipeline, conn.transaction(), conn.cursor() as cursor:
                yield cursor
        except (
            dbapi.OperationalError,
            dbapi.InterfaceError,
            sa.exc.OperationalError,
            sa.exc.InterfaceError,
        ):
            self.drop_reader()
            raise
        except dbapi.Error as exc:
            raise driver_error("COMMIT", exc, self.engine.dialect) from exc
        finally:
            self._active.reset(token)

    @property
    def in_transaction(self) -> bool:
        """Whether this call runs inside a caller's transaction (a write would join it)."""
        return self._active.get() is not None

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A read-only transaction (rolled back at the end), or the caller's transaction."""
        active = self._active.get()
        if active is _DRIVER:
            raise RuntimeError("nothing joins a driver transaction (driver_write)")
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
