"""Subjects: credit subjects, their identifiers and responsible persons (SUB-1..4)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from creditreg.api.schemas.common import In, Out
from creditreg.domain.subjects.identifiers import IdType, LinkRole, SubjectKind


class SubjectIn(In):
    """A subject to register under its matching identifier (one subject per identifier)."""

    kind: SubjectKind
    id_type: IdType
    id_number: str = Field(max_length=64)
    name: str = Field(max_length=400)
    lei: str | None = Field(default=None, max_length=64)
    region: str | None = Field(default=None, pattern=r"^[0-9]{6}$")


class IdentifierIn(In):
    """An identifier: its type and number."""

    id_type: IdType
    id_number: str = Field(max_length=64)


class Subject(Out):
    """A credit subject as the caller may see it (Op(11), Op(24): a natural person's document
    number is masked without `personal:read`)."""

    id: int
    kind: SubjectKind
    id_type: IdType
    id_number: str = Field(description="masked when `id_number_masked`")
    id_number_masked: bool
    name: str
    lei: str | None = Field(description="ISO 17442 Legal Entity Identifier, if known")
    region: str | None = Field(description="6-digit administrative division code, if known")


class LinkIn(In):
    """SUB-4: a natural person in a role for an organization, for a period. The person is
    named by `person_id`, by `id_type` and `id_number`, or by both: a number given is
    validated and normalised, and must be the registered person's (422
    `subject.person_mismatch`); a number no subject has is a 404 `subject.not_found`."""

    person_id: int | None = Field(default=None, ge=1)
    id_type: IdType = Field(default=IdType.RIC, description="the type of `id_number`")
    id_number: str | None = Field(
        default=None, max_length=64, description="the person's document number"
    )
    role: LinkRole
    valid_from: date
    valid_to: date | None = None


class Link(Out):
    """SUB-4: a stored link between an organization and a responsible person."""

    id: int
    organization_id: int
    person_id: int
    role: LinkRole
    valid_from: date
    valid_to: date | None = Field(description="null: open-ended")


class LinkedPerson(Out):
    """SUB-4: one of an organization's responsible persons, with the link's period."""

    id: int = Field(description="the link's id")
    role: LinkRole
    valid_from: date
    valid_to: date | None = Field(description="null: open-ended")
    person: Subject


class IdentifierCheck(Out):
    """A valid identifier, normalised (an invalid one is a 422 naming the problem)."""

    id_type: IdType
    id_number: str = Field(description="normalised: upper case, no spaces")
    valid: bool
