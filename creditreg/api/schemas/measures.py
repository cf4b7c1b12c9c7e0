"""The catalog of measures (MEA-1, Art 29) and memoranda of cooperation (MEA-2, Op(12))."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from creditreg.api.schemas.common import In, Out

# A unit id fits 64 bits (ids are BIGINT): a larger one is a 422, never an overflow.
UnitId = Annotated[int, Field(ge=1, le=2**63 - 1)]

Kind = Literal["incentive", "punishment"]
TriggerName = Literal["red_list", "untrustworthy_record", "blacklist", "key_scrutiny"]
SeverityName = Literal["general", "serious", "especially_serious"]


class MeasureIn(In):
    """MEA-1, Art 29: a measure for the catalog (the platform only)."""

    code: str = Field(max_length=40, description="e.g. LOCAL-1 (ART* are the regulations')")
    kind: str = Field(description="incentive or punishment")
    trigger: str = Field(
        description="red_list, untrustworthy_record (Art 32: also listed subjects), "
        "blacklist or key_scrutiny"
    )
    content: str = Field(max_length=2000, description="what is done, in Chinese")
    content_en: str = Field(default="", max_length=2000)
    legal_basis: str = Field(max_length=500, description="law and article")
    min_severity: str | None = Field(
        default=None,
        description="general, serious or especially_serious (Art 31); default: serious for "
        "blacklist measures, general otherwise",
    )
    facilitation: bool = Field(
        default=False, description="a green-channel incentive for the red list (MEA-7, Op(13))"
    )
    units: list[UnitId] = Field(default_factory=list, description="implementing unit ids")


class MeasureUpdateIn(In):
    """Art 29: corrected texts, basis or implementing units; a field left out or null stays
    as it is. Kind, trigger and severity never change (standards and memoranda were checked
    against them): naming one, or any other key, is a 422."""

    model_config = ConfigDict(extra="forbid")

    content: str | None = Field(default=None, max_length=2000)
    content_en: str | None = Field(default=None, max_length=2000)
    legal_basis: str | None = Field(default=None, max_length=500)
    facilitation: bool | None = None
    units: list[UnitId] | None = None


class MeasureWithdrawIn(In):
    reason: str = Field(max_length=2000)


class MeasureObliged(Out):
    """MEA-2: a unit a memorandum in force obliges to apply a measure."""

    unit_id: int
    unit_name: str
    memorandum_code: str
    memorandum_version: int
    field: str | None = Field(description="null: in every field")


class Measure(Out):
    """MEA-1, Art 29: a measure of the public catalog."""

    code: str
    kind: Kind
    trigger: TriggerName
    content: str
    content_en: str
    legal_basis: str
    min_severity: SeverityName = Field(description="the least severity it needs (Art 31)")
    facilitation: bool = Field(description="a green-channel incentive (MEA-7)")
    status: Literal["active", "withdrawn"]
    units: list[int] = Field(description="its implementing units named in the catalog")
    obliged: list[MeasureObliged] = Field(
        description="the units the memoranda in force oblige to apply it (Op(12)), by name"
    )


class MemorandumItemIn(In):
    """Op(12): on a fact of `trigger` (in `field`, or any), `unit_id` applies `measure`."""

    trigger: str
    field: str | None = Field(default=None, description="null: every field")
    measure: str = Field(description="a catalog code")
    unit_id: int = Field(ge=1, le=2**63 - 1, description="the implementing unit")


class MemorandumIn(In):
    """MEA-2, Op(12): a memorandum's next version (a draft until published)."""

    code: str = Field(max_length=40)
    title: str = Field(max_length=200)
    effective_from: date
    effective_until: date | None = None
    signatories: list[UnitId] = Field(
        default_factory=list, description="unit ids (the implementing units sign too)"
    )
    items: list[MemorandumItemIn]


class MemorandumItem(Out):
    trigger: TriggerName
    field: str | None
    measure: str
    measure_content: str
    unit_id: int


class Memorandum(Out):
    """MEA-2, Op(12): a memorandum version."""

    id: int
    code: str
    version: int
    title: str
    status: Literal["draft", "published", "in_force", "superseded", "ended"] = Field(
        description="draft -> published (waiting for its date) -> in_force -> superseded | ended"
    )
    effective_from: date
    effective_until: date | None
    published: bool = Field(description="a published draft enters into force on its date")
    signatories: list[int]
    items: list[MemorandumItem]
