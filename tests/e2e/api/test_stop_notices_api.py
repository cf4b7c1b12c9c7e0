"""Notices to stop (issue 11, part 6; MEA-5, Op(20), Art 37), on SQLite and PostgreSQL:
when an entry ends (a removal, or a deletion in error), the implementing units that
checked the subject while it was in force, or reported a measure applied because of it,
are told to stop, in their notices (and by webhook) after the outbox consumer's next pass;
a unit that never met the entry is told nothing; a second pass tells nothing twice."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from creditreg.clock import FixedClock
from creditreg.demo.dataset import demo_uscc
from creditreg.domain.access.principals import SYSTEM, Level, UnitKind
from creditreg.domain.kernel.actor import Permission
from creditreg.services.access import access
from creditreg.services.context import Context
from creditreg.services.kernel import sweep
from creditreg.store.access.tables import notification
from tests.e2e.api.test_check_api import check, ok, uscc
from tests.e2e.api.test_corrections_api import blacklisted
from tests.e2e.api.test_lists_api import revise_standard
from tests.e2e.conftest import bearer
from tests.lists_world import PERSON, World, make_world
from tests.objection_helpers import file_objection

IMPLEMENTER = bearer("implementer")
DESIGNATOR = bearer("designator")


@pytest.fixture
def world(api: TestClient, ctx: Context, clock: FixedClock) -> World:
    return make_world(ctx, clock)


def other_implementer(ctx: Context) -> dict[str, str]:
    made = access.create_unit(
        ctx,
        SYSTEM,
        name="郑州市财政局（演示）",
        uscc=demo_uscc("11410100MB0000009"),
        kind=UnitKind.IMPLEMENTING_UNIT,
        region="410100",
        level=Level.MUNICIPAL,
        fields=("finance",),
    )
    token = access.create_token(
        ctx,
        SYSTEM,
        unit_id=made["id"],
        name="t",
        scopes=(Permission.MEASURES_CHECK, Permission.WEBHOOKS_MANAGE),
    )
    return {"Authorization": f"Bearer {token.token}"}


def stops(api: TestClient, headers: dict[str, str]) -> list[Any]:
    notices = api.get("/api/v1/unit-notices", headers=headers)
    assert notices.status_code == 200, notices.text
    return [n for n in notices.json() if n["kind"] == "stop"]


def test_a_unit_that_checked_an_entry_is_told_to_stop_when_it_is_removed__MEA_5(
    api: TestClient, world: World, ctx: Context
) -> None:
    eid = blacklisted(api, world, 1)
    ok(check(api, uscc(1)))  # the implementing unit met the entry in force
    bystander = other_implementer(ctx)
    revise_standard(api)
    removed = api.post(
        f"/api/v1/lists/entries/{eid}/removal",
        headers=DESIGNATOR,
        json={"reason": "standard_changed", "note": "标准修订"},
    )
    assert removed.status_code == 200, removed.text
    assert stops(api, IMPLEMENTER) == []  # told by the outbox consumer's pass, not before
    sweep.run(ctx, SYSTEM)
    [stop] = stops(api, IMPLEMENTER)
    assert (stop["object_type"], stop["object_id"]) == ("list_entry", str(eid))
    assert stop["data"]["reason"] == "standard_changed" and stop["data"]["entry_id"] == eid
    assert "停止" in stop["message"] and PERSON["name"] not in stop["message"]
    # The Chinese half names the list in Chinese; its code is for the English half.
    assert "（失信联合惩戒对象名单）" in stop["message"] and "（blacklist）" not in stop["message"]
    assert stops(api, bystander) == []
    sweep.run(ctx, SYSTEM)
    assert len(stops(api, IMPLEMENTER)) == 1  # nothing twice


def test_a_unit_is_told_to_stop_when_an_entry_is_deleted_in_error__MEA_5_OBJ_5(
    api: TestClient, world: World, ctx: Context
) -> None:
    eid = blacklisted(api, world, 2)
    answer = ok(check(api, uscc(2)))
    due = next(m for m in answer["measures"] if m["entry_id"] == eid)
    applied = api.post(
        "/api/v1/measure-feedback",
        headers=IMPLEMENTER,
        json={
            "subject_id": world.company(2),
            "measure_code": due["code"],
            "applied_on": ctx.today().isoformat(),
            "case_file": "ZB-ERR-1",
            "entry_id": eid,
        },
    )
    assert applied.status_code == 201, applied.text
    done = api.post(
        f"/api/v1/lists/entries/{eid}/error", headers=DESIGNATOR, json={"note": "主体错误"}
    )
    assert done.status_code == 200, done.text
    sweep.run(ctx, SYSTEM)
    [stop] = stops(api, IMPLEMENTER)
    assert stop["object_id"] == str(eid) and stop["data"]["reason"] == "deleted_in_error"
    # The deleted entry's facts are not in the notice (Op(20)).
    assert "销售不合格食品" not in str(stop)
    # Op(20): the reports of measures applied because of it are not kept either.
    assert api.get("/api/v1/measure-feedback", headers=IMPLEMENTER).json() == []


def test_a_stop_notice_reaches_a_unit_whose_check_left_the_register__MEA_5_SEC_2(
    api: TestClient, world: World, ctx: Context
) -> None:
    """The register keeps two years (RIG-2); a blacklist entry may last longer: the unit
    that checked it is still told to stop when it ends."""
    eid = blacklisted(api, world, 4)
    ok(check(api, uscc(4)))
    valid_until = api.get(f"/api/v1/lists/entries/{eid}", headers=DESIGNATOR).json()["valid_until"]
    world.advance(365 * 2 + 40)
    assert date.fromisoformat(valid_until) > ctx.today(), "the entry outlives the register"
    report = sweep.run(ctx, SYSTEM)
    assert report.count("queries_expired") >= 1
    # SEC-3: the register's rows leave it with a trace in the audit log.
    expired = api.get(
        "/api/v1/audit/events",
        headers=bearer("platform"),
        params={"object_type": "query_register"},
    ).json()
    assert expired and expired[-1]["action"] == "query_register.expired"
    assert expired[-1]["detail"]["rows"] == report.count("queries_expired")
    revise_standard(api)
    removed = api.post(
        f"/api/v1/lists/entries/{eid}/removal",
        headers=DESIGNATOR,
        json={"reason": "standard_changed", "note": "标准修订"},
    )
    assert removed.status_code == 200, removed.text
    sweep.run(ctx, SYSTEM)
    assert [s["object_id"] for s in stops(api, IMPLEMENTER)] == [str(eid)]


def test_a_unit_that_applied_a_measure_is_told_to_stop_when_the_entry_expires__MEA_5_MEA_4(
    api: TestClient, world: World, ctx: Context, clock: FixedClock
) -> None:
    eid = blacklisted(api, world, 3)
    answer = ok(check(api, uscc(3)))
    due = next(m for m in answer["measures"] if m["entry_id"] == eid)
    made = api.post(
        "/api/v1/measure-feedback",
        headers=IMPLEMENTER,
        json={
            "subject_id": world.company(3),
            "measure_code": due["code"],
            "applied_on": clock.now().date().isoformat(),
            "case_file": "ZB-2026-03",
            "entry_id": eid,
        },
    )
    assert made.status_code == 201, made.text
    valid_until = api.get(f"/api/v1/lists/entries/{eid}", headers=DESIGNATOR).json()["valid_until"]
    world.advance((date.fromisoformat(valid_until) - clock.now().date()).days + 2)
    sweep.run(ctx, SYSTEM)  # the expiry, then the consumer (same pass or the next)
    sweep.run(ctx, SYSTEM)
    entry = api.get(f"/api/v1/lists/entries/{eid}", headers=DESIGNATOR).json()
    assert entry["status"] == "removed" and entry["removal_reason"] == "expiry"
    [stop] = stops(api, IMPLEMENTER)
    assert stop["data"]["reason"] == "expiry"


def test_the_designation_notices_of_an_entry_deleted_in_error_are_not_kept__MEA_5_OBJ_5(
    api: TestClient, world: World, ctx: Context
) -> None:
    """Op(20): an entry deleted in error is not stored; the notices that told subscribed
    units of its designation (in their notices, their inbox, the webhook queue) go with
    it. The notice to stop stays: it is how they learn that it ended."""
    ctx.webhook_allowed_hosts = frozenset({"127.0.0.1"})
    hook = api.post(
        "/api/v1/webhooks/endpoints", headers=IMPLEMENTER, json={"url": "http://127.0.0.1:9/x"}
    )
    assert hook.status_code == 201, hook.text
    sub = api.post(
        "/api/v1/webhooks/subscriptions",
        headers=IMPLEMENTER,
        json={"field": "market_regulation", "list_type": "blacklist"},
    )
    assert sub.status_code == 201, sub.text
    # A unit told of designations, which will never check the subject.
    subscriber = other_implementer(ctx)
    subscribed = api.post(
        "/api/v1/webhooks/subscriptions",
        headers=subscriber,
        json={"field": "market_regulation", "list_type": "blacklist"},
    )
    assert subscribed.status_code == 201, subscribed.text
    eid = blacklisted(api, world, 3)
    sweep.run(ctx, SYSTEM)

    def about_entry(kind: str) -> list[Any]:
        notices = api.get("/api/v1/unit-notices", headers=IMPLEMENTER).json()
        return [n for n in notices if n["object_id"] == str(eid) and n["kind"] == kind]

    def in_inbox() -> list[Any]:  # the unit's inbox (its demo token does not read it)
        with ctx.db.read() as conn:
            return list(
                conn.execute(
                    sa.select(notification.c.kind).where(
                        notification.c.object_type == "list_entry",
                        notification.c.object_id == str(eid),
                        notification.c.kind.like("unit_notice.%"),
                    )
                ).scalars()
            )

    [told] = about_entry("designation")
    assert len(in_inbox()) == 2  # the two subscribed units

    def deliveries_of_designation() -> list[Any]:
        queued = api.get("/api/v1/webhooks/deliveries", headers=IMPLEMENTER).json()
        return [d for d in queued if d["notice_id"] == told["id"]]

    assert len(deliveries_of_designation()) == 1  # its POST failed: queued for a retry
    ok(check(api, uscc(3)))  # met in force: it will be told to stop
    done = api.post(
        f"/api/v1/lists/entries/{eid}/error", headers=DESIGNATOR, json={"note": "主体错误"}
    )
    assert done.status_code == 200, done.text
    assert about_entry("designation") == [] and in_inbox() == []
    assert deliveries_of_designation() == []
    sweep.run(ctx, SYSTEM)
    [stop] = about_entry("stop")
    assert stop["data"]["reason"] == "deleted_in_error"
    assert in_inbox() == ["unit_notice.stop", "unit_notice.stop"]
    # MEA-5: the unit told of the designation is told it ended, though it never checked.
    [theirs] = stops(api, subscriber)
    assert theirs["object_id"] == str(eid) and theirs["data"]["reason"] == "deleted_in_error"


def test_units_pause_while_an_accepted_objection_is_decided_and_resume_after__MEA_5_OBJ_6(
    api: TestClient, world: World, ctx: Context
) -> None:
    """OBJ-6, Op(22): an objection accepted against a designated entry suspends its
    measures; the unit that checked it kept applying them, untold. It is told to pause,
    and to resume when the objection is dismissed."""
    eid = blacklisted(api, world, 6)
    ok(check(api, uscc(6)))  # met in force

    def told(kind: str) -> list[Any]:
        notices = api.get("/api/v1/unit-notices", headers=IMPLEMENTER).json()
        return [n for n in notices if n["kind"] == kind and n["object_id"] == str(eid)]

    filed = file_objection(api, bearer("platform"), "list_entry", eid, "法定代表人有误")
    assert filed.status_code == 201, filed.text
    oid = filed.json()["id"]
    sweep.run(ctx, SYSTEM)
    assert told("suspend") == []  # received, not yet accepted: the measures stand
    accepted = api.post(
        f"/api/v1/objections/{oid}/acceptance",
        headers=DESIGNATOR,
        json={"accepted": True, "reason": "受理"},
    )
    assert accepted.status_code == 200, accepted.text
    sweep.run(ctx, SYSTEM)
    [pause] = told("suspend")
    assert pause["data"]["suspended_on"] == ctx.today().isoformat() and "暂停" in pause["message"]
    assert "（blacklist）" not in pause["message"]
    dismissed = api.post(
        f"/api/v1/objections/{oid}/decision",
        headers=DESIGNATOR,
        json={"outcome": "dismissed", "reason": "经核实无误"},
    )
    assert dismissed.status_code == 200, dismissed.text
    sweep.run(ctx, SYSTEM)
    [resume] = told("resume")
    assert resume["data"]["resumed_on"] == ctx.today().isoformat() and "恢复" in resume["message"]
    assert told("stop") == []
