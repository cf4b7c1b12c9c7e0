"""Kernel: health, the clock, the working-day calendar (CAL-1..3), the audit log (SEC-3)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from creditreg.api.schemas.common import In, Open, Out, Timestamp
from creditreg.domain.kernel.calendar import MAX_WORKING_DAYS, DaySource

# --- health and clock ----------------------------------------------------------------------


class Health(Out):
    """The server answers and its database is at the schema revision the code expects."""

    status: str = Field(description="`ok`")
    version: str = Field(description="creditreg's version")
    database: str = Field(description="`sqlite` or `postgresql`")
    schema_revision: str | None = Field(description="the database's Alembic revision")


class ClockNow(Out):
    """The time the server works with."""

    now: Timestamp = Field(description="now, with its offset (China Standard Time)")
    today: date
    real: bool = Field(description="false when the clock is fixed or moved (test clock)")
    movable: bool = Field(description="true when `POST /api/v1/clock` may move it")


class ClockMoveIn(In):
    """Move the test clock to a moment, or forward by days and hours."""

    to: datetime | None = None
    days: int = Field(default=0, ge=0, le=3660)
    hours: int = Field(default=0, ge=0, le=24 * 3660)


class ClockMoved(Out):
    """Where the test clock stands now."""

    now: Timestamp


# --- calendar ------------------------------------------------------------------------------


class CalendarDay(Out):
    """Whether a day is a working day, and who says so."""

    day: date
    working: bool
    source: DaySource = Field(
        description="override (an operator's correction), schedule (a loaded official file), "
        "official (shipped), provisional (weekends and statutory holidays only)"
    )
    provisional: bool = Field(description="no official schedule covers the year yet")
    note: str = Field(description="e.g. the holiday's name")


class CalendarDaySet(CalendarDay):
    """CAL-2: the corrected day, and how many stored deadlines spanning it were recomputed."""

    recomputed_deadlines: int


class DayIn(In):
    """CAL-2: one day's correction."""

    working: bool
    note: str = Field(default="", max_length=200)


class PauseIn(In):
    """A span of days that does not count (e.g. expert review), both ends included."""

    start: date
    end: date
    reason: str = Field(default="", max_length=200)


class CountIn(In):
    """CAL-1: count `working_days` working days after `start` (which is not counted)."""

    start: date
    working_days: int = Field(ge=0, le=MAX_WORKING_DAYS)
    pauses: list[PauseIn] = Field(default_factory=list, max_length=100)


class WorkingDayCount(Out):
    """CAL-1: a due date, and how it was counted (Rule 3: deadlines explain themselves)."""

    start: date
    working_days: int
    due: date = Field(description="the last day: the deadline ends at its end")
    provisional: bool = Field(description="a counted day lies in a year without official schedule")
    explanation: str = Field(description="one paragraph saying how the due date was reached")
    counted: list[date] = Field(description="the working days counted, in order")
    paused: list[date] = Field(description="the days skipped because a pause covered them")


class ScheduleIn(In):
    """CAL-2: a year's official schedule as text."""

    text: str = Field(
        max_length=100_000,
        description="one line a day: YYYY-MM-DD,holiday|workday,name",
    )


class ScheduleLoaded(Out):
    """CAL-2: what loading an official schedule did."""

    year: int
    days: int = Field(description="days the schedule names")
    recomputed_deadlines: int
    still_provisional: int = Field(
        description="stored deadlines still resting on a provisional year"
    )


# --- audit ---------------------------------------------------------------------------------


class AuditDetail(Open):
    """What the action adds to its digests: its keys depend on the action (`reason`, `note`,
    `role`, counts …). Kept free-form on purpose: the audit log is written by every context
    and must accept whatever the acting use case names; nothing personal goes in it."""


class AuditEvent(Out):
    """One event of the hash-chained audit log (SEC-3). Personal data is never in it: the
    states before and after a change are kept as digests."""

    seq: int = Field(description="position in the chain, from 1")
    occurred_at: str = Field(
        description="ISO 8601, exactly the text the hash covers",
        json_schema_extra={"format": "date-time"},
    )
    actor: str = Field(description="`user:<name>`, `token:<id>`, `system:<job>` …")
    unit_id: int | None
    action: str = Field(description="e.g. `subject.register`, `entry.designate`")
    object_type: str
    object_id: str
    before_digest: str | None = Field(description="SHA-256 of the state before, if any")
    after_digest: str | None = Field(description="SHA-256 of the state after, if any")
    detail: AuditDetail
    prev_hash: str = Field(description="the previous event's hash")
    hash: str = Field(
        description="HMAC-SHA256 under the audit key over this event and `prev_hash` (plain "
        "SHA-256 for events up to checkpoint 1, written before the chain was keyed)"
    )


