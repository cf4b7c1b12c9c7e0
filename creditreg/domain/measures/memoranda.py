"""Memoranda of cooperation (MEA-2, Op(12)): signed by units, they map (list trigger,
field) to catalog measures and the units that implement them; versioned by code, a new
version supersedes the old from its effective date."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from creditreg.domain.errors import InvalidInput, parse_enum, quoted
from creditreg.domain.fields import FIELDS
from creditreg.domain.kernel.lifecycle import Lifecycle
from creditreg.domain.measures.catalog import CODE_PATTERN, Trigger, measure_code, units_of


class MemorandumStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"  # published, waiting for its effective date
    IN_FORCE = "in_force"
    SUPERSEDED = "superseded"
    ENDED = "ended"


# A published draft enters into force on its effective date (at once when that has come,
# else by the sweep); the next version in force supersedes it; its end date ends it.
MEMORANDUM = Lifecycle(
    "memorandum",
    {
        (MemorandumStatus.DRAFT, "publish"): MemorandumStatus.PUBLISHED,
        (MemorandumStatus.PUBLISHED, "enter_into_force"): MemorandumStatus.IN_FORCE,
        (MemorandumStatus.DRAFT, "supersede"): MemorandumStatus.SUPERSEDED,
        (MemorandumStatus.PUBLISHED, "supersede"): MemorandumStatus.SUPERSEDED,
        (MemorandumStatus.IN_FORCE, "supersede"): MemorandumStatus.SUPERSEDED,
        (MemorandumStatus.IN_FORCE, "end"): MemorandumStatus.ENDED,
    },
)


@dataclass(frozen=True)
class ItemDraft:
    """Op(12): on a fact of `trigger` (in `field`, or any field), `unit_id` applies `measure`."""

    trigger: Trigger
    field: str | None
    measure: str
    unit_id: int


@dataclass(frozen=True)
class MemorandumDraft:
    code: str
    title: str
    effective_from: date
    effective_until: date | None
    signatories: tuple[int, ...]
    items: tuple[ItemDraft, ...]


def _date(raw: Any, name: str) -> date | None:
    if raw is None:
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise InvalidInput("memorandum.bad_date", f"{name} is a date (YYYY-MM-DD)") from None


def _item(raw: Any) -> ItemDraft:
    if not isinstance(raw, Mapping):
        raise InvalidInput("memorandum.bad_input", "an item is {trigger, field, measure, unit_id}")
    field = raw.get("field")
    if field is not None and field not in FIELDS:
        raise InvalidInput("memorandum.unknown_field", f"unknown field {quoted(field)}")
    unit_id = raw.get("unit_id")
    if not isinstance(unit_id, int) or isinstance(unit_id, bool) or unit_id < 1:
        raise InvalidInput("memorandum.bad_input", "an item names its implementing unit_id")
    return ItemDraft(
        trigger=parse_enum(Trigger, str(raw.get("trigger", "")), "memorandum.bad_trigger"),
        field=field,
        measure=measure_code(raw.get("measure")),
        unit_id=unit_id,
    )


def memorandum_from_dict(raw: Mapping[str, Any]) -> MemorandumDraft:
    """A memorandum from API / CLI input, its shape checked (the catalog checks come in the
    service: measures, severity, implementing units)."""
    if not isinstance(raw, Mapping):
        raise InvalidInput("memorandum.bad_input", "a memorandum is a JSON object")
    code = str(raw.get("code") or "").strip().upper()
    title = raw.get("title")
    if not code or len(code) > 40:
        raise InvalidInput("memorandum.bad_input", "a memorandum has a code of 1-40 characters")
    if not CODE_PATTERN.fullmatch(code):
        # It is a path segment of the API (/memoranda/{code}) and the CLI's argument.
        raise InvalidInput(
            "memorandum.bad_code",
            f"{raw.get('code')!r} is not a memorandum code (letters, digits, - and _)",
        )
    if not isinstance(title, str) or not title.strip() or len(title) > 200:
        raise InvalidInput("memorandum.bad_input", "a memorandum has a title (200 characters)")
    start = _date(raw.get("effective_from"), "effective_from")
    if start is None:
        raise InvalidInput("memorandum.bad_date", "effective_from is required")
    until = _date(raw.get("effective_until"), "effective_until")
    if until is not None and until < start:
        raise InvalidInput("memorandum.bad_date", "effective_until comes after effective_from")
    items = raw.get("items")
    if not isinstance(items, Sequence) or isinstance(items, str) or not items:
        raise InvalidInput("memorandum.no_items", "a memorandum maps at least one measure")
    parsed = tuple(_item(i) for i in items)
    if len(set(parsed)) != len(parsed):
        raise InvalidInput(
            "memorandum.duplicate_item",
            "an item (trigger, field, measure, unit) is listed twice",
        )
    signatories = units_of(raw.get("signatories"), "memorandum.bad_input")
    # Every implementing unit signs what it implements.
    signatories = tuple(dict.fromkeys((*signatories, *(i.unit_id for i in parsed))))
    return MemorandumDraft(code, title.strip(), start, until, signatories, parsed)
