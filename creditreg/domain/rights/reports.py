"""Credit reports (信用报告; RIG-2, Art 40): kinds, the free allowance, numbers, periods
and the digest of a report's content.

Art 40: a credit subject obtains "two free credit reports on themselves annually". A full
report and a specialised report (专项信用报告, field by field, for organizations) are
counted separately under the same rule; a further report in a calendar year is issued
only when the caller accepts the fee the settings give (CREDITREG_REPORT_FEE_FEN), and is
recorded as not free. What is signed is the canonical JSON of the report's content
(creditreg.domain.kernel.audit.canonical_json); its SHA-256 is the report's digest.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from creditreg.domain.errors import Conflict, InvalidInput
from creditreg.domain.kernel.audit import canonical_json

# Art 40: two free reports a year; a specialised report is counted apart from full ones.
FREE_PER_YEAR = 2
# The seeds name no fee: a default the settings change (fen, 1/100 yuan).
DEFAULT_FEE_FEN = 1000
# A specialised report covers at most this many years back (DIS-2: five years of display).
MAX_PERIOD_YEARS = 5
NUMBER = re.compile(r"CR-[0-9]{8}-[0-9A-F]{10}")


class ReportKind(StrEnum):
    FULL = "full"  # 信用报告（完整版）
    SPECIALISED = "specialised"  # 专项信用报告（按领域，无违法违规记录证明）


KIND_LABELS_ZH = {ReportKind.FULL: "信用报告", ReportKind.SPECIALISED: "专项信用报告"}


@dataclass(frozen=True, slots=True)
class FeeRule:
    """How many reports of a kind a subject gets free per calendar year, and the fee of
    each further one."""

    free_per_year: int = FREE_PER_YEAR
    fee_fen: int = DEFAULT_FEE_FEN

    def charge(self, issued_this_year: int, accept_fee: bool) -> tuple[bool, int]:
        """(free, fee) of the next report, given how many of its kind the subject was
        issued this calendar year; a further report asked for free is refused."""
        if issued_this_year < self.free_per_year:
            return True, 0
        if not accept_fee:
            raise Conflict(
                "report.no_free_report_left",
                f"the subject had its {self.free_per_year} free reports of this kind this "
                f"year (Art 40); a further one costs {self.fee_fen / 100:.2f} yuan: ask again "
                "accepting the fee (`accept_fee` in the API, --accept-fee in the CLI)",
            )
        return False, self.fee_fen


@dataclass(frozen=True, slots=True)
class Period:
    """The span a specialised report covers, both days included."""

    start: date
    end: date


def specialised_period(start: date | None, end: date | None, today: date) -> Period:
    """The period the subject chose: it ends by today and starts at most five years back
    (and by default is the last three years)."""
    end = end or today
    start = start or date(end.year - 3, end.month, min(end.day, 28))
    if start > end:
        raise InvalidInput(
            "report.invalid_period", f"the period starts ({start}) after it ends ({end})"
        )
    if end > today:
        raise InvalidInput(
            "report.invalid_period", f"the period ends ({end}) after today ({today})"
        )
    if start.year < today.year - MAX_PERIOD_YEARS:
        raise InvalidInput(
            "report.invalid_period",
            f"a specialised report covers at most {MAX_PERIOD_YEARS} years back (DIS-2)",
        )
    return Period(start, end)


def new_number(now: datetime) -> str:
    """A report's number: the day, and 40 random bits (no report's number tells another's)."""
    return f"CR-{now:%Y%m%d}-{secrets.token_hex(5).upper()}"


def check_number(raw: str) -> str:
    """A report number as printed, or `report.invalid_number`."""
    number = raw.strip().upper()
    if not NUMBER.fullmatch(number):
        raise InvalidInput(
            "report.invalid_number", "a report number looks like CR-20260302-0123456789"
        )
    return number


def canonical(content: dict[str, Any]) -> bytes:
    """The bytes that are signed: the content's canonical JSON."""
    return canonical_json(content)


def digest(content: dict[str, Any]) -> str:
    """The report's SHA-256 digest (hex), printed on both renderings."""
    return hashlib.sha256(canonical(content)).hexdigest()


def check_digest(raw: str) -> str:
    """A SHA-256 digest as printed (64 hex digits), or `report.invalid_digest`."""
    value = raw.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", value):
        raise InvalidInput("report.invalid_digest", "a digest is 64 hexadecimal digits (SHA-256)")
    return value
