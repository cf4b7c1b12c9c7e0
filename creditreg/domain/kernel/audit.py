"""The audit chain (SEC-3; Art 25, Art 39): each event's hash covers the one before it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

GENESIS_HASH = "0" * 64


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

    def hash(self) -> str:
        """The event's own hash."""
        payload = {
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
        return hashlib.sha256(canonical_json(payload)).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first event whose stored hash or link does not match the recomputation."""

    seq: int
    reason: str


def verify_chain(events: Iterable[tuple[AuditFields, str]]) -> tuple[int, ChainBreak | None]:
    """Recompute the chain over (fields, stored_hash) in seq order.

    Returns how many events were checked and the first break, if any.
    """
    expected_prev = GENESIS_HASH
    expected_seq = 1  # the chain starts at 1 and has no gaps: seq is assigned under a lock
    checked = 0
    for fields, stored_hash in events:
        if fields.seq != expected_seq:
            return checked, ChainBreak(
                expected_seq, f"event {expected_seq} is missing (next stored is {fields.seq})"
            )
        if fields.prev_hash != expected_prev:
            return checked, ChainBreak(fields.seq, "its previous-hash link does not match")
        recomputed = fields.hash()
        if recomputed != stored_hash:
            return checked, ChainBreak(fields.seq, "its content does not match its hash")
        checked += 1
        expected_prev = stored_hash
        expected_seq = fields.seq + 1
    return checked, None
