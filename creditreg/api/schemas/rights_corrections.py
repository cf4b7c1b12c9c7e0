"""Corrections of errors and compensation claims (OBJ-5; Op(23), Art 66)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from creditreg.api.schemas.common import In, Out


class CorrectionIn(In):
    """OBJ-5, Op(23): an entry or record found to be made in error, corrected by the unit
    that made it (an entry: its designating unit; a record: its providing unit or the
    platform)."""

    target_type: Literal["list_entry", "record"]
    target_id: int = Field(ge=1, le=2**63 - 1)
    error: str = Field(max_length=5000, description="what the error was (the apology says it)")
    fix: Literal["withdraw", "return"] | None = Field(
        default=None,
        description="records only: withdraw it, or return it to its provider to be fixed; "
        "an entry made in error is always deleted and not kept (Op(20))",
    )


class Correction(Out):
    """A correction of an error, with its apology, clarification and reclaim list."""

    id: int
    target_type: Literal["list_entry", "record"]
    target_id: int = Field(description="the entry (deleted, not kept) or the record")
    subject_id: int
    unit_id: int | None = Field(description="the unit that made the error and apologizes")
    list_type: str | None
    matter: str
    done: Literal["deleted", "withdrawn", "returned"]
    error: str
    objection_id: int | None = Field(description="the record objection that found it")
    apology_notice_id: int | None = Field(
        description="the written apology in the subject's notices (Op(23))"
    )
    public_channels: list[str] = Field(
        description="where the reputation-restoring notice was published (none: never public)"
    )
    public_from: date | None
    public_until: date | None = Field(description="the notice is public until this day")
    reclaim: list[str] = Field(
        description="incentives received in error, to be reclaimed (red list, Op(23))"
    )
    corrected_on: date
    made_by: str


class PublicCorrection(Out):
    """A reputation-restoring notice, public within its period only (Op(23))."""

    id: int
    subject_name: str
    matter: str
    statement: str
    channels: list[str]
    corrected_on: date
    public_until: date


class CompensationClaimIn(In):
    """Art 66: the subject claims compensation for a loss the error caused."""

    amount: str = Field(
        max_length=20, description="yuan, at most two decimals, e.g. 12000 or 350.50"
    )
    grounds: str = Field(max_length=5000, description="what loss the error caused")


class CompensationDecisionIn(In):
    """Art 66: the unit that made the error grants (an amount) or refuses, with reasons."""

    outcome: Literal["granted", "refused"]
    reason: str = Field(max_length=2000)
    amount: str | None = Field(default=None, max_length=20, description="granted: yuan")


class CompensationPaymentIn(In):
    """The payment of a granted claim."""

    reference: str = Field(max_length=100, description="the transfer or voucher number")


class CompensationMove(Out):
    from_status: str | None
    to_status: str
    action: str
    actor: str
    note: str | None
    at: datetime


class CompensationClaim(Out):
    """A compensation claim and its lifecycle (claimed -> granted | refused -> paid)."""

    id: int
    correction_id: int
    subject_id: int
    unit_id: int | None = Field(description="decides the claim: the unit that made the error")
    amount_claimed: str
    grounds: str
    status: Literal["claimed", "granted", "refused", "paid"]
    claimed_on: date
    amount_granted: str | None
    decision_reason: str | None
    decided_on: date | None
    paid_on: date | None
    payment_reference: str | None
    history: list[CompensationMove]
