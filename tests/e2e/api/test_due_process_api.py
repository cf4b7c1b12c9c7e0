"""Due process and data protection defects an acceptance tester found trying the seed
documents' procedures end to end, each through the public interfaces."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from fastapi.testclient import TestClient

from creditreg.clock import CST, FixedClock
from creditreg.demo.dataset import demo_ric
from creditreg.domain.access.principals import SYSTEM, Level
from creditreg.domain.kernel.actor import Permission
from creditreg.services.context import Context
from creditreg.services.kernel import sweep
from creditreg.services.lists import entry_views
from creditreg.services.rights import notices
from tests.e2e.api.test_accounts_api import ZHANG, activate, issue, login, subject_id
from tests.e2e.api.test_api import error
from tests.e2e.api.test_check_api import check, ok, uscc
from tests.e2e.api.test_lists_api import DESIGNATOR, propose, revise_standard
from tests.e2e.api.test_red_list_feedback_api import red_entry
from tests.e2e.conftest import bearer
from tests.factories import person_punishment_row
from tests.lists_world import World, make_world
from tests.notice_delivery import notify_over_api
from tests.objection_helpers import file_objection
from tests.schedules import SCHEDULE_2027, SCHEDULE_2027_LINES

PLATFORM = bearer("platform")
PROVIDER = bearer("provider")
IMPLEMENTER = bearer("implementer")
PASSPORT = "E98765432"


@pytest.fixture
def world(api: TestClient, ctx: Context, clock: FixedClock) -> World:
    return make_world(ctx, clock)


def entry(api: TestClient, eid: int, headers: dict[str, str] = DESIGNATOR) -> dict[str, object]:
    got = api.get(f"/api/v1/lists/entries/{eid}", headers=headers)
    assert got.status_code == 200, got.text
    return dict(got.json())


def test_an_organization_without_an_account_is_designated_only_after_delivery__LST_2_SEC_5(
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
    # Art 28: the designation notice is printed too; left undelivered it is chased, once.
    [decision] = [
        n
        for n in api.get("/api/v1/subject-notices", headers=DESIGNATOR).json()
        if n["about_id"] == str(eid) and n["kind"] == "designation_notice"
    ]
    w.advance(11)
    sweep.run(w.ctx, SYSTEM)
    sweep.run(w.ctx, SYSTEM)
    chased = [
        n
        for n in api.get("/api/v1/inbox", headers=DESIGNATOR).json()
        if n["kind"] == "subject_notice.undelivered"
    ]
    by_notice = {n["object_id"]: n["message"] for n in chased}
    assert len(chased) == 2 and set(by_notice) == {str(printed["id"]), str(decision["id"])}
    assert "has not been told of the decision" in by_notice[str(decision["id"])]


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
    # Recounted, the window still says its rule in words, not by its code.
    assert told["window"]["explanation"].split(" (")[1].split(",")[0] in window["explanation"]
    assert "objections before designation" in window["explanation"]
    assert "blacklist_objection" not in window["explanation"]
    clock.set(datetime(2027, 1, 5, 18, tzinfo=CST))
    sweep.run(w.ctx, SYSTEM)
    assert entry(api, eid)["status"] == "notified"  # the last day told is the subject's
    clock.set(datetime(2027, 1, 6, 9, tzinfo=CST))
    sweep.run(w.ctx, SYSTEM)
    assert entry(api, eid)["status"] == "designated"


def test_a_window_moved_later_by_a_schedule_is_told_to_the_subject__CAL_2_LST_2(
    api: TestClient, world: World, clock: FixedClock
) -> None:
    """CAL-2: the schedule made 2027-01-04 a holiday, so the window ends a day later than
    the subject's notice said; its copy now gives the new date and says why."""
    w = world
    w.serious(1)
    clock.set(datetime(2026, 12, 28, 9, tzinfo=CST))
    eid = propose(api, w).json()["id"]
    assert notify_over_api(api, eid, DESIGNATOR).json()["window_due"] == "2027-01-05"
    loaded = api.post("/api/v1/calendar/schedules", headers=PLATFORM, json={"text": SCHEDULE_2027})
    assert loaded.status_code == 201, loaded.text
    assert entry(api, eid)["window_due"] == "2027-01-06"
    [notice] = [
        n
        for n in notices.notices_of(w.ctx, SYSTEM, w.company(1))
        if n["about_id"] == str(eid) and n["kind"] == "written_notice"
    ]
    lines = dict((label, text) for label, text in notice["lines"])
    assert lines["异议截止日期"] == "2027-01-06" and "顺延至2027-01-06" in lines["期限说明"]


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
    spaced, hidden = "E 9876 5432", "E9876\u200b5432"
    facts = (
        f"法定代表人王示例（护照号{PASSPORT}，又作{PASSPORT.lower()}、{spaced}、{hidden}）"
        "销售不合格食品"
    )
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
    assert spaced not in text and hidden not in text
    # The check's answer quotes the grounds masked the same way (MEA-3).
    [listed] = ok(check(api, uscc(1)))["entries"]
    assert PASSPORT not in listed["grounds"].upper() and spaced not in listed["grounds"]
    assert hidden not in listed["grounds"] and "E9*****32" in listed["grounds"]
    assert grounds not in text and "经核实属实" not in text
    notices = seen["notices"]
    assert isinstance(notices, list) and notices
    assert {n["audience"] for n in notices} == {"public"}
    history = seen["history"]
    assert isinstance(history, list) and history
    assert all(h["reason"] == "" and h["detail"] == {} for h in history)
    assert seen["restoration_applications"] == []
    # Another designating unit is no party to this entry's procedure either.
    other = w.designating_unit("另一认定部门", "11410000MB0000008", "410000", Level.PROVINCIAL)
    reader = replace(other, permissions=other.permissions | {Permission.LISTS_READ})
    theirs = entry_views.get(w.ctx, reader, eid)
    assert {n["audience"] for n in theirs["notices"]} == {"public"}
    assert all(h["reason"] == "" for h in theirs["history"])
    # The designating unit, a party to the procedure, still reads all of it.
    own = entry(api, eid)
    assert "written_notice" in {n["kind"] for n in own["notices"]}  # type: ignore[union-attr]
    for page in (api.get("/api/v1/public/lists").text, api.get("/lists").text):
        assert PASSPORT not in page.upper() and "E9*****32" in page
        assert spaced not in page and hidden not in page


