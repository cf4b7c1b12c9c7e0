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
    hash: str = Field(description="SHA-256 over this event and `prev_hash`")


class AuditVerification(Out):
    """The recomputed chain: ok, or the first broken event and why."""

    ok: bool
    checked: int = Field(description="events recomputed")
    first_broken_seq: int | None
    reason: str | None = Field(description="why that event breaks the chain")


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
