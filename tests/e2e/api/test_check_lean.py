"""The check's two routes are answered on the ASGI layer (`LeanCheck`, issue 11
"Performance"), beside the FastAPI routes that document them. These tests hold the lean
path to the documented routes on SQLite and PostgreSQL: the same request gets the same
status, error code and problems from both (a second app without `LeanCheck` answers through
FastAPI), refused calls are counted (SEC-3), the body-size limit still comes first, and an
answer's digest can be recomputed from the body the caller received (SEC-2)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from creditreg.api.app import create_app
from creditreg.api.routers.check import LeanCheck
from creditreg.config import Settings
from creditreg.demo.dataset import demo_uscc
from creditreg.services.context import Context
from tests.e2e.api.test_api import error
from tests.e2e.conftest import MAX_BODY, bearer

IMPLEMENTER = bearer("implementer")
PLATFORM = bearer("platform")
JSON_TYPE = {"Content-Type": "application/json"}
USCC = demo_uscc("91410100MC0000077")


@pytest.fixture
def routed(ctx: Context, demo_data: None) -> Iterator[TestClient]:
    """The same app over the same database, its check answered by the FastAPI routes."""
    app = create_app(ctx, Settings(max_upload_bytes=MAX_BODY))
    app.user_middleware = [m for m in app.user_middleware if m.cls is not LeanCheck]
    with TestClient(app) as client:
        yield client


def lean_is_installed(api: TestClient) -> bool:
    return any(m.cls is LeanCheck for m in api.app.user_middleware)  # type: ignore[attr-defined]


def outcome(response: Any) -> tuple[int, str | None, list[str]]:
    """Status, error code and the fields the problems name."""
    body = response.json()
    if response.status_code == 200:
        return 200, None, []
    problems = (body["error"].get("details") or {}).get("problems", [])
    return response.status_code, body["error"]["code"], sorted(p["field"] for p in problems)


def valid(**extra: Any) -> dict[str, Any]:
    return {"id_type": "uscc", "id_number": USCC, "purpose": "procurement", **extra}


CASES: list[tuple[str, str, dict[str, str], bytes]] = [
    ("no token", "/api/v1/check", JSON_TYPE, json.dumps(valid()).encode()),
    ("another scheme", "/api/v1/check", {**JSON_TYPE, "Authorization": "Basic abc"}, b"{}"),
    ("unknown token", "/api/v1/check", {**JSON_TYPE, "Authorization": "Bearer crt_nope"}, b"{}"),
    ("not JSON", "/api/v1/check", {**JSON_TYPE, **IMPLEMENTER}, b'{"id_type": '),
    ("not UTF-8", "/api/v1/check", {**JSON_TYPE, **IMPLEMENTER}, b"\xff\xfe\x00"),
    ("empty body", "/api/v1/check", {**JSON_TYPE, **IMPLEMENTER}, b""),
    ("a list", "/api/v1/check", {**JSON_TYPE, **IMPLEMENTER}, b"[]"),
    (
        "no purpose",
        "/api/v1/check",
        {**JSON_TYPE, **IMPLEMENTER},
        json.dumps({"id_type": "uscc", "id_number": USCC}).encode(),
    ),
    (
        "wrong types",
        "/api/v1/check",
        {**JSON_TYPE, **IMPLEMENTER},
        json.dumps({"id_type": 5, "id_number": [], "purpose": "procurement"}).encode(),
    ),
    (
        "text/plain",
        "/api/v1/check",
        {"Content-Type": "text/plain", **IMPLEMENTER},
        json.dumps(valid()).encode(),
    ),
    (
        "bad USCC",
        "/api/v1/check",
        {**JSON_TYPE, **IMPLEMENTER},
        json.dumps(valid(id_number="91410100MC000000X")).encode(),
    ),
    (
        "bad purpose",
        "/api/v1/check",
        {**JSON_TYPE, **IMPLEMENTER},
        json.dumps(valid(purpose="curiosity")).encode(),
    ),
    (
        "not an implementing unit",
        "/api/v1/check",
        {**JSON_TYPE, **bearer("designator")},
        json.dumps(valid()).encode(),
    ),
    ("a clean answer", "/api/v1/check", {**JSON_TYPE, **IMPLEMENTER}, json.dumps(valid()).encode()),
    # Found in review: the order of FastAPI's steps and the details of its readings.
    ("no content type", "/api/v1/check", IMPLEMENTER, json.dumps(valid()).encode()),
    ("not JSON and no token", "/api/v1/check", JSON_TYPE, b"{oops"),
    ("not UTF-8 and no token", "/api/v1/check", JSON_TYPE, b"\xff\xfe\x00"),
    ("text/plain and no token", "/api/v1/check", {"Content-Type": "text/plain"}, b"x"),
    (
        "spaces around the token",
        "/api/v1/check",
        {**JSON_TYPE, "Authorization": IMPLEMENTER["Authorization"].replace(" ", "   ") + " "},
        json.dumps(valid()).encode(),
    ),
    (
        "UTF-16 JSON",
        "/api/v1/check",
        {**JSON_TYPE, **IMPLEMENTER},
        json.dumps(valid()).encode("utf-16"),
    ),
    ("JSON null", "/api/v1/check", {**JSON_TYPE, **IMPLEMENTER}, b"null"),
    (
        "a huge number",
        "/api/v1/check",
        {**JSON_TYPE, **IMPLEMENTER},
        json.dumps(valid(note=None)).replace("null", "1" + "0" * 30).encode(),
    ),
    ("batch, no token", "/api/v1/check/batch", JSON_TYPE, b"{}"),
    ("batch, not JSON", "/api/v1/check/batch", {**JSON_TYPE, **IMPLEMENTER}, b"nope"),
    (
        "batch, identifiers not a list",
        "/api/v1/check/batch",
        {**JSON_TYPE, **IMPLEMENTER},
        json.dumps({"purpose": "procurement", "identifiers": "x"}).encode(),
    ),
    (
        "batch, empty",
        "/api/v1/check/batch",
        {**JSON_TYPE, **IMPLEMENTER},
        json.dumps({"purpose": "procurement", "identifiers": []}).encode(),
    ),
    (
        "batch, one bad",
        "/api/v1/check/batch",
        {**JSON_TYPE, **IMPLEMENTER},
        json.dumps(
            {
                "purpose": "procurement",
                "identifiers": [{"id_type": "uscc", "id_number": USCC}, {"id_type": "uscc"}],
            }
        ).encode(),
    ),
    (
        "batch, answered",
        "/api/v1/check/batch",
        {**JSON_TYPE, **IMPLEMENTER},
        json.dumps(
            {"purpose": "procurement", "identifiers": [{"id_type": "uscc", "id_number": USCC}]}
        ).encode(),
    ),
]


@pytest.mark.parametrize(("label", "path", "headers", "body"), CASES, ids=[c[0] for c in CASES])
def test_the_lean_routes_answer_what_the_documented_routes_answer__MEA_3_SEC_3(
    api: TestClient,
    routed: TestClient,
    label: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
) -> None:
    assert lean_is_installed(api) and not lean_is_installed(routed)
    lean = api.post(path, content=body, headers=headers)
    documented = routed.post(path, content=body, headers=headers)
    assert outcome(lean) == outcome(documented), (label, lean.text, documented.text)
    assert lean.headers["content-type"] == documented.headers["content-type"]
    if lean.status_code == 401:
        assert lean.headers["www-authenticate"] == "Bearer"
        error(lean, 401, outcome(documented)[1] or "")
    if lean.status_code == 200:
        mine, theirs = lean.json(), documented.json()
        assert list(mine) == list(theirs)  # the documented fields, in their order
        if "answers" in mine:
            mine, theirs = mine["answers"][0], theirs["answers"][0]
        assert mine["check_id"] != theirs["check_id"]  # each answer registered on its own
        assert {k: v for k, v in mine.items() if k not in VARYING} == {
            k: v for k, v in theirs.items() if k not in VARYING
        }


VARYING = ("check_id", "as_of", "answer_digest")


def test_refusals_of_the_lean_routes_are_counted__SEC_3(api: TestClient) -> None:
    for _ in range(2):
        error(api.post("/api/v1/check", json=valid()), 401, "auth.missing_token")
    error(api.post("/api/v1/check", json=valid(), headers=bearer("designator")), 403,
          "check.not_implementing_unit")  # fmt: skip
    register = {
        (r["caller"], r["code"]): r["count"]
        for r in api.get("/api/v1/audit/refusals", headers=PLATFORM).json()
    }
    assert register[("address:testclient", "auth.missing_token")] == 2
    assert register[("token:2", "check.not_implementing_unit")] == 1


def test_the_body_limit_comes_before_the_lean_routes(api: TestClient) -> None:
    big = json.dumps(valid(note="x" * (MAX_BODY + 10))).encode()
    error(api.post("/api/v1/check", content=big, headers={**JSON_TYPE, **IMPLEMENTER}), 413,
          "request.too_large")  # fmt: skip


def test_an_answer_digest_is_recomputed_from_the_body_received__SEC_2_MEA_3(
    api: TestClient,
) -> None:
    """The digest the register keeps is the SHA-256 of the answer without `check_id` and
    `answer_digest`, in canonical JSON (sorted keys, no spaces, UTF-8): a receiver can
    recompute it from what it got."""
    api.post(
        "/api/v1/subjects",
        headers=PLATFORM,
        json={"kind": "legal_person", "id_type": "uscc", "id_number": USCC, "name": "清白公司"},
    )
    answer = api.post("/api/v1/check", json=valid(), headers=IMPLEMENTER).json()
    content = {k: v for k, v in answer.items() if k not in ("check_id", "answer_digest")}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(canonical.encode()).hexdigest() == answer["answer_digest"]
