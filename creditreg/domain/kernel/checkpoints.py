"""Checkpoints of the audit chain (SEC-3; Art 25, Art 39).

A checkpoint says "at this time the chain ended at event `seq`, whose hash was
`head_hash`", signed under the audit key. Checkpoints are numbered 1, 2, 3 ... without
gaps; checkpoint 1 (`start`) is the head of the unkeyed chain when the chain became keyed
(migration 0012), so the events up to its `seq` are checked with plain SHA-256 and the
rest with HMAC. They are kept twice, in the database and in an append-only file outside
it; comparing the two with the chain shows what the chain alone cannot: that its newest
events were deleted, or that it was rewritten from some point on.

Nothing here reads a file or the database: the service shows what it reads, and answers
the few questions a review asks (`Database`).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Protocol

from creditreg.domain.kernel.audit import GENESIS_HASH, ChainBreak, ChainKey, canonical_json


class CheckpointKind(StrEnum):
    """Who wrote a checkpoint, and when."""

    START = "start"  # migration 0012: the head of the unkeyed chain; the keyed chain follows
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


class Database(Protocol):
    """What the review asks the database now, for the few lines of the file that do not
    match the checkpoints it was shown (one may have been written since)."""

    def checkpoint(self, number: int) -> Checkpoint | None: ...

    def hash_at(self, seq: int) -> str | None: ...

    def last_seq(self) -> int: ...


class Review:
    """Compares the database's checkpoints, the chain and the file, as they are read.

    The service shows it, in this order: every checkpoint of the database, in number
    order, with the stored hash of the event it names (`stored`); where the chain ends
    (`chain_ends`); the file, line by line (`file_entry`, `file_invalid_line`, or
    `file_missing` / `file_unreadable`); then the numbers the file holds when read again
    (`file_reread`), so that a checkpoint committed but not yet appended is no finding;
    and, in any order, the chain's first break (`chain_broken`) and the state of each
    trigger that keeps an audit table append-only (`trigger`).
    It keeps one signature (32 bytes) per checkpoint, not the checkpoints: a year of
    per-minute checkpoints is half a million."""

    def __init__(self, key: ChainKey) -> None:
        self.key = key
        self.count = 0
        self.start: Checkpoint | None = None
        self.newest: Checkpoint | None = None
        self.file_entries = 0
        self._found: list[Finding] = []
        self._ours = False
        self._next = 1
        self._signatures: dict[int, bytes] = {}
        self._copied: set[int] = set()
        # Checkpoints whose event the chain does not hold: truncated, or a hole in it.
        self._unresolved: list[tuple[str, Checkpoint]] = []
        self._broken: Finding | None = None
        self._triggers: list[Finding] = []

    def findings(self) -> list[Finding]:
        """What was found: the chain's break first, then one finding per kind of damage
        (counting the repeats), then each trigger by name. Under a key that signed none of
        the stored checkpoints every signature and hash fails: that is said once
        (`audit.key_mismatch`) instead."""
        if self.count and not self._ours:
            assert self.newest is not None
            mismatch = Finding(
                KEY_MISMATCH,
                f"the configured audit key (id {self.key.key_id}) is not the key that "
                f"signed the checkpoints (id {self.newest.key_id}): check "
                "CREDITREG_AUDIT_KEY or CREDITREG_AUDIT_KEY_FILE",
            )
            return [mismatch, *self._triggers]
        broken = [self._broken] if self._broken else []
        return broken + summarised(self._found) + self._triggers

    def chain_broken(self, broken: ChainBreak, intact: int) -> None:
        """The first event that does not recompute, and how many before it did."""
        self._broken = Finding(
            CHAIN_BROKEN,
            f"audit chain broken at event {broken.seq}: {broken.reason} "
            f"({intact} events before it are intact)",
        )

    def trigger(self, name: str, table: str, state: str) -> None:
        """A trigger keeping `table` append-only is `present`, `missing`, `disabled` (on
        PostgreSQL) or `altered` (it may no longer refuse)."""
        said = f"the trigger {name} keeping {table} append-only"
        restore = "run 'creditreg db upgrade' to restore it"
        if state == "missing":
            self._triggers.append(Finding(TRIGGER_MISSING, f"{said} is missing: {restore}"))
        elif state == "disabled":
            self._triggers.append(Finding(TRIGGER_DISABLED, f"{said} is disabled: {restore}"))
        elif state == "altered":
            self._triggers.append(
                Finding(TRIGGER_ALTERED, f"{said} was changed (it may no longer refuse): {restore}")
            )

    def stored(self, cp: Checkpoint, hash_at_seq: str | None) -> None:
        """The database's next checkpoint, and the stored hash of its event (None: no such
        event)."""
        self.count += 1
        self.newest = cp
        self._ours = self._ours or cp.key_id == self.key.key_id
        if self.count == 1:
            if cp.number == 1 and cp.kind == CheckpointKind.START:
                self.start = cp
            else:
                self._found.append(
                    Finding(
                        CHECKPOINT_MISSING,
                        "checkpoint 1, where the keyed chain starts (written by migration "
                        "0012), is not in the database: checkpoints were deleted",
                    )
                )
        lo, hi = max(self._next, 2), cp.number - 1  # checkpoint 1 is said above
        if lo <= hi:
            named = f"checkpoint {lo} is" if lo == hi else f"checkpoints {lo}..{hi} are"
            self._found.append(
                Finding(CHECKPOINT_MISSING, f"{named} missing from the database: deleted")
            )
        self._next = max(self._next, cp.number + 1)
        if not cp.signed_by(self.key):
            self._found.append(
                Finding(
                    CHECKPOINT_SIGNATURE_INVALID,
                    f"{cp.said()} in the database is not signed by the audit key: it was "
                    "forged or edited",
                )
            )
            return
        self._signatures[cp.number] = bytes.fromhex(cp.signature)
        self._against(cp, hash_at_seq, "the database's")

    def _against(self, cp: Checkpoint, hash_at_seq: str | None, whose: str) -> None:
        if cp.seq == 0:
            hash_at_seq = GENESIS_HASH
        if hash_at_seq is None:
            self._unresolved.append((whose, cp))
        elif hash_at_seq != cp.head_hash:
            self._found.append(_mismatch(cp, whose))

    def chain_ends(self, last_seq: int) -> None:
        """Where the stored chain ends: a checkpoint naming an event beyond it vouches for
        deleted events."""
        for whose, cp in self._unresolved:
            self._found.append(
                _truncated(cp, whose, last_seq) if cp.seq > last_seq else _mismatch(cp, whose)
            )
        self._unresolved = []

    def file_missing(self, where: str) -> None:
        if self.count:
            self._found.append(
                Finding(
                    FILE_MISSING,
                    f"the checkpoint file {where} does not exist, but the database holds "
                    f"{self.count} checkpoint(s): it was deleted or moved (CREDITREG_AUDIT_"
                    "CHECKPOINT_FILE)",
                )
            )

    def file_unreadable(self, where: str, error: str) -> None:
        self._found.append(
            Finding(FILE_UNREADABLE, f"the checkpoint file {where} cannot be read: {error}")
        )

    def file_invalid_line(self, where: str, line: int) -> None:
        self._found.append(Finding(FILE_INVALID, f"line {line} of {where} is not a checkpoint"))

    def file_entry(self, where: str, entry: Checkpoint, database: Database) -> None:
        """A line of the file: the same as the database's checkpoint of that number, or a
        finding (the database is asked now, in case it was written since it was read)."""
        self.file_entries += 1
        if not entry.signed_by(self.key):
            self._found.append(
                Finding(
                    CHECKPOINT_SIGNATURE_INVALID,
                    f"{entry.said()} in {where} is not signed by the audit key: it was "
                    "forged or edited",
                )
            )
            return
        if self._signatures.get(entry.number) == bytes.fromhex(entry.signature):
            self._copied.add(entry.number)
            return
        ours = database.checkpoint(entry.number)
        if ours == entry:
            self._copied.add(entry.number)  # written since the database was read
            return
        if ours is None:
            self._found.append(
                Finding(
                    CHECKPOINT_MISSING,
                    f"{entry.said()} is in {where} but not in the database: deleted",
                )
            )
        else:
            self._found.append(
                Finding(
                    FILE_MISMATCH,
                    f"checkpoint {entry.number} differs between the database (event "
                    f"{ours.seq}) and {where} (event {entry.seq}): one of them was replaced",
                )
            )
        last_seq = database.last_seq()
        if entry.seq > last_seq:
            self._found.append(_truncated(entry, "the file's", last_seq))
        elif (GENESIS_HASH if entry.seq == 0 else database.hash_at(entry.seq)) != entry.head_hash:
            self._found.append(_mismatch(entry, "the file's"))

    def file_lacks(self) -> list[int]:
        """The database's checkpoints the file did not hold (ascending)."""
        return sorted(n for n in self._signatures if n not in self._copied)

    def file_reread(self, where: str, numbers: Iterable[int]) -> None:
        """The numbers in the file read again: what it still lacks was cut from it, or
        never reached it."""
        lacking = set(self.file_lacks())
        lacking.difference_update(numbers)
        for lo, hi in _ranges(lacking):
            named = f"checkpoint {lo}" if lo == hi else f"checkpoints {lo}..{hi}"
            self._found.append(
                Finding(
                    FILE_MISSING_ENTRIES,
                    f"{where} lacks {named} of the database: the file was cut or edited, or "
                    "could not be written (the next checkpoint copies what it lacks)",
                )
            )


def _truncated(cp: Checkpoint, whose: str, last_seq: int) -> Finding:
    lost = (
        f"event {cp.seq} was deleted"
        if cp.seq == last_seq + 1
        else f"events {last_seq + 1}..{cp.seq} were deleted"
    )
    return Finding(
        CHAIN_TRUNCATED,
        f"{whose} {cp.said()} vouches for event {cp.seq}, but the chain ends at event "
        f"{last_seq}: {lost}",
    )


def _mismatch(cp: Checkpoint, whose: str) -> Finding:
    return Finding(
        CHECKPOINT_MISMATCH,
        f"{whose} {cp.said()} does not match the chain: event {cp.seq} was rewritten or "
        "removed after it was checkpointed",
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
