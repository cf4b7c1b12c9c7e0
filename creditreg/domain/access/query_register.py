"""The query register (查询记录; SEC-2, Op(24), Art 40): every read of a subject's
information by a unit, with its purpose, kept for the subject to see.

Op(24) asks for "systems for personal information inquiry registration and review"; Art 40
gives the subject the right to know how its information was used and asks credit reports
to show "the use of and inquiries into" it. A read is registered in the transaction that
reads; the subject sees the last two years (RETENTION_MONTHS), after which the sweep
removes the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from creditreg.domain.errors import InvalidInput, parse_enum

# Art 40: the subject sees who queried it "in the last two years" (issue 10); rows older
# than this are removed by the sweep.
RETENTION_MONTHS = 24
MAX_NOTE = 200


class Purpose(StrEnum):
    """Why a unit read a subject's information: a fixed list, plus a free note."""

    DUTIES = "duties"  # Art 22: performing its statutory duties (government sharing)
    VERIFICATION = "verification"  # Art 17: verifying records received
    DESIGNATION = "designation"  # Op(6), Art 28: designating or reviewing a list entry
    OBJECTION = "objection"  # Art 41: handling an objection
    RESTORATION = "restoration"  # Art 43; Op(14)-(15): handling a restoration
    CHECK = "check"  # Op(12): the joint rewards and punishments check
    AUTHORIZED_INQUIRY = "authorized_inquiry"  # Art 22: with the subject's authorization
    SUPERVISION = "supervision"  # Art 65, Op(24): oversight and review of units' duties


PURPOSE_LABELS_ZH: dict[Purpose, str] = {
    Purpose.DUTIES: "履行职责",
    Purpose.VERIFICATION: "数据校验",
    Purpose.DESIGNATION: "名单认定",
    Purpose.OBJECTION: "异议处理",
    Purpose.RESTORATION: "信用修复",
    Purpose.CHECK: "联合奖惩核查",
    Purpose.AUTHORIZED_INQUIRY: "授权查询",
    Purpose.SUPERVISION: "监督检查",
}


@dataclass(frozen=True, slots=True)
class QueryPurpose:
    """The purpose a caller states for a read (`duties` when it states none)."""

    purpose: Purpose = Purpose.DUTIES
    note: str | None = None


def parse_purpose(raw: str | None, note: str | None = None) -> QueryPurpose:
    """A stated purpose (one of Purpose) and an optional note of at most 200 characters."""
    purpose = Purpose.DUTIES if raw is None or not raw.strip() else _purpose(raw)
    clean = note.strip() if note else None
    if clean and (len(clean) > MAX_NOTE or any(ord(c) < 32 for c in clean)):
        raise InvalidInput(
            "query.invalid_note",
            f"a purpose note is one line of at most {MAX_NOTE} characters",
        )
    return QueryPurpose(purpose, clean or None)


def _purpose(raw: str) -> Purpose:
    return parse_enum(Purpose, raw, "query.invalid_purpose")
