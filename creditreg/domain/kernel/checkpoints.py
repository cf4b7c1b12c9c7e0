"""Checkpoints of the audit chain (SEC-3; Art 25, Art 39).

A checkpoint says "at this time the chain ended at event `seq`, whose hash was
`head_hash`", signed under the audit key. Checkpoints are numbered 1, 2, 3 ... without
gaps; checkpoint 1 (`start`) is the head of the unkeyed chain when the chain became keyed
(migration 0011), so the events up to its `seq` are checked with plain SHA-256 and the
rest with HMAC. They are kept twice, in the database and in an append-only file outside
it; comparing the two with the chain shows what the chain alone cannot: that its newest
events were deleted, or that it was rewritten from some point on.

Nothing here reads a file or the database: the service hands over what it read.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from creditreg.domain.kernel.audit import GENESIS_HASH, ChainKey, canonical_json


class CheckpointKind(StrEnum):
    """Who wrote a checkpoint, and when."""

    START = "start"  # migration 0011: the head of the unkeyed chain; the keyed chain follows
    SWEEP = "sweep"  # a sweep pass whose start found the head moved since the last one
    OPERATOR = "operator"  # `creditreg audit checkpoint`, POST /api/v1/audit/checkpoints


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The chain's head at a moment, signed."""

    number: int
    seq: int
    head_hash: str
    created_at: str  # ISO 8601 with offset: the exact text the signature covers
    kind: str
    actor: str
    key_id: str
    signature: str = ""

    def payload(self) -> bytes:
        """The bytes the signature covers: every field but the signature."""
        return canonical_json({k: v for k, v in self.as_dict().items() if k != "signature"})

    def signed(self, key: ChainKey) -> Checkpoint:
        """This checkpoint under `key` (its key id and signature set)."""
        unsigned = replace(self, key_id=key.key_id, signature="")
        mac = hmac.digest(key.checkpoints, unsigned.payload(), "sha256").hex()
        return replace(unsigned, signature=mac)

    def signed_by(self, key: ChainKey) -> bool:
        """Whether the signature is `key`'s over what the checkpoint says."""
        expected = hmac.digest(key.checkpoints, self.payload(), "sha256").hex()
        return hmac.compare_digest(expected, self.signature)

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "seq": self.seq,
            "head_hash": self.head_hash,
            "created_at": self.created_at,
            "kind": self.kind,
            "actor": self.actor,
            "key_id": self.key_id,
            "signature": self.signature,
        }

    @classmethod
    def from_mapping(cls, value: Mapping[str, Any]) -> Checkpoint:
        """A checkpoint from its stored form (a line of the file); ValueError if it is not
        one (a missing field, a field of the wrong type)."""
        ints, texts = ("number", "seq"), ("head_hash", "created_at", "kind", "actor", "key_id")
        if set(value) != set(ints + texts + ("signature",)):
            raise ValueError("not the fields of a checkpoint")
        if not all(type(value[k]) is int for k in ints):
            raise ValueError("number and seq are whole numbers")
        if not all(isinstance(value[k], str) for k in (*texts, "signature")):
            raise ValueError("the other fields are text")
        return cls(**{k: value[k] for k in (*ints, *texts, "signature")})

    def said(self) -> str:
        """e.g. `checkpoint 7 (event 1234, 2026-03-02T09:00:00+08:00)`."""
        return f"checkpoint {self.number} (event {self.seq}, {self.created_at})"


def new_checkpoint(
    key: ChainKey,
    *,
    number: int,
    seq: int,
    head_hash: str,
    created_at: str,
    kind: CheckpointKind,
    actor: str,
) -> Checkpoint:
    """A signed checkpoint of the head (`seq` 0 and the genesis hash: an empty chain)."""
    return Checkpoint(number, seq, head_hash, created_at, kind.value, actor, key.key_id).signed(key)


