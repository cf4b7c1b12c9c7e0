"""The HTTP API end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from creditreg.api.app import create_app
from creditreg.api.deps import access_of
from creditreg.clock import FixedClock
from creditreg.demo import dataset as demo
from creditreg.demo.dataset import demo_ric, demo_uscc
from creditreg.services.context import Context
from creditreg.store.migrate import head_revision
from tests.e2e.conftest import MAX_BODY, bearer
from tests.schedules import SCHEDULE_2027

NEW_ORG = demo_uscc("91410100MA0000077")
NEW_PERSON = demo_ric("41010519850505123")
DOCS = {"/docs", "/docs/oauth2-redirect", "/openapi.json"}


def error(response: Any, status: int, code: str) -> str:
    """Assert the one error model: status, machine-readable code, human message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    assert body["error"]["message"]
    return str(body["error"]["message"])


def declared_access(route: APIRoute) -> list[str]:
    found: list[str] = []
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        label = access_of(dependant.call)
        if label:
            found.append(label)
        stack.extend(dependant.dependencies)
    return found


def api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every APIRoute, looking inside included routers (FastAPI wraps them)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found.extend(api_routes(route.original_router.routes))
    return found


def test_every_endpoint_declares_who_may_call_it__SEC_1(ctx: Context) -> None:
    routes = [r for r in api_routes(create_app(ctx).routes) if r.path not in DOCS]
    # Guard against a walk that finds nothing and so checks nothing.
    assert len(routes) >= 20
    assert {"/api/v1/subjects", "/api/v1/audit/verify", "/"} <= {r.path for r in routes}
    undeclared = [r.path for r in routes if len(declared_access(r)) != 1]
    assert undeclared == []
    public = {r.path for r in routes if declared_access(r) == ["public"]}
    assert public == {
        "/",
        "/api/v1/health",
        "/api/v1/auth/login",
        "/api/v1/identifiers/validate",
        "/api/v1/calendar/days/{day}",
        "/api/v1/calendar/count",
        "/api/v1/clock",
        "/api/v1/catalog",  # Art 11: the approved catalog is published
        "/api/v1/catalog/{code}",
        "/api/v1/fields",  # Op(3): the fields standards are set in
        "/api/v1/standards",  # STD-1, Op(3): standards and procedures are published
        "/api/v1/standards/{code}",
        "/api/v1/public/lists",  # DIS-4, DIS-5: list publications
        "/api/v1/accounts/activation",  # issue 10: the binding step (code + identifier)
        "/api/v1/accounts/sessions",  # issue 10: a subject account's login
        "/api/v1/consents/warning",  # PRI-2, Art 45: the warning a consent must carry
        "/api/v1/public-accounts",  # OBJ-1: a person registers to object (never anonymously)
        # RIG-2, issue 10: anyone verifies a presented credit report, offline with the key.
        "/api/v1/public/reports/verification",
        "/api/v1/public/reports/key",
        "/api/v1/public/reports/key.pem",
        # OBJ-5, Op(23): reputation-restoring notices, public within their period.
        "/api/v1/public/corrections",
        # MEA-1, MEA-2, Art 29: the catalog of measures and the memoranda are public.
        "/api/v1/measures",
        "/api/v1/measures/{code}",
        "/api/v1/memoranda",
        "/api/v1/memoranda/{code}",
        "/reports/verify",
        "/standards",  # the portal's pages of the same
        "/lists",
        "/corrections",  # OBJ-5, Op(23): the reputation-restoring notices
        # EXT-4, Op(12), Op(13): statistics and typical cases of rewards and punishments.
        "/api/v1/public/measure-statistics",
        "/api/v1/public/typical-cases",
        "/measures",
    }


def test_no_or_bad_token_is_401_with_a_reason__SEC_1(api: TestClient) -> None:
    error(api.get("/api/v1/subjects/1"), 401, "auth.missing_token")
    error(
        api.get("/api/v1/subjects/1", headers={"Authorization": "Bearer nope"}),
        401,
        "auth.invalid_token",
    )


