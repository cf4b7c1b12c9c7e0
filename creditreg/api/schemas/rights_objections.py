"""Objections (OBJ-1..3, OBJ-6; Art 41; Op(22)): public accounts, objections with their
materials and deadlines, their steps, and reconsideration."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from creditreg.api.schemas.common import In, Out
from creditreg.domain.rights.objections import (
    Correction,
    ObjectorKind,
    Outcome,
    PauseKind,
    Status,
    TargetType,
    Track,
)


class PublicAccountIn(In):
    """OBJ-1: a person registers to object: a name and a personal identity document."""

    name: str = Field(max_length=200)
    id_type: str = Field(
        default="ric", description="ric, passport, hk_macao_permit, taiwan_permit ..."
    )
    id_number: str = Field(max_length=40, description="validated; stored masked and keyed")


class PublicAccount(Out):
    id: int
    name: str
    id_type: str
    id_number_masked: str
    verified: bool = Field(description="false: the document was validated, not checked")


class PublicAccountCreated(PublicAccount):
    token: str = Field(description="the account's bearer token, shown once")


class Attachment(Out):
    """An objection's material (its bytes at `.../attachments/{id}`)."""

    id: int
    filename: str
    content_type: Literal["application/pdf", "image/jpeg", "image/png"] = Field(
        description="detected from the content"
    )
    size: int
    sha256: str
    created_at: str


class ObjectionPause(Out):
    """Art 41: days not counted (inspection, testing, quarantine, evaluation, review)."""

    kind: PauseKind
    reason: str
    start_on: date
    end_on: date | None = Field(description="none while the pause runs")


class ObjectionStep(Out):
    action: str
    from_status: Status | None
    to_status: Status
    on: date
    actor: str
    reason: str


class ObjectionDeadline(Out):
    """CAL-3: a deadline with its rule and how it was counted."""

    rule_code: str = Field(
        description="objection_platform (3), objection_provider (7), objection_entry (7), "
        "provider_answer (3)"
    )
    basis: str
    due_date: date
    provisional: bool
    explanation: str


class Reconsideration(Out):
    """OBJ-3: an application for reconsideration to the provincial department."""

    id: int
    objection_id: int
    department_unit_id: int
    grounds: str
    status: Literal["received", "upheld", "revised"]
    received_on: date
    due_date: date
    overdue: bool
    decided_late: bool = Field(description="decided after its due date (SEC-5, Art 65)")
    explanation: str
    outcome_reason: str | None
    decided_on: date | None
    decided_by: str | None


class Objection(Out):
    """An objection: what it is about, who objected, who decides, where it stands."""

    id: int
    target_type: TargetType
    target_id: int
    subject_id: int
    objector_kind: ObjectorKind
    objector: str
    objector_unit_id: int | None
    deciding_unit_id: int | None = Field(description="null: the platform decides (Art 41)")
    provider_unit_id: int | None
    grounds: str
    status: Status
    track: Track = Field(description="platform: 3 working days; provider: 7 (Art 41)")
    received_on: date
    due_date: date | None
    overdue: bool = Field(description="still undecided after its due date (Art 41)")
    decided_late: bool = Field(
        description="decided after its due date: kept once decided (SEC-5, Art 65)"
    )
    paused_since: date | None
    accepted_on: date | None
    acceptance_reason: str | None
    asked_on: date | None = Field(description="when the provider was asked to verify")
    answer_due: date | None = Field(description="3 working days after being asked (Art 41)")
    answer: str | None
    outcome_reason: str | None
    correction: Correction | None
    decided_on: date | None
    decided_by: str | None


class ObjectionDetail(Objection):
    deadlines: list[ObjectionDeadline]
    pauses: list[ObjectionPause]
    attachments: list[Attachment]
    history: list[ObjectionStep]
    reconsideration: Reconsideration | None


class ObjectionUpheldOnEntry(Out):
    """Op(20): the entry was made in error and is deleted, the objection with it."""

    id: int
    status: Literal["upheld"]
    target_type: Literal["list_entry"]
    target_id: int
    target_deleted: bool


class AcceptanceIn(In):
    """OBJ-6, Op(22): whether the objection is accepted, and why."""

    accepted: bool
    reason: str = Field(max_length=2000)
    track: Track | None = Field(
        default=None, description="records: `provider` asks the provider to verify at once"
    )


class ReasonIn(In):
    reason: str = Field(max_length=2000)


class AnswerIn(In):
    """Art 41: the provider's verification."""

    answer: str = Field(max_length=2000)


class PauseIn(In):
    """Art 41: what stops the clock."""

    kind: PauseKind
    reason: str = Field(max_length=2000)


class DecisionIn(In):
    """OBJ-3: the outcome with its reasons; an upheld record's correction."""

    outcome: Outcome
    reason: str = Field(max_length=2000)
    correction: Correction | None = Field(
        default=None, description="records upheld: withdraw, or return to be corrected"
    )


class ReconsiderationIn(In):
    grounds: str = Field(max_length=5000)


class ReconsiderationDecisionIn(In):
    outcome: Literal["upheld", "revised"]
    reason: str = Field(max_length=2000)
    correction: Correction | None = None


# --- red-list feedback (OBJ-4, Op(21)) ------------------------------------------------------


class FeedbackAttachment(Out):
    id: int
    filename: str
    content_type: str = Field(description="detected from the content")
    size: int
    sha256: str


class RedListFeedback(Out):
    """A report that a red-listed subject is not trustworthy, and its outcome."""

    id: int
    entry_id: int
    subject_id: int
    designating_unit_id: int = Field(description="verifies the report (Op(21))")
    reporter_kind: ObjectorKind
    reporter: str
    evidence: str
    status: Literal["received", "confirmed", "dismissed", "closed"]
    received_on: date
    outcome_reason: str | None
    decided_on: date | None
    entry_removed: bool = Field(description="confirmed: the entry was removed (unfit_conduct)")
    attachments: list[FeedbackAttachment]


class FeedbackDecisionIn(In):
    """Op(21): the designating unit's verification, with its reasons (both are told)."""

    outcome: Literal["confirmed", "dismissed"]
    reason: str = Field(max_length=2000)
