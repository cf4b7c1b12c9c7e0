"""A catalog item's template fields (Art 11: data template): their types, presence,
roles and data categories, read from their JSON form and checked, and how a cell's text
becomes a field's value."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from creditreg.domain.errors import InvalidInput, parse_enum
from creditreg.domain.kernel.codes import CONTROL_CHARACTERS, normalise_code, validate_uscc
from creditreg.domain.privacy import DataCategory
from creditreg.domain.subjects.identifiers import IdType


class FieldType(StrEnum):
    STRING = "string"
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    USCC = "uscc"  # a Unified Social Credit Code, checked (GB 32100)


class Presence(StrEnum):
    REQUIRED = "required"
    OPTIONAL = "optional"
    CONDITIONAL = "conditional"  # required when another field has a given value


class SubjectRole(StrEnum):
    """What a field tells about the subject a record is matched to (SUB-2)."""

    NAME = "subject_name"
    KIND = "subject_kind"
    USCC = "subject_uscc"
    ID_TYPE = "subject_id_type"
    ID_NUMBER = "subject_id_number"
    DECISION_DATE = "decision_date"
    # What a record says about its own classification and display (ING-4, STD-4, DIS-2).
    SIMPLIFIED_PROCEDURE = "simplified_procedure"
    CORRECTED_MINOR = "corrected_minor"
    ARREARS_VERIFIED = "arrears_verified"
    SEVERITY = "severity"
    SERIOUS_CLASS = "serious_class"
    PUBLISH_UNTIL = "publish_until"
    # When the decision itself stops having effect (a punishment's validity): like the
    # display's end, it cannot come before the decision.
    VALID_UNTIL = "valid_until"


_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
ID_TYPE_VALUES = frozenset(t.value for t in IdType)
_TRUE = {"true", "1", "yes", "y", "是"}
_FALSE = {"false", "0", "no", "n", "否"}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a data template."""

    name: str
    label: str
    type: FieldType
    presence: Presence = Presence.OPTIONAL
    # For CONDITIONAL: required when field `when_field` equals `when_value`.
    when_field: str | None = None
    when_value: str | None = None
    choices: tuple[str, ...] = ()
    # Map a choice to a subject kind / identifier type (for the KIND / ID_TYPE roles).
    choice_meaning: Mapping[str, str] = field(default_factory=dict)
    max_length: int = 500
    role: SubjectRole | None = None
    category: DataCategory | None = None
    # Issue 9: part of a record's natural key (a decision or document number): a provider's
    # record with the same key values for the same subject is the same record.
    key: bool = False
    # SUB-2: a person's document number (a legal representative's) checked as the type the
    # choice field named here gives (its choice_meaning maps each choice to an IdType).
    id_type_field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "type": self.type.value,
            "presence": self.presence.value,
            "when_field": self.when_field,
            "when_value": self.when_value,
            "choices": list(self.choices),
            "choice_meaning": dict(self.choice_meaning),
            "max_length": self.max_length,
            "role": self.role.value if self.role else None,
            "category": self.category.value if self.category else None,
            "key": self.key,
            "id_type_field": self.id_type_field,
        }


