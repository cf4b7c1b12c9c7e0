"""Objections over HTTP (issue 10, part 4), on SQLite and PostgreSQL, the clock moved
across Spring Festival and National Day 2026 and through pauses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from creditreg.clock import CST, FixedClock
from creditreg.demo.dataset import demo_ric, demo_uscc
from creditreg.services.context import Context
from creditreg.store.records.tables import record
from tests.e2e.api.test_api import error
from tests.e2e.api.test_lists_api import DESIGNATOR, PLATFORM, propose
from tests.e2e.conftest import bearer
from tests.factories import punishment_row
from tests.lists_world import World, make_world
from tests.notice_delivery import notify_over_api
from tests.objection_helpers import HTML, JPEG, PDF, PNG, file_objection
from tests.register_rows import register_rows

PROVIDER = bearer("provider")
DEPARTMENT = bearer("department")


@pytest.fixture
def world(api: TestClient, ctx: Context, clock: FixedClock) -> World:
    return make_world(ctx, clock)


def at(clock: FixedClock, day: str) -> None:
    clock.set(datetime.fromisoformat(f"{day}T09:00").replace(tzinfo=CST))


def account(api: TestClient, body17: str = "41010519850505123", name: str = "赵公众") -> Any:
    made = api.post(
        "/api/v1/public-accounts",
        json={"name": name, "id_type": "ric", "id_number": demo_ric(body17)},
    )
    assert made.status_code == 201, made.text
    return {"Authorization": f"Bearer {made.json()['token']}"}


def record_before_spring_festival(w: World, clock: FixedClock, i: int = 1) -> int:
    at(clock, "2026-02-10")
    [rid] = w.submit(
        "XZCF",
        [punishment_row(i, decision_date="2026-01-20", decision_number=f"郑市监罚〔2026〕{i}号")],
    )
    return rid


def objection(api: TestClient, oid: int, headers: dict[str, str] = PLATFORM) -> Any:
    got = api.get(f"/api/v1/objections/{oid}", headers=headers)
    assert got.status_code == 200, got.text
    return got.json()


def test_a_record_objection_accepted_escalated_paused_and_upheld_across_spring_festival__OBJ_1_OBJ_2_OBJ_3_OBJ_6_CAL_3(  # noqa: E501
    api: TestClient, world: World, clock: FixedClock
) -> None:
    w = world
    rid = record_before_spring_festival(w, clock)
    person = account(api)
    at(clock, "2026-02-12")  # a Thursday; Spring Festival runs 02-15..02-23, 02-14 is worked
    filed = file_objection(
        api, person, "record", rid, "处罚决定书文号有误", [("决定书.pdf", PDF, "application/pdf")]
    )
    assert filed.status_code == 201, filed.text
    o = filed.json()
    oid = o["id"]
    # Art 41: received, marked, 3 working days while the platform decides alone.
    assert o["status"] == "received" and o["objector_kind"] == "public_account"
    assert o["due_date"] == "2026-02-24" and o["track"] == "platform"
    [deadline] = o["deadlines"]
    assert deadline["rule_code"] == "objection_platform" and "Art 41" in deadline["explanation"]
    assert api.get(f"/api/v1/records/{rid}", headers=PLATFORM).json()["under_objection"] is True
    inbox = api.get("/api/v1/inbox", headers=PLATFORM).json()
    assert [n["object_id"] for n in inbox if n["kind"] == "objection.received"] == [str(oid)]
    # OBJ-6: the designating unit does not decide a record's objection; the platform does.
    error(
        api.post(
            f"/api/v1/objections/{oid}/acceptance",
            headers=DESIGNATOR,
            json={"accepted": True, "reason": "受理"},
        ),
        403,
        "objection.not_decider",
    )
    accepted = api.post(
        f"/api/v1/objections/{oid}/acceptance",
        headers=PLATFORM,
        json={"accepted": True, "reason": "需核查原始决定书", "track": "provider"},
    ).json()
    # Art 41: the provider verifies: 7 working days from receipt; it answers in 3.
    assert accepted["status"] == "verifying" and accepted["track"] == "provider"
    assert accepted["due_date"] == "2026-02-28"  # a make-up Saturday counts
    assert accepted["answer_due"] == "2026-02-24"
    assert {d["rule_code"] for d in accepted["deadlines"]} == {
        "objection_provider",
        "provider_answer",
    }
    told = api.get("/api/v1/inbox", headers=PROVIDER).json()
    assert [n["kind"] for n in told if n["object_id"] == str(oid)] == ["objection.verify"]
    # Art 41: expert review does not count: paused 02-25..03-01 (4 working days).
    at(clock, "2026-02-25")
    paused = api.post(
        f"/api/v1/objections/{oid}/pauses",
        headers=PLATFORM,
        json={"kind": "expert_review", "reason": "组织专家评审"},
    )
    assert paused.json()["paused_since"] == "2026-02-25"
    error(
        api.post(
            f"/api/v1/objections/{oid}/decision",
            headers=PLATFORM,
            json={"outcome": "dismissed", "reason": "x"},
        ),
        409,
        "objection.paused",
    )
    at(clock, "2026-03-02")
    resumed = api.post(f"/api/v1/objections/{oid}/resumption", headers=PLATFORM).json()
    assert resumed["due_date"] == "2026-03-05" and resumed["paused_since"] is None
    assert resumed["pauses"] == [
        {
            "kind": "expert_review",
            "reason": "组织专家评审",
            "start_on": "2026-02-25",
            "end_on": "2026-03-01",
        }
    ]
    explained = next(d for d in resumed["deadlines"] if d["rule_code"] == "objection_provider")
    assert explained["due_date"] == "2026-03-05" and "pause" in explained["explanation"]
    answered = api.post(
        f"/api/v1/objections/{oid}/answer", headers=PROVIDER, json={"answer": "文号录入错误"}
    )
    assert answered.json()["status"] == "answered"
    error(
        api.post(
            f"/api/v1/objections/{oid}/decision",
            headers=PLATFORM,
            json={"outcome": "upheld", "reason": "文号错误"},
        ),
        422,
        "objection.correction_required",
    )
    decided = api.post(
        f"/api/v1/objections/{oid}/decision",
        headers=PLATFORM,
        json={"outcome": "upheld", "reason": "文号错误，予以撤回", "correction": "withdraw"},
    ).json()
    assert decided["status"] == "upheld" and decided["correction"] == "withdraw"
    assert decided["decided_late"] is False  # in time: the pause did not count
    # OBJ-3: the record is corrected by its lifecycle; the marker is gone; the objector
    # reads the outcome with its reasons.
    shown = api.get(f"/api/v1/records/{rid}", headers=PLATFORM).json()
    assert shown["status"] == "withdrawn" and shown["under_objection"] is False
    mine = objection(api, oid, person)
    assert mine["outcome_reason"] == "文号错误，予以撤回"
    assert [h["action"] for h in mine["history"]] == [
        "receive", "accept", "escalate", "pause", "resume", "answer", "uphold",
    ]  # fmt: skip
    assert any(
        n["kind"] == "record.corrected" for n in api.get("/api/v1/inbox", headers=PROVIDER).json()
    )
    # Nobody else reads it.
    error(api.get(f"/api/v1/objections/{oid}", headers=account(api, "41010519850505234")),
          404, "objection.not_found")  # fmt: skip


def test_overdue_objections_go_to_the_operator_once__OBJ_2_SEC_5(
    api: TestClient, world: World, clock: FixedClock
) -> None:
    w = world
    rid = record_before_spring_festival(w, clock)
    at(clock, "2026-02-12")
    oid = file_objection(api, PLATFORM, "record", rid).json()["id"]
    at(clock, "2026-02-24")
    assert api.get("/api/v1/objections?overdue=true", headers=PLATFORM).json() == []
    at(clock, "2026-02-25")
    [late] = api.get("/api/v1/objections?overdue=true", headers=PLATFORM).json()
    assert late["id"] == oid and late["overdue"] is True
    from creditreg.domain.access.principals import SYSTEM
    from creditreg.services.kernel import sweep

    assert sweep.run(w.ctx, SYSTEM).count("objections_overdue") == 1
    assert sweep.run(w.ctx, SYSTEM).count("objections_overdue") == 0  # once
    told = [
        n
        for n in api.get("/api/v1/inbox", headers=PLATFORM).json()
        if n["kind"] == "objection.overdue"
    ]
    assert [n["object_id"] for n in told] == [str(oid)]
    assert "2026-02-24" in told[0]["message"] and "Art 41" in told[0]["message"]
    # SEC-5, Art 65: decided late, it is no longer overdue, and its lateness is kept.
    assert late["decided_late"] is False
    decided = api.post(
        f"/api/v1/objections/{oid}/acceptance",
        headers=PLATFORM,
        json={"accepted": False, "reason": "不属于异议受理范围"},
    ).json()
    assert decided["status"] == "rejected" and decided["overdue"] is False
    assert decided["decided_late"] is True and decided["decided_on"] == "2026-02-25"
    assert api.get("/api/v1/objections?overdue=true", headers=PLATFORM).json() == []


def test_an_entry_objection_suspends_marks_everywhere_and_is_reconsidered_across_national_day__OBJ_1_OBJ_3_OBJ_6(  # noqa: E501
    api: TestClient, world: World, clock: FixedClock, ctx: Context
) -> None:
    w = world
    w.serious(1)
    eid = propose(api, w).json()["id"]
    notify_over_api(api, eid, DESIGNATOR)
    w.advance(8)
    api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR)
    person = account(api)
    at(clock, "2026-09-29")
    filed = file_objection(api, person, "list_entry", eid, "本人不是该企业的法定代表人")
    assert filed.status_code == 201, filed.text
    oid = filed.json()["id"]
    # Op(22): verified by the designating unit: 7 working days, across National Day.
    assert filed.json()["due_date"] == "2026-10-14"
    assert filed.json()["deciding_unit_id"] is not None
    # The marker everywhere the entry appears: the entry, the search, the public lists API
    # and the portal's page.
    assert api.get(f"/api/v1/lists/entries/{eid}", headers=PLATFORM).json()["under_objection"]
    [found] = api.get(f"/api/v1/lists/entries?subject_id={w.company(1)}", headers=PLATFORM).json()
    # Marked, but not suspended: an objection nobody has accepted stops no measure (OBJ-6).
    assert found["under_objection"] is True and found["status"] == "designated"
    [published] = api.get("/api/v1/public/lists").json()
    assert published["entry_id"] == eid and published["under_objection"] is True
    assert "异议处理中" in api.get("/lists").text
    # OBJ-6: not accepted, with the reason, said: the entry resumes.
    rejected = api.post(
        f"/api/v1/objections/{oid}/acceptance",
        headers=DESIGNATOR,
        json={"accepted": False, "reason": "异议人与该名单无关"},
    ).json()
    assert rejected["status"] == "rejected" and rejected["outcome_reason"] == "异议人与该名单无关"
    entry = api.get(f"/api/v1/lists/entries/{eid}", headers=PLATFORM).json()
    assert entry["status"] == "designated" and entry["under_objection"] is False
    assert api.get("/api/v1/public/lists").json()[0]["under_objection"] is False
    # OBJ-3: still dissatisfied, the objector applies for reconsideration (15 working days).
    applied = api.post(
        f"/api/v1/objections/{oid}/reconsideration", headers=person, json={"grounds": "不服"}
    )
    assert applied.status_code == 201, applied.text
    recon = applied.json()
    assert recon["due_date"] == "2026-10-26" and "15 working day" in recon["explanation"]
    error(
        api.post(
            f"/api/v1/objections/{oid}/reconsideration", headers=person, json={"grounds": "再次"}
        ),
        409,
        "reconsideration.exists",
    )
    before = len(register_rows(w.ctx, "reconsideration"))
    [listed] = api.get("/api/v1/reconsiderations", headers=DEPARTMENT).json()
    assert listed["id"] == recon["id"]
    # SEC-2: the department read the subject's grounds: registered.
    [read] = register_rows(w.ctx, "reconsideration")[before:]
    assert read.subject_id == entry["subject_id"]
    # OBJ-3: decided, but its outcome is being reconsidered: the subject still sees it.
    inquiry = api.get(f"/api/v1/subjects/{entry['subject_id']}/self-inquiry", headers=PLATFORM)
    assert [(o["id"], o["status"]) for o in inquiry.json()["open_objections"]] == [
        (oid, "under_reconsideration")
    ]
    error(
        api.post(
            f"/api/v1/reconsiderations/{recon['id']}/decision",
            headers=DESIGNATOR,
            json={"outcome": "upheld", "reason": "x"},
        ),
        403,
        "access.missing_permission",
    )
    decided = api.post(
        f"/api/v1/reconsiderations/{recon['id']}/decision",
        headers=DEPARTMENT,
        json={"outcome": "upheld", "reason": "原处理正确"},
    ).json()
    assert decided["status"] == "upheld"
    assert objection(api, oid, person)["reconsideration"]["status"] == "upheld"


# --- bad input: each a 4xx with a code, nothing stored -------------------------------------


def _nothing_stored(api: TestClient, rid: int) -> tuple[Any, ...]:
    return (
        api.get("/api/v1/objections", headers=PLATFORM).json(),
        # A refused call leaves its own trace (SEC-3); nothing else may be written.
        [
            e["action"]
            for e in api.get("/api/v1/audit/events?limit=1000", headers=PLATFORM).json()
            if e["action"] != "access.refused"
        ],
        api.get(f"/api/v1/records/{rid}", headers=PLATFORM).json()["under_objection"],
    )


BIG = b"%PDF-1.4\n" + b"0" * 5000


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("anonymous", 401, "objection.anonymous"),
        ("unknown_account_token", 401, "public_account.invalid_token"),
        ("record_that_does_not_exist", 404, "record.not_found"),
        ("entry_that_does_not_exist", 404, "entry.not_found"),
        ("entry_the_objector_cannot_see", 404, "entry.not_found"),
        ("no_grounds", 422, "objection.no_grounds"),
        ("nul_grounds", 422, "objection.no_grounds"),
        ("attachment_too_large", 422, "objection.attachment_too_large"),
        ("attachment_of_a_disallowed_type", 422, "objection.attachment_type_not_allowed"),
        ("html_named_pdf", 422, "objection.attachment_type_not_allowed"),
        ("only_a_png_signature", 422, "objection.attachment_type_not_allowed"),
        ("pdf_cut_short", 422, "objection.attachment_type_not_allowed"),
        ("png_renamed_pdf", 422, "objection.attachment_type_mismatch"),
        ("jpeg_declared_png", 422, "objection.attachment_type_mismatch"),
        ("six_attachments", 422, "objection.too_many_attachments"),
    ],
)
def test_bad_objections_are_refused_whole__OBJ_1(
    api: TestClient, world: World, ctx: Context, case: str, status: int, code: str
) -> None:
    w = world
    [rid] = w.serious(1)
    preliminary = propose(api, w).json()["id"]  # not published: the public cannot see it
    person = account(api)
    ctx.objection_attachment_max_bytes = 4096
    before = _nothing_stored(api, rid)
    target: tuple[str, int] = ("record", rid)
    headers: dict[str, str] | None = person
    files: list[tuple[str, bytes, str]] = [("a.pdf", PDF, "application/pdf")]
    grounds = "有误"
    if case == "anonymous":
        headers = None
    elif case == "unknown_account_token":
        headers = {"Authorization": "Bearer cpa_not-a-token"}
    elif case == "record_that_does_not_exist":
        target = ("record", 999_999)
    elif case == "entry_that_does_not_exist":
        target = ("list_entry", 999_999)
    elif case == "entry_the_objector_cannot_see":
        target = ("list_entry", preliminary)
    elif case == "no_grounds":
        grounds = "   "
    elif case == "nul_grounds":
        grounds = "\x00"
    elif case == "attachment_too_large":
        files = [("big.pdf", BIG, "application/pdf")]
    elif case == "attachment_of_a_disallowed_type":
        files = [("page.html", HTML, "text/html")]
    elif case == "html_named_pdf":
        files = [("scan.pdf", HTML, "application/pdf")]
    elif case == "only_a_png_signature":  # its first bytes, and nothing a PNG holds
        files = [("p.png", PNG[:8], "image/png")]
    elif case == "pdf_cut_short":
        files = [("scan.pdf", PDF[:20], "application/pdf")]
    elif case == "png_renamed_pdf":
        files = [("scan.pdf", PNG, "application/pdf")]
    elif case == "jpeg_declared_png":
        files = [("photo", JPEG, "image/png")]
    else:
        files = [(f"p{i}.png", PNG, "image/png") for i in range(6)]
    error(file_objection(api, headers, *target, grounds, files), status, code)
    assert _nothing_stored(api, rid) == before


def test_a_second_open_objection_by_the_same_objector_is_refused__OBJ_1(
    api: TestClient, world: World
) -> None:
    w = world
    [rid] = w.serious(1)
    person = account(api)
    assert file_objection(api, person, "record", rid).status_code == 201
    error(file_objection(api, person, "record", rid), 409, "objection.already_open")
    # Another objector may; the same one again once the first is decided.
    assert file_objection(api, PLATFORM, "record", rid).status_code == 201
    assert len(api.get(f"/api/v1/objections?target_id={rid}", headers=PLATFORM).json()) == 2


def test_attachments_come_back_as_downloads_never_inline__OBJ_1(
    api: TestClient, world: World
) -> None:
    w = world
    [rid] = w.serious(1)
    person = account(api)
    files = [('决定书 "x".pdf', PDF, "application/octet-stream"), ("photo.jpg", JPEG, "image/jpeg")]
    o = file_objection(api, person, "record", rid, files=files).json()
    assert [a["content_type"] for a in o["attachments"]] == ["application/pdf", "image/jpeg"]
    first = o["attachments"][0]
    got = api.get(f"/api/v1/objections/{o['id']}/attachments/{first['id']}", headers=person)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert '"x"' not in got.headers["content-disposition"]
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in got.headers["content-security-policy"]
    # The provider of the record reads it; the implementing unit does not.
    assert api.get(f"/api/v1/objections/{o['id']}", headers=PROVIDER).status_code == 200
    # SEC-2: a unit's download of the subject's materials is a registered read; the
    # objector's own is not.
    before = len(register_rows(w.ctx, "objection"))
    got = api.get(f"/api/v1/objections/{o['id']}/attachments/{first['id']}", headers=PROVIDER)
    assert got.status_code == 200
    [read] = register_rows(w.ctx, "objection")[before:]
    assert read.object_id == str(o["id"]) and read.subject_id == o["subject_id"]
    error(
        api.get(
            f"/api/v1/objections/{o['id']}/attachments/{first['id']}",
            headers=bearer("implementer"),
        ),
        404,
        "objection.not_found",
    )  # fmt: skip
    # More materials, up to five in all.
    more = api.post(
        f"/api/v1/objections/{o['id']}/attachments",
        headers=person,
        files=[("files", (f"p{i}.png", PNG, "image/png")) for i in range(3)],
    )
    assert more.status_code == 200 and len(more.json()["attachments"]) == 5
    error(
        api.post(
            f"/api/v1/objections/{o['id']}/attachments",
            headers=person,
            files=[("files", ("p.png", PNG, "image/png"))],
        ),
        422,
        "objection.too_many_attachments",
    )


def test_a_public_account_keeps_the_document_number_masked_and_keyed__OBJ_1(
    api: TestClient, world: World, ctx: Context
) -> None:
    number = demo_ric("41010519850505123")
    made = api.post(
        "/api/v1/public-accounts", json={"name": "赵公众", "id_type": "ric", "id_number": number}
    ).json()
    assert made["verified"] is False and made["id_number_masked"] != number
    again = api.post(
        "/api/v1/public-accounts", json={"name": "赵公众", "id_type": "ric", "id_number": number}
    )
    error(again, 409, "public_account.exists")
    bad = api.post(
        "/api/v1/public-accounts",
        json={"name": "赵公众", "id_type": "ric", "id_number": "410105198505051230"},
    )
    assert bad.status_code == 422
    # Never clear in any table, nor in the audit log.
    import sqlalchemy as sa

    from creditreg.store.schema import metadata

    with ctx.db.read() as conn:
        for table in metadata.sorted_tables:
            text = "\n".join(str(tuple(r)) for r in conn.execute(sa.select(table)))
            assert number not in text, table.name


def test_a_subject_objects_to_its_own_entry_from_its_account_and_reads_the_outcome__OBJ_1_OBJ_3(
    api: TestClient, world: World
) -> None:
    """Issue 10, parts 1 and 4: a subject account objects for its own subject only; the
    outcome reaches its inbox, and outlives an entry deleted in error (it holds no facts)."""
    from creditreg.demo.dataset import demo_uscc
    from tests.e2e.api.test_accounts_api import CODE, _notify, activate, login

    eid = _notify(api, world)
    nid = api.get("/api/v1/subject-notices", headers=DESIGNATOR).json()[0]["id"]
    printed = api.post(f"/api/v1/subject-notices/{nid}/printable", headers=DESIGNATOR)
    code = CODE.search(printed.text)
    assert code is not None
    made = activate(api, code.group(), demo_uscc("91410100MC0000001"), username="trade-co-1")
    assert made.status_code == 201, made.text
    me = login(api, "trade-co-1")
    [other] = world.serious(2)  # another subject's record: not the account's to object to
    error(file_objection(api, me, "record", other), 404, "record.not_found")
    filed = file_objection(api, me, "list_entry", eid, "本企业已整改，处罚已撤销")
    assert filed.status_code == 201, filed.text
    oid = filed.json()["id"]
    assert filed.json()["objector_kind"] == "subject_account"
    for step, body in (
        ("acceptance", {"accepted": True, "reason": "予以受理"}),
        ("decision", {"outcome": "upheld", "reason": "认定错误"}),
    ):
        done = api.post(f"/api/v1/objections/{oid}/{step}", headers=DESIGNATOR, json=body)
        assert done.status_code == 200, done.text
    inbox = api.get("/api/v1/me/inbox", headers=me).json()
    outcomes = [n for n in inbox if n["kind"] == "outcome"]
    # The acceptance's notice went with the entry (Op(20)); the outcome holds no facts and
    # stays.
    [outcome] = outcomes
    assert any("错误认定" in text for _, text in outcome["lines"])  # in Chinese (OBJ-3)
    # In Chinese: the outcome in words and the matter's kind, never internal codes.
    lines = dict(outcome["lines"])
    assert lines["处理结果"] == "异议已处理" and "名单条目" in lines["事项"]
    assert "objection.decided" not in str(outcome) and "list_entry" not in lines["事项"]


def test_an_objector_s_name_quoting_a_number_is_shown_masked__OBJ_1_DIS_3(
    api: TestClient, world: World
) -> None:
    w = world
    w.serious(1)
    eid = propose(api, w).json()["id"]
    notify_over_api(api, eid, DESIGNATOR)
    w.advance(8)
    api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR)
    number = demo_ric("41010519850505123")
    me = account(api, name=f"钱丁 {number}")
    assert file_objection(api, me, "list_entry", eid, "并非本企业").status_code == 201
    [seen] = api.get("/api/v1/objections", headers=DESIGNATOR).json()
    assert number not in seen["objector"] and "4101************" in seen["objector"]


def company_account(api: TestClient, w: World) -> dict[str, str]:
    """Company 1's own account (an agent bound with its authorization letter): it objects
    as the subject, and reads its notices in its inbox."""
    from tests.e2e.api.test_accounts_api import activate, issue, login

    issued = issue(
        api,
        w.company(1),
        holder_role="agent",
        holder_name="代理人赵",
        document_type="passport",
        document_number="E12345678",
        authorization_letter="授权委托书 2026-009号",
    )
    assert issued.status_code == 201, issued.text
    made = activate(api, issued.json()["code"], demo_uscc("91410100MC0000001"), username="trade")
    assert made.status_code == 201, made.text
    return login(api, "trade")


def notices_said(api: TestClient, me: dict[str, str]) -> list[str]:
    """The subject's inbox, each notice's title and lines as one text."""
    return [
        n["title"] + " " + " ".join(text for _, text in n["lines"])
        for n in api.get("/api/v1/me/inbox", headers=me).json()
    ]


def test_a_subject_is_told_when_the_decision_on_its_objection_is_late__SEC_5_OBJ_2(
    api: TestClient, world: World, clock: FixedClock
) -> None:
    """SEC-5, Art 65: the deciding unit and the platform are told of a late decision, and
    so is the subject that waits for it, once; accepted late, the subject is told the
    deadline has passed, not a day gone by as if it were to come."""
    from creditreg.domain.access.principals import SYSTEM
    from creditreg.services.kernel import sweep
    from tests.e2e.api.test_accounts_api import login
    from tests.e2e.api.test_corrections_api import blacklisted

    eid = blacklisted(api, world)
    me = company_account(api, world)
    filed = file_objection(api, me, "list_entry", eid, "处罚决定尚未生效")
    oid, due = filed.json()["id"], filed.json()["due_date"]
    at(clock, "2026-03-31")
    assert due < "2026-03-31"
    me = login(api, "trade")  # a session lasts hours, not weeks
    assert sweep.run(world.ctx, SYSTEM).count("objections_overdue") == 1
    assert sweep.run(world.ctx, SYSTEM).count("objections_overdue") == 0
    [late] = [s for s in notices_said(api, me) if s.startswith("逾期处理告知书")]
    assert f"异议 {oid}" in late and due in late and "第六十五条" in late
    accepted = api.post(
        f"/api/v1/objections/{oid}/acceptance",
        headers=DESIGNATOR,
        json={"accepted": True, "reason": "予以受理"},
    )
    assert accepted.status_code == 200, accepted.text
    [said] = [s for s in notices_said(api, me) if "异议已受理" in s]
    assert f"处理决定期限为{due}（该期限已过，属逾期处理" in said
    # The department's reconsideration, late in its turn: told too.
    dismissed = api.post(
        f"/api/v1/objections/{oid}/decision",
        headers=DESIGNATOR,
        json={"outcome": "dismissed", "reason": "处罚决定已生效"},
    )
    assert dismissed.status_code == 200, dismissed.text
    recon = api.post(
        f"/api/v1/objections/{oid}/reconsideration", headers=me, json={"grounds": "不服"}
    ).json()
    at(clock, "2026-05-29")
    assert recon["due_date"] < "2026-05-29"
    me = login(api, "trade")
    assert sweep.run(world.ctx, SYSTEM).count("reconsiderations_overdue") == 1
    [later] = [s for s in notices_said(api, me) if s.startswith(f"逾期处理告知书 复核：异议 {oid}")]
    assert recon["due_date"] in later
    # Revised, the entry made in error goes with the notices about it (Op(20)); the
    # notices of lateness hold no facts and stay beside the decision.
    decided = api.post(
        f"/api/v1/reconsiderations/{recon['id']}/decision",
        headers=DEPARTMENT,
        json={"outcome": "revised", "reason": "认定有误"},
    )
    assert decided.status_code == 200, decided.text
    kept = notices_said(api, me)
    assert len([s for s in kept if s.startswith("逾期处理告知书")]) == 2
    assert any("复核结果：变更原处理结果" in s for s in kept)


def test_a_reconsideration_that_finds_an_entry_made_in_error_tells_the_subject__OBJ_3_OBJ_5(
    api: TestClient, world: World
) -> None:
    """Op(20), Op(22): the department revises the decision; the entry, made in error, goes
    with its objections and the notices about it, but the subject that asked is told the
    decision (as when the unit itself upholds an objection), beside the apology."""
    from tests.e2e.api.test_corrections_api import blacklisted

    eid = blacklisted(api, world)
    me = company_account(api, world)
    oid = file_objection(api, me, "list_entry", eid, "处罚决定尚未生效").json()["id"]
    api.post(
        f"/api/v1/objections/{oid}/acceptance",
        headers=DESIGNATOR,
        json={"accepted": False, "reason": "不属于异议受理范围"},
    )
    recon = api.post(
        f"/api/v1/objections/{oid}/reconsideration", headers=me, json={"grounds": "不服"}
    ).json()
    decided = api.post(
        f"/api/v1/reconsiderations/{recon['id']}/decision",
        headers=DEPARTMENT,
        json={"outcome": "revised", "reason": "原认定所依据的处罚决定尚未生效。"},
    )
    assert decided.status_code == 200, decided.text
    assert api.get(f"/api/v1/lists/entries/{eid}", headers=PLATFORM).status_code == 404
    inbox = api.get("/api/v1/me/inbox", headers=me).json()
    said = [" ".join(text for _, text in n["lines"]) for n in inbox]
    [decision] = [s for s in said if "复核结果" in s]
    assert "变更原处理结果" in decision and "已予删除" in decision
    # It outlives the entry, so it holds none of its facts: not the reasons, which may
    # restate them (Op(20)).
    assert "处罚决定尚未生效" not in decision
    assert any(n["kind"] == "apology" for n in inbox)


def test_a_units_step_answered_with_the_subjects_information_is_a_registered_read__SEC_2(
    api: TestClient, world: World
) -> None:
    """Op(24): the answer to a step a unit takes (a proposal, a notice, a verification, an
    objection's acceptance, a reconsideration's decision) carries the subject's
    information as a read of it would: each is registered, with the subject and what was
    read, and so reaches the subject's list of who looked."""
    w = world
    w.serious(1)  # what the entry rests on
    company = w.company(1)
    stored = api.post(
        "/api/v1/records",
        json={"catalog": "XZCF", "data": punishment_row(1, decision_number="郑税罚〔2026〕77号")},
        headers=PROVIDER,
    )
    assert stored.status_code == 201, stored.text
    with w.ctx.db.read() as conn:
        rid = conn.execute(sa.select(sa.func.max(record.c.id))).scalar_one()

    def registered(what: str) -> list[Any]:
        return [
            (r.subject_id, r.object_id) for r in register_rows(w.ctx, what) if r.unit_id is not None
        ]

    verified = api.post(
        f"/api/v1/records/{rid}/verification", headers=PLATFORM, json={"passed": True}
    )
    assert verified.status_code == 200, verified.text
    assert registered("record.verification") == [(company, str(rid))]
    eid = propose(api, w).json()["id"]
    assert registered("list_entry") == [(company, str(eid))]
    notify_over_api(api, eid, DESIGNATOR)
    assert (company, str(eid)) in registered("list_entry")[1:]
    before = len(registered("list_entry"))
    oid = file_objection(api, PLATFORM, "list_entry", eid, "认定错误").json()["id"]
    accepted = api.post(
        f"/api/v1/objections/{oid}/acceptance",
        headers=DESIGNATOR,
        json={"accepted": False, "reason": "不属于异议受理范围"},
    )
    assert accepted.status_code == 200, accepted.text
    assert (company, str(oid)) in registered("objection")
    assert len(registered("list_entry")) >= before
