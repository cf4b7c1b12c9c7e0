"""The ListEntry lifecycle: one transition table per list type (LST-2..6, RST-3..5).

Every move of an entry goes through `transition()`, which checks the table before any
state changes. Services stamp who, when and why and append the history row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from creditreg.domain.errors import Conflict, InvalidInput
from creditreg.domain.kernel.lifecycle import Lifecycle
from creditreg.domain.lists.standards import ListType
from creditreg.domain.records.classification import add_months


class EntryStatus(StrEnum):
    PRELIMINARY = "preliminary"  # 初步名单 (Op(7), Op(8))
    NOTIFIED = "notified"  # blacklist: written notice sent, objection window running
    ANNOUNCED = "announced"  # red list: public announcement running
    OBJECTED = "objected"  # suspended until the objection is verified
    DESIGNATED = "designated"  # in force
    REMOVED = "removed"  # kept in the archive, not shown (RST-5)
    DELETED = "deleted"  # made in error: not kept (RST-3(1), Op(20))


class Action(StrEnum):
    NOTIFY = "notify"
    ANNOUNCE = "announce"
    OBJECT = "object"
    DISMISS_OBJECTION = "dismiss_objection"
    DESIGNATE = "designate"
    REMOVE = "remove"
    DELETE_ERROR = "delete_error"


class RemovalReason(StrEnum):
    ERROR = "error"  # found on objection: deleted, not kept
    RESTORATION = "restoration"  # RST-1, RST-2: early, with the designating unit's consent
    EXPIRY = "expiry"
    STANDARD_CHANGED = "standard_changed"  # STD-3
    BLACKLISTED = "blacklisted"  # red list: the subject was blacklisted (Op(7), Op(19))
    KEY_SCRUTINY = "key_scrutiny"  # red list: the subject was put under key scrutiny
    UNFIT_CONDUCT = "unfit_conduct"  # red list: conduct makes incentives inappropriate
    BASIS_REVOKED = "basis_revoked"  # ING-7, Art 42: a record it rests on was withdrawn
    BELOW_THRESHOLD = "below_threshold"  # big-data warning: fewer than 3 key fields


LIVE = frozenset(
    {
        EntryStatus.PRELIMINARY,
        EntryStatus.NOTIFIED,
        EntryStatus.ANNOUNCED,
        EntryStatus.OBJECTED,
        EntryStatus.DESIGNATED,
    }
)
# "Resume": dismissing an objection returns the entry to the status it was suspended from.
RESUME = "resume"

S, A = EntryStatus, Action
_REMOVABLE = {S.PRELIMINARY, S.NOTIFIED, S.ANNOUNCED, S.OBJECTED, S.DESIGNATED}

TRANSITIONS: dict[ListType, dict[tuple[EntryStatus, Action], EntryStatus | str]] = {
    # LST-2, Op(7), Art 28: notice, objection window, objections verified, designation.
    ListType.BLACKLIST: {
        (S.PRELIMINARY, A.NOTIFY): S.NOTIFIED,
        (S.NOTIFIED, A.OBJECT): S.OBJECTED,
        (S.DESIGNATED, A.OBJECT): S.OBJECTED,
        (S.OBJECTED, A.DISMISS_OBJECTION): RESUME,
        (S.NOTIFIED, A.DESIGNATE): S.DESIGNATED,
        **{(s, A.DELETE_ERROR): S.DELETED for s in _REMOVABLE},
        **{(s, A.REMOVE): S.REMOVED for s in _REMOVABLE},
    },
    # LST-3, Op(8): cross-check, announcement, designation when no objection.
    ListType.RED_LIST: {
        (S.PRELIMINARY, A.ANNOUNCE): S.ANNOUNCED,
        (S.ANNOUNCED, A.OBJECT): S.OBJECTED,
        (S.DESIGNATED, A.OBJECT): S.OBJECTED,
        (S.OBJECTED, A.DISMISS_OBJECTION): RESUME,
        (S.ANNOUNCED, A.DESIGNATE): S.DESIGNATED,
        **{(s, A.DELETE_ERROR): S.DELETED for s in _REMOVABLE},
        **{(s, A.REMOVE): S.REMOVED for s in _REMOVABLE},
    },
    # LST-4, Op(16)-(17): designation comes with a warning that names the period.
    ListType.KEY_SCRUTINY: {
        (S.PRELIMINARY, A.DESIGNATE): S.DESIGNATED,
        (S.DESIGNATED, A.OBJECT): S.OBJECTED,
        (S.OBJECTED, A.DISMISS_OBJECTION): RESUME,
        **{(s, A.DELETE_ERROR): S.DELETED for s in _REMOVABLE},
        **{(s, A.REMOVE): S.REMOVED for s in _REMOVABLE},
    },
    # LST-5, Op(17): entered and left automatically; the sweep creates it designated.
    ListType.BIG_DATA_WARNING: {
        (S.DESIGNATED, A.REMOVE): S.REMOVED,
    },
}

REMOVAL_REASONS: dict[ListType, frozenset[RemovalReason]] = {
    # RST-3, Op(18); error is DELETE_ERROR, not a removal.
    ListType.BLACKLIST: frozenset(
        {
            RemovalReason.RESTORATION,
            RemovalReason.EXPIRY,
            RemovalReason.STANDARD_CHANGED,
            RemovalReason.BASIS_REVOKED,
        }
    ),
    # RST-4, Op(19).
    ListType.RED_LIST: frozenset(
        {
            RemovalReason.BLACKLISTED,
            RemovalReason.KEY_SCRUTINY,
            RemovalReason.UNFIT_CONDUCT,
            RemovalReason.EXPIRY,
            RemovalReason.STANDARD_CHANGED,
            RemovalReason.BASIS_REVOKED,
        }
    ),
    ListType.KEY_SCRUTINY: frozenset(
        {
            RemovalReason.EXPIRY,
            RemovalReason.STANDARD_CHANGED,
            RemovalReason.BASIS_REVOKED,
            RemovalReason.BLACKLISTED,
        }
    ),
    ListType.BIG_DATA_WARNING: frozenset({RemovalReason.BELOW_THRESHOLD}),
}

# RST-3: after a blacklist removal (other than error) the subject goes under key scrutiny.
FOLLOWED_BY_SCRUTINY = frozenset(
    {
        RemovalReason.RESTORATION,
        RemovalReason.EXPIRY,
        RemovalReason.STANDARD_CHANGED,
    }
)


# How a refused step is said ("cannot be designated", not "cannot designate").
_STEP_DONE = {
    Action.NOTIFY: "notified",
    Action.ANNOUNCE: "announced",
    Action.OBJECT: "objected to",
    Action.DISMISS_OBJECTION: "cleared of an objection",
    Action.DESIGNATE: "designated",
    Action.REMOVE: "removed",
    Action.DELETE_ERROR: "deleted in error",
}


def transition(
    list_type: ListType,
    status: EntryStatus,
    action: Action,
    suspended_from: EntryStatus | None = None,
) -> EntryStatus:
    """The status after `action`, or `entry.illegal_transition` (nothing changes)."""
    target = TRANSITIONS[list_type].get((status, action))
    if target is None:
        raise Conflict(
            "entry.illegal_transition",
            f"a {list_type.value.replace('_', ' ')} entry that is {status.value} cannot be "
            f"{_STEP_DONE.get(action, action.value.replace('_', ' '))}",
            list_type=list_type.value,
            status=status.value,
            action=action.value,
        )
    if target == RESUME:
        if suspended_from is None:
            raise AssertionError("an objected entry always remembers what it was")
        return suspended_from
    return EntryStatus(target)


def check_removal(list_type: ListType, reason: RemovalReason) -> None:
    """RST-3, RST-4: only the reasons the Opinions give for this list."""
    if reason is RemovalReason.ERROR:
        raise InvalidInput(
            "entry.error_is_deletion",
            "an entry made in error is deleted, not removed: use delete-error (RST-3(1))",
        )
    if reason not in REMOVAL_REASONS[list_type]:
        allowed = ", ".join(sorted(r.value for r in REMOVAL_REASONS[list_type]))
        raise InvalidInput(
            "entry.bad_removal_reason",
            f"a {list_type.value} entry is not removed for {reason.value}; reasons: {allowed}",
        )


@dataclass(frozen=True)
class Validity:
    """LST-8, DIS-4: in force and published from designation to the last valid day."""

    start: date
    months: int

    @property
    def until(self) -> date:
        return date.fromordinal(add_months(self.start, self.months).toordinal() - 1)


def in_force(
    designated_on: date | None, valid_until: date | None, removed_on: date | None, on: date
) -> bool:
    """Was an entry in force on `on`? (LST-7: the as-of question.)"""
    if designated_on is None or designated_on > on:
        return False
    if valid_until is not None and valid_until < on:
        return False
    return removed_on is None or removed_on > on


# --- the other lifecycles of the lists context (design rule 1) ----------------------------

# Objections to entries are the rights context's one objection lifecycle (issue 10, part
# 4: domain/rights/objections.py); an entry only records that it is suspended (OBJECTED).

# RST-1, RST-2, Op(18): an application, decided with the designating unit's consent.
RESTORATION = Lifecycle(
    "restoration",
    {
        ("pending", "consent"): "consented",
        ("pending", "refuse"): "refused",
        ("pending", "close"): "closed",  # the entry ended first (expiry, another removal)
    },
)

# LST-9, Op(10): queued for the upper-level platform, then sent (the transport comes with
# federation).
UPWARD_REPORT = Lifecycle("upward_report", {("queued", "send"): "sent"})

# STD-1, STD-3: a new version supersedes the current one.
STANDARD = Lifecycle("standard", {("current", "supersede"): "superseded"})
