"""Feedback on measures applied (issue 11, part 5; MEA-4, MEA-8, LST-7), on SQLite and
PostgreSQL: an implementing unit reports a measure its check returned, and nothing else;
the platform counts by measure, field, unit and month, exports CSV and marks typical
cases; each entry shows the measures applied because of it; an implementing unit that
finds an entry wrong objects through the one objection lifecycle."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from creditreg.clock import FixedClock
from creditreg.demo.dataset import demo_ric
from creditreg.domain.privacy import mask_person_name
from creditreg.services.context import Context
from creditreg.store.measures.feedback_tables import measure_feedback
from tests.e2e.api.test_api import error
from tests.e2e.api.test_check_api import check, ok, uscc
from tests.e2e.api.test_corrections_api import blacklisted
from tests.e2e.api.test_lists_api import revise_standard
from tests.e2e.conftest import bearer
from tests.lists_world import World, make_world
from tests.objection_helpers import file_objection

IMPLEMENTER = bearer("implementer")
DESIGNATOR = bearer("designator")
PLATFORM = bearer("platform")


@pytest.fixture
def world(api: TestClient, ctx: Context, clock: FixedClock) -> World:
    return make_world(ctx, clock)


def report(api: TestClient, headers: dict[str, str] = IMPLEMENTER, **body: Any) -> Any:
    return api.post("/api/v1/measure-feedback", headers=headers, json=body)


def stored(ctx: Context) -> int:
    with ctx.db.read() as conn:
        return int(
            conn.execute(sa.select(sa.func.count()).select_from(measure_feedback)).scalar_one()
        )


def test_a_unit_reports_a_measure_its_check_returned__MEA_4_LST_7(
    api: TestClient, world: World, clock: FixedClock
) -> None:
    eid = blacklisted(api, world, 1)
    sid = world.company(1)
    answer = ok(check(api, uscc(1)))
    due = next(m for m in answer["measures"] if m["entry_id"] == eid)
    today = clock.now().date().isoformat()
    made = report(
        api, subject_id=sid, measure_code=due["code"].lower(), applied_on=today,
        case_file="ZB-2026-001",
    )  # fmt: skip
    assert made.status_code == 201, made.text
    fb = made.json()
    assert fb["measure_code"] == due["code"] and fb["entry_id"] == eid
    assert fb["check_id"] == answer["check_id"] and fb["field"] == "market_regulation"
    assert fb["unit_id"] == 4 and fb["typical"] is False
    # LST-7, Op(9): the entry shows the history of measures applied because of it.
    history = api.get(f"/api/v1/lists/entries/{eid}/applied-measures", headers=DESIGNATOR)
    assert history.status_code == 200 and [h["id"] for h in history.json()] == [fb["id"]]
    # SEC-2: the history names the subject's case files: the designating unit's read is
    # registered.
    reads = api.get("/api/v1/query-register", headers=PLATFORM, params={"subject_id": sid}).json()
    assert any(r["what"] == "entry.applied_measures" and r["object_id"] == str(eid) for r in reads)
    # The unit lists its own reports.
    mine = api.get("/api/v1/measure-feedback", headers=IMPLEMENTER).json()
    assert [m["id"] for m in mine] == [fb["id"]]


def test_feedback_for_a_measure_never_returned_is_refused__MEA_4(
    api: TestClient, world: World, ctx: Context, clock: FixedClock
) -> None:
    eid = blacklisted(api, world, 2)
    sid = world.company(2)
    today = clock.now().date().isoformat()
    # Never checked: nothing returned yet.
    error(
        report(api, subject_id=sid, measure_code="ART34-1", applied_on=today, case_file="A-1"),
        422,
        "measure_feedback.not_returned",
    )
    answer = ok(check(api, uscc(2)))
    codes = {m["code"] for m in answer["measures"]}
    # A measure of the catalog this check did not return (an incentive, for a blacklist).
    error(
        report(api, subject_id=sid, measure_code="ART30-1", applied_on=today, case_file="A-2"),
        422,
        "measure_feedback.not_returned",
    )
    code = sorted(codes)[0]
    error(
        report(api, subject_id=sid, measure_code=code, applied_on=today, case_file="A-3",
               entry_id=eid + 1000),
        422,
        "measure_feedback.not_returned",
    )  # fmt: skip
    error(
        report(api, subject_id=sid, measure_code=code, applied_on="2099-01-01", case_file="A"),
        422,
        "measure_feedback.future_date",
    )
    error(
        report(api, subject_id=sid, measure_code=code, applied_on=today, case_file="a\nb"),
        422,
        "measure_feedback.bad_case_file",
    )
    error(
        report(api, subject_id=sid, measure_code=code, applied_on=today, case_file="A",
               entry_id=eid, record_id=1),
        422,
        "measure_feedback.two_triggers",
    )  # fmt: skip
    error(
        report(api, DESIGNATOR, subject_id=sid, measure_code=code, applied_on=today,
               case_file="A"),
        403,
        "access.missing_permission",
    )  # fmt: skip
    assert stored(ctx) == 0
    first = report(api, subject_id=sid, measure_code=code, applied_on=today, case_file="A-9",
                   **({"entry_id": eid} if code.startswith("ART34") else {}))  # fmt: skip
    assert first.status_code == 201, first.text
    again = report(api, subject_id=sid, measure_code=code, applied_on=today, case_file="A-9",
                   **({"entry_id": eid} if code.startswith("ART34") else {}))  # fmt: skip
    error(again, 409, "measure_feedback.duplicate")
    assert stored(ctx) == 1


def test_statistics_by_measure_field_unit_month_and_typical_cases__MEA_4(
    api: TestClient, world: World, clock: FixedClock
) -> None:
    eid = blacklisted(api, world, 3)
    sid = world.company(3)
    answer = ok(check(api, uscc(3)))
    due = next(m for m in answer["measures"] if m["entry_id"] == eid)
    today = clock.now().date()
    fb = report(api, subject_id=sid, measure_code=due["code"], applied_on=today.isoformat(),
                case_file="ZB-7", entry_id=eid).json()  # fmt: skip
    url = "/api/v1/measure-feedback/statistics"
    by_measure = api.get(url, headers=PLATFORM, params={"by": "measure"}).json()
    assert by_measure == [{"key": due["code"], "label": due["content"], "applied": 1, "typical": 0}]
    [by_field] = api.get(url, headers=PLATFORM, params={"by": "field"}).json()
    assert (by_field["key"], by_field["label"]) == ("market_regulation", "市场监管")
    by_unit = api.get(url, headers=PLATFORM, params={"by": "unit"}).json()
    assert by_unit[0]["key"] == "4" and by_unit[0]["label"]
    by_month = api.get(url, headers=PLATFORM, params={"by": "month"}).json()
    assert by_month[0]["key"] == today.strftime("%Y-%m")
    assert api.get(url, headers=PLATFORM, params={"since": "2099-01-01"}).json() == []
    error(
        api.get(url, headers=PLATFORM, params={"by": "colour"}), 422, "measure_feedback.bad_group"
    )
    error(
        api.get(url, headers=PLATFORM, params={"since": "2026-02-02", "until": "2026-02-01"}),
        422,
        "measure_feedback.bad_period",
    )
    exported = api.get(url + ".csv", headers=PLATFORM, params={"by": "measure"})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert rows == [
        {"measure": due["code"], "label": due["content"], "applied": "1", "typical": "0"}
    ]
    # Op(13): the platform marks a typical case (saying why); others may not.
    typical = f"/api/v1/measure-feedback/{fb['id']}/typical"
    error(api.post(typical, headers=PLATFORM, json={"typical": True}), 422,
          "measure_feedback.typical_needs_note")  # fmt: skip
    error(api.post(typical, headers=IMPLEMENTER, json={"typical": True, "note": "x"}), 403,
          "access.missing_permission")  # fmt: skip
    marked = api.post(typical, headers=PLATFORM, json={"typical": True, "note": "围标串标典型"})
    assert marked.status_code == 200 and marked.json()["typical"] is True
    assert api.get(url, headers=PLATFORM).json()[0]["typical"] == 1
    cases = api.get("/api/v1/measure-feedback", headers=PLATFORM, params={"typical": True}).json()
    assert [c["id"] for c in cases] == [fb["id"]]
    error(api.post("/api/v1/measure-feedback/999999/typical", headers=PLATFORM,
                   json={"typical": False}), 404, "measure_feedback.not_found")  # fmt: skip


def test_an_implementing_unit_reports_wrong_list_information_as_an_objection__MEA_8(
    api: TestClient, world: World
) -> None:
    """Op(23): the unit's report is an objection in the one objection lifecycle; the
    designating unit sees it in its inbox with the deadline to answer."""
    eid = blacklisted(api, world, 4)
    filed = file_objection(api, IMPLEMENTER, "list_entry", eid, grounds="核查发现主体信息有误")
    assert filed.status_code == 201, filed.text
    body = filed.json()
    assert body["objector_kind"] == "unit" and body["due_date"]
    inbox = api.get("/api/v1/inbox", headers=DESIGNATOR).json()
    assert any(str(body["id"]) in str(n) for n in inbox)


def test_feedback_for_a_day_after_the_entry_ended_is_refused__MEA_4_MEA_5(
    api: TestClient, world: World, ctx: Context, clock: FixedClock
) -> None:
    eid = blacklisted(api, world, 5)
    sid = world.company(5)
    answer = ok(check(api, uscc(5)))
    due = next(m for m in answer["measures"] if m["entry_id"] == eid)
    revise_standard(api)
    removed = api.post(
        f"/api/v1/lists/entries/{eid}/removal",
        headers=DESIGNATOR,
        json={"reason": "standard_changed", "note": "标准修订"},
    )
    assert removed.status_code == 200, removed.text
    world.advance(3)
    error(
        report(api, subject_id=sid, measure_code=due["code"], entry_id=eid,
               applied_on=clock.now().date().isoformat(), case_file="LATE-1"),
        422,
        "measure_feedback.fact_ended",
    )  # fmt: skip
    assert stored(ctx) == 0


def test_statistics_and_typical_cases_are_published__EXT_4_MEA_4_DIS_3(
    api: TestClient, world: World, clock: FixedClock
) -> None:
    """Op(12), Op(13), Op(28): the counts and the typical cases, public, on the API and the
    portal; the case file and the subject's numbers never."""
    eid = blacklisted(api, world, 5)
    sid = world.company(5)
    answer = ok(check(api, uscc(5)))
    due = next(m for m in answer["measures"] if m["entry_id"] == eid)
    today = clock.now().date().isoformat()
    fb = report(api, subject_id=sid, measure_code=due["code"], applied_on=today,
                case_file="ZB-内部-0099", entry_id=eid).json()  # fmt: skip
    assert api.get("/api/v1/public/typical-cases").json() == []
    counted = api.get("/api/v1/public/measure-statistics", params={"by": "field"}).json()
    assert counted == [
        {"key": "market_regulation", "label": "市场监管", "applied": 1, "typical": 0}
    ]
    person = demo_ric("41010519700101123")
    note = f"该企业法定代表人（身份证{person}）投标时被限制，围标串标典型"
    api.post(f"/api/v1/measure-feedback/{fb['id']}/typical", headers=PLATFORM,
             json={"typical": True, "note": note})  # fmt: skip
    [case] = api.get("/api/v1/public/typical-cases").json()
    assert case["measure_code"] == due["code"] and case["unit_name"]
    assert case["applied_on"] == today and case["field"] == "market_regulation"
    assert person not in case["summary"] and "围标串标典型" in case["summary"]
    assert "ZB-内部-0099" not in str(case) and "subject_id" not in case
    by_measure = api.get("/api/v1/public/measure-statistics").json()
    assert by_measure == [{"key": due["code"], "label": due["content"], "applied": 1, "typical": 1}]
    error(api.get("/api/v1/public/measure-statistics", params={"by": "subject"}), 422,
          "measure_feedback.bad_group")  # fmt: skip
    page = api.get("/measures")
    assert page.status_code == 200 and "围标串标典型" in page.text and "市场监管" in page.text
    assert person not in page.text and "ZB-内部-0099" not in page.text


