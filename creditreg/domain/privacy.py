"""Privacy rules (PRI-1..3; Art 45, Art 46, Op(11))."""

from __future__ import annotations

from enum import StrEnum

from creditreg.domain.errors import InvalidInput


class DataCategory(StrEnum):
    """Categories of personal data a template field may declare (Art 45)."""

    # Never collected (Art 45 para 2).
    RELIGIOUS_FAITH = "religious_faith"
    GENETICS = "genetics"
    FINGERPRINTS = "fingerprints"
    BLOOD_TYPE = "blood_type"
    ILLNESS = "illness"
    MEDICAL_HISTORY = "medical_history"
    # Only with written consent after a warning of the consequences (Art 45 para 2).
    INCOME = "income"
    SAVINGS = "savings"
    SECURITIES = "securities"
    COMMERCIAL_INSURANCE = "commercial_insurance"
    REAL_ESTATE = "real_estate"
    TAX_AMOUNT = "tax_amount"


FORBIDDEN = frozenset(
    {
        DataCategory.RELIGIOUS_FAITH,
        DataCategory.GENETICS,
        DataCategory.FINGERPRINTS,
        DataCategory.BLOOD_TYPE,
        DataCategory.ILLNESS,
        DataCategory.MEDICAL_HISTORY,
    }
)
NEEDS_WRITTEN_CONSENT = frozenset(set(DataCategory) - FORBIDDEN)

# Words that give a forbidden category away in a field's name or label, so that a
# template cannot smuggle one in under an innocent category (Art 45, Art 46).
_FORBIDDEN_WORDS = {
    DataCategory.RELIGIOUS_FAITH: ("religion", "religious", "faith", "宗教", "信仰"),
    DataCategory.GENETICS: ("genetic", "gene", "dna", "基因", "遗传"),
    DataCategory.FINGERPRINTS: ("fingerprint", "指纹"),
    DataCategory.BLOOD_TYPE: ("blood_type", "bloodtype", "blood type", "血型"),
    DataCategory.ILLNESS: ("illness", "disease", "diagnosis", "疾病", "病情"),
    DataCategory.MEDICAL_HISTORY: ("medical_history", "medical history", "病史", "病历"),
}

# The warning a subject must be shown before consenting to these categories (Art 45).
CONSENT_WARNING = (
    "提供收入、存款、有价证券、商业保险、不动产和纳税数额等信息，可能对您产生不利后果，"
    "包括被用于评价您的信用状况。 Providing income, savings, securities, commercial "
    "insurance, real estate or tax amounts may have negative consequences for you, including "
    "their use in assessing your credit."
)


def forbidden_category_in(name: str, label: str) -> DataCategory | None:
    """The forbidden category a field's name or label reveals, if any."""
    text = f"{name} {label}".lower()
    for category, words in _FORBIDDEN_WORDS.items():
        if any(word in text for word in words):
            return category
    return None


def check_field_allowed(name: str, label: str, category: DataCategory | None) -> None:
    """PRI-2: refuse a template field that would collect a forbidden category."""
    found = category if category in FORBIDDEN else forbidden_category_in(name, label)
    if found is not None:
        raise InvalidInput(
            "privacy.forbidden_category",
            f"field {name!r} would collect {found.value.replace('_', ' ')}, which is never "
            "collected (Art 45)",
            field=name,
            category=found.value,
        )


def mask_personal_number(number: str) -> str:
    """Op(11): a personal document number as it may be published."""
    if len(number) <= 4:
        return "*" * len(number)
    keep = 4 if len(number) >= 15 else 2
    return number[:keep] + "*" * (len(number) - keep - 2) + number[-2:]
