"""Memoranda of cooperation (MEA-2, Op(12)): the platform records what the signing units
agreed, (list trigger, field) -> catalog measure and implementing unit; versions by code,
each in force from its effective date until the next version or its end date."""

from __future__ import annotations

from typing import Any, TypedDict

import sqlalchemy as sa

from creditreg.domain.access.principals import SYSTEM, Principal, UnitKind
from creditreg.domain.errors import Conflict, InvalidInput, NotFound, parse_enum
from creditreg.domain.kernel.actor import Actor
from creditreg.domain.measures.catalog import MeasureStatus, applies_to, reachable
from creditreg.domain.measures.memoranda import MEMORANDUM, MemorandumDraft, MemorandumStatus
from creditreg.domain.records.severity import SeverityLevel
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.kernel.sweep import StepRun, SweepSteps
from creditreg.services.measures.catalog import require_platform
from creditreg.store.access.tables import unit
from creditreg.store.measures import queries
from creditreg.store.measures.tables import (
    measure,
    memorandum,
    memorandum_item,
    memorandum_signatory,
)


class MemorandumItemView(TypedDict):
    trigger: str
    field: str | None  # None: every field
    measure: str
    measure_content: str
    unit_id: int


class MemorandumView(TypedDict):
    """MEA-2, Op(12): a memorandum version, its signatories and what it maps."""

    id: int
    code: str
    version: int
    title: str
    status: str
    effective_from: str
    effective_until: str | None
    published: bool
    signatories: list[int]
    items: list[MemorandumItemView]


def _view(conn: sa.Connection, row: Any) -> MemorandumView:
    signatories = conn.execute(
        sa.select(memorandum_signatory.c.unit_id)
        .where(memorandum_signatory.c.memorandum_id == row.id)
        .order_by(memorandum_signatory.c.unit_id)
    ).scalars()
    items = conn.execute(
        sa.select(memorandum_item, measure.c.code, measure.c.content)
        .join(measure, measure.c.id == memorandum_item.c.measure_id)
        .where(memorandum_item.c.memorandum_id == row.id)
        .order_by(memorandum_item.c.id)
    ).all()
    return {
        "id": row.id,
        "code": row.code,
        "version": row.version,
        "title": row.title,
        "status": row.status,
        "effective_from": row.effective_from.isoformat(),
        "effective_until": row.effective_until.isoformat() if row.effective_until else None,
        "published": row.published_at is not None,
        "signatories": [int(u) for u in signatories],
        "items": [
            {
                "trigger": i.trigger,
                "field": i.field,
                "measure": i.code,
                "measure_content": i.content,
                "unit_id": i.unit_id,
            }
            for i in items
        ],
    }


def _check(conn: sa.Connection, draft: MemorandumDraft) -> dict[str, int]:
    """The catalog's checks (MEA-6, Art 31): active measures answering the item's trigger
    and reachable by it; implementing units that exist. Returns measure ids by code."""
    kinds = dict(
        conn.execute(
            sa.select(unit.c.id, unit.c.kind).where(unit.c.id.in_(draft.signatories))
        ).all()
    )
    missing = [u for u in draft.signatories if u not in kinds]
    if missing:
        raise InvalidInput("memorandum.unknown_unit", f"no unit {missing[0]}")
    codes = sorted({i.measure for i in draft.items})
    rows = {r.code: r for r in conn.execute(sa.select(measure).where(measure.c.code.in_(codes)))}
    for item in draft.items:
        if kinds[item.unit_id] != UnitKind.IMPLEMENTING_UNIT.value:
            raise InvalidInput(
                "memorandum.not_implementing_unit",
                f"unit {item.unit_id} is not an implementing unit (Op(12))",
            )
        r = rows.get(item.measure)
        if r is None or r.status != MeasureStatus.ACTIVE.value:
            raise InvalidInput(
                "memorandum.unknown_measure", f"{item.measure} is no active measure of the catalog"
            )
        if not applies_to(r.trigger, item.trigger.value):
            raise InvalidInput(
                "memorandum.measure_wrong_list",
                f"{item.measure} answers {r.trigger}, not {item.trigger.value}",
            )
        if not reachable(item.trigger, SeverityLevel(r.min_severity)):
            raise InvalidInput(
                "memorandum.measure_beyond_severity",
                f"{item.measure} needs {r.min_severity} conduct, which a "
                f"{item.trigger.value} fact never is (Art 31)",
            )
    return {code: int(r.id) for code, r in rows.items()}


