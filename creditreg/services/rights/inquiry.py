"""Self-inquiry (本人查询; RIG-1, RIG-3, Art 40): everything the platform holds about a
subject, with where each item came from, how it changed and why, and who read it.

Free and unlimited (Art 40). The same gathering feeds the credit reports
(services/rights/reports.py), so that a report shows what self-inquiry shows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

import orjson
import sqlalchemy as sa

from creditreg.domain.access.principals import Principal
from creditreg.domain.access.query_register import QueryPurpose
from creditreg.domain.errors import NotFound
from creditreg.domain.fields import field_label
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.privacy import mask_identifiers_in_text
from creditreg.domain.records.catalog import Disclosure
from creditreg.domain.rights.objections import OPEN as OPEN_OBJECTIONS
from creditreg.services.access import query_register, subject_accounts
from creditreg.services.context import Context
from creditreg.store.access.tables import unit
from creditreg.store.kernel.tables import audit_event
from creditreg.store.lists.tables import list_entry, list_entry_event
from creditreg.store.records.tables import catalog_item, consent, record
from creditreg.store.rights.objection_tables import objection, reconsideration
from creditreg.store.rights.tables import authorization, authorization_use
from creditreg.store.subjects.tables import subject

# Who may look at a subject's self-inquiry besides the subject: an operator serving the
# subject at the counter (the permission that binds accounts after an identity check).
COUNTER = Permission.ACCOUNTS_ISSUE


def self_inquiry(
    ctx: Context,
    principal: Principal,
    subject_id: int,
    purpose: QueryPurpose = query_register.DUTIES,
) -> dict[str, Any]:
    """RIG-1, RIG-3: the subject's own information, for its account (or an operator at
    the counter, whose read is registered like any unit's)."""
    subject_accounts.require_subject(
        ctx, principal, subject_id, COUNTER, action="rights.self_inquiry"
    )
    with ctx.db.write() as conn:
        found = gather(conn, ctx, subject_id)
        query_register.record(conn, ctx, principal, [subject_id], "self_inquiry", purpose)
    return {"as_of": ctx.now(), **found}


def gather(conn: sa.Connection, ctx: Context, subject_id: int) -> dict[str, Any]:
    """Everything held about the subject (the body of self-inquiry and of a full report)."""
    who = conn.execute(sa.select(subject).where(subject.c.id == subject_id)).first()
    if who is None:
        raise NotFound("subject.not_found", f"no subject {subject_id}")
    return {
        "subject": subject_of(who),
        "records": records_by_disclosure(conn, subject_id),
        "list_entries": entries_of(conn, subject_id),
        "open_objections": open_objections(conn, subject_id),
        "consents": consents_of(conn, subject_id),
        "authorizations": authorizations_of(conn, subject_id),
        "queries": queries_of(conn, ctx, subject_id),
    }


def subject_of(row: Any) -> dict[str, Any]:
    """The subject as its own report shows it (its identifier in full: it is its own)."""
    return {
        "id": row.id,
        "kind": row.kind,
        "name": row.name,
        "id_type": row.id_type,
        "id_number": row.id_number,
        "lei": row.lei,
        "region": row.region,
    }


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _reason(detail: str) -> str | None:
    """The reason an audit event's detail gives, if any."""
    try:
        parsed = orjson.loads(detail)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(parsed, dict):
        return None
    for key in ("reason", "reasons", "outcome", "grounds"):
        if parsed.get(key):
            value = parsed[key]
            text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
            return mask_identifiers_in_text(text)  # a unit's words may quote a number
    return None


def record_rows(conn: sa.Connection, subject_id: int) -> list[Any]:
    """The subject's records with their source (catalog item and version, providing unit)."""
    return list(
        conn.execute(
            sa.select(
                record,
                catalog_item.c.code.label("catalog_code"),
                catalog_item.c.version.label("catalog_version"),
                catalog_item.c.name.label("catalog_name"),
                catalog_item.c.field.label("catalog_field"),
                unit.c.name.label("unit_name"),
            )
            .join(catalog_item, catalog_item.c.id == record.c.catalog_item_id)
            .join(unit, unit.c.id == record.c.providing_unit_id)
            .where(record.c.subject_id == subject_id)
            .order_by(record.c.id)
        )
    )


