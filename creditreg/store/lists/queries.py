"""The lists context's named queries: the only statements that write the status of an
entry, a restoration application, an upward report or a standard (design
rule 1; tests/integration/kernel/test_status_writes.py fails on any other), and the
INSERTs of new rows in their initial states."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from creditreg.domain.lists.entries import EntryStatus
from creditreg.domain.lists.standards import ListType
from creditreg.store import bulk
from creditreg.store.lists.tables import (
    list_entry,
    list_entry_person,
    restoration_application,
    standard,
    upward_report,
)

chunks = bulk.chunks


def insert_rows(conn: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Many new rows of one table (all with the same keys), in one statement."""
    if rows:
        columns = list(rows[0])
        bulk.insert_rows(conn, table, columns, [tuple(r[c] for c in columns) for r in rows])


# --- entries -------------------------------------------------------------------------------


def insert_entry(conn: sa.Connection, values: Mapping[str, Any]) -> int:
    """A new entry in its initial state (preliminary, or designated when the platform
    derives it), with the responsible persons it names (SUB-4); the unique index refuses a
    second live one (IntegrityError)."""
    entry_id = int(
        conn.execute(
            list_entry.insert().values(dict(values)).returning(list_entry.c.id)
        ).scalar_one()
    )
    info = values.get("subject_info") or {}
    persons = [
        {
            "entry_id": entry_id,
            "role": str(p.get("role", "")),
            "id_type": str(p["id_type"]),
            "id_number": str(p["id_number"]),
        }
        for p in info.get("responsible_persons", [])
        if p.get("id_type") and p.get("id_number")
    ]
    if persons:
        conn.execute(list_entry_person.insert(), persons)
    return entry_id


def insert_entries(conn: sa.Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Derived entries (key scrutiny after a blacklist), designated from the start."""
    for row in rows:
        insert_entry(conn, row)


def set_entry_status(
    conn: sa.Connection, entry_id: int, status: str, now: datetime, **values: Any
) -> None:
    """One entry's new status and the facts stamped with it."""
    conn.execute(
        list_entry.update()
        .where(list_entry.c.id == entry_id)
        .values(status=status, updated_at=now, **values)
    )


def set_window_due(conn: sa.Connection, entry_id: int, due: date, now: datetime) -> None:
    """The end of an entry's window, counted once the notice it waited for was delivered."""
    conn.execute(
        list_entry.update()
        .where(list_entry.c.id == entry_id, list_entry.c.window_due.is_(None))
        .values(window_due=due, updated_at=now)
    )


def set_entry_status_many(
    conn: sa.Connection, entry_ids: Sequence[int], status: str, now: datetime, **values: Any
) -> None:
    """The same new status for many entries: one `UPDATE ... WHERE id IN` a chunk."""
    for part in chunks(entry_ids):
        conn.execute(
            list_entry.update()
            .where(list_entry.c.id.in_(part))
            .values(status=status, updated_at=now, **values)
        )


# --- restoration applications, upward reports, standards --------------------


def insert_restoration(conn: sa.Connection, values: Mapping[str, Any]) -> int:
    """A new restoration application, pending."""
    return int(
        conn.execute(
            restoration_application.insert()
            .values({**values, "status": "pending"})
            .returning(restoration_application.c.id)
        ).scalar_one()
    )


def set_restoration_status(
    conn: sa.Connection, application_ids: Sequence[int], status: str, **values: Any
) -> None:
    """Restoration applications' new status (consented, refused, closed)."""
    for part in chunks(application_ids):
        conn.execute(
            restoration_application.update()
            .where(restoration_application.c.id.in_(part))
            .values(status=status, **values)
        )


def insert_reports(conn: sa.Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Upward reports, queued."""
    insert_rows(conn, upward_report, [{**r, "status": "queued"} for r in rows])


def set_report_status(
    conn: sa.Connection, entry_ids: Sequence[int], status: str, **values: Any
) -> None:
    """Upward reports' new status (sent), by entry."""
    for part in chunks(entry_ids):
        conn.execute(
            upward_report.update()
            .where(upward_report.c.entry_id.in_(part))
            .values(status=status, **values)
        )


def insert_standard(conn: sa.Connection, values: Mapping[str, Any]) -> int:
    """A new standard (version), current."""
    return int(
        conn.execute(
            standard.insert().values({**values, "status": "current"}).returning(standard.c.id)
        ).scalar_one()
    )


def set_standard_status(conn: sa.Connection, standard_id: int, status: str) -> None:
    """A standard's new status (superseded)."""
    conn.execute(standard.update().where(standard.c.id == standard_id).values(status=status))


def blacklist_hold(subject_id: sa.ColumnElement[Any]) -> sa.Exists:
    """DIS-2, Art 19: while the subject is on a blacklist (designated, or suspended by an
    objection after designation), its records stay displayed."""
    return sa.exists().where(
        list_entry.c.subject_id == subject_id,
        list_entry.c.list_type == ListType.BLACKLIST.value,
        list_entry.c.status.in_((EntryStatus.DESIGNATED.value, EntryStatus.OBJECTED.value)),
        list_entry.c.designated_on.is_not(None),
    )