def test_outside_scope_is_403_with_a_reason__SEC_1(api: TestClient) -> None:
    body = {"kind": "legal_person", "id_type": "uscc", "id_number": NEW_ORG, "name": "新公司"}
    message = error(
        api.post("/api/v1/subjects", json=body, headers=bearer("implementer")),
        403,
        "access.missing_permission",
    )
    assert "subjects:write" in message
    error(
        api.get("/api/v1/audit/events", headers=bearer("provider")),
        403,
        "access.missing_permission",
    )
    error(
        api.post(
            "/api/v1/units/1/tokens",
            json={"name": "x", "scopes": ["subjects:read"]},
            headers=bearer("implementer"),
        ),
        403,
        "access.missing_permission",
    )


def test_register_lookup_and_duplicate__SUB_1_SUB_2(api: TestClient) -> None:
    body = {
        "kind": "legal_person",
        "id_type": "uscc",
        "id_number": NEW_ORG.lower(),
        "name": "新公司",
    }
    created = api.post("/api/v1/subjects", json=body, headers=bearer("provider"))
    assert created.status_code == 201, created.text
    assert created.json()["id_number"] == NEW_ORG
    found = api.post(
        "/api/v1/subjects/lookup",
        json={"id_type": "uscc", "id_number": NEW_ORG},
        headers=bearer("implementer"),
    )
    assert found.status_code == 200 and found.json()["id"] == created.json()["id"]
    error(
        api.post("/api/v1/subjects", json=body, headers=bearer("provider")),
        409,
        "subject.duplicate",
    )
    error(
        api.post(
            "/api/v1/subjects/lookup",
            json={"id_type": "uscc", "id_number": demo_uscc("91410100MA0000078")},
            headers=bearer("implementer"),
        ),
        404,
        "subject.not_found",
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            {
                "kind": "legal_person",
                "id_type": "uscc",
                "id_number": "91110000600037341X",
                "name": "x",
            },
            "subject.invalid_uscc",
        ),
        (
            {
                "kind": "natural_person",
                "id_type": "ric",
                "id_number": "110105194912310021",
                "name": "x",
            },
            "subject.invalid_ric",
        ),
        (
            {
                "kind": "legal_person",
                "id_type": "uscc",
                "id_number": NEW_ORG,
                "name": "x",
                "lei": "005493001KJTIIGC8Y1R12",
            },
            "subject.invalid_lei",
        ),
        (
            {"kind": "company", "id_type": "uscc", "id_number": NEW_ORG, "name": "x"},
            "request.invalid",
        ),
        ({"kind": "legal_person", "id_type": "uscc", "id_number": NEW_ORG}, "request.invalid"),
    ],
)
def test_invalid_subject_is_422_and_stores_nothing__SUB_2_SUB_3(
    api: TestClient, body: dict[str, str], code: str
) -> None:
    before = api.get("/api/v1/audit/verify", headers=bearer("platform")).json()["checked"]
    error(api.post("/api/v1/subjects", json=body, headers=bearer("provider")), 422, code)
    after = api.get("/api/v1/audit/verify", headers=bearer("platform")).json()["checked"]
    assert after == before


def test_personal_number_is_masked_for_an_implementer__SUB_2(api: TestClient) -> None:
    body = {"kind": "natural_person", "id_type": "ric", "id_number": NEW_PERSON, "name": "王示例"}
    created = api.post("/api/v1/subjects", json=body, headers=bearer("provider"))
    assert created.status_code == 201
    sid = created.json()["id"]
    masked = api.get(f"/api/v1/subjects/{sid}", headers=bearer("implementer")).json()
    assert masked["id_number_masked"] and NEW_PERSON not in masked["id_number"]
    full = api.get(f"/api/v1/subjects/{sid}", headers=bearer("designator")).json()
    assert full["id_number"] == NEW_PERSON


def test_linked_persons_over_http__SUB_4(api: TestClient) -> None:
    org = api.post(
        "/api/v1/subjects/lookup",
        json={"id_type": "uscc", "id_number": demo.DEMO_SUBJECTS[0][2]},
        headers=bearer("platform"),
    ).json()
    links = api.get(f"/api/v1/subjects/{org['id']}/links", headers=bearer("platform")).json()
    assert [link["role"] for link in links] == ["legal_representative"]
    assert links[0]["person"]["name"] == "张示例"
    bad = {"person_id": org["id"], "role": "principal", "valid_from": "2020-01-01"}
    error(
        api.post(f"/api/v1/subjects/{org['id']}/links", json=bad, headers=bearer("platform")),
        422,
        "subject.link_not_person",
    )


