"""Credit-information catalogs and their data templates (CAT-1..4; Art 11, 12, 14).

A catalog item is versioned: records are always validated against, and keep pointing
to, the version they were received under, so a new version never changes them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cached_property
from typing import Any

from creditreg.domain.errors import InvalidInput, parse_enum
from creditreg.domain.fields import FIELDS, OTHER_FIELD
from creditreg.domain.kernel.audit import canonical_json
from creditreg.domain.kernel.codes import CONTROL_CHARACTERS, normalise_code, validate_uscc
from creditreg.domain.kernel.lifecycle import Lifecycle
from creditreg.domain.privacy import DataCategory, check_field_allowed
from creditreg.domain.records.declarations import DeclarationKind
from creditreg.domain.subjects.identifiers import IdType, SubjectKind, parse_identifier


class ContentClass(StrEnum):
    """Art 12 (1)-(7): the catalog's top-level classes (CAT-3)."""

    REGISTRATION = "registration"  # (1) basic registration information
    ADMINISTRATIVE_ACTS = "administrative_acts"  # (2) permits, punishments, compulsion ...
    PUBLIC_FUNCTIONS = "public_functions"  # (3) organizations with public-affairs duties
    COMMENDATIONS = "commendations"  # (4) commendations, rewards, volunteer service
    CRIMINAL_JUDGMENTS = "criminal_judgments"  # (5) crimes held established by judgment
    REFUSAL_TO_PERFORM = "refusal_to_perform"  # (6) refusing effective legal documents
    OTHER = "other"  # (7) other information laws or regulations require


class Character(StrEnum):
    """Art 11: information character."""

    TRUSTWORTHY = "trustworthy"
    UNTRUSTWORTHY = "untrustworthy"
    NEUTRAL = "neutral"


class Disclosure(StrEnum):
    """Art 18: sharing property / disclosure mode (DIS-1)."""

    PUBLIC_DISPLAY = "public_display"
    GOVERNMENT_SHARING = "government_sharing"
    AUTHORIZED_INQUIRY = "authorized_inquiry"


class InfoKind(StrEnum):
    """Art 10: public credit information (state organs) or market credit information."""

    PUBLIC = "public_credit_info"
    MARKET = "market_credit_info"


class ItemStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    RETIRED = "retired"


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


