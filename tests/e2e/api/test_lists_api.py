"""The list procedures over HTTP, on SQLite and PostgreSQL, the clock moved forward."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from creditreg.clock import FixedClock
from creditreg.demo.catalogs import STANDARDS
from creditreg.demo.dataset import demo_ric
from creditreg.services.context import Context
from tests.e2e.api.test_api import error
from tests.e2e.conftest import bearer
from tests.lists_world import PERSON, World, honour_row, make_world
from tests.notice_delivery import notify_over_api
from tests.objection_helpers import PDF, file_objection

DESIGNATOR = bearer("designator")
PLATFORM = bearer("platform")
PERSONS = [{**PERSON, "id_number": demo_ric("41010519700101123")}]


@pytest.fixture
def world(api: TestClient, ctx: Context, clock: FixedClock) -> World:
    return make_world(ctx, clock)


def propose(api: TestClient, w: World, i: int = 1, **extra: Any) -> Any:
    return api.post(
        "/api/v1/lists/entries",
        headers=DESIGNATOR,
        json={
            "standard": "SCJG-HMD",
            "subject_id": w.company(i),
            "facts": "销售不合格食品",
            "responsible_persons": PERSONS,
            **extra,
        },
    )


def revise_standard(api: TestClient, code: str = "SCJG-HMD") -> None:
    """STD-3: publish the next version of a demo standard (the same rule), after which its
    unit may remove an entry for the changed standard."""
    body = next(s for s in STANDARDS if s["code"] == code)
    made = api.post("/api/v1/standards", headers=DESIGNATOR, json=dict(body))
    assert made.status_code == 201, made.text


def test_blacklist_procedure_over_http__LST_2_LST_7_LST_9_DIS_3_DIS_4_DIS_5_SUB_4(
    api: TestClient, world: World
) -> None:
    w = world
    w.serious(1)
    # STD-1: the standards are public, with their procedure and rule.
    listed = api.get("/api/v1/standards").json()
    assert {s["code"] for s in listed} == {"SCJG-HMD", "SCJG-HONG"}
    assert all(s["procedure"] and s["rule_text"] for s in listed)
    # The portal's reader reads the rule in Chinese: the same facts, the classes as clauses.
    hmd = next(s for s in listed if s["code"] == "SCJG-HMD")
    assert hmd["rule_text_zh"] == (
        "近36个月内作出决定的经核实的失信信息不少于1条，信息类别为XZCF，"
        "属《条例》第二十条第（2）项，属严重失信行为（《条例》第三十三条）。"
    )
    candidates = api.get("/api/v1/standards/SCJG-HMD/candidates", headers=DESIGNATOR).json()
    assert [c["subject_id"] for c in candidates] == [w.company(1)]
    created = propose(api, w)
    assert created.status_code == 201, created.text
    eid = created.json()["id"]
    error(
        api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR),
        409,
        "entry.illegal_transition",
    )
    notified = notify_over_api(api, eid, DESIGNATOR).json()
    assert notified["status"] == "notified" and notified["window_due"] == "2026-03-09"
    error(
        api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR),
        409,
        "entry.window_open",
    )
    w.advance(8)
    done = api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR).json()
    assert done["status"] == "designated"
    # LST-9: any authorized unit sees it at once; the upward report is queued.
    seen = api.get(f"/api/v1/lists/entries/{eid}", headers=bearer("implementer"))
    assert seen.status_code == 200 and seen.json()["status"] == "designated"
    reports = api.get("/api/v1/lists/reports", headers=PLATFORM).json()
    assert [r["entry_id"] for r in reports] == [eid]
    assert "10 working day(s)" in reports[0]["explanation"]
    # DIS-4, DIS-5: the public sees the designation, personal numbers never (DIS-3).
    public = api.get("/api/v1/public/lists").json()
    assert {p["kind"] for p in public} == {"designation"}
    assert all(demo_ric("41010519700101123") not in str(p) for p in public)
    # Op(9): the organization is published with its code and its legal representative by
    # name, document type and a masked number (Op(11)).
    head = public[0]["content"]["subject"]["legal_representative"]
    assert head["role"] == "legal_representative" and head["name"] == "王示例"
    assert head["id_type"] == "ric" and head["id_number"].count("*") >= 8
    assert public[0]["content"]["subject"]["id_type"] == "uscc"
    page = api.get("/lists")
    assert page.status_code == 200 and "郑州示例贸易有限公司1" in page.text
    assert f"法定代表人：王示例（{head['id_number']}）" in page.text
    assert demo_ric("41010519700101123") not in page.text
    as_of = api.get(
        "/api/v1/lists/entries",
        params={"subject_id": w.company(1), "as_of": "2026-03-05"},
        headers=PLATFORM,
    ).json()
    assert as_of == []  # not yet designated then (LST-7)


def test_bad_list_input_is_refused_with_a_code_and_changes_nothing__LST_1_LST_3_RST_1_RST_2(
    api: TestClient, world: World
) -> None:
    w = world
    w.serious(1)
    # A standard outside the unit's fields.
    tax = {**STANDARDS[0], "code": "SW-HMD", "field": "taxation"}
    error(api.post("/api/v1/standards", headers=DESIGNATOR, json=tax), 403, "access.outside_field")
    bad = {**STANDARDS[0], "window_days": 1}
    error(api.post("/api/v1/standards", headers=DESIGNATOR, json=bad), 422, "standard.bad_window")
    # The implementer may read lists, never designate.
    error(
        api.post("/api/v1/lists/entries", headers=bearer("implementer"), json={}),
        403,
        "access.missing_permission",
    )
    eid = propose(api, w, restorable=False).json()["id"]
    error(propose(api, w), 409, "entry.already_listed")
    notify_over_api(api, eid, DESIGNATOR)
    w.advance(8)
    api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR)
    # A blacklisted subject cannot enter a red list.
    w.submit("BZJL", [honour_row(1)])
    red = api.post(
        "/api/v1/lists/entries",
        headers=DESIGNATOR,
        json={"standard": "SCJG-HONG", "subject_id": w.company(1), "facts": "守信"},
    )
    error(red, 409, "entry.subject_blacklisted")
    # Restoring a non-restorable entry.
    error(
        api.post(
            f"/api/v1/lists/entries/{eid}/restoration",
            headers=PLATFORM,
            json={"applicant": "企业", "evidence": "已整改"},
        ),
        409,
        "restoration.not_restorable",
    )
    error(
        api.post(
            f"/api/v1/lists/entries/{eid}/removal",
            headers=DESIGNATOR,
            json={"reason": "unfit_conduct"},
        ),
        422,
        "entry.bad_removal_reason",
    )
    entry = api.get(f"/api/v1/lists/entries/{eid}", headers=PLATFORM).json()
    assert entry["status"] == "designated"
    assert [h["action"] for h in entry["history"]] == [
        "propose",
        "notify",
        "notice_delivered",
        "designate",
    ]


def test_entries_in_their_procedure_are_not_shared_with_implementing_units__LST_9(
    api: TestClient, world: World
) -> None:
    """LST-9 shares designated entries: a proposed or notified one (not yet decided, the
    subject still able to object) is the designating unit's and the platform's."""
    w = world
    w.serious(1)
    eid = propose(api, w).json()["id"]
    unit = bearer("implementer")
    listing = f"/api/v1/lists/entries?subject_id={w.company(1)}"
    for _ in ("preliminary", "notified"):
        assert api.get(listing, headers=unit).json() == []
        error(api.get(f"/api/v1/lists/entries/{eid}", headers=unit), 404, "entry.not_found")
        assert [e["id"] for e in api.get(listing, headers=DESIGNATOR).json()] == [eid]
        notify_over_api(api, eid, DESIGNATOR)
    w.advance(8)
    api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR)
    assert [e["id"] for e in api.get(listing, headers=unit).json()] == [eid]
    assert api.get(f"/api/v1/lists/entries/{eid}", headers=unit).status_code == 200


def test_a_removed_entry_is_kept_in_the_archive_not_shown_to_implementing_units__RST_5_LST_7(
    api: TestClient, world: World
) -> None:
    """RST-5, Op(20): once removed, an entry leaves what the units that apply the lists
    see (they were told to stop); the parties to its procedure keep it, and a unit that
    asks which entries were in force on a past day (LST-7) is answered from the archive."""
    w = world
    w.serious(1)
    eid = propose(api, w, restoration_after_months=0).json()["id"]
    notify_over_api(api, eid, DESIGNATOR)
    w.advance(8)
    api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR)
    in_force_on = w.clock.now().date().isoformat()
    applied = api.post(
        f"/api/v1/lists/entries/{eid}/restoration",
        headers=PLATFORM,
        json={"applicant": "郑州示例贸易有限公司1", "evidence": "已缴清罚款并公开致歉"},
    ).json()
    w.advance(1)
    decided = api.post(
        f"/api/v1/lists/restorations/{applied['id']}/decision",
        headers=DESIGNATOR,
        json={"consent": True, "note": "同意提前移出"},
    )
    assert decided.status_code == 200, decided.text
    unit = bearer("implementer")
    listing = f"/api/v1/lists/entries?subject_id={w.company(1)}"
    error(api.get(f"/api/v1/lists/entries/{eid}", headers=unit), 404, "entry.not_found")
    shown = api.get(listing, headers=unit).json()
    assert eid not in [e["id"] for e in shown]
    assert [e["list_type"] for e in shown] == ["key_scrutiny"]  # RST-3: what follows it
    past = api.get(f"{listing}&as_of={in_force_on}", headers=unit).json()
    assert [e["id"] for e in past] == [eid]
    entry = api.get(f"/api/v1/lists/entries/{eid}", headers=DESIGNATOR).json()
    assert entry["status"] == "removed"


def test_an_entry_s_window_says_how_it_was_counted_and_if_provisional__CAL_2_CAL_3(
    api: TestClient, world: World
) -> None:
    """The window's end with its count, as objection deadlines have; counted into a year
    whose holidays are not yet published, it says it may move."""
    w = world
    w.serious(1)
    eid = propose(api, w).json()["id"]
    noticed = notify_over_api(api, eid, DESIGNATOR).json()
    window = noticed["window"]
    assert window["due"] == noticed["window_due"] and window["provisional"] is False
    assert window["explanation"]
    w.serious(2)
    w.clock.set(datetime(2026, 12, 29, 2, tzinfo=UTC))  # the window runs into 2027
    late = propose(api, w, 2).json()["id"]
    noticed = notify_over_api(api, late, DESIGNATOR).json()
    assert noticed["window_due"] > "2027-01-01" and noticed["window"]["provisional"] is True


def test_removal_for_expiry_only_once_the_validity_has_ended__RST_3(
    api: TestClient, world: World
) -> None:
    """The public removal notice would say "validity ended": not before it has, and not
    for an entry never designated."""
    w = world
    w.serious(1)
    eid = propose(api, w).json()["id"]
    expiry = {"reason": "expiry", "note": "到期"}
    url = f"/api/v1/lists/entries/{eid}/removal"
    error(api.post(url, headers=DESIGNATOR, json=expiry), 409, "entry.not_expired")
    notify_over_api(api, eid, DESIGNATOR)
    w.advance(8)
    api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR)
    error(api.post(url, headers=DESIGNATOR, json=expiry), 409, "entry.not_expired")
    entry = api.get(f"/api/v1/lists/entries/{eid}", headers=DESIGNATOR).json()
    assert entry["status"] == "designated"
    assert not [p for p in api.get("/api/v1/public/lists").json() if p["kind"] == "removal"]


def test_restoration_over_http_needs_the_designating_units_consent__RST_1_RST_2_RST_3(
    api: TestClient, world: World
) -> None:
    w = world
    w.serious(1)
    eid = propose(api, w, restoration_after_months=0).json()["id"]
    notify_over_api(api, eid, DESIGNATOR)
    w.advance(8)
    api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR)
    applied = api.post(
        f"/api/v1/lists/entries/{eid}/restoration",
        headers=PLATFORM,
        json={"applicant": "郑州示例贸易有限公司1", "evidence": "已缴清罚款并公开致歉"},
    )
    assert applied.status_code == 201, applied.text
    app_id = applied.json()["id"]
    # Art 43, SEC-5: the deciding unit is told on receipt (one working day to decide).
    told = [
        n
        for n in api.get("/api/v1/inbox", headers=DESIGNATOR).json()
        if n["kind"] == "restoration.received"
    ]
    assert [(n["object_type"], n["object_id"]) for n in told] == [
        ("restoration_application", str(app_id))
    ]
    assert applied.json()["due_date"] in told[0]["message"]
    error(
        api.post(
            f"/api/v1/lists/restorations/{app_id}/decision",
            headers=PLATFORM,
            json={"consent": True, "note": "x"},
        ),
        403,
        "access.missing_permission",
    )
    decided = api.post(
        f"/api/v1/lists/restorations/{app_id}/decision",
        headers=DESIGNATOR,
        json={"consent": True, "note": "同意提前移出"},
    ).json()
    assert decided["entry"]["removal_reason"] == "restoration"
    scrutiny = api.get(
        "/api/v1/lists/entries",
        params={"subject_id": w.company(1), "list_type": "key_scrutiny"},
        headers=PLATFORM,
    ).json()
    assert len(scrutiny) == 1 and scrutiny[0]["validity_months"] == 12
    removal = [p for p in api.get("/api/v1/public/lists").json() if p["kind"] == "removal"]
    # DIS-4: once, on the channels the entry was published on.
    assert [p["channels"] for p in removal] == [["credit_website", "unit_portal"]]


def test_red_list_and_key_scrutiny_procedures_over_http__LST_3_LST_4_LST_5(
    api: TestClient, world: World
) -> None:
    w = world
    w.submit("BZJL", [honour_row(1)])
    red = api.post(
        "/api/v1/lists/entries",
        headers=DESIGNATOR,
        json={"standard": "SCJG-HONG", "subject_id": w.company(1), "facts": "连续三年守合同重信用"},
    ).json()
    rid = red["id"]
    announced = api.post(f"/api/v1/lists/entries/{rid}/announcement", headers=DESIGNATOR).json()
    assert announced["window_due"] == "2026-03-11"  # 7 working days (Op(8))
    # The public sees the announcement with its objection deadline (DIS-5).
    shown = api.get("/api/v1/public/lists", params={"list_type": "red_list"}).json()
    assert [p["channels"] for p in shown] == [["credit_website", "unit_portal"]]
    assert {p["kind"] for p in shown} == {"announcement"}
    assert {p["content"]["objection_deadline"] for p in shown} == {"2026-03-11"}
    error(
        api.post(f"/api/v1/lists/entries/{rid}/designation", headers=DESIGNATOR),
        409,
        "entry.window_open",
    )
    # OBJ-1, Op(8): a member of the public objects under a registered account.
    account = api.post(
        "/api/v1/public-accounts",
        json={"name": "某消费者", "id_type": "ric", "id_number": demo_ric("41010519850505123")},
    ).json()
    consumer = {"Authorization": f"Bearer {account['token']}"}
    objected = file_objection(
        api,
        consumer,
        "list_entry",
        rid,
        "该企业存在欠薪",
        [("投诉记录.pdf", PDF, "application/pdf")],
    )
    assert objected.status_code == 201 and objected.json()["status"] == "received"
    oid = objected.json()["id"]
    assert api.get(f"/api/v1/lists/entries/{rid}", headers=PLATFORM).json()["status"] == "objected"
    w.advance(14)
    error(
        api.post(f"/api/v1/lists/entries/{rid}/designation", headers=DESIGNATOR),
        409,
        "entry.illegal_transition",
    )  # an objection is verified first
    for step, body in (
        ("acceptance", {"accepted": True, "reason": "予以受理"}),
        ("decision", {"outcome": "dismissed", "reason": "经核实欠薪已于认定前结清"}),
    ):
        done = api.post(f"/api/v1/objections/{oid}/{step}", headers=DESIGNATOR, json=body)
        assert done.status_code == 200, done.text
    done = api.post(f"/api/v1/lists/entries/{rid}/designation", headers=DESIGNATOR).json()
    assert done["status"] == "designated" and done["valid_until"] == "2028-03-15"
    # Key scrutiny: designation comes with a warning naming the period (LST-4); it ends the
    # red-list entry (Op(19)).
    w.serious(1)
    ks = {**STANDARDS[0], "code": "SCJG-ZDGZ", "list_type": "key_scrutiny", "window_days": 0,
          "restoration": {}, "scrutiny_months": 0, "validity_months": 6,
          "measures": ["ART32-5"]}  # fmt: skip
    assert api.post("/api/v1/standards", headers=DESIGNATOR, json=ks).status_code == 201
    entry = api.post(
        "/api/v1/lists/entries",
        headers=DESIGNATOR,
        json={"standard": "SCJG-ZDGZ", "subject_id": w.company(1), "facts": "一般失信行为"},
    ).json()
    warned = api.post(f"/api/v1/lists/entries/{entry['id']}/designation", headers=DESIGNATOR)
    [warning] = [n for n in warned.json()["notices"] if n["kind"] == "warning"]
    assert warning["content"]["scrutiny_period"] == "2026-03-16至2026-09-15"
    red_now = api.get(f"/api/v1/lists/entries/{rid}", headers=PLATFORM).json()
    assert red_now["removal_reason"] == "key_scrutiny"


def test_a_restoration_decision_due_follows_a_schedule_loaded_later__RST_2_CAL_2(
    api: TestClient, world: World
) -> None:
    """The designating unit's 1 working day (Art 43) counted into a provisional 2027: the
    official schedule makes 4 January a holiday, and the application's due date moves."""
    from tests.schedules import SCHEDULE_2027

    w = world
    w.serious(1)
    eid = propose(api, w, restoration_after_months=0).json()["id"]
    notify_over_api(api, eid, DESIGNATOR)
    w.advance(8)
    api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR)
    w.clock.set(datetime(2026, 12, 31, 1, tzinfo=UTC))
    applied = api.post(
        f"/api/v1/lists/entries/{eid}/restoration",
        headers=PLATFORM,
        json={"applicant": "郑州示例贸易有限公司1", "evidence": "已缴清罚款并公开致歉"},
    )
    assert applied.status_code == 201 and applied.json()["due_date"] == "2027-01-04", applied.text
    loaded = api.post("/api/v1/calendar/schedules", headers=PLATFORM, json={"text": SCHEDULE_2027})
    assert loaded.status_code == 201, loaded.text
    [listed] = api.get("/api/v1/lists/restorations", headers=DESIGNATOR).json()
    assert listed["due_date"] == "2027-01-05"


