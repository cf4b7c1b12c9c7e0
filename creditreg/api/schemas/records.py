"""Records: the catalog (CAT-1..4), submission (ING-1..3, ING-6), verification (ING-2),
the record lifecycle (ING-5, ING-7, RST-6), the inbox, domain events and consents (PRI-1)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from creditreg.api.schemas.common import In, JsonValue, Out, Timestamp
from creditreg.domain.privacy import DataCategory
from creditreg.domain.records.catalog import (
    Character,
    ContentClass,
    Disclosure,
    InfoKind,
    ItemStatus,
)
from creditreg.domain.records.classification import SeriousClass, Severity, UntrustworthyClass
from creditreg.domain.records.declarations import DeclarationKind, PledgeAction, PledgeStatus
from creditreg.domain.records.template_fields import FieldType, Presence, SubjectRole
from creditreg.domain.subjects.identifiers import SubjectKind

# --- catalog -------------------------------------------------------------------------------


class TemplateField(Out):
    """One field of a data template (Art 11): its type, presence and meaning."""

    name: str = Field(description="machine name: lower-case letters, digits and _")
    label: str = Field(description="the label a CSV header may use instead of the name")
    type: FieldType
    presence: Presence
    when_field: str | None = Field(description="conditional: required when this field …")
    when_value: str | None = Field(description="… has this value")
    choices: list[str] = Field(description="the allowed values of a choice field")
    choice_meaning: dict[str, str] = Field(
        description="choice -> the subject kind or identifier type it stands for (keys are "
        "the field's choices)"
    )
    max_length: int
    role: SubjectRole | None = Field(description="what the field says about the subject, if any")
    category: DataCategory | None = Field(
        description="Art 45, 46: a personal-data category needing consent, if any"
    )
    key: bool = Field(
        description="part of a record's natural key (ING-3): a decision or document number"
    )
    id_type_field: str | None = Field(
        default=None,
        description="SUB-2: a person's document number, checked as the identifier type the "
        "choice field named here gives (a legal representative's ID)",
    )


class CatalogItem(Out):
    """A catalog item version with every Art 11 element and its data template."""

    id: int = Field(description="this version's id")
    code: str = Field(description="e.g. `XZCF`")
    version: int
    status: ItemStatus
    name: str
    content_class: ContentClass = Field(description="its Art 12 class")
    info_kind: InfoKind
    providing_unit_id: int
    subject_kinds: list[SubjectKind]
    character: Character
    disclosure: Disclosure
    scope: str
    information_items: str
    reduces_rights: bool = Field(description="needs an expert assessment and public comment")
    untrustworthy_class: UntrustworthyClass | None = Field(description="Art 20 class, if any")
    serious_class: SeriousClass | None = Field(description="Art 33 serious class, if any")
    fee_arrears: bool = Field(description="Art 27: unverified fee arrears never ground discipline")
    for_self_declaration: bool = Field(
        description="ING-6, Art 15: subjects declare their own information against it"
    )
    declaration_kind: DeclarationKind | None = Field(
        description="what subjects declare against it (null: not meant for subjects)"
    )
    field: str = Field(description="the field (sector) its records belong to (Op(3))")
    expert_assessment: str | None
    comment_start: date | None = Field(description="public-comment period (Art 11)")
    comment_end: date | None
    updated_on: date
    template: list[TemplateField]


class TemplateFieldIn(In):
    """One field of a data template to draft."""

    name: str
    label: str | None = None
    type: str = Field(description="string, text, integer, decimal, date, boolean, choice, uscc")
    presence: str = Field(default="optional", description="required, optional or conditional")
    when_field: str | None = None
    when_value: str | None = None
    choices: list[str] | None = None
    choice_meaning: dict[str, str] | None = None
    max_length: int | None = None
    role: str | None = Field(default=None, description="what the field says about the subject")
    category: str | None = Field(default=None, description="a personal-data category (Art 45)")
    key: bool = Field(
        default=False,
        description="ING-3: part of a record's natural key (a decision or document number). "
        "A provider's live record with the same subject and key values is the same record: "
        "sent again, it is reported as a duplicate and skipped. Without key fields, the "
        "whole row is the key.",
    )
    id_type_field: str | None = Field(
        default=None,
        description="SUB-2: check this field's value as a document number of the type the "
        "named choice field gives (each of its choices means an identifier type through "
        "choice_meaning or itself)",
    )


class ItemDraftIn(In):
    """Every Art 11 element of a catalog item; enumerations are checked by the platform,
    which names the accepted values when one is wrong."""

    code: str
    name: str
    content_class: str = Field(description="the Art 12 class")
    info_kind: str = Field(default="public_credit_info", description="public_credit_info or market")
    subject_kinds: list[str]
    character: str
    disclosure: str
    scope: str = ""
    information_items: str = ""
    template: list[TemplateFieldIn]
    reduces_rights: bool = False
    untrustworthy_class: str | None = None
    serious_class: str | None = None
    fee_arrears: bool = False
    declaration_kind: str | None = Field(
        default=None,
        description="ING-6: meant for subjects' own declarations, of this kind: declaration, "
        "voluntary_registration or credit_pledge (null: only its providing unit submits)",
    )
    field: str | None = Field(
        default=None,
        description="the field (sector) of the taxonomy its records belong to, one its "
        "providing unit works in (null: the unit's first field)",
    )


class ItemIn(In):
    """A new catalog item, or a new version of one, for a providing unit."""

    providing_unit_id: int
    item: ItemDraftIn


class AssessmentIn(In):
    """CAT-2: the expert assessment and the public-comment period."""

    expert_assessment: str = Field(min_length=1, max_length=20_000)
    comment_start: date
    comment_end: date


# --- submission ----------------------------------------------------------------------------


class RecordIn(In):
    """ING-1: one record against an approved catalog item."""

    catalog: str = Field(description="the catalog item's code")
    version: int | None = Field(default=None, description="the item's approved version if absent")
    data: dict[str, JsonValue] = Field(description="the template's fields, by name or label")
    request_id: str | None = Field(
        default=None, max_length=100, description="resending the same id stores nothing new"
    )
    self_declared: bool = Field(default=False, description="ING-6: declared by the subject")


class BatchIn(In):
    """ING-3: a batch of records, all or nothing."""

    catalog: str
    version: int | None = None
    batch_id: str | None = Field(default=None, max_length=100)
    rows: list[dict[str, JsonValue]] = Field(
        min_length=1, max_length=10_000, description="each row: the template's fields by name"
    )


class Rejection(Out):
    """One rejected row of a submission: which row, which field, why (code and message)."""

    row: int = Field(description="1-based row number in the submitted batch or file")
    field: str = Field(description="the template field at fault; empty when the whole row is")
    code: str = Field(description="stable machine-readable reason, e.g. `record.missing_field`")
    message: str


class BatchResult(Out):
    """What a submission did: stored, recognised as a repeat, or (inside a 422 error body)
    rejected row by row, with nothing stored."""

    batch_id: int | None = Field(description="the stored batch; null when nothing was stored")
    accepted: bool = Field(description="true when the rows were stored now")
    duplicate: bool = Field(description="the same batch id or content was stored before")
    rows: int = Field(description="rows read")
    stored: int = Field(description="records stored by this call")
    duplicates: int = Field(
        description="ING-3: rows skipped because a live record with the same natural key "
        "(provider, catalog item, subject, key fields) is already stored, or an earlier row "
        "of the batch has it"
    )
    duplicate_rows: list[int] = Field(
        description="the row numbers of the duplicates, up to the first 1000"
    )
    rejected_count: int = Field(description="rows rejected (all of them are counted)")
    rejected: list[Rejection] = Field(
        description="rejected rows in full, up to the first 1000; the rest are only counted"
    )
    verify_due: date | None = Field(
        description="Art 17: the day verification of the stored records is due"
    )


# --- records -------------------------------------------------------------------------------

# A stored field value, as the template's converter made it: text (also decimals and dates,
# exactly), a whole number or a yes/no.
FieldValue = str | int | float | bool | None

RecordStatus = Literal["received", "verified", "returned", "withdrawn", "archived", "restored"]


class Record(Out):
    """A stored credit record, its classification, display period and lifecycle."""

    id: int
    catalog_item_id: int
    subject_id: int
    providing_unit_id: int
    batch_id: int | None
    status: RecordStatus
    self_declared: bool = Field(description="ING-6: declared by the subject")
    character: Character
    disclosure: Disclosure
    decision_date: date | None
    received_at: Timestamp
    verify_due: date = Field(description="Art 17: verification due by the end of this day")
    verified_at: Timestamp | None
    returned_reasons: list[str] | None
    untrustworthy_class: UntrustworthyClass | None = Field(description="Art 20 class")
    serious_class: SeriousClass | None = Field(description="Art 33 serious class")
    severity: Severity | None
    untrustworthy_from: date | None = Field(
        description="ING-5: an Art 20(2) punishment counts from this day"
    )
    review_outcome: str | None = Field(description="`upheld` on reconsideration or litigation")
    discipline_block: str | None = Field(
        description="ING-4: why it may never ground joint disciplinary action"
    )
    usable_for_discipline: bool
    display_until: date | None = Field(description="Art 18, 19: end of the display period")
    archived_at: Timestamp | None
    archive_reason: str | None
    withdrawn_at: Timestamp | None
    withdraw_reason: str | None
    data: dict[str, FieldValue] = Field(
        description="the record's fields, converted by its template (keys: the template's "
        "field names; decimals and dates as exact text)"
    )
    under_objection: bool = Field(
        description="OBJ-1, Art 41: an objection to the record is open (异议标注); its "
        "objections are at `/api/v1/objections?target_type=record&target_id=ID`"
    )


class ExplainedDeadline(Out):
    """CAL-3: a stored deadline with the rule it was counted by."""

    due: date
    explanation: str = Field(description="how the due date was counted, citing the article")
    provisional: bool = Field(description="counted over a year without official schedule")


class Pledge(Out):
    """ING-6: a credit pledge's performance, as its providing unit or the platform judged."""

    status: PledgeStatus = Field(description="pending, then kept or broken")
    decided_by: str | None = Field(description="who judged it (the audit log's name)")
    decided_at: Timestamp | None
    reason: str | None = Field(description="why it was judged so")


