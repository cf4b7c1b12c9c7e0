"""Notices to units and their webhooks over HTTP (issue 11, part 6; MEA-5, LST-9), on
SQLite and PostgreSQL: a unit registers an endpoint (refused when it is not http(s) or
points inside, unless the operator allowed the host) and subscribes to designations; a
real designation reaches it, after the sweep, in its notices and at its receiver, signed;
the delivery log shows it and a redelivery sends it again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from creditreg.cli.main import app as cli_app
from creditreg.clock import FixedClock
from creditreg.domain.access.principals import SYSTEM
from creditreg.services.context import Context
from creditreg.services.kernel import sweep
from tests.conftest import DbTarget
from tests.e2e.api.test_api import error
from tests.e2e.api.test_corrections_api import blacklisted
from tests.e2e.conftest import bearer
from tests.lists_world import World, make_world
from tests.webhook_receiver import Receiver, verify

IMPLEMENTER = bearer("implementer")
PLATFORM = bearer("platform")
PROVIDER = bearer("provider")


@pytest.fixture
def world(api: TestClient, ctx: Context, clock: FixedClock) -> World:
    return make_world(ctx, clock)


def test_webhook_urls_not_http_or_pointing_inside_are_refused__MEA_5(
    api: TestClient, ctx: Context, receiver: Receiver
) -> None:
    def add(url: str) -> object:
        return api.post("/api/v1/webhooks/endpoints", headers=IMPLEMENTER, json={"url": url})

    error(add("ftp://hooks.example.com/x"), 422, "webhook.bad_url")
    error(add("http://user:pw@hooks.example.com/"), 422, "webhook.bad_url")
    error(add("http://10.0.0.1/hook"), 422, "webhook.host_not_allowed")
    error(add("http://localhost:8080/hook"), 422, "webhook.host_not_allowed")
    error(add(receiver.url), 422, "webhook.host_not_allowed")  # 127.0.0.1, not allowed yet
    # Nothing half-stored.
    assert api.get("/api/v1/webhooks/endpoints", headers=IMPLEMENTER).json() == []
    # The operator allows loopback for the test receiver (CREDITREG_WEBHOOK_ALLOWED_HOSTS).
    ctx.webhook_allowed_hosts = frozenset({"127.0.0.1"})
    made = add(receiver.url)
    assert made.status_code == 201, made.text  # type: ignore[attr-defined]
    body = made.json()  # type: ignore[attr-defined]
    assert body["secret"].startswith("whsec_") and body["status"] == "active"
    error(add(receiver.url), 409, "webhook_endpoint.duplicate")
    error(add("http://localhost/hook"), 422, "webhook.host_not_allowed")  # still refused
    listed = api.get("/api/v1/webhooks/endpoints", headers=IMPLEMENTER).json()
    assert [e["url"] for e in listed] == [receiver.url] and "secret" not in listed[0]


def test_webhooks_belong_to_the_unit_and_need_the_permission__MEA_5(api: TestClient) -> None:
    error(api.get("/api/v1/webhooks/endpoints", headers=PROVIDER), 403, "access.missing_permission")
    theirs = api.post(
        "/api/v1/webhooks/endpoints", headers=PLATFORM, json={"url": "https://hooks.example.com/"}
    )
    assert theirs.status_code == 201, theirs.text
    gone = f"/api/v1/webhooks/endpoints/{theirs.json()['id']}"
    error(api.delete(gone, headers=IMPLEMENTER), 404, "webhook_endpoint.not_found")
    assert api.get("/api/v1/webhooks/endpoints", headers=IMPLEMENTER).json() == []
    removed = api.delete(gone, headers=PLATFORM)
    assert removed.status_code == 200 and removed.json()["status"] == "disabled"
    error(api.delete(gone, headers=PLATFORM), 409, "webhook_endpoint.illegal_transition")


def test_subscriptions_are_created_listed_and_deleted__LST_9(api: TestClient) -> None:
    path = "/api/v1/webhooks/subscriptions"
    error(
        api.post(path, headers=IMPLEMENTER, json={"field": "astrology"}),
        422,
        "webhook_subscription.unknown_field",
    )
    made = api.post(path, headers=IMPLEMENTER, json={"field": "market_regulation"})
    assert made.status_code == 201, made.text
    assert made.json()["kind"] == "designation" and made.json()["list_type"] is None
    error(
        api.post(path, headers=IMPLEMENTER, json={"field": "market_regulation"}),
        409,
        "webhook_subscription.duplicate",
    )
    assert [s["id"] for s in api.get(path, headers=IMPLEMENTER).json()] == [made.json()["id"]]
    gone = api.delete(f"{path}/{made.json()['id']}", headers=IMPLEMENTER)
    assert gone.status_code == 200 and gone.json()["field"] == "market_regulation"
    error(
        api.delete(f"{path}/{made.json()['id']}", headers=IMPLEMENTER),
        404,
        "webhook_subscription.not_found",
    )


def test_a_designation_reaches_the_subscribed_unit_after_the_sweep__LST_9_MEA_5(
    api: TestClient, ctx: Context, world: World, receiver: Receiver
) -> None:
    ctx.webhook_allowed_hosts = frozenset({"127.0.0.1"})
    hook = api.post("/api/v1/webhooks/endpoints", headers=IMPLEMENTER, json={"url": receiver.url})
    secret = hook.json()["secret"]
    sub = api.post(
        "/api/v1/webhooks/subscriptions",
        headers=IMPLEMENTER,
        json={"field": "market_regulation", "list_type": "blacklist"},
    )
    assert sub.status_code == 201, sub.text
    eid = blacklisted(api, world)
    assert api.get("/api/v1/unit-notices", headers=IMPLEMENTER).json() == []  # not yet
    report = sweep.run(ctx, SYSTEM)  # the embedded worker's pass, each minute
    assert report.count("webhooks_delivered") == 1
    [notice] = api.get("/api/v1/unit-notices", headers=IMPLEMENTER).json()
    assert (notice["kind"], notice["object_id"]) == ("designation", str(eid))
    assert notice["data"]["field"] == "market_regulation"
    assert notice["message"].startswith(
        f"名单条目 {eid} 已认定：失信联合惩戒对象名单，市场监管领域。"
    )
    [got] = receiver.requests
    assert verify(secret, got)["data"]["object_id"] == str(eid)
    # Not the designating unit's: it subscribed to nothing.
    assert api.get("/api/v1/unit-notices", headers=bearer("designator")).json() == []
    # The delivery log, filtered by status; a redelivery on request.
    [delivered] = api.get(
        "/api/v1/webhooks/deliveries", headers=IMPLEMENTER, params={"status": "delivered"}
    ).json()
    assert delivered["attempts"] == 1 and delivered["last_status_code"] == 200
    assert [m["action"] for m in delivered["history"]] == ["queue", "deliver"]
    assert (
        api.get(
            "/api/v1/webhooks/deliveries", headers=IMPLEMENTER, params={"status": "dead"}
        ).json()
        == []
    )
    again = api.post(
        f"/api/v1/webhooks/deliveries/{delivered['id']}/redeliver", headers=IMPLEMENTER
    )
    assert again.status_code == 200 and again.json()["status"] == "pending", again.text
    error(
        api.post(f"/api/v1/webhooks/deliveries/{delivered['id']}/redeliver", headers=IMPLEMENTER),
        409,
        "webhook_delivery.illegal_transition",
    )
    error(
        api.post(f"/api/v1/webhooks/deliveries/{delivered['id']}/redeliver", headers=PLATFORM),
        409,
        "webhook_delivery.illegal_transition",
    )
    error(
        api.post("/api/v1/webhooks/deliveries/999/redeliver", headers=IMPLEMENTER),
        404,
        "webhook_delivery.not_found",
    )
    assert sweep.run(ctx, SYSTEM).count("webhooks_delivered") == 1
    assert len(receiver.requests) == 2
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]
    # A second pass tells nothing twice.
    assert sweep.run(ctx, SYSTEM).count("webhooks_delivered") == 0
    assert len(api.get("/api/v1/unit-notices", headers=IMPLEMENTER).json()) == 1


def test_a_notice_whose_endpoint_was_replaced_is_redelivered_to_the_new_one__MEA_5(
    api: TestClient, ctx: Context, world: World, receiver: Receiver, db: DbTarget
) -> None:
    """A unit rotates its secret (removes its endpoint, registers a new one): the notices
    of the old endpoint are not lost. Redelivered, each goes to the unit's one active
    endpoint, or the one it names, under the same webhook-id."""
    ctx.webhook_allowed_hosts = frozenset({"127.0.0.1"})
    old = api.post("/api/v1/webhooks/endpoints", headers=IMPLEMENTER, json={"url": receiver.url})
    api.post("/api/v1/webhooks/subscriptions", headers=IMPLEMENTER, json={})
    blacklisted(api, world)
    assert sweep.run(ctx, SYSTEM).count("webhooks_delivered") == 1
    [first] = receiver.requests
    [delivery] = api.get("/api/v1/webhooks/deliveries", headers=IMPLEMENTER).json()
    redeliver = f"/api/v1/webhooks/deliveries/{delivery['id']}/redeliver"
    api.delete(f"/api/v1/webhooks/endpoints/{old.json()['id']}", headers=IMPLEMENTER)
    said = error(
        api.post(redeliver, headers=IMPLEMENTER), 409, "webhook_endpoint.illegal_transition"
    )
    assert "register an endpoint" in said
    new = api.post("/api/v1/webhooks/endpoints", headers=IMPLEMENTER, json={"url": receiver.url})
    # Only an endpoint of the unit's own may stand in.
    error(
        api.post(redeliver, headers=IMPLEMENTER, params={"endpoint_id": 99999}),
        404,
        "webhook_endpoint.not_found",
    )
    # Two active endpoints: the unit names the one (API or CLI); unnamed, it is told to.
    spare = api.post(
        "/api/v1/webhooks/endpoints", headers=IMPLEMENTER, json={"url": receiver.url + "/spare"}
    )
    assert spare.status_code == 201, spare.text
    said = error(
        api.post(redeliver, headers=IMPLEMENTER), 409, "webhook_endpoint.illegal_transition"
    )
    assert f"one of [{new.json()['id']}, {spare.json()['id']}]" in said
    env = {**db.env(), "CREDITREG_CLOCK": world.clock.now().isoformat(),
           "CREDITREG_ALLOW_CLOCK_OVERRIDE": "1"}  # fmt: skip
    args = ["webhooks", "deliveries", "redeliver", str(delivery["id"]), "--unit", "4"]
    by_cli = CliRunner().invoke(cli_app, [*args, "--endpoint", str(new.json()["id"])], env=env)
    assert by_cli.exit_code == 0, by_cli.stderr
    api.delete(f"/api/v1/webhooks/endpoints/{spare.json()['id']}", headers=IMPLEMENTER)
    [again] = api.get("/api/v1/webhooks/deliveries", headers=IMPLEMENTER).json()
    assert again["status"] == "pending" and again["endpoint_id"] == new.json()["id"]
    world.clock.set(world.clock.now() + timedelta(minutes=5))
    assert sweep.run(ctx, SYSTEM).count("webhooks_delivered") == 1
    second = receiver.requests[-1]
    # The same message: its timestamp is when the notice was made, not when it was sent.
    assert second.body == first.body
    assert (
        verify(new.json()["secret"], second)["data"] == verify(old.json()["secret"], first)["data"]
    )
    assert second.headers["webhook-id"] == first.headers["webhook-id"]


def test_a_notice_the_new_endpoint_already_has_is_not_sent_twice__MEA_5(
    api: TestClient, ctx: Context, world: World, receiver: Receiver
) -> None:
    """A secret rotated the usual way (the new endpoint first, then the old removed): the
    notices of the overlap have a delivery to each. Moving the old one's to the new would
    send it twice under two webhook-ids: refused, naming the delivery to redeliver."""
    ctx.webhook_allowed_hosts = frozenset({"127.0.0.1"})
    old = api.post("/api/v1/webhooks/endpoints", headers=IMPLEMENTER, json={"url": receiver.url})
    new = api.post(
        "/api/v1/webhooks/endpoints", headers=IMPLEMENTER, json={"url": receiver.url + "/new"}
    )
    api.post("/api/v1/webhooks/subscriptions", headers=IMPLEMENTER, json={})
    blacklisted(api, world)
    assert sweep.run(ctx, SYSTEM).count("webhooks_delivered") == 2
    by_endpoint = {
        d["endpoint_id"]: d["id"]
        for d in api.get("/api/v1/webhooks/deliveries", headers=IMPLEMENTER).json()
    }
    api.delete(f"/api/v1/webhooks/endpoints/{old.json()['id']}", headers=IMPLEMENTER)
    redeliver = f"/api/v1/webhooks/deliveries/{by_endpoint[old.json()['id']]}/redeliver"
    said = error(
        api.post(redeliver, headers=IMPLEMENTER), 409, "webhook_delivery.illegal_transition"
    )
    assert f"delivery {by_endpoint[new.json()['id']]}" in said
    # Naming the removed endpoint itself is refused, not quietly sent elsewhere.
    error(
        api.post(redeliver, headers=IMPLEMENTER, params={"endpoint_id": old.json()["id"]}),
        409,
        "webhook_endpoint.illegal_transition",
    )