def create(ctx: Context, principal: Principal, draft: MemorandumDraft) -> MemorandumView:
    """MEA-2: a memorandum's next version, as a draft (publish puts it in force)."""
    require_platform(principal)
    now = ctx.now()
    with ctx.db.write() as conn:
        ids = _check(conn, draft)
        latest = conn.execute(
            sa.select(sa.func.max(memorandum.c.version)).where(memorandum.c.code == draft.code)
        ).scalar()
        memo_id = queries.insert_memorandum(
            conn,
            {
                "code": draft.code,
                "version": (latest or 0) + 1,
                "title": draft.title,
                "status": MemorandumStatus.DRAFT.value,
                "effective_from": draft.effective_from,
                "effective_until": draft.effective_until,
                "created_by": principal.actor,
                "created_at": now,
            },
            principal.actor,
            now,
        )
        conn.execute(
            memorandum_signatory.insert(),
            [{"memorandum_id": memo_id, "unit_id": u} for u in draft.signatories],
        )
        conn.execute(
            memorandum_item.insert(),
            [
                {
                    "memorandum_id": memo_id,
                    "trigger": i.trigger.value,
                    "field": i.field,
                    "measure_id": ids[i.measure],
                    "unit_id": i.unit_id,
                }
                for i in draft.items
            ],
        )
        made = _view(conn, _row(conn, memo_id))
        audit.record(conn, ctx, principal, "memorandum.create", "memorandum", memo_id, after=made)
        return made


def _row(conn: sa.Connection, memo_id: int) -> Any:
    return conn.execute(sa.select(memorandum).where(memorandum.c.id == memo_id)).one()


def _enter(conn: sa.Connection, ctx: Context, actor: Actor, row: Any) -> None:
    """A version enters into force; the earlier versions of its code are superseded (in
    force, or drafts that never came into force: they would bring an older text back)."""
    now = ctx.now()
    older = conn.execute(
        sa.select(memorandum).where(
            memorandum.c.code == row.code,
            memorandum.c.version < row.version,
            memorandum.c.status.in_(
                (
                    MemorandumStatus.IN_FORCE.value,
                    MemorandumStatus.PUBLISHED.value,
                    MemorandumStatus.DRAFT.value,
                )
            ),
        )
    ).all()
    for old in older:
        queries.move_memorandum(
            conn, old.id, before=old.status, after=MEMORANDUM.next(old.status, "supersede"),
            action="supersede", actor=actor.actor, note=f"version {row.version}", now=now,
        )  # fmt: skip
    queries.move_memorandum(
        conn, row.id, before=row.status, after=MEMORANDUM.next(row.status, "enter_into_force"),
        action="enter_into_force", actor=actor.actor, note=None, now=now,
    )  # fmt: skip
    audit.record(
        conn, ctx, actor, "memorandum.in_force", "memorandum", row.id,
        detail={"code": row.code, "version": row.version, "superseded": [o.id for o in older]},
    )  # fmt: skip


def publish(ctx: Context, principal: Principal, code: str) -> MemorandumView:
    """MEA-2: publish the newest draft of `code`; it is in force from its effective date
    (today's or earlier: at once; a later one: the sweep's `memoranda_in_force`)."""
    require_platform(principal)
    with ctx.db.write() as conn:
        row = conn.execute(
            sa.select(memorandum)
            .where(memorandum.c.code == code.strip().upper())
            .order_by(memorandum.c.version.desc())
            .limit(1)
        ).first()
        if row is None:
            raise NotFound("memorandum.not_found", f"no memorandum {code!r}")
        if row.status != MemorandumStatus.DRAFT.value:
            raise Conflict(
                "memorandum.already_published",
                f"{row.code} v{row.version} is published already ({row.status})",
            )
        queries.publish_memorandum(conn, row.id, ctx.now())
        queries.move_memorandum(
            conn, row.id, before=row.status, after=MEMORANDUM.next(row.status, "publish"),
            action="publish", actor=principal.actor, note=None, now=ctx.now(),
        )  # fmt: skip
        audit.record(
            conn, ctx, principal, "memorandum.publish", "memorandum", row.id,
            detail={"code": row.code, "version": row.version},
        )  # fmt: skip
        if row.effective_from <= ctx.today():
            _enter(conn, ctx, principal, _row(conn, row.id))
        return _view(conn, _row(conn, row.id))


