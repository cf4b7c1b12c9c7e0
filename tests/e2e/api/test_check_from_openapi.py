"""An implementing unit's system integrates from the OpenAPI document alone (issue 11,
"done when"; MEA-3, SEC-2): the check's operation, its request body and its answer are
found and built from `/openapi.json` (not from the project's models), and the answers are
validated against the documented schemas with a JSON Schema validator (jsonschema_rs)."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from creditreg.clock import FixedClock
from creditreg.demo import dataset as demo
from creditreg.domain.access.principals import SYSTEM
from creditreg.services.context import Context
from creditreg.services.kernel import sweep
from tests.e2e.api.test_corrections_api import blacklisted
from tests.e2e.api.test_lists_api import revise_standard
from tests.lists_world import World, make_world
from tests.webhook_receiver import verify


@pytest.fixture
def world(api: TestClient, ctx: Context, clock: FixedClock) -> World:
    return make_world(ctx, clock)


def operation(doc: dict[str, Any], tag: str, body_schema: str) -> tuple[str, dict[str, Any]]:
    """The POST operation of `tag` whose request body is the schema `body_schema`."""
    for path, methods in doc["paths"].items():
        op = methods.get("post")
        if not op or tag not in op.get("tags", []):
            continue
        ref = op["requestBody"]["content"]["application/json"]["schema"].get("$ref", "")
        if ref.endswith("/" + body_schema):
            return path, op
    raise AssertionError(f"no {tag} operation takes {body_schema}")


def schema(doc: dict[str, Any], ref: str) -> dict[str, Any]:
    return dict(doc["components"]["schemas"][ref.rsplit("/", 1)[-1]])


def validator(doc: dict[str, Any], op: dict[str, Any], status: str) -> Any:
    documented = op["responses"][status]["content"]["application/json"]["schema"]
    return jsonschema_rs.validator_for({**documented, "components": doc["components"]})


def build(doc: dict[str, Any], name: str, values: dict[str, Any]) -> dict[str, Any]:
    """A request body of schema `name`: every required property, from `values` where the
    document allows the value (an enum lists it), refusing to guess anything else."""
    body_schema = schema(doc, name)
    body: dict[str, Any] = {}
    for prop in body_schema["required"]:
        spec = body_schema["properties"][prop]
        value = values[prop]
        if "enum" in spec:
            assert value in spec["enum"], (prop, spec["enum"])
        body[prop] = value
    return body


def test_an_implementing_unit_integrates_from_the_openapi_document__MEA_3_SEC_2(
    api: TestClient, world: World
) -> None:
    eid = blacklisted(api, world, 1)
    doc = api.get("/openapi.json").json()
    assert "bearer" in str(doc["components"]["securitySchemes"]).lower()
    path, op = operation(doc, "check", "CheckIn")
    number = demo.demo_uscc("91410100MC0000001")
    body = build(doc, "CheckIn", {"id_type": "uscc", "id_number": number, "purpose": "procurement"})
    token = {"Authorization": f"Bearer {demo.token_for('implementer')}"}
    got = api.post(path, json=body, headers=token)
    assert got.status_code == 200, got.text
    validator(doc, op, "200").validate(got.json())
    answer = got.json()
    assert [e["id"] for e in answer["entries"]] == [eid] and answer["measures"]
    # The batch form, found the same way.
    batch_path, batch_op = operation(doc, "check", "CheckBatchIn")
    batch = build(
        doc,
        "CheckBatchIn",
        {"purpose": "procurement", "identifiers": [{"id_type": "uscc", "id_number": number}]},
    )
    got = api.post(batch_path, json=batch, headers=token)
    assert got.status_code == 200, got.text
    validator(doc, batch_op, "200").validate(got.json())
    # The documented errors: a bad purpose answers the documented 422 with the ErrorBody.
    bad = api.post(path, json={**body, "purpose": "gossip"}, headers=token)
    assert bad.status_code == 422 and "422" in op["responses"]
    validator(doc, op, "422").validate(bad.json())
    assert bad.json()["error"]["code"] in op["responses"]["422"]["description"]
    refused = api.post(
        path, json=body, headers={"Authorization": f"Bearer {demo.token_for('designator')}"}
    )
    assert refused.status_code == 403
    validator(doc, op, "403").validate(refused.json())
    assert refused.json()["error"]["code"] in op["responses"]["403"]["description"]


def _post_op(doc: dict[str, Any], path_suffix: str) -> str:
    """The path of a documented POST operation ending in `path_suffix`."""
    (path,) = [p for p, m in doc["paths"].items() if p.endswith(path_suffix) and "post" in m]
    return path


def test_a_unit_receives_its_stop_notice_by_a_webhook_it_verifies__MEA_5_LST_9(
    api: TestClient, world: World, ctx: Context, receiver: Any
) -> None:
    """The integration a unit builds from the document: an endpoint registered through the
    documented operation, a check, the entry ends, and the stop notice arrives signed;
    the receiver verifies it with the `standardwebhooks` package, not the platform's code."""
    ctx.webhook_allowed_hosts = frozenset({"127.0.0.1"})  # loopback, allowed for the test
    doc = api.get("/openapi.json").json()
    token = {"Authorization": f"Bearer {demo.token_for('implementer')}"}
    endpoints = _post_op(doc, "/webhooks/endpoints")
    made = api.post(endpoints, json={"url": receiver.url}, headers=token)
    assert made.status_code == 201, made.text
    secret = made.json()["secret"]
    eid = blacklisted(api, world, 2)
    path, _ = operation(doc, "check", "CheckIn")
    number = demo.demo_uscc("91410100MC0000002")
    body = build(doc, "CheckIn", {"id_type": "uscc", "id_number": number, "purpose": "licensing"})
    assert api.post(path, json=body, headers=token).status_code == 200
    designator = {"Authorization": f"Bearer {demo.token_for('designator')}"}
    revise_standard(api)
    removed = api.post(
        f"/api/v1/lists/entries/{eid}/removal",
        headers=designator,
        json={"reason": "standard_changed", "note": "标准修订"},
    )
    assert removed.status_code == 200, removed.text
    sweep.run(ctx, SYSTEM)  # the worker's pass: the consumer, then the sender
    stops = [
        verify(secret, r)
        for r in receiver.requests
        if b'"stop"' in r.body or b"unit_notice.stop" in r.body
    ]
    assert stops and stops[0]["data"]["object_id"] == str(eid)
