"""What the check (MEA-3) asks of the catalog and the memoranda: the measures a unit must
apply to a subject's facts on a day (MEA-2, MEA-6), and the green channel every unit
offers a red-listed subject (MEA-7, Op(13)). SQLAlchemy Core, one query each (two for the
green channel's attribution); the measures due compiled once (`Compiled`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from creditreg.domain.measures.catalog import MeasureStatus, Trigger
from creditreg.domain.measures.memoranda import MemorandumStatus
from creditreg.domain.records.severity import SeverityLevel
from creditreg.store.measures.check_reads import Compiled, Tx
from creditreg.store.measures.tables import measure, memorandum, memorandum_item


@dataclass(frozen=True)
class TriggerFact:
    """A fact about the subject: a list entry in force or an untrustworthy record."""

    trigger: str  # red_list / blacklist / key_scrutiny / untrustworthy_record
    field: str
    severity: SeverityLevel
    entry_id: int | None = None
    record_id: int | None = None


@dataclass(frozen=True)
class DueMeasure:
    """A measure the unit applies, with its basis and the fact it answers."""

    code: str
    kind: str
    content: str
    legal_basis: str
    memorandum_code: str
    memorandum_version: int
    trigger: str
    field: str
    entry_id: int | None
    record_id: int | None


# MEA-2: the version in force on a day is decided by the dates, not by when the sweep
# last ran: a published version whose day has come applies, and from that day the code's
# earlier version does not, though the sweep has not yet marked them in_force and
# superseded.
_EFFECTIVE = (MemorandumStatus.PUBLISHED.value, MemorandumStatus.IN_FORCE.value)
_later = memorandum.alias("later")


def _in_force(day: date | sa.BindParameter[Any]) -> sa.ColumnElement[bool]:
    return sa.and_(
        memorandum.c.status.in_(_EFFECTIVE),
        memorandum.c.effective_from <= day,
        sa.or_(memorandum.c.effective_until.is_(None), memorandum.c.effective_until >= day),
        ~sa.exists().where(
            _later.c.code == memorandum.c.code,
            _later.c.version > memorandum.c.version,
            _later.c.status.in_(_EFFECTIVE),
            _later.c.effective_from <= day,
        ),
    )


def _due(n: int) -> sa.Select[Any]:
    return (
        sa.select(
            measure.c.code,
            measure.c.kind,
            measure.c.content,
            measure.c.legal_basis,
            measure.c.min_severity,
            memorandum.c.code.label("memorandum_code"),
            memorandum.c.version,
            memorandum_item.c.trigger,
            memorandum_item.c.field,
        )
        .select_from(
            memorandum_item.join(
                memorandum, memorandum.c.id == memorandum_item.c.memorandum_id
            ).join(measure, measure.c.id == memorandum_item.c.measure_id)
        )
        .where(
            memorandum_item.c.unit_id == sa.bindparam("unit_id", required=False),
            memorandum_item.c.trigger.in_(
                [sa.bindparam(f"t{i}", required=False) for i in range(n)]
            ),
            measure.c.status == MeasureStatus.ACTIVE.value,
            _in_force(sa.bindparam("day", type_=sa.Date, required=False)),
        )
        .order_by(memorandum.c.code, memorandum_item.c.id)
    )


# Compiled once (creditreg.store.measures.check_reads.Compiled): the check's hot path.
_DUE = Compiled(_due)


def measures_due(
    conn: sa.Connection, unit_id: int, day: date, facts: Sequence[TriggerFact]
) -> list[DueMeasure]:
    """The measures the memoranda in force on `day` oblige `unit_id` to apply to `facts`:
    an item answers a fact of its trigger in its field (or any field, when it names none),
    and only where the fact is grave enough for the measure (MEA-6, Art 31). Withdrawn
    measures are applied by nobody. One row per measure and fact, in the memoranda's order.
    """
    return Obligations(conn, unit_id, day).due(facts)


# A memorandum item as the check matches it: its row and its measure's minimum severity.
_Items = dict[str, list[tuple[Any, SeverityLevel]]]


def _by_trigger(rows: Sequence[Any]) -> _Items:
    """The items by trigger, in the memoranda's order (each fact reads only its own)."""
    items: _Items = {}
    for r in rows:
        items.setdefault(r.trigger, []).append((r, SeverityLevel(r.min_severity)))
    return items


