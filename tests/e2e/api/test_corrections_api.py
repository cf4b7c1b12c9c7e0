"""Corrections of errors over HTTP (issue 10, part 6; OBJ-5, Op(23), Art 66), on SQLite
and PostgreSQL: an entry or record found to be made in error is deleted or withdrawn, the
unit apologizes in writing, a reputation-restoring notice is public where the item was
and only for its period, a red-list entry's incentives are listed for reclaiming, and
compensation is claimed, decided and paid."""

from __future__ import annotations

import re
from datetime import date, timedelta
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
from creditreg.store.rights.correction_tables import compensation_claim, correction
from tests.e2e.api.test_accounts_api import activate, login
from tests.e2e.api.test_api import error
from tests.e2e.api.test_red_list_feedback_api import red_entry
from tests.e2e.conftest import bearer
from tests.lists_world import PERSON, World, honour_row, make_world
from tests.notice_delivery import notify_over_api
from tests.objection_helpers import file_objection
from tests.register_rows import register_rows

DESIGNATOR = bearer("designator")
PLATFORM = bearer("platform")
PROVIDER = bearer("provider")
IMPLEMENTER = bearer("implementer")
PERSONS = [{**PERSON, "id_number": demo_ric("41010519700101123")}]
CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}")
FACTS = "销售不合格食品-独特事实-5521"


@pytest.fixture
def world(api: TestClient, ctx: Context, clock: FixedClock) -> World:
    return make_world(ctx, clock)


def blacklisted(api: TestClient, w: World, i: int = 1) -> int:
    """A blacklist entry of company i, notified, designated after its window: published."""
    w.serious(i)
    made = api.post(
        "/api/v1/lists/entries",
        headers=DESIGNATOR,
        json={
            "standard": "SCJG-HMD",
            "subject_id": w.company(i),
            "facts": FACTS,
            "responsible_persons": PERSONS,
        },
    )
    assert made.status_code == 201, made.text
    eid = int(made.json()["id"])
    assert notify_over_api(api, eid, DESIGNATOR).status_code == 200
    w.advance(8)
    done = api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR)
    assert done.json()["status"] == "designated", done.text
    return eid


def counts(ctx: Context) -> tuple[int, int]:
    with ctx.db.read() as conn:
        return (
            conn.execute(sa.select(sa.func.count()).select_from(correction)).scalar_one(),
            conn.execute(sa.select(sa.func.count()).select_from(compensation_claim)).scalar_one(),
        )


def subject_account(api: TestClient, subject_id: int, number: str, username: str) -> Any:
    """Bind an account with the code printed on the subject's apology (a subject with no
    account gets the printable notice with a code, as with every written notice)."""
    notices = api.get("/api/v1/subject-notices", headers=DESIGNATOR).json()
    apology = next(n for n in notices if n["subject_id"] == subject_id and n["kind"] == "apology")
    printed = api.post(f"/api/v1/subject-notices/{apology['id']}/printable", headers=DESIGNATOR)
    assert printed.status_code == 200 and "书面致歉函" in printed.text
    code = CODE.search(printed.text)
    assert code is not None
    made = activate(api, code.group(), number, username=username)
    assert made.status_code == 201, made.text
    return login(api, username)


