"""What the lists context's use cases answer: typed views (the API's response models and
the CLI read them; mypy checks every key the services build)."""

from __future__ import annotations

from typing import Any, TypedDict


class RestorationTermsView(TypedDict):
    restorable: bool
    method: str
    after_months: int


class EntryView(TypedDict):
    """LST-7: an entry's summary (what `search` lists)."""

    id: int
    list_type: str
    field: str
    status: str
    origin: str
    subject_id: int
    subject: dict[str, Any]  # the subject as of the entry, masked for the reader (DIS-3)
    designating_unit_id: int | None
    standard_id: int | None
    standard_code: str | None
    facts: str
    basis: str
    measures: list[str]  # the measures' texts (catalog references, MEA-1)
    severity: str  # MEA-6, Art 31: copied from the standard at designation
    channels: list[str]
    validity_months: int
    restoration: RestorationTermsView
    scrutiny_months_after_removal: int
    window_due: str | None
    preliminary_on: str | None
    designated_on: str | None
    valid_until: str | None
    removed_on: str | None
    removal_reason: str | None
    suspended_from: str | None
    under_objection: bool  # OBJ-1, Art 41: an objection to it is open


# "from" is a keyword: this view is written in the functional form.
HistoryStepView = TypedDict(
    "HistoryStepView",
    {
        "action": str,
        "from": str | None,
        "to": str,
        "on": str,
        "actor": str,
        "reason": str,
        "detail": dict[str, Any],
    },
)


class NoticeView(TypedDict):
    id: int
    kind: str
    audience: str
    channel: str
    issued_on: str
    visible_until: str | None
    content: dict[str, Any]


class UpwardReportStateView(TypedDict):
    status: str
    due_date: str


class EntryDetailView(EntryView):
    """LST-7: an entry with its grounds, records, rule inputs, notices and history."""

    window: dict[str, Any] | None
    rule_inputs: dict[str, Any]
    records: list[int]
    history: list[HistoryStepView]
    notices: list[NoticeView]
    restoration_applications: list[dict[str, Any]]
    upward_report: UpwardReportStateView | None


class ChangesView(TypedDict):
    """What a set of changes did (counts, and the entries it left alone and why)."""

    designated: int
    removed: int
    deleted: int
    key_scrutiny_followups: int
    skipped: list[dict[str, Any]]


class EntryRemovedView(EntryDetailView, ChangesView):
    """A removal by the designating unit, with what followed from it."""


class EntryDeletedView(TypedDict):
    """RST-5: an entry deleted in error: nothing of it is kept but its id, and its
    correction (OBJ-5)."""

    id: int
    status: str
    correction_id: int


class ListFieldView(TypedDict):
    code: str
    label: str
    label_zh: str
    key_field: bool


class UpwardReportView(TypedDict):
    entry_id: int
    list_type: str
    field: str
    status: str
    due_date: str
    explanation: str


class PublicationView(TypedDict):
    id: int
    entry_id: int | None
    kind: str
    channels: list[str]
    list_type: str
    subject_name: str
    content: dict[str, Any]
    issued_on: str
    visible_until: str | None
    under_objection: bool  # OBJ-1: the entry published is under objection


class RestorationAppliedView(TypedDict):
    id: int
    entry_id: int
    status: str
    due_date: str
    explanation: str


class RestorationDecisionView(TypedDict):
    application: int
    status: str
    entry: EntryDetailView
    key_scrutiny_entries: list[int]


class PendingRestorationView(TypedDict):
    id: int
    entry_id: int
    designating_unit_id: int | None
    list_type: str
    field: str
    status: str
    received_on: str
    due_date: str
    overdue: bool
    explanation: str


class ReevaluationView(ChangesView):
    """STD-3: how many entries a new standard version checked, and what it removed."""

    checked: int


class StandardView(TypedDict):
    """STD-1: a published designation standard, with its rule as data and as text."""

    id: int
    code: str
    version: int
    status: str
    field: str
    field_label: str
    key_field: bool
    list_type: str
    scope: str
    region: str | None
    approval: str | None
    title: str
    legal_basis: str
    procedure: str
    rule: dict[str, Any]
    rule_text: str
    rule_text_zh: str
    validity_months: int
    window_days: int
    restoration: RestorationTermsView
    scrutiny_months: int
    measures: list[str]  # catalog codes (MEA-1)
    severity: str  # MEA-6, Art 31
    published_at: str


class CandidateView(TypedDict):
    """STD-2: a subject the standard proposes today."""

    subject_id: int
    name: str
    kind: str
    records: int
