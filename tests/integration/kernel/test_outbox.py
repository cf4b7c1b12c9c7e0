"""The transactional outbox and its cursors (issue 8), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest
import sqlalchemy as sa

from creditreg.domain.access.principals import SYSTEM
from creditreg.domain.kernel.events import DomainEvent, event
from creditreg.services.context import Context
from creditreg.services.kernel import events
from creditreg.services.kernel.events import StoredEvent

KIND = "probe.made"


def _emit(ctx: Context, i: int) -> None:
    with ctx.db.write() as conn:
        events.emit(conn, ctx, [event(KIND, "probe", i, n=i)])


def _seen(ctx: Context) -> list[int]:
    return [e.position for e in events.page(ctx, SYSTEM, 0, 1000).events]


def test_a_subscriber_runs_in_the_emitting_transaction_and_its_failure_rolls_back(
    ctx: Context,
) -> None:
    """In-process subscribers see the event inside the change; raising undoes both."""

    def refuse(conn: sa.Connection, c: Context, batch: Sequence[DomainEvent]) -> None:
        raise RuntimeError("the reacting context refuses")

    ctx.registry.subscribe(KIND, refuse)
    with pytest.raises(RuntimeError):
        _emit(ctx, 1)
    assert _seen(ctx) == []


def test_a_cursor_never_skips_an_event_committed_after_a_later_one(ctx: Context) -> None:
    """PostgreSQL hands out serial ids before commit: a writer that took an id and commits
    late must not be passed by a cursor that already saw a later id. Ids are assigned
    under the chain lock, so the second writer waits and ids follow commit order."""
    inside = threading.Event()
    release = threading.Event()

    def hold_first(conn: sa.Connection, c: Context, batch: Sequence[DomainEvent]) -> None:
        if batch[0].payload["n"] == 1:
            inside.set()
            assert release.wait(30)

    ctx.registry.subscribe(KIND, hold_first)
    first = threading.Thread(target=_emit, args=(ctx, 1))
    first.start()
    assert inside.wait(30)
    second = threading.Thread(target=_emit, args=(ctx, 2))
    second.start()
    second.join(0.5)  # it cannot commit before the first: it waits for the lock
    assert _seen(ctx) == []  # nothing is visible while the first is open
    release.set()
    first.join(30)
    second.join(30)
    stored = events.page(ctx, SYSTEM).events
    assert [e.payload["n"] for e in stored] == [1, 2]
    assert stored[0].position < stored[1].position


def test_concurrent_writers_and_a_polling_consumer_lose_nothing(ctx: Context) -> None:
    """Four writers and a consumer polling through its durable cursor at the same time:
    every event is delivered, once, in order."""
    delivered: list[StoredEvent] = []
    done = threading.Event()

    def write(base: int) -> None:
        for k in range(15):
            _emit(ctx, base + k)

    def poll() -> None:
        while not done.is_set():
            events.deliver(ctx, "probe-feed", delivered.append)
        events.deliver(ctx, "probe-feed", delivered.append, limit=1000)

    poller = threading.Thread(target=poll)
    poller.start()
    writers = [threading.Thread(target=write, args=(100 * t,)) for t in range(4)]
    for t in writers:
        t.start()
    for t in writers:
        t.join(60)
    done.set()
    poller.join(60)
    positions = [e.position for e in delivered]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    assert sorted(e.payload["n"] for e in delivered) == sorted(
        100 * t + k for t in range(4) for k in range(15)
    )
    assert events.position(ctx, "probe-feed") == max(positions)


def test_a_failing_consumer_loses_no_event_and_never_touches_the_change(ctx: Context) -> None:
    """At-least-once: a consumer that fails stops before the failed event and gets it
    again on its next pass; the emitting changes stay committed."""
    for i in range(1, 6):
        _emit(ctx, i)
    handled: list[int] = []
    failures = {3: 1}

    def handle(e: StoredEvent) -> None:
        n = int(e.payload["n"])
        if failures.get(n):
            failures[n] -= 1
            raise ConnectionError("the receiver is down")
        handled.append(n)

    first = events.deliver(ctx, "webhooks", handle)
    assert (
        first.delivered == 2
        and first.failed_at is not None
        and "ConnectionError" in str(first.error)
    )
    assert len(_seen(ctx)) == 5  # the changes are untouched
    second = events.deliver(ctx, "webhooks", handle)
    assert second.delivered == 3 and second.failed_at is None
    assert handled == [1, 2, 3, 4, 5]
    assert events.deliver(ctx, "webhooks", handle).delivered == 0
    # Another consumer has its own cursor and starts from the beginning.
    assert events.deliver(ctx, "federation", lambda e: None).delivered == 5


def test_consumer_names_and_cursors_are_checked(ctx: Context) -> None:
    from creditreg.domain.errors import InvalidInput

    with pytest.raises(InvalidInput) as bad:
        events.position(ctx, "Web Hooks!")
    assert bad.value.code == "event.bad_consumer"
    with pytest.raises(InvalidInput) as cursor:
        events.page(ctx, SYSTEM, -1)
    assert cursor.value.code == "event.bad_cursor"


def test_an_event_never_carries_a_personal_number_or_free_text() -> None:
    with pytest.raises(ValueError, match="id_number"):
        event("subject.made", "subject", 1, id_number="410105199001010070")
    with pytest.raises(ValueError, match="facts"):
        event("list_entry.made", "list_entry", 1, facts="...")