def test_an_entry_made_in_error_gets_an_apology_and_a_clarification_for_its_period__OBJ_5(
    api: TestClient, world: World, ctx: Context
) -> None:
    """Op(23), Art 66: deleted and not kept; a written apology to the subject; a
    reputation-restoring notice on the channels the entry was published on, public only
    within its period."""
    w = world
    eid = blacklisted(api, w)
    assert counts(ctx) == (0, 0)
    # Bad input first: nothing stored.
    body = {"target_type": "list_entry", "target_id": eid, "error": " "}
    error(
        api.post("/api/v1/corrections", headers=DESIGNATOR, json=body), 422, "correction.no_error"
    )
    body = {"target_type": "list_entry", "target_id": eid, "error": "主体错误", "fix": "withdraw"}
    error(
        api.post("/api/v1/corrections", headers=DESIGNATOR, json=body),
        422,
        "correction.fix_not_applicable",
    )
    body = {"target_type": "list_entry", "target_id": 99999999, "error": "主体错误"}
    error(api.post("/api/v1/corrections", headers=DESIGNATOR, json=body), 404, "entry.not_found")
    error(
        api.post("/api/v1/corrections", headers=IMPLEMENTER, json=body),
        403,
        "access.missing_permission",
    )
    assert counts(ctx) == (0, 0)
    made = api.post(
        "/api/v1/corrections",
        headers=DESIGNATOR,
        json={"target_type": "list_entry", "target_id": eid, "error": f"主体错误：{FACTS}"},
    )
    assert made.status_code == 201, made.text
    fixed = made.json()
    today = w.ctx.today()
    assert fixed["done"] == "deleted" and fixed["target_id"] == eid
    assert fixed["subject_id"] == w.company(1) and fixed["reclaim"] == []
    assert fixed["public_channels"] and fixed["public_from"] == today.isoformat()
    until = date.fromisoformat(fixed["public_until"])
    assert until > today + timedelta(days=80)
    # SEC-2: a unit reading the correction reads of its subject: registered.
    before = len(register_rows(w.ctx, "correction"))
    got = api.get(f"/api/v1/corrections/{fixed['id']}", headers=PLATFORM)
    assert got.status_code == 200 and got.json()["id"] == fixed["id"]
    assert api.get("/api/v1/corrections", headers=PLATFORM).status_code == 200
    read = register_rows(w.ctx, "correction")[before:]
    assert [r.subject_id for r in read] == [w.company(1), w.company(1)]
    # Op(20): the entry is not kept, and its facts are in no correction or apology.
    error(api.get(f"/api/v1/lists/entries/{eid}", headers=PLATFORM), 404, "entry.not_found")
    assert FACTS not in made.text
    # The clarification, public within its period on the platform's register ...
    public = api.get("/api/v1/public/corrections").json()
    assert [p["id"] for p in public] == [fixed["id"]]
    assert public[0]["subject_name"] == "郑州示例贸易有限公司1"
    assert "澄清" in public[0]["statement"] and FACTS not in str(public)
    # ... on the portal's page too (linked from every page) ...
    page = api.get("/corrections")
    assert page.status_code == 200 and public[0]["statement"] in page.text
    assert 'href="/corrections"' in api.get("/lists").text
    # ... and gone the day after it ends.
    w.clock.set(w.clock.now() + (until - today))
    assert len(api.get("/api/v1/public/corrections").json()) == 1
    w.advance(1)
    assert api.get("/api/v1/public/corrections").json() == []
    assert public[0]["statement"] not in api.get("/corrections").text
    # The apology: printable with a code (no account yet), then in the subject's inbox,
    # in Chinese and in English.
    me = subject_account(api, w.company(1), demo_uscc("91410100MC0000001"), "trade-1")
    inbox = api.get("/api/v1/me/inbox", headers=me).json()
    apology = next(n for n in inbox if n["kind"] == "apology")
    assert apology["title"] == "书面致歉函" and apology["id"] == fixed["apology_notice_id"]
    said = dict(apology["lines"])
    assert "郑重致歉" in said["致歉"] and FACTS not in str(apology)
    english = api.get("/api/v1/me/inbox", headers=me, params={"lang": "en"}).json()
    assert next(n for n in english if n["kind"] == "apology")["title"] == (
        "Written apology for an error"
    )
    mine = api.get("/api/v1/me/corrections", headers=me).json()
    assert [c["id"] for c in mine] == [fixed["id"]]
    # The audit chain records the correction, and the chain holds.
    events = api.get(
        "/api/v1/audit/events", headers=PLATFORM, params={"object_type": "correction"}
    ).json()
    assert [e["action"] for e in events] == ["correction.record"]
    verified = api.get("/api/v1/audit/verify", headers=PLATFORM)
    assert verified.status_code == 200 and verified.json()["findings"] == [], verified.text


