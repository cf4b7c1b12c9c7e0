"""Objections to records and list entries, and their reconsideration (OBJ-1..3, OBJ-6;
Art 41, Art 28; Op(22)): one lifecycle for both kinds of target.

received --accept--> accepted --escalate--> verifying --answer--> answered
received --reject--> rejected (not accepted, with the reason: OBJ-6, Op(22))
accepted | verifying | answered --uphold / dismiss--> upheld / dismissed
any open status --close--> closed (the target ended first: a record withdrawn, an entry
removed)

Pauses (inspection, testing, quarantine, evaluation, expert review: Art 41) are spans of
days that do not count towards the deadline, not statuses: the objection keeps its status
while its clock stands still.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from creditreg.domain.errors import Conflict, InvalidInput
from creditreg.domain.kernel.calendar import Span
from creditreg.domain.kernel.codes import CONTROL_CHARACTERS, shows_nothing
from creditreg.domain.kernel.deadlines import RULES, DeadlineRule
from creditreg.domain.kernel.lifecycle import Lifecycle


class TargetType(StrEnum):
    RECORD = "record"
    LIST_ENTRY = "list_entry"


class ObjectorKind(StrEnum):
    """Who objected: never anonymous (OBJ-1, OBJ-4)."""

    UNIT = "unit"
    PUBLIC_ACCOUNT = "public_account"  # a person with a name and a document number
    SUBJECT_ACCOUNT = "subject_account"  # the subject itself (issue 10, part 1)
    # Objections typed in by a unit's operator before issue 10, the objector named in free
    # text; migrated as they were (migration 0014), never created any more.
    ON_RECORD = "on_record"


class Status(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    VERIFYING = "verifying"  # the provider was asked to verify (Art 41)
    ANSWERED = "answered"  # the provider answered
    REJECTED = "rejected"  # not accepted (OBJ-6)
    UPHELD = "upheld"  # the objection is right: the record or entry is corrected
    DISMISSED = "dismissed"
    CLOSED = "closed"  # the target ended before a decision


class Track(StrEnum):
    """Art 41: the platform decides alone (3 working days), or the provider verifies (7)."""

    PLATFORM = "platform"
    PROVIDER = "provider"


class Outcome(StrEnum):
    UPHELD = "upheld"
    DISMISSED = "dismissed"


class Correction(StrEnum):
    """What the provider does with a record found wrong (records lifecycle)."""

    WITHDRAW = "withdraw"  # deleted from use: withdrawn, with the reason
    RETURN = "return"  # returned to the provider to correct and submit again


class PauseKind(StrEnum):
    """Art 41: the time these take is not counted."""

    INSPECTION = "inspection"
    TESTING = "testing"
    QUARANTINE = "quarantine"
    EVALUATION = "evaluation"
    EXPERT_REVIEW = "expert_review"


OPEN = frozenset({Status.RECEIVED, Status.ACCEPTED, Status.VERIFYING, Status.ANSWERED})
# After acceptance, before the decision: the clock may be paused.
UNDER_WAY = frozenset({Status.ACCEPTED, Status.VERIFYING, Status.ANSWERED})

_S = Status
OBJECTION = Lifecycle(
    "objection",
    {
        # OBJ-6, Op(22): acceptance is decided first, and said.
        (_S.RECEIVED, "accept"): _S.ACCEPTED,
        (_S.RECEIVED, "reject"): _S.REJECTED,
        # Art 41: the platform asks the provider to verify (after acceptance too).
        (_S.ACCEPTED, "escalate"): _S.VERIFYING,
        (_S.VERIFYING, "answer"): _S.ANSWERED,
        # The decision: the platform may decide without a late provider's answer.
        **{(s, "uphold"): _S.UPHELD for s in UNDER_WAY},
        **{(s, "dismiss"): _S.DISMISSED for s in UNDER_WAY},
        **{(s, "close"): _S.CLOSED for s in OPEN},
    },
)

# Reconsideration by the provincial department (OBJ-3, Art 28, Op(22)).
RECONSIDERATION = Lifecycle(
    "reconsideration",
    {
        ("received", "uphold"): "upheld",  # the original decision stands
        ("received", "revise"): "revised",  # the objection was right after all
    },
)
# Only a decision the objector lost may be reconsidered.
RECONSIDERABLE = frozenset({Status.REJECTED, Status.DISMISSED})

# Art 41: the time limits, counted from receipt (the kernel's rules).
PLATFORM_RULE = RULES["objection_platform"]  # 3 working days
PROVIDER_RULE = RULES["objection_provider"]  # 7 working days
PROVIDER_ANSWER_RULE = RULES["provider_answer"]  # 3 working days from being asked
ENTRY_RULE = RULES["objection_entry"]  # Op(22): 7, the designating unit verifies


def decision_rule(target: TargetType, track: Track) -> DeadlineRule:
    """Art 41: 3 working days where the platform decides alone, 7 where the provider
    verifies; a list entry is always verified by its designating unit (Op(22))."""
    if target is TargetType.LIST_ENTRY:
        return ENTRY_RULE
    return PROVIDER_RULE if track is Track.PROVIDER else PLATFORM_RULE


def reconsideration_rule(working_days: int) -> DeadlineRule:
    """The seeds leave the reconsideration's time limit open: configurable."""
    base = RULES["reconsideration"]
    return DeadlineRule(base.code, base.basis, base.start_event, working_days, base.text, base.zh)


GROUNDS_MAX = 5000
REASON_MAX = 2000


def clean_grounds(raw: str) -> str:
    """An objection says what is wrong (Art 41): 1 to 5000 characters, with no control
    characters but line breaks and tabs (a NUL is no grounds, and PostgreSQL refuses it)."""
    text = raw.strip()
    if CONTROL_CHARACTERS.search(text):
        raise InvalidInput(
            "objection.no_grounds", "grounds are text: no NUL or other control characters"
        )
    if shows_nothing(text):
        raise InvalidInput("objection.no_grounds", "say what is wrong with the record or entry")
    if len(text) > GROUNDS_MAX:
        raise InvalidInput(
            "objection.grounds_too_long", f"grounds have at most {GROUNDS_MAX} characters"
        )
    return text


def clean_reason(raw: str) -> str:
    """Every step says why (OBJ-3: the outcome goes out with its reasons)."""
    text = raw.strip()
    if not text:
        raise InvalidInput("objection.no_reason", "say why (the objector is told)")
    if len(text) > REASON_MAX:
        raise InvalidInput("objection.reason_too_long", f"at most {REASON_MAX} characters")
    return text


@dataclass(frozen=True, slots=True)
class Pause:
    """One pause of an objection's clock: from `start`, to `end` (None while it runs)."""

    kind: PauseKind
    start: date
    end: date | None
    reason: str

    def span(self) -> Span:
        """The days not counted (Art 41); a running pause has none yet."""
        if self.end is None:
            raise AssertionError("a running pause has no span yet")
        return Span(self.start, self.end, f"{self.kind.value}: {self.reason}")


def check_pause(status: Status, running: bool) -> None:
    """A pause runs only while the objection is under way, one at a time."""
    if status not in UNDER_WAY:
        raise Conflict(
            "objection.not_under_way",
            f"an objection that is {status.value} has no running clock to pause "
            "(accept it first; a decided one is done)",
        )
    if running:
        raise Conflict("objection.already_paused", "the objection's clock is already paused")


def pause_end(started: date, today: date) -> date:
    """The last day not counted: the day before the resumption, at least the first day."""
    return max(started, today - timedelta(days=1))
