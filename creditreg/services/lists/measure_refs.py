"""The measures a standard and an entry name (MEA-1, MEA-6; Art 28, 31): catalog codes,
kept as references with their texts so that the written notice quotes them.

The catalog belongs to the measures context, above lists: lists offers the extension
point `MEASURE_CATALOG`, and the measures context registers at bootstrap the resolver
that checks the codes against its catalog (a lower context never imports an upper one).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from creditreg.domain.lists.standards import ListType
from creditreg.domain.records.severity import SeverityLevel

if TYPE_CHECKING:
    from creditreg.services.context import Context

MEASURE_CATALOG = "lists.measure_catalog"
# (conn, list type, severity, codes) -> [{"code", "content"}], in the codes' order; raises
# `standard.unknown_measure`, `standard.measure_wrong_list`, `standard.measure_beyond_severity`.
MeasureResolver = Callable[
    [sa.Connection, ListType, SeverityLevel, Sequence[str]], list[dict[str, str]]
]


def resolve(
    conn: sa.Connection,
    ctx: Context,
    list_type: ListType,
    severity: SeverityLevel,
    codes: Sequence[str],
) -> list[dict[str, str]]:
    """The references of `codes`, checked by every registered catalog (with none, an
    install without the measures context: each code stands for itself)."""
    resolvers: list[MeasureResolver] = ctx.registry.extensions.get(MEASURE_CATALOG, [])
    refs = [{"code": c, "content": c} for c in codes]
    for resolver in resolvers:
        refs = resolver(conn, list_type, severity, codes)
    return refs


def as_ref(m: Any) -> dict[str, str]:
    """A stored measure as a reference (free text stored before the catalog: itself)."""
    if isinstance(m, dict):
        return {"code": str(m.get("code") or ""), "content": str(m.get("content") or "")}
    return {"code": str(m), "content": str(m)}


def codes_of(measures: Any) -> tuple[str, ...]:
    """The codes of stored measures."""
    return tuple(r["code"] for r in map(as_ref, measures or ()) if r["code"])


def texts_of(measures: Any) -> tuple[str, ...]:
    """Stored measures as the texts a notice quotes (the content, else the code)."""
    return tuple(t for t in ((r["content"] or r["code"]) for r in map(as_ref, measures or ())) if t)
