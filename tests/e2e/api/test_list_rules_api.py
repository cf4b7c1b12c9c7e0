"""Standards that change and conduct under key scrutiny, through the HTTP API and the
`creditreg sweep` command, on SQLite and PostgreSQL.

These rules were shown at service level only (tests/integration/lists); here the standard
is published, the entries run and the sweep started through the public interfaces.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from creditreg.cli.main import app
from creditreg.clock import FixedClock
from creditreg.demo.catalogs import STANDARDS
from creditreg.services.context import Context
from tests.conftest import DbTarget
from tests.e2e.api.test_lists_api import DESIGNATOR, PLATFORM, propose
from tests.e2e.api.test_record_rules_api import (
    ARREARS,
    PROVIDER,
    draft_and_approve,
    pending_ids,
    verified,
)
from tests.e2e.conftest import bearer
from tests.factories import punishment_row
from tests.lists_world import World, make_world
from tests.notice_delivery import notify_over_api


@pytest.fixture
def world(api: TestClient, ctx: Context, clock: FixedClock) -> World:
    return make_world(ctx, clock)


def designated_blacklists(api: TestClient, w: World, *companies: int) -> list[int]:
    """The companies' blacklist entries under SCJG-HMD, run to designation over HTTP."""
    ids = []
    for i in companies:
        created = propose(api, w, i)
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
        notice = notify_over_api(api, ids[-1], DESIGNATOR)
        assert notice.status_code == 200, notice.text
    w.advance(8)  # past the 5-working-day objection window
    for eid in ids:
        done = api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR)
        assert done.status_code == 200 and done.json()["status"] == "designated", done.text
    return ids


def entries_of(api: TestClient, subject_id: int, **params: str) -> list[dict[str, Any]]:
    found = api.get(
        "/api/v1/lists/entries", params={"subject_id": subject_id, **params}, headers=PLATFORM
    )
    assert found.status_code == 200, found.text
    return list(found.json())


def test_a_new_standard_version_removes_the_entries_it_no_longer_supports__STD_3(
    api: TestClient, world: World
) -> None:
    w = world
    w.serious(1)  # one serious punishment
    w.serious(2, n=2)  # two
    one, two = designated_blacklists(api, w, 1, 2)
    published_before = {p["kind"] for p in api.get("/api/v1/public/lists").json()}
    assert published_before == {"designation"}
    # Version 2 asks for two punishments: company 1 no longer qualifies, company 2 does.
    stricter = {**STANDARDS[0], "rule": {**STANDARDS[0]["rule"], "min_count": 2}}
    published = api.post("/api/v1/standards", json=stricter, headers=DESIGNATOR)
    assert published.status_code == 201, published.text
    assert published.json()["standard"]["version"] == 2
    assert published.json()["reevaluation"]["removed"] == 1
    removed = api.get(f"/api/v1/lists/entries/{one}", headers=PLATFORM).json()
    assert removed["status"] == "removed" and removed["removal_reason"] == "standard_changed"
    assert removed["removed_on"] == "2026-03-10"
    assert removed["history"][-1]["action"] == "remove"
    kept = api.get(f"/api/v1/lists/entries/{two}", headers=PLATFORM).json()
    assert kept["status"] == "designated"
    # The removal is real: no longer in force, published where the entry was (DIS-4), and
    # the subject moves to key scrutiny (RST-3: every removal but an error's).
    assert entries_of(api, w.company(1), list_type="blacklist", as_of="2026-03-11") == []
    assert [e["id"] for e in entries_of(api, w.company(2), as_of="2026-03-11")] == [two]
    removals = [p for p in api.get("/api/v1/public/lists").json() if p["kind"] == "removal"]
    assert [p["channels"] for p in removals] == [["credit_website", "unit_portal"]]
    assert {p["subject_name"] for p in removals} == {"郑州示例贸易有限公司1"}
    [scrutiny] = entries_of(api, w.company(1), list_type="key_scrutiny")
    assert scrutiny["status"] == "designated"
    assert entries_of(api, w.company(2), list_type="key_scrutiny") == []
    # The new version is the one in force, for everyone to read.
    shown = api.get("/api/v1/standards/SCJG-HMD").json()
    assert shown["version"] == 2 and shown["rule"]["min_count"] == 2


