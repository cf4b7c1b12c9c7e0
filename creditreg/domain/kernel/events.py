"""Domain events: what changed, said once, for the contexts above and for the outbox.

An event names its kind (`list_entry.designated`), the object (type and id) and what
changed (ids, statuses, dates, reason codes). It never carries a personal ID number, a
name or free-text facts: the outbox is read by webhooks and federation, and what it holds
about an entry deleted in error must be nothing but ids (Op(20)).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Keys that would carry personal data or free text about a subject into the outbox.
FORBIDDEN_KEYS = frozenset(
    {"id_number", "name", "subject_info", "facts", "responsible_persons", "data"}
)


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """One change: `kind` is `<object type>.<past-tense verb>`."""

    kind: str
    object_type: str
    object_id: str
    payload: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.kind.startswith(f"{self.object_type}."):
            raise ValueError(f"{self.kind} is not a {self.object_type} event")
        leaked = FORBIDDEN_KEYS & set(self.payload)
        if leaked:
            # A programming error, caught by the tests: never reaches a caller.
            raise ValueError(
                f"event {self.kind} would carry {', '.join(sorted(leaked))} into the outbox"
            )


def event(kind: str, object_type: str, object_id: str | int, **payload: Any) -> DomainEvent:
    """A DomainEvent with its object id as text (ids are compared as text everywhere)."""
    return DomainEvent(kind, object_type, str(object_id), payload)