def test_contact_details_in_published_facts_are_masked__DIS_3_DIS_4(
    api: TestClient, world: World
) -> None:
    """Op(11): a landline, an e-mail address and a home address quoted in an entry's facts
    were published in clear on the portal, in the public lists and in the check's grounds
    (a tryout's finding), although ID and mobile numbers beside them were masked."""
    w = world
    w.serious(1)
    facts = (
        "法定代表人座机0371-65551234；邮箱zhao@example.com；"
        "住址郑州市金水区花园路1号3单元502室；销售不合格食品"
    )
    eid = propose(api, w, facts=facts).json()["id"]
    notify_over_api(api, eid, DESIGNATOR)
    w.advance(8)
    designated = api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR)
    assert designated.status_code == 200, designated.text
    [listed] = ok(check(api, uscc(1)))["entries"]
    seen = str(entry(api, eid, IMPLEMENTER))
    pages = (api.get("/api/v1/public/lists").text, api.get("/lists").text)
    for shown in (listed["grounds"], seen, *pages):
        assert "65551234" not in shown and "zhao@" not in shown and "花园路" not in shown
        assert "销售不合格食品" in shown
    assert "0371-****1234" in listed["grounds"] and "z***@example.com" in listed["grounds"]
    assert "住址郑州市金水区****" in listed["grounds"]


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
    # The standard's next version: its re-evaluation removes the entry, whose only record
    # is past its display (STD-3).
    revise_standard(api)
    assert entry(api, eid)["status"] == "removed"
    assert ok(check(api, uscc(5)))["records"] == []


