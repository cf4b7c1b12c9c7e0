"""Compensation claims after a correction (OBJ-5; Art 66: "where property losses are
caused, responsibility for compensation is to be borne in accordance with law"; Op(23)).
The subject claims (from its account, or an operator on its behalf); the unit that made
the error decides, with reasons, and records the payment; the subject is told each step.
Every move is one guarded transition of the COMPENSATION lifecycle."""

from __future__ import annotations

from typing import Any, TypedDict

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal
from creditreg.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, parse_enum
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.kernel.audit import digest
from creditreg.domain.rights.corrections import (
    COMPENSATION,
    ClaimOutcome,
    ClaimStatus,
    clean_grounds,
    parse_amount,
    yuan,
)
from creditreg.domain.rights.objections import clean_reason
from creditreg.services.access import subject_accounts
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.rights import notices
from creditreg.services.rights.corrections import may_read, row_of
from creditreg.store.access.tables import notification
from creditreg.store.rights import correction_queries as queries
from creditreg.store.rights.correction_tables import (
    compensation_claim,
    compensation_claim_move,
)

REFERENCE_MAX = 100


class ClaimMoveView(TypedDict):
    from_status: str | None
    to_status: str
    action: str
    actor: str
    note: str | None
    at: str


class ClaimView(TypedDict):
    id: int
    correction_id: int
    subject_id: int
    unit_id: int | None
    amount_claimed: str
    grounds: str
    status: str
    claimed_on: str
    amount_granted: str | None
    decision_reason: str | None
    decided_on: str | None
    paid_on: str | None
    payment_reference: str | None
    history: list[ClaimMoveView]


def _claim(conn: sa.Connection, claim_id: int) -> Any:
    row = conn.execute(
        sa.select(compensation_claim).where(compensation_claim.c.id == claim_id)
    ).first()
    if row is None:
        raise NotFound("compensation.not_found", f"no compensation claim {claim_id}")
    return row


def _view(conn: sa.Connection, row: Any) -> ClaimView:
    moves = conn.execute(
        sa.select(compensation_claim_move)
        .where(compensation_claim_move.c.claim_id == row.id)
        .order_by(compensation_claim_move.c.id)
    ).all()
    return {
        "id": row.id,
        "correction_id": row.correction_id,
        "subject_id": row.subject_id,
        "unit_id": row.unit_id,
        "amount_claimed": yuan(row.amount_claimed_fen) or "0.00",
        "grounds": row.grounds,
        "status": row.status,
        "claimed_on": row.claimed_on.isoformat(),
        "amount_granted": yuan(row.amount_granted_fen),
        "decision_reason": row.decision_reason,
        "decided_on": row.decided_on.isoformat() if row.decided_on else None,
        "paid_on": row.paid_on.isoformat() if row.paid_on else None,
        "payment_reference": row.payment_reference,
        "history": [
            {
                "from_status": m.from_status,
                "to_status": m.to_status,
                "action": m.action,
                "actor": m.actor,
                "note": m.note,
                "at": m.at.isoformat(),
            }
            for m in moves
        ],
    }


def claim(
    ctx: Context, principal: Principal, correction_id: int, *, amount: str, grounds: str
) -> ClaimView:
    """Art 66, Op(23): the subject claims compensation for the loss an error caused. Only
    the subject the correction is about claims (from its account; an operator on the
    machine acts for it with --subject)."""
    subject_id = subject_accounts.require_self(principal)
    fen = parse_amount(amount)
    why = clean_grounds(grounds)
    with ctx.db.write() as conn:
        fixed = row_of(conn, correction_id)
        if fixed.subject_id != subject_id:
            subject_accounts.require_subject(
                ctx,
                principal,
                int(fixed.subject_id),
                Permission.OBJECTIONS_HANDLE,
                action="compensation.claim",
            )
        pending = conn.execute(
            sa.select(compensation_claim.c.id).where(
                compensation_claim.c.correction_id == fixed.id,
                compensation_claim.c.status == ClaimStatus.CLAIMED.value,
            )
        ).first()
        if pending is not None:
            raise Conflict(
                "compensation.already_claimed",
                f"claim {pending.id} on correction {fixed.id} awaits its decision",
            )
        now = ctx.now()
        claim_id = queries.insert_claim(
            conn,
            {
                "correction_id": fixed.id,
                "subject_id": subject_id,
                "unit_id": fixed.unit_id,
                "amount_claimed_fen": fen,
                "grounds": why,
                "status": ClaimStatus.CLAIMED.value,
                "claimed_on": ctx.today(),
                "claimed_by": principal.actor,
                "created_at": now,
                "updated_at": now,
            },
            principal.actor,
            now,
        )
        audit.record(
            conn,
            ctx,
            principal,
            "compensation.claim",
            "compensation_claim",
            claim_id,
            after={"status": ClaimStatus.CLAIMED.value, "amount_fen": fen},
            detail={"grounds_digest": digest(why), "correction_id": fixed.id},
        )
        if fixed.unit_id is not None:
            conn.execute(
                notification.insert().values(
                    unit_id=fixed.unit_id,
                    kind="compensation.claimed",
                    object_type="compensation_claim",
                    object_id=str(claim_id),
                    message=(
                        f"compensation claim {claim_id} ({yuan(fen)} yuan) after correction "
                        f"{fixed.id}: decide it with reasons (Art 66)"
                    ),
                    created_at=now,
                )
            )
        return _view(conn, _claim(conn, claim_id))


