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
                f"{_a(self.name.replace('_', ' '))} that is {status} cannot be "
                f"{_past(action.replace('_', ' '))}",
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


# Verbs of the lifecycles whose past participle is not `-ed`/`-d` added.
_IRREGULAR = {"withdraw": "withdrawn", "pay": "paid", "send": "sent", "give up": "given up"}


def _past(action: str) -> str:
    """`withdraw` -> `withdrawn`, `revoke` -> `revoked`, `accept` -> `accepted` (the last
    word of a phrase: `enter into force` -> `entered into force`)."""
    if action in _IRREGULAR:
        return _IRREGULAR[action]
    first, _, rest = action.partition(" ")
    done = first + ("d" if first.endswith("e") else "ed")
    return f"{done} {rest}" if rest else done


def _a(noun: str) -> str:
    """`noun` with its article: "an objection", "a delivery"."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"
