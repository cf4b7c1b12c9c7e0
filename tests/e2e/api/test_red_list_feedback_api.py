"""Red-list feedback over HTTP (issue 10, part 5; OBJ-4, Op(21)), on SQLite and
PostgreSQL: anyone reports with evidence, the designating unit verifies, the reporter and
the subject are told, a confirmed report removes the entry (`unfit_conduct`)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from creditreg.clock import FixedClock
from creditreg.demo.dataset import demo_ric, demo_uscc
from creditreg.domain.access.principals import SYSTEM, Level, UnitKind
from creditreg.domain.kernel.actor import Permission
from creditreg.services.access import access
from creditreg.services.context import Context
from creditreg.store.rights.objection_tables import red_list_feedback, red_list_feedback_attachment
from tests.e2e.api.test_api import error
from tests.e2e.conftest import bearer
from tests.lists_world import PERSON, World, honour_row, make_world
from tests.objection_helpers import HTML, PDF

DESIGNATOR = bearer("designator")
PLATFORM = bearer("platform")
PROVIDER = bearer("provider")
PERSONS = [{**PERSON, "id_number": demo_ric("41010519700101123")}]


@pytest.fixture
def world(api: TestClient, ctx: Context, clock: FixedClock) -> World:
    return make_world(ctx, clock)


def red_entry(api: TestClient, w: World, i: int = 1, designate: bool = True) -> int:
    """A red-list entry of company i: proposed, announced, and (after the window)
    designated, in force."""
    w.submit("BZJL", [honour_row(i)])
    made = api.post(
        "/api/v1/lists/entries",
        headers=DESIGNATOR,
        json={"standard": "SCJG-HONG", "subject_id": w.company(i), "facts": "连续三年守合同重信用"},
    )
    assert made.status_code == 201, made.text
    eid = int(made.json()["id"])
    done = api.post(f"/api/v1/lists/entries/{eid}/announcement", headers=DESIGNATOR)
    assert done.status_code == 200, done.text
    if designate:
        w.advance(14)
        done = api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR)
        assert done.status_code == 200 and done.json()["status"] == "designated", done.text
    return eid


def consumer(api: TestClient, number: str = "41010519850505123") -> dict[str, str]:
    account = api.post(
        "/api/v1/public-accounts",
        json={"name": "某消费者", "id_type": "ric", "id_number": demo_ric(number)},
    )
    assert account.status_code == 201, account.text
    return {"Authorization": f"Bearer {account.json()['token']}"}


def report(
    api: TestClient,
    headers: dict[str, str] | None,
    entry_id: int,
    evidence: str = "该企业长期拖欠员工工资",
    files: list[tuple[str, bytes, str]] | None = None,
) -> Any:
    return api.post(
        "/api/v1/red-list-feedback",
        headers=headers or {},
        data={"entry_id": str(entry_id), "evidence": evidence},
        files=[("files", f) for f in files or []] or None,
    )


def stored(ctx: Context) -> tuple[int, int]:
    with ctx.db.read() as conn:
        return (
            conn.execute(sa.select(sa.func.count()).select_from(red_list_feedback)).scalar_one(),
            conn.execute(
                sa.select(sa.func.count()).select_from(red_list_feedback_attachment)
            ).scalar_one(),
        )


def subject_outcomes(api: TestClient, subject_id: int) -> list[dict[str, Any]]:
    notices = api.get("/api/v1/subject-notices", headers=DESIGNATOR).json()
    return [n for n in notices if n["subject_id"] == subject_id and n["kind"] == "outcome"]


def test_a_confirmed_report_removes_the_red_list_entry_and_tells_both__OBJ_4(
    api: TestClient, world: World
) -> None:
    w = world
    eid = red_entry(api, w)
    me = consumer(api)
    made = report(api, me, eid, files=[("工资欠条.pdf", PDF, "application/pdf")])
    assert made.status_code == 201, made.text
    body = made.json()
    fid = body["id"]
    assert body["status"] == "received" and body["reporter_kind"] == "public_account"
    assert [a["content_type"] for a in body["attachments"]] == ["application/pdf"]
    # The designating unit is told at once, to verify it (Op(21)).
    told = api.get("/api/v1/inbox", headers=DESIGNATOR).json()
    assert [n["object_id"] for n in told if n["kind"] == "red_list_feedback.received"] == [str(fid)]
    assert [f["id"] for f in api.get("/api/v1/red-list-feedback", headers=DESIGNATOR).json()] == [
        fid
    ]
    error(report(api, me, eid), 409, "feedback.already_open")
    decided = api.post(
        f"/api/v1/red-list-feedback/{fid}/decision",
        headers=DESIGNATOR,
        json={"outcome": "confirmed", "reason": "经核实确有欠薪行为"},
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "confirmed" and decided.json()["entry_removed"]
    entry = api.get(f"/api/v1/lists/entries/{eid}", headers=PLATFORM).json()
    assert entry["status"] == "removed" and entry["removal_reason"] == "unfit_conduct"
    # The reporter reads the outcome on its report; the subject gets an outcome notice.
    mine = api.get(f"/api/v1/red-list-feedback/{fid}", headers=me).json()
    assert mine["status"] == "confirmed" and mine["outcome_reason"] == "经核实确有欠薪行为"
    [notice] = subject_outcomes(api, w.company(1))
    assert any("confirmed" in text for _, text in notice["lines"])
    assert any("经核实确有欠薪行为" in text for _, text in notice["lines"])
    # Decided once: a second decision is refused.
    error(
        api.post(
            f"/api/v1/red-list-feedback/{fid}/decision",
            headers=DESIGNATOR,
            json={"outcome": "dismissed", "reason": "再议"},
        ),
        409,
        "feedback.illegal_transition",
    )
    # The entry is no longer in force: no more reports on it.
    error(report(api, consumer(api, "41010519900909123"), eid), 409, "feedback.entry_not_in_force")


def test_a_dismissed_report_changes_nothing_and_tells_both__OBJ_4(
    api: TestClient, world: World
) -> None:
    w = world
    eid = red_entry(api, w)
    # A unit reports: told in its inbox.
    made = report(api, PROVIDER, eid)
    assert made.status_code == 201, made.text
    fid = made.json()["id"]
    assert made.json()["reporter_kind"] == "unit"
    decided = api.post(
        f"/api/v1/red-list-feedback/{fid}/decision",
        headers=DESIGNATOR,
        json={"outcome": "dismissed", "reason": "所反映情况不属实"},
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "dismissed" and not decided.json()["entry_removed"]
    entry = api.get(f"/api/v1/lists/entries/{eid}", headers=PLATFORM).json()
    assert entry["status"] == "designated" and entry.get("removal_reason") is None
    told = api.get("/api/v1/inbox", headers=PROVIDER).json()
    [n] = [n for n in told if n["kind"] == "red_list_feedback.dismissed"]
    assert n["object_id"] == str(fid) and "所反映情况不属实" in n["message"]
    [notice] = subject_outcomes(api, w.company(1))
    assert any("dismissed" in text for _, text in notice["lines"])


def test_bad_reports_and_decisions_are_refused_with_nothing_stored__OBJ_4(
    api: TestClient, world: World
) -> None:
    w = world
    eid = red_entry(api, w)
    me = consumer(api)
    # Anonymous: never.
    error(report(api, None, eid), 401, "feedback.anonymous")
    # No such entry; not a red-list entry; a red-list entry not yet in force.
    error(report(api, me, 999_999), 404, "feedback.entry_not_found")
    w.serious(2)
    black = api.post(
        "/api/v1/lists/entries",
        headers=DESIGNATOR,
        json={
            "standard": "SCJG-HMD",
            "subject_id": w.company(2),
            "facts": "销售不合格食品",
            "responsible_persons": PERSONS,
        },
    )
    assert black.status_code == 201, black.text
    error(report(api, me, black.json()["id"]), 409, "feedback.not_red_list")
    announced = red_entry(api, w, 3, designate=False)
    error(report(api, me, announced), 409, "feedback.entry_not_in_force")
    # No evidence; evidence lying about its type.
    error(report(api, me, eid, evidence="  "), 422, "feedback.no_evidence")
    error(
        report(api, me, eid, files=[("证据.pdf", HTML, "application/pdf")]),
        422,
        "objection.attachment_type_not_allowed",
    )
    assert stored(w.ctx) == (0, 0)
    # A decision by a unit that did not designate the entry: refused, nothing changes.
    made = report(api, me, eid)
    assert made.status_code == 201, made.text
    fid = made.json()["id"]
    made_unit = access.create_unit(
        w.ctx,
        SYSTEM,
        name="开封市市场监督管理局",
        uscc=demo_uscc("11410200MB0000002"),
        kind=UnitKind.DESIGNATING_UNIT,
        region="410200",
        level=Level.MUNICIPAL,
        fields=("market_regulation",),
    )
    other = access.create_token(
        w.ctx, SYSTEM, unit_id=made_unit["id"], name="t", scopes=(Permission.LISTS_DESIGNATE,)
    )
    error(
        api.post(
            f"/api/v1/red-list-feedback/{fid}/decision",
            headers={"Authorization": f"Bearer {other.token}"},
            json={"outcome": "confirmed", "reason": "核实属实"},
        ),
        403,
        "feedback.not_designating_unit",
    )
    error(
        api.post(
            f"/api/v1/red-list-feedback/{fid}/decision",
            headers=PROVIDER,
            json={"outcome": "confirmed", "reason": "核实属实"},
        ),
        403,
        "access.missing_permission",
    )
    assert api.get(f"/api/v1/red-list-feedback/{fid}", headers=me).json()["status"] == "received"
    entry = api.get(f"/api/v1/lists/entries/{eid}", headers=PLATFORM).json()
    assert entry["status"] == "designated"
    assert subject_outcomes(api, w.company(1)) == []


def test_the_designating_unit_downloads_the_evidence_never_rendered__OBJ_4(
    api: TestClient, world: World
) -> None:
    """Op(21): the unit verifies the evidence: each file a download of its detected type,
    to those who may read the report only."""
    eid = red_entry(api, world)
    me = consumer(api)
    made = report(api, me, eid, files=[("工资欠条.pdf", PDF, "application/pdf")]).json()
    fid, aid = made["id"], made["attachments"][0]["id"]
    path = f"/api/v1/red-list-feedback/{fid}/attachments/{aid}"
    got = api.get(path, headers=DESIGNATOR)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"
    assert api.get(path, headers=me).status_code == 200  # the reporter
    stranger = consumer(api, "41010519850505131")
    error(api.get(path, headers=stranger), 404, "feedback.not_found")
    error(
        api.get(f"/api/v1/red-list-feedback/{fid}/attachments/{aid + 999}", headers=DESIGNATOR),
        404,
        "feedback.attachment_not_found",
    )
    error(api.get(path), 401, "feedback.anonymous")