_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
_ID_TYPES = frozenset(t.value for t in IdType)
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


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why a row (or one of its fields) was rejected."""

    field: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class SubjectRef:
    """Who a record is about, as its fields say."""

    kind: SubjectKind
    id_type: IdType
    id_number: str
    name: str
    # The row said "an organization" (法人及非法人组织): a legal person or an
    # unincorporated organization, whichever the subject is registered as.
    any_organization: bool = False

    def matches(self, stored_kind: str) -> bool:
        """Whether a subject registered as `stored_kind` is the one the row means."""
        if self.any_organization:
            return stored_kind in ORGANIZATION_KINDS
        return stored_kind == self.kind.value


# A choice meaning "a legal person or an unincorporated organization" (Art 3): one field
# value for both, as the national templates' "法人及非法人组织" has it.
ANY_ORGANIZATION = "organization"
ORGANIZATION_KINDS = frozenset(
    {SubjectKind.LEGAL_PERSON.value, SubjectKind.UNINCORPORATED_ORG.value}
)


def natural_key(
    providing_unit_id: int, code: str, id_type: str, id_number: str, values: Sequence[Any]
) -> str:
    """A record's natural key (ING-3, issue 9): providing unit, catalog item code (any
    version), subject identifier and key field values, as a 128-bit digest. Unique among
    live records, so that a resent, reordered or reformatted file stores nothing twice."""
    parts = [providing_unit_id, code, id_type, id_number, *values]
    return hashlib.blake2b(canonical_json(parts), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Template:
    """The typed fields of a catalog item's version (Art 11: data template)."""

    fields: tuple[FieldSpec, ...]

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields]
        if not names:
            raise InvalidInput("catalog.empty_template", "a data template needs fields")
        if len(set(names)) != len(names):
            raise InvalidInput("catalog.duplicate_field", "field names must be unique")
        labels = [f.label for f in self.fields]
        if len(set(labels)) != len(labels):
            # A file's header may name a field by its label: two alike name neither.
            raise InvalidInput("catalog.duplicate_field", "field labels must be unique")
        by_name = {f.name: f for f in self.fields}
        for spec in self.fields:
            check_field_allowed(spec.name, spec.label, spec.category)
            if spec.presence is Presence.CONDITIONAL and spec.when_field not in names:
                raise InvalidInput(
                    "catalog.bad_condition",
                    f"field {spec.name!r} is conditional on a field the template lacks",
                )
            if spec.presence is Presence.CONDITIONAL and spec.when_field == spec.name:
                raise InvalidInput(
                    "catalog.bad_condition", f"field {spec.name!r} is conditional on itself"
                )
            if spec.id_type_field is not None:
                typed = by_name.get(spec.id_type_field)
                if (
                    typed is None
                    or typed.type is not FieldType.CHOICE
                    or not all(typed.choice_meaning.get(c, c) in _ID_TYPES for c in typed.choices)
                ):
                    raise InvalidInput(
                        "catalog.bad_field",
                        f"field {spec.name!r} is checked as the document type of a choice "
                        "field whose every choice means an identifier type (id_type_field)",
                    )
            if spec.type is FieldType.CHOICE and not spec.choices:
                raise InvalidInput(
                    "catalog.bad_field", f"choice field {spec.name!r} has no choices"
                )
        roles = {f.role for f in self.fields if f.role}
        if SubjectRole.NAME not in roles or not roles & {SubjectRole.USCC, SubjectRole.ID_NUMBER}:
            raise InvalidInput(
                "catalog.no_subject_fields",
                "a template names its subject: a subject_name field and a subject_uscc or "
                "subject_id_number field (Art 16)",
            )

    @cached_property
    def key_fields(self) -> tuple[str, ...]:
        """Issue 9, ING-3: the fields that identify a record of this template besides its
        subject: those the template marks `key` (a decision or document number), or, where
        it marks none, every field (an exact repeat is the same record)."""
        marked = tuple(f.name for f in self.fields if f.key)
        return marked or self.names

    def natural_key(
        self,
        providing_unit_id: int,
        code: str,
        id_type: str,
        id_number: str,
        clean: Mapping[str, Any],
    ) -> str:
        """This template's record's natural key (see `natural_key`)."""
        return natural_key(
            providing_unit_id, code, id_type, id_number, [clean.get(n) for n in self.key_fields]
        )

    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @cached_property
    def name_set(self) -> frozenset[str]:
        return frozenset(self.names)

    def consent_categories(self) -> frozenset[DataCategory]:
        """PRI-2: categories of this template that need the subject's written consent."""
        return frozenset(f.category for f in self.fields if f.category is not None)

    @cached_property
    def role_fields(self) -> dict[SubjectRole, FieldSpec]:
        """Each role's field (the first, if a template gave one role twice)."""
        roles: dict[SubjectRole, FieldSpec] = {}
        for f in self.fields:
            if f.role is not None:
                roles.setdefault(f.role, f)
        return roles

    def by_role(self, role: SubjectRole) -> FieldSpec | None:
        return self.role_fields.get(role)

    @cached_property
    def _plan(
        self,
    ) -> tuple[tuple[str, FieldSpec, bool, str | None, str | None, Callable[[str], Any]], ...]:
        """Per field: its name, the spec, whether it is always required, its condition, and
        its converter (chosen once per template, not per value: measured on bulk files)."""
        return tuple(
            (
                spec.name,
                spec,
                spec.presence is Presence.REQUIRED,
                spec.when_field if spec.presence is Presence.CONDITIONAL else None,
                spec.when_value,
                converter(spec),
            )
            for spec in self.fields
        )

    def validate(self, row: Mapping[str, Any]) -> tuple[dict[str, Any], list[RowProblem]]:
        """Check and convert one row; returns the clean values and every problem found."""
        problems: list[RowProblem] = []
        clean: dict[str, Any] = {}
        if not row.keys() <= self.name_set:
            for name in row:
                if name not in self.name_set:
                    problems.append(
                        RowProblem(name, "record.unknown_field", f"{name!r} is not in the template")
                    )
        # Bulk files give text already: the common case skips _text's checks (measured).
        get = row.get
        for name, spec, required, when_field, when_value, convert in self._plan:
            raw = get(name)
            if type(raw) is str:
                value = raw.strip()
            elif isinstance(raw, list | tuple | dict):
                why = "one value, not a list or an object"
                problems.append(RowProblem(name, "record.bad_value", f"{spec.label}: {why}"))
                clean[name] = None
                continue
            else:
                value = _text(raw)
            if value == "":
                if required or (
                    when_field is not None and _text(row.get(when_field)) == when_value
                ):
                    code = "record.missing_field" if required else "record.conditional_missing"
                    why = (
                        "is required"
                        if required
                        else f"is required when {when_field} is {when_value!r}"
                    )
                    problems.append(RowProblem(name, code, f"{spec.label} {why}"))
                clean[name] = None
                continue
            try:
                clean[name] = convert(value)
            except ValueError as exc:
                problems.append(RowProblem(name, "record.bad_value", f"{spec.label}: {exc}"))
        if self._cross_checked:
            problems.extend(self._cross_problems(clean))
        for spec in self._typed_numbers:
            number, kind = clean.get(spec.name), clean.get(str(spec.id_type_field))
            if number is None or kind is None:
                continue
            typed = self.by_name[str(spec.id_type_field)]
            try:
                clean[spec.name] = parse_identifier(
                    IdType(typed.choice_meaning.get(kind, kind)), str(number)
                ).number
            except InvalidInput as exc:
                problems.append(RowProblem(spec.name, "record.bad_value", f"{spec.label}: {exc}"))
        return clean, problems

    @cached_property
    def _cross_checked(self) -> bool:
        roles = {f.role for f in self.fields}
        return {SubjectRole.DECISION_DATE, SubjectRole.PUBLISH_UNTIL} <= roles or {
            SubjectRole.SEVERITY,
            SubjectRole.SERIOUS_CLASS,
        } <= roles

    def _cross_problems(self, clean: Mapping[str, Any]) -> list[RowProblem]:
        """Values that contradict each other: a display that ends before the decision, a
        serious class (Art 33) given with a severity short of serious (STD-4, DIS-2)."""
        problems: list[RowProblem] = []
        decided, until = (
            self.by_role(SubjectRole.DECISION_DATE),
            self.by_role(SubjectRole.PUBLISH_UNTIL),
        )
        if (
            decided
            and until
            and clean.get(decided.name)
            and clean.get(until.name)
            and clean[until.name] < clean[decided.name]
        ):
            problems.append(
                RowProblem(
                    until.name,
                    "record.bad_value",
                    f"{until.label}: ends before {decided.label}",
                )
            )
        severity, serious = (
            self.by_role(SubjectRole.SEVERITY),
            self.by_role(SubjectRole.SERIOUS_CLASS),
        )
        if severity and serious and clean.get(severity.name) and clean.get(serious.name):
            level = severity.choice_meaning.get(clean[severity.name], clean[severity.name])
            if level != "serious":
                problems.append(
                    RowProblem(
                        serious.name,
                        "record.bad_value",
                        f"{serious.label}: a serious class (Art 33) is serious conduct, "
                        f"not {level}",
                    )
                )
        return problems

    @cached_property
    def _typed_numbers(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.id_type_field is not None)

    @cached_property
    def by_name(self) -> dict[str, FieldSpec]:
        return {f.name: f for f in self.fields}

    def subject_of(self, clean: Mapping[str, Any]) -> SubjectRef:
        """The subject a valid row is about (SUB-2), from the fields' roles."""
        name_spec = self.by_role(SubjectRole.NAME)
        kind_spec = self.by_role(SubjectRole.KIND)
        uscc_spec = self.by_role(SubjectRole.USCC)
        type_spec = self.by_role(SubjectRole.ID_TYPE)
        number_spec = self.by_role(SubjectRole.ID_NUMBER)
        assert name_spec is not None
        kind = SubjectKind.LEGAL_PERSON
        any_organization = False
        if kind_spec is not None and clean.get(kind_spec.name) is not None:
            meaning = kind_spec.choice_meaning.get(clean[kind_spec.name], clean[kind_spec.name])
            # A new subject named only as "an organization" is registered a legal person.
            any_organization = meaning == ANY_ORGANIZATION
            if not any_organization:
                kind = parse_enum(SubjectKind, meaning, "subject.unknown_kind")
        if kind is SubjectKind.NATURAL_PERSON:
            if number_spec is None or clean.get(number_spec.name) is None:
                raise InvalidInput(
                    "subject.no_identifier", "a natural person needs a document number"
                )
            id_type = IdType.RIC
            if type_spec is not None and clean.get(type_spec.name) is not None:
                meaning = type_spec.choice_meaning.get(clean[type_spec.name], clean[type_spec.name])
                id_type = parse_enum(IdType, meaning, "subject.unknown_id_type")
            number = clean[number_spec.name]
        else:
            if uscc_spec is None or clean.get(uscc_spec.name) is None:
                raise InvalidInput(
                    "subject.no_identifier", "an organization needs its USCC (Art 16)"
                )
            id_type, number = IdType.USCC, clean[uscc_spec.name]
        return SubjectRef(kind, id_type, str(number), str(clean[name_spec.name]), any_organization)


