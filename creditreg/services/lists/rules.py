"""Designation-standard rules as queries (STD-2): a stored standard and its evaluation.

A rule becomes one set-based query over verified records: `qualifying()` answers "which
subjects qualify today" for a million subjects at once, and `matching_records()` the
same question for one subject, with the records that answer it (the entry's grounds).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from creditreg.domain.errors import NotFound
from creditreg.domain.lists.standards import (
    ListType,
    Restoration,
    Rule,
    Scope,
    StandardDraft,
    describe_zh,
    field_of,
    rule_from_dict,
)
from creditreg.domain.records.catalog import Character
from creditreg.domain.records.severity import SeverityLevel
from creditreg.services.lists.measure_refs import as_ref, codes_of
from creditreg.services.lists.views import StandardView
from creditreg.store.lists.tables import standard
from creditreg.store.records.tables import catalog_item, record

VERIFIED = "verified"  # Art 17: only verified records ground a designation


@dataclass(frozen=True)
class Standard:
    """A stored standard version."""

    id: int
    version: int
    status: str
    draft: StandardDraft
    published_at: str
    # The measures as stored: catalog references with their texts (MEA-1, Art 28).
    measure_refs: tuple[dict[str, str], ...] = ()

    @property
    def code(self) -> str:
        return self.draft.code

    def as_dict(self) -> StandardView:
        d = self.draft
        return {
            "id": self.id,
            "code": d.code,
            "version": self.version,
            "status": self.status,
            "field": d.field,
            "field_label": field_of(d.field).label_zh,
            "key_field": field_of(d.field).key,
            "list_type": d.list_type.value,
            "scope": d.scope.value,
            "region": d.region,
            "approval": d.approval,
            "title": d.title,
            "legal_basis": d.legal_basis,
            "procedure": d.procedure,
            "rule": d.rule.as_dict(),
            "rule_text": d.rule.describe(),
            "rule_text_zh": describe_zh(d.rule),
            "validity_months": d.validity_months,
            "window_days": d.window_days,
            "restoration": {
                "restorable": d.restoration.restorable,
                "method": d.restoration.method,
                "after_months": d.restoration.after_months,
            },
            "scrutiny_months": d.scrutiny_months,
            "measures": list(d.measures),
            "severity": d.severity.value,
            "published_at": self.published_at,
        }


def from_row(row: Any) -> Standard:
    list_type = ListType(row.list_type)
    return Standard(
        id=row.id,
        version=row.version,
        status=row.status,
        published_at=row.published_at.isoformat(),
        measure_refs=tuple(as_ref(m) for m in row.measures),
        draft=StandardDraft(
            code=row.code,
            field=row.field,
            list_type=list_type,
            scope=Scope(row.scope),
            title=row.title,
            legal_basis=row.legal_basis,
            procedure=row.procedure,
            rule=rule_from_dict(row.rule, list_type),
            validity_months=row.validity_months,
            window_days=row.window_days,
            restoration=Restoration(
                row.restorable, row.restoration_method, row.restoration_after_months
            ),
            scrutiny_months=row.scrutiny_months,
            measures=codes_of(row.measures),
            severity=SeverityLevel(row.severity),
            region=row.region,
            approval=row.approval,
        ),
    )


def load(conn: sa.Connection, standard_id: int) -> Standard:
    row = conn.execute(sa.select(standard).where(standard.c.id == standard_id)).first()
    if row is None:
        raise NotFound("standard.not_found", f"no standard {standard_id}")
    return from_row(row)


def current(conn: sa.Connection, code: str) -> Standard:
    """The version of `code` in force, or `standard.not_found`."""
    row = conn.execute(
        sa.select(standard).where(
            standard.c.code == code.strip().upper(), standard.c.status == "current"
        )
    ).first()
    if row is None:
        raise NotFound("standard.not_found", f"no standard {code!r} in force")
    return from_row(row)


# --- evaluation -------------------------------------------------------------------------


def _conditions(rule: Rule, today: date) -> list[sa.ColumnElement[bool]]:
    """The rule's record filter as SQL (STD-2)."""
    conds: list[sa.ColumnElement[bool]] = [
        record.c.status == VERIFIED,
        record.c.character == rule.character.value,
    ]
    if rule.catalog_codes:
        conds.append(
            record.c.catalog_item_id.in_(
                sa.select(catalog_item.c.id).where(catalog_item.c.code.in_(rule.catalog_codes))
            )
        )
    if rule.character is Character.UNTRUSTWORTHY:
        # ING-4: never a record Art 13/27 excludes; ING-5: a punishment once it counts.
        conds.append(record.c.discipline_block.is_(None))
        conds.append(sa.or_(record.c.final_on.is_(None), record.c.final_on <= today))
    if rule.untrustworthy_classes:
        conds.append(
            record.c.untrustworthy_class.in_([c.value for c in rule.untrustworthy_classes])
        )
    if rule.serious_classes:
        conds.append(record.c.serious_class.in_([c.value for c in rule.serious_classes]))
    elif rule.serious_only:
        conds.append(record.c.serious_class.is_not(None))
    if rule.severities:
        conds.append(record.c.severity.in_([s.value for s in rule.severities]))
    start = rule.window_start(today)
    if start is not None:
        conds.append(record.c.decision_date >= start)
    if rule.amount is not None:
        value = sa.cast(record.c.data[rule.amount.field].as_string(), sa.Numeric(18, 4))
        conds.append(value >= rule.amount.minimum)
    return conds