def _deciding(conn: sa.Connection, principal: Principal, claim_id: int) -> Any:
    """The claim, if `principal` is the unit that made the error (or the platform, for an
    error of its own)."""
    row = _claim(conn, claim_id)
    if principal.subject_id is not None:
        raise Forbidden("compensation.not_deciding_unit", "the unit that made the error decides")
    if row.unit_id is None:
        principal.require(Permission.OBJECTIONS_HANDLE)
    elif principal.unit_id != row.unit_id:
        raise Forbidden(
            "compensation.not_deciding_unit",
            f"claim {claim_id} is decided by unit {row.unit_id}, which made the error (Art 66)",
        )
    return row


def _tell(conn: sa.Connection, ctx: Context, row: Any, outcome: str, reasons: str) -> None:
    notices.deliver(
        conn,
        ctx,
        subject_id=int(row.subject_id),
        kind="compensation",
        content={
            "matter": f"赔偿申请 {row.id}（更正 {row.correction_id}）",
            "outcome": outcome,
            "amount_claimed": yuan(row.amount_claimed_fen),
            "amount_granted": yuan(row.amount_granted_fen),
            "reasons": reasons,
            "decided_on": ctx.today().isoformat(),
        },
        source=("compensation_claim", f"{row.id}:{row.status}"),
        owner=("correction", str(row.correction_id)),
        unit_id=row.unit_id,
    )


def decide(
    ctx: Context,
    principal: Principal,
    claim_id: int,
    *,
    outcome: str,
    reason: str,
    amount: str | None = None,
) -> ClaimView:
    """Art 66: the unit that made the error grants (an amount) or refuses, with reasons;
    the subject is told."""
    decided = parse_enum(ClaimOutcome, outcome, "compensation.bad_outcome")
    why = clean_reason(reason)
    fen: int | None = None
    if decided is ClaimOutcome.GRANTED:
        if amount is None:
            raise InvalidInput("compensation.amount_required", "a grant names its amount")
        fen = parse_amount(amount)
    elif amount is not None:
        raise InvalidInput("compensation.amount_not_applicable", "a refusal grants no amount")
    with ctx.db.write() as conn:
        row = _deciding(conn, principal, claim_id)
        action = "grant" if decided is ClaimOutcome.GRANTED else "refuse"
        after = COMPENSATION.next(row.status, action)
        queries.move_claim(
            conn,
            row.id,
            before=row.status,
            after=after,
            action=action,
            actor=principal.actor,
            note=why,
            now=ctx.now(),
            amount_granted_fen=fen,
            decision_reason=why,
            decided_on=ctx.today(),
            decided_by=principal.actor,
        )
        audit.record(
            conn,
            ctx,
            principal,
            f"compensation.{action}",
            "compensation_claim",
            row.id,
            before={"status": row.status},
            after={"status": after, "amount_fen": fen},
            detail={"reason_digest": digest(why)},
        )
        fresh = _claim(conn, claim_id)
        _tell(conn, ctx, fresh, after, why)
        return _view(conn, fresh)


def pay(ctx: Context, principal: Principal, claim_id: int, *, reference: str) -> ClaimView:
    """The payment of a granted claim, with its reference (a transfer or voucher number)."""
    ref = reference.strip()
    if not ref or len(ref) > REFERENCE_MAX:
        raise InvalidInput(
            "compensation.bad_reference", f"a payment reference is 1 to {REFERENCE_MAX} characters"
        )
    with ctx.db.write() as conn:
        row = _deciding(conn, principal, claim_id)
        after = COMPENSATION.next(row.status, "pay")
        queries.move_claim(
            conn,
            row.id,
            before=row.status,
            after=after,
            action="pay",
            actor=principal.actor,
            note=ref,
            now=ctx.now(),
            paid_on=ctx.today(),
            payment_reference=ref,
        )
        audit.record(
            conn,
            ctx,
            principal,
            "compensation.pay",
            "compensation_claim",
            row.id,
            before={"status": row.status},
            after={"status": after},
        )
        fresh = _claim(conn, claim_id)
        _tell(conn, ctx, fresh, after, f"已支付，凭证号 {ref}")
        return _view(conn, fresh)


def get(ctx: Context, principal: Principal, claim_id: int) -> ClaimView:
    with ctx.db.read() as conn:
        row = _claim(conn, claim_id)
        if not may_read(principal, row_of(conn, row.correction_id)) or (
            principal.subject_id is None
            and Permission.OBJECTIONS_HANDLE not in principal.permissions
            and principal.unit_id != row.unit_id
        ):
            raise NotFound("compensation.not_found", f"no compensation claim {claim_id}")
        return _view(conn, row)


def listing(ctx: Context, principal: Principal, *, status: str | None = None) -> list[ClaimView]:
    """The claims one may read: a subject its own, a unit those it decides, the platform
    all; oldest first."""
    query = sa.select(compensation_claim).order_by(compensation_claim.c.id)
    if status is not None:
        wanted = parse_enum(ClaimStatus, status, "compensation.bad_status")
        query = query.where(compensation_claim.c.status == wanted.value)
    if principal.subject_id is not None:
        query = query.where(compensation_claim.c.subject_id == principal.subject_id)
    elif Permission.OBJECTIONS_HANDLE not in principal.permissions:
        if principal.unit_id is None:
            return []
        query = query.where(compensation_claim.c.unit_id == principal.unit_id)
    with ctx.db.read() as conn:
        return [_view(conn, r) for r in conn.execute(query)]
