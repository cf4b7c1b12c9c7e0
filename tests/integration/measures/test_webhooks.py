"""Notices to units by inbox and webhook (issue 11, part 6; MEA-5, LST-9) on SQLite and
PostgreSQL, with a real receiver on loopback: signed as Standard Webhooks say, retried 10 s
doubling to an hour for 24 hours, dead after that and visible, redelivered on request; a
receiver down for an hour loses nothing, and neither does a platform restart."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from standardwebhooks.webhooks import WebhookVerificationError

from creditreg.bootstrap import build_context
from creditreg.clock import FixedClock
from creditreg.demo import dataset as demo
from creditreg.domain.access.principals import SYSTEM, Principal
from creditreg.domain.errors import Conflict
from creditreg.domain.kernel.events import event
from creditreg.services.access import access
from creditreg.services.context import Context
from creditreg.services.kernel import events
from creditreg.services.kernel.sweep import Sweeper, SweepSteps
from creditreg.services.measures import unit_notices, webhook_sender, webhooks
from creditreg.services.measures.unit_notices import UnitNotice
from creditreg.store.access.tables import notification
from creditreg.store.measures.webhook_tables import (
    unit_notice,
    webhook_delivery,
    webhook_endpoint,
)
from tests.conftest import DbTarget
from tests.webhook_receiver import Receiver, verify

IMPLEMENTER_UNIT = 4
TIMEOUT = 0.4  # seconds the receiver has to answer in these tests


@pytest.fixture
def hooked(db: DbTarget, clock: FixedClock, demo_data: None) -> Iterator[Context]:
    """The platform with loopback allowed for the test receiver (there is no DNS here)."""
    context = build_context(
        db.settings(webhook_allowed_hosts="127.0.0.1", webhook_timeout_seconds=TIMEOUT),
        clock=clock,
    )
    yield context
    context.db.dispose()


def implementer(ctx: Context) -> Principal:
    return access.authenticate(ctx, demo.token_for("implementer"))


def pass_of(ctx: Context) -> dict[str, int]:
    """One pass of the two steps of this feature (the whole sweep runs in the API tests)."""
    steps = SweepSteps()
    unit_notices.register_sweep_steps(steps)
    webhook_sender.register_sweep_steps(steps)
    report = Sweeper(ctx, steps).run(SYSTEM)
    return {
        what: report.count(what)
        for what in ("webhooks_delivered", "webhooks_retrying", "webhooks_dead")
    }


def stop_notice(ctx: Context, entry_id: int = 7) -> list[int]:
    with ctx.db.write() as conn:
        return unit_notices.send(
            conn,
            ctx,
            [IMPLEMENTER_UNIT],
            UnitNotice(
                kind="stop",
                object_type="list_entry",
                object_id=str(entry_id),
                message=f"list entry {entry_id} ended: stop its measures",
                data={"entry_id": entry_id, "ended_on": "2026-03-02"},
            ),
        )


def the_delivery(ctx: Context) -> webhooks.DeliveryView:
    [one] = webhooks.deliveries(ctx, implementer(ctx))
    return one


def test_a_notice_goes_to_the_inbox_and_is_queued_for_active_endpoints__MEA_5(
    hooked: Context, receiver: Receiver
) -> None:
    me = implementer(hooked)
    kept = webhooks.add_endpoint(hooked, me, receiver.url)
    removed = webhooks.add_endpoint(hooked, me, receiver.url + "/old")
    webhooks.remove_endpoint(hooked, me, removed["id"])
    [notice_id] = stop_notice(hooked)
    with hooked.db.read() as conn:
        inbox = conn.execute(
            sa.select(notification).where(notification.c.kind == "unit_notice.stop")
        ).all()
        queued = conn.execute(sa.select(webhook_delivery)).all()
    assert [(n.unit_id, n.object_id) for n in inbox] == [(IMPLEMENTER_UNIT, "7")]
    assert [(d.notice_id, d.endpoint_id, d.status) for d in queued] == [
        (notice_id, kept["id"], "pending")
    ]
    [notice] = unit_notices.listing(hooked, me)
    assert notice["kind"] == "stop" and notice["data"] == {"entry_id": 7, "ended_on": "2026-03-02"}
    # Another unit reads none of it; the platform reads every unit's.
    designator = access.authenticate(hooked, demo.token_for("designator"))
    assert unit_notices.listing(hooked, designator) == []
    platform = access.authenticate(hooked, demo.token_for("platform"))
    assert len(unit_notices.listing(hooked, platform)) == 1


def test_a_delivery_is_signed_as_standard_webhooks_say__MEA_5(
    hooked: Context, receiver: Receiver
) -> None:
    made = webhooks.add_endpoint(hooked, implementer(hooked), receiver.url)
    assert made["secret"].startswith("whsec_")
    [notice_id] = stop_notice(hooked)
    assert pass_of(hooked)["webhooks_delivered"] == 1
    [got] = receiver.requests
    body = verify(made["secret"], got)
    assert body["type"] == "unit_notice.stop"
    assert body["data"]["notice_id"] == notice_id and body["data"]["object_id"] == "7"
    assert got.headers["webhook-id"] == f"msg_delivery_{the_delivery(hooked)['id']}"
    # Signed at the wall clock's time, not the (fixed, moved) business clock's: a receiver
    # checks the timestamp against its own real time.
    signed = int(got.headers["webhook-timestamp"])
    assert abs(signed - hooked.wall_clock.now().timestamp()) < 60
    assert signed != int(hooked.now().timestamp())
    # A body changed on the way, or another unit's secret, fails the check.
    tampered = got.__class__(got.path, got.headers, got.body.replace(b"stop", b"stap"))
    with pytest.raises(WebhookVerificationError):
        verify(made["secret"], tampered)
    with pytest.raises(WebhookVerificationError):
        verify(webhooks.new_secret(), got)
    d = the_delivery(hooked)
    assert (d["status"], d["attempts"], d["last_status_code"]) == ("delivered", 1, 200)
    assert pass_of(hooked)["webhooks_delivered"] == 0  # delivered once, not again


def _retry_until(ctx: Context, clock: FixedClock, done: str) -> list[datetime]:
    """Sweep at each retry's time until the delivery is `done`; the attempts' times."""
    times = []
    for _ in range(100):
        times.append(clock.now())
        pass_of(ctx)
        d = the_delivery(ctx)
        if d["status"] == done:
            return times
        assert d["next_attempt_at"] is not None
        clock.set(datetime.fromisoformat(d["next_attempt_at"]))
    raise AssertionError("never reached " + done)


def test_a_receiver_down_for_an_hour_loses_nothing__MEA_5(
    hooked: Context, clock: FixedClock, receiver: Receiver, db: DbTarget
) -> None:
    made = webhooks.add_endpoint(hooked, implementer(hooked), receiver.url)
    receiver.stop()
    start = clock.now()
    stop_notice(hooked)
    pass_of(hooked)
    d = the_delivery(hooked)
    assert d["status"] == "retrying" and d["last_error"] and d["last_status_code"] is None
    # 10 s doubling: the retries' times while the receiver stays down.
    while clock.now() < start + timedelta(hours=1):
        clock.set(datetime.fromisoformat(str(the_delivery(hooked)["next_attempt_at"])))
        pass_of(hooked)
    d = the_delivery(hooked)
    gaps = [
        datetime.fromisoformat(b["at"]) - datetime.fromisoformat(a["at"])
        for a, b in zip(d["history"][1:], d["history"][2:], strict=False)
    ]
    assert [g.total_seconds() for g in gaps[:5]] == [10, 20, 40, 80, 160]
    assert max(gaps) <= timedelta(hours=1)
    assert d["status"] == "retrying"
    # The platform restarts meanwhile (a new context on the same database), the receiver
    # comes back: the next retry delivers.
    restarted = build_context(
        db.settings(webhook_allowed_hosts="127.0.0.1", webhook_timeout_seconds=TIMEOUT),
        clock=clock,
    )
    try:
        receiver.start()
        clock.set(datetime.fromisoformat(str(the_delivery(restarted)["next_attempt_at"])))
        assert pass_of(restarted)["webhooks_delivered"] == 1
        d = the_delivery(restarted)
    finally:
        restarted.db.dispose()
    assert d["status"] == "delivered" and d["attempts"] >= 10
    [got] = receiver.requests
    assert verify(made["secret"], got)["data"]["object_id"] == "7"


def test_answers_500_are_retried_for_24_hours_then_dead_and_redelivered__MEA_5(
    hooked: Context, clock: FixedClock, receiver: Receiver
) -> None:
    webhooks.add_endpoint(hooked, implementer(hooked), receiver.url)
    receiver.status = 500
    start = clock.now()
    stop_notice(hooked)
    times = _retry_until(hooked, clock, "dead")
    d = the_delivery(hooked)
    assert d["last_status_code"] == 500 and d["last_error"] == "HTTP 500"
    assert d["attempts"] == len(times) == len(receiver.requests)
    # Every retry within the 24 hours; one more would have fallen after them.
    assert times[-1] <= start + timedelta(hours=24) < times[-1] + timedelta(hours=1)
    assert d["history"][-1]["action"] == "give_up" and d["next_attempt_at"] is None
    # The same webhook-id on every try: the receiver can drop duplicates.
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    me = implementer(hooked)
    assert [x["id"] for x in webhooks.deliveries(hooked, me, status="dead")] == [d["id"]]
    # Dead stays dead: no pass sends it again unasked.
    clock.set(clock.now() + timedelta(days=2))
    pass_of(hooked)
    assert len(receiver.requests) == d["attempts"]
    # Redelivered on request: queued now, sent by the next pass.
    receiver.status = 204
    again = webhooks.redeliver(hooked, me, d["id"])
    assert again["status"] == "pending"
    with pytest.raises(Conflict) as queued:
        webhooks.redeliver(hooked, me, d["id"])
    assert queued.value.code == "webhook_delivery.illegal_transition"
    assert pass_of(hooked)["webhooks_delivered"] == 1
    assert the_delivery(hooked)["status"] == "delivered"


def test_a_receiver_that_times_out_is_retried__MEA_5(
    hooked: Context, clock: FixedClock, receiver: Receiver
) -> None:
    webhooks.add_endpoint(hooked, implementer(hooked), receiver.url)
    receiver.delay = TIMEOUT * 3
    stop_notice(hooked)
    assert pass_of(hooked)["webhooks_retrying"] == 1
    d = the_delivery(hooked)
    assert d["status"] == "retrying" and d["last_error"] and "timeout" in d["last_error"]
    assert datetime.fromisoformat(str(d["next_attempt_at"])) == clock.now() + timedelta(seconds=10)
    receiver.delay = 0
    clock.set(clock.now() + timedelta(seconds=10))
    assert pass_of(hooked)["webhooks_delivered"] == 1


def _statuses(ctx: Context, endpoint_id: int) -> list[tuple[str, int]]:
    """(status, attempts) of an endpoint's deliveries, oldest first."""
    with ctx.db.read() as conn:
        rows = conn.execute(
            sa.select(webhook_delivery.c.status, webhook_delivery.c.attempts)
            .where(webhook_delivery.c.endpoint_id == endpoint_id)
            .order_by(webhook_delivery.c.id)
        ).all()
    return [(r.status, r.attempts) for r in rows]


