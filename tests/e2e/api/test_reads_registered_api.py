"""Every read of a subject's information by a unit is registered (SEC-2, Op(24)), on
SQLite and PostgreSQL: the reads a hostile tryout found unregistered — the credit report
issued and read at the counter, the verification queue, the written notices awaiting
delivery and their print, the objections, a standard's candidates and a subject's
account bindings. A subject reading its own is no unit's query."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from creditreg.demo.dataset import demo_ric
from creditreg.services.context import Context
from tests.e2e.api.test_accounts_api import subject_id
from tests.e2e.api.test_api import error
from tests.e2e.conftest import bearer
from tests.factories import person_punishment_row
from tests.lists_world import World, make_world
from tests.objection_helpers import file_objection
from tests.register_rows import register_rows

PLATFORM = bearer("platform")
DESIGNATOR = bearer("designator")
PROVIDER = bearer("provider")


@pytest.fixture
def world(api: TestClient, ctx: Context, clock: Any) -> World:
    return make_world(ctx, clock)


def _new(ctx: Context, before: int, what: str, subject: int) -> list[Any]:
    """The register's rows of `what` about `subject` written after row `before`."""
    return [r for r in register_rows(ctx, what) if r.id > before and r.subject_id == subject]


def _last(ctx: Context) -> int:
    rows = register_rows(ctx)
    return rows[-1].id if rows else 0


def test_reads_of_a_subject_by_units_are_registered__SEC_2(
    api: TestClient, world: World, ctx: Context
) -> None:
    w = world
    w.submit("XZCF", [person_punishment_row(7, serious_class="art33_3")])
    person = subject_id(api, "ric", demo_ric("41010519900101007"))

    # The verification queue shows a received record's data.
    queued = api.post(
        "/api/v1/records",
        headers=PROVIDER,
        json={"catalog": "XZCF", "data": person_punishment_row(7, decision_number="第二号")},
    )
    assert queued.status_code == 201, queued.text
    before = _last(ctx)
    assert api.get("/api/v1/records/verification", headers=PLATFORM).status_code == 200
    assert _new(ctx, before, "record.verification", person)

    # A subject's authorizations and their uses, read by the platform (a tryout found this
    # read unregistered, from the CLI as from the API).
    before = _last(ctx)
    assert api.get(f"/api/v1/subjects/{person}/authorizations", headers=PLATFORM).is_success
    assert _new(ctx, before, "authorization", person)
    before = _last(ctx)
    error(
        api.get("/api/v1/subjects/999999/authorizations", headers=PLATFORM),
        404,
        "subject.not_found",
    )
    assert _last(ctx) == before  # nobody was read

    # A standard's candidates name subjects, this natural person among them.
    before = _last(ctx)
    got = api.get("/api/v1/standards/SCJG-HMD/candidates", headers=DESIGNATOR)
    assert got.status_code == 200 and person in [c["subject_id"] for c in got.json()]
    assert _new(ctx, before, "standard.candidates", person)

    # The written notice awaiting delivery quotes the facts; so does its print.
    eid = api.post(
        "/api/v1/lists/entries",
        headers=DESIGNATOR,
        json={"standard": "SCJG-HMD", "subject_id": person, "facts": "售假"},
    ).json()["id"]
    assert api.post(f"/api/v1/lists/entries/{eid}/notice", headers=DESIGNATOR).status_code == 200
    before = _last(ctx)
    [notice] = [
        n
        for n in api.get("/api/v1/subject-notices", headers=DESIGNATOR).json()
        if n["kind"] == "written_notice"
    ]
    assert _new(ctx, before, "subject_notice", person)
    before = _last(ctx)
    printed = api.get(f"/api/v1/subject-notices/{notice['id']}/printable", headers=DESIGNATOR)
    assert printed.status_code == 200
    assert [r.object_id for r in _new(ctx, before, "subject_notice", person)] == [str(notice["id"])]

    # Objections: the list and one objection, read by the unit that decides them.
    filed = file_objection(api, PLATFORM, "list_entry", eid, grounds="并非本人")
    assert filed.status_code == 201, filed.text
    before = _last(ctx)
    assert api.get("/api/v1/objections", headers=DESIGNATOR).status_code == 200
    assert api.get(f"/api/v1/objections/{filed.json()['id']}", headers=DESIGNATOR).status_code == (
        200
    )
    assert len(_new(ctx, before, "objection", person)) == 2

    # The credit report issued, listed and read at the counter; the account bindings.
    before = _last(ctx)
    issued = api.post(f"/api/v1/subjects/{person}/reports", headers=PLATFORM, json={})
    assert issued.status_code == 201, issued.text
    number = issued.json()["number"]
    assert api.get(f"/api/v1/subjects/{person}/reports", headers=PLATFORM).status_code == 200
    assert api.get(f"/api/v1/reports/{number}", headers=PLATFORM).status_code == 200
    assert api.get(f"/api/v1/reports/{number}/html", headers=PLATFORM).status_code == 200
    assert api.get(
        "/api/v1/accounts", headers=PLATFORM, params={"subject_id": person}
    ).status_code == (200)
    assert len(_new(ctx, before, "report.issue", person)) == 1
    assert len(_new(ctx, before, "report.list", person)) == 1
    assert [r.object_id for r in _new(ctx, before, "report", person)] == [number, number]
    assert len(_new(ctx, before, "subject_account", person)) == 1
    # The report shows who looked before it was issued, not its own issue.
    whats = {q["what"] for q in issued.json()["content"]["queries"]}
    assert "report.issue" not in whats and "record.verification" in whats


def test_an_objector_s_numbers_are_masked_in_what_the_subject_sees__DIS_3_RIG_1(
    api: TestClient, world: World
) -> None:
    """Someone else's objection to the subject's entry may quote the objector's own ID or
    mobile number: the subject's self-inquiry (and so its credit report) shows them
    masked."""
    w = world
    w.submit("XZCF", [person_punishment_row(7, serious_class="art33_3")])
    person = subject_id(api, "ric", demo_ric("41010519900101007"))
    eid = api.post(
        "/api/v1/lists/entries",
        headers=DESIGNATOR,
        json={"standard": "SCJG-HMD", "subject_id": person, "facts": "售假"},
    ).json()["id"]
    api.post(f"/api/v1/lists/entries/{eid}/notice", headers=DESIGNATOR)
    grounds = "我是举报人，身份证110105 19491001 0027，手机138-0013-8000"
    assert file_objection(api, PLATFORM, "list_entry", eid, grounds=grounds).status_code == 201
    seen = api.get(f"/api/v1/subjects/{person}/self-inquiry", headers=PLATFORM).json()
    [shown] = [o["grounds"] for o in seen["open_objections"]]
    assert "0013-8000" not in shown and "19491001" not in shown
    assert "1101************27" in shown and "13*******00" in shown
    issued = api.post(f"/api/v1/subjects/{person}/reports", headers=PLATFORM, json={})
    assert "19491001" not in issued.text and "0013-8000" not in issued.text
    # RIG-2: the report as the subject reads it, in Chinese: words, not codes or "None".
    page = api.get(f"/api/v1/reports/{issued.json()['number']}/html", headers=PLATFORM).text
    assert "None" not in page and "失信" in page and "已核实" in page and "黑名单" in page
    assert "untrustworthy verified" not in page