def test_the_subject_is_told_of_its_designation_and_of_its_removal__LST_2_LST_8_RST_3_DIS_3(
    api: TestClient, world: World
) -> None:
    """Art 28, Op(15), Art 37: the subject learned of its designation and removal from
    nobody. It is now told, in Chinese: the list, the period, the measures, whether and
    how it may restore its credit, that its persons responsible answer too (Art 35), its
    right to object; and later that it left the list, and why."""
    w = world
    w.serious(1)
    facts = f"法定代表人（身份证{demo_ric('41010519700101123')}，座机0371-65551234）销售不合格食品"
    eid = propose(api, w, restoration_after_months=12, facts=facts).json()["id"]
    notify_over_api(api, eid, DESIGNATOR)
    w.advance(8)
    designated = api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR)
    assert designated.status_code == 200, designated.text

    def told(kind: str) -> dict[str, str]:
        notices = api.get("/api/v1/subject-notices", headers=DESIGNATOR).json()
        [notice] = [
            n for n in notices if n["kind"] == kind and n["about_id"] == str(eid)
        ]  # the company has no account: the unit prints and delivers it
        return {label: text for label, text in notice["lines"]} | {"": notice["title"]}

    written = [n for n in entry(api, eid)["notices"] if n["kind"] == "written_notice"]  # type: ignore[union-attr]
    assert written
    # DIS-3: a notice mailed to the subject masks the numbers its facts quote, as it masks
    # the subject's at its head (the legal representative's ID and phone, here).
    assert "0371-****1234" in str(written) and "65551234" not in str(written)
    assert demo_ric("41010519700101123") not in str(written)
    decision = told("designation_notice")
    assert demo_ric("41010519700101123") not in str(decision)
    assert decision[""] == "列入名单决定告知书"
    assert (
        decision["信用主体"].startswith("郑州示例贸易有限公司1（")
        and "kind" not in decision["信用主体"]
    )
    assert decision["有效期至"] == designated.json()["valid_until"]
    assert decision["惩戒措施"] and "满12个月后" in decision["信用修复"]
    assert "第三十五条" in decision["相关责任人员"] and "第四十一条" in decision["异议权利"]
    revise_standard(api)
    removed = api.post(
        f"/api/v1/lists/entries/{eid}/removal",
        headers=DESIGNATOR,
        json={"reason": "standard_changed", "note": "标准修订"},
    )
    assert removed.status_code == 200, removed.text
    removal = told("removal_notice")
    assert removal[""] == "移出名单告知书" and removal["移出理由"] == "认定标准变更"
    assert removal["移出日期"] == w.ctx.today().isoformat() and removal["说明"] == "标准修订"


def test_the_subject_reads_each_outcome_of_its_objection_in_chinese__OBJ_3_OBJ_6(
    api: TestClient,
) -> None:
    """OBJ-3: the outcome notice (处理结果告知书) quoted the unit's English sentence
    ("objection 1 is accepted (...); the decision is due ..."). The subject's notices are
    Chinese throughout; the unit's inbox keeps its own words."""
    zhang = subject_id(api, "ric", ZHANG)
    assert activate(api, issue(api, zhang).json()["code"]).status_code == 201
    row = {**person_punishment_row(1), "party_name": "张示例", "id_number": ZHANG}
    stored = api.post("/api/v1/records", json={"catalog": "XZCF", "data": row}, headers=PROVIDER)
    assert stored.status_code == 201, stored.text
    rid = api.get("/api/v1/records/verification", headers=PLATFORM).json()[-1]["id"]
    me = login(api)
    filed = file_objection(api, me, "record", rid, grounds="处罚决定已被撤销")
    assert filed.status_code == 201, filed.text
    oid = filed.json()["id"]
    steps = [
        ("acceptance", {"accepted": True, "reason": "材料齐全"}),
        ("decision", {"outcome": "dismissed", "reason": "经核实记录无误"}),
    ]
    for step, body in steps:
        done = api.post(f"/api/v1/objections/{oid}/{step}", headers=PLATFORM, json=body)
        assert done.status_code == 200, done.text
    outcomes = [n for n in api.get("/api/v1/me/inbox", headers=me).json() if n["kind"] == "outcome"]
    assert len(outcomes) == 2
    for notice in outcomes:
        for _, text in notice["lines"]:
            assert not re.search(r"[a-z]{2,}", text), text
    said = {text for n in outcomes for label, text in n["lines"] if label == "理由"}
    assert any(t.startswith("异议已受理（材料齐全）") for t in said)
    assert any(t.startswith("异议不成立：经核实记录无误") and "复核" in t for t in said)


def test_a_red_listed_subject_s_verified_untrustworthy_record_is_told_to_its_unit__RST_4(
    api: TestClient, world: World
) -> None:
    """RST-4(2), Op(19): a red-listed subject got a verified punishment and kept its
    incentives with no one told. The designating unit, which judges whether the conduct
    makes incentives inappropriate, is told once; it removes for `unfit_conduct`."""
    w = world
    eid = red_entry(api, w, 6)
    [rid] = w.serious(6)
    told = [
        n
        for n in api.get("/api/v1/inbox", headers=DESIGNATOR).json()
        if n["kind"] == "red_list.untrustworthy_record"
    ]
    assert [(n["object_type"], n["object_id"]) for n in told] == [("record", str(rid))]
    assert f"entry {eid}" in told[0]["message"] and "unfit_conduct" in told[0]["message"]
    removed = api.post(
        f"/api/v1/lists/entries/{eid}/removal",
        headers=DESIGNATOR,
        json={"reason": "unfit_conduct", "note": "受到行政处罚"},
    )
    assert removed.status_code == 200 and removed.json()["removal_reason"] == "unfit_conduct"
