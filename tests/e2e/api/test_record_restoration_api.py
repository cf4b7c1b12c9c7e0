"""Restoration of untrustworthy credit records (issue 10, part 7; RST-7, Art 43): the
subject applies from its own account during the display period, eligibility by the
record's class, a decision within 1 working day, the restored record leaves display, the
subject is told. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from creditreg.cli.main import app as cli
from creditreg.clock import FixedClock
from tests.conftest import CST, DbTarget
from tests.e2e.api.test_accounts_api import ZHANG, activate, audit_of, issue, login, subject_id
from tests.e2e.api.test_api import error
from tests.e2e.conftest import bearer
from tests.factories import person_punishment_row

PLATFORM = bearer("platform")
PROVIDER = bearer("provider")


@pytest.fixture
def zhang(api: TestClient) -> tuple[int, int, dict[str, str]]:
    """张示例 with an account and a general untrustworthy record decided on 2026-02-27."""
    sid = subject_id(api, "ric", ZHANG)
    assert activate(api, issue(api, sid).json()["code"]).status_code == 201
    row = {**person_punishment_row(1), "party_name": "张示例", "id_number": ZHANG}
    stored = api.post("/api/v1/records", json={"catalog": "XZCF", "data": row}, headers=PROVIDER)
    assert stored.status_code == 201, stored.text
    rid = api.get("/api/v1/records/verification", headers=PLATFORM).json()[-1]["id"]
    return sid, rid, login(api)


def _register_count(api: TestClient) -> int:
    rows = api.get("/api/v1/query-register", headers=PLATFORM, params={"limit": 1000}).json()
    return len([r for r in rows if r["what"] == "record_restoration"])


def _apply(api: TestClient, me: dict[str, str], rid: int, **changes: Any) -> Any:
    body = {
        "record_id": rid,
        "decider": "platform",
        "statement": "已足额缴纳罚款并完成整改，提交了信用承诺书",
        **changes,
    }
    return api.post("/api/v1/me/record-restorations", json=body, headers=me)


def test_a_record_is_restorable_only_after_its_class_minimum_display__RST_7(
    api: TestClient, zhang: tuple[int, int, dict[str, str]], clock: FixedClock
) -> None:
    """A general record: 3 months of display first (configurable); the refusal says when."""
    _, rid, me = zhang
    early = error(_apply(api, me, rid), 409, "record_restoration.too_early")
    assert "2026-05-27" in early and "runs from the decision of 2026-02-27" in early
    body = _apply(api, me, rid).json()["error"]
    assert body["details"]["restorable_from"] == "2026-05-27"
    assert api.get("/api/v1/me/record-restorations", headers=me).json() == []  # nothing kept
    clock.set(datetime(2026, 5, 27, 9, 0, tzinfo=CST))
    me = login(api)  # a session lasts 12 hours
    made = _apply(api, me, rid)
    assert made.status_code == 201, made.text


def test_restoration_in_one_working_day_leaves_display_and_tells_the_subject__RST_7_CAL_3(
    api: TestClient, zhang: tuple[int, int, dict[str, str]], clock: FixedClock
) -> None:
    """Applied on Thursday 2026-09-30, the eve of National Day: the 1-working-day deadline
    (Art 43) falls after the Golden Week holiday (1-7 October), on Thursday 2026-10-08."""
    sid, rid, me = zhang
    clock.set(datetime(2026, 9, 30, 16, 0, tzinfo=CST))
    me = login(api)  # a session lasts 12 hours
    made = _apply(api, me, rid)
    assert made.status_code == 201, made.text
    application = made.json()
    assert application["status"] == "applied" and application["due_date"] == "2026-10-08"
    error(_apply(api, me, rid), 409, "record_restoration.pending")
    assert [a["id"] for a in api.get("/api/v1/record-restorations", headers=PLATFORM).json()] == [
        application["id"]
    ]
    # Applied to the platform: the provider may not decide it.
    error(
        api.post(
            f"/api/v1/record-restorations/{application['id']}/decision",
            json={"outcome": "grant"},
            headers=PROVIDER,
        ),
        403,
        "access.missing_permission",
    )
    clock.advance(timedelta(days=9))
    me = login(api)
    granted = api.post(
        f"/api/v1/record-restorations/{application['id']}/decision",
        json={"outcome": "grant", "reasons": "整改到位"},
        headers=PLATFORM,
    )
    assert granted.status_code == 200, granted.text
    assert granted.json()["status"] == "granted"
    shown = api.get(f"/api/v1/records/{rid}", headers=PLATFORM).json()
    assert shown["status"] == "restored"
    events = api.get("/api/v1/events", headers=PLATFORM, params={"after": 0}).json()["events"]
    assert any(e["kind"] == "record.restored" and e["object_id"] == str(rid) for e in events)
    inbox = api.get("/api/v1/me/inbox", headers=me).json()
    outcome = next(n for n in inbox if n["kind"] == "outcome")
    assert outcome["title"] == "处理结果告知书"
    assert any("准予信用修复" in text for _, text in outcome["lines"])
    error(
        api.post(
            f"/api/v1/record-restorations/{application['id']}/decision",
            json={"outcome": "refuse", "reasons": "x"},
            headers=PLATFORM,
        ),
        409,
        "record_restoration.illegal_transition",
    )
    assert [e["action"] for e in audit_of(api, "record_restoration")] == [
        "record_restoration.apply",
        "record_restoration.grant",
    ]
    # Restored records are not restored twice, nor displayed.
    error(_apply(api, me, rid), 409, "record_restoration.not_displayed")
    assert sid


def test_bad_applications_store_nothing__RST_7(
    api: TestClient, zhang: tuple[int, int, dict[str, str]], clock: FixedClock
) -> None:
    _, rid, me = zhang
    clock.set(datetime(2026, 6, 1, 9, 0, tzinfo=CST))
    me = login(api)
    error(_apply(api, me, rid, statement="改了"), 422, "record_restoration.no_statement")
    error(_apply(api, me, 999_999), 404, "record.not_found")
    # A unit cannot apply for a subject; a refusal says why.
    assert _apply(api, PROVIDER, rid).status_code == 403
    made = _apply(api, me, rid).json()
    error(
        api.post(
            f"/api/v1/record-restorations/{made['id']}/decision",
            json={"outcome": "refuse"},
            headers=PLATFORM,
        ),
        422,
        "record_restoration.no_reasons",
    )
    assert api.get("/api/v1/me/record-restorations", headers=me).json()[0]["status"] == "applied"
    # SEC-2: the platform's desk reading the applications reads the subject's case.
    before = _register_count(api)
    assert api.get("/api/v1/record-restorations", headers=PLATFORM).status_code == 200
    assert _register_count(api) == before + 1


def test_applied_to_the_provider_and_decided_by_it_from_the_cli__RST_7_SEC_3(
    api: TestClient, zhang: tuple[int, int, dict[str, str]], db: DbTarget, clock: FixedClock
) -> None:
    sid, rid, me = zhang
    clock.set(datetime(2026, 6, 1, 9, 0, tzinfo=CST))
    env = {
        **db.env(),
        "CREDITREG_CLOCK": clock.now().isoformat(),
        "CREDITREG_ALLOW_CLOCK_OVERRIDE": "1",
    }
    runner = CliRunner()
    applied = runner.invoke(
        cli,
        ["record-restorations", "apply", "--subject", str(sid), "--record", str(rid),
         "--to", "provider", "--statement", "已缴清罚款并完成整改"],
        env=env,
    )  # fmt: skip
    assert applied.exit_code == 0, applied.output
    assert "to the provider): applied, due 2026-06-02" in applied.stdout
    app_id = applied.stdout.split()[1]
    # Art 43, SEC-5: the provider is told on receipt, not once the day has passed.
    told = [
        n
        for n in api.get("/api/v1/inbox", headers=PROVIDER).json()
        if n["kind"] == "record_restoration.received"
    ]
    assert [n["object_id"] for n in told] == [app_id] and "2026-06-02" in told[0]["message"]
    provider_unit = api.get("/api/v1/auth/me", headers=PROVIDER).json()["unit_id"]
    refused = runner.invoke(
        cli,
        ["record-restorations", "decide", app_id, "--refuse", "--reasons", "未消除不良影响",
         "--unit", str(provider_unit)],
        env=env,
    )  # fmt: skip
    assert refused.exit_code == 0, refused.output
    assert "refused" in refused.stdout and "未消除不良影响" in refused.stdout
    me = login(api)
    assert api.get(f"/api/v1/records/{rid}", headers=PLATFORM).json()["status"] == "received"
    inbox = api.get("/api/v1/me/inbox", headers=me).json()
    assert any("不予信用修复" in text for n in inbox for _, text in n["lines"])
    applies = [e for e in audit_of(api, "record_restoration") if e["action"].endswith("apply")]
    assert applies[0]["actor"].endswith(f"@subject:{sid}")


def test_an_undecided_application_past_its_day_is_flagged_once__RST_7_SEC_5(
    api: TestClient, zhang: tuple[int, int, dict[str, str]], db: DbTarget, clock: FixedClock
) -> None:
    _, rid, _ = zhang
    clock.set(datetime(2026, 6, 1, 9, 0, tzinfo=CST))
    made = _apply(api, login(api), rid, decider="provider")
    assert made.status_code == 201 and made.json()["due_date"] == "2026-06-02"
    env = {**db.env(), "CREDITREG_CLOCK": "2026-06-03T09:00", "CREDITREG_ALLOW_CLOCK_OVERRIDE": "1"}
    first = CliRunner().invoke(cli, ["sweep"], env=env)
    assert first.exit_code == 0 and "record restorations overdue: 1" in first.stdout
    again = CliRunner().invoke(cli, ["sweep"], env=env)
    assert "record restorations overdue" not in again.stdout
    for who in (PLATFORM, PROVIDER):  # the operator and the unit it was applied to
        kinds = [n["kind"] for n in api.get("/api/v1/inbox", headers=who).json()]
        assert kinds.count("record_restoration.overdue") == 1


def test_a_decision_due_follows_a_schedule_loaded_later__RST_7_CAL_2_SEC_5(
    api: TestClient, zhang: tuple[int, int, dict[str, str]], db: DbTarget, clock: FixedClock
) -> None:
    """Applied on the last day of 2026, when 2027's holidays are still provisional, the
    decision is due on Monday 4 January; the official schedule then makes that a holiday.
    The application's own due date moves with its deadline, and the sweep does not call
    a unit late that is not."""
    from tests.schedules import SCHEDULE_2027

    _, rid, _ = zhang
    clock.set(datetime(2026, 12, 31, 9, 0, tzinfo=CST))
    made = _apply(api, login(api), rid, decider="provider")
    assert made.status_code == 201 and made.json()["due_date"] == "2027-01-04", made.text
    loaded = api.post("/api/v1/calendar/schedules", headers=PLATFORM, json={"text": SCHEDULE_2027})
    assert loaded.status_code == 201, loaded.text
    [moved] = api.get("/api/v1/record-restorations", headers=PLATFORM).json()
    assert moved["due_date"] == "2027-01-05"
    env = {**db.env(), "CREDITREG_CLOCK": "2027-01-05T09:00", "CREDITREG_ALLOW_CLOCK_OVERRIDE": "1"}
    swept = CliRunner().invoke(cli, ["sweep"], env=env)
    assert swept.exit_code == 0 and "record restorations overdue" not in swept.stdout