def test_a_red_list_entry_made_in_error_lists_incentives_to_reclaim__OBJ_5(
    api: TestClient, world: World
) -> None:
    """Op(23): "the rights and interests they received as joint incentives should be
    reclaimed": the implementing units read the list; the event carries it upward."""
    w = world
    eid = red_entry(api, w)
    measures = api.get(f"/api/v1/lists/entries/{eid}", headers=PLATFORM).json()["measures"]
    assert measures
    # What a check told an implementing unit to apply because of the entry, and the green
    # channel, are incentives given too (a tryout found only the standard's listed).
    from tests.e2e.api.test_check_api import check, ok, uscc

    answer = ok(check(api, uscc(1)))
    given = {m["content"] for m in answer["measures"] if m["entry_id"] == eid}
    given |= {m["content"] for m in answer["green_channel"]}
    assert given
    done = api.post(
        f"/api/v1/lists/entries/{eid}/error", headers=DESIGNATOR, json={"note": "业绩造假"}
    )
    assert done.status_code == 200, done.text
    cid = done.json()["correction_id"]
    seen = api.get("/api/v1/corrections", headers=IMPLEMENTER, params={"reclaim": True}).json()
    assert [c["id"] for c in seen] == [cid]
    assert seen[0]["reclaim"] and seen[0]["list_type"] == "red_list"
    assert given <= set(seen[0]["reclaim"])
    assert len(seen[0]["reclaim"]) == len(set(seen[0]["reclaim"]))  # each once
    assert api.get(f"/api/v1/corrections/{cid}", headers=IMPLEMENTER).status_code == 200
    outbox = api.get("/api/v1/events", headers=PLATFORM, params={"limit": 1000}).json()["events"]
    recorded = [e for e in outbox if e["kind"] == "correction.recorded"]
    assert recorded and recorded[-1]["payload"]["reclaim"] is True


def test_a_record_found_wrong_is_withdrawn_with_an_apology__OBJ_5(
    api: TestClient, world: World, ctx: Context
) -> None:
    """A record on public display found wrong: withdrawn (or returned to be fixed) by the
    platform or its own providing unit, with the apology and a clarification."""
    w = world
    rid = w.serious(2)[0]
    body: dict[str, Any] = {"target_type": "record", "target_id": rid, "error": "决定书号录错"}
    error(
        api.post("/api/v1/corrections", headers=PLATFORM, json=body),
        422,
        "correction.fix_required",
    )
    other = w.designating_unit("另一市场监管局", "11410100MB0000077", "410100", w.designator.level)
    assert other.unit_id is not None
    assert counts(ctx) == (0, 0)
    made = api.post("/api/v1/corrections", headers=PLATFORM, json={**body, "fix": "withdraw"})
    assert made.status_code == 201, made.text
    fixed = made.json()
    assert fixed["done"] == "withdrawn" and fixed["public_channels"] == ["platform_portal"]
    assert fixed["error"] == "决定书号录错"
    record = api.get(f"/api/v1/records/{rid}", headers=PLATFORM).json()
    assert record["status"] == "withdrawn"
    # A record corrected already is not corrected again.
    error(
        api.post("/api/v1/corrections", headers=PLATFORM, json={**body, "fix": "return"}),
        409,
        "record.illegal_transition",
    )
    assert counts(ctx) == (1, 0)


