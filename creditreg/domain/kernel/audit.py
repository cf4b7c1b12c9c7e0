"""The audit chain (SEC-3; Art 25, Art 39): each event's hash covers the one before it.

The chain is keyed: an event's hash is an HMAC-SHA256 under a key kept outside the
database, so that someone who can write to the database but has not the key cannot
recompute the chain forward after an edit. Events written before the key existed (the
unkeyed segment, up to the `start` checkpoint's event) keep their plain SHA-256 hashes and
are checked as such.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

GENESIS_HASH = "0" * 64
# A key shorter than SHA-256's output adds nothing an attacker must guess less of.
MIN_KEY_BYTES = 32


def digest(value: Any) -> str:
    """SHA-256 of a value's canonical JSON (sorted keys), for before/after snapshots."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


def canonical_json(value: Any) -> bytes:
    """JSON with sorted keys and no spaces: the same value always gives the same bytes.

    orjson refuses whole numbers beyond 64 bits, which any JSON body may hold (a record's
    data of 10^20 made its digest a 500): those values go through the standard library,
    which writes them exactly; every other value keeps its orjson bytes (stored digests
    stay valid)."""
    try:
        return orjson.dumps(
            value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str
        )
    except orjson.JSONEncodeError:
        return json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
        ).encode()


@dataclass(frozen=True, repr=False)
class ChainKey:
    """The audit key, and the sub-keys derived from it for each use.

    Events and checkpoints are signed under different derived keys, so that no event's
    hash can ever be presented as a checkpoint's signature or the other way round. The
    key id names the key without revealing it (checkpoints carry it, so that verifying
    under the wrong key says so instead of calling every event broken)."""

    secret: bytes
    events: bytes = field(init=False)
    checkpoints: bytes = field(init=False)
    key_id: str = field(init=False)

    def __post_init__(self) -> None:
        if len(self.secret) < MIN_KEY_BYTES:
            raise ValueError(f"an audit key has at least {MIN_KEY_BYTES} bytes")

        def derive(label: bytes) -> bytes:
            return hmac.digest(self.secret, label, "sha256")

        object.__setattr__(self, "events", derive(b"creditreg audit event chain"))
        object.__setattr__(self, "checkpoints", derive(b"creditreg audit checkpoint"))
        object.__setattr__(self, "key_id", derive(b"creditreg audit key id").hex()[:16])

    def __repr__(self) -> str:  # never print the secret (logs, tracebacks)
        return f"ChainKey(key_id={self.key_id!r})"


@dataclass(frozen=True, slots=True)
class AuditFields:
    """What an event says, in the order the hash covers it."""

    seq: int
    occurred_at: str  # ISO 8601 with offset
    actor: str
    unit_id: int | None
    action: str
    object_type: str
    object_id: str
    before_digest: str | None
    after_digest: str | None
    detail: Mapping[str, Any]
    prev_hash: str

    def hash(self, key: ChainKey | None) -> str:
        """The event's own hash: HMAC-SHA256 under `key`, or (None) the plain SHA-256 of
        the unkeyed segment written before the chain was keyed."""
        payload = canonical_json(
            {
                "seq": self.seq,
                "occurred_at": self.occurred_at,
                "actor": self.actor,
                "unit_id": self.unit_id,
                "action": self.action,
                "object_type": self.object_type,
                "object_id": self.object_id,
                "before_digest": self.before_digest,
                "after_digest": self.after_digest,
                "detail": dict(self.detail),
                "prev_hash": self.prev_hash,
            }
        )
        if key is None:
            return hashlib.sha256(payload).hexdigest()
        return hmac.digest(key.events, payload, "sha256").hex()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first event whose stored hash or link does not match the recomputation."""

    seq: int
    reason: str


class ChainCheck:
    """Recomputes the chain event by event, in seq order.

    Events up to `keyed_after` (the unkeyed segment) are checked with plain SHA-256, the
    rest with HMAC under `key`. After the first break nothing more is recomputed, but the
    check still follows the events, so that `last_seq` is where the stored chain ends."""

    def __init__(self, key: ChainKey, keyed_after: int = 0) -> None:
        self.key = key
        self.keyed_after = keyed_after
        self.checked = 0
        self.last_seq = 0
        self.broken: ChainBreak | None = None
        self._expected_prev = GENESIS_HASH
        # The chain starts at 1 and has no gaps: seq is assigned under a lock.
        self._expected_seq = 1

    def add(self, fields: AuditFields, stored_hash: str) -> None:
        """Check one more event (the next in seq order)."""
        self.last_seq = fields.seq
        if self.broken is not None:
            return
        if fields.seq != self._expected_seq:
            self.broken = ChainBreak(
                self._expected_seq,
                f"event {self._expected_seq} is missing (next stored is {fields.seq})",
            )
        elif fields.prev_hash != self._expected_prev:
            self.broken = ChainBreak(fields.seq, "its previous-hash link does not match")
        elif fields.hash(None if fields.seq <= self.keyed_after else self.key) != stored_hash:
            self.broken = ChainBreak(fields.seq, "its content does not match its hash")
        else:
            self.checked += 1
            self._expected_prev = stored_hash
            self._expected_seq = fields.seq + 1


def verify_chain(
    events: Iterable[tuple[AuditFields, str]], key: ChainKey, keyed_after: int = 0
) -> tuple[int, ChainBreak | None]:
    """Recompute the chain over (fields, stored_hash) in seq order.

    Returns how many events were checked and the first break, if any.
    """
    check = ChainCheck(key, keyed_after)
    for fields, stored_hash in events:
        check.add(fields, stored_hash)
        if check.broken is not None:
            break
    return check.checked, check.broken
