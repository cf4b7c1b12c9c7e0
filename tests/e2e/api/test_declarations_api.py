"""Self-declaration over HTTP (issue 10, part 8; ING-6, Art 15), on SQLite and PostgreSQL:
a subject declares its own information against catalog items meant for subjects, marked
self-declared; another subject's row, or an item not meant for subjects, is refused and
nothing is kept; a credit pledge moves pending -> kept (or broken), judged once."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e.api.test_accounts_api import LI, ZHANG, activate, audit_of, issue, login, subject_id
from tests.e2e.api.test_api import error
from tests.e2e.conftest import bearer
from tests.factories import person_punishment_row

PLATFORM = bearer("platform")
PROVIDER = bearer("provider")


def person(number: str = ZHANG, name: str = "张示例") -> dict[str, Any]:
    return {
        "party_name": name,
        "party_category": "自然人",
        "id_type": "身份证",
        "id_number": number,
    }


def pledge_row(number: str = ZHANG, **changes: Any) -> dict[str, Any]:
    return {
        **person(number),
        "pledge_number": "CN-2026-0001",
        "matter": "食品经营许可告知承诺",
        "content": "本人承诺所提交材料真实有效，并在三个月内补齐相关证明",
        "pledged_on": "2026-02-20",
        "accepting_unit": "郑州市市场监督管理局",
        **changes,
    }


@pytest.fixture
def zhang(api: TestClient) -> tuple[int, dict[str, str]]:
    """张示例 with an account, logged in."""
    sid = subject_id(api, "ric", ZHANG)
    assert activate(api, issue(api, sid).json()["code"]).status_code == 201
    return sid, login(api)


def _declare(api: TestClient, me: dict[str, str], catalog: str, data: dict[str, Any]) -> Any:
    return api.post("/api/v1/me/declarations", json={"catalog": catalog, "data": data}, headers=me)


def _record_count(api: TestClient) -> int:
    return len(api.get("/api/v1/records/verification", headers=PLATFORM).json())


def test_a_subject_declares_against_an_item_meant_for_subjects__ING_6(
    api: TestClient, zhang: tuple[int, dict[str, str]]
) -> None:
    """Each kind of declaration; the record is self-declared, under the item's provider."""
    sid, me = zhang
    items = {i["code"]: i for i in api.get("/api/v1/catalog").json()}
    assert items["ZZSB"]["for_self_declaration"] and items["XZCF"]["declaration_kind"] is None
    assert {items[c]["declaration_kind"] for c in ("ZZSB", "ZYZC", "XYCN")} == {
        "declaration",
        "voluntary_registration",
        "credit_pledge",
    }
    made = _declare(
        api,
        me,
        "ZZSB",
        {**person(), "title": "获评优秀志愿者", "content": "2025年度", "declared_on": "2026-03-01"},
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["self_declared"] and body["declaration_kind"] == "declaration"
    assert body["pledge"] is None and body["status"] == "received"
    record = api.get(f"/api/v1/records/{body['record_id']}", headers=PLATFORM).json()
    assert record["self_declared"] and record["subject_id"] == sid
    assert record["providing_unit_id"] == items["ZZSB"]["providing_unit_id"]
    registered = _declare(
        api,
        me,
        "ZYZC",
        {**person(), "item": "联系电话", "content": "0371-0000000", "registered_on": "2026-03-01"},
    )
    assert registered.status_code == 201, registered.text
    mine = api.get("/api/v1/me/declarations", headers=me).json()
    assert [d["catalog"] for d in mine] == ["ZZSB", "ZYZC"]
    assert api.get(f"/api/v1/subjects/{sid}/declarations", headers=me).json() == mine
    error(_declare(api, me, "ZYZC", registered.json()["data"]), 409, "declaration.duplicate")


def test_a_declaration_naming_another_subject_is_refused_and_nothing_kept__ING_6_SEC_1(
    api: TestClient, zhang: tuple[int, dict[str, str]]
) -> None:
    _, me = zhang
    before = _record_count(api)
    error(_declare(api, me, "XYCN", pledge_row(LI)), 403, "declaration.not_your_subject")
    assert _record_count(api) == before
    assert api.get("/api/v1/me/declarations", headers=me).json() == []
    refused = [e for e in audit_of(api, "subject") if e["action"] == "declaration.submit.refused"]
    assert refused
    # A row breaking the template: 422 row by row, nothing kept.
    bad = _declare(api, me, "XYCN", pledge_row(pledged_on="not a date"))
    error(bad, 422, "declaration.invalid")
    assert bad.json()["error"]["details"]["field"] == "pledged_on"
    assert _record_count(api) == before


def test_an_item_not_meant_for_subjects_is_refused__ING_6(
    api: TestClient, zhang: tuple[int, dict[str, str]]
) -> None:
    _, me = zhang
    before = _record_count(api)
    row = {**person_punishment_row(1), "party_name": "张示例", "id_number": ZHANG}
    error(_declare(api, me, "XZCF", row), 403, "declaration.item_not_for_subjects")
    assert _record_count(api) == before
    # A unit's token is no subject: the route is for subject accounts.
    refused = api.post(
        "/api/v1/me/declarations", json={"catalog": "XYCN", "data": pledge_row()}, headers=PROVIDER
    )
    assert refused.status_code == 403
    # Nor does a subject submit records through the providers' route.
    assert (
        api.post("/api/v1/records", json={"catalog": "XZCF", "data": row}, headers=me).status_code
        == 403
    )
    assert _record_count(api) == before


def test_a_pledge_moves_pending_to_kept_once_and_the_subject_sees_it__ING_6(
    api: TestClient, zhang: tuple[int, dict[str, str]]
) -> None:
    sid, me = zhang
    made = _declare(api, me, "XYCN", pledge_row())
    assert made.status_code == 201, made.text
    rid = made.json()["record_id"]
    assert made.json()["pledge"]["status"] == "pending"
    assert api.get(f"/api/v1/records/{rid}", headers=PLATFORM).json()["pledge"]["status"] == (
        "pending"
    )
    judge = f"/api/v1/records/{rid}/pledge-performance"
    error(
        api.post(judge, json={"action": "keep", "reason": " "}, headers=PROVIDER),
        422,
        "pledge.no_reason",
    )
    assert api.post(judge, json={"action": "keep", "reason": "x"}, headers=me).status_code == 403
    kept = api.post(
        judge, json={"action": "keep", "reason": "已按期补齐证明材料"}, headers=PROVIDER
    )
    assert kept.status_code == 200, kept.text
    assert kept.json()["status"] == "kept" and kept.json()["reason"] == "已按期补齐证明材料"
    again = api.post(judge, json={"action": "break", "reason": "逾期"}, headers=PLATFORM)
    error(again, 409, "pledge.illegal_transition")
    record = api.get(f"/api/v1/records/{rid}", headers=PLATFORM).json()
    assert record["pledge"]["status"] == "kept"
    mine = api.get("/api/v1/me/declarations", headers=me).json()
    assert mine[0]["pledge"]["status"] == "kept"
    events = api.get("/api/v1/events", headers=PLATFORM, params={"limit": 1000}).json()["events"]
    assert any(e["kind"] == "pledge.kept" and e["object_id"] == str(rid) for e in events)
    assert any(e["action"] == "pledge.keep" for e in audit_of(api, "pledge"))
    not_pledge = _declare(
        api,
        me,
        "ZZSB",
        {**person(), "title": "t", "content": "c", "declared_on": "2026-03-01"},
    ).json()["record_id"]
    error(
        api.post(
            f"/api/v1/records/{not_pledge}/pledge-performance",
            json={"action": "keep", "reason": "x"},
            headers=PLATFORM,
        ),
        404,
        "pledge.not_found",
    )
    assert sid