def test_a_record_is_corrected_only_by_its_provider_or_the_platform__OBJ_5(
    api: TestClient, world: World, ctx: Context
) -> None:
    w = world
    rid = w.submit("BZJL", [honour_row(3)])[0]
    body = {"target_type": "record", "target_id": rid, "error": "荣誉名称有误", "fix": "return"}
    error(
        api.post("/api/v1/corrections", headers=IMPLEMENTER, json=body),
        403,
        "access.missing_permission",
    )
    made = access.create_unit(
        ctx,
        SYSTEM,
        name="另一信息提供单位",
        uscc=demo_uscc("11410100MB0000088"),
        kind=UnitKind.PROVIDING_UNIT,
        region="410100",
        level=Level.MUNICIPAL,
        fields=("market_regulation",),
    )
    token = access.create_token(
        ctx, SYSTEM, unit_id=made["id"], name="t", scopes=(Permission.RECORDS_SUBMIT,)
    )
    stranger = {"Authorization": f"Bearer {token.token}"}
    error(
        api.post("/api/v1/corrections", headers=stranger, json=body),
        403,
        "correction.not_your_record",
    )
    assert counts(ctx) == (0, 0)
    # A verified record is not returned (that is verification's step): it is withdrawn,
    # here by its own providing unit (the demo's, whose catalog items they are).
    error(
        api.post("/api/v1/corrections", headers=PROVIDER, json=body),
        409,
        "record.illegal_transition",
    )
    fixed = api.post("/api/v1/corrections", headers=PROVIDER, json={**body, "fix": "withdraw"})
    assert fixed.status_code == 201 and fixed.json()["done"] == "withdrawn", fixed.text
    assert (
        fixed.json()["unit_id"]
        == api.get(f"/api/v1/records/{rid}", headers=PLATFORM).json()["providing_unit_id"]
    )


def test_an_upheld_objection_on_an_entry_makes_the_correction__OBJ_5_OBJ_3(
    api: TestClient, world: World
) -> None:
    w = world
    eid = blacklisted(api, w)
    filed = file_objection(api, PROVIDER, "list_entry", eid, grounds="并非本企业")
    assert filed.status_code == 201, filed.text
    oid = filed.json()["id"]
    accepted = api.post(
        f"/api/v1/objections/{oid}/acceptance",
        headers=DESIGNATOR,
        json={"accepted": True, "reason": "受理"},
    )
    assert accepted.status_code == 200, accepted.text
    upheld = api.post(
        f"/api/v1/objections/{oid}/decision",
        headers=DESIGNATOR,
        json={"outcome": "upheld", "reason": "主体认定错误"},
    )
    assert upheld.status_code == 200, upheld.text
    listed = api.get("/api/v1/corrections", headers=DESIGNATOR).json()
    assert [(c["target_id"], c["done"]) for c in listed] == [(eid, "deleted")]
    notices = api.get("/api/v1/subject-notices", headers=DESIGNATOR).json()
    assert [n["kind"] for n in notices if n["subject_id"] == w.company(1)] == ["apology"]