def source_of(row: Any) -> dict[str, Any]:
    """RIG-2, Art 40: where a record came from."""
    field = field_label(row.catalog_field)
    return {
        "providing_unit_id": row.providing_unit_id,
        "providing_unit": row.unit_name,
        "catalog_code": row.catalog_code,
        "catalog_version": row.catalog_version,
        "catalog_name": row.catalog_name,
        "field": field.code,
        "field_zh": field.label_zh,
        "batch_id": row.batch_id,
    }


def records_by_disclosure(conn: sa.Connection, subject_id: int) -> dict[str, list[Any]]:
    """The subject's records grouped by disclosure mode (Art 18), each with its source
    and the history of its changes with their reasons (Art 40)."""
    rows = record_rows(conn, subject_id)
    changes = _record_changes(conn, [r.id for r in rows])
    grouped: dict[str, list[Any]] = {mode.value: [] for mode in Disclosure}
    for r in rows:
        grouped.setdefault(r.disclosure, []).append(
            {
                "id": r.id,
                "status": r.status,
                "character": r.character,
                "self_declared": r.self_declared,
                "data": r.data,
                "source": source_of(r),
                "received_at": _iso(r.received_at),
                "verified_at": _iso(r.verified_at),
                "display_until": _iso(r.display_until),
                "archived_at": _iso(r.archived_at),
                "archive_reason": r.archive_reason,
                "withdrawn_at": _iso(r.withdrawn_at),
                "withdraw_reason": r.withdraw_reason,
                "returned_reasons": r.returned_reasons,
                "changes": changes.get(str(r.id), []),
            }
        )
    return grouped


def _record_changes(conn: sa.Connection, ids: list[int]) -> dict[str, list[dict[str, Any]]]:
    """Each record's changes as the audit log holds them (action, when, who, why)."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for start in range(0, len(ids), 500):
        part = [str(i) for i in ids[start : start + 500]]
        for e in conn.execute(
            sa.select(
                audit_event.c.object_id,
                audit_event.c.occurred_at,
                audit_event.c.action,
                audit_event.c.actor,
                audit_event.c.detail,
            )
            .where(audit_event.c.object_type == "record", audit_event.c.object_id.in_(part))
            .order_by(audit_event.c.seq)
        ):
            found[e.object_id].append(
                {
                    "at": e.occurred_at,
                    "action": e.action,
                    "by": e.actor,
                    "reason": _reason(e.detail),
                }
            )
    return found


def entry_rows(conn: sa.Connection, subject_id: int) -> list[Any]:
    return list(
        conn.execute(
            sa.select(list_entry, unit.c.name.label("unit_name"))
            .outerjoin(unit, unit.c.id == list_entry.c.designating_unit_id)
            .where(list_entry.c.subject_id == subject_id)
            .order_by(list_entry.c.id)
        )
    )


def entries_of(conn: sa.Connection, subject_id: int) -> list[dict[str, Any]]:
    """The subject's list entries with their history (LST-7)."""
    rows = entry_rows(conn, subject_id)
    history: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if rows:
        for e in conn.execute(
            sa.select(list_entry_event)
            .where(list_entry_event.c.entry_id.in_([r.id for r in rows]))
            .order_by(list_entry_event.c.id)
        ):
            history[e.entry_id].append(
                {
                    "action": e.action,
                    "from": e.from_status,
                    "to": e.to_status,
                    "on": e.on_date.isoformat(),
                    # An objector's grounds or a unit's note may quote others' numbers.
                    "reason": None if e.reason is None else mask_identifiers_in_text(e.reason),
                }
            )
    return [
        {
            "id": r.id,
            "list_type": r.list_type,
            "field": r.field,
            "field_zh": field_label(r.field).label_zh,
            "status": r.status,
            "designating_unit_id": r.designating_unit_id,
            "designating_unit": r.unit_name,
            "facts": r.facts,
            "basis": r.basis,
            "preliminary_on": _iso(r.preliminary_on),
            "designated_on": _iso(r.designated_on),
            "valid_until": _iso(r.valid_until),
            "removed_on": _iso(r.removed_on),
            "removal_reason": r.removal_reason,
            "history": history.get(r.id, []),
        }
        for r in rows
    ]


