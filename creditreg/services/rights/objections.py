"""Objections (OBJ-1, Art 41; Op(22)): filing one with its materials, and reading them.

Anyone may object, never anonymously, to a record or a list entry it can see. On receipt
the item carries the "under objection" marker (an entry is also suspended), the Art 41
deadline starts, and the one who decides is told: the platform for a record, the
designating unit for an entry. The steps that follow are in objection_steps.py.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from creditreg.domain.errors import Conflict, InvalidInput, NotFound, parse_enum
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.lists.entries import EntryStatus
from creditreg.domain.privacy import mask_identifiers_in_text
from creditreg.domain.rights import attachments as files
from creditreg.domain.rights.objections import (
    OPEN,
    ObjectorKind,
    Status,
    TargetType,
    Track,
    clean_grounds,
    decision_rule,
)
from creditreg.services.access import inbox
from creditreg.services.context import Context
from creditreg.services.kernel import calendar as calendar_service
from creditreg.services.lists import entry_steps
from creditreg.services.rights import objection_targets as targets
from creditreg.services.rights import objectors
from creditreg.services.rights.objection_lifecycle import row_of, step
from creditreg.services.rights.objection_views import (
    AttachmentView,
    ObjectionDetailView,
    ObjectionView,
    ReconsiderationView,
)
from creditreg.services.rights.objectors import Objector
from creditreg.store.kernel.tables import deadline
from creditreg.store.rights import objection_queries as queries
from creditreg.store.rights.objection_tables import (
    objection,
    objection_attachment,
    objection_event,
    objection_pause,
    reconsideration,
)


@dataclass(frozen=True, slots=True)
class Upload:
    """An attachment as it arrived: its name, the type its sender declared, its bytes."""

    filename: str
    declared_type: str | None
    content: bytes


def check_uploads(
    ctx: Context, uploads: Sequence[Upload], existing: int = 0
) -> list[files.Attachment]:
    """Every attachment checked before anything is stored (count, size, type by content)."""
    files.check_count(existing, len(uploads), ctx.objection_attachment_max_files)
    return [
        files.check(u.filename, u.declared_type, u.content, ctx.objection_attachment_max_bytes)
        for u in uploads
    ]


def _store_attachments(
    conn: sa.Connection,
    ctx: Context,
    objection_id: int,
    checked: Sequence[files.Attachment],
    by: str,
) -> None:
    if not checked:
        return
    conn.execute(
        objection_attachment.insert(),
        [
            {
                "objection_id": objection_id,
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": hashlib.sha256(a.content).hexdigest(),
                "content": a.content,
                "added_by": by,
                "created_at": ctx.now(),
            }
            for a in checked
        ],
    )


def file(
    ctx: Context,
    objector: Objector,
    *,
    target_type: str,
    target_id: int,
    grounds: str,
    uploads: Sequence[Upload] = (),
) -> ObjectionDetailView:
    """OBJ-1, Art 41: an objection with its grounds and materials, in one transaction:
    refused whole (nothing stored) when anything about it is wrong."""
    kind = parse_enum(TargetType, target_type, "objection.bad_target_type")
    text = clean_grounds(grounds)
    checked = check_uploads(ctx, uploads)
    today = ctx.today()
    with ctx.db.write() as conn:
        target = targets.visible(conn, objector, kind, target_id)
        # Art 41: the platform decides alone until it escalates to the provider; an entry
        # is verified by its designating unit (Op(22)).
        track = Track.PLATFORM if kind is TargetType.RECORD else Track.PROVIDER
        values = {
            "target_type": kind.value,
            "target_id": target.id,
            "subject_id": target.subject_id,
            "objector_kind": objector.kind.value,
            "objector_key": objector.key,
            "objector_unit_id": objector.unit_id,
            "objector_account_id": objector.account_id,
            "objector_subject_id": objector.subject_id,
            "objector_label": objector.label[:200],
            "deciding_unit_id": target.deciding_unit_id,
            "provider_unit_id": target.provider_unit_id,
            "grounds": text,
            "status": Status.RECEIVED.value,
            "track": track.value,
            "received_on": today,
            "created_at": ctx.now(),
            "updated_at": ctx.now(),
        }
        try:
            with conn.begin_nested():
                objection_id = queries.insert_objection(conn, values)
        except sa.exc.IntegrityError:
            raise Conflict(
                "objection.already_open",
                f"you have an open objection to {kind.value} {target.id}; add to it instead",
            ) from None
        _store_attachments(conn, ctx, objection_id, checked, objector.actor.actor)
        # CAL-3, Art 41: counted from receipt, stored with its rule.
        cal = calendar_service.load(conn)
        stored = calendar_service.register_deadline(
            conn,
            ctx,
            cal,
            "objection",
            objection_id,
            decision_rule(kind, track),
            today,
        )
        conn.execute(
            objection.update()
            .where(objection.c.id == objection_id)
            .values(due_date=stored["due_date"])
        )
        row = row_of(conn, objection_id)
        step(conn, ctx, objector.actor, row, "receive", "")
        if kind is TargetType.LIST_ENTRY and target.row.status != EntryStatus.DESIGNATED.value:
            # Op(22), Art 28: an entry still in its procedure waits until the objection is
            # verified (nothing designates it meanwhile). A designated entry keeps its
            # measures, marked "under objection", until the objection is accepted (OBJ-6):
            # anyone may object, and an objection nobody has accepted stops nothing.
            entry_steps.suspend_for_objection(conn, ctx, objector.as_principal(), target.row, text)
        # OBJ-6: the one who decides is told at once, to accept it or not (the platform's
        # operators always; the designating unit for its entry).
        inbox.tell_once(
            conn,
            ctx.now(),
            "objection.received",
            "objection",
            {str(objection_id): [target.deciding_unit_id] if target.deciding_unit_id else []},
            lambda o: (
                f"objection {o} to {kind.value} {target.id} received {today}: decide whether "
                f"it is accepted (OBJ-6); the decision is due {stored['due_date']} "
                f"({stored['explanation']})"
            ),
        )
        return detail(conn, ctx, row_of(conn, objection_id))


def add_attachments(
    ctx: Context, objector: Objector, objection_id: int, uploads: Sequence[Upload]
) -> ObjectionDetailView:
    """More materials for one's own open objection (at most the configured number)."""
    if not uploads:
        raise InvalidInput("objection.no_attachment", "send at least one file")
    with ctx.db.write() as conn:
        row = _readable(conn, objector, objection_id)
        if row.objector_key != objector.key:
            raise NotFound("objection.not_found", f"no objection {objection_id} of yours")
        if Status(row.status) not in OPEN:
            raise Conflict(
                "objection.decided", f"objection {objection_id} is {row.status}: it is closed"
            )
        existing = conn.execute(
            sa.select(sa.func.count())
            .select_from(objection_attachment)
            .where(objection_attachment.c.objection_id == objection_id)
        ).scalar_one()
        checked = check_uploads(ctx, uploads, int(existing))
        _store_attachments(conn, ctx, objection_id, checked, objector.actor.actor)
        step(conn, ctx, objector.actor, row, "attach", f"{len(checked)} attachment(s)")
        return detail(conn, ctx, row_of(conn, objection_id))


