"""The public catalog of measures (MEA-1, Art 29; incentives Art 30, punishments Art 32,
34) and proportionality (MEA-6, Art 31): what a measure is, which facts it answers, the
least severity it needs, and its lifecycle (active -> withdrawn)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from creditreg.domain.errors import InvalidInput, parse_enum
from creditreg.domain.kernel.lifecycle import Lifecycle
from creditreg.domain.records.severity import SeverityLevel


class MeasureKind(StrEnum):
    INCENTIVE = "incentive"  # Art 30, for the red list
    PUNISHMENT = "punishment"  # Art 32, 34


class Trigger(StrEnum):
    """The fact a measure answers: a list entry, or an untrustworthy record (Art 32
    punishments answer violations of legal and contractual obligations, listed or not)."""

    RED_LIST = "red_list"
    UNTRUSTWORTHY_RECORD = "untrustworthy_record"
    BLACKLIST = "blacklist"
    KEY_SCRUTINY = "key_scrutiny"


class MeasureStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


MEASURE = Lifecycle("measure", {(MeasureStatus.ACTIVE, "withdraw"): MeasureStatus.WITHDRAWN})

# Which facts a measure of each trigger may answer. Art 34: "in addition to the punishment
# measures provided for in article 32": Art 32 measures (untrustworthy_record) also apply
# to listed subjects; Art 34 measures only to the blacklist.
APPLIES_TO: dict[Trigger, frozenset[Trigger]] = {
    Trigger.RED_LIST: frozenset({Trigger.RED_LIST}),
    Trigger.UNTRUSTWORTHY_RECORD: frozenset(
        {Trigger.UNTRUSTWORTHY_RECORD, Trigger.BLACKLIST, Trigger.KEY_SCRUTINY}
    ),
    Trigger.BLACKLIST: frozenset({Trigger.BLACKLIST}),
    Trigger.KEY_SCRUTINY: frozenset({Trigger.KEY_SCRUTINY}),
}

# MEA-6, Art 31: the gravest a fact of each trigger can be. A record alone is at most
# serious (Art 33); key scrutiny is conduct short of the blacklist (Op(16)); only a
# blacklist standard may say "especially serious".
CEILING: dict[Trigger, SeverityLevel] = {
    Trigger.RED_LIST: SeverityLevel.GENERAL,
    Trigger.UNTRUSTWORTHY_RECORD: SeverityLevel.SERIOUS,
    Trigger.KEY_SCRUTINY: SeverityLevel.GENERAL,
    Trigger.BLACKLIST: SeverityLevel.ESPECIALLY_SERIOUS,
}


def applies_to(measure_trigger: str, fact_trigger: str) -> bool:
    """Whether a measure of `measure_trigger` may answer a fact of `fact_trigger`."""
    try:
        return Trigger(fact_trigger) in APPLIES_TO[Trigger(measure_trigger)]
    except ValueError:
        return False


def reachable(trigger: Trigger, min_severity: SeverityLevel) -> bool:
    """Whether some fact of `trigger` can be grave enough for `min_severity` (MEA-6)."""
    return CEILING[trigger].reaches(min_severity)


# A measure's or a memorandum's code (upper-cased): letters, digits, - and _, up to 40.
CODE_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,39}")


# ART30-*, ART32-*, ART34-*: the Regulations' own measures, which `db upgrade` installs as
# reference data.
_REGULATIONS_CODE = re.compile(r"ART[0-9]+-[0-9A-Z_-]*")


def check_local_code(code: str) -> None:
    """A measure the platform adds takes a code of its own, never one of the Regulations'
    form (readers would take it for one of Art 30, 32 or 34)."""
    if _REGULATIONS_CODE.fullmatch(code):
        raise InvalidInput(
            "measure.bad_code",
            f"{code}: codes ART<article>-<item> are the Regulations' measures, installed "
            "with the platform; give a local measure a code of its own",
        )


def measure_code(raw: Any) -> str:
    """A catalog code: letters, digits, `-` and `_`, up to 40 (upper-cased)."""
    code = str(raw or "").strip().upper()
    if not CODE_PATTERN.fullmatch(code):
        raise InvalidInput(
            "measure.bad_code", f"{raw!r} is not a measure code (letters, digits, - and _)"
        )
    return code


@dataclass(frozen=True)
class MeasureDraft:
    """A catalog measure as entered (MEA-1, Art 29)."""

    code: str
    kind: MeasureKind
    trigger: Trigger
    content: str
    content_en: str
    legal_basis: str
    min_severity: SeverityLevel
    facilitation: bool = False
    units: tuple[int, ...] = ()


def _text(raw: Mapping[str, Any], name: str, limit: int = 2000) -> str:
    value = raw.get(name, "")
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidInput("measure.bad_input", f"{name} is a text of at most {limit} characters")
    return value.strip()


def units_of(raw: Any, code: str) -> tuple[int, ...]:
    """A list of unit ids."""
    if raw is None:
        return ()
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise InvalidInput(code, "units is a list of unit ids")
    if not all(isinstance(u, int) and not isinstance(u, bool) and 1 <= u <= 2**63 - 1 for u in raw):
        raise InvalidInput(code, "units is a list of unit ids")
    return tuple(dict.fromkeys(raw))


def measure_from_dict(raw: Mapping[str, Any]) -> MeasureDraft:
    """A measure from API / CLI input, every element checked."""
    if not isinstance(raw, Mapping):
        raise InvalidInput("measure.bad_input", "a measure is a JSON object")
    kind = parse_enum(MeasureKind, str(raw.get("kind", "")), "measure.bad_kind")
    trigger = parse_enum(Trigger, str(raw.get("trigger", "")), "measure.bad_trigger")
    default = SeverityLevel.SERIOUS if trigger is Trigger.BLACKLIST else SeverityLevel.GENERAL
    severity = parse_enum(
        SeverityLevel, str(raw.get("min_severity") or default.value), "measure.bad_severity"
    )
    facilitation = raw.get("facilitation", False)
    if not isinstance(facilitation, bool):
        raise InvalidInput("measure.bad_input", "facilitation is true or false")
    draft = MeasureDraft(
        code=measure_code(raw.get("code")),
        kind=kind,
        trigger=trigger,
        content=_text(raw, "content"),
        content_en=_text(raw, "content_en"),
        legal_basis=_text(raw, "legal_basis", 500),
        min_severity=severity,
        facilitation=facilitation,
        units=units_of(raw.get("units"), "measure.bad_input"),
    )
    check_measure(draft)
    return draft


def check_measure(d: MeasureDraft) -> None:
    """Art 29: content and basis; Art 30 incentives answer the red list, punishments never."""
    for name, value in (("content", d.content), ("legal_basis", d.legal_basis)):
        if not value:
            raise InvalidInput("measure.missing_element", f"a measure needs its {name} (Art 29)")
    if (d.kind is MeasureKind.INCENTIVE) != (d.trigger is Trigger.RED_LIST):
        raise InvalidInput(
            "measure.kind_mismatch",
            "incentives answer the red list (Art 30); punishments answer untrustworthiness",
        )
    if d.facilitation and d.kind is not MeasureKind.INCENTIVE:
        raise InvalidInput("measure.kind_mismatch", "a green channel is an incentive (Op(13))")
    if not reachable(d.trigger, d.min_severity):
        raise InvalidInput(
            "measure.bad_severity",
            f"a {d.trigger.value} fact is never {d.min_severity.value} (Art 31)",
        )