def test_a_persons_name_is_shown_by_its_first_character_in_a_published_case__DIS_3() -> None:
    assert mask_person_name("张三丰多次失信后被限制", "张三丰") == "张**多次失信后被限制"
    assert mask_person_name("与张三无关", "李四") == "与张三无关"
    assert mask_person_name("王", "王") == "王"  # a single character says no more than it is


def test_a_check_feedback_rests_on_outlives_the_registers_two_years__MEA_4_SEC_2(
    api: TestClient, world: World, clock: FixedClock, ctx: Context
) -> None:
    """RIG-2: the register keeps its rows two years, then lets them go; but a check that a
    unit's feedback rests on is the evidence of that feedback (MEA-4) and stays. Feedback
    on a measure applied before the register's two years is refused, saying why."""
    from datetime import timedelta

    from creditreg.domain.access.principals import SYSTEM
    from creditreg.services.kernel import sweep
    from tests.register_rows import register_rows

    eid = blacklisted(api, world, 1)
    sid = world.company(1)
    first = ok(check(api, uscc(1)))
    due = next(m for m in first["measures"] if m["entry_id"] == eid)
    today = clock.now().date().isoformat()
    made = report(api, subject_id=sid, measure_code=due["code"], applied_on=today, case_file="ZB-1")
    assert made.status_code == 201, made.text
    second = ok(check(api, uscc(1)))
    other = blacklisted(api, world, 2)
    unreported = ok(check(api, uscc(2)))
    code = next(m["code"] for m in unreported["measures"] if m["entry_id"] == other)
    on = clock.now().date().isoformat()
    clock.set(clock.now() + timedelta(days=2 * 366 + 31))
    assert sweep.run(ctx, SYSTEM).count("queries_expired") >= 2
    kept = {r.id for r in register_rows(ctx, "check")}
    assert first["check_id"] in kept  # the evidence of ZB-1
    assert second["check_id"] not in kept and unreported["check_id"] not in kept
    late = error(
        report(api, subject_id=world.company(2), measure_code=code, applied_on=on, case_file="Z"),
        422,
        "measure_feedback.not_returned",
    )
    assert "two years" in late