def _not_clean(rule: Rule, today: date) -> sa.Select[Any] | None:
    """Red list (Op(8)): subjects with an untrustworthy record within the clean period."""
    since = rule.clean_since(today)
    if since is None:
        return None
    return sa.select(record.c.subject_id).where(
        record.c.character == Character.UNTRUSTWORTHY.value,
        record.c.status.in_(("received", VERIFIED)),
        record.c.decision_date >= since,
    )


def qualifying(rule: Rule, today: date) -> sa.Select[Any]:
    """SELECT subject_id, count: every subject the rule proposes today."""
    query = (
        sa.select(record.c.subject_id, sa.func.count().label("n"))
        .where(*_conditions(rule, today))
        .group_by(record.c.subject_id)
        .having(sa.func.count() >= rule.min_count)
    )
    dirty = _not_clean(rule, today)
    if dirty is not None:
        query = query.where(record.c.subject_id.not_in(dirty))
    return query


def matching_records(
    conn: sa.Connection, rule: Rule, today: date, subject_id: int
) -> tuple[bool, dict[str, Any]]:
    """Does one subject qualify today, and on which records? (The entry's rule inputs.)"""
    rows = conn.execute(
        sa.select(
            record.c.id,
            catalog_item.c.code,
            record.c.decision_date,
            record.c.untrustworthy_class,
            record.c.serious_class,
            record.c.severity,
        )
        .join(catalog_item, catalog_item.c.id == record.c.catalog_item_id)
        .where(record.c.subject_id == subject_id, *_conditions(rule, today))
        .order_by(record.c.decision_date, record.c.id)
    ).all()
    blocked = False
    dirty = _not_clean(rule, today)
    if dirty is not None:
        blocked = (
            conn.execute(dirty.where(record.c.subject_id == subject_id).limit(1)).first()
            is not None
        )
    qualifies = len(rows) >= rule.min_count and not blocked
    inputs = {
        "evaluated_on": today.isoformat(),
        "rule": rule.as_dict(),
        "rule_text": rule.describe(),
        "count": len(rows),
        "untrustworthy_in_clean_period": blocked,
        "qualifies": qualifies,
        "records": [
            {
                "id": r.id,
                "catalog": r.code,
                "decision_date": r.decision_date.isoformat() if r.decision_date else None,
                "untrustworthy_class": r.untrustworthy_class,
                "serious_class": r.serious_class,
                "severity": r.severity,
            }
            for r in rows
        ],
    }
    return qualifies, inputs