def test_key_scrutiny_after_a_blacklist_goes_with_its_records_basis__ING_7_RST_3(
    api: TestClient, world: World
) -> None:
    """Art 42: key scrutiny after a blacklist (Op(18)) rests on what the blacklist rested
    on; a record withdrawn later revokes it, as it would have revoked the blacklist."""
    w = world
    [rid] = w.serious(1)
    eid = propose(api, w, restoration_after_months=0).json()["id"]
    notify_over_api(api, eid, DESIGNATOR)
    w.advance(8)
    api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR)
    applied = api.post(
        f"/api/v1/lists/entries/{eid}/restoration",
        headers=PLATFORM,
        json={"applicant": "郑州示例贸易有限公司1", "evidence": "已缴清罚款并公开致歉"},
    ).json()
    api.post(
        f"/api/v1/lists/restorations/{applied['id']}/decision",
        headers=DESIGNATOR,
        json={"consent": True, "note": "同意提前移出"},
    )
    listing = f"/api/v1/lists/entries?subject_id={w.company(1)}&list_type=key_scrutiny"
    [scrutiny] = api.get(listing, headers=PLATFORM).json()
    assert scrutiny["status"] == "designated"
    assert api.get(f"/api/v1/lists/entries/{scrutiny['id']}", headers=PLATFORM).json()[
        "records"
    ] == [rid]
    withdrawn = api.post(
        f"/api/v1/records/{rid}/withdrawal",
        headers=bearer("provider"),
        json={"reason": "处罚决定经行政复议撤销"},
    )
    assert withdrawn.status_code == 200, withdrawn.text
    ended = api.get(f"/api/v1/lists/entries/{scrutiny['id']}", headers=PLATFORM).json()
    assert (ended["status"], ended["removal_reason"]) == ("removed", "basis_revoked")