def test_compensation_is_claimed_decided_and_paid__OBJ_5(
    api: TestClient, world: World, ctx: Context
) -> None:
    """Art 66: the subject claims; only the unit that made the error decides and pays;
    each step is told to the subject and kept in the claim's history."""
    w = world
    eid = blacklisted(api, w)
    made = api.post(
        "/api/v1/corrections",
        headers=DESIGNATOR,
        json={"target_type": "list_entry", "target_id": eid, "error": "主体错误"},
    ).json()
    cid = made["id"]
    me = subject_account(api, w.company(1), demo_uscc("91410100MC0000001"), "trade-1")
    path = f"/api/v1/corrections/{cid}/compensation-claims"
    for amount in ("-5", "0", "12.345", "一万", ""):
        error(
            api.post(path, headers=me, json={"amount": amount, "grounds": "停业损失"}),
            422,
            "compensation.bad_amount",
        )
    error(
        api.post(path, headers=me, json={"amount": "100", "grounds": " "}),
        422,
        "compensation.no_grounds",
    )
    error(
        api.post(path, headers=DESIGNATOR, json={"amount": "100", "grounds": "x"}),
        403,
        "access.missing_permission",
    )
    assert counts(ctx) == (1, 0)
    claimed = api.post(path, headers=me, json={"amount": "12000.5", "grounds": "投标资格被取消"})
    assert claimed.status_code == 201, claimed.text
    claim = claimed.json()
    assert claim["status"] == "claimed" and claim["amount_claimed"] == "12000.50"
    error(
        api.post(path, headers=me, json={"amount": "1", "grounds": "再次"}),
        409,
        "compensation.already_claimed",
    )
    # The designating unit is told in its inbox.
    told = api.get("/api/v1/inbox", headers=DESIGNATOR).json()
    assert str(claim["id"]) in [n["object_id"] for n in told if n["kind"] == "compensation.claimed"]
    decision = f"/api/v1/compensation-claims/{claim['id']}/decision"
    other = w.designating_unit("另一市场监管局", "11410100MB0000077", "410100", w.designator.level)
    assert other.unit_id is not None
    error(
        api.post(decision, headers=me, json={"outcome": "granted", "reason": "x", "amount": "1"}),
        403,
        "compensation.not_deciding_unit",
    )
    error(
        api.post(decision, headers=DESIGNATOR, json={"outcome": "granted", "reason": "x"}),
        422,
        "compensation.amount_required",
    )
    error(
        api.post(
            f"/api/v1/compensation-claims/{claim['id']}/payment",
            headers=DESIGNATOR,
            json={"reference": "ZF-1"},
        ),
        409,
        "compensation.illegal_transition",
    )
    granted = api.post(
        decision,
        headers=DESIGNATOR,
        json={"outcome": "granted", "reason": "损失属实", "amount": "8000"},
    )
    assert granted.status_code == 200, granted.text
    assert granted.json()["status"] == "granted" and granted.json()["amount_granted"] == "8000.00"
    error(
        api.post(decision, headers=DESIGNATOR, json={"outcome": "refused", "reason": "x"}),
        409,
        "compensation.illegal_transition",
    )
    paid = api.post(
        f"/api/v1/compensation-claims/{claim['id']}/payment",
        headers=DESIGNATOR,
        json={"reference": "ZF-2026-001"},
    ).json()
    assert paid["status"] == "paid" and paid["payment_reference"] == "ZF-2026-001"
    assert [m["action"] for m in paid["history"]] == ["claim", "grant", "pay"]
    # The subject reads its claim and was told each decision.
    assert api.get(f"/api/v1/compensation-claims/{claim['id']}", headers=me).json()["status"] == (
        "paid"
    )
    kinds = [n["kind"] for n in api.get("/api/v1/me/inbox", headers=me).json()]
    assert kinds.count("compensation") == 2
    # A refused claim cannot be paid; a new claim after a decision may be made.
    again = api.post(path, headers=me, json={"amount": "500", "grounds": "律师费"}).json()
    refused = api.post(
        f"/api/v1/compensation-claims/{again['id']}/decision",
        headers=DESIGNATOR,
        json={"outcome": "refused", "reason": "无证据"},
    ).json()
    assert refused["status"] == "refused" and refused["amount_granted"] is None
    error(
        api.post(
            f"/api/v1/compensation-claims/{again['id']}/payment",
            headers=DESIGNATOR,
            json={"reference": "ZF-9"},
        ),
        409,
        "compensation.illegal_transition",
    )


def test_a_subject_cannot_claim_on_another_subjects_correction__OBJ_5_SEC_1(
    api: TestClient, world: World, ctx: Context
) -> None:
    w = world
    first = blacklisted(api, w, 1)
    second = blacklisted(api, w, 2)
    ids = []
    for eid in (first, second):
        ids.append(
            api.post(
                "/api/v1/corrections",
                headers=DESIGNATOR,
                json={"target_type": "list_entry", "target_id": eid, "error": "主体错误"},
            ).json()["id"]
        )
    me = subject_account(api, w.company(1), demo_uscc("91410100MC0000001"), "trade-1")
    error(
        api.post(
            f"/api/v1/corrections/{ids[1]}/compensation-claims",
            headers=me,
            json={"amount": "100", "grounds": "损失"},
        ),
        403,
        "account.not_your_subject",
    )
    error(api.get(f"/api/v1/corrections/{ids[1]}", headers=me), 404, "correction.not_found")
    assert [c["id"] for c in api.get("/api/v1/corrections", headers=me).json()] == [ids[0]]
    assert counts(ctx) == (2, 0)
    refused = api.get(
        "/api/v1/audit/events", headers=PLATFORM, params={"action": "compensation.claim.refused"}
    ).json()
    assert refused