def sweep(db: DbTarget, on: str) -> str:
    """`creditreg sweep` with the clock an operator fixes for a replay."""
    env = {**db.env(), "CREDITREG_CLOCK": on, "CREDITREG_ALLOW_CLOCK_OVERRIDE": "1"}
    result = CliRunner().invoke(app, ["sweep"], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_serious_conduct_during_key_scrutiny_leads_to_a_blacklist_proposal__LST_6_ING_4(
    api: TestClient, world: World, db: DbTarget
) -> None:
    w = world
    w.serious(1)  # the conduct that puts company 1 under key scrutiny
    scrutiny = {**STANDARDS[0], "code": "SCJG-ZDGZ", "list_type": "key_scrutiny",
                "window_days": 0, "restoration": {}, "scrutiny_months": 0,
                "validity_months": 6, "measures": ["ART32-5"]}  # fmt: skip
    assert api.post("/api/v1/standards", headers=DESIGNATOR, json=scrutiny).status_code == 201
    entry = api.post(
        "/api/v1/lists/entries",
        headers=DESIGNATOR,
        json={"standard": "SCJG-ZDGZ", "subject_id": w.company(1), "facts": "一般失信行为"},
    ).json()
    designated = api.post(f"/api/v1/lists/entries/{entry['id']}/designation", headers=DESIGNATOR)
    assert designated.json()["designated_on"] == "2026-03-02"
    # The conduct that led to key scrutiny does not count again.
    assert sweep(db, "2026-03-02T09:00") == "sweep at 2026-03-02: nothing due"
    # ING-4: serious, but unverified fee arrears (Art 27) never trigger a proposal.
    assert draft_and_approve(api, ARREARS).status_code == 200
    w.advance(1)
    fees = punishment_row(1, decision_number="物业欠费〔2026〕1号", decision_date="2026-03-03",
                          serious_class="art33_2")  # fmt: skip
    assert not verified(api, fees, code="WYQF")["usable_for_discipline"]
    assert sweep(db, "2026-03-03T09:00") == "sweep at 2026-03-03: nothing due"
    # New serious conduct, decided during the scrutiny period, reported and verified.
    w.advance(2)
    before = pending_ids(api)
    row = punishment_row(1, decision_number="郑市监罚〔2026〕88号", decision_date="2026-03-04",
                         serious_class="art33_1")  # fmt: skip
    sent = api.post("/api/v1/records", json={"catalog": "XZCF", "data": row}, headers=PROVIDER)
    assert sent.status_code == 201, sent.text
    [rid] = pending_ids(api) - before
    passed = api.post(
        f"/api/v1/records/{rid}/verification", json={"passed": True}, headers=PLATFORM
    )
    assert passed.status_code == 200, passed.text
    assert entries_of(api, w.company(1), list_type="blacklist") == []  # not before the sweep
    assert sweep(db, "2026-03-05T09:00") == "sweep at 2026-03-05: blacklist proposals: 1"
    [proposal] = entries_of(api, w.company(1), list_type="blacklist")
    assert proposal["status"] == "preliminary" and proposal["origin"] == "key_scrutiny_conduct"
    assert proposal["field"] == "market_regulation"
    shown = api.get(f"/api/v1/lists/entries/{proposal['id']}", headers=bearer("designator"))
    assert shown.status_code == 200 and rid in shown.json()["records"]
    # Run again, the sweep proposes nothing twice.
    assert sweep(db, "2026-03-05T09:00") == "sweep at 2026-03-05: nothing due"
    assert len(entries_of(api, w.company(1), list_type="blacklist")) == 1
    # The proposal is the designating unit's to run: the written notice comes next (LST-2).
    notified = notify_over_api(api, proposal["id"], DESIGNATOR)
    assert notified.status_code == 200, notified.text
    assert notified.json()["status"] == "notified"


def test_a_changed_standard_never_puts_an_unlisted_subject_under_key_scrutiny__STD_3_RST_3(
    api: TestClient, world: World
) -> None:
    w = world
    w.serious(1)
    created = propose(api, w, 1)
    eid = created.json()["id"]
    assert notify_over_api(api, eid, DESIGNATOR).status_code == 200
    stricter = {**STANDARDS[0], "rule": {**STANDARDS[0]["rule"], "min_count": 2}}
    published = api.post("/api/v1/standards", json=stricter, headers=DESIGNATOR)
    assert published.status_code == 201, published.text
    # The entry no longer qualifies and goes (STD-3) ...
    gone = api.get(f"/api/v1/lists/entries/{eid}", headers=PLATFORM).json()
    assert gone["status"] == "removed" and gone["removal_reason"] == "standard_changed"
    assert gone["designated_on"] is None  # it was never on the blacklist
    # ... but Op(18) moves to key scrutiny only a subject removed from the blacklist.
    assert entries_of(api, w.company(1), list_type="key_scrutiny") == []
