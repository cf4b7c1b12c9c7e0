"""Written authorizations for authorized inquiry (issue 10, part 3; DIS-6, Art 22).

Information that is not public is released by authorized inquiry only with the subject's
written authorization for a named unit, a purpose and a period. An authorization is
granted and may be revoked; outside its period it authorizes nothing (the period is a
stored fact, not a status). Every use is recorded, and the subject sees each one.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from creditreg.domain.errors import InvalidInput
from creditreg.domain.kernel.lifecycle import Lifecycle


class AuthorizationStatus(StrEnum):
    GRANTED = "granted"
    REVOKED = "revoked"


AUTHORIZATION = Lifecycle(
    "authorization",
    {(AuthorizationStatus.GRANTED.value, "revoke"): AuthorizationStatus.REVOKED.value},
)

# The longest period one authorization may cover (the seeds are silent; a written
# authorization for "ever" would defeat its purpose).
MAX_YEARS = 5


def normalise_purpose(raw: str) -> str:
    """A purpose as it is stored and compared: trimmed, inner whitespace collapsed."""
    purpose = " ".join(raw.split())
    if not purpose:
        raise InvalidInput(
            "authorization.no_purpose", "an authorization names the purpose of the inquiry"
        )
    if len(purpose) > 200:
        raise InvalidInput("authorization.no_purpose", "a purpose is at most 200 characters")
    return purpose


def normalise_document(raw: str) -> str:
    """The written authorization's reference (a signed form, an e-signature id)."""
    ref = " ".join(raw.split())
    if not ref:
        raise InvalidInput(
            "authorization.no_document",
            "a written authorization names its document (a signed form's reference)",
        )
    return ref[:200]


def check_period(valid_from: date, valid_until: date, today: date) -> None:
    """The period an authorization covers: not ended before it starts, not ended already,
    at most MAX_YEARS long."""
    if valid_until < valid_from:
        raise InvalidInput(
            "authorization.bad_period",
            f"the period ends ({valid_until}) before it starts ({valid_from})",
        )
    if valid_until < today:
        raise InvalidInput(
            "authorization.bad_period", f"the period has ended already ({valid_until})"
        )
    if valid_from < today:
        # A written authorization is given on a day: it does not reach back before it.
        raise InvalidInput(
            "authorization.bad_period", f"the period cannot start before today ({today})"
        )
    if valid_until >= _years_after(valid_from, MAX_YEARS):
        raise InvalidInput(
            "authorization.bad_period",
            f"an authorization covers at most {MAX_YEARS} years: it ends before "
            f"{_years_after(valid_from, MAX_YEARS)}",
        )


def _years_after(day: date, years: int) -> date:
    """The same day `years` later (29 February: 1 March)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def in_force(status: str, valid_from: date, valid_until: date, today: date) -> bool:
    """Whether an authorization authorizes an inquiry today."""
    return status == AuthorizationStatus.GRANTED and valid_from <= today <= valid_until
