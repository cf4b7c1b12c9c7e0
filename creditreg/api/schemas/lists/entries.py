"""Lists: entries and their procedures (LST-1..9), restoration (RST-1..6) and
publications (DIS-3..5)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import ConfigDict, Field

from creditreg.api.schemas.common import In, Open, Out
from creditreg.api.schemas.lists.standards import RestorationTerms, Rule, Skipped
from creditreg.domain.lists.entries import EntryStatus
from creditreg.domain.lists.standards import ListType
from creditreg.domain.subjects.identifiers import IdType, SubjectKind

# --- entries -------------------------------------------------------------------------------


class ResponsiblePerson(Out):
    """SUB-4, Art 35: an organization's legal representative or principal, as of the entry."""

    role: str
    name: str
    id_type: IdType
    id_number: str = Field(description="masked without `personal:read`, and when published")


class EntrySubject(Out):
    """LST-7, Op(9): the subject's basic information as of the entry."""

    name: str
    kind: SubjectKind
    id_type: IdType
    id_number: str = Field(description="a person's number is masked without `personal:read`")
    lei: str | None = None
    region: str | None = None
    responsible_persons: list[ResponsiblePerson] = Field(default_factory=list)


class Entry(Out):
    """A list entry: who, on which list and field, why, its terms and where it stands."""

    id: int
    list_type: ListType
    field: str
    status: EntryStatus
    origin: str = Field(
        description="standard, key_scrutiny_conduct (LST-6), after_removal (RST-3) or "
        "automatic (LST-5)"
    )
    subject_id: int
    subject: EntrySubject
    designating_unit_id: int | None = Field(description="null: made by the platform")
    standard_id: int | None
    standard_code: str | None
    facts: str
    basis: str
    measures: list[str] = Field(description="the measures' texts, from the catalog (MEA-1)")
    severity: str = Field(
        description="general, serious or especially_serious: the standard's (MEA-6, Art 31)"
    )
    channels: list[str] = Field(description="where it is published (DIS-4)")
    validity_months: int
    restoration: RestorationTerms
    scrutiny_months_after_removal: int
    window_due: date | None = Field(description="end of the objection or announcement window")
    preliminary_on: date
    designated_on: date | None
    valid_until: date | None
    removed_on: date | None
    removal_reason: str | None
    suspended_from: EntryStatus | None = Field(description="the status an objection suspended")
    under_objection: bool = Field(
        description="OBJ-1, Art 41: an objection to the entry is open (异议标注); its "
        "objections are at `/api/v1/objections?target_type=list_entry&target_id=ID`"
    )


class RuleRecord(Out):
    """A record a rule counted."""

    id: int
    catalog: str
    decision_date: date | None
    untrustworthy_class: str | None
    serious_class: str | None
    severity: str | None


class RuleInputs(Open):
    """LST-7: what proposed the entry. Which keys it has depends on `origin`: a standard's
    rule (standard … records), a removal (after_entry), the big-data warning (key_fields,
    key_scrutiny_entries) or serious conduct during key scrutiny (key_scrutiny_entry …)."""

    standard: str | None = None
    version: int | None = None
    evaluated_on: date | None = None
    rule: Rule | None = None
    rule_text: str | None = None
    count: int | None = None
    untrustworthy_in_clean_period: bool | None = None
    qualifies: bool | None = None
    records: list[RuleRecord] | None = None
    after_entry: int | None = None
    key_fields: list[str] | None = None
    key_scrutiny_entries: list[int] | None = None
    key_scrutiny_entry: int | None = None
    record: int | None = None
    serious_class: str | None = None
    responsible_persons_needed: bool | None = None


class HistoryDetail(Open):
    """What an entry's step adds: its keys depend on the action."""

    standard: str | None = None
    version: int | None = None
    window_due: date | None = None
    valid_until: date | None = None
    note: str | None = None
    application: int | None = None
    method: str | None = None
    key_scrutiny_entry: int | None = None
    record: int | None = None


class HistoryStep(Out):
    """One step of an entry's history (LST-7), appended, never overwritten. Its reason and
    detail are empty for a unit that only applies the lists (they may quote what passed
    between the subject and the designating unit)."""

    model_config = ConfigDict(populate_by_name=True)

    action: str
    from_: EntryStatus | None = Field(alias="from")
    to: EntryStatus
    on: date
    actor: str
    reason: str
    detail: HistoryDetail


class PublicSubject(Out):
    """The subject as published (Op(9)): a person's document number masked (DIS-3); an
    organization with its LEI where it has one and its legal representative or principal
    (a masked number). Notices published before these were kept lack `id_type`."""

    name: str | None
    kind: str | None
    id_type: IdType | None = None
    id_number: str
    lei: str | None = None
    legal_representative: ResponsiblePerson | None = Field(
        default=None, description="an organization's legal representative, else its principal"
    )


class NoticeContent(Open):
    """What a notice says. Its keys depend on its kind: a written notice (basis, reason,
    measures, right_to_object, objection_deadline, explanation), an announcement or
    designation (subject, facts, basis, objection_deadline or designated_on and
    valid_until), a key-scrutiny warning (scrutiny_period), an alert (key_fields, since),
    a removal (removed_on, reason) or a correction."""

    subject: PublicSubject | None = None
    facts: str | None = None
    basis: str | None = None
    reason: str | None = None
    measures: list[str] | None = None
    right_to_object: str | None = None
    objection_deadline: date | None = None
    explanation: str | None = None
    designated_on: date | None = None
    valid_until: date | None = None
    scrutiny_period: str | None = None
    after_entry: int | None = None
    removed_on: date | None = None
    correction: str | None = None
    key_fields: list[str] | None = None
    since: date | None = None


