"""The triggers that keep the audit tables append-only (SEC-3), and their check.

One place says what the guards are, on both databases: `creditreg audit verify` reports
one that is missing, disabled or changed (`inspect`), and `creditreg db upgrade` puts it
back (`restore`), also when the schema is at its head already. The chain, its key and the
checkpoints find tampering after the fact; the guards stop the careless or the casual
(an application bug, a DELETE typed into the wrong console) before it happens, so a
guard that is gone is a finding in itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa

GUARDED = ("audit_event", "audit_checkpoint")


class GuardState(StrEnum):
    PRESENT = "present"
    MISSING = "missing"
    DISABLED = "disabled"  # PostgreSQL: ALTER TABLE ... DISABLE TRIGGER
    ALTERED = "altered"  # another definition (a WHEN clause, UPDATE OF a column, a no-op body)


@dataclass(frozen=True)
class Guard:
    """A trigger that refuses changes to a guarded table."""

    name: str
    table: str
    # SQLite: the CREATE TRIGGER statement, as sqlite_master keeps it. PostgreSQL: the
    # definition as pg_get_triggerdef() gives it, without the schema.
    definition: str


@dataclass(frozen=True)
class GuardFound:
    """A guard and what `inspect` found of it."""

    guard: Guard
    state: GuardState


def _sqlite(table: str, verb: str) -> Guard:
    name = f"{table}_no_{verb.lower()}"
    return Guard(
        name,
        table,
        f"CREATE TRIGGER {name} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
    )


def _pg_row(table: str) -> Guard:
    name = f"{table}_no_change"
    return Guard(
        name,
        table,
        f"CREATE TRIGGER {name} BEFORE DELETE OR UPDATE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
    )


def _pg_truncate(table: str) -> Guard:
    name = f"{table}_no_truncate"
    return Guard(
        name,
        table,
        f"CREATE TRIGGER {name} BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()",
    )


def _pg_function_body(table: str) -> str:
    # Migration 0001 created audit_event's function with exactly this body.
    return (
        f"BEGIN RAISE EXCEPTION '{table} is append-only' "
        "USING ERRCODE = 'insufficient_privilege'; END"
    )


def guards(dialect: str, tables: tuple[str, ...] = GUARDED) -> list[Guard]:
    """The guards of `tables` on `dialect` (sqlite or postgresql)."""
    if dialect == "sqlite":
        return [_sqlite(t, verb) for t in tables for verb in ("UPDATE", "DELETE")]
    return [g for t in tables for g in (_pg_row(t), _pg_truncate(t))]


def _normal(text: str) -> str:
    return " ".join(text.split())


def inspect(conn: sa.Connection) -> list[GuardFound]:
    """Each guard of the current schema, and whether it is there as defined."""
    if conn.dialect.name == "sqlite":
        stored: dict[str, str] = {
            row[0]: row[1]
            for row in conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            )
        }
        return [GuardFound(g, _sqlite_state(stored.get(g.name), g)) for g in guards("sqlite")]
    return [GuardFound(g, state) for g, state in _pg_states(conn)]


def _sqlite_state(sql: str | None, guard: Guard) -> GuardState:
    if sql is None:
        return GuardState.MISSING
    return GuardState.PRESENT if _normal(sql) == guard.definition else GuardState.ALTERED


def _pg_states(conn: sa.Connection) -> list[tuple[Guard, GuardState]]:
    schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
    rows = conn.execute(
        sa.text(
            "SELECT c.relname, t.tgname, t.tgenabled, pg_get_triggerdef(t.oid), p.prosrc"
            " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " JOIN pg_proc p ON p.oid = t.tgfoid"
            " WHERE n.nspname = :schema AND NOT t.tgisinternal"
        ),
        {"schema": schema},
    ).all()
    qualified = re.compile(rf'(?:\b{re.escape(schema)}|"{re.escape(schema)}")\.')
    found = {(r[0], r[1]): r for r in rows}
    states = []
    for guard in guards("postgresql"):
        row = found.get((guard.table, guard.name))
        if row is None:
            states.append((guard, GuardState.MISSING))
        elif _normal(qualified.sub("", row[3])) != guard.definition or _normal(
            row[4]
        ) != _pg_function_body(guard.table):
            states.append((guard, GuardState.ALTERED))
        elif row[2] not in ("O", "A"):  # D: disabled; R: fires only on a replica
            states.append((guard, GuardState.DISABLED))
        else:
            states.append((guard, GuardState.PRESENT))
    return states


def install(conn: sa.Connection, tables: tuple[str, ...] = GUARDED) -> list[str]:
    """Create the guards of `tables` that are not there as defined (dropping a changed or
    disabled one first); returns the names of those it (re)created. Idempotent."""
    wanted = {g.name for g in guards(conn.dialect.name, tables)}
    broken = [f.guard for f in inspect(conn) if f.guard.name in wanted and f.state != "present"]
    if conn.dialect.name == "postgresql":
        for table in sorted({g.table for g in broken}):
            # The body too: a trigger may be intact while its function was made a no-op.
            conn.exec_driver_sql(
                f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$ {_pg_function_body(table)} $$"
            )
    for guard in broken:
        on = f" ON {guard.table}" if conn.dialect.name == "postgresql" else ""
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {guard.name}{on}")
        conn.exec_driver_sql(guard.definition)
    return [g.name for g in broken]