def _text(value: Any) -> str:
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


@dataclass(frozen=True)
class ItemDraft:
    """What a catalog item version says (Art 11 elements)."""

    code: str
    name: str
    content_class: ContentClass
    info_kind: InfoKind
    subject_kinds: tuple[SubjectKind, ...]
    character: Character
    disclosure: Disclosure
    scope: str
    information_items: str
    template: Template
    reduces_rights: bool = False
    untrustworthy_class: str | None = None  # Art 20 class of this item's records
    serious_class: str | None = None  # Art 33 class, where the whole item is serious
    fee_arrears: bool = False  # Art 27: public-utility or property-fee arrears
    # ING-6, Art 15: an item meant for subjects' own declarations says which kind it takes;
    # None: only its providing unit (or the platform for it) submits records against it.
    declaration_kind: DeclarationKind | None = None
    # Op(3): the field (sector) the item's records belong to, for specialised reports and
    # the measures; None in a draft: its providing unit's first field.
    field: str | None = None

    @property
    def for_self_declaration(self) -> bool:
        """ING-6: subjects declare their own information against this item."""
        return self.declaration_kind is not None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z0-9][A-Z0-9_.-]{1,39}", self.code):
            raise InvalidInput(
                "catalog.bad_code",
                f"a data code is 2-40 upper-case letters, digits, _ . -: {self.code!r}",
            )
        if not self.subject_kinds:
            raise InvalidInput(
                "catalog.no_subject_kind", "an item covers at least one subject kind"
            )
        if self.field is not None and self.field not in FIELDS and self.field != OTHER_FIELD.code:
            raise InvalidInput(
                "catalog.unknown_field",
                f"{self.field!r} is not a field of the taxonomy: {', '.join(FIELDS)} or other",
            )


