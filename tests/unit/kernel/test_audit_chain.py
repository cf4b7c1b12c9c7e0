"""The audit chain detects any change, removal or reordering (SEC-3); keyed, it cannot be
recomputed forward without the key, and the unkeyed segment before the key still checks."""

from __future__ import annotations

import secrets
from dataclasses import replace

import pytest

from creditreg.domain.kernel.audit import GENESIS_HASH, AuditFields, ChainKey, digest, verify_chain

KEY = ChainKey(secrets.token_hex(32).encode())


def chain(n: int, key: ChainKey | None = KEY, unkeyed: int = 0) -> list[tuple[AuditFields, str]]:
    """n events; the first `unkeyed` hashed with plain SHA-256 (written before the key)."""
    events: list[tuple[AuditFields, str]] = []
    prev = GENESIS_HASH
    for seq in range(1, n + 1):
        fields = AuditFields(
            seq,
            f"2026-03-02T09:00:0{seq % 10}+08:00",
            "user:alice",
            1,
            "subject.register",
            "subject",
            str(seq),
            None,
            digest({"n": seq}),
            {"n": seq},
            prev,
        )
        prev = fields.hash(None if seq <= unkeyed else key)
        events.append((fields, prev))
    return events


def test_intact_chain_verifies__SEC_3() -> None:
    assert verify_chain(chain(5), KEY) == (5, None)
    assert verify_chain([], KEY) == (0, None)


def test_changed_content_is_found__SEC_3() -> None:
    events = chain(5)
    fields, stored = events[2]
    events[2] = (replace(fields, actor="user:mallory"), stored)
    checked, broken = verify_chain(events, KEY)
    assert checked == 2
    assert broken is not None and broken.seq == 3
    assert "content" in broken.reason


def test_rehashed_event_breaks_the_next_link__SEC_3() -> None:
    events = chain(5)
    forged = replace(events[1][0], action="subject.delete")
    events[1] = (forged, forged.hash(KEY))
    _, broken = verify_chain(events, KEY)
    assert broken is not None and broken.seq == 3
    assert "previous-hash" in broken.reason


def test_removed_event_is_found__SEC_3() -> None:
    events = chain(5)
    del events[3]
    _, broken = verify_chain(events, KEY)
    assert broken is not None and broken.seq == 4
    assert "missing" in broken.reason
    _, broken = verify_chain(chain(3)[1:], KEY)
    assert broken is not None and broken.seq == 1


def test_a_chain_recomputed_forward_without_the_key_fails__SEC_3() -> None:
    """Issue 9, defect 7: edit an event and recompute every hash after it as the unkeyed
    chain did; under the key, the edited event no longer matches."""
    events = chain(5)
    forged: list[tuple[AuditFields, str]] = events[:2]
    prev = events[1][1]
    for fields, _ in events[2:]:
        edited = replace(fields, prev_hash=prev, actor="user:mallory")
        prev = edited.hash(None)
        forged.append((edited, prev))
    checked, broken = verify_chain(forged, KEY)
    assert checked == 2 and broken is not None and broken.seq == 3
    other = ChainKey(secrets.token_hex(32).encode())
    assert verify_chain(chain(5, key=other), KEY)[1] is not None  # another install's key


def test_the_unkeyed_segment_before_the_key_still_verifies__SEC_3() -> None:
    """Events written before the chain was keyed keep their SHA-256 hashes."""
    events = chain(6, unkeyed=3)
    assert verify_chain(events, KEY, keyed_after=3) == (6, None)
    # ... but only up to the start: an unkeyed event after it is a break.
    _, broken = verify_chain(events, KEY, keyed_after=2)
    assert broken is not None and broken.seq == 3


def test_a_key_is_long_enough_and_never_printed__SEC_3() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        ChainKey(b"short")
    assert KEY.secret.decode() not in repr(KEY) and KEY.key_id in repr(KEY)
    assert KEY.events != KEY.checkpoints  # events and checkpoints under derived keys


def test_digest_is_canonical__SEC_3() -> None:
    assert digest({"a": 1, "b": 2}) == digest({"b": 2, "a": 1})
    assert digest({"a": 1}) != digest({"a": 2})
