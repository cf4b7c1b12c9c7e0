"""Credit records: classification, usability for discipline, disclosure periods
(ING-4, ING-5, STD-4, DIS-2; Art 13, 19, 20, 27, 33)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date
from enum import StrEnum

from creditreg.domain.errors import InvalidInput
from creditreg.domain.records.catalog import Character

# The Chinese reader's words for these codes, in one place (the portal's rules, reports).
CHARACTER_ZH = {"trustworthy": "守信", "untrustworthy": "失信", "neutral": "一般"}
SEVERITY_ZH = {"minor": "轻微", "general": "一般", "serious": "严重"}
_ARTICLES_ZH = {20: "第二十条", 33: "第三十三条"}
_CLASS_CODE = re.compile(r"art(\d+)_(\d+)")


def clause_zh(code: str) -> str | None:
    """An Art 20 or Art 33 class code ("art33_2") as its clause, "《条例》第三十三条第（2）
    项"; None for any other text."""
    found = _CLASS_CODE.fullmatch(code)
    if found is None or int(found.group(1)) not in _ARTICLES_ZH:
        return None
    return f"《条例》{_ARTICLES_ZH[int(found.group(1))]}第（{found.group(2)}）项"


class UntrustworthyClass(StrEnum):
    """Art 20 (1)-(6): what makes information untrustworthy information."""

    IMPROPER_MEANS = "art20_1"  # permits, payments, rewards obtained by improper means
    FINAL_PUNISHMENT = "art20_2"  # punishments not challenged in time, or upheld
    CRIME = "art20_3"  # crimes held established by an effective judgment
    COMPULSION = "art20_4"  # administrative compulsory enforcement
    REFUSAL_TO_PERFORM = "art20_5"  # refusing effective legal documents
    OTHER_VIOLATION = "art20_6"  # other violations lawfully identified


class SeriousClass(StrEnum):
    """Art 33 (1)-(10): serious untrustworthy conduct (STD-4)."""

    PUBLIC_SAFETY = "art33_1"  # health, life and property: food, drugs, environment ...
    MARKET_ORDER = "art33_2"  # bribery, tax evasion, fraud, illegal fundraising ...
    CONSUMERS_INVESTORS = "art33_3"  # fakes, false advertising, investors' rights
    EDUCATION_RESEARCH = "art33_4"  # exam cheating, plagiarism, faked data
    JUDGMENT_DEFAULTER = "art33_5"  # refusing effective documents, defaulters' list
    NATIONAL_DEFENCE = "art33_6"  # refusing national-defence obligations
    DEFAMATION = "art33_7"  # slander with serious consequences
    BROKEN_PLEDGE = "art33_8"  # public credit pledges broken, serious consequences
    FORGED_CREDENTIALS = "art33_9"  # forged documents to obtain permits, benefits
    OTHER = "art33_10"  # other serious conduct laws or regulations name


class Severity(StrEnum):
    """Severity for the national disclosure preset."""

    MINOR = "minor"
    GENERAL = "general"
    SERIOUS = "serious"


@dataclass(frozen=True)
class ReviewPeriods:
    """ING-5: how long a punishment may still be challenged (configuration).

    Defaults: 60 days for administrative reconsideration (Administrative Reconsideration
    Law art 20) and 6 months for litigation (Administrative Litigation Law art 46); a
    punishment counts once the longer has passed, or once it was upheld.
    """

    reconsideration_days: int = 60
    litigation_months: int = 6

    def final_on(self, decision: date) -> date:
        try:
            by_reconsideration = date.fromordinal(decision.toordinal() + self.reconsideration_days)
        except (ValueError, OverflowError):
            raise _out_of_range(decision, f"{self.reconsideration_days} days") from None
        by_litigation = add_months(decision, self.litigation_months)
        return max(by_reconsideration, by_litigation)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day where it is shorter); a day beyond
    the calendar (years 1-9999) is `calendar.out_of_range`, never a crash."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if not MINYEAR <= year <= MAXYEAR:
        raise _out_of_range(day, f"{months} months")
    # The month's own last day where `day` is later (31 January + 1 month: 28/29 February).
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def _out_of_range(day: date, span: str) -> InvalidInput:
    return InvalidInput(
        "calendar.out_of_range", f"{span} from {day.isoformat()} runs past the calendar's years"
    )


def discipline_block(
    *,
    natural_person: bool,
    simplified_procedure: bool,
    corrected_minor: bool,
    fee_arrears: bool,
    arrears_verified: bool,
) -> str | None:
    """ING-4: why a record may never ground joint disciplinary action, or None."""
    if natural_person and simplified_procedure:
        return "Art 13: a natural person's punishment under the simplified procedure"
    if natural_person and corrected_minor:
        return "Art 13: a natural person's minor violation whose consequences were removed"
    if fee_arrears and not arrears_verified:
        return "Art 27: public-utility or property-fee arrears not verified according to law"
    return None


class DisclosurePolicy(StrEnum):
    """DIS-2: which rule sets display periods (configuration)."""

    REGULATIONS = "regulations"  # Art 19: trustworthy long-term; untrustworthy <= 5 years
    NATIONAL = "national"  # minor <= 3 months; general 3 months-1 year; serious 1-3 years


def display_until(
    policy: DisclosurePolicy,
    character: Character,
    decision: date | None,
    severity: Severity,
    requested: date | None = None,
) -> date | None:
    """The last day a record is displayed (None: long-term), counted from its decision.

    `requested` is the provider's own end date (e.g. 公示截止期); it is kept within the
    policy's bounds, never beyond the longest period.
    """
    if character is not Character.UNTRUSTWORTHY:
        return None  # Art 19: trustworthy (and neutral) information may be shown long-term
    if decision is None:
        raise InvalidInput(
            "record.no_decision_date", "untrustworthy information needs its decision date (Art 19)"
        )
    if policy is DisclosurePolicy.REGULATIONS:
        shortest, longest = 0, 60  # Art 19: at most 5 years
    else:
        shortest, longest = {
            Severity.MINOR: (0, 3),
            Severity.GENERAL: (3, 12),
            Severity.SERIOUS: (12, 36),
        }[severity]
    end = requested or add_months(decision, longest)
    return max(add_months(decision, shortest), min(end, add_months(decision, longest)))