# The finding codes `creditreg audit verify` reports, one per kind of damage.
CHAIN_BROKEN = "audit.chain_broken"
KEY_MISMATCH = "audit.key_mismatch"
CHECKPOINT_MISSING = "audit.checkpoint_missing"
CHECKPOINT_SIGNATURE_INVALID = "audit.checkpoint_signature_invalid"
CHECKPOINT_MISMATCH = "audit.checkpoint_mismatch"
CHAIN_TRUNCATED = "audit.chain_truncated"
FILE_MISSING = "audit.checkpoint_file_missing"
FILE_MISSING_ENTRIES = "audit.checkpoint_file_missing_entries"
FILE_MISMATCH = "audit.checkpoint_file_mismatch"
FILE_INVALID = "audit.checkpoint_file_invalid"
FILE_UNREADABLE = "audit.checkpoint_file_unreadable"
TRIGGER_MISSING = "audit.trigger_missing"
TRIGGER_DISABLED = "audit.trigger_disabled"
TRIGGER_ALTERED = "audit.trigger_altered"


@dataclass(frozen=True, slots=True)
class Finding:
    """One kind of damage: its code, the first occurrence said in words, how many more."""

    code: str
    message: str
    more: int = 0

    def line(self) -> str:
        extra = f" (and {self.more} more like it)" if self.more else ""
        return f"{self.message}{extra}"