# A draft is the platform's work in progress, not yet signed: the public reads published
# versions only (the platform gets its drafts back from `create`).
_PUBLIC = memorandum.c.status != MemorandumStatus.DRAFT.value


def listing(ctx: Context, status: str | None = None, drafts: bool = False) -> list[MemorandumView]:
    """MEA-2: the memoranda, every published version (public: Op(12) memoranda are signed
    openly; drafts are not, but for the platform's own console, `drafts`)."""
    query = sa.select(memorandum).order_by(memorandum.c.code, memorandum.c.version)
    if not drafts:
        query = query.where(_PUBLIC)
    if status:  # a status that is none is refused, not answered with []
        chosen = parse_enum(MemorandumStatus, status, "memorandum.bad_status")
        if chosen is MemorandumStatus.DRAFT and not drafts:
            raise InvalidInput(
                "memorandum.bad_status",
                "drafts are not public: published, in_force, superseded or ended",
            )
        query = query.where(memorandum.c.status == chosen.value)
    with ctx.db.read() as conn:
        return [_view(conn, r) for r in conn.execute(query).all()]


def get(
    ctx: Context, code: str, version: int | None = None, drafts: bool = False
) -> MemorandumView:
    """A memorandum's version in force (else its newest published), or the published
    version asked for (a draft is not public; the platform's console reads it, `drafts`)."""
    query = sa.select(memorandum).where(memorandum.c.code == code.strip().upper())
    if not drafts:
        query = query.where(_PUBLIC)
    if version is not None:
        query = query.where(memorandum.c.version == version)
    in_force = memorandum.c.status == MemorandumStatus.IN_FORCE.value
    with ctx.db.read() as conn:
        row = conn.execute(
            query.order_by(sa.case((in_force, 0), else_=1), memorandum.c.version.desc()).limit(1)
        ).first()
        if row is None:
            which = "no memorandum" if version is None else f"no version {version} of memorandum"
            raise NotFound("memorandum.not_found", f"{which} {code!r}")
        return _view(conn, row)


def register_sweep_steps(steps: SweepSteps) -> None:
    """After the lists' and rights' steps (to 58), before overdue verifications (60)."""
    steps.register("memoranda_in_force", _in_force, order=59)


def _in_force(run: StepRun) -> None:
    """MEA-2: published memoranda whose date has come enter into force (superseding their
    code's earlier version); memoranda past their end date end. Idempotent."""
    today = run.ctx.today()
    with run.write() as conn:
        due = conn.execute(
            sa.select(memorandum)
            .where(
                memorandum.c.status == MemorandumStatus.PUBLISHED.value,
                memorandum.c.effective_from <= today,
            )
            .order_by(memorandum.c.code, memorandum.c.version)
        ).all()
        for row in due:
            _enter(conn, run.ctx, SYSTEM, _row(conn, row.id))
            run.add("memoranda_in_force")
        ended = conn.execute(
            sa.select(memorandum).where(
                memorandum.c.status == MemorandumStatus.IN_FORCE.value,
                memorandum.c.effective_until < today,
            )
        ).all()
        for row in ended:
            queries.move_memorandum(
                conn, row.id, before=row.status, after=MEMORANDUM.next(row.status, "end"),
                action="end", actor=SYSTEM.actor, note=f"ended {row.effective_until}",
                now=run.ctx.now(),
            )  # fmt: skip
            audit.record(
                conn, run.ctx, SYSTEM, "memorandum.end", "memorandum", row.id,
                detail={"code": row.code, "version": row.version},
            )  # fmt: skip
            run.add("memoranda_ended")