def test_another_units_case_files_are_its_own__MEA_4_LST_7(
    api: TestClient, world: World, clock: FixedClock, ctx: Context
) -> None:
    """Op(24): an entry's history of measures applied shows its parties (the designating
    unit, the platform) every unit's reports; another implementing unit sees its own, not
    the case files and notes of the unit that applied them."""
    from creditreg.demo.dataset import demo_uscc
    from creditreg.domain.access.principals import SYSTEM, Level, UnitKind
    from creditreg.domain.kernel.actor import Permission
    from creditreg.services.access import access

    eid = blacklisted(api, world, 1)
    answer = ok(check(api, uscc(1)))
    due = next(m for m in answer["measures"] if m["entry_id"] == eid)
    made = report(
        api, subject_id=world.company(1), measure_code=due["code"],
        applied_on=clock.now().date().isoformat(), case_file="ZB-SECRET-1", note="内部说明",
    )  # fmt: skip
    assert made.status_code == 201, made.text
    other = access.create_unit(
        ctx, SYSTEM, name="另一实施单位", uscc=demo_uscc("11410100MB0000077"),
        kind=UnitKind.IMPLEMENTING_UNIT, region="410100", level=Level.MUNICIPAL,
    )  # fmt: skip
    token = access.create_token(
        ctx, SYSTEM, unit_id=other["id"], name="t", scopes=(Permission.LISTS_READ,)
    )
    url = f"/api/v1/lists/entries/{eid}/applied-measures"
    theirs = api.get(url, headers={"Authorization": f"Bearer {token.token}"})
    assert theirs.status_code == 200 and theirs.json() == []
    assert "ZB-SECRET-1" not in theirs.text
    for party in (DESIGNATOR, PLATFORM, IMPLEMENTER):
        assert [h["case_file"] for h in api.get(url, headers=party).json()] == ["ZB-SECRET-1"]
    # An entry still in its procedure is none to a unit that applies the lists (LST-9):
    # 404 here as where the entry is read, not an empty history that says it exists.
    from tests.e2e.api.test_lists_api import propose

    world.serious(2)
    pending = propose(api, world, 2).json()["id"]
    error(api.get(f"/api/v1/lists/entries/{pending}/applied-measures", headers=IMPLEMENTER), 404,
          "entry.not_found")  # fmt: skip
    assert (
        api.get(f"/api/v1/lists/entries/{pending}/applied-measures", headers=DESIGNATOR).json()
        == []
    )
