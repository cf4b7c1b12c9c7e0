"""Self-declaration (ING-6, Art 15; issue 10, part 8): a subject declares its own
information against a catalog item meant for subjects, and the providing unit or the
platform judges a credit pledge kept or broken.

A declaration is one row submitted through `records.submit` (staged and published like
every batch, all-or-nothing), marked self-declared, under the item's providing unit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal
from creditreg.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.kernel.events import event
from creditreg.domain.records.declarations import (
    PLEDGE_EVENT,
    PledgeAction,
    pledge_transition,
)
from creditreg.services.access.subject_accounts import require_self, require_subject
from creditreg.services.context import Context
from creditreg.services.kernel import audit, events
from creditreg.services.records import record_batches, records
from creditreg.services.records.catalog import find
from creditreg.services.records.views import PledgeView
from creditreg.store.records import queries
from creditreg.store.records.tables import catalog_item, pledge, record


class DeclarationView(TypedDict):
    """A self-declared record as its subject sees it."""

    record_id: int
    catalog: str
    declaration_kind: str
    status: str
    self_declared: bool
    received_at: str
    data: dict[str, Any]
    pledge: PledgeView | None


def pledge_view(row: Any) -> PledgeView:
    return {
        "status": row.status,
        "decided_by": row.decided_by,
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "reason": row.reason,
    }


def pledge_of(conn: sa.Connection, record_id: int) -> PledgeView | None:
    """The record's pledge performance, if it is a credit pledge."""
    row = conn.execute(sa.select(pledge).where(pledge.c.record_id == record_id)).first()
    return pledge_view(row) if row is not None else None


def declare(
    ctx: Context, principal: Principal, *, code: str, data: Mapping[str, Any]
) -> DeclarationView:
    """ING-6, Art 15: the subject's own declaration, voluntary registration or credit
    pledge, validated against the item's template, naming the subject's own self, stored
    marked self-declared under the item's providing unit. Any refusal stores nothing."""
    subject_id = require_self(principal)
    item = find(ctx, code)
    if not item.draft.for_self_declaration:
        audit.refused(
            ctx,
            principal,
            "declaration.submit",
            "catalog_item",
            item.id,
            code="declaration.item_not_for_subjects",
        )
        raise Forbidden(
            "declaration.item_not_for_subjects",
            f"catalog item {item.code} is not meant for subjects' own declarations",
        )
    row = dict(data)
    result = records.submit(
        ctx,
        principal,
        code=item.code,
        version=item.version,
        rows=[row],
        content_digest=record_batches.digest_rows([row]),
        source="declaration",
        self_declared=True,
    )
    if result.rejected_count:
        codes = {r.code for r in result.rejected}
        if "declaration.other_subject" in codes:
            audit.refused(
                ctx,
                principal,
                "declaration.submit",
                "subject",
                subject_id,
                code="declaration.not_your_subject",
                detail={"catalog": item.code},
            )
            raise Forbidden(
                "declaration.not_your_subject",
                "a declaration names your own subject only (ING-6)",
            )
        raise InvalidInput(
            "declaration.invalid",
            "; ".join(f"{r.field or 'row'}: {r.message}" for r in result.rejected),
            field=result.rejected[0].field,
        )
    if result.duplicate or not result.stored:
        raise Conflict("declaration.duplicate", "you declared this already")
    with ctx.db.read() as conn:
        stored = conn.execute(
            sa.select(record.c.id).where(record.c.batch_id == result.batch_id)
        ).scalar_one()
    return _views(ctx, [record.c.id == stored])[0]


def of_subject(ctx: Context, principal: Principal, subject_id: int) -> list[DeclarationView]:
    """A subject's self-declared records, pledges with their performance: for the subject
    itself and units that read records."""
    require_subject(ctx, principal, subject_id, Permission.RECORDS_READ, action="declaration.read")
    return _views(ctx, [record.c.subject_id == subject_id, record.c.self_declared.is_(True)])


def _views(ctx: Context, where: list[sa.ColumnElement[bool]]) -> list[DeclarationView]:
    with ctx.db.read() as conn:
        rows = conn.execute(
            sa.select(
                record.c.id,
                record.c.status,
                record.c.self_declared,
                record.c.received_at,
                record.c.data,
                catalog_item.c.code,
                catalog_item.c.declaration_kind,
                pledge.c.status.label("pledge_status"),
                pledge.c.decided_by,
                pledge.c.decided_at,
                pledge.c.reason,
            )
            .join(catalog_item, catalog_item.c.id == record.c.catalog_item_id)
            .outerjoin(pledge, pledge.c.record_id == record.c.id)
            .where(*where)
            .order_by(record.c.id)
        ).all()
    return [
        {
            "record_id": r.id,
            "catalog": r.code,
            "declaration_kind": r.declaration_kind or "declaration",
            "status": r.status,
            "self_declared": r.self_declared,
            "received_at": r.received_at.isoformat(),
            "data": r.data,
            "pledge": {
                "status": r.pledge_status,
                "decided_by": r.decided_by,
                "decided_at": r.decided_at.isoformat() if r.decided_at else None,
                "reason": r.reason,
            }
            if r.pledge_status is not None
            else None,
        }
        for r in rows
    ]


def judge_pledge(
    ctx: Context, principal: Principal, record_id: int, *, action: PledgeAction, reason: str
) -> PledgeView:
    """ING-6: a credit pledge kept or broken, judged by the item's providing unit or the
    platform with a reason; the move is checked first, then stamped, kept in the pledge's
    history, audited and announced (`pledge.kept` / `pledge.broken`)."""
    if principal.is_subject:
        raise Forbidden("access.missing_permission", "a subject does not judge its own pledge")
    why = reason.strip()
    if not why:
        raise InvalidInput("pledge.no_reason", "a pledge is judged kept or broken with a reason")
    with ctx.db.write() as conn:
        row = conn.execute(
            sa.select(pledge.c.status, record.c.providing_unit_id, record.c.subject_id)
            .join(record, record.c.id == pledge.c.record_id)
            .where(pledge.c.record_id == record_id)
        ).first()
        if row is None:
            raise NotFound("pledge.not_found", f"record {record_id} is not a credit pledge")
        if principal.unit_id != row.providing_unit_id:
            # The platform judges any pledge; a unit only its own item's.
            if Permission.RECORDS_VERIFY not in principal.permissions:
                raise Forbidden(
                    "record.not_item_provider",
                    f"record {record_id} is provided by unit {row.providing_unit_id}, not yours",
                )
        elif Permission.RECORDS_SUBMIT not in principal.permissions:
            principal.require(Permission.RECORDS_VERIFY)
        after = pledge_transition(row.status, action)
        now = ctx.now()
        queries.move_pledge(
            conn,
            record_id,
            before=row.status,
            after=after.value,
            action=action.value,
            actor=principal.actor,
            unit_id=principal.unit_id,
            reason=why,
            now=now,
        )
        audit.record(
            conn,
            ctx,
            principal,
            f"pledge.{action.value}",
            "pledge",
            record_id,
            before={"pledge": row.status},
            after={"pledge": after.value},
            detail={"reason": why},
        )
        events.emit(
            conn,
            ctx,
            [
                event(
                    PLEDGE_EVENT[action],
                    "pledge",
                    record_id,
                    record_id=record_id,
                    subject_id=row.subject_id,
                    providing_unit_id=row.providing_unit_id,
                    status=after.value,
                )
            ],
        )
        view = pledge_of(conn, record_id)
    assert view is not None
    return view
