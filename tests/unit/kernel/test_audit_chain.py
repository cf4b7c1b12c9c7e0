"""The audit hash chain detects any change, removal or reordering (SEC-3)."""

from __future__ import annotations

from dataclasses import replace

from creditreg.domain.kernel.audit import GENESIS_HASH, AuditFields, digest, verify_chain


def chain(n: int) -> list[tuple[AuditFields, str]]:
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
        prev = fields.hash()
        events.append((fields, prev))
    return events


def test_intact_chain_verifies__SEC_3() -> None:
    assert verify_chain(chain(5)) == (5, None)
    assert verify_chain([]) == (0, None)


def test_changed_content_is_found__SEC_3() -> None:
    events = chain(5)
    fields, stored = events[2]
    events[2] = (replace(fields, actor="user:mallory"), stored)
    checked, broken = verify_chain(events)
    assert checked == 2
    assert broken is not None and broken.seq == 3
    assert "content" in broken.reason


def test_rehashed_event_breaks_the_next_link__SEC_3() -> None:
    events = chain(5)
    forged = replace(events[1][0], action="subject.delete")
    events[1] = (forged, forged.hash())
    _, broken = verify_chain(events)
    assert broken is not None and broken.seq == 3
    assert "previous-hash" in broken.reason


def test_removed_event_is_found__SEC_3() -> None:
    events = chain(5)
    del events[3]
    _, broken = verify_chain(events)
    assert broken is not None and broken.seq == 4
    assert "missing" in broken.reason
    _, broken = verify_chain(chain(3)[1:])
    assert broken is not None and broken.seq == 1


def test_digest_is_canonical__SEC_3() -> None:
    assert digest({"a": 1, "b": 2}) == digest({"b": 2, "a": 1})
    assert digest({"a": 1}) != digest({"a": 2})
