"""Designation standards: publish versions and read them (STD-1, STD-3); propose candidates
(STD-2). Publishing a new version re-evaluates the entries resting on the standard."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal, UnitKind
from creditreg.domain.errors import Conflict, NotFound, parse_enum
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.lists.entries import STANDARD
from creditreg.domain.lists.standards import ListType, StandardDraft, field_of
from creditreg.services.access import query_register
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.lists import entry_steps, measure_refs
from creditreg.services.lists.rules import Standard, current, from_row, load, qualifying
from creditreg.services.lists.views import CandidateView, StandardView
from creditreg.store.lists import queries
from creditreg.store.lists.tables import list_entry, standard
from creditreg.store.subjects.tables import subject


def publish(ctx: Context, principal: Principal, draft: StandardDraft) -> tuple[Standard, Any]:
    """STD-1: publish a standard, or a new version of one; STD-3: re-evaluate entries.

    Returns the standard and what the re-evaluation did (None for a first version).
    """
    principal.require(Permission.STANDARDS_WRITE)
    if principal.unit_kind is not None and principal.unit_kind is not UnitKind.PLATFORM_OPERATOR:
        principal.require_field(draft.field)
    if draft.region:
        principal.require_region(draft.region)
    with ctx.db.write() as conn:
        previous = conn.execute(
            sa.select(standard).where(standard.c.code == draft.code, standard.c.status == "current")
        ).first()
        if previous is not None and (
            previous.list_type != draft.list_type.value or previous.field != draft.field
        ):
            raise Conflict(
                "standard.code_taken",
                f"{draft.code} is the {previous.list_type} standard of {previous.field}; "
                "a new version keeps its list and field",
            )
        version = previous.version + 1 if previous else 1
        if previous is not None:
            queries.set_standard_status(
                conn, previous.id, STANDARD.next(previous.status, "supersede")
            )
        new_id = queries.insert_standard(
            conn,
            dict(
                code=draft.code,
                version=version,
                field=draft.field,
                list_type=draft.list_type.value,
                scope=draft.scope.value,
                region=draft.region,
                approval=draft.approval,
                title=draft.title,
                legal_basis=draft.legal_basis,
                procedure=draft.procedure,
                rule=draft.rule.as_dict(),
                validity_months=draft.validity_months,
                window_days=draft.window_days,
                restorable=draft.restoration.restorable,
                restoration_method=draft.restoration.method,
                restoration_after_months=draft.restoration.after_months,
                scrutiny_months=draft.scrutiny_months,
                # MEA-1, MEA-6: catalog codes, checked and kept with their texts.
                measures=measure_refs.resolve(
                    conn, ctx, draft.list_type, draft.severity, draft.measures
                ),
                severity=draft.severity.value,
                unit_id=principal.unit_id,
                published_by=principal.actor,
                published_at=ctx.now(),
            ),
        )
        published = load(conn, new_id)
        audit.record(
            conn,
            ctx,
            principal,
            "standard.publish",
            "standard",
            new_id,
            after=published.as_dict(),
            detail={"code": draft.code, "version": version},
        )
        outcome = None
        if previous is not None:
            outcome = entry_steps.reevaluate(conn, ctx, principal, published)
    return published, outcome


def listing(
    ctx: Context, field: str | None = None, list_type: str | None = None, all_versions: bool = False
) -> list[StandardView]:
    """STD-1: the published standards (public); a filter naming no field or list type is
    refused (an empty answer would say there is none)."""
    query = sa.select(standard).order_by(standard.c.code, standard.c.version)
    if field:
        query = query.where(standard.c.field == field_of(field).code)
    if list_type:
        kind = parse_enum(ListType, list_type, "standard.bad_list_type")
        query = query.where(standard.c.list_type == kind.value)
    if not all_versions:
        query = query.where(standard.c.status == "current")
    with ctx.db.read() as conn:
        return [from_row(r).as_dict() for r in conn.execute(query)]


def get(ctx: Context, code: str, version: int | None = None) -> StandardView:
    with ctx.db.read() as conn:
        if version is None:
            return current(conn, code).as_dict()
        row = conn.execute(
            sa.select(standard).where(
                standard.c.code == code.strip().upper(), standard.c.version == version
            )
        ).first()
        if row is None:
            raise NotFound("standard.not_found", f"no standard {code!r} version {version}")
        return from_row(row).as_dict()


def candidates(
    ctx: Context, principal: Principal, code: str, limit: int = 100
) -> list[CandidateView]:
    """STD-2: subjects the standard proposes today that are not on its list in its field."""
    principal.require(Permission.LISTS_DESIGNATE)
    with ctx.db.write() as conn:
        std = current(conn, code)
        principal.require_field(std.draft.field)
        q = qualifying(std.draft.rule, ctx.today()).subquery()
        live = sa.select(list_entry.c.subject_id).where(
            list_entry.c.list_type == std.draft.list_type.value,
            list_entry.c.field == std.draft.field,
            list_entry.c.status != "removed",
        )
        rows = conn.execute(
            sa.select(subject.c.id, subject.c.name, subject.c.kind, q.c.n)
            .join(q, q.c.subject_id == subject.c.id)
            .where(subject.c.id.not_in(live))
            .order_by(subject.c.id)
            .limit(max(1, min(limit, 1000)))
        ).all()
        # SEC-2: the candidates are subjects, natural persons among them, read by a unit.
        query_register.record(conn, ctx, principal, [r.id for r in rows], "standard.candidates")
    return [{"subject_id": r.id, "name": r.name, "kind": r.kind, "records": r.n} for r in rows]
