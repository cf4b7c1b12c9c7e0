"""A lifecycle as a table (design rule 1): the allowed (status, action) -> status moves of
one kind of object, checked before anything changes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from creditreg.domain.errors import Conflict


@dataclass(frozen=True)
class Lifecycle:
    """The moves of `name` objects; an illegal move is 409 `<concept>.illegal_transition`,
    under the prefix of the concept's other error codes (the name's by default)."""

    name: str
    moves: Mapping[tuple[str, str], str]
    concept: str = ""

    def next(self, status: str, action: str) -> str:
        """The status after `action`, or Conflict before any state changes."""
        after = self.moves.get((status, action))
        if after is None:
            raise Conflict(
                f"{self.concept or self.name}.illegal_transition",
                f"a {self.name.replace('_', ' ')} that is {status} cannot be {action}ed"
                if not action.endswith("e")
                else f"a {self.name.replace('_', ' ')} that is {status} cannot be {action}d",
                status=status,
                action=action,
            )
        return after

    @property
    def statuses(self) -> frozenset[str]:
        """Every status the table names."""
        return frozenset({s for s, _ in self.moves} | set(self.moves.values()))

    @property
    def actions(self) -> frozenset[str]:
        """Every action the table names."""
        return frozenset(a for _, a in self.moves)
