"""Statistics of measures applied and typical cases (MEA-4, EXT-4; Op(12), Op(13),
Op(28)): the reports counted by measure, field, unit or month, for the platform and,
numbers only, for the public; the typical cases the platform marked, as published."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from creditreg.clock import local_date
from creditreg.domain.access.principals import Principal
from creditreg.domain.errors import InvalidInput
from creditreg.domain.fields import FIELDS
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.kernel.spreadsheet import safe_csv_cell
from creditreg.domain.measures.feedback import GroupBy
from creditreg.domain.privacy import mask_identifiers_in_text, mask_known, mask_person_name
from creditreg.domain.subjects.identifiers import SubjectKind
from creditreg.services.context import Context
from creditreg.services.measures.measure_feedback import MAX_PAGE, implementing_unit
from creditreg.store.access.tables import unit
from creditreg.store.measures.feedback_tables import measure_feedback
from creditreg.store.measures.tables import measure
from creditreg.store.subjects.tables import subject


@dataclass(frozen=True)
class Count:
    """One line of the statistics: the group's key, how many reports, how many typical."""

    key: str
    label: str | None
    applied: int
    typical: int


def statistics(
    ctx: Context,
    principal: Principal,
    group: GroupBy,
    since: date | None = None,
    until: date | None = None,
) -> list[Count]:
    """MEA-4, Op(12): reports counted by measure, field, unit or month over a period."""
    if Permission.AUDIT_READ not in principal.permissions:
        implementing_unit(principal)
    return published_statistics(ctx, group, since, until)


def published_statistics(
    ctx: Context, group: GroupBy, since: date | None = None, until: date | None = None
) -> list[Count]:
    """EXT-4, Op(12), Op(28): the same counts, published (numbers only, no subject)."""
    if since and until and until < since:
        raise InvalidInput("measure_feedback.bad_period", "the period ends before it begins")
    f = measure_feedback.c
    where: list[sa.ColumnElement[bool]] = []
    if since is not None:
        where.append(f.applied_on >= since)
    if until is not None:
        where.append(f.applied_on <= until)
    column: Any = {
        GroupBy.MEASURE: f.measure_code,
        GroupBy.FIELD: f.field,
        GroupBy.UNIT: f.unit_id,
        GroupBy.MONTH: f.applied_on,
    }[group]
    typical = sa.func.sum(sa.case((f.typical.is_(True), 1), else_=0))
    with ctx.db.read() as conn:
        rows = conn.execute(
            sa.select(column.label("key"), sa.func.count().label("n"), typical.label("t"))
            .where(*where)
            .group_by(column)
        ).all()
        labels = _labels(conn, group)
    counts: dict[str, list[int]] = {}
    for r in rows:
        key = r[0].strftime("%Y-%m") if group is GroupBy.MONTH else str(r[0])
        acc = counts.setdefault(key, [0, 0])
        acc[0] += int(r[1])
        acc[1] += int(r[2] or 0)
    return [Count(k, labels.get(k), n, t) for k, (n, t) in sorted(counts.items())]


@dataclass(frozen=True)
class PublishedCase:
    """EXT-4, Op(13): a typical case as published: the measure, who applied it, when, and
    the platform's account of the case; never the subject's number or the case file."""

    id: int
    measure_code: str
    measure_content: str | None
    kind: str
    field: str
    unit_name: str | None
    applied_on: date
    summary: str
    marked_on: date | None


def published_cases(ctx: Context) -> list[PublishedCase]:
    """EXT-4: the reports the platform marked typical, newest first. The summary is its
    note, with personal numbers masked and a natural person's name shown by its first
    character (DIS-3)."""
    f = measure_feedback.c
    with ctx.db.read() as conn:
        rows = conn.execute(
            sa.select(
                f.id,
                f.measure_code,
                measure.c.content,
                f.kind,
                f.field,
                unit.c.name.label("unit_name"),
                f.applied_on,
                f.typical_note,
                f.typical_at,
                subject.c.kind.label("subject_kind"),
                subject.c.name.label("subject_name"),
                subject.c.id_number,
            )
            .outerjoin(unit, unit.c.id == f.unit_id)
            .outerjoin(measure, measure.c.code == f.measure_code)
            .outerjoin(subject, subject.c.id == f.subject_id)
            .where(f.typical.is_(True))
            .order_by(f.typical_at.desc(), f.id.desc())
            .limit(MAX_PAGE)
        ).all()
    out = []
    for r in rows:
        summary = str(r.typical_note or "")
        if r.subject_kind == SubjectKind.NATURAL_PERSON.value:
            summary = mask_person_name(mask_known(summary, [r.id_number]), r.subject_name or "")
        out.append(
            PublishedCase(
                id=r.id,
                measure_code=r.measure_code,
                measure_content=r.content,
                kind=r.kind,
                field=r.field,
                unit_name=r.unit_name,
                applied_on=r.applied_on,
                summary=mask_identifiers_in_text(summary),
                marked_on=local_date(r.typical_at) if r.typical_at else None,
            )
        )
    return out


def _labels(conn: sa.Connection, group: GroupBy) -> dict[str, str]:
    if group is GroupBy.MEASURE:
        return {
            r.code: r.content for r in conn.execute(sa.select(measure.c.code, measure.c.content))
        }
    if group is GroupBy.UNIT:
        return {str(r.id): r.name for r in conn.execute(sa.select(unit.c.id, unit.c.name))}
    if group is GroupBy.FIELD:  # the taxonomy's Chinese names (Op(3)), as /fields gives
        return {code: f.label_zh for code, f in FIELDS.items()}
    return {}  # a month names itself


def as_csv(group: GroupBy, counts: Sequence[Count]) -> str:
    """The statistics as CSV (UTF-8, a header row)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([group.value, "label", "applied", "typical"])
    for c in counts:
        writer.writerow([safe_csv_cell(c.key), safe_csv_cell(c.label), c.applied, c.typical])
    return out.getvalue()
