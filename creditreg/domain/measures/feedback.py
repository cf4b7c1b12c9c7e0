"""Feedback on measures applied (MEA-4, Op(12), Op(13)): an implementing unit reports
which measure it applied to which subject, when, and in which case file, and the platform
keeps counts by measure, field, unit and period and marks typical cases. Pure rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from creditreg.domain.errors import InvalidInput, parse_enum

MAX_CASE_FILE = 200
MAX_NOTE = 2000


class GroupBy(StrEnum):
    """What statistics count by (Op(12): measure, field, unit; and the period)."""

    MEASURE = "measure"
    FIELD = "field"
    UNIT = "unit"
    MONTH = "month"


def parse_group(raw: str) -> GroupBy:
    return parse_enum(GroupBy, raw, "measure_feedback.bad_group")


@dataclass(frozen=True, slots=True)
class Applied:
    """What the unit says it did: the measure, when, in which case file, for which fact."""

    measure_code: str
    applied_on: date
    case_file: str
    entry_id: int | None = None
    record_id: int | None = None
    note: str | None = None


def clean_applied(
    measure_code: str,
    applied_on: date,
    case_file: str,
    today: date,
    entry_id: int | None = None,
    record_id: int | None = None,
    note: str | None = None,
) -> Applied:
    """The report checked: a measure code, a case file named on one line, a day not in the
    future, and at most one triggering fact (an entry or a record)."""
    code = measure_code.strip().upper()
    if not code or len(code) > 40:
        raise InvalidInput("measure_feedback.bad_measure", "name the measure by its catalog code")
    case = case_file.strip()
    if not case or len(case) > MAX_CASE_FILE or any(ord(c) < 32 for c in case):
        raise InvalidInput(
            "measure_feedback.bad_case_file",
            f"the case file is named on one line of at most {MAX_CASE_FILE} characters",
        )
    if applied_on > today:
        raise InvalidInput(
            "measure_feedback.future_date", f"a measure applied on {applied_on} is not yet applied"
        )
    if entry_id is not None and record_id is not None:
        raise InvalidInput(
            "measure_feedback.two_triggers", "a measure answers one fact: an entry or a record"
        )
    text = note.strip() if note else None
    if text and len(text) > MAX_NOTE:
        raise InvalidInput("measure_feedback.bad_note", f"a note is at most {MAX_NOTE} characters")
    return Applied(code, applied_on, case, entry_id, record_id, text or None)


def trigger_key(code: str, entry_id: int | None, record_id: int | None) -> str:
    """How the query register names a measure returned and its fact: `CODE:entry:ID`."""
    if entry_id is not None:
        return f"{code}:entry:{entry_id}"
    return f"{code}:record:{record_id}"


def matching(triggers: list[str], applied: Applied) -> list[tuple[str, int]]:
    """The facts (`entry`/`record`, id) for which a check returned `applied`'s measure."""
    found: list[tuple[str, int]] = []
    for key in triggers:
        code, _, rest = key.partition(":")
        kind, _, raw_id = rest.partition(":")
        if code != applied.measure_code or not raw_id.isdigit():
            continue
        fact = (kind, int(raw_id))
        if applied.entry_id is not None and fact != ("entry", applied.entry_id):
            continue
        if applied.record_id is not None and fact != ("record", applied.record_id):
            continue
        found.append(fact)
    return found
