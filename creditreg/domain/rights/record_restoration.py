"""Restoration of an untrustworthy credit record (issue 10, part 7; RST-7, Art 43).

A subject that corrected its conduct and eliminated its negative impact applies, during
the record's display period, to the platform or to the providing unit; where eligible,
credit is restored within 1 working day (the `restoration` deadline rule). A restored
record leaves public display and the check, and is kept. Eligibility by the record's
class: a minimum display before restoration (the seeds leave it open; configurable;
defaults none for minor, 3 months for general, 1 year for serious records).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from creditreg.domain.errors import Conflict, InvalidInput
from creditreg.domain.kernel.lifecycle import Lifecycle
from creditreg.domain.records.classification import Severity, add_months


class Decider(StrEnum):
    """Where the application goes (Art 43): the platform, or the providing unit."""

    PLATFORM = "platform"
    PROVIDER = "provider"


class ApplicationStatus(StrEnum):
    APPLIED = "applied"
    GRANTED = "granted"
    REFUSED = "refused"


RECORD_RESTORATION = Lifecycle(
    "record_restoration",
    {
        (ApplicationStatus.APPLIED.value, "grant"): ApplicationStatus.GRANTED.value,
        (ApplicationStatus.APPLIED.value, "refuse"): ApplicationStatus.REFUSED.value,
    },
)


@dataclass(frozen=True)
class MinimumDisplay:
    """Months a record of each class is displayed before it may be restored."""

    minor: int = 0
    general: int = 3
    serious: int = 12

    def months(self, severity: str | None) -> int:
        return {
            Severity.MINOR.value: self.minor,
            Severity.SERIOUS.value: self.serious,
        }.get(severity or Severity.GENERAL.value, self.general)


def restorable_from(shown_since: date, severity: str | None, minimum: MinimumDisplay) -> date:
    """The first day a record displayed since `shown_since` may be restored."""
    return add_months(shown_since, minimum.months(severity))


def check_eligible(
    *,
    untrustworthy: bool,
    live: bool,
    display_until: date | None,
    shown_since: date,
    severity: str | None,
    minimum: MinimumDisplay,
    today: date,
) -> None:
    """Art 43: an untrustworthy record, still displayed, past its class's minimum display."""
    if not untrustworthy:
        raise Conflict(
            "record_restoration.not_untrustworthy",
            "only information on untrustworthiness is restored (Art 43)",
        )
    if not live or (display_until is not None and display_until < today):
        raise Conflict(
            "record_restoration.not_displayed",
            "restoration is applied for during the display period (Art 43); a record no "
            "longer displayed may be archived on request instead (Art 44)",
        )
    first = restorable_from(shown_since, severity, minimum)
    if today < first:
        raise Conflict(
            "record_restoration.too_early",
            # The minimum display runs from the decision (as the national rules on restoring
            # credit count it), not from the day the platform first showed the record.
            f"a {severity or 'general'} record may be restored from {first.isoformat()}: "
            f"its minimum display of {minimum.months(severity)} months runs from the "
            f"decision of {shown_since.isoformat()}",
            restorable_from=first.isoformat(),
        )


def check_statement(statement: str) -> str:
    """What the subject says it corrected and how it eliminated the impact."""
    text = statement.strip()
    if len(text) < 10:
        raise InvalidInput(
            "record_restoration.no_statement",
            "an application says how the conduct was corrected and its impact eliminated "
            "(at least 10 characters)",
        )
    return text[:4000]