# --- reading --------------------------------------------------------------------------------


def may_read(objector: Objector, row: Any) -> bool:
    """The objector; the platform; the unit that decides (an entry's designating unit);
    the record's provider; the provincial department, which reconsiders."""
    if row.objector_key == objector.key:
        return True
    principal = objector.principal
    if principal is None or objector.kind is ObjectorKind.SUBJECT_ACCOUNT:
        return False
    if {Permission.OBJECTIONS_HANDLE, Permission.RECONSIDERATION_DECIDE} & principal.permissions:
        return True
    return principal.unit_id is not None and principal.unit_id in (
        row.deciding_unit_id,
        row.provider_unit_id,
    )


def _readable(conn: sa.Connection, objector: Objector, objection_id: int) -> Any:
    row = row_of(conn, objection_id)
    if not may_read(objector, row):
        raise NotFound("objection.not_found", f"no objection {objection_id}")
    return row


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def view(row: Any, today: date) -> ObjectionView:
    return {
        "id": row.id,
        "target_type": row.target_type,
        "target_id": row.target_id,
        "subject_id": row.subject_id,
        "objector_kind": row.objector_kind,
        # A name typed with a number in it (a public account's) is shown masked (DIS-3).
        "objector": mask_identifiers_in_text(row.objector_label),
        "objector_unit_id": row.objector_unit_id,
        "deciding_unit_id": row.deciding_unit_id,
        "provider_unit_id": row.provider_unit_id,
        "grounds": row.grounds,
        "status": row.status,
        "track": row.track,
        "received_on": row.received_on.isoformat(),
        "due_date": _iso(row.due_date),
        # Art 41: late when undecided after the due day, unless its clock is paused.
        "overdue": bool(
            row.status in {s.value for s in OPEN}
            and row.due_date is not None
            and row.due_date < today
            and row.paused_since is None
        ),
        # SEC-5, Art 65: lateness outlives the decision (the two days are stored facts).
        "decided_late": _late(row.decided_on, row.due_date),
        "paused_since": _iso(row.paused_since),
        "accepted_on": _iso(row.accepted_on),
        "acceptance_reason": row.acceptance_reason,
        "asked_on": _iso(row.asked_on),
        "answer_due": _iso(row.answer_due),
        "answer": row.answer,
        "outcome_reason": row.outcome_reason,
        "correction": row.correction,
        "decided_on": _iso(row.decided_on),
        "decided_by": row.decided_by,
    }


