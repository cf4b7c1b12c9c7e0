"""Self-declaration (ING-6, Art 15; issue 10, part 8): what a subject may declare about
itself, and the performance lifecycle of a credit pledge.

A catalog item meant for subjects' own declarations says which kind it takes; records
stored against it are marked self-declared. A credit pledge (信用承诺) is then kept or
broken, which its providing unit or the platform records with a reason:

    pending --keep--> kept;  pending --break--> broken.  Nothing leaves kept or broken.
"""

from __future__ import annotations

from enum import StrEnum

from creditreg.domain.errors import Conflict
from creditreg.domain.kernel.lifecycle import Lifecycle


class DeclarationKind(StrEnum):
    """What a catalog item meant for subjects takes (ING-6)."""

    DECLARATION = "declaration"  # 自主申报
    VOLUNTARY_REGISTRATION = "voluntary_registration"  # 自愿注册
    CREDIT_PLEDGE = "credit_pledge"  # 信用承诺


class PledgeStatus(StrEnum):
    PENDING = "pending"
    KEPT = "kept"
    BROKEN = "broken"


class PledgeAction(StrEnum):
    KEEP = "keep"
    BREAK = "break"


PLEDGE = Lifecycle(
    "pledge",
    {
        (PledgeStatus.PENDING.value, PledgeAction.KEEP.value): PledgeStatus.KEPT.value,
        (PledgeStatus.PENDING.value, PledgeAction.BREAK.value): PledgeStatus.BROKEN.value,
    },
)

# The event each move writes.
PLEDGE_EVENT = {PledgeAction.KEEP: "pledge.kept", PledgeAction.BREAK: "pledge.broken"}


def pledge_transition(status: str, action: PledgeAction) -> PledgeStatus:
    """The pledge's status after `action`, or 409 `pledge.illegal_transition` before
    anything changes."""
    after = PLEDGE.moves.get((status, action.value))
    if after is None:
        raise Conflict(
            "pledge.illegal_transition",
            f"a pledge that is {status} cannot be marked {PLEDGE_EVENT[action].split('.')[1]}",
            status=status,
            action=action.value,
        )
    return PledgeStatus(after)