class Notice(Out):
    """A written notice, warning or publication of an entry (Art 28, Op(11), DIS-4)."""

    id: int
    kind: str = Field(
        description="written_notice, announcement, designation, warning, alert, removal, correction"
    )
    audience: Literal["subject", "public"]
    channel: str
    issued_on: date
    visible_until: date | None
    content: NoticeContent


class RestorationApplication(Out):
    """RST-1: an application for credit restoration."""

    id: int
    entry_id: int
    applicant: str
    evidence: str
    received_on: date
    due_date: date = Field(description="1 working day after receipt")
    status: str = Field(description="pending, consented or refused")
    decided_on: date | None
    decided_by: str | None
    note: str | None


class UpwardReportState(Out):
    """LST-9: the entry's report to the upper-level platform."""

    status: str
    due_date: date


class WindowDeadline(Out):
    """CAL-3: how the objection or announcement window's end was counted."""

    due: date
    provisional: bool = Field(
        description="counted on a year whose official holidays are not yet published: it "
        "may move when they are (CAL-2)"
    )
    explanation: str


class EntryDetail(Entry):
    """LST-7: an entry with its grounds, records, rule inputs, notices and history."""

    window: WindowDeadline | None = Field(
        description="the window's end with its count, while one runs (null before a "
        "natural person's notice is delivered)"
    )
    rule_inputs: RuleInputs
    records: list[int] = Field(description="the records it rests on")
    history: list[HistoryStep]
    notices: list[Notice]
    restoration_applications: list[RestorationApplication]
    upward_report: UpwardReportState | None


class EntryRemoved(EntryDetail):
    """RST-3, RST-4: the removed entry, and what the removal set off."""

    designated: int
    removed: int
    deleted: int
    key_scrutiny_followups: int = Field(description="key scrutiny started by the removal")
    skipped: list[Skipped]


class EntryDeleted(Out):
    """RST-3(1), RST-5: the entry was made in error and is deleted; nothing of it is kept."""

    id: int
    status: Literal["deleted"]
    correction_id: int = Field(
        description="the correction: apology, clarification, reclaim list (OBJ-5, Op(23))"
    )


class PersonIn(In):
    """A responsible person the designating unit names (Art 35)."""

    role: str
    name: str = Field(max_length=200)
    id_type: str = "ric"
    id_number: str = Field(max_length=40)


class EntryIn(In):
    """A preliminary entry under a standard in force, with its terms (LST-8)."""

    standard: str = Field(description="the code of a standard in force")
    subject_id: int
    facts: str = Field(max_length=4000)
    validity_months: int | None = Field(default=None, description="LST-8; standard's if absent")
    restorable: bool | None = None
    restoration_method: str | None = Field(default=None, max_length=2000)
    restoration_after_months: int | None = None
    scrutiny_months: int | None = Field(default=None, description="key scrutiny after removal")
    channels: list[str] | None = None
    measures: list[str] | None = None
    responsible_persons: list[PersonIn] = Field(default_factory=list, max_length=20)


class RemovalIn(In):
    """RST-3: why an entry is removed."""

    reason: str
    note: str = Field(default="", max_length=4000)
    scrutiny_months: int | None = None


class NoteIn(In):
    """A reason, recorded."""

    note: str = Field(max_length=4000)


class RestorationIn(In):
    """RST-1: an application for credit restoration, with evidence."""

    applicant: str = Field(max_length=200)
    evidence: str = Field(max_length=8000)


class MyRestorationIn(In):
    """RST-1: the subject's own application for credit restoration of one of its entries."""

    entry_id: int = Field(ge=1, le=2**63 - 1, description="the blacklist entry")
    evidence: str = Field(max_length=8000, description="how the conduct was corrected")


class DecisionIn(In):
    """RST-2: consent to early removal, or refusal, with the reason."""

    consent: bool
    note: str = Field(max_length=4000)


class RestorationApplied(Out):
    """RST-1: the application, due within 1 working day."""

    id: int
    entry_id: int
    status: Literal["pending"]
    due_date: date
    explanation: str = Field(description="how the due date was counted")


class RestorationDecision(Out):
    """RST-2: the decision, the entry after it, and key scrutiny started by a removal."""

    application: int
    status: Literal["consented", "refused"]
    entry: EntryDetail
    key_scrutiny_entries: list[int]


class UpwardReport(Out):
    """LST-9: a report queued for the upper-level platform, with its deadline."""

    entry_id: int
    list_type: ListType
    field: str
    status: str
    due_date: date
    explanation: str


class PendingRestoration(Out):
    """RST-1, SEC-5: a pending restoration application and its Art 43 deadline."""

    id: int
    entry_id: int
    designating_unit_id: int | None
    list_type: ListType
    field: str
    status: str
    received_on: date
    due_date: date
    overdue: bool = Field(description="past its deadline (SEC-5, Art 65)")
    explanation: str = Field(description="how the deadline was counted")


class Publication(Out):
    """DIS-4, DIS-5: what is published today, once with every channel it is on; personal
    numbers masked, in free text too (DIS-3). It ends on `visible_until`: an entry's at the
    end of its validity (or when it ends early), a removal or correction notice after the
    configured period."""

    id: int
    entry_id: int | None = Field(description="the entry; none for a correction of an error")
    kind: str = Field(description="designation, announcement, alert, removal or correction")
    channels: list[str]
    list_type: ListType
    subject_name: str
    content: NoticeContent
    issued_on: date
    visible_until: date | None
    under_objection: bool = Field(description="OBJ-1: the entry is under objection (异议标注)")