def _late(decided_on: date | None, due_date: date | None) -> bool:
    return decided_on is not None and due_date is not None and decided_on > due_date


def reconsideration_view(conn: sa.Connection, r: Any, today: date) -> ReconsiderationView:
    return {
        "id": r.id,
        "objection_id": r.objection_id,
        "department_unit_id": r.department_unit_id,
        "grounds": r.grounds,
        "status": r.status,
        "received_on": r.received_on.isoformat(),
        "due_date": r.due_date.isoformat(),
        "overdue": r.status == "received" and r.due_date < today,
        "decided_late": _late(r.decided_on, r.due_date),
        "explanation": calendar_service.explanation_of(conn, "reconsideration", r.id),
        "outcome_reason": r.outcome_reason,
        "decided_on": _iso(r.decided_on),
        "decided_by": r.decided_by,
    }


def detail(conn: sa.Connection, ctx: Context, row: Any) -> ObjectionDetailView:
    """An objection with its deadlines explained (CAL-3), pauses, attachments (not their
    bytes), history and reconsideration."""
    today = ctx.today()
    recon = conn.execute(
        sa.select(reconsideration).where(reconsideration.c.objection_id == row.id)
    ).first()
    return {
        **view(row, today),
        "deadlines": [
            {
                "rule_code": d.rule_code,
                "basis": d.basis,
                "due_date": d.due_date.isoformat(),
                "provisional": d.provisional,
                "explanation": d.explanation,
            }
            for d in conn.execute(
                sa.select(deadline)
                .where(deadline.c.owner_type == "objection", deadline.c.owner_id == str(row.id))
                .order_by(deadline.c.id)
            )
        ],
        "pauses": [
            {
                "kind": p.kind,
                "reason": p.reason,
                "start_on": p.start_on.isoformat(),
                "end_on": _iso(p.end_on),
            }
            for p in conn.execute(
                sa.select(objection_pause)
                .where(objection_pause.c.objection_id == row.id)
                .order_by(objection_pause.c.id)
            )
        ],
        "attachments": [
            _attachment_view(a)
            for a in conn.execute(
                sa.select(
                    objection_attachment.c.id,
                    objection_attachment.c.filename,
                    objection_attachment.c.content_type,
                    objection_attachment.c.size,
                    objection_attachment.c.sha256,
                    objection_attachment.c.created_at,
                )
                .where(objection_attachment.c.objection_id == row.id)
                .order_by(objection_attachment.c.id)
            )
        ],
        "history": [
            {
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "on": e.on_date.isoformat(),
                "actor": e.actor,
                "reason": e.reason,
            }
            for e in conn.execute(
                sa.select(objection_event)
                .where(objection_event.c.objection_id == row.id)
                .order_by(objection_event.c.id)
            )
        ],
        "reconsideration": reconsideration_view(conn, recon, today) if recon else None,
    }


