"""The check's request and answer (MEA-3, MEA-7, SUB-4, SEC-2)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field, JsonValue

from creditreg.api.schemas.common import In, Out
from creditreg.api.schemas.records import FieldValue
from creditreg.api.schemas.rights_reports import Source
from creditreg.domain.measures.check import BATCH_MAX, LEI, NOTE_MAX, CheckPurpose
from creditreg.domain.subjects.identifiers import IdType

PURPOSE_VALUES = [p.value for p in CheckPurpose]
PURPOSES = ", ".join(PURPOSE_VALUES)
ID_TYPE_VALUES = [t.value for t in IdType] + [LEI]
ID_TYPES = ", ".join(ID_TYPE_VALUES)


class IdentifierIn(In):
    """A subject's identifier, normalised as everywhere (spaces and case do not matter)."""

    # The choices are documented as an enum; the domain refuses others with its own code
    # (`subject.unknown_id_type`), as everywhere identifiers are read.
    id_type: str = Field(
        max_length=40,
        description=f"one of: {ID_TYPES} (any case)",
        json_schema_extra={"enum": list[JsonValue](ID_TYPE_VALUES)},
    )
    id_number: str = Field(max_length=60)


class CheckIn(IdentifierIn):
    """MEA-3, Op(12): one subject, checked inside the caller's own workflow."""

    purpose: str = Field(
        max_length=40,
        description=f"one of: {PURPOSES}",
        json_schema_extra={"enum": list[JsonValue](PURPOSE_VALUES)},
    )
    note: str | None = Field(
        default=None,
        max_length=NOTE_MAX,
        description="what for, required with purpose `other` (one line)",
    )


class CheckBatchIn(In):
    """MEA-3: a procurement screening of 1 to 1,000 distinct identifiers."""

    purpose: str = Field(
        max_length=40,
        description=f"one of: {PURPOSES}",
        json_schema_extra={"enum": list[JsonValue](PURPOSE_VALUES)},
    )
    note: str | None = Field(default=None, max_length=NOTE_MAX, description="one line")
    identifiers: list[IdentifierIn] = Field(
        max_length=BATCH_MAX,
        description=f"at most {BATCH_MAX} (more: `check.batch_too_large`), none twice (after "
        "normalisation)",
    )


class CheckedSubject(Out):
    id: int
    kind: str
    name: str
    id_type: str
    id_number: str = Field(description="the identifier as the caller gave it, normalised")


class ResponsiblePerson(Out):
    """A person an organization's entry names (its legal representative, a principal)."""

    role: str
    name: str
    id_type: str | None
    id_number: str | None = Field(description="masked (Op(11))")


class EntryInForce(Out):
    """A list entry in force on the day of the check, with its grounds (LST-7)."""

    id: int
    list_type: Literal["red_list", "blacklist", "key_scrutiny", "big_data_warning"]
    field: str
    severity: str
    standard_code: str | None
    designating_unit_id: int | None
    designating_unit: str | None
    grounds: str = Field(description="the facts it rests on (personal numbers masked)")
    basis: str
    designated_on: date
    valid_until: date | None
    under_objection: bool = Field(description="an objection to it is open (OBJ-1)")
    suspended: bool = Field(
        description="suspended by the objection until it is decided: no measure is due "
        "because of it meanwhile"
    )
    responsible_persons: list[ResponsiblePerson] = Field(
        description="SUB-4, Art 35: the persons an organization's entry names, whom its "
        "measures may reach too (their numbers masked; check one by its number)"
    )


class LinkedSubject(Out):
    """Art 35, SUB-4: a linked person's entries (for an organization), or a blacklisted
    organization the person answers for (for a natural person)."""

    subject_id: int
    role: str
    kind: str
    name: str
    id_type: str
    id_number: str = Field(description="masked for a natural person")
    entries: list[EntryInForce]


class DisciplineRecord(Out):
    """Art 32: a verified untrustworthy record usable for joint discipline (ING-4)."""

    id: int
    catalog: str
    catalog_name: str
    field: str
    untrustworthy_class: str | None
    serious_class: str | None
    decision_date: date | None
    display_until: date | None
    under_objection: bool


class MeasureDue(Out):
    """A measure the caller's unit must apply (or, in `green_channel`, may facilitate),
    with its basis, the memorandum that obliges it and what triggers it."""

    code: str
    kind: Literal["incentive", "punishment"]
    content: str
    legal_basis: str
    memorandum_code: str
    memorandum_version: int
    trigger: str
    field: str
    entry_id: int | None
    record_id: int | None
    via_link: bool = Field(description="triggered by a linked organization's entry (Art 35)")


class CheckAnswer(Out):
    """The whole answer: registered (SEC-2) before it was sent; never cached."""

    check_id: int | None = Field(description="the query register's row for this answer")
    found: bool = Field(description="the identifier names a subject the platform knows")
    clean: bool = Field(description="nothing in force: no entry, linked entry or record")
    as_of: datetime
    day: date
    subject: CheckedSubject | None
    entries: list[EntryInForce]
    linked: list[LinkedSubject]
    records: list[DisciplineRecord]
    measures: list[MeasureDue]
    green_channel: list[MeasureDue] = Field(description="MEA-7, Op(13): facilitation")
    answer_digest: str = Field(description="SHA-256 of the answer, kept in the register")


class CheckBatchAnswer(Out):
    purpose: str
    count: int
    in_force: int = Field(description="how many identifiers have something in force")
    answers: list[CheckAnswer]


class SharedRecordsIn(IdentifierIn):
    """DIS-1: the subject's records by disclosure mode, for the implementing unit's duties."""

    mode: str = Field(
        max_length=40,
        description="public_display, or government_sharing (shared with state organs for "
        "their duties; includes the public ones). Authorized-inquiry records: "
        "`POST /api/v1/subjects/{id}/authorized-inquiry`, with the subject's authorization",
        json_schema_extra={"enum": list[JsonValue](["public_display", "government_sharing"])},
    )
    purpose: str = Field(
        max_length=40,
        description=f"one of: {PURPOSES}",
        json_schema_extra={"enum": list[JsonValue](PURPOSE_VALUES)},
    )
    note: str | None = Field(default=None, max_length=NOTE_MAX, description="one line")


class SharedRecord(Out):
    id: int
    disclosure: str
    status: str
    character: str
    data: dict[str, FieldValue] = Field(description="the record's fields, as stored")
    source: Source = Field(description="providing unit, catalog item and version")
    decision_date: str | None
    verified_at: str | None
    display_until: str | None


class SharedRecords(Out):
    """The records shown, registered (SEC-2) before they were sent."""

    check_id: int = Field(description="the query register's row for this read")
    subject_id: int
    mode: str
    as_of: datetime
    records: list[SharedRecord]
    answer_digest: str
