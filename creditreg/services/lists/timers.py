"""The lists context's timers: windows, expiry, LST-6 proposals, big-data warnings, and
the overdue restorations and upward reports flagged (SEC-5).

Registered with the kernel's sweep runner at bootstrap (`register_sweep_steps`); each
step finds its work by index, in chunks, a transaction each (`StepRun.write`, which
renews the step's lease), and a second pass at the same time changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from creditreg.domain.access.principals import SYSTEM, Principal
from creditreg.domain.lists.entries import LIVE, EntryStatus, RemovalReason
from creditreg.domain.lists.notices import clause_zh, standard_cited
from creditreg.domain.lists.standards import FIELDS, KEY_FIELDS_FOR_WARNING, ListType
from creditreg.domain.records.lifecycle import RecordStatus
from creditreg.domain.subjects.identifiers import SubjectKind
from creditreg.services.access import inbox
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.kernel.sweep import CHUNK, StepRun, SweepSteps, in_chunks
from creditreg.services.lists import restoration
from creditreg.services.lists.entries import is_blacklisted
from creditreg.services.lists.entry_changes import (
    designate_rows,
    live_entries,
    live_entries_of,
    remove_rows,
)
from creditreg.services.lists.entry_writer import (
    ORIGIN_AUTOMATIC,
    ORIGIN_KEY_SCRUTINY_CONDUCT,
    Writer,
    derived_entry,
    insert_entry,
    public_subject,
)
from creditreg.store.kernel.tables import sweep_state
from creditreg.store.lists.tables import (
    list_entry,
    list_entry_record,
    list_recheck,
    standard,
    upward_report,
)
from creditreg.store.records.tables import catalog_item, record

KEY_FIELDS = sorted(f.code for f in FIELDS.values() if f.key)
WATERMARK = "key_scrutiny_conduct"
WATERMARK_OVERLAP = timedelta(days=1)


def register_sweep_steps(steps: SweepSteps) -> None:
    """The lists timers, in the order a pass has always run them (between the records
    context's archiving, 10, and its overdue verifications, 60)."""
    steps.register("list_windows", _windows, order=20)
    steps.register("list_basis_revoked", _basis_revoked, order=25)
    steps.register("list_expiry", _expiry, order=30)
    steps.register("key_scrutiny_conduct", _key_scrutiny_conduct, order=40)
    steps.register("big_data_warnings", _big_data_warnings, order=50)
    steps.register("overdue_restorations", _overdue_restorations, order=55)
    steps.register("overdue_upward_reports", _overdue_upward_reports, order=56)


def _overdue_restorations(run: StepRun) -> None:
    """SEC-5, Art 65: restoration applications past their Art 43 deadline are flagged once
    to their designating unit and to the platform operator."""
    with run.write() as conn:
        run.add("restorations_overdue", restoration.flag_overdue_in(conn, run.ctx))


# The day before which every queued upward report has been looked at (sweep_state).
REPORTS_MARK = "overdue_upward_reports"
# A calendar correction can move a queued report's due date a few days back, behind the
# mark: each day's first pass looks this far behind it again (the told are not told twice).
REPORTS_OVERLAP = timedelta(days=7)


def _overdue_upward_reports(run: StepRun) -> None:
    """SEC-5, Art 65; LST-9, Op(10): a designated entry not reported upward within its 10
    working days is flagged once to the platform operator and its designating unit.

    Reports are never sent until the transport exists, so the overdue ones only grow: a
    pass reads, by the (status, due_date) index, only the due dates since the last day's
    pass (a mark in sweep_state), in chunks of CHUNK, a transaction each."""
    today = run.ctx.today()
    with run.write() as conn:
        mark = conn.execute(
            sa.select(sweep_state.c.value).where(sweep_state.c.name == REPORTS_MARK)
        ).scalar()
        if mark is not None and date.fromisoformat(mark) >= today:
            return  # this day's pass ran
        since = date.fromisoformat(mark) - REPORTS_OVERLAP if mark else None
    queued = sa.select(upward_report.c.id, upward_report.c.entry_id, upward_report.c.due_date)
    queued = queued.where(upward_report.c.status == "queued", upward_report.c.due_date < today)
    if since is not None:
        queued = queued.where(upward_report.c.due_date >= since)
    last = 0
    while True:
        with run.write() as conn:
            rows = conn.execute(
                queued.where(upward_report.c.id > last).order_by(upward_report.c.id).limit(CHUNK)
            ).all()
            if rows:
                last = rows[-1].id
                run.add("upward_reports_overdue", _tell_overdue(conn, run, rows))
            if len(rows) < CHUNK:
                # Everything due before today is looked at: the next pass starts here.
                values = {"name": REPORTS_MARK, "value": today.isoformat()}
                if mark is None:
                    conn.execute(sweep_state.insert().values(**values))
                else:
                    conn.execute(
                        sweep_state.update()
                        .where(sweep_state.c.name == REPORTS_MARK)
                        .values(value=values["value"])
                    )
                return


def _tell_overdue(conn: sa.Connection, run: StepRun, rows: Sequence[Any]) -> int:
    """Tell the platform operators and each entry's designating unit, once per entry."""
    units = dict(
        conn.execute(
            sa.select(list_entry.c.id, list_entry.c.designating_unit_id).where(
                list_entry.c.id.in_([r.entry_id for r in rows])
            )
        ).all()
    )
    due = {str(r.entry_id): r.due_date for r in rows}
    fresh = inbox.tell_once(
        conn,
        run.ctx.now(),
        "upward_report.overdue",
        "list_entry",
        {str(r.entry_id): [units[r.entry_id]] if units.get(r.entry_id) else [] for r in rows},
        lambda e: (
            f"entry {e}: its report to the upper-level platform was due {due[e]} "
            "(10 working days from designation, Op(10)) and is not sent"
        ),
    )
    if fresh:
        audit.record(
            conn,
            run.ctx,
            _principal(run),
            "upward_report.overdue_flagged",
            "list_entry",
            "*",
            detail={"entries": [int(e) for e in fresh]},
        )
    return len(fresh)


def _principal(run: StepRun) -> Principal:
    """The lists writer audits a Principal; the kernel's runner hands on an Actor (the CLI
    and the workers pass Principals, so this only fills the scope of a bare Actor)."""
    actor = run.actor
    if isinstance(actor, Principal):
        return actor
    return replace(SYSTEM, actor=actor.actor, unit_id=actor.unit_id, permissions=actor.permissions)


def _in_chunks(
    run: StepRun,
    due: sa.ColumnElement[bool],
    apply: Callable[[sa.Connection, Writer, list[Any]], None],
) -> None:
    """Apply `apply` to the entries `due` selects, CHUNK at a time, a transaction each,
    until none is left (each chunk's changes take its entries out of `due`)."""
    principal = _principal(run)

    def chunk(conn: sa.Connection, rows: list[Any]) -> None:
        w = Writer(conn, run.ctx, principal)
        apply(conn, w, rows)
        w.flush()

    in_chunks(run, sa.select(list_entry).where(due).order_by(list_entry.c.id), chunk)


def _windows(run: StepRun) -> None:
    """Op(8), Art 28: a window that ended without an open objection ends in designation."""
    ctx = run.ctx

    def designate(conn: sa.Connection, w: Writer, rows: list[Any]) -> None:
        ready: list[Any] = []
        crossed: list[Any] = []
        for row in rows:
            red = row.list_type == ListType.RED_LIST.value
            (crossed if red and is_blacklisted(conn, row.subject_id) else ready).append(row)
        # Op(8): the cross-check again at designation; a blacklisted subject never enters.
        run.add(
            "removed_at_window", len(remove_rows(w, crossed, RemovalReason.BLACKLISTED).removed)
        )
        run.add("designated", len(designate_rows(w, ready).designated))

    _in_chunks(
        run,
        list_entry.c.status.in_((EntryStatus.NOTIFIED.value, EntryStatus.ANNOUNCED.value))
        & (list_entry.c.window_due < ctx.today()),
        designate,
    )


def _basis_revoked(run: StepRun) -> None:
    """ING-7, Art 42: a live entry resting on a withdrawn record is revoked within the day.
    The withdrawal revokes what rests on it at once; this step catches what came to rest
    on such a record otherwise (key scrutiny after a blacklist, given its records by
    migration 0030). Idempotent: a revoked entry is no longer live."""

    def revoke(conn: sa.Connection, w: Writer, rows: list[Any]) -> None:
        remove_rows(w, rows, RemovalReason.BASIS_REVOKED, note="a record it rests on was withdrawn")
        run.add("entries_revoked_basis_withdrawn", len(rows))

    withdrawn = (
        sa.select(list_entry_record.c.entry_id)
        .join(record, record.c.id == list_entry_record.c.record_id)
        .where(record.c.status == RecordStatus.WITHDRAWN.value)
    )
    _in_chunks(
        run,
        list_entry.c.status.in_([s.value for s in LIVE]) & list_entry.c.id.in_(withdrawn),
        revoke,
    )


def _expiry(run: StepRun) -> None:
    """Op(18)-(19), Art 37: entries (and key-scrutiny periods) end with their validity."""

    def expire(conn: sa.Connection, w: Writer, rows: list[Any]) -> None:
        changes = remove_rows(w, rows, RemovalReason.EXPIRY)
        run.add("expired", len(rows))
        run.add("key_scrutiny_followups", len(changes.followups))

    _in_chunks(
        run,
        list_entry.c.status.in_((EntryStatus.DESIGNATED.value, EntryStatus.OBJECTED.value))
        & (list_entry.c.valid_until < run.ctx.today()),
        expire,
    )


def _key_scrutiny_conduct(run: StepRun) -> None:
    """LST-6, Op(17): serious conduct (Art 33) verified while the subject is under key
    scrutiny proposes a blacklist entry in that field, for its designating unit to run."""
    ctx, principal = run.ctx, _principal(run)
    now = ctx.now()
    with run.write() as conn:
        mark = conn.execute(
            sa.select(sweep_state.c.value).where(sweep_state.c.name == WATERMARK)
        ).scalar()
        since = datetime.fromisoformat(mark) if mark else _first_scrutiny(conn)
        query = (
            sa.select(
                record.c.id.label("record_id"),
                record.c.decision_date,
                record.c.serious_class,
                catalog_item.c.code,
                list_entry,
            )
            .join(catalog_item, catalog_item.c.id == record.c.catalog_item_id)
            .join(list_entry, list_entry.c.subject_id == record.c.subject_id)
            .where(
                record.c.verified_at <= now,
                record.c.status == "verified",
                record.c.serious_class.is_not(None),
                record.c.discipline_block.is_(None),
                list_entry.c.list_type == ListType.KEY_SCRUTINY.value,
                list_entry.c.status == EntryStatus.DESIGNATED.value,
                # conduct during the scrutiny period, not the conduct that led to it
                record.c.decision_date >= list_entry.c.designated_on,
            )
            .order_by(record.c.id)
        )
        # Overlap the last pass: a verification committed just after it read is not
        # missed; what was already proposed is recognised below.
        # The records verified since are picked by their own index first (the planner,
        # without statistics, would otherwise read every verified record by status).
        recent = sa.select(record.c.id).where(
            record.c.verified_at > (since or now) - WATERMARK_OVERLAP, record.c.verified_at <= now
        )
        rows = (
            conn.execute(query.where(record.c.id.in_(recent.scalar_subquery()))).all()
            if since is not None
            else []
        )
        w = Writer(conn, ctx, principal)
        for row in rows:
            if _propose_blacklist(conn, ctx, w, row):
                run.add("blacklist_proposals")
        stored = now.isoformat()
        if mark is None:
            conn.execute(sweep_state.insert().values(name=WATERMARK, value=stored))
        elif mark != stored:
            conn.execute(
                sweep_state.update().where(sweep_state.c.name == WATERMARK).values(value=stored)
            )
        w.flush()


def _first_scrutiny(conn: sa.Connection) -> datetime | None:
    """Before the first pass: from the earliest key-scrutiny entry (none: nothing to read)."""
    first = conn.execute(
        sa.select(sa.func.min(list_entry.c.created_at)).where(
            list_entry.c.list_type == ListType.KEY_SCRUTINY.value,
            list_entry.c.status != EntryStatus.REMOVED.value,  # the live-entry index
        )
    ).scalar()
    return first if first is None else first.replace(tzinfo=first.tzinfo or UTC)


def _propose_blacklist(conn: sa.Connection, ctx: Context, w: Writer, row: Any) -> bool:
    if live_entries(conn, row.subject_id, ListType.BLACKLIST, row.field):
        return False
    already = conn.execute(
        sa.select(list_entry_record.c.entry_id)
        .join(list_entry, list_entry.c.id == list_entry_record.c.entry_id)
        .where(
            list_entry_record.c.record_id == row.record_id,
            list_entry.c.origin == ORIGIN_KEY_SCRUTINY_CONDUCT,
        )
        .limit(1)
    ).first()
    if already is not None:
        return False
    std = conn.execute(
        sa.select(standard)
        .where(
            standard.c.field == row.field,
            standard.c.list_type == ListType.BLACKLIST.value,
            standard.c.status == "current",
        )
        .order_by(standard.c.code)
        .limit(1)
    ).first()
    if std is None:
        return False  # no blacklist standard in the field: nothing to propose under
    info = dict(row.subject_info)
    entry_id = insert_entry(
        conn,
        ctx,
        {
            "list_type": ListType.BLACKLIST.value,
            "field": row.field,
            "subject_id": row.subject_id,
            "designating_unit_id": row.designating_unit_id,
            "standard_id": std.id,
            "standard_code": std.code,
            "status": EntryStatus.PRELIMINARY.value,
            "origin": ORIGIN_KEY_SCRUTINY_CONDUCT,
            "subject_info": info,
            "facts": (
                f"重点关注期间存在严重失信行为（{clause_zh(row.serious_class)}）："
                f"信用记录{row.record_id}（{row.code}，{row.decision_date.isoformat()}作出）"
            ),
            # Op(17): serious conduct during key scrutiny leads to a blacklist proposal.
            "basis": "《指导意见》第（十七）项；"
            + standard_cited(std.title, std.code, std.version, std.legal_basis),
            "rule_inputs": {
                "key_scrutiny_entry": row.id,
                "record": row.record_id,
                "serious_class": row.serious_class,
                "responsible_persons_needed": info.get("kind") != SubjectKind.NATURAL_PERSON
                and not info.get("responsible_persons"),
            },
            "measures": std.measures,
            "severity": std.severity,
            "channels": ["unit_portal", "credit_website"],
            "validity_months": std.validity_months,
            "restorable": std.restorable,
            "restoration_method": std.restoration_method,
            "restoration_after_months": std.restoration_after_months,
            "scrutiny_months": std.scrutiny_months,
            "preliminary_on": ctx.today(),
        },
    )
    conn.execute(list_entry_record.insert().values(entry_id=entry_id, record_id=row.record_id))
    w.history(
        entry_id,
        "propose",
        None,
        EntryStatus.PRELIMINARY.value,
        "serious conduct during key scrutiny (LST-6)",
        {"key_scrutiny_entry": row.id, "record": row.record_id},
    )
    return True


def _big_data_warnings(run: StepRun) -> None:
    """LST-5, Op(17): key scrutiny in 3 or more key fields moves a subject to the big-data
    warning list with a public alert; falling below moves it off. Only subjects whose
    key-scrutiny entries changed are looked at."""
    ctx, principal = run.ctx, _principal(run)
    while True:
        with run.write() as conn:
            subjects = list(
                conn.execute(
                    sa.select(list_recheck.c.subject_id)
                    .order_by(list_recheck.c.subject_id)
                    .limit(CHUNK)
                ).scalars()
            )
            if not subjects:
                return
            fields_of: dict[int, set[str]] = {s: set() for s in subjects}
            entries_of: dict[int, list[int]] = {s: [] for s in subjects}
            for r in conn.execute(
                sa.select(list_entry.c.id, list_entry.c.subject_id, list_entry.c.field).where(
                    list_entry.c.subject_id.in_(subjects),
                    list_entry.c.list_type == ListType.KEY_SCRUTINY.value,
                    list_entry.c.status == EntryStatus.DESIGNATED.value,
                    list_entry.c.field.in_(KEY_FIELDS),
                )
            ):
                fields_of[r.subject_id].add(r.field)
                entries_of[r.subject_id].append(r.id)
            w = Writer(conn, ctx, principal)
            warned: dict[int, list[Any]] = {}
            for e in live_entries_of(conn, subjects, ListType.BIG_DATA_WARNING):
                warned.setdefault(e.subject_id, []).append(e)
            for sid in subjects:
                current = warned.get(sid, [])
                enough = len(fields_of[sid]) >= KEY_FIELDS_FOR_WARNING
                if enough and not current:
                    _warn(conn, w, sid, sorted(fields_of[sid]), entries_of[sid])
                    run.add("warnings_added")
                elif current and not enough:
                    remove_rows(w, current, RemovalReason.BELOW_THRESHOLD)
                    run.add("warnings_lifted")
            conn.execute(list_recheck.delete().where(list_recheck.c.subject_id.in_(subjects)))
            w.flush()


def _warn(
    conn: sa.Connection, w: Writer, subject_id: int, fields: list[str], entry_ids: list[int]
) -> None:
    info = conn.execute(
        sa.select(list_entry.c.subject_info).where(list_entry.c.id == entry_ids[0])
    ).scalar_one()
    values = {
        **derived_entry(w, ListType.BIG_DATA_WARNING, subject_id, info),
        "field": "",
        "designating_unit_id": None,
        "origin": ORIGIN_AUTOMATIC,
        "facts": (
            f"在{len(fields)}个重点领域被列入重点关注名单："
            + "、".join(FIELDS[f].label_zh if f in FIELDS else f for f in fields)
        ),
        "basis": "《指导意见》第（十七）项：在三个以上重点领域被列入重点关注名单",
        "rule_inputs": {"key_fields": fields, "key_scrutiny_entries": entry_ids},
        "channels": ["credit_website"],  # Op(17): a public alert through the credit website
        "validity_months": 0,
        "valid_until": None,  # it ends when the key fields fall below 3, not by a date
    }
    entry_id = insert_entry(conn, w.ctx, values)
    w.history(entry_id, "designate", None, EntryStatus.DESIGNATED.value, "automatic (Op(17))")
    w.publish(
        SimpleNamespace(id=entry_id, **values),
        "alert",
        {"subject": public_subject(info), "key_fields": fields, "since": w.today.isoformat()},
        None,
    )