def _attachment_view(a: Any) -> AttachmentView:
    return {
        "id": a.id,
        "filename": a.filename,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "created_at": a.created_at.isoformat(),
    }


def get(ctx: Context, reader: Objector, objection_id: int) -> ObjectionDetailView:
    """One objection, to those who may read it (others: 404)."""
    with objectors.reading(ctx, reader) as conn:
        row = _readable(conn, reader, objection_id)
        objectors.register_read(conn, ctx, reader, [row.subject_id], "objection", objection_id)
        return detail(conn, ctx, row)


def listing(
    ctx: Context,
    reader: Objector,
    *,
    status: str | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    overdue: bool = False,
    limit: int = 200,
) -> list[ObjectionView]:
    """The objections the reader may read, the oldest deadline first; only the late ones
    (SEC-5, Art 65) with `overdue`."""
    today = ctx.today()
    query = sa.select(objection).order_by(objection.c.due_date, objection.c.id)
    if status:
        query = query.where(
            objection.c.status == parse_enum(Status, status, "objection.bad_status").value
        )
    if target_type:
        query = query.where(
            objection.c.target_type
            == parse_enum(TargetType, target_type, "objection.bad_target_type").value
        )
    if target_id is not None:
        query = query.where(objection.c.target_id == target_id)
    if overdue:
        query = query.where(
            objection.c.status.in_([s.value for s in OPEN]),
            objection.c.due_date < today,
            objection.c.paused_since.is_(None),
        )
    principal = reader.principal
    sees_all = (
        principal is not None
        and reader.kind is not ObjectorKind.SUBJECT_ACCOUNT
        and bool(
            {Permission.OBJECTIONS_HANDLE, Permission.RECONSIDERATION_DECIDE}
            & principal.permissions
        )
    )
    if not sees_all:
        mine = objection.c.objector_key == reader.key
        if reader.unit_id is not None:
            mine = sa.or_(
                mine,
                objection.c.deciding_unit_id == reader.unit_id,
                objection.c.provider_unit_id == reader.unit_id,
            )
        query = query.where(mine)
    with objectors.reading(ctx, reader) as conn:
        rows = conn.execute(query.limit(max(1, min(limit, 1000)))).all()
        objectors.register_read(conn, ctx, reader, [r.subject_id for r in rows], "objection")
        return [view(r, today) for r in rows]


@dataclass(frozen=True, slots=True)
class Download:
    """An attachment's bytes and how to send them (never inline, never sniffed)."""

    filename: str
    content_type: str
    content: bytes


def attachment(ctx: Context, reader: Objector, objection_id: int, attachment_id: int) -> Download:
    """One attachment's bytes, to those who may read the objection; a unit's download of
    the subject's materials is registered (SEC-2)."""
    with objectors.reading(ctx, reader) as conn:
        row = _readable(conn, reader, objection_id)
        a = conn.execute(
            sa.select(objection_attachment).where(
                objection_attachment.c.id == attachment_id,
                objection_attachment.c.objection_id == objection_id,
            )
        ).first()
        if a is None:
            raise NotFound("objection.attachment_not_found", f"no attachment {attachment_id}")
        objectors.register_read(conn, ctx, reader, [row.subject_id], "objection", objection_id)
    return Download(a.filename, a.content_type, bytes(a.content))