def test_login_and_me__SEC_1(api: TestClient) -> None:
    error(
        api.post("/api/v1/auth/login", json={"username": "provider", "password": "wrong-one"}),
        401,
        "auth.bad_credentials",
    )
    session = api.post(
        "/api/v1/auth/login",
        json={"username": "provider", "password": demo.password_for("provider")},
    )
    assert session.status_code == 200
    me = api.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {session.json()['token']}"}
    ).json()
    assert me["actor"] == "user:provider" and me["region"] == "410100"
    assert "subjects:write" in me["permissions"] and me["fields"] == ["taxation"]


def test_admin_creates_unit_user_and_token_then_revokes__SEC_1(api: TestClient) -> None:
    admin = api.post(
        "/api/v1/auth/login", json={"username": "admin", "password": demo.password_for("admin")}
    ).json()
    headers = {"Authorization": f"Bearer {admin['token']}"}
    unit = api.post(
        "/api/v1/units",
        headers=headers,
        json={
            "name": "洛阳市生态环境局",
            "uscc": demo_uscc("11410300MB0000005"),
            "kind": "designating_unit",
            "region": "410300",
            "level": "municipal",
            "fields": ["ecology_environment"],
        },
    )
    assert unit.status_code == 201, unit.text
    uid = unit.json()["id"]
    # A field nobody designates in is refused, naming the taxonomy's codes (SEC-1).
    stray = {"name": "某局", "uscc": demo_uscc("11410300MB0000006"), "kind": "designating_unit",
             "region": "410300", "level": "municipal",
             "fields": ["ecology_environment", "environmental_protection"]}  # fmt: skip
    said = error(api.post("/api/v1/units", headers=headers, json=stray), 422, "unit.unknown_field")
    assert "environmental_protection" in said and "ecology_environment" in said.split("one of")[1]
    assert not [u for u in api.get("/api/v1/units", headers=headers).json() if u["name"] == "某局"]
    token = api.post(
        f"/api/v1/units/{uid}/tokens",
        headers=headers,
        json={"name": "env system", "scopes": ["subjects:read"]},
    )
    assert token.status_code == 201 and token.json()["token"].startswith("crt_")
    listed = api.get(f"/api/v1/units/{uid}/tokens", headers=headers).json()
    assert token.json()["token"] not in str(listed)
    me = api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token.json()['token']}"})
    assert me.json()["fields"] == ["ecology_environment"]
    revoked = api.post(f"/api/v1/tokens/{token.json()['id']}/revoke", headers=headers)
    assert revoked.status_code == 200
    error(
        api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token.json()['token']}"}),
        401,
        "auth.revoked_token",
    )
    error(
        api.post(
            "/api/v1/units",
            headers=bearer("platform"),
            json={
                "name": "x",
                "uscc": demo_uscc("11410300MB0000006"),
                "kind": "designating_unit",
                "region": "410300",
                "level": "municipal",
            },
        ),
        403,
        "access.missing_permission",
    )


def test_calendar_over_http__CAL_1_CAL_2(api: TestClient) -> None:
    count = api.post("/api/v1/calendar/count", json={"start": "2024-02-08", "working_days": 5})
    assert count.json()["due"] == "2024-02-21" and not count.json()["provisional"]
    assert "2024-02-18" in count.json()["explanation"]
    provisional = api.post(
        "/api/v1/calendar/count", json={"start": "2026-12-31", "working_days": 1}
    ).json()
    assert provisional["provisional"] and provisional["due"] == "2027-01-04"
    day = api.get("/api/v1/calendar/days/2025-10-11").json()
    assert day["working"] and day["source"] == "official"
    error(
        api.put(
            "/api/v1/calendar/days/2026-03-04", json={"working": False}, headers=bearer("provider")
        ),
        403,
        "access.missing_permission",
    )
    changed = api.put(
        "/api/v1/calendar/days/2026-03-04",
        json={"working": False, "note": "x"},
        headers=bearer("platform"),
    )
    assert changed.status_code == 200 and changed.json()["source"] == "override"
    loaded = api.post(
        "/api/v1/calendar/schedules",
        headers=bearer("platform"),
        json={"text": SCHEDULE_2027},
    )
    assert loaded.status_code == 201 and loaded.json()["year"] == 2027
    again = api.post("/api/v1/calendar/count", json={"start": "2026-12-31", "working_days": 1})
    assert again.json()["due"] == "2027-01-05" and not again.json()["provisional"]
    error(
        api.post(
            "/api/v1/calendar/schedules",
            headers=bearer("platform"),
            json={"text": "2027-02-30,holiday"},
        ),
        422,
        "calendar.bad_schedule",
    )
    error(
        api.post("/api/v1/calendar/count", json={"start": "2024-02-30", "working_days": 1}),
        422,
        "request.invalid",
    )


