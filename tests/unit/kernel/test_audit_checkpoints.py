"""The comparison of checkpoints, file and chain (SEC-3), case by case; the same damage
through the CLI and the API is in tests/e2e/cli/test_audit_cli.py."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest

from creditreg.domain.kernel.audit import GENESIS_HASH, ChainKey
from creditreg.domain.kernel.checkpoints import (
    Checkpoint,
    CheckpointKind,
    Finding,
    Review,
    new_checkpoint,
    summarised,
)

KEY = ChainKey(secrets.token_hex(32).encode())
HASHES = {seq: f"{seq:064x}" for seq in range(1, 21)}


def cp(number: int, seq: int, key: ChainKey = KEY) -> Checkpoint:
    kind = CheckpointKind.START if number == 1 else CheckpointKind.SWEEP
    return new_checkpoint(
        key,
        number=number,
        seq=seq,
        head_hash=HASHES.get(seq, GENESIS_HASH),
        created_at=f"2026-03-02T09:{number:02d}:00+08:00",
        kind=kind,
        actor="system",
    )


STORED = [cp(1, 0), cp(2, 5), cp(3, 12), cp(4, 20)]


@dataclass
class Now:
    """The database when the review asks about a line of the file."""

    stored: list[Checkpoint]
    last: int
    hashes: dict[int, str]

    def checkpoint(self, number: int) -> Checkpoint | None:
        return next((c for c in self.stored if c.number == number), None)

    def hash_at(self, seq: int) -> str | None:
        return self.hashes.get(seq) if seq <= self.last else None

    def last_seq(self) -> int:
        return self.last


def review(
    stored: list[Checkpoint],
    last: int = 20,
    hashes: dict[int, str] = HASHES,
    file: list[Checkpoint] | None = None,
    *,
    invalid: tuple[int, ...] = (),
    reread: list[Checkpoint] | None = None,
    now: list[Checkpoint] | None = None,
    key: ChainKey = KEY,
) -> list[Finding]:
    """Show a Review what the service would, in its order."""
    seen = Review(key)
    for c in stored:
        seen.stored(c, hashes.get(c.seq) if c.seq <= last else None)
    seen.chain_ends(last)
    if file is not None:
        database = Now(stored if now is None else now, last, hashes)
        for line in invalid:
            seen.file_invalid_line("f.jsonl", line)
        for entry in file:
            seen.file_entry("f.jsonl", entry, database)
        if seen.file_lacks():
            seen.file_reread("f.jsonl", [e.number for e in (file if reread is None else reread)])
    return summarised(seen.findings())


def codes(found: list[Finding]) -> list[str]:
    return [f.code for f in found]


def test_intact_checkpoints_file_and_chain_agree__SEC_3() -> None:
    assert review(STORED, file=STORED) == []
    assert review(STORED) == []


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        # The newest events deleted after checkpoint 4 vouched for event 20.
        (lambda: review(STORED, last=18, file=STORED), ["audit.chain_truncated"]),
        # Event 12 rewritten (and the chain recomputed by someone with the key).
        (lambda: review(STORED, hashes={**HASHES, 12: "f" * 64}, file=STORED),
         ["audit.checkpoint_mismatch"]),
        # Checkpoint 4 and events 13..20 deleted from the database; the file remembers.
        (lambda: review(STORED[:3], last=12, file=STORED),
         ["audit.checkpoint_missing", "audit.chain_truncated"]),
        # A gap in the numbers, and checkpoint 1 gone.
        (lambda: review([STORED[0], STORED[2]]), ["audit.checkpoint_missing"]),
        (lambda: review(STORED[1:]), ["audit.checkpoint_missing"]),
        # A checkpoint moved without the key.
        (lambda: review([*STORED[:3], replace(STORED[3], seq=19, head_hash=HASHES[19])]),
         ["audit.checkpoint_signature_invalid"]),
        # The file cut short, or its newest line replaced by another signed one.
        (lambda: review(STORED, file=STORED[:2]), ["audit.checkpoint_file_missing_entries"]),
        (lambda: review(STORED, file=[*STORED[:3], cp(4, 19)]),
         ["audit.checkpoint_file_mismatch"]),
        (lambda: review(STORED, file=STORED, invalid=(7,)), ["audit.checkpoint_file_invalid"]),
    ],
)  # fmt: skip
def test_each_kind_of_damage_has_its_finding__SEC_3(
    found: Callable[[], list[Finding]], expected: list[str]
) -> None:
    assert codes(found()) == expected


def test_the_file_missing_or_unreadable_is_said__SEC_3() -> None:
    seen = Review(KEY)
    for c in STORED:
        seen.stored(c, HASHES.get(c.seq))
    seen.file_missing("f.jsonl")
    seen.file_unreadable("f.jsonl", "Is a directory")
    assert codes(seen.findings()) == [
        "audit.checkpoint_file_missing",
        "audit.checkpoint_file_unreadable",
    ]


def test_a_checkpoint_in_flight_is_no_finding__SEC_3() -> None:
    """Committed after the database was read (the file holds it, the database holds it
    now), or committed but appended only by the time the file is read again."""
    assert review(STORED[:3], file=STORED, now=STORED) == []
    assert review(STORED, file=STORED[:3], reread=STORED) == []


def test_another_key_is_said_once__SEC_3() -> None:
    other = ChainKey(secrets.token_hex(32).encode())
    found = review(STORED, file=STORED, key=other)
    assert codes(found) == ["audit.key_mismatch"] and KEY.key_id in found[0].message


def test_repeats_are_counted_not_repeated__SEC_3() -> None:
    found = review(STORED, last=0, hashes={})
    assert codes(found) == ["audit.chain_truncated"] and found[0].more == 2
    assert found[0].line().endswith("(and 2 more like it)")


@pytest.mark.parametrize(
    "value",
    [
        {},
        {**STORED[1].as_dict(), "extra": 1},
        {**STORED[1].as_dict(), "seq": "5"},
        {**STORED[1].as_dict(), "seq": True},
        {**STORED[1].as_dict(), "kind": 3},
    ],
)
def test_a_line_that_is_not_a_checkpoint_is_refused__SEC_3(value: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Checkpoint.from_mapping(value)
    assert Checkpoint.from_mapping(STORED[1].as_dict()) == STORED[1]
