"""A catalog item's template (Art 11) as a whole: its fields checked together, a row
validated against it (what is wrong with each field, who the record is about), and the
record's natural key (ING-3)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from creditreg.domain.errors import InvalidInput, parse_enum
from creditreg.domain.kernel.audit import canonical_json
from creditreg.domain.privacy import DataCategory, check_field_allowed
from creditreg.domain.records.template_fields import (
    ID_TYPE_VALUES,
    FieldSpec,
    FieldType,
    Presence,
    SubjectRole,
    cell_text,
    converter,
    field_from_dict,
)
from creditreg.domain.subjects.identifiers import IdType, SubjectKind, parse_identifier


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
                    or not all(
                        typed.choice_meaning.get(c, c) in ID_TYPE_VALUES for c in typed.choices
                    )
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

    def check_draftable(self) -> None:
        """CAT-1: what a new draft's template must also get right, checked when it is
        drafted (not when a stored template is read: one approved before these checks
        still loads): a subject-kind or identifier-type choice means one the platform
        knows, a condition names a value its choice field offers, one field per role."""
        by_name = {f.name: f for f in self.fields}
        for spec in self.fields:
            self._check_choice_meanings(spec)
            when = by_name.get(spec.when_field or "")
            if (
                spec.presence is Presence.CONDITIONAL
                and when is not None
                and when.type is FieldType.CHOICE
                and spec.when_value not in when.choices
            ):
                raise InvalidInput(
                    "catalog.bad_condition",
                    f"field {spec.name!r} is conditional on {spec.when_field!r} being "
                    f"{spec.when_value!r}, which is not one of its choices",
                )
        given = [f.role for f in self.fields if f.role]
        twice = sorted({r.value for r in given if given.count(r) > 1})
        if twice:
            # SUB-2: a record is matched by one field of each role; a second would be read
            # by nothing.
            raise InvalidInput(
                "catalog.bad_field", f"one field per role: {', '.join(twice)} is given twice"
            )

    @staticmethod
    def _check_choice_meanings(spec: FieldSpec) -> None:
        """A field that says the subject's kind or identifier type maps each of its
        choices to one the platform knows (a row naming another is refused, each time)."""
        if spec.role is SubjectRole.KIND:
            known = {k.value for k in SubjectKind} | {ANY_ORGANIZATION}
        elif spec.role is SubjectRole.ID_TYPE:
            known = set(ID_TYPE_VALUES)
        else:
            return
        strange = sorted({spec.choice_meaning.get(c, c) for c in spec.choices} - known)
        if strange:
            raise InvalidInput(
                "catalog.bad_field",
                f"field {spec.name!r} ({spec.role.value}) means {', '.join(strange)}, not one "
                f"of: {', '.join(sorted(known))}",
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
        # Bulk files give text already: the common case skips cell_text's checks (measured).
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
                value = cell_text(raw)
            if value == "":
                if required or (
                    when_field is not None and cell_text(row.get(when_field)) == when_value
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
    def _ends(self) -> tuple[FieldSpec, ...]:
        """The date fields the template declares ends (the display's, the decision's
        validity): none ends before the decision."""
        return tuple(
            f
            for f in self.fields
            if f.type is FieldType.DATE
            and f.role in (SubjectRole.PUBLISH_UNTIL, SubjectRole.VALID_UNTIL)
        )

    @cached_property
    def _cross_checked(self) -> bool:
        roles = {f.role for f in self.fields}
        return (SubjectRole.DECISION_DATE in roles and bool(self._ends)) or {
            SubjectRole.SEVERITY,
            SubjectRole.SERIOUS_CLASS,
        } <= roles

    def _cross_problems(self, clean: Mapping[str, Any]) -> list[RowProblem]:
        """Values that contradict each other: a display that ends before the decision, a
        serious class (Art 33) given with a severity short of serious (STD-4, DIS-2)."""
        problems: list[RowProblem] = []
        decided = self.by_role(SubjectRole.DECISION_DATE)
        start = clean.get(decided.name) if decided is not None else None
        if decided is not None and start:
            problems.extend(
                RowProblem(
                    until.name, "record.bad_value", f"{until.label}: ends before {decided.label}"
                )
                for until in self._ends
                if clean.get(until.name) and clean[until.name] < start
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


def template_from_json(raw: Sequence[Mapping[str, Any]]) -> Template:
    """A template from its JSON form (a list of field objects)."""
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise InvalidInput("catalog.bad_template", "a template is a list of fields")
    return Template(tuple(field_from_dict(f) for f in raw))
