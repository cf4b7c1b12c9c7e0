"""The public catalog of measures (MEA-1, Art 29): the platform compiles it (create,
update, withdraw); anyone reads it. Lists' standards name measures by its codes, checked
here through the extension point lists offers (MEA-6, Art 31)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal, UnitKind
from creditreg.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, parse_enum
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.lists.standards import ListType
from creditreg.domain.measures.catalog import (
    MEASURE,
    MeasureDraft,
    MeasureKind,
    MeasureStatus,
    Trigger,
    applies_to,
    check_local_code,
    check_measure,
    measure_code,
    units_of,
)
from creditreg.domain.measures.memoranda import MemorandumStatus
from creditreg.domain.records.severity import SeverityLevel
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.store.access.tables import unit
from creditreg.store.measures import queries
from creditreg.store.measures.tables import measure, measure_unit, memorandum, memorandum_item


class MeasureView(TypedDict):
    """MEA-1, Art 29: a measure, to whom it applies, by whom, on what basis."""

    code: str
    kind: str
    trigger: str
    content: str
    content_en: str
    legal_basis: str
    min_severity: str
    facilitation: bool
    status: str
    units: list[int]
    obliged: list[ObligedView]


class ObligedView(TypedDict):
    """MEA-1, MEA-2: a unit a memorandum in force obliges to apply the measure."""

    unit_id: int
    unit_name: str
    memorandum_code: str
    memorandum_version: int
    field: str | None


def _view(row: Any, units: Sequence[int], obliged: Sequence[ObligedView] = ()) -> MeasureView:
    return {
        "code": row.code,
        "kind": row.kind,
        "trigger": row.trigger,
        "content": row.content,
        "content_en": row.content_en,
        "legal_basis": row.legal_basis,
        "min_severity": row.min_severity,
        "facilitation": bool(row.facilitation),
        "status": row.status,
        "units": sorted(units),
        "obliged": list(obliged),
    }


def _obliged(conn: sa.Connection, ids: Sequence[int]) -> dict[int, list[ObligedView]]:
    """Who the memoranda in force oblige to apply each measure (Op(12)), by name."""
    found: dict[int, list[ObligedView]] = {}
    if not ids:
        return found
    rows = conn.execute(
        sa.select(
            memorandum_item.c.measure_id,
            memorandum_item.c.unit_id,
            memorandum_item.c.field,
            unit.c.name,
            memorandum.c.code,
            memorandum.c.version,
        )
        .join(memorandum, memorandum.c.id == memorandum_item.c.memorandum_id)
        .join(unit, unit.c.id == memorandum_item.c.unit_id)
        .where(
            memorandum_item.c.measure_id.in_(ids),
            memorandum.c.status == MemorandumStatus.IN_FORCE.value,
        )
        .order_by(
            memorandum.c.code, memorandum_item.c.unit_id, memorandum_item.c.field.nulls_first()
        )
        .distinct()
    ).all()
    for r in rows:
        found.setdefault(int(r.measure_id), []).append(
            {
                "unit_id": int(r.unit_id),
                "unit_name": str(r.name),
                "memorandum_code": str(r.code),
                "memorandum_version": int(r.version),
                "field": r.field,
            }
        )
    return found


def _units_of(conn: sa.Connection, ids: Sequence[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    if ids:
        for r in conn.execute(sa.select(measure_unit).where(measure_unit.c.measure_id.in_(ids))):
            found.setdefault(int(r.measure_id), []).append(int(r.unit_id))
    return found


def row_of(conn: sa.Connection, code: str) -> Any:
    """The measure `code`, or `measure.not_found`."""
    row = conn.execute(
        sa.select(measure).where(measure.c.code == str(code).strip().upper())
    ).first()
    if row is None:
        raise NotFound("measure.not_found", f"no measure {code!r} in the catalog")
    return row


def require_platform(principal: Principal) -> None:
    """Art 29: the provincial department compiles the catalog, through the platform."""
    principal.require(Permission.MEASURES_WRITE)
    if principal.unit_kind is not None and principal.unit_kind is not UnitKind.PLATFORM_OPERATOR:
        raise Forbidden("measure.platform_only", "the platform compiles the catalog (Art 29)")


def _check_units(conn: sa.Connection, ids: Sequence[int]) -> None:
    kinds = dict(conn.execute(sa.select(unit.c.id, unit.c.kind).where(unit.c.id.in_(ids))).all())
    for unit_id in ids:
        if kinds.get(unit_id) != UnitKind.IMPLEMENTING_UNIT.value:
            raise InvalidInput(
                "measure.not_implementing_unit", f"unit {unit_id} is not an implementing unit"
            )


def create(ctx: Context, principal: Principal, draft: MeasureDraft) -> MeasureView:
    """MEA-1: a new measure in the catalog, with its implementing units."""
    require_platform(principal)
    check_local_code(draft.code)
    now = ctx.now()
    with ctx.db.write() as conn:
        if conn.execute(sa.select(measure.c.id).where(measure.c.code == draft.code)).first():
            raise Conflict("measure.code_taken", f"the catalog has a measure {draft.code}")
        _check_units(conn, draft.units)
        measure_id = queries.insert_measure(
            conn,
            {
                "code": draft.code,
                "kind": draft.kind.value,
                "trigger": draft.trigger.value,
                "content": draft.content,
                "content_en": draft.content_en,
                "legal_basis": draft.legal_basis,
                "min_severity": draft.min_severity.value,
                "facilitation": draft.facilitation,
                "status": MeasureStatus.ACTIVE.value,
                "created_at": now,
                "updated_at": now,
            },
            principal.actor,
            now,
        )
        if draft.units:
            conn.execute(
                measure_unit.insert(),
                [{"measure_id": measure_id, "unit_id": u} for u in draft.units],
            )
        made = _view(row_of(conn, draft.code), draft.units)
        audit.record(conn, ctx, principal, "measure.create", "measure", measure_id, after=made)
        return made


EDITABLE = ("content", "content_en", "legal_basis", "facilitation", "units")


def update(
    ctx: Context, principal: Principal, code: str, changes: Mapping[str, Any]
) -> MeasureView:
    """Art 29: correct a measure's texts, basis or implementing units (its kind, trigger and
    severity stay: standards and memoranda were checked against them). A change to None
    (JSON null) leaves the field as it is."""
    require_platform(principal)
    changes = {name: value for name, value in changes.items() if value is not None}
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(
            "measure.bad_input",
            f"only {', '.join(EDITABLE)} change; not {', '.join(sorted(unknown))}",
        )
    with ctx.db.write() as conn:
        row = row_of(conn, code)
        if row.status != MeasureStatus.ACTIVE.value:
            raise Conflict(
                "measure.illegal_transition",
                f"{row.code} is {row.status}: a withdrawn measure is no longer corrected",
                status=row.status,
                action="update",
            )
        units = _units_of(conn, [row.id]).get(row.id, [])
        obliged = _obliged(conn, [row.id]).get(row.id, [])
        before = _view(row, units, obliged)
        new_units = (
            units_of(changes["units"], "measure.bad_input") if "units" in changes else tuple(units)
        )
        facilitation = changes.get("facilitation", row.facilitation)
        if not isinstance(facilitation, bool):
            raise InvalidInput("measure.bad_input", "facilitation is true or false")
        draft = MeasureDraft(
            code=row.code,
            kind=MeasureKind(row.kind),
            trigger=Trigger(row.trigger),
            content=str(changes.get("content", row.content)).strip(),
            content_en=str(changes.get("content_en", row.content_en)).strip(),
            legal_basis=str(changes.get("legal_basis", row.legal_basis)).strip(),
            min_severity=SeverityLevel(row.min_severity),
            facilitation=facilitation,
            units=new_units,
        )
        check_measure(draft)
        _check_units(conn, new_units)
        conn.execute(
            measure.update()
            .where(measure.c.id == row.id)
            .values(
                content=draft.content,
                content_en=draft.content_en,
                legal_basis=draft.legal_basis,
                facilitation=draft.facilitation,
                updated_at=ctx.now(),
            )
        )
        conn.execute(measure_unit.delete().where(measure_unit.c.measure_id == row.id))
        if new_units:
            conn.execute(
                measure_unit.insert(), [{"measure_id": row.id, "unit_id": u} for u in new_units]
            )
        after = _view(row_of(conn, code), new_units, obliged)
        audit.record(
            conn, ctx, principal, "measure.update", "measure", row.id, before=before, after=after
        )
        return after


def withdraw(ctx: Context, principal: Principal, code: str, reason: str) -> MeasureView:
    """Art 29: a measure withdrawn from the catalog; memoranda stop obliging it, and no
    standard or memorandum may name it again. What entries quoted stays as quoted."""
    require_platform(principal)
    if not reason.strip():
        raise InvalidInput("measure.no_reason", "say why the measure is withdrawn")
    with ctx.db.write() as conn:
        row = row_of(conn, code)
        after = MEASURE.next(row.status, "withdraw")
        queries.move_measure(
            conn,
            row.id,
            before=row.status,
            after=after,
            action="withdraw",
            actor=principal.actor,
            note=reason.strip(),
            now=ctx.now(),
        )
        view = _view(
            row_of(conn, code),
            _units_of(conn, [row.id]).get(row.id, []),
            _obliged(conn, [row.id]).get(row.id, []),
        )
        audit.record(
            conn,
            ctx,
            principal,
            "measure.withdraw",
            "measure",
            row.id,
            before={"status": row.status},
            after={"status": after},
            detail={"reason": reason.strip()},
        )
        return view


def listing(
    ctx: Context, trigger: str | None = None, kind: str | None = None, status: str | None = None
) -> list[MeasureView]:
    """MEA-1, Art 29: the public catalog."""
    query = sa.select(measure).order_by(measure.c.id)
    # A filter that names no trigger, kind or status is refused, not answered with [].
    if trigger:
        query = query.where(
            measure.c.trigger == parse_enum(Trigger, trigger, "measure.bad_trigger").value
        )
    if kind:
        chosen = parse_enum(MeasureKind, kind, "measure.bad_kind")
        query = query.where(measure.c.kind == chosen.value)
    if status:
        query = query.where(
            measure.c.status == parse_enum(MeasureStatus, status, "measure.bad_status").value
        )
    with ctx.db.read() as conn:
        rows = conn.execute(query).all()
        units = _units_of(conn, [r.id for r in rows])
        obliged = _obliged(conn, [r.id for r in rows])
    return [_view(r, units.get(r.id, []), obliged.get(r.id, [])) for r in rows]


def get(ctx: Context, code: str) -> MeasureView:
    with ctx.db.read() as conn:
        row = row_of(conn, measure_code(code))
        return _view(
            row, _units_of(conn, [row.id]).get(row.id, []), _obliged(conn, [row.id]).get(row.id, [])
        )


def resolve_for_standard(
    conn: sa.Connection, list_type: ListType, severity: SeverityLevel, codes: Sequence[str]
) -> list[dict[str, str]]:
    """Lists' MEASURE_CATALOG: a standard (or an entry's terms) names active catalog
    measures that answer its list and need no more severity than it has (MEA-6, Art 31)."""
    if not codes:
        return []
    rows = {
        r.code: r for r in conn.execute(sa.select(measure).where(measure.c.code.in_(list(codes))))
    }
    refs = []
    for code in codes:
        r = rows.get(code)
        if r is None or r.status != MeasureStatus.ACTIVE.value:
            raise InvalidInput(
                "standard.unknown_measure",
                f"{code!r} is no active measure of the catalog (GET /api/v1/measures)",
            )
        if not applies_to(r.trigger, list_type.value):
            raise InvalidInput(
                "standard.measure_wrong_list",
                f"{code} answers {r.trigger}, not a {list_type.value} entry",
            )
        if not severity.reaches(SeverityLevel(r.min_severity)):
            raise InvalidInput(
                "standard.measure_beyond_severity",
                f"{code} needs {r.min_severity} conduct; the standard is {severity.value} (Art 31)",
            )
        refs.append({"code": code, "content": r.content})
    return refs
