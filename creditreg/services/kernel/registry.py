"""What the contexts register at bootstrap, so that a lower context never names the
upper ones that react to it: event subscribers, deadline followers and erasers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from creditreg.domain.kernel.events import DomainEvent

if TYPE_CHECKING:
    from creditreg.services.context import Context

# Runs inside the emitting transaction: raising rolls the whole change back.
Subscriber = Callable[[sa.Connection, "Context", Sequence[DomainEvent]], None]
# Moves the copy of a due date its owner keeps beside it (to find what is due by index).
DeadlineFollower = Callable[[sa.Connection, str, date, date], None]
# Deletes the rows an erased object owns (a list entry deleted in error, Op(20)); returns
# the (object type, id) pairs it deleted, so that their events are purged too.
Eraser = Callable[[sa.Connection, str], list[tuple[str, str]]]


@dataclass
class Registry:
    """Filled once by `creditreg.bootstrap`; read by the kernel's services."""

    subscribers: dict[str, list[Subscriber]] = field(default_factory=dict)
    followers: dict[tuple[str, str], list[DeadlineFollower]] = field(default_factory=dict)
    erasers: dict[str, list[Eraser]] = field(default_factory=dict)
    # Deadlines whose due date is told to the person who holds the right (an objection
    # window): a later calendar may move them later, never earlier (CAL-2).
    told: set[tuple[str, str]] = field(default_factory=set)
    # What a rule a context defines (not one of the kernel's RULES) says, by its code: a
    # deadline recounted under a new calendar explains itself in words, not by its code.
    rule_texts: dict[str, str] = field(default_factory=dict)
    # Named extension points a context offers to the contexts above it (e.g. records'
    # "display holds", which lists fills: a blacklisted subject's records stay displayed).
    extensions: dict[str, list[Any]] = field(default_factory=dict)

    def subscribe(self, kind: str, subscriber: Subscriber) -> None:
        """Run `subscriber` inside the transaction of every event of `kind`."""
        self.subscribers.setdefault(kind, []).append(subscriber)

    def follow_copy(
        self, owner_type: str, rule_code: str, key: sa.Column[Any], due: sa.Column[Any]
    ) -> None:
        """The common follower: the owner's row (`key` = owner id) keeps a copy of the due
        date in `due`, to find what is due by index; the copy moves with the deadline while
        it still holds the date the deadline had."""

        def moved(conn: sa.Connection, owner_id: str, old: date, new: date) -> None:
            conn.execute(
                sa.update(key.table).where(key == int(owner_id), due == old).values({due.name: new})
            )

        self.follow(owner_type, rule_code, moved)

    def follow(self, owner_type: str, rule_code: str, follower: DeadlineFollower) -> None:
        """Call `follower(conn, owner_id, old_due, new_due)` when such a deadline moves."""
        self.followers.setdefault((owner_type, rule_code), []).append(follower)

    def keep_told(self, owner_type: str, rule_code: str) -> None:
        """Such deadlines are told to their holder: a recompute that would bring one
        earlier keeps the date told instead."""
        self.told.add((owner_type, rule_code))

    def describe_rule(self, code: str, text: str) -> None:
        """What the deadline rule `code` of a context says (`DeadlineRule.text`)."""
        self.rule_texts[code] = text

    def extend(self, point: str, extension: Any) -> None:
        """Add `extension` to the extension point `point` (its owner says what it takes)."""
        self.extensions.setdefault(point, []).append(extension)

    def on_erase(self, object_type: str, eraser: Eraser) -> None:
        """Call `eraser(conn, object_id)` when an object of this type is erased."""
        self.erasers.setdefault(object_type, []).append(eraser)
