"""Feedback on measures applied, their statistics and typical cases (MEA-4, LST-7)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from creditreg.api.schemas.common import In, Out, Timestamp


class MeasureFeedbackIn(In):
    """MEA-4: which measure the unit applied to which subject, when, in which case file."""

    subject_id: int = Field(ge=1)
    measure_code: str = Field(max_length=40, description="the catalog code, e.g. `ART34-1`")
    applied_on: date = Field(description="the day it was applied (not in the future)")
    case_file: str = Field(max_length=500, description="the unit's own case file number")
    entry_id: int | None = Field(
        default=None, ge=1, description="the entry it answers, when the check named several"
    )
    record_id: int | None = Field(default=None, ge=1, description="... or the record")
    note: str | None = Field(default=None, max_length=5000)


class TypicalIn(In):
    """Op(13): mark a report as a typical case (with why), or unmark it."""

    typical: bool
    note: str | None = Field(
        default=None,
        max_length=5000,
        description="the case as published (EXT-4, `GET /api/v1/public/typical-cases`): "
        "write it for the public; personal numbers and a person's name are masked there",
    )


class MeasureFeedback(Out):
    """A report of a measure applied, held to the check that returned it."""

    id: int
    unit_id: int
    unit_name: str | None
    subject_id: int
    measure_code: str
    kind: str
    entry_id: int | None
    record_id: int | None
    check_id: int = Field(description="the query register's row of the check that returned it")
    field: str
    applied_on: date
    case_file: str
    note: str | None
    typical: bool
    typical_note: str | None
    created_at: Timestamp


class FeedbackCount(Out):
    """One line of the statistics."""

    key: str = Field(description="the measure code, field, unit id or month (YYYY-MM)")
    label: str | None = Field(description="the measure's content or the unit's name")
    applied: int
    typical: int


class PublishedCase(Out):
    """EXT-4, Op(13): a typical case as published."""

    id: int
    measure_code: str
    measure_content: str | None
    kind: str = Field(description="incentive or punishment")
    field: str
    unit_name: str | None = Field(description="the implementing unit that applied it")
    applied_on: date
    summary: str = Field(description="the platform's account of the case, masked (DIS-3)")
    marked_on: date | None
