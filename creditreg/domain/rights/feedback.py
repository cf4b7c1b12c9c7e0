"""Red-list feedback (OBJ-4, Op(21)): anyone may report, with evidence, that a red-listed
subject is not trustworthy; the designating unit verifies it; the outcome goes to the one
who reported and to the subject; a confirmed report removes the entry (`unfit_conduct`).

received --confirm--> confirmed (the entry is removed: a new designation, Op(21))
received --dismiss--> dismissed (nothing changes)
received --close--> closed (the entry ended first: expiry, another removal)
"""

from __future__ import annotations

from enum import StrEnum

from creditreg.domain.errors import InvalidInput
from creditreg.domain.kernel.lifecycle import Lifecycle


class Status(StrEnum):
    RECEIVED = "received"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
    CLOSED = "closed"


class Outcome(StrEnum):
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


FEEDBACK = Lifecycle(
    "red_list_feedback",
    {
        (Status.RECEIVED, "confirm"): Status.CONFIRMED,
        (Status.RECEIVED, "dismiss"): Status.DISMISSED,
        (Status.RECEIVED, "close"): Status.CLOSED,
    },
    concept="feedback",
)

EVIDENCE_MAX = 5000


def clean_evidence(raw: str) -> str:
    """A report says why the subject is not trustworthy (Op(21)): 1 to 5000 characters."""
    text = raw.strip()
    if not text:
        raise InvalidInput(
            "feedback.no_evidence", "say why the red-listed subject is not trustworthy"
        )
    if len(text) > EVIDENCE_MAX:
        raise InvalidInput(
            "feedback.evidence_too_long", f"evidence has at most {EVIDENCE_MAX} characters"
        )
    return text
