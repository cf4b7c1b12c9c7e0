"""The field taxonomy (领域; Op(3), Op(16)): the sectors that standards, lists, catalog
items and specialised credit reports are organised by.

Shared vocabulary of several contexts (records file their catalog items under a field,
lists designate within a field, rights reports field by field), so it sits beside
`errors.py` rather than in one context. Labels follow GLOSSARY.md: English for the English
UI, Chinese shown by default.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from creditreg.domain.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Field:
    code: str
    label: str
    label_zh: str
    key: bool  # Op(16)-(17): key fields count towards the big-data warning list


# Op(3): standards are set per field. Key fields follow Art 33(1)-(5) and Op(16); the
# Regulations and Opinions name market supervision, taxation, environmental protection and
# work (production) safety among them.
FIELDS: dict[str, Field] = {
    f.code: f
    for f in (
        Field("taxation", "taxation", "税务", True),
        Field("food_drug_safety", "food and drug safety", "食品药品安全", True),
        Field("ecology_environment", "ecology and environment", "生态环境", True),
        Field("construction", "construction", "工程建设", True),
        Field("production_safety", "production safety", "安全生产", True),
        Field("court_defaulters", "courts' judgment defaulters", "法院失信被执行人", True),
        Field("finance", "finance", "金融", True),
        Field("market_regulation", "market regulation", "市场监管", True),
        Field("education_research", "education and research", "教育科研", False),
        Field("transport", "transport", "交通运输", False),
        Field("public_resources", "public resource trading", "公共资源交易", False),
        Field("labour_social_security", "labour and social security", "劳动保障", False),
    )
}

# A catalog item whose providing unit names no field of the taxonomy is filed here.
OTHER_FIELD = Field("other", "other", "其他", False)


def default_field(unit_fields: Iterable[str]) -> str:
    """The field a catalog item takes from its providing unit's scope: the unit's first
    field (in the taxonomy's order) that the taxonomy knows, else `other`."""
    held = set(unit_fields)
    return next((code for code in FIELDS if code in held), OTHER_FIELD.code)


def field_label(code: str) -> Field:
    """The field `code` names (`other` and unknown codes as `other`)."""
    return FIELDS.get(code, OTHER_FIELD)


def unit_fields(raw: Iterable[str]) -> list[str]:
    """SEC-1, Op(3): a unit's fields, each of the taxonomy (`unit.unknown_field` names the
    codes it knows): a unit given a field nobody designates in could do nothing there."""
    chosen = sorted({f.strip() for f in raw if f.strip()})
    unknown = [f for f in chosen if f not in FIELDS]
    if unknown:
        raise InvalidInput(
            "unit.unknown_field",
            f"not a field of the taxonomy: {', '.join(unknown)}; one of: {', '.join(FIELDS)}",
        )
    return chosen