@pytest.fixture
def second() -> Iterator[Receiver]:
    """Another unit's receiver, beside `receiver`."""
    r = Receiver()
    yield r
    r.stop()


def test_a_hanging_receiver_costs_a_pass_one_timeout_and_holds_up_no_other__MEA_5(
    hooked: Context, clock: FixedClock, receiver: Receiver, second: Receiver
) -> None:
    """Notices go out within a minute whoever else hangs: an endpoint that fails once gets
    nothing more in that pass (its other deliveries wait untouched), the others get all."""
    me = implementer(hooked)
    hanging = webhooks.add_endpoint(hooked, me, receiver.url)
    healthy = webhooks.add_endpoint(hooked, me, second.url)
    receiver.delay = TIMEOUT * 3
    for entry_id in (7, 8, 9):
        stop_notice(hooked, entry_id)
    assert pass_of(hooked) == {"webhooks_delivered": 3, "webhooks_retrying": 1, "webhooks_dead": 0}
    assert len(receiver.requests) == 1  # one timeout, not three
    assert _statuses(hooked, hanging["id"]) == [("retrying", 1), ("pending", 0), ("pending", 0)]
    assert _statuses(hooked, healthy["id"]) == [("delivered", 1)] * 3
    assert [verify(healthy["secret"], r)["data"]["object_id"] for r in second.requests] == [
        "7", "8", "9"
    ]  # fmt: skip
    # The receiver answers again: the next pass sends the rest, in order.
    receiver.delay = 0
    clock.set(clock.now() + timedelta(seconds=10))
    assert pass_of(hooked)["webhooks_delivered"] == 3
    assert _statuses(hooked, hanging["id"]) == [("delivered", 2)] + [("delivered", 1)] * 2
    assert [verify(hanging["secret"], r)["data"]["object_id"] for r in receiver.requests] == [
        "7", "7", "8", "9"
    ]  # fmt: skip
    assert len(second.requests) == 3  # delivered once each