class RecordDetail(Record):
    """A record with its verification deadline explained (CAL-3)."""

    verify_deadline: ExplainedDeadline | None = Field(
        default=None, description="Art 17, as stored for the record's batch"
    )
    pledge: Pledge | None = Field(
        default=None, description="ING-6: a credit pledge's performance (pledges only)"
    )


class PendingRecord(Record):
    """ING-2: a record awaiting verification."""

    overdue: bool = Field(description="its verification deadline has passed")


class VerificationIn(In):
    """ING-2: pass a record, or return it with reasons."""

    passed: bool
    reasons: list[str] = Field(default_factory=list, max_length=50)


class WithdrawalIn(In):
    """ING-7: why the record's basis was revoked."""

    reason: str = Field(min_length=1, max_length=2000)


class ReviewOutcomeIn(In):
    """ING-5: the outcome of reconsideration or litigation."""

    outcome: str = Field(description="upheld or revoked")


class ArchivingIn(In):
    """RST-6: who asked for archiving."""

    applicant: str = Field(max_length=200, description="who asked: the subject or its agent")


class RecordWithdrawn(Out):
    """ING-7: the record is withdrawn (event `record.withdrawn`)."""

    id: int
    status: Literal["withdrawn"]


class RecordUpheld(Out):
    """ING-5: upheld; the punishment counts from `final_on`."""

    id: int
    review_outcome: Literal["upheld"]
    final_on: date