def _due_indexed(items: _Items, facts: Sequence[TriggerFact]) -> list[DueMeasure]:
    due: list[DueMeasure] = []
    seen: set[tuple[str, str, int | None, int | None]] = set()
    for fact in facts:
        for r, minimum in items.get(fact.trigger, ()):
            if r.field is not None and r.field != fact.field:
                continue
            if not fact.severity.reaches(minimum):
                continue  # MEA-6, Art 31: the fact is not grave enough for this measure
            key = (r.code, fact.trigger, fact.entry_id, fact.record_id)
            if key in seen:
                continue
            seen.add(key)
            due.append(
                DueMeasure(
                    code=r.code,
                    kind=r.kind,
                    content=r.content,
                    legal_basis=r.legal_basis,
                    memorandum_code=r.memorandum_code,
                    memorandum_version=int(r.version),
                    trigger=fact.trigger,
                    field=fact.field,
                    entry_id=fact.entry_id,
                    record_id=fact.record_id,
                )
            )
    return due


_FACILITATION = Compiled(
    lambda _: (
        sa.select(
            measure.c.id, measure.c.code, measure.c.kind, measure.c.content, measure.c.legal_basis
        )
        .where(
            measure.c.facilitation.is_(True),
            measure.c.status == MeasureStatus.ACTIVE.value,
            measure.c.trigger == Trigger.RED_LIST.value,
        )
        .order_by(measure.c.code)
    )
)
_NAMED = Compiled(
    lambda n: (
        sa.select(memorandum_item.c.measure_id, memorandum.c.code, memorandum.c.version)
        .join(memorandum, memorandum.c.id == memorandum_item.c.memorandum_id)
        .where(
            memorandum_item.c.measure_id.in_(
                [sa.bindparam(f"m{i}", required=False) for i in range(n)]
            ),
            memorandum_item.c.trigger == Trigger.RED_LIST.value,
            _in_force(sa.bindparam("day", type_=sa.Date, required=False)),
        )
        .order_by(memorandum.c.code, memorandum_item.c.id)
    )
)


def green_channel(conn: sa.Connection, day: date, facts: Sequence[TriggerFact]) -> list[DueMeasure]:
    """MEA-7, Op(13), Art 30(1): the active facilitation incentives ("green channel",
    priority handling, 容缺受理) for each red-list fact, whatever unit asks. A measure is
    attributed to the first memorandum in force on `day` that names it for the red list;
    one no memorandum names applies on the catalog's basis alone (memorandum code "")."""
    return Obligations(conn, 0, day).green(facts)


def _green_of(
    measures: Sequence[Any], named: dict[int, tuple[str, int]], red: Sequence[TriggerFact]
) -> list[DueMeasure]:
    return [
        DueMeasure(
            code=m.code,
            kind=m.kind,
            content=m.content,
            legal_basis=m.legal_basis,
            memorandum_code=named.get(m.id, ("", 0))[0],
            memorandum_version=named.get(m.id, ("", 0))[1],
            trigger=f.trigger,
            field=f.field,
            entry_id=f.entry_id,
            record_id=f.record_id,
        )
        for f in red
        for m in measures
    ]


_ALL_TRIGGERS = tuple(sorted(t.value for t in Trigger))


class Obligations:
    """What the memoranda in force on `day` oblige `unit_id` to apply, and the green
    channel, each read once in the caller's transaction however many subjects it answers
    (a batch of 1,000 identifiers asked once, not once per listed subject)."""

    def __init__(self, conn: Tx, unit_id: int, day: date) -> None:
        self.conn, self.unit_id, self.day = conn, unit_id, day
        self._items: _Items | None = None
        self._green: tuple[list[Any], dict[int, tuple[str, int]]] | None = None

    def due(self, facts: Sequence[TriggerFact]) -> list[DueMeasure]:
        """`measures_due` for `facts`."""
        if not facts:
            return []
        if self._items is None:
            # Every trigger's items at once: each fact below takes only its own trigger's.
            params = {"unit_id": self.unit_id, "day": self.day}
            params.update({f"t{i}": t for i, t in enumerate(_ALL_TRIGGERS)})
            self._items = _by_trigger(_DUE.rows(self.conn, len(_ALL_TRIGGERS), params))
        return _due_indexed(self._items, facts)

    def green(self, facts: Sequence[TriggerFact]) -> list[DueMeasure]:
        """`green_channel` for `facts`."""
        red = [f for f in facts if f.trigger == Trigger.RED_LIST.value]
        if not red:
            return []
        if self._green is None:
            measures = _FACILITATION.rows(self.conn, 0, {})
            named: dict[int, tuple[str, int]] = {}
            if measures:
                ids = {f"m{i}": m.id for i, m in enumerate(measures)}
                for r in _NAMED.rows(self.conn, len(ids), {**ids, "day": self.day}):
                    named.setdefault(int(r.measure_id), (r.code, int(r.version)))
            self._green = (measures, named)
        measures, named = self._green
        if not measures:
            return []
        return _green_of(measures, named, red)
