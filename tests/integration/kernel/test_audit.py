"""The audit log in the database: same transaction, append-only, verifiable (SEC-3)."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from creditreg.demo.dataset import demo_uscc
from creditreg.domain.access.principals import SYSTEM
from creditreg.domain.errors import Conflict
from creditreg.domain.subjects.identifiers import IdType, SubjectKind
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.subjects import subjects
from creditreg.store.kernel.tables import audit_event
from creditreg.store.subjects.tables import subject


def add(ctx: Context, i: int) -> None:
    subjects.register(
        ctx,
        SYSTEM,
        kind=SubjectKind.LEGAL_PERSON,
        id_type=IdType.USCC,
        id_number=demo_uscc(f"91410100MA{i:07d}"),
        name=f"公司{i}",
    )


def test_event_is_written_in_the_same_transaction__SEC_3(ctx: Context) -> None:
    with pytest.raises(RuntimeError), ctx.db.write() as conn:
        audit.record(conn, ctx, SYSTEM, "test.action", "thing", 1)
        raise RuntimeError("the change fails after the event was written")
    assert audit.verify(ctx).checked == 0
    add(ctx, 1)
    [event] = audit.list_events(ctx, SYSTEM)
    assert event["action"] == "subject.register" and event["seq"] == 1
    assert event["actor"] == "system" and event["after_digest"]


def test_database_refuses_update_and_delete__SEC_3(ctx: Context) -> None:
    add(ctx, 1)
    for statement in (
        audit_event.update().values(actor="mallory"),
        audit_event.delete(),
    ):
        # SQLite's trigger aborts with a constraint error, which the unit of work maps to a
        # Conflict (as any constraint); PostgreSQL's raises its own error.
        with pytest.raises((sa.exc.DatabaseError, Conflict)), ctx.db.write() as conn:
            conn.execute(statement)
    assert audit.verify(ctx).ok


def test_tampering_is_found_and_named__SEC_3(ctx: Context) -> None:
    for i in range(4):
        add(ctx, i)
    assert audit.verify(ctx).checked == 4
    # Someone with the database owner's rights drops the guard and edits event 3.
    with ctx.db.write() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_event_no_update")
        else:
            conn.exec_driver_sql("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change")
        conn.execute(audit_event.update().where(audit_event.c.seq == 3).values(actor="nobody"))
    result = audit.verify(ctx)
    assert not result.ok and result.checked == 2
    assert result.broken is not None and result.broken.seq == 3


def test_concurrent_writers_keep_one_unbroken_chain__SEC_3(ctx: Context) -> None:
    errors: list[BaseException] = []

    def worker(base: int) -> None:
        try:
            for i in range(10):
                add(ctx, base + i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n * 100,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with ctx.db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(subject)).scalar_one() == 40
    result = audit.verify(ctx)
    assert result.ok and result.checked == 40
