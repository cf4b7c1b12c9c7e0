"""Credit-information catalog items: their elements and lifecycle (CAT-1..4; Art 11, 12, 14);
their data templates are `templates` and `template_fields`.

A catalog item is versioned: records are always validated against, and keep pointing
to, the version they were received under, so a new version never changes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from creditreg.domain.errors import InvalidInput
from creditreg.domain.fields import FIELDS, OTHER_FIELD
from creditreg.domain.kernel.lifecycle import Lifecycle
from creditreg.domain.records.declarations import DeclarationKind
from creditreg.domain.records.templates import Template
from creditreg.domain.subjects.identifiers import SubjectKind


class ContentClass(StrEnum):
    """Art 12 (1)-(7): the catalog's top-level classes (CAT-3)."""

    REGISTRATION = "registration"  # (1) basic registration information
    ADMINISTRATIVE_ACTS = "administrative_acts"  # (2) permits, punishments, compulsion ...
    PUBLIC_FUNCTIONS = "public_functions"  # (3) organizations with public-affairs duties
    COMMENDATIONS = "commendations"  # (4) commendations, rewards, volunteer service
    CRIMINAL_JUDGMENTS = "criminal_judgments"  # (5) crimes held established by judgment
    REFUSAL_TO_PERFORM = "refusal_to_perform"  # (6) refusing effective legal documents
    OTHER = "other"  # (7) other information laws or regulations require


class Character(StrEnum):
    """Art 11: information character."""

    TRUSTWORTHY = "trustworthy"
    UNTRUSTWORTHY = "untrustworthy"
    NEUTRAL = "neutral"


class Disclosure(StrEnum):
    """Art 18: sharing property / disclosure mode (DIS-1)."""

    PUBLIC_DISPLAY = "public_display"
    GOVERNMENT_SHARING = "government_sharing"
    AUTHORIZED_INQUIRY = "authorized_inquiry"


class InfoKind(StrEnum):
    """Art 10: public credit information (state organs) or market credit information."""

    PUBLIC = "public_credit_info"
    MARKET = "market_credit_info"


class ItemStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    RETIRED = "retired"


@dataclass(frozen=True)
class ItemDraft:
    """What a catalog item version says (Art 11 elements)."""

    code: str
    name: str
    content_class: ContentClass
    info_kind: InfoKind
    subject_kinds: tuple[SubjectKind, ...]
    character: Character
    disclosure: Disclosure
    scope: str
    information_items: str
    template: Template
    reduces_rights: bool = False
    untrustworthy_class: str | None = None  # Art 20 class of this item's records
    serious_class: str | None = None  # Art 33 class, where the whole item is serious
    fee_arrears: bool = False  # Art 27: public-utility or property-fee arrears
    # ING-6, Art 15: an item meant for subjects' own declarations says which kind it takes;
    # None: only its providing unit (or the platform for it) submits records against it.
    declaration_kind: DeclarationKind | None = None
    # Op(3): the field (sector) the item's records belong to, for specialised reports and
    # the measures; None in a draft: its providing unit's first field.
    field: str | None = None

    @property
    def for_self_declaration(self) -> bool:
        """ING-6: subjects declare their own information against this item."""
        return self.declaration_kind is not None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z0-9][A-Z0-9_.-]{1,39}", self.code):
            raise InvalidInput(
                "catalog.bad_code",
                f"a data code is 2-40 upper-case letters, digits, _ . -: {self.code!r}",
            )
        if not self.subject_kinds:
            raise InvalidInput(
                "catalog.no_subject_kind", "an item covers at least one subject kind"
            )
        if self.field is not None and self.field not in FIELDS and self.field != OTHER_FIELD.code:
            raise InvalidInput(
                "catalog.unknown_field",
                f"{self.field!r} is not a field of the taxonomy: {', '.join(FIELDS)} or other",
            )


def check_approvable(
    draft: ItemDraft,
    *,
    expert_assessment: str | None,
    comment_start: date | None,
    comment_end: date | None,
    today: date,
) -> None:
    """CAT-2, Art 11: an item that reduces rights or adds obligations needs a recorded expert
    assessment and a public-comment period that has ended before it is approved."""
    if not draft.reduces_rights:
        return
    if not (expert_assessment or "").strip():
        raise InvalidInput(
            "catalog.needs_expert_assessment",
            "this item reduces subjects' rights or adds obligations: record the expert "
            "assessment first (Art 11)",
        )
    if comment_start is None or comment_end is None or comment_end < comment_start:
        raise InvalidInput(
            "catalog.needs_public_comment",
            "this item reduces subjects' rights or adds obligations: record the public-comment "
            "period first (Art 11)",
        )
    if comment_end >= today:
        raise InvalidInput(
            "catalog.comment_period_open",
            f"the public-comment period runs until {comment_end.isoformat()}; approve after it",
        )


# CAT-2, Art 11: a draft is approved (after any assessment and comment period it needs);
# a newer approved version retires the older one for new records.
CATALOG_ITEM = Lifecycle(
    "catalog_item",
    {
        (ItemStatus.DRAFT.value, "approve"): ItemStatus.APPROVED.value,
        (ItemStatus.APPROVED.value, "retire"): ItemStatus.RETIRED.value,
    },
    concept="catalog",  # its codes are catalog.*, as catalog.not_draft
)
