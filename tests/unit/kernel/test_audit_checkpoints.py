"""The comparison of checkpoints, file and chain (SEC-3), case by case; the same damage
through the CLI and the API is in tests/e2e/cli/test_audit_cli.py."""

from __future__ import annotations

import secrets
from dataclasses import replace

import pytest

from creditreg.domain.kernel.audit import GENESIS_HASH, ChainKey
from creditreg.domain.kernel.checkpoints import (
    ChainSeen,
    Checkpoint,
    CheckpointKind,
    FileSeen,
    Finding,
    check,
    new_checkpoint,
    summarised,
)

KEY = ChainKey(secrets.token_hex(32).encode())
HASHES = {seq: f"{seq:064x}" for seq in range(1, 21)}
CHAIN = ChainSeen(20, HASHES)


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


def file_of(entries: list[Checkpoint], after: list[Checkpoint] | None = None) -> FileSeen:
    return FileSeen("f.jsonl", True, entries, (), entries if after is None else after)


def codes(found: list[Finding]) -> list[str]:
    return [f.code for f in found]


def test_intact_checkpoints_file_and_chain_agree__SEC_3() -> None:
    assert check(KEY, STORED, CHAIN, file_of(STORED)) == []
    assert check(KEY, STORED, CHAIN, None) == []


@pytest.mark.parametrize(
    ("stored", "chain", "file", "expected"),
    [
        # The newest events deleted after checkpoint 4 vouched for event 20.
        (STORED, ChainSeen(18, HASHES), file_of(STORED), ["audit.chain_truncated"]),
        # Event 12 rewritten (and the chain recomputed by someone with the key).
        (STORED, ChainSeen(20, {**HASHES, 12: "f" * 64}), file_of(STORED),
         ["audit.checkpoint_mismatch"]),
        # Checkpoint 4 and events 13..20 deleted from the database; the file remembers.
        (STORED[:3], ChainSeen(12, HASHES), file_of(STORED, STORED[:3]),
         ["audit.checkpoint_missing", "audit.chain_truncated"]),
        # A gap in the numbers, and checkpoint 1 gone.
        ([STORED[0], STORED[2]], CHAIN, None, ["audit.checkpoint_missing"]),
        (STORED[1:], CHAIN, None, ["audit.checkpoint_missing"]),
        # A checkpoint moved without the key.
        ([*STORED[:3], replace(STORED[3], seq=19, head_hash=HASHES[19])], CHAIN, None,
         ["audit.checkpoint_signature_invalid"]),
        # The file cut short, or its newest line replaced by another signed one.
        (STORED, CHAIN, file_of(STORED[:2]), ["audit.checkpoint_file_missing_entries"]),
        (STORED, CHAIN, file_of([*STORED[:3], cp(4, 19)], STORED),
         ["audit.checkpoint_file_mismatch"]),
        (STORED, CHAIN, FileSeen("f.jsonl", False), ["audit.checkpoint_file_missing"]),
        (STORED, CHAIN, FileSeen("f.jsonl", True, STORED, (7,), STORED),
         ["audit.checkpoint_file_invalid"]),
        (STORED, CHAIN, FileSeen("f.jsonl", True, error="Is a directory"),
         ["audit.checkpoint_file_unreadable"]),
    ],
)  # fmt: skip
def test_each_kind_of_damage_has_its_finding__SEC_3(
    stored: list[Checkpoint], chain: ChainSeen, file: FileSeen | None, expected: list[str]
) -> None:
    assert codes(summarised(check(KEY, stored, chain, file))) == expected


def test_a_checkpoint_in_flight_is_no_finding__SEC_3() -> None:
    """Written to the database after the file was first read, before it was read again."""
    assert check(KEY, STORED, CHAIN, file_of(STORED[:3], STORED)) == []


def test_another_key_is_said_once__SEC_3() -> None:
    other = ChainKey(secrets.token_hex(32).encode())
    found = check(other, STORED, CHAIN, file_of(STORED))
    assert codes(found) == ["audit.key_mismatch"] and KEY.key_id in found[0].message


def test_repeats_are_counted_not_repeated__SEC_3() -> None:
    found = summarised(check(KEY, STORED, ChainSeen(0, {}), None))
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
