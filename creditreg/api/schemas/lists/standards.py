"""Lists: the fields and the designation standards (STD-1..4)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from creditreg.api.schemas.common import In, Out, Timestamp
from creditreg.domain.lists.standards import ListType, Scope
from creditreg.domain.records.catalog import Character
from creditreg.domain.subjects.identifiers import SubjectKind

# --- fields and standards ------------------------------------------------------------------


class ListField(Out):
    """A field of the taxonomy standards are set in (Op(3))."""

    code: str
    label: str
    label_zh: str
    key_field: bool = Field(description="counts towards the big-data warning list (Op(16))")


class AmountThreshold(Out):
    """A record counts only if a numeric template field reaches `minimum`."""

    field: str
    minimum: str = Field(description="a decimal number, as text (exact)")


class Rule(Out):
    """STD-2: which verified records propose a subject, how many, within what period."""

    character: Character = Field(description="trustworthy (red list) or untrustworthy")
    catalog_codes: list[str] = Field(default_factory=list, description="empty: any item")
    untrustworthy_classes: list[str] = Field(default_factory=list, description="Art 20 classes")
    serious_classes: list[str] = Field(default_factory=list, description="Art 33 classes")
    serious_only: bool = Field(default=False, description="only Art 33 serious conduct counts")
    severities: list[str] = Field(default_factory=list)
    min_count: int = 1
    within_months: int | None = Field(default=None, description="decided no longer ago than this")
    amount: AmountThreshold | None = None
    clean_months: int | None = Field(
        default=None, description="red list: no untrustworthy record within this many months"
    )


class RestorationTerms(Out):
    """Whether, how and after how long credit can be restored (Op(15), LST-8)."""

    restorable: bool
    method: str
    after_months: int


class Standard(Out):
    """STD-1: a published designation standard version: procedure, basis, rule and terms."""

    id: int
    code: str
    version: int
    status: Literal["current", "superseded"]
    field: str
    field_label: str = Field(description="the field's Chinese label")
    key_field: bool
    list_type: ListType
    scope: Scope
    region: str | None = Field(description="a local standard's region")
    approval: str | None = Field(description="a local standard's approval")
    title: str
    legal_basis: str
    procedure: str
    rule: Rule
    rule_text: str = Field(description="the rule in one line")
    rule_text_zh: str = Field(description="the rule in one Chinese sentence (the portal's)")
    validity_months: int
    window_days: int = Field(description="announcement or objection window, in working days")
    restoration: RestorationTerms
    scrutiny_months: int = Field(description="key scrutiny after a blacklist removal")
    measures: list[str] = Field(description="catalog codes of the measures (MEA-1)")
    severity: str = Field(description="general, serious or especially_serious (MEA-6, Art 31)")
    published_at: Timestamp


class AmountThresholdIn(In):
    """A numeric template field and its minimum."""

    field: str
    minimum: str | float | int


class RuleIn(In):
    """STD-2: the rule of a standard (unknown keys are refused)."""

    model_config = ConfigDict(extra="forbid")

    character: str | None = Field(default=None, description="fixed by the list type if absent")
    catalog_codes: list[str] | None = None
    untrustworthy_classes: list[str] | None = None
    serious_classes: list[str] | None = None
    serious_only: bool | None = None
    severities: list[str] | None = None
    min_count: int | None = Field(default=None, ge=1, le=100)
    within_months: int | None = Field(default=None, ge=1, le=120)
    amount: AmountThresholdIn | None = None
    clean_months: int | None = Field(default=None, ge=1, le=120)


class RestorationTermsIn(In):
    """A blacklist standard's restoration terms."""

    restorable: bool = False
    method: str = ""
    after_months: int = 0


class StandardIn(In):
    """STD-1: a standard to publish (a new code, or the next version of one)."""

    code: str
    field: str
    list_type: str = Field(description="red_list, blacklist, key_scrutiny or big_data_warning")
    scope: str = Field(default="national", description="national or local")
    title: str
    legal_basis: str
    procedure: str = ""
    rule: RuleIn = Field(default_factory=RuleIn)
    validity_months: int = 0
    window_days: int = 0
    restoration: RestorationTermsIn = Field(default_factory=RestorationTermsIn)
    scrutiny_months: int = 0
    measures: list[str] = Field(
        default_factory=list, description="catalog codes, e.g. ART34-1 (GET /api/v1/measures)"
    )
    severity: str | None = Field(
        default=None,
        description="general, serious or especially_serious; default: serious for a "
        "blacklist, general otherwise (MEA-6, Art 31)",
    )
    region: str | None = Field(default=None, description="a local standard's region")
    approval: str | None = Field(default=None, description="a local standard's approval")


class Skipped(Out):
    """An entry a set of changes left alone, and why."""

    entry: int
    why: str


class Changes(Out):
    """What a set of changes did to entries, as counts."""

    designated: int
    removed: int
    deleted: int
    key_scrutiny_followups: int = Field(description="key-scrutiny entries started by removals")
    skipped: list[Skipped]


class Reevaluation(Changes):
    """STD-3: entries under the earlier version checked, and those removed."""

    checked: int


class StandardPublished(Out):
    """The published version, and the re-evaluation of the entries resting on earlier ones
    (null for a new code)."""

    standard: Standard
    reevaluation: Reevaluation | None


class Candidate(Out):
    """STD-2: a subject the standard proposes today, not yet on its list."""

    subject_id: int
    name: str
    kind: SubjectKind
    records: int = Field(description="matching records")
