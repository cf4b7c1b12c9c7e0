"""The one error body of the API, for every 4xx it answers."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from creditreg.api.schemas.common import Out
from creditreg.api.schemas.lists import RuleInputs
from creditreg.api.schemas.records import BatchResult


class Problem(Out):
    """One reason a request was refused before any work: the field (dotted path) and why."""

    field: str = Field(description="dotted path of the field, e.g. `pauses.0.start`; empty: body")
    message: str


class ValidationDetails(Out):
    """`request.invalid`: every problem found in the request, not only the first."""

    problems: list[Problem]


class ErrorFacts(Out):
    """The facts a domain error names, when it names some."""

    row: int | None = Field(default=None, description="the row of an import at fault")
    subject_id: int | None = Field(default=None, description="`subject.duplicate`: the holder")
    rule_inputs: RuleInputs | None = Field(
        default=None, description="`entry.not_qualified`: what the rule found"
    )
    field: str | None = Field(
        default=None,
        description="`privacy.forbidden_category`; `declaration.invalid`: the first field at fault",
    )
    category: str | None = Field(default=None, description="`privacy.forbidden_category`")
    permission: str | None = Field(
        default=None, description="`access.missing_permission`: the permission needed"
    )
    list_type: str | None = Field(default=None, description="`entry.illegal_transition`")
    status: str | None = Field(
        default=None, description="`<lifecycle>.illegal_transition`: the status it is in"
    )
    action: str | None = Field(
        default=None, description="`<lifecycle>.illegal_transition`: the move refused"
    )
    retry_after: int | None = Field(
        default=None, description="`auth.throttled`: seconds until attempts are allowed again"
    )
    restorable_from: date | None = Field(
        default=None, description="`record_restoration.too_early`: the first day it may be"
    )
    batch_id: int | None = Field(
        default=None, description="`record.batch_id_reused`: the batch that holds the id"
    )
    constraint: str | None = Field(
        default=None,
        description="a conflict with data stored at the same time: the constraint it broke",
    )
    index: int | None = Field(
        default=None,
        description="`check.*` in a batch: the position (from 0) of the identifier at fault",
    )
    first: int | None = Field(
        default=None, description="`check.duplicate_identifier`: where it was first given"
    )
    limit: int | None = Field(default=None, description="`check.batch_too_large`: the limit")
    missing: list[date] | None = Field(
        default=None,
        description="`calendar.schedule_incomplete`: the statutory holidays left working days",
    )


class Error(Out):
    """An error: a stable machine-readable `code` (e.g. `entry.illegal_transition`) and a
    human-readable `message`; `details` only where there is more to say."""

    code: str = Field(description="stable, dotted: `<context>.<reason>`")
    message: str
    details: ValidationDetails | BatchResult | ErrorFacts | None = Field(
        default=None,
        description="`request.invalid`: the problems; `record.batch_rejected`: the batch "
        "result with its rejected rows (`rejected`: row, field, code, message); other "
        "codes: the facts they name",
    )


class ErrorBody(Out):
    """Every error the API answers has this one shape."""

    error: Error
