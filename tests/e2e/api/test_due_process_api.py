"""Due process and data protection defects an acceptance tester found trying the seed
documents' procedures end to end, each through the public interfaces."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from fastapi.testclient import TestClient

from creditreg.clock import CST, FixedClock
from creditreg.domain.access.principals import SYSTEM
from creditreg.services.context import Context
from creditreg.services.kernel import sweep
from tests.e2e.api.test_api import error
from tests.e2e.api.test_check_api import check, ok, uscc
from tests.e2e.api.test_lists_api import DESIGNATOR, propose
from tests.e2e.conftest import bearer
from tests.lists_world import World, make_world
from tests.notice_delivery import notify_over_api
from tests.objection_helpers import file_objection
from tests.schedules import SCHEDULE_2027_LINES

PLATFORM = bearer("platform")
IMPLEMENTER = bearer("implementer")
PASSPORT = "E98765432"


@pytest.fixture
def world(api: TestClient, ctx: Context, clock: FixedClock) -> World:
    return make_world(ctx, clock)


def entry(api: TestClient, eid: int, headers: dict[str, str] = DESIGNATOR) -> dict[str, object]:
    got = api.get(f"/api/v1/lists/entries/{eid}", headers=headers)
    assert got.status_code == 200, got.text
    return dict(got.json())


def test_an_organization_without_an_account_is_designated_only_after_delivery__LST_2(
    api: TestClient, world: World
) -> None:
    """Art 28, Op(7): the written notice must reach the subject, a company as much as a
    person. A company without an account is told by the printed notice: its window runs
    from the delivery the unit records, and until then nothing designates it."""
    w = world
    w.serious(1)
    eid = propose(api, w).json()["id"]
    noticed = api.post(f"/api/v1/lists/entries/{eid}/notice", headers=DESIGNATOR).json()
    assert noticed["status"] == "notified" and noticed["window_due"] is None
    w.advance(40)
    sweep.run(w.ctx, SYSTEM)
    assert entry(api, eid)["status"] == "notified"
    error(
        api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR),
        409,
        "entry.notice_not_delivered",
    )
    # The unit's list of printed notices says which entry each is about.
    [printed] = [
        n
        for n in api.get("/api/v1/subject-notices", headers=DESIGNATOR).json()
        if n["about_type"] == "list_entry" and n["about_id"] == str(eid)
    ]
    assert printed["kind"] == "written_notice" and printed["delivered_on"] is None
    # SEC-5: the unit was told, once, that the procedure waits for the delivery.
    flagged = [
        n
        for n in api.get("/api/v1/inbox", headers=DESIGNATOR).json()
        if n["kind"] == "subject_notice.undelivered"
    ]
    assert [n["object_id"] for n in flagged] == [str(printed["id"])]
    sweep.run(w.ctx, SYSTEM)
    assert len([n for n in api.get("/api/v1/inbox", headers=DESIGNATOR).json()
                if n["kind"] == "subject_notice.undelivered"]) == 1  # fmt: skip
    today = w.ctx.today().isoformat()
    done = api.post(
        f"/api/v1/subject-notices/{printed['id']}/delivered",
        headers=DESIGNATOR,
        json={"delivered_on": today},
    )
    assert done.status_code == 200, done.text
    due = str(entry(api, eid)["window_due"])
    assert due > today
    sweep.run(w.ctx, SYSTEM)
    assert entry(api, eid)["status"] == "notified"  # the window runs from the delivery
    w.advance(10)
    sweep.run(w.ctx, SYSTEM)
    assert entry(api, eid)["status"] == "designated"


def test_a_window_told_to_the_subject_is_never_brought_forward_by_a_schedule__CAL_2_LST_2(
    api: TestClient, world: World, clock: FixedClock
) -> None:
    """CAL-2: the official schedule loaded after a notice stated its deadline may only
    move the deadline later. Here it makes a Saturday a make-up working day inside the
    window, which would end it a day before the date the subject was given."""
    w = world
    w.serious(1)
    clock.set(datetime(2026, 12, 28, 9, tzinfo=CST))  # a Monday; 2027 is provisional
    eid = propose(api, w).json()["id"]
    told = notify_over_api(api, eid, DESIGNATOR).json()
    assert told["window_due"] == "2027-01-05" and told["window"]["provisional"]
    lines = [
        line for line in SCHEDULE_2027_LINES if not line.startswith(("2027-01-04", "2027-01-09"))
    ]
    schedule = "\n".join([*lines, "2027-01-02,workday,New Year's Day"])
    loaded = api.post("/api/v1/calendar/schedules", headers=PLATFORM, json={"text": schedule})
    assert loaded.status_code == 201, loaded.text
    after = entry(api, eid)
    window = after["window"]
    assert after["window_due"] == "2027-01-05"  # counted anew it would be 2027-01-04
    assert isinstance(window, dict) and not window["provisional"]
    assert "2027-01-05 stands, as told" in window["explanation"]
    clock.set(datetime(2027, 1, 5, 18, tzinfo=CST))
    sweep.run(w.ctx, SYSTEM)
    assert entry(api, eid)["status"] == "notified"  # the last day told is the subject's
    clock.set(datetime(2027, 1, 6, 9, tzinfo=CST))
    sweep.run(w.ctx, SYSTEM)
    assert entry(api, eid)["status"] == "designated"


def test_a_schedule_without_every_statutory_holiday_is_refused__CAL_2(api: TestClient) -> None:
    """CAL-2, never a silent guess: a schedule replaces its whole year, so a file listing
    only January would make the Spring Festival and National Day working days. Refused,
    naming the days, and nothing stored."""
    before = api.get("/api/v1/calendar/days/2027-10-01").json()
    refused = api.post(
        "/api/v1/calendar/schedules",
        headers=PLATFORM,
        json={"text": "2027-01-01,holiday,New Year\n2027-01-04,holiday,bridge"},
    )
    message = error(refused, 422, "calendar.schedule_incomplete")
    assert "2027-10-01" in message and "2027-02-08" in message
    assert refused.json()["error"]["details"]["missing"][0] == "2027-02-05"
    assert api.get("/api/v1/calendar/days/2027-10-01").json() == before
    assert not api.get("/api/v1/calendar/days/2027-10-01").json()["working"]


def test_an_implementing_unit_reads_no_notice_grounds_or_number_of_an_entry__DIS_3_SEC_1(
    api: TestClient, world: World
) -> None:
    """Op(24), DIS-3, LST-9: a unit that applies the lists reads what was published and
    the entry's steps: not the written notice to the subject, not the objection's grounds
    or the history's reasons; and a personal number no shape rule finds (a passport) is
    masked wherever the entry quotes it, on the public portal too."""
    w = world
    w.serious(1)
    persons = [
        {"role": "legal_representative", "name": "王示例", "id_type": "passport",
         "id_number": PASSPORT},
    ]  # fmt: skip
    facts = f"法定代表人王示例（护照号{PASSPORT}，又作{PASSPORT.lower()}）销售不合格食品"
    eid = propose(api, w, facts=facts, responsible_persons=persons).json()["id"]
    notify_over_api(api, eid, DESIGNATOR)
    grounds = f"护照{PASSPORT}的持有人并非法定代表人"
    filed = file_objection(api, PLATFORM, "list_entry", eid, grounds=grounds)
    assert filed.status_code == 201, filed.text
    oid = filed.json()["id"]
    for step, body in (("acceptance", {"accepted": True, "reason": "受理"}),
                       ("decision", {"outcome": "dismissed", "reason": "经核实属实"})):  # fmt: skip
        done = api.post(f"/api/v1/objections/{oid}/{step}", headers=DESIGNATOR, json=body)
        assert done.status_code == 200, done.text
    w.advance(8)
    designated = api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR)
    assert designated.status_code == 200, designated.text
    seen = entry(api, eid, IMPLEMENTER)
    assert seen["status"] == "designated"
    text = str(seen)
    assert PASSPORT not in text.upper() and "E9*****32" in text
    assert grounds not in text and "经核实属实" not in text
    notices = seen["notices"]
    assert isinstance(notices, list) and notices
    assert {n["audience"] for n in notices} == {"public"}
    history = seen["history"]
    assert isinstance(history, list) and history
    assert all(h["reason"] == "" and h["detail"] == {} for h in history)
    assert seen["restoration_applications"] == []
    # The designating unit, a party to the procedure, still reads all of it.
    own = entry(api, eid)
    assert "written_notice" in {n["kind"] for n in own["notices"]}  # type: ignore[union-attr]
    for page in (api.get("/api/v1/public/lists").text, api.get("/lists").text):
        assert PASSPORT not in page.upper() and "E9*****32" in page


def test_a_blacklisted_subject_s_records_stay_in_the_check_past_their_display__DIS_2_MEA_3(
    api: TestClient, world: World, clock: FixedClock
) -> None:
    """DIS-2, Art 19: a blacklisted subject's records stay displayed, past their period,
    until it leaves the list; the check dropped them the day after the period."""
    w = world
    w.serious(5)
    eid = propose(api, w, 5, validity_months=120).json()["id"]
    notify_over_api(api, eid, DESIGNATOR)
    w.advance(8)
    designated = api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR)
    assert designated.status_code == 200, designated.text
    first = ok(check(api, uscc(5)))
    [shown] = first["records"]
    shown_until = date.fromisoformat(shown["display_until"])
    valid_until = date.fromisoformat(str(entry(api, eid)["valid_until"]))
    assert shown_until < valid_until, "the entry outlasts the record's display"
    clock.set(datetime.combine(shown_until + timedelta(days=3), time(9), tzinfo=CST))
    sweep.run(w.ctx, SYSTEM)  # the record stays live: the list holds it
    later = ok(check(api, uscc(5)))
    assert [r["id"] for r in later["records"]] == [shown["id"]]
    removed = api.post(
        f"/api/v1/lists/entries/{eid}/removal",
        headers=DESIGNATOR,
        json={"reason": "standard_changed", "note": "标准修订"},
    )
    assert removed.status_code == 200, removed.text
    assert ok(check(api, uscc(5)))["records"] == []
