"""What the objection use cases answer: typed views (the API's response models and the
CLI read them)."""

from __future__ import annotations

from typing import TypedDict


class PublicAccountView(TypedDict):
    """OBJ-1: a person's public account; the document number only masked."""

    id: int
    name: str
    id_type: str
    id_number_masked: str
    verified: bool


class PublicAccountCreatedView(PublicAccountView):
    token: str  # shown once: the account's bearer token


class AttachmentView(TypedDict):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: str


class PauseView(TypedDict):
    kind: str
    reason: str
    start_on: str
    end_on: str | None


class ObjectionStepView(TypedDict):
    action: str
    from_status: str | None
    to_status: str
    on: str
    actor: str
    reason: str


class ObjectionDeadlineView(TypedDict):
    """CAL-3: a deadline of the objection, and how it was counted."""

    rule_code: str
    basis: str
    due_date: str
    provisional: bool
    explanation: str


class ObjectionView(TypedDict):
    """OBJ-1..3, OBJ-6: an objection, where it stands and why."""

    id: int
    target_type: str
    target_id: int
    subject_id: int
    objector_kind: str
    objector: str
    objector_unit_id: int | None
    deciding_unit_id: int | None
    provider_unit_id: int | None
    grounds: str
    status: str
    track: str
    received_on: str
    due_date: str | None
    overdue: bool
    decided_late: bool
    paused_since: str | None
    accepted_on: str | None
    acceptance_reason: str | None
    asked_on: str | None
    answer_due: str | None
    answer: str | None
    outcome_reason: str | None
    correction: str | None
    decided_on: str | None
    decided_by: str | None


class ObjectionDetailView(ObjectionView):
    deadlines: list[ObjectionDeadlineView]
    pauses: list[PauseView]
    attachments: list[AttachmentView]
    history: list[ObjectionStepView]
    reconsideration: ReconsiderationView | None


class ReconsiderationView(TypedDict):
    """OBJ-3: an application for reconsideration and its decision."""

    id: int
    objection_id: int
    department_unit_id: int
    grounds: str
    status: str
    received_on: str
    due_date: str
    overdue: bool
    decided_late: bool
    explanation: str
    outcome_reason: str | None
    decided_on: str | None
    decided_by: str | None


class UpheldEntryView(TypedDict):
    """An objection upheld on a list entry: the entry was made in error and is deleted,
    and the objection with it (Op(20)); only the ids and the outcome come back."""

    id: int
    status: str
    target_type: str
    target_id: int
    target_deleted: bool