def test_audit_over_http__SEC_3(api: TestClient) -> None:
    verified = api.get("/api/v1/audit/verify", headers=bearer("platform")).json()
    assert verified["ok"] and verified["checked"] > 10
    events = api.get(
        "/api/v1/audit/events?object_type=subject&limit=3", headers=bearer("platform")
    ).json()
    assert len(events) == 3 and all(e["object_type"] == "subject" for e in events)
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)


def test_clock_cannot_be_moved_on_a_real_clock(ctx: Context, demo_data: None) -> None:
    from creditreg.clock import SystemClock

    real = replace(ctx, clock=SystemClock(), clock_controllable=False)
    with TestClient(create_app(real)) as client:
        assert client.get("/api/v1/clock").json()["real"] is True
        admin = client.post(
            "/api/v1/auth/login", json={"username": "admin", "password": demo.password_for("admin")}
        )
        headers = {"Authorization": f"Bearer {admin.json()['token']}"}
        error(
            client.post("/api/v1/clock", json={"days": 1}, headers=headers),
            409,
            "clock.not_movable",
        )


def test_test_clock_moves_forward_and_sessions_expire(api: TestClient, ctx: Context) -> None:
    assert isinstance(ctx.clock, FixedClock) and ctx.movable_clock is not None
    admin = api.post(
        "/api/v1/auth/login", json={"username": "admin", "password": demo.password_for("admin")}
    ).json()
    headers = {"Authorization": f"Bearer {admin['token']}"}
    before = ctx.now()
    moved = api.post("/api/v1/clock", json={"hours": 9}, headers=headers)
    assert moved.status_code == 200
    assert ctx.now() - before == timedelta(hours=9)
    error(api.get("/api/v1/auth/me", headers=headers), 401, "auth.expired_token")
    error(
        api.post("/api/v1/clock", json={"days": 1}, headers=bearer("implementer")),
        403,
        "access.missing_permission",
    )
    # The demo platform token may move a test clock (demonstrations with make run).
    assert (
        api.post("/api/v1/clock", json={"days": 1}, headers=bearer("platform")).status_code == 200
    )
    # Not so far that every period counted from it runs past the calendar (and every sweep
    # fails): refused, the clock where it was.
    where = ctx.now()
    far = {"to": "9999-12-31T00:00:00+00:00"}
    error(api.post("/api/v1/clock", json=far, headers=bearer("platform")), 422, "clock.bad_move")
    both = {"to": "2027-05-10T09:00:00+08:00", "days": 3}  # which one? neither
    error(api.post("/api/v1/clock", json=both, headers=bearer("platform")), 422, "clock.bad_move")
    assert ctx.now() == where


def test_error_model_for_unknown_route_and_oversized_body(api: TestClient) -> None:
    error(api.get("/api/v1/nothing-here"), 404, "http.not_found")
    huge = b"x" * (MAX_BODY + 1)
    error(
        api.post("/api/v1/subjects", content=huge, headers=bearer("provider")),
        413,
        "request.too_large",
    )


def test_openapi_docs_and_home_page(api: TestClient) -> None:
    spec = api.get("/openapi.json").json()
    assert "/api/v1/subjects" in spec["paths"]
    docs = api.get("/docs")
    assert docs.status_code == 200 and "cdn" not in docs.text.lower()
    home = api.get("/")
    assert home.status_code == 200 and "信用信息共享平台" in home.text
    health = api.get("/api/v1/health").json()
    assert health["status"] == "ok" and health["schema_revision"] == head_revision()
