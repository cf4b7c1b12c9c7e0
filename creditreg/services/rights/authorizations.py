"""Written authorizations of authorized inquiry (issue 10, part 3; DIS-6, Art 22).

A subject grants a named unit a written authorization for a purpose and a period, and may
revoke it; the unit's inquiry into the subject's non-public (authorized-inquiry) records
is checked against it and recorded, and the subject sees every use. Only the subject
grants and revokes: a unit cannot authorize itself (the operator acting for a subject on
the command line is recorded as doing so on the subject's behalf).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal
from creditreg.domain.access.query_register import Purpose, QueryPurpose
from creditreg.domain.errors import Forbidden, NotFound
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.records.catalog import Disclosure
from creditreg.domain.records.lifecycle import LIVE
from creditreg.domain.rights.authorizations import (
    AUTHORIZATION,
    check_period,
    in_force,
    normalise_document,
    normalise_purpose,
)
from creditreg.services.access import query_register, subject_accounts
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.rights.accounts import subject_row
from creditreg.services.rights.views import (
    AuthorizationUseView,
    AuthorizationView,
    AuthorizedInquiryView,
)
from creditreg.store.access.tables import unit
from creditreg.store.records.tables import catalog_item, record
from creditreg.store.rights import queries
from creditreg.store.rights.tables import authorization, authorization_use

INQUIRY = "records:authorized_inquiry"


def grant(
    ctx: Context,
    principal: Principal,
    *,
    unit_id: int,
    purpose: str,
    valid_from: date | None,
    valid_until: date,
    document_ref: str,
) -> AuthorizationView:
    """DIS-6: the subject authorizes `unit_id` to inquire for `purpose` within the period."""
    subject_id = subject_accounts.require_self(principal)
    today = ctx.today()
    start = valid_from or today
    check_period(start, valid_until, today)
    what = normalise_purpose(purpose)
    ref = normalise_document(document_ref)
    with ctx.db.write() as conn:
        if conn.execute(sa.select(unit.c.id).where(unit.c.id == unit_id)).first() is None:
            raise NotFound("unit.not_found", f"no unit {unit_id}")
        values = {
            "subject_id": subject_id,
            "unit_id": unit_id,
            "purpose": what,
            "valid_from": start,
            "valid_until": valid_until,
            "document_ref": ref,
            "granted_by": principal.actor,
            "granted_at": ctx.now(),
        }
        new_id = queries.insert_authorization(conn, values)
        audit.record(
            conn,
            ctx,
            principal,
            "authorization.grant",
            "authorization",
            new_id,
            detail={
                "subject_id": subject_id,
                "unit_id": unit_id,
                "valid_from": start.isoformat(),
                "valid_until": valid_until.isoformat(),
            },
        )
        return _view(conn, _row(conn, new_id), today)


def revoke(ctx: Context, principal: Principal, authorization_id: int) -> AuthorizationView:
    """The subject withdraws an authorization; inquiries under it stop at once."""
    subject_id = subject_accounts.require_self(principal)
    with ctx.db.write() as conn:
        row = _row(conn, authorization_id)
        if row.subject_id != subject_id:
            raise NotFound("authorization.not_found", f"no authorization {authorization_id}")
        after = AUTHORIZATION.next(row.status, "revoke")
        queries.set_authorization_status(
            conn,
            authorization_id,
            after,
            revoked_by=principal.actor,
            revoked_at=ctx.now(),
        )
        audit.record(
            conn,
            ctx,
            principal,
            "authorization.revoke",
            "authorization",
            authorization_id,
            detail={"subject_id": subject_id, "unit_id": row.unit_id},
        )
        return _view(conn, _row(conn, authorization_id), ctx.today())


def of_subject(ctx: Context, principal: Principal, subject_id: int) -> list[AuthorizationView]:
    """A subject's authorizations with every use (the subject's own, or a unit that reads
    personal information)."""
    subject_accounts.require_subject(
        ctx, principal, subject_id, Permission.PERSONAL_READ, action="authorization.read"
    )
    today = ctx.today()
    with query_register.reading(ctx, principal) as conn:
        subject_row(conn, subject_id)  # 404 for a subject nobody has: no register row
        rows = conn.execute(
            sa.select(authorization)
            .where(authorization.c.subject_id == subject_id)
            .order_by(authorization.c.id)
        ).all()
        # SEC-2: a unit's (or the operator's) read of a subject's authorizations and their
        # uses is registered, in the read's transaction; the subject's own is not.
        query_register.record(conn, ctx, principal, [subject_id], "authorization")
        return [_view(conn, r, today) for r in rows]


def inquire(
    ctx: Context, principal: Principal, subject_id: int, purpose: str
) -> AuthorizedInquiryView:
    """DIS-6, Art 22: a unit's inquiry into a subject's authorized-inquiry records, allowed
    only by an authorization in force for this unit and purpose; each use is recorded for
    the subject to see. Without one: 403 `authorization.missing`, audited."""
    principal.require(Permission.SUBJECTS_READ)
    if principal.unit_id is None or principal.is_subject:
        raise Forbidden("authorization.units_only", "an authorized inquiry is made by a unit")
    what = normalise_purpose(purpose)
    today = ctx.today()
    with ctx.db.write() as conn:
        granted = conn.execute(
            sa.select(authorization)
            .where(
                authorization.c.subject_id == subject_id,
                authorization.c.unit_id == principal.unit_id,
                authorization.c.purpose == what,
            )
            .order_by(authorization.c.id.desc())
        ).all()
        usable = next(
            (a for a in granted if in_force(a.status, a.valid_from, a.valid_until, today)), None
        )
        if usable is not None:
            found = _authorized_records(conn, subject_id)
            conn.execute(
                authorization_use.insert().values(
                    authorization_id=usable.id,
                    unit_id=principal.unit_id,
                    actor=principal.actor,
                    what=INQUIRY,
                    items=len(found),
                    used_at=ctx.now(),
                )
            )
            audit.record(
                conn,
                ctx,
                principal,
                "authorization.use",
                "authorization",
                usable.id,
                detail={"subject_id": subject_id, "records": len(found)},
            )
            # SEC-2: an authorized inquiry is a read of the subject by a unit like any other.
            query_register.record(
                conn,
                ctx,
                principal,
                [subject_id],
                "authorized_inquiry",
                QueryPurpose(Purpose.AUTHORIZED_INQUIRY, what[:200]),
                object_id=usable.id,
            )
            return {
                "subject_id": subject_id,
                "authorization_id": usable.id,
                "purpose": what,
                "valid_until": usable.valid_until.isoformat(),
                "records": found,
            }
    audit.refused(
        ctx,
        principal,
        "authorization.use",
        "subject",
        subject_id,
        code="authorization.missing",
        detail={"purpose_known": bool(granted)},
    )
    raise Forbidden(
        "authorization.missing",
        "no written authorization of this subject for your unit and this purpose is in force "
        "today (Art 22)",
    )


def _authorized_records(conn: sa.Connection, subject_id: int) -> list[dict[str, object]]:
    rows = conn.execute(
        sa.select(
            record.c.id,
            record.c.status,
            record.c.data,
            record.c.decision_date,
            record.c.display_until,
            record.c.providing_unit_id,
            catalog_item.c.code,
            catalog_item.c.version,
            catalog_item.c.name,
        )
        .join(catalog_item, catalog_item.c.id == record.c.catalog_item_id)
        .where(
            record.c.subject_id == subject_id,
            record.c.disclosure == Disclosure.AUTHORIZED_INQUIRY.value,
            record.c.status.in_([s.value for s in LIVE]),
        )
        .order_by(record.c.id)
    ).all()
    return [
        {
            "id": r.id,
            "status": r.status,
            "catalog": r.code,
            "version": r.version,
            "catalog_name": r.name,
            "providing_unit_id": r.providing_unit_id,
            "decision_date": r.decision_date.isoformat() if r.decision_date else None,
            "display_until": r.display_until.isoformat() if r.display_until else None,
            "data": r.data,
        }
        for r in rows
    ]


def _row(conn: sa.Connection, authorization_id: int) -> Any:
    row = conn.execute(
        sa.select(authorization).where(authorization.c.id == authorization_id)
    ).first()
    if row is None:
        raise NotFound("authorization.not_found", f"no authorization {authorization_id}")
    return row


def _view(conn: sa.Connection, a: Any, today: date) -> AuthorizationView:
    uses: list[AuthorizationUseView] = [
        {
            "unit_id": u.unit_id,
            "actor": u.actor,
            "what": u.what,
            "items": u.items,
            "used_at": u.used_at.isoformat(),
        }
        for u in conn.execute(
            sa.select(authorization_use)
            .where(authorization_use.c.authorization_id == a.id)
            .order_by(authorization_use.c.id)
        )
    ]
    return {
        "id": int(a.id),
        "subject_id": int(a.subject_id),
        "unit_id": int(a.unit_id),
        "purpose": str(a.purpose),
        "valid_from": a.valid_from.isoformat(),
        "valid_until": a.valid_until.isoformat(),
        "document_ref": str(a.document_ref),
        "status": str(a.status),
        "in_force": in_force(
            str(a.status),
            a.valid_from,
            a.valid_until,
            today,
        ),
        "granted_by": str(a.granted_by),
        "granted_at": a.granted_at.isoformat(),
        "revoked_at": a.revoked_at.isoformat() if a.revoked_at else None,
        "uses": uses,
    }
