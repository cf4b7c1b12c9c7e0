"""What the kernel's use cases answer: typed views."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypedDict


class DeadlineView(TypedDict):
    """CAL-3: a stored deadline with its rule, pauses and explanation."""

    id: int
    owner_type: str
    owner_id: str
    rule_code: str
    basis: str
    start_event: str
    working_days: int
    start_date: date
    pauses: list[dict[str, str]]
    due_date: date
    provisional: bool
    explanation: str
    computed_at: datetime


class AuditEventView(TypedDict):
    """SEC-3: one event of the hash-chained audit log."""

    seq: int
    occurred_at: str
    actor: str
    unit_id: int | None
    action: str
    object_type: str
    object_id: str
    before_digest: str | None
    after_digest: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str