def test_endpoints_are_called_at_once__MEA_5(
    hooked: Context, receiver: Receiver, second: Receiver
) -> None:
    """Each receiver answers only once the other has been called too: sent one after the
    other, the first would wait in vain (and answer 500)."""
    me = implementer(hooked)
    webhooks.add_endpoint(hooked, me, receiver.url)
    webhooks.add_endpoint(hooked, me, second.url)
    both = threading.Barrier(2, timeout=TIMEOUT * 0.75)
    receiver.hold = second.hold = both.wait
    stop_notice(hooked)
    assert pass_of(hooked)["webhooks_delivered"] == 2
    assert len(receiver.requests) == len(second.requests) == 1


def test_a_backlog_at_one_endpoint_does_not_starve_the_others__MEA_5(
    hooked: Context, receiver: Receiver, second: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pass takes every endpoint's oldest due delivery before any endpoint's second, so
    a dead receiver's backlog never fills the pass."""
    monkeypatch.setattr(webhook_sender, "BATCH", 2)
    me = implementer(hooked)
    down = webhooks.add_endpoint(hooked, me, receiver.url)
    receiver.stop()
    for entry_id in (7, 8, 9):
        stop_notice(hooked, entry_id)
    up = webhooks.add_endpoint(hooked, me, second.url)
    stop_notice(hooked, 10)
    assert pass_of(hooked)["webhooks_delivered"] == 1
    assert _statuses(hooked, up["id"]) == [("delivered", 1)]
    # The unit's fourth notice went to both endpoints; the dead one got one attempt.
    assert _statuses(hooked, down["id"]) == [("retrying", 1)] + [("pending", 0)] * 3
    assert [verify(up["secret"], r)["data"]["object_id"] for r in second.requests] == ["10"]


def test_a_url_no_client_can_send_to_is_a_failed_attempt_not_a_failed_pass__MEA_5(
    hooked: Context, receiver: Receiver, second: Receiver
) -> None:
    """An endpoint registered before its URL would be refused (a line break in it): the
    pass records a failed attempt for it and delivers the rest; the registration API now
    refuses such a URL (tests/unit/measures/test_webhook_rules.py)."""
    me = implementer(hooked)
    poisoned = webhooks.add_endpoint(hooked, me, receiver.url)
    fine = webhooks.add_endpoint(hooked, me, second.url)
    with hooked.db.write() as conn:
        conn.execute(
            sa.update(webhook_endpoint)
            .where(webhook_endpoint.c.id == poisoned["id"])
            .values(url=receiver.url + "/poison\r\nX: y")
        )
    stop_notice(hooked)
    counts = pass_of(hooked)
    assert counts["webhooks_delivered"] == 1 and counts["webhooks_retrying"] == 1
    assert _statuses(hooked, fine["id"]) == [("delivered", 1)]
    [d] = [x for x in webhooks.deliveries(hooked, me) if x["endpoint_id"] == poisoned["id"]]
    assert d["status"] == "retrying" and "webhook.bad_url" in str(d["last_error"])
    assert receiver.requests == []


def test_an_unexpected_error_in_one_attempt_fails_that_attempt_only__MEA_5(
    hooked: Context, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    webhooks.add_endpoint(hooked, implementer(hooked), receiver.url)
    stop_notice(hooked)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("signing failed")

    monkeypatch.setattr(webhook_sender, "message", broken)
    assert pass_of(hooked)["webhooks_retrying"] == 1
    d = the_delivery(hooked)
    assert d["status"] == "retrying" and d["last_error"] == "RuntimeError: signing failed"


def test_a_name_is_resolved_once_and_the_post_goes_to_that_address__MEA_5(
    db: DbTarget, clock: FixedClock, demo_data: None, receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """DNS rebinding: the platform connects to the address it judged, not to whatever the
    name resolves to when the client connects. `hooks.test` exists nowhere (there is no
    DNS here): only the checked address, with the name in the Host header, reaches the
    receiver."""
    looked_up: list[str] = []

    def resolve(host: str, port: int | None) -> list[str]:
        looked_up.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr(webhook_sender, "_resolve", resolve)
    ctx = build_context(
        db.settings(webhook_allowed_hosts="hooks.test", webhook_timeout_seconds=TIMEOUT),
        clock=clock,
    )
    try:
        made = webhooks.add_endpoint(
            ctx, implementer(ctx), f"http://hooks.test:{receiver.port}/hook"
        )
        stop_notice(ctx)
        assert pass_of(ctx)["webhooks_delivered"] == 1
    finally:
        ctx.db.dispose()
    assert looked_up == ["hooks.test"]
    [got] = receiver.requests
    assert got.headers["host"] == f"hooks.test:{receiver.port}"
    assert verify(made["secret"], got)["data"]["object_id"] == "7"


@pytest.fixture
def named(
    db: DbTarget, clock: FixedClock, demo_data: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Context, dict[str, list[str]]]]:
    """The platform with names the operator allowed, each resolving as the table says
    (there is no DNS here)."""
    table: dict[str, list[str]] = {}
    monkeypatch.setattr(webhook_sender, "_resolve", lambda host, port: table[host])
    ctx = build_context(
        db.settings(webhook_allowed_hosts="a.test,b.test,c.test", webhook_timeout_seconds=TIMEOUT),
        clock=clock,
    )
    yield ctx, table
    ctx.db.dispose()


def test_two_names_at_one_address_never_share_a_connection__MEA_5(
    named: tuple[Context, dict[str, list[str]]], receiver: Receiver
) -> None:
    """Each endpoint has a client of its own: a connection opened (and, over TLS, checked)
    for one name never carries another name's notices, even at the same address."""
    ctx, table = named
    table.update({"a.test": ["127.0.0.1"], "b.test": ["127.0.0.1"]})
    receiver.keep_alive = True
    me = implementer(ctx)
    for name in ("a.test", "b.test"):
        webhooks.add_endpoint(ctx, me, f"http://{name}:{receiver.port}/hook")
    for entry_id in (7, 8):
        stop_notice(ctx, entry_id)
    assert pass_of(ctx)["webhooks_delivered"] == 4
    ports: dict[str, set[int]] = {}
    for r in receiver.requests:
        ports.setdefault(r.headers["host"].split(":")[0], set()).add(r.peer)
    assert set(ports) == {"a.test", "b.test"} and not ports["a.test"] & ports["b.test"]


def test_a_receiver_that_trickles_its_answer_is_cut_off_at_the_timeout__MEA_5(
    hooked: Context, receiver: Receiver
) -> None:
    """httpx's timeout bounds each read; a receiver sending a header line every so often
    would hold a pass for ever. The whole exchange is bounded: a timed-out attempt."""
    webhooks.add_endpoint(hooked, implementer(hooked), receiver.url)
    receiver.trickle = TIMEOUT / 4  # 20 lines: five times the timeout in all
    stop_notice(hooked)
    assert pass_of(hooked)["webhooks_retrying"] == 1
    d = the_delivery(hooked)
    assert d["status"] == "retrying" and d["last_error"] == webhook_sender.TIMED_OUT


def test_an_address_that_refuses_is_followed_by_the_next_one_checked__MEA_5(
    named: tuple[Context, dict[str, list[str]]], receiver: Receiver
) -> None:
    ctx, table = named
    table["c.test"] = ["127.0.0.2", "127.0.0.1"]  # nothing listens on the first
    webhooks.add_endpoint(ctx, implementer(ctx), f"http://c.test:{receiver.port}/hook")
    stop_notice(ctx)
    assert pass_of(ctx)["webhooks_delivered"] == 1
    assert [r.headers["host"] for r in receiver.requests] == [f"c.test:{receiver.port}"]


def test_a_removed_endpoint_s_deliveries_all_end_in_one_pass__MEA_5(
    hooked: Context, receiver: Receiver
) -> None:
    """Nothing is called for a removed endpoint: its backlog is given up at once, not one
    delivery a pass."""
    me = implementer(hooked)
    made = webhooks.add_endpoint(hooked, me, receiver.url)
    for entry_id in (7, 8, 9):
        stop_notice(hooked, entry_id)
    webhooks.remove_endpoint(hooked, me, made["id"])
    assert pass_of(hooked)["webhooks_dead"] == 3
    assert receiver.requests == []


def test_a_pass_past_its_time_starts_no_post_and_loses_nothing__MEA_5(
    hooked: Context, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = webhooks.add_endpoint(hooked, implementer(hooked), receiver.url)
    stop_notice(hooked)
    monkeypatch.setattr(webhook_sender, "PASS_SECONDS", 0.0)
    assert pass_of(hooked)["webhooks_delivered"] == 0
    assert receiver.requests == [] and _statuses(hooked, made["id"]) == [("pending", 0)]
    monkeypatch.setattr(webhook_sender, "PASS_SECONDS", 30.0)
    assert pass_of(hooked)["webhooks_delivered"] == 1
    assert _statuses(hooked, made["id"]) == [("delivered", 1)]


def designated(ctx: Context, entry_id: int, field: str, list_type: str = "blacklist") -> None:
    """A designation as the lists context emits it (the API tests designate for real)."""
    with ctx.db.write() as conn:
        events.emit(
            conn,
            ctx,
            [
                event(
                    "list_entry.designated", "list_entry", entry_id, entry_id=entry_id,
                    list_type=list_type, field=field, subject_id=1, on="2026-03-02",
                    **{"from": "announced", "to": "designated"},
                )
            ],
        )  # fmt: skip


def test_designations_reach_the_units_subscribed_to_their_field__LST_9(
    hooked: Context, receiver: Receiver, db: DbTarget, clock: FixedClock
) -> None:
    me = implementer(hooked)
    hook = webhooks.add_endpoint(hooked, me, receiver.url)
    webhooks.subscribe(hooked, me, kind="designation", field="food_drug_safety")
    designated(hooked, 11, "food_drug_safety")
    designated(hooked, 12, "taxation")  # a field it did not subscribe to
    pass_of(hooked)
    notices = unit_notices.listing(hooked, me, kind="designation")
    assert [n["object_id"] for n in notices] == ["11"]
    [got] = receiver.requests
    assert verify(hook["secret"], got)["data"]["data"]["field"] == "food_drug_safety"
    # A restart keeps the consumer's cursor: nothing is told twice, the next one once.
    assert events.position(hooked, unit_notices.CONSUMER) > 0
    restarted = build_context(db.settings(webhook_allowed_hosts="127.0.0.1"), clock=clock)
    try:
        pass_of(restarted)
        designated(restarted, 13, "food_drug_safety", "red_list")
        pass_of(restarted)
    finally:
        restarted.db.dispose()
    with hooked.db.read() as conn:
        told = conn.execute(sa.select(unit_notice.c.object_id).order_by(unit_notice.c.id)).all()
    assert [t.object_id for t in told] == ["11", "13"]
    assert len(receiver.requests) == 2