def check_approvable(
    draft: ItemDraft,
    *,
    expert_assessment: str | None,
    comment_start: date | None,
    comment_end: date | None,
    today: date,
) -> None:
    """CAT-2, Art 11: an item that reduces rights or adds obligations needs a recorded expert
    assessment and a public-comment period that has ended before it is approved."""
    if not draft.reduces_rights:
        return
    if not (expert_assessment or "").strip():
        raise InvalidInput(
            "catalog.needs_expert_assessment",
            "this item reduces subjects' rights or adds obligations: record the expert "
            "assessment first (Art 11)",
        )
    if comment_start is None or comment_end is None or comment_end < comment_start:
        raise InvalidInput(
            "catalog.needs_public_comment",
            "this item reduces subjects' rights or adds obligations: record the public-comment "
            "period first (Art 11)",
        )
    if comment_end >= today:
        raise InvalidInput(
            "catalog.comment_period_open",
            f"the public-comment period runs until {comment_end.isoformat()}; approve after it",
        )


def template_from_json(raw: Sequence[Mapping[str, Any]]) -> Template:
    """A template from its JSON form (a list of field objects)."""
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise InvalidInput("catalog.bad_template", "a template is a list of fields")
    return Template(tuple(field_from_dict(f) for f in raw))


# CAT-2, Art 11: a draft is approved (after any assessment and comment period it needs);
# a newer approved version retires the older one for new records.
CATALOG_ITEM = Lifecycle(
    "catalog_item",
    {
        (ItemStatus.DRAFT.value, "approve"): ItemStatus.APPROVED.value,
        (ItemStatus.APPROVED.value, "retire"): ItemStatus.RETIRED.value,
    },
    concept="catalog",  # its codes are catalog.*, as catalog.not_draft
)
