"""Corrections of errors (OBJ-5; Op(23), Art 66): an entry or record found to be made in
error is deleted (an entry, Op(20)) or withdrawn or returned to its provider to be fixed
(a record); the unit that made it apologizes to the subject in writing, a notice restoring
the subject's reputation goes out on the channels the entry used, compensation claims are
recorded with their decisions, and incentives given in error are listed for reclaiming.

A correction is a fact, not a process: it has no status. A compensation claim is a
lifecycle:

claimed --grant--> granted --pay--> paid
claimed --refuse--> refused
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from creditreg.domain.errors import InvalidInput
from creditreg.domain.kernel.codes import shows_nothing
from creditreg.domain.kernel.lifecycle import Lifecycle
from creditreg.domain.lists.notices import channels_text


class Done(StrEnum):
    """What the correction did to the item made in error."""

    DELETED = "deleted"  # a list entry: deleted and not kept (Op(20))
    WITHDRAWN = "withdrawn"  # a record: withdrawn from use, with the reason
    RETURNED = "returned"  # a record: returned to its provider to be fixed


class ClaimStatus(StrEnum):
    CLAIMED = "claimed"
    GRANTED = "granted"
    REFUSED = "refused"
    PAID = "paid"


class ClaimOutcome(StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"


COMPENSATION = Lifecycle(
    "compensation_claim",
    {
        (ClaimStatus.CLAIMED, "grant"): ClaimStatus.GRANTED,
        (ClaimStatus.CLAIMED, "refuse"): ClaimStatus.REFUSED,
        (ClaimStatus.GRANTED, "pay"): ClaimStatus.PAID,
    },
    concept="compensation",
)

ERROR_MAX = 5000
GROUNDS_MAX = 5000
# Art 66: "compensation in accordance with law"; a sanity bound, not a legal cap.
AMOUNT_MAX_FEN = 10**13
_AMOUNT = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?")


def clean_error(raw: str) -> str:
    """What the error was (1 to 5000 characters): the apology and the notice say it."""
    text = raw.strip()
    if not text:
        raise InvalidInput("correction.no_error", "say what the error was (Op(23))")
    if len(text) > ERROR_MAX:
        raise InvalidInput("correction.error_too_long", f"at most {ERROR_MAX} characters")
    return text


def clean_grounds(raw: str) -> str:
    """Why the subject claims compensation: what harm the error did (Art 66)."""
    text = raw.strip()
    if shows_nothing(text):
        raise InvalidInput(
            "compensation.no_grounds", "say what loss the error caused (Art 66; Op(23))"
        )
    if len(text) > GROUNDS_MAX:
        raise InvalidInput("compensation.grounds_too_long", f"at most {GROUNDS_MAX} characters")
    return text


def parse_amount(raw: str) -> int:
    """An amount in yuan with at most two decimals ("12000", "350.5"), as fen."""
    text = raw.strip()
    if not _AMOUNT.fullmatch(text):
        raise InvalidInput(
            "compensation.bad_amount",
            f"an amount is yuan with at most two decimals, like 12000 or 350.50: {raw!r}",
        )
    try:
        fen = int(Decimal(text) * 100)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise InvalidInput("compensation.bad_amount", f"not an amount: {raw!r}") from None
    if fen <= 0 or fen > AMOUNT_MAX_FEN:
        raise InvalidInput("compensation.bad_amount", "an amount is more than 0")
    return fen


def yuan(fen: int | None) -> str | None:
    """Fen as a yuan amount with two decimals."""
    return None if fen is None else f"{fen // 100}.{fen % 100:02d}"


@dataclass(frozen=True, slots=True)
class Apology:
    """What the written apology says (Op(23); Art 66: a formal apology, the impact
    eliminated, the reputation restored)."""

    unit_name: str
    matter: str
    error: str
    done: Done
    corrected_on: date
    channels: tuple[str, ...]
    public_until: date | None
    correction_id: int

    def content(self) -> dict[str, Any]:
        """The notice's content (rendered in Chinese or English by `notices.render`)."""
        did = {
            Done.DELETED: "已删除，不予保留（《指导意见》第（二十）项）",
            Done.WITHDRAWN: "已撤回，不再使用",
            Done.RETURNED: "已退回信息提供单位更正",
        }[self.done]
        clarification = (
            f"已在{channels_text(self.channels)}发布更正说明，公示至{self.public_until.isoformat()}"
            if self.channels and self.public_until is not None
            else "该信息未曾公开，无需公开更正"
        )
        return {
            "apology": (
                f"{self.unit_name}因工作失误，{self.matter}有误，现已更正。"
                "对由此给您造成的影响，我单位郑重致歉。"
            ),
            "matter": self.matter,
            "error": self.error,
            "correction": did,
            "corrected_on": self.corrected_on.isoformat(),
            "clarification": clarification,
            "compensation": (
                f"造成损失的，可依法申请赔偿（更正编号 {self.correction_id}，"
                "《条例》第六十六条；《指导意见》第（二十三）项）"
            ),
        }
