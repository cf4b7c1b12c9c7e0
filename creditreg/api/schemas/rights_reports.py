"""Self-inquiry and credit reports (issue 10, parts 2 and 9; RIG-1..3, SEC-2, Art 40)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field

from creditreg.api.schemas.common import In, Out, Timestamp
from creditreg.api.schemas.records import FieldValue
from creditreg.domain.access.query_register import Purpose
from creditreg.domain.rights.reports import ReportKind


class SubjectShown(Out):
    id: int
    kind: str
    name: str
    id_type: str
    id_number: str = Field(description="in full: the subject's own identifier")
    lei: str | None
    region: str | None


class Source(Out):
    """Where a record came from (Art 40)."""

    providing_unit_id: int
    providing_unit: str
    catalog_code: str
    catalog_version: int
    catalog_name: str
    field: str = Field(description="the catalog item's field (creditreg.domain.fields)")
    field_zh: str
    batch_id: int | None


class Change(Out):
    """A change of a record as the audit log holds it, with its reason."""

    at: str
    action: str
    by: str
    reason: str | None


class RecordShown(Out):
    id: int
    status: str
    character: str
    self_declared: bool
    data: dict[str, FieldValue] = Field(
        description="the record's fields, as stored; in a credit report, which is handed to "
        "third parties, a person's document numbers are masked (DIS-3, Op(11))"
    )
    labels: dict[str, str] | None = Field(
        None,
        description="in a credit report: each field's label from its catalog template, by "
        "field name (absent from the self-inquiry)",
    )
    source: Source
    received_at: str | None
    verified_at: str | None
    display_until: str | None
    archived_at: str | None
    archive_reason: str | None
    withdrawn_at: str | None
    withdraw_reason: str | None
    returned_reasons: list[str] | None
    changes: list[Change]


class RecordsByDisclosure(Out):
    """The subject's records by disclosure mode (Art 18)."""

    public_display: list[RecordShown]
    government_sharing: list[RecordShown]
    authorized_inquiry: list[RecordShown]


class EntryStep(Out):
    action: str
    from_: str | None = Field(alias="from")
    to: str
    on: str
    reason: str


class EntryShown(Out):
    id: int
    list_type: str
    field: str
    field_zh: str
    status: str
    designating_unit_id: int | None
    designating_unit: str | None
    facts: str
    basis: str
    preliminary_on: str | None
    designated_on: str | None
    valid_until: str | None
    removed_on: str | None
    removal_reason: str | None
    history: list[EntryStep]


class OpenObjection(Out):
    id: int
    object_type: str = Field(description="`record` or `list_entry`")
    object_id: int
    received_on: str
    status: str = Field(
        description="the objection's status while open; `under_reconsideration` once decided "
        "while the provincial department reconsiders its outcome (OBJ-3)"
    )
    due_date: str | None = Field(
        default=None, description="the day it is to be decided by (Art 41), while open"
    )
    grounds: str


class ConsentShown(Out):
    id: int
    unit_id: int
    unit: str
    categories: list[str]
    purpose: str
    written: bool
    granted_on: str
    revoked_at: str | None


class QueryShown(Out):
    """A read of the subject's information by a unit (SEC-2)."""

    at: str
    unit_id: int | None
    unit: str | None
    actor: str
    purpose: Purpose
    purpose_zh: str
    note: str | None
    what: str


class AuthorizationUseShown(Out):
    unit_id: int
    actor: str
    used_at: str


class AuthorizationShown(Out):
    """A written authorization for an authorized inquiry, with every use (DIS-6)."""

    id: int
    unit_id: int
    unit: str
    purpose: str
    valid_from: str
    valid_until: str
    status: str
    revoked_at: str | None
    uses: list[AuthorizationUseShown]


class SelfInquiry(Out):
    """RIG-1, RIG-3: everything the platform holds about the subject, with sources,
    changes and reasons, and who read it in the last two years."""

    as_of: Timestamp
    subject: SubjectShown
    records: RecordsByDisclosure
    list_entries: list[EntryShown]
    open_objections: list[OpenObjection]
    consents: list[ConsentShown]
    authorizations: list[AuthorizationShown] = Field(
        description="the written authorizations the subject gave (DIS-6), with every use"
    )
    queries: list[QueryShown]


class ReportHead(Out):
    """What every report's content starts with."""

    number: str
    title_zh: str
    issued_at: str
    issuer: str
    key_id: str
    free: bool
    fee_fen: int
    subject: SubjectShown


class FullContent(ReportHead):
    """A full report: what self-inquiry shows, at the moment of issue (RIG-2)."""

    kind: Literal["full"]
    records: RecordsByDisclosure
    list_entries: list[EntryShown]
    open_objections: list[OpenObjection]
    consents: list[ConsentShown]
    authorizations: list[AuthorizationShown]
    queries: list[QueryShown]


class EntrySource(Out):
    designating_unit_id: int | None
    designating_unit: str | None


class Finding(Out):
    """An untrustworthy record or list entry in the field and period, with its source."""

    type: Literal["record", "list_entry"]
    id: int
    on: str
    status: str
    list_type: str | None
    source: Source | EntrySource


class FieldFinding(Out):
    field: str
    label: str
    label_zh: str
    untrustworthy: bool
    finding_zh: str
    items: list[Finding]


class ReportPeriod(Out):
    from_: str = Field(alias="from")
    to: str


class SpecialisedContent(ReportHead):
    """A specialised report: field by field over the period, whether the platform holds an
    untrustworthy record or list entry of the subject."""

    kind: Literal["specialised"]
    period: ReportPeriod
    fields: list[FieldFinding]


class ReportIn(In):
    """A credit report for the subject (Art 40: two free ones a year, per kind)."""

    kind: ReportKind = Field(default=ReportKind.FULL, description="`full` or `specialised`")
    period_from: date | None = Field(
        default=None, description="specialised: the period's first day (default: 3 years back)"
    )
    period_to: date | None = Field(
        default=None, description="specialised: the period's last day (default: today)"
    )
    accept_fee: bool = Field(
        default=False,
        description="needed once the year's free reports of this kind are used: the report "
        "is then recorded as not free, at the configured fee",
    )


class Report(Out):
    """An issued report: its content (exactly what was signed, as canonical JSON), its
    SHA-256 digest and its Ed25519 signature (base64) under the key `key_id`."""

    number: str
    kind: ReportKind
    subject_id: int
    free: bool
    fee_fen: int
    digest: str
    signature: str
    key_id: str
    content: FullContent | SpecialisedContent = Field(
        description="exactly what was signed: its canonical JSON (sorted keys, no spaces, "
        "UTF-8) is the signed message, and its SHA-256 the digest",
        discriminator="kind",
    )


class ReportListed(Out):
    number: str
    kind: ReportKind
    year: int
    free: bool
    fee_fen: int
    digest: str
    issued_at: Timestamp


class VerifyIn(In):
    """Either the number and digest printed on a report, or the report's content (with,
    optionally, the signature presented with it)."""

    number: str | None = Field(default=None, max_length=40)
    digest: str | None = Field(default=None, max_length=64)
    content: dict[str, Any] | None = Field(default=None, description="the report's content")
    signature: str | None = Field(default=None, max_length=200, description="base64")


class Verification(Out):
    genuine: bool
    number: str
    digest: str
    kind: str
    issued_at: str
    key_id: str
    subject_name: str


class PublicKey(Out):
    key_id: str
    algorithm: str = "Ed25519"
    public_key_pem: str
    signed: str = Field(
        default="the canonical JSON of a report's content (sorted keys, no spaces, UTF-8)"
    )