def field_from_dict(raw: Mapping[str, Any]) -> FieldSpec:
    """A FieldSpec from its JSON form, checked."""
    name = str(raw.get("name", ""))
    if not _NAME.fullmatch(name):
        raise InvalidInput(
            "catalog.bad_field", f"field name {name!r}: lower-case letters, digits and _"
        )
    category_raw = raw.get("category")
    role_raw = raw.get("role")
    longest = raw.get("max_length")
    if longest is not None and (
        isinstance(longest, bool) or not isinstance(longest, int) or not 1 <= longest <= MAX_TEXT
    ):
        raise InvalidInput(
            "catalog.bad_field", f"field {name!r}: max_length is 1 to {MAX_TEXT} characters"
        )
    choices = [str(c) for c in raw.get("choices") or ()]
    if len(set(choices)) != len(choices):
        raise InvalidInput("catalog.bad_field", f"field {name!r} lists a choice twice")
    meaning = {str(k): str(v) for k, v in (raw.get("choice_meaning") or {}).items()}
    if not set(meaning) <= set(choices):
        raise InvalidInput(
            "catalog.bad_field", f"field {name!r} gives a meaning to a value it does not offer"
        )
    return FieldSpec(
        name=name,
        label=str(raw.get("label") or name),
        type=parse_enum(FieldType, str(raw.get("type", "")), "catalog.bad_field_type"),
        presence=parse_enum(Presence, str(raw.get("presence", "optional")), "catalog.bad_presence"),
        when_field=raw.get("when_field"),
        when_value=None if raw.get("when_value") is None else str(raw["when_value"]),
        choices=tuple(choices),
        choice_meaning=meaning,
        max_length=longest or 500,
        role=parse_enum(SubjectRole, str(role_raw), "catalog.bad_role") if role_raw else None,
        category=(
            parse_enum(DataCategory, str(category_raw), "catalog.bad_category")
            if category_raw
            else None
        ),
        key=bool(raw.get("key") or False),
        id_type_field=str(raw["id_type_field"]) if raw.get("id_type_field") else None,
    )


MAX_TEXT = 100_000  # the longest a text field's values may be


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def converter(spec: FieldSpec) -> Callable[[str], Any]:
    """The function turning one field's text into its type; ValueError says why not.
    Text is stored as given."""
    if spec.type in (FieldType.STRING, FieldType.TEXT):
        longest = spec.max_length
        code = spec.role in (SubjectRole.USCC, SubjectRole.ID_NUMBER)

        def text(value: str) -> Any:
            if len(value) > longest:
                raise ValueError(f"longer than {longest} characters")
            if CONTROL_CHARACTERS.search(value):
                raise ValueError("holds a control character (NUL, escape ...)")
            return normalise_code(value) if code else value

        return text
    if spec.type is FieldType.USCC:
        return _uscc
    if spec.type is FieldType.INTEGER:
        return _integer
    if spec.type is FieldType.DECIMAL:
        return _decimal
    if spec.type is FieldType.DATE:
        return _date
    if spec.type is FieldType.BOOLEAN:
        return _boolean
    choices = frozenset(spec.choices)
    listed = ", ".join(spec.choices)

    def choice(value: str) -> Any:
        if value not in choices:
            raise ValueError(f"{value!r} is not one of: {listed}")
        return value

    return choice


def _uscc(value: str) -> str:
    try:
        return validate_uscc(value)
    except InvalidInput as exc:
        raise ValueError(exc.message) from None


def _integer(value: str) -> int:
    if not _INTEGER.fullmatch(value):
        raise ValueError(f"{value!r} is not a whole number")
    return int(value)


def _decimal(value: str) -> str:
    # Written plainly in ASCII digits: Decimal alone also reads "1_000", "١٢٣" and "1e3".
    if not _DECIMAL.fullmatch(value):
        raise ValueError(f"{value!r} is not a number written with digits and a point")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    if number < 0:
        raise ValueError(f"{value!r} is negative: an amount is 0 or more")
    # Amounts (fines, arrears) fit a NUMERIC(19, 4): 15 digits before the point, 4 after.
    if abs(number) >= _DECIMAL_LIMIT or number.as_tuple().exponent < -4:  # type: ignore[operator]
        raise ValueError(
            f"{value!r} is out of range: at most 15 digits before the point and 4 after"
        )
    return format(number, "f")


def _date(value: str) -> str:
    try:
        if _DATE.fullmatch(value):  # YYYY-MM-DD: checked, kept as written
            date.fromisoformat(value)
            return value
        if _BASIC_DATE.fullmatch(value):  # YYYYMMDD
            return date.fromisoformat(value).isoformat()
        if _DATE.fullmatch(value[:10]) and value[10:11] in ("T", " "):
            # A time after the date (a spreadsheet's cell) must be a time too.
            return datetime.fromisoformat(value).date().isoformat()
    except ValueError:
        pass
    raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)")


def _boolean(value: str) -> bool:
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"{value!r} is not yes/no")


_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
_DECIMAL = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_BASIC_DATE = re.compile(r"[0-9]{8}")
_DECIMAL_LIMIT = Decimal(10) ** 15