def open_objections(conn: sa.Connection, subject_id: int) -> list[dict[str, Any]]:
    """Objections still open on the subject's records and list entries (issue 10, part 4:
    the one objection lifecycle), whoever made them; and those decided whose outcome is
    being reconsidered (status `under_reconsideration`, OBJ-3), which are not over yet."""
    pending = (
        sa.select(reconsideration.c.id)
        .where(
            reconsideration.c.objection_id == objection.c.id,
            reconsideration.c.status == "received",
        )
        .exists()
    )
    return [
        {
            "id": o.id,
            "object_type": o.target_type,
            "object_id": o.target_id,
            "received_on": o.received_on.isoformat(),
            "status": "under_reconsideration" if o.reconsidered else o.status,
            # Art 41: the day it is to be decided by (while it is open).
            "due_date": None if o.reconsidered else _iso(o.due_date),
            # An objector other than the subject may have written its own numbers (DIS-3).
            "grounds": mask_identifiers_in_text(o.grounds),
        }
        for o in conn.execute(
            sa.select(objection, pending.label("reconsidered"))
            .where(
                objection.c.subject_id == subject_id,
                sa.or_(objection.c.status.in_([s.value for s in OPEN_OBJECTIONS]), pending),
            )
            .order_by(objection.c.id)
        )
    ]


def consents_of(conn: sa.Connection, subject_id: int) -> list[dict[str, Any]]:
    """PRI-1, Art 45: the consents the subject gave, to whom, for what."""
    return [
        {
            "id": c.id,
            "unit_id": c.unit_id,
            "unit": c.unit_name,
            "categories": list(c.categories),
            "purpose": c.purpose,
            "written": c.written,
            "granted_on": c.granted_on.isoformat(),
            "revoked_at": _iso(c.revoked_at),
        }
        for c in conn.execute(
            sa.select(consent, unit.c.name.label("unit_name"))
            .join(unit, unit.c.id == consent.c.unit_id)
            .where(consent.c.subject_id == subject_id)
            .order_by(consent.c.id)
        )
    ]


def authorizations_of(conn: sa.Connection, subject_id: int) -> list[dict[str, Any]]:
    """DIS-6, Art 22: the written authorizations the subject gave, with every use."""
    rows = conn.execute(
        sa.select(authorization, unit.c.name.label("unit_name"))
        .join(unit, unit.c.id == authorization.c.unit_id)
        .where(authorization.c.subject_id == subject_id)
        .order_by(authorization.c.id)
    ).all()
    uses: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if rows:
        for u in conn.execute(
            sa.select(authorization_use)
            .where(authorization_use.c.authorization_id.in_([r.id for r in rows]))
            .order_by(authorization_use.c.id)
        ):
            uses[u.authorization_id].append(
                {"unit_id": u.unit_id, "actor": u.actor, "used_at": u.used_at.isoformat()}
            )
    return [
        {
            "id": a.id,
            "unit_id": a.unit_id,
            "unit": a.unit_name,
            "purpose": a.purpose,
            "valid_from": a.valid_from.isoformat(),
            "valid_until": a.valid_until.isoformat(),
            "status": a.status,
            "revoked_at": _iso(a.revoked_at),
            "uses": uses.get(a.id, []),
        }
        for a in rows
    ]


def queries_of(conn: sa.Connection, ctx: Context, subject_id: int) -> list[dict[str, Any]]:
    """RIG-2, SEC-2: who read the subject's information in the last two years, and why."""
    return [
        {
            "at": q.at.isoformat(),
            "unit_id": q.unit_id,
            "unit": q.unit_name,
            "actor": q.actor,
            "purpose": q.purpose.value,
            "purpose_zh": q.purpose_zh,
            "note": q.note,
            "what": q.what,
        }
        for q in query_register.of_subject(conn, ctx, subject_id)
    ]