class RecordArchived(Out):
    """RST-6: archived on the subject's request."""

    id: int
    status: Literal["archived"]
    applicant: str


# --- events, inbox, consents ---------------------------------------------------------------


class Notification(Out):
    """A notification in a unit's inbox."""

    id: int
    kind: str = Field(description="e.g. `record.returned`, `verification.overdue`")
    object_type: str
    object_id: str
    message: str
    created_at: Timestamp
    read_at: Timestamp | None
    acknowledged_at: Timestamp | None


class ConsentIn(In):
    """PRI-1, PRI-2: a person's written consent, its agreed use and the warning shown."""

    subject_id: int
    unit_id: int
    categories: list[str] = Field(
        default_factory=list,
        description="income, savings, securities, commercial_insurance, real_estate, tax_amount",
    )
    purpose: str = Field(max_length=2000)
    written: bool
    warning_shown: str = Field(
        default="",
        max_length=2000,
        description="for any category: exactly the warning `GET /api/v1/consents/warning` "
        "publishes, as shown to the person (Art 45)",
    )
    granted_on: date


class ConsentWarning(Out):
    """Art 45: the warning a person is shown before consenting to the collection of income,
    savings, securities, commercial insurance, real estate or tax amounts."""

    warning: str
    categories: list[str] = Field(description="the categories that need it")
    forbidden: list[str] = Field(description="categories no consent makes collectable")


class ConsentRecorded(Out):
    """The stored consent."""

    id: int


# --- self-declaration (ING-6, Art 15) ---------------------------------------------------------


class DeclarationIn(In):
    """A subject's own declaration, voluntary registration or credit pledge."""

    catalog: str = Field(description="the code of a catalog item meant for subjects")
    data: dict[str, JsonValue] = Field(
        description="one row of the item's template; its subject fields name your subject"
    )


class Declaration(Out):
    """A self-declared record as its subject sees it."""

    record_id: int
    catalog: str
    declaration_kind: DeclarationKind
    status: str = Field(description="the record's status (received, verified ...)")
    self_declared: bool = Field(description="always true: declared by the subject (ING-6)")
    received_at: Timestamp
    data: dict[str, FieldValue] = Field(
        description="the declared fields, converted by the item's template"
    )
    pledge: Pledge | None = Field(description="a credit pledge's performance (pledges only)")


class PledgeJudgementIn(In):
    """A credit pledge judged kept or broken, with the reason."""

    action: PledgeAction = Field(description="keep or break")
    reason: str = Field(min_length=1, max_length=2000, description="why (required)")
