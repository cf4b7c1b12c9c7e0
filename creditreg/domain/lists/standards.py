"""Designation standards (STD-1..3; Op(3)-(6), Op(15)-(19); Art 28, 33, 37).

A standard is data: a versioned rule over credit records that proposes candidates for a
list, with the procedure's parameters (validity, windows, restoration terms). Code reads
the rule; the store turns it into one set-based query (services/standards.py), so the
same rule explains a single entry and re-evaluates a million subjects.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from creditreg.domain.errors import InvalidInput, parse_enum
from creditreg.domain.fields import FIELDS as FIELDS  # the taxonomy, re-exported
from creditreg.domain.fields import Field
from creditreg.domain.records.catalog import Character
from creditreg.domain.records.classification import (
    CHARACTER_ZH,
    SEVERITY_ZH,
    SeriousClass,
    Severity,
    UntrustworthyClass,
    add_months,
    clause_zh,
)
from creditreg.domain.records.severity import SeverityLevel


class ListType(StrEnum):
    """The four lists (Op(7), Op(8), Op(16), Op(17))."""

    RED_LIST = "red_list"
    BLACKLIST = "blacklist"
    KEY_SCRUTINY = "key_scrutiny"
    BIG_DATA_WARNING = "big_data_warning"


class Scope(StrEnum):
    """Op(3): national standards, and local ones approved by the level above."""

    NATIONAL = "national"
    LOCAL = "local"


# MEA-6, Art 31: a standard's severity unless its input says otherwise; the measures it
# names may not need more. A blacklist rests on serious untrustworthy conduct (Art 33).
DEFAULT_SEVERITY = {
    ListType.RED_LIST: SeverityLevel.GENERAL,
    ListType.BLACKLIST: SeverityLevel.SERIOUS,
    ListType.KEY_SCRUTINY: SeverityLevel.GENERAL,
    ListType.BIG_DATA_WARNING: SeverityLevel.GENERAL,
}

KEY_FIELDS_FOR_WARNING = 3  # Op(17): key scrutiny in 3 or more key fields


def field_of(code: str) -> Field:
    """The field named `code`, or `standard.unknown_field`."""
    try:
        return FIELDS[code]
    except KeyError:
        raise InvalidInput(
            "standard.unknown_field", f"unknown field {code!r}; one of: {', '.join(FIELDS)}"
        ) from None


@dataclass(frozen=True, slots=True)
class AmountThreshold:
    """A record counts only if a numeric template field reaches `minimum`."""

    field: str
    minimum: Decimal


@dataclass(frozen=True)
class Rule:
    """Which verified records propose a subject, how many, within what period (STD-2)."""

    character: Character
    catalog_codes: tuple[str, ...] = ()  # empty: any item of the right character
    untrustworthy_classes: tuple[UntrustworthyClass, ...] = ()
    serious_classes: tuple[SeriousClass, ...] = ()
    serious_only: bool = False  # only Art 33 serious conduct counts
    severities: tuple[Severity, ...] = ()
    min_count: int = 1
    within_months: int | None = None  # decision date no older than this
    amount: AmountThreshold | None = None
    # Red list: no untrustworthy record decided within this many months (Op(8), Op(19)).
    clean_months: int | None = None

    def window_start(self, today: date) -> date | None:
        """The oldest decision date that still counts, if the rule has a period."""
        return add_months(today, -self.within_months) if self.within_months else None

    def clean_since(self, today: date) -> date | None:
        return add_months(today, -self.clean_months) if self.clean_months else None

    def as_dict(self) -> dict[str, Any]:
        raw = asdict(self)
        raw["amount"] = (
            {"field": self.amount.field, "minimum": str(self.amount.minimum)}
            if self.amount
            else None
        )
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in raw.items()}

    def describe(self) -> str:
        """One line for the portal: what the rule counts."""
        parts = [f"at least {self.min_count} verified {self.character.value} record(s)"]
        if self.catalog_codes:
            parts.append("of " + ", ".join(self.catalog_codes))
        if self.untrustworthy_classes:
            parts.append("in class " + ", ".join(self.untrustworthy_classes))
        if self.serious_classes:
            parts.append("serious conduct " + ", ".join(self.serious_classes))
        elif self.serious_only:
            parts.append("serious conduct (Art 33)")
        if self.severities:
            parts.append("severity " + ", ".join(self.severities))
        if self.within_months:
            parts.append(f"decided within {self.within_months} months")
        if self.amount:
            parts.append(f"with {self.amount.field} >= {self.amount.minimum}")
        if self.clean_months:
            parts.append(f"and no untrustworthy record within {self.clean_months} months")
        return " ".join(parts)


# The rule in Chinese, for the portal (the words: records.classification).


def describe_zh(rule: Rule) -> str:
    """The rule in one Chinese sentence, for the portal (the same facts as `describe`)."""
    kind = CHARACTER_ZH.get(rule.character.value, rule.character.value)
    parts: list[str] = []
    if rule.within_months:
        parts.append(f"近{rule.within_months}个月内作出决定的")
    parts.append(f"经核实的{kind}信息不少于{rule.min_count}条")
    if rule.catalog_codes:
        parts.append("，信息类别为" + "、".join(rule.catalog_codes))
    if rule.untrustworthy_classes:
        parts.append("，属" + "、".join((clause_zh(c) or c) for c in rule.untrustworthy_classes))
    if rule.serious_classes:
        parts.append(
            "，属严重失信行为：" + "、".join((clause_zh(c) or c) for c in rule.serious_classes)
        )
    elif rule.serious_only:
        parts.append("，属严重失信行为（《条例》第三十三条）")
    if rule.severities:
        parts.append("，严重程度为" + "、".join(SEVERITY_ZH.get(v, v) for v in rule.severities))
    if rule.amount:
        parts.append(f"，且{rule.amount.field}不低于{rule.amount.minimum}")
    if rule.clean_months:
        parts.append(f"；且近{rule.clean_months}个月内无失信信息")
    return "".join(parts) + "。"


def _strings(raw: Any, name: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise InvalidInput("standard.bad_rule", f"rule.{name} is a list of strings")
    return tuple(raw)


def _months(raw: Any, name: str) -> int | None:
    if raw is None:
        return None
    if not isinstance(raw, int) or isinstance(raw, bool) or not 1 <= raw <= 120:
        raise InvalidInput("standard.bad_rule", f"rule.{name} is a number of months, 1 to 120")
    return raw


def rule_from_dict(raw: Mapping[str, Any], list_type: ListType) -> Rule:
    """Parse and check a rule; the list type fixes which character it may count."""
    known = set(Rule.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise InvalidInput(
            "standard.bad_rule", f"unknown rule key(s): {', '.join(sorted(unknown))}"
        )
    wanted = Character.TRUSTWORTHY if list_type is ListType.RED_LIST else Character.UNTRUSTWORTHY
    character = parse_enum(Character, str(raw.get("character", wanted.value)), "standard.bad_rule")
    if character is not wanted:
        raise InvalidInput(
            "standard.bad_rule",
            f"a {list_type.value} standard counts {wanted.value} records, not {character.value}",
        )
    min_count = raw.get("min_count", 1)
    if not isinstance(min_count, int) or isinstance(min_count, bool) or not 1 <= min_count <= 100:
        raise InvalidInput("standard.bad_rule", "rule.min_count is a whole number, 1 to 100")
    amount = None
    if raw.get("amount") is not None:
        spec = raw["amount"]
        if not isinstance(spec, Mapping) or not isinstance(spec.get("field"), str):
            raise InvalidInput("standard.bad_rule", "rule.amount is {field, minimum}")
        try:
            amount = AmountThreshold(spec["field"], Decimal(str(spec.get("minimum"))))
        except InvalidOperation:
            raise InvalidInput("standard.bad_rule", "rule.amount.minimum is a number") from None
    clean = _months(raw.get("clean_months"), "clean_months")
    if clean and list_type is not ListType.RED_LIST:
        raise InvalidInput("standard.bad_rule", "rule.clean_months applies to red lists only")
    return Rule(
        character=character,
        catalog_codes=_strings(raw.get("catalog_codes"), "catalog_codes"),
        untrustworthy_classes=tuple(
            parse_enum(UntrustworthyClass, c, "standard.bad_rule")
            for c in _strings(raw.get("untrustworthy_classes"), "untrustworthy_classes")
        ),
        serious_classes=tuple(
            parse_enum(SeriousClass, c, "standard.bad_rule")
            for c in _strings(raw.get("serious_classes"), "serious_classes")
        ),
        serious_only=bool(raw.get("serious_only", False)),
        severities=tuple(
            parse_enum(Severity, c, "standard.bad_rule")
            for c in _strings(raw.get("severities"), "severities")
        ),
        min_count=min_count,
        within_months=_months(raw.get("within_months"), "within_months"),
        amount=amount,
        clean_months=clean,
    )


@dataclass(frozen=True)
class Restoration:
    """LST-8, Op(15): whether, how and after how long a blacklisted subject may restore."""

    restorable: bool
    method: str = ""
    after_months: int = 0

    def eligible_from(self, designated_on: date) -> date:
        return add_months(designated_on, self.after_months)


@dataclass(frozen=True)
class StandardDraft:
    """What a standard says before it is stored (STD-1)."""

    code: str
    field: str
    list_type: ListType
    scope: Scope
    title: str
    legal_basis: str
    procedure: str
    rule: Rule
    validity_months: int
    window_days: int  # red list: announcement; blacklist: objection window (working days)
    restoration: Restoration = dataclasses.field(default_factory=lambda: Restoration(False))
    scrutiny_months: int = 0  # blacklist: key scrutiny after removal (Op(18))
    # Catalog codes of the measures (MEA-1); their texts go in the written notice (Art 28).
    measures: tuple[str, ...] = ()
    severity: SeverityLevel = SeverityLevel.GENERAL  # MEA-6, Art 31
    region: str | None = None  # local standards: where they apply
    approval: str | None = None  # local standards: the approval (Op(3))


WINDOW_LIMITS = {
    ListType.RED_LIST: (5, 30),  # Op(8): a public announcement before designation
    ListType.BLACKLIST: (5, 30),  # Art 28: written notice and time to object
    ListType.KEY_SCRUTINY: (0, 0),  # Op(17): a warning, no window
}


def check_draft(d: StandardDraft) -> None:
    """Refuse a standard that cannot be run as a procedure."""
    field_of(d.field)
    if d.list_type is ListType.BIG_DATA_WARNING:
        raise InvalidInput(
            "standard.bad_list_type",
            "the big-data warning list has no standard: it follows key scrutiny (Op(17))",
        )
    for name, value in (("code", d.code), ("title", d.title), ("legal_basis", d.legal_basis)):
        if not value.strip():
            raise InvalidInput("standard.missing_element", f"a standard needs its {name}")
    if not d.procedure.strip():
        raise InvalidInput(
            "standard.missing_element", "a standard is published with its procedure (Op(3))"
        )
    if not 1 <= d.validity_months <= 120:
        raise InvalidInput("standard.bad_validity", "validity is 1 to 120 months (Art 37)")
    low, high = WINDOW_LIMITS[d.list_type]
    if not low <= d.window_days <= high:
        raise InvalidInput(
            "standard.bad_window",
            f"a {d.list_type.value} standard has no objection or announcement window (0)"
            if low == high == 0
            else f"a {d.list_type.value} window is {low} to {high} working days",
        )
    if d.list_type is not ListType.BLACKLIST and d.restoration.restorable:
        raise InvalidInput("standard.bad_restoration", "restoration terms are for blacklists")
    if d.restoration.restorable and not d.restoration.method.strip():
        raise InvalidInput("standard.bad_restoration", "say how credit can be restored (Op(15))")
    if not 0 <= d.restoration.after_months <= 120:
        raise InvalidInput("standard.bad_restoration", "restoration after 0 to 120 months")
    if d.list_type is ListType.BLACKLIST and not 1 <= d.scrutiny_months <= 60:
        raise InvalidInput(
            "standard.bad_scrutiny",
            "a blacklist standard sets the key-scrutiny period after removal (1-60 months, Op(18))",
        )
    if d.scope is Scope.LOCAL and (not d.region or not (d.approval or "").strip()):
        raise InvalidInput(
            "standard.local_needs_approval",
            "a local standard names its region and its approval by the level above (Op(3))",
        )
    if d.scope is Scope.NATIONAL and d.region:
        raise InvalidInput("standard.national_has_no_region", "a national standard has no region")


def _int(raw: Mapping[str, Any], name: str) -> int:
    value = raw.get(name, 0)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInput("standard.bad_number", f"{name} is a whole number")
    try:
        return int(value)
    except ValueError:
        raise InvalidInput("standard.bad_number", f"{name} is a whole number") from None


def draft_from_dict(raw: Mapping[str, Any]) -> StandardDraft:
    """A draft from API / CLI input, every element checked."""
    list_type = parse_enum(ListType, str(raw.get("list_type", "")), "standard.bad_list_type")
    rule_raw = raw.get("rule") or {}
    if not isinstance(rule_raw, Mapping):
        raise InvalidInput("standard.bad_rule", "rule is an object")
    restoration_raw = raw.get("restoration") or {}
    if not isinstance(restoration_raw, Mapping):
        raise InvalidInput("standard.bad_restoration", "restoration is an object")
    measures = raw.get("measures") or []
    if (
        not isinstance(measures, Sequence)
        or isinstance(measures, str)
        or not all(isinstance(m, str) and m.strip() for m in measures)
    ):
        raise InvalidInput("standard.bad_measures", "measures is a list of catalog codes")
    raw_severity = raw.get("severity")
    severity = (
        DEFAULT_SEVERITY[list_type]
        if raw_severity is None
        else parse_enum(SeverityLevel, str(raw_severity), "standard.bad_severity")
    )
    draft = StandardDraft(
        code=str(raw.get("code", "")).strip().upper(),
        field=str(raw.get("field", "")),
        list_type=list_type,
        scope=parse_enum(Scope, str(raw.get("scope", "national")), "standard.bad_scope"),
        title=str(raw.get("title", "")),
        legal_basis=str(raw.get("legal_basis", "")),
        procedure=str(raw.get("procedure", "")),
        rule=rule_from_dict(rule_raw, list_type),
        validity_months=_int(raw, "validity_months"),
        window_days=_int(raw, "window_days"),
        restoration=Restoration(
            restorable=bool(restoration_raw.get("restorable", False)),
            method=str(restoration_raw.get("method", "")),
            after_months=_int(restoration_raw, "after_months"),
        ),
        scrutiny_months=_int(raw, "scrutiny_months"),
        measures=tuple(dict.fromkeys(str(m).strip().upper() for m in measures)),
        severity=severity,
        region=raw.get("region"),
        approval=raw.get("approval"),
    )
    check_draft(draft)
    return draft