class AuditFinding(Out):
    """One kind of damage `verify` found."""

    code: str = Field(
        description="`audit.chain_broken`, `audit.key_mismatch`, `audit.checkpoint_missing`, "
        "`audit.checkpoint_signature_invalid`, `audit.checkpoint_mismatch`, "
        "`audit.chain_truncated`, `audit.checkpoint_file_missing`, "
        "`audit.checkpoint_file_missing_entries`, `audit.checkpoint_file_mismatch`, "
        "`audit.checkpoint_file_invalid`, `audit.checkpoint_file_unreadable`, "
        "`audit.trigger_missing`, `audit.trigger_disabled` "
        "or `audit.trigger_altered`"
    )
    message: str = Field(description="the first occurrence, in words")
    more: int = Field(description="how many more of the same kind were found")


class AuditVerification(Out):
    """The recomputed chain, compared with the checkpoints (in the database and in the file
    outside it) and the append-only triggers: ok, or every finding."""

    ok: bool = Field(description="true when there is no finding")
    checked: int = Field(description="events recomputed before the first break (all if none)")
    first_broken_seq: int | None
    reason: str | None = Field(description="why that event breaks the chain")
    last_seq: int = Field(description="where the stored chain ends")
    unkeyed_until: int = Field(
        description="events up to this one were written before the chain was keyed (0: none)"
    )
    checkpoints: int = Field(description="checkpoints in the database")
    file_entries: int | None = Field(
        description="checkpoints in the file outside the database (null: no such file)"
    )
    findings: list[AuditFinding]


class AuditCheckpoint(Out):
    """The audit chain's head at a moment, signed under the audit key (SEC-3)."""

    number: int = Field(description="1, 2, 3 … without gaps; 1 is where the keyed chain starts")
    seq: int = Field(description="the chain's newest event then (0: the chain was empty)")
    head_hash: str = Field(description="that event's hash")
    created_at: str = Field(
        description="ISO 8601, exactly the text the signature covers",
        json_schema_extra={"format": "date-time"},
    )
    kind: str = Field(description="`start`, `sweep` or `operator`")
    actor: str
    key_id: str = Field(description="names the key that signed it, without revealing it")
    signature: str = Field(description="HMAC-SHA256 over the other fields")


class AuditCheckpointWritten(AuditCheckpoint):
    """A new checkpoint, in the database, and whether its copy reached the file."""

    file_written: bool = Field(
        description="false when the file outside the database could not be appended to (the "
        "next checkpoint copies what it lacks)"
    )
    file_error: str | None = Field(description="why the file could not be written")


class EventPayload(Open):
    """What changed: ids, statuses, dates, reason codes; the keys depend on the kind (those
    below are the common ones). Never a personal ID number, a name or free-text facts.
    Empty once the event's object was deleted in error (`purged`)."""

    entry_id: int | None = None
    record_id: int | None = None
    batch_id: int | None = None
    application_id: int | None = None
    subject_id: int | None = None
    list_type: str | None = None
    field: str | None = None
    from_: str | None = Field(default=None, alias="from")
    to: str | None = None
    on: date | None = None
    reason: str | None = Field(default=None, description="a removal's reason code")


class DomainEvent(Out):
    """One domain event of the outbox, in commit order."""

    position: int = Field(description="the cursor value after this event")
    kind: str = Field(examples=["list_entry.designated", "record.withdrawn"])
    object_type: str
    object_id: str
    payload: EventPayload
    payload_digest: str | None = Field(description="SHA-256 of the canonical payload")
    occurred_at: Timestamp
    purged: bool = Field(description="its object was deleted in error: the payload is gone")


class EventPage(Out):
    """Events after a cursor, in commit order; ask again with `after=next`."""

    events: list[DomainEvent]
    next: int
