"""What the records context's use cases answer: typed views."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class DeadlineNote(TypedDict):
    """CAL-3: a deadline with how it was counted."""

    due: str
    explanation: str
    provisional: bool


class PledgeView(TypedDict):
    """ING-6: a credit pledge's performance."""

    status: str
    decided_by: str | None
    decided_at: str | None
    reason: str | None


class RecordView(TypedDict):
    """A credit record: its source, verification, classification and disclosure."""

    id: int
    catalog_item_id: int
    subject_id: int
    providing_unit_id: int
    batch_id: int | None
    status: str
    self_declared: bool
    character: str
    disclosure: str
    decision_date: str | None
    received_at: str
    verify_due: str
    verified_at: str | None
    returned_reasons: list[str] | None
    untrustworthy_class: str | None
    serious_class: str | None
    severity: str | None
    untrustworthy_from: str | None
    review_outcome: str | None
    discipline_block: str | None
    usable_for_discipline: bool
    display_until: str | None
    archived_at: str | None
    archive_reason: str | None
    withdrawn_at: str | None
    withdraw_reason: str | None
    data: dict[str, Any]
    under_objection: bool  # OBJ-1, Art 41: an objection to it is open
    verify_deadline: NotRequired[DeadlineNote]
    pledge: NotRequired[PledgeView]  # ING-6: a credit pledge's performance


class PendingRecordView(RecordView):
    """A record awaiting verification (ING-2)."""

    overdue: bool


class NotificationView(TypedDict):
    """A notification in a unit's inbox."""

    id: int
    kind: str
    object_type: str
    object_id: str
    message: str
    created_at: str
    read_at: str | None
    acknowledged_at: str | None


class RecordMovedView(TypedDict):
    """A record's new status after withdrawal or archiving."""

    id: int
    status: str


class ArchivedOnRequestView(RecordMovedView):
    applicant: str


class ReviewOutcomeView(TypedDict):
    id: int
    review_outcome: str
    final_on: str