def summarised(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per code, in order of first appearance, counting the repeats (a file
    rewritten from its start must not print a line per entry)."""
    firsts: dict[str, Finding] = {}
    for found in findings:
        first = firsts.get(found.code)
        firsts[found.code] = (
            found if first is None else replace(first, more=first.more + 1 + found.more)
        )
    return list(firsts.values())


@dataclass(frozen=True)
class ChainSeen:
    """What the service read of the stored chain: where it ends, and the stored hash of
    each event a checkpoint names."""

    last_seq: int
    hashes: Mapping[int, str]

    def hash_at(self, seq: int) -> str | None:
        return GENESIS_HASH if seq == 0 else self.hashes.get(seq)


@dataclass(frozen=True)
class FileSeen:
    """What the service read of the checkpoint file.

    `entries` were read before the database's checkpoints, so each of them had been
    committed to the database by then: one the database lacks was deleted from it.
    `entries_after` were read after the chain, so a checkpoint the database holds and
    they lack was not copied to the file (or was cut from it), not merely in flight."""

    where: str
    exists: bool
    entries: Sequence[Checkpoint] = ()
    invalid_lines: Sequence[int] = ()
    entries_after: Sequence[Checkpoint] = ()
    error: str | None = None  # why it could not be read


def start_of(checkpoints: Sequence[Checkpoint]) -> Checkpoint | None:
    """Checkpoint 1, where the keyed chain starts, if the database still holds it."""
    first = checkpoints[0] if checkpoints else None
    if first is None or first.number != 1 or first.kind != CheckpointKind.START:
        return None
    return first


def check(
    key: ChainKey, stored: Sequence[Checkpoint], chain: ChainSeen, file: FileSeen | None
) -> list[Finding]:
    """Compare the database's checkpoints (in number order), the file's and the chain.

    Under a key that signed none of the stored checkpoints every signature and hash fails:
    that is said once (`audit.key_mismatch`) instead."""
    if stored and all(c.key_id != key.key_id for c in stored):
        return [
            Finding(
                KEY_MISMATCH,
                f"the configured audit key (id {key.key_id}) is not the key that signed the "
                f"checkpoints (id {stored[0].key_id}): check CREDITREG_AUDIT_KEY or "
                "CREDITREG_AUDIT_KEY_FILE",
            )
        ]
    found = [*_numbering(stored)]
    for cp in stored:
        if not cp.signed_by(key):
            found.append(
                Finding(
                    CHECKPOINT_SIGNATURE_INVALID,
                    f"{cp.said()} in the database is not signed by the audit key: it was "
                    "forged or edited",
                )
            )
        else:
            found.extend(_against_chain(cp, chain, "the database's"))
    if file is not None:
        found.extend(_file(key, stored, chain, file))
    return found


def _numbering(stored: Sequence[Checkpoint]) -> Iterable[Finding]:
    if start_of(stored) is None:
        yield Finding(
            CHECKPOINT_MISSING,
            "checkpoint 1, where the keyed chain starts (written by migration 0011), is not "
            "in the database: checkpoints were deleted",
        )
    expected = 2  # checkpoint 1 is said above
    for number in sorted(c.number for c in stored):
        lo, hi = expected, number - 1
        if lo <= hi:
            named = f"checkpoint {lo} is" if lo == hi else f"checkpoints {lo}..{hi} are"
            yield Finding(CHECKPOINT_MISSING, f"{named} missing from the database: deleted")
        expected = max(expected, number + 1)


def _against_chain(cp: Checkpoint, chain: ChainSeen, whose: str) -> Iterable[Finding]:
    if cp.seq > chain.last_seq:
        lost = (
            f"event {cp.seq} was deleted"
            if cp.seq == chain.last_seq + 1
            else f"events {chain.last_seq + 1}..{cp.seq} were deleted"
        )
        yield Finding(
            CHAIN_TRUNCATED,
            f"{whose} {cp.said()} vouches for event {cp.seq}, but the chain ends at event "
            f"{chain.last_seq}: {lost}",
        )
    elif chain.hash_at(cp.seq) != cp.head_hash:
        yield Finding(
            CHECKPOINT_MISMATCH,
            f"{whose} {cp.said()} does not match the chain: event {cp.seq} was rewritten "
            "or removed after it was checkpointed",
        )


def _file(
    key: ChainKey, stored: Sequence[Checkpoint], chain: ChainSeen, file: FileSeen
) -> Iterable[Finding]:
    if not file.exists:
        if stored:
            yield Finding(
                FILE_MISSING,
                f"the checkpoint file {file.where} does not exist, but the database holds "
                f"{len(stored)} checkpoint(s): it was deleted or moved (CREDITREG_AUDIT_"
                "CHECKPOINT_FILE)",
            )
        return
    if file.error is not None:
        yield Finding(
            FILE_UNREADABLE, f"the checkpoint file {file.where} cannot be read: {file.error}"
        )
        return
    for line in file.invalid_lines:
        yield Finding(FILE_INVALID, f"line {line} of {file.where} is not a checkpoint")
    by_number = {c.number: c for c in stored}
    for entry in file.entries:
        if not entry.signed_by(key):
            yield Finding(
                CHECKPOINT_SIGNATURE_INVALID,
                f"{entry.said()} in {file.where} is not signed by the audit key: it was "
                "forged or edited",
            )
            continue
        ours = by_number.get(entry.number)
        if ours is None:
            yield Finding(
                CHECKPOINT_MISSING,
                f"{entry.said()} is in {file.where} but not in the database: deleted",
            )
        elif ours != entry:
            yield Finding(
                FILE_MISMATCH,
                f"checkpoint {entry.number} differs between the database (event {ours.seq}) "
                f"and {file.where} (event {entry.seq}): one of them was replaced",
            )
        else:
            continue  # the database's copy was checked against the chain already
        yield from _against_chain(entry, chain, "the file's")
    copied = {c.number for c in file.entries_after}
    lacking = [c.number for c in stored if c.number not in copied]
    for lo, hi in _ranges(lacking):
        named = f"checkpoint {lo}" if lo == hi else f"checkpoints {lo}..{hi}"
        yield Finding(
            FILE_MISSING_ENTRIES,
            f"{file.where} lacks {named} of the database: the file was cut or edited, or "
            "could not be written (the next checkpoint copies what it lacks)",
        )


def _ranges(numbers: Iterable[int]) -> Iterable[tuple[int, int]]:
    """Sorted numbers as runs: 1,2,3,7 -> (1,3), (7,7)."""
    run: list[int] = []
    for n in sorted(numbers):
        if run and n != run[-1] + 1:
            yield run[0], run[-1]
            run = []
        run.append(n)
    if run:
        yield run[0], run[-1]
