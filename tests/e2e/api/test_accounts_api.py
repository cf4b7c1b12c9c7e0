"""Subject accounts over HTTP (issue 10, part 1), on SQLite and PostgreSQL: binding by an
operator's code after an identity check and by the code printed on a written notice, an
agent's authorization letter, codes reused, expired and guessed, sessions that expire, a
subject kept to its own data, the inbox in Chinese (English on request), and the printed
notice with its code and recorded delivery date."""

from __future__ import annotations

import re
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from creditreg.clock import FixedClock
from creditreg.demo import dataset as demo
from creditreg.demo.dataset import demo_ric, demo_uscc
from creditreg.domain.access.principals import SYSTEM
from creditreg.services.context import Context
from creditreg.services.kernel import sweep
from tests.e2e.api.test_api import error
from tests.e2e.conftest import bearer
from tests.factories import person_punishment_row
from tests.lists_world import PERSON, World, make_world

PLATFORM = bearer("platform")
DESIGNATOR = bearer("designator")
ZHANG = demo_ric("41010519800101123")  # 张示例, a demo natural person
LI = demo_ric("41010219900202234")  # 李样例
FOOD_CO = demo_uscc("91410100MA0000001")  # 郑州示例食品有限公司
CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}")
PASSWORD = "a long subject password"


def subject_id(api: TestClient, id_type: str, number: str) -> int:
    found = api.post(
        "/api/v1/subjects/lookup", headers=PLATFORM, json={"id_type": id_type, "id_number": number}
    )
    assert found.status_code == 200, found.text
    return int(found.json()["id"])


def issue(api: TestClient, sid: int, **changes: Any) -> Any:
    body = {
        "subject_id": sid,
        "holder_role": "self",
        "holder_name": "张示例",
        "document_type": "resident_identity_card",
        "document_number": ZHANG,
        "checked_by": "窗口工作人员王",
        **changes,
    }
    return api.post("/api/v1/accounts/codes", headers=PLATFORM, json=body)


def activate(api: TestClient, code: str, number: str = ZHANG, **changes: Any) -> Any:
    id_type = "uscc" if len(number) == 18 and not number[:17].isdigit() else "ric"
    body = {
        "code": code,
        "id_type": id_type,
        "id_number": number,
        "username": "zhang",
        "password": PASSWORD,
        **changes,
    }
    return api.post("/api/v1/accounts/activation", json=body)


def login(api: TestClient, username: str = "zhang") -> dict[str, str]:
    made = api.post("/api/v1/accounts/sessions", json={"username": username, "password": PASSWORD})
    assert made.status_code == 200, made.text
    return {"Authorization": f"Bearer {made.json()['token']}"}


def audit_of(api: TestClient, object_type: str) -> list[dict[str, Any]]:
    got = api.get(
        "/api/v1/audit/events",
        headers=PLATFORM,
        params={"object_type": object_type, "limit": 1000},
    )
    assert got.status_code == 200, got.text
    return list(got.json())


def test_binding_by_an_operators_code_after_an_identity_check__SEC_1_RIG_1(
    api: TestClient,
) -> None:
    zhang = subject_id(api, "ric", ZHANG)
    # A real binding: the card seen must be the person's own.
    error(issue(api, zhang, document_number=LI), 422, "account.document_mismatch")
    # Nor does another kind of document stand in for it, whatever number it carries.
    for document_type, number in (("other", LI), ("other", ZHANG), ("passport", ZHANG)):
        error(issue(api, zhang, document_type=document_type, document_number=number), 422,
              "account.document_mismatch")  # fmt: skip
    error(issue(api, zhang, holder_role="legal_representative"), 422, "account.holder_mismatch")
    issued = issue(api, zhang)
    assert issued.status_code == 201, issued.text
    code = issued.json()["code"]
    assert CODE.fullmatch(code) and issued.json()["expires_at"].startswith("2026-04-01")
    made = activate(api, code)
    assert made.status_code == 201, made.text
    binding = made.json()["binding"]
    assert made.json()["subject_id"] == zhang
    assert binding["method"] == "operator" and binding["holder_role"] == "self"
    assert binding["checked_by"] == "窗口工作人员王" and binding["checked_on"] == "2026-03-02"
    assert binding["document_masked"] == ZHANG[:2] + "*" * 14 + ZHANG[-2:]
    me = api.get("/api/v1/me/subject", headers=login(api))
    assert me.status_code == 200, me.text
    assert me.json()["subject_id"] == zhang and me.json()["name"] == "张示例"
    assert [b["username"] for b in me.json()["bindings"]] == ["zhang"]
    # The number seen is never kept in clear: not in the audit log either.
    issued_events = audit_of(api, "activation_code")
    assert issued_events and all(ZHANG not in str(e) for e in issued_events)
    assert issued_events[0]["detail"]["document_masked"] == binding["document_masked"]
    # A taken username is a conflict, and the code is not spent by it.
    again = issue(api, zhang).json()["code"]
    error(activate(api, again), 409, "account.username_taken")
    assert activate(api, again, username="zhang2").status_code == 201


def test_an_agent_is_bound_with_the_organizations_authorization_letter__SEC_1(
    api: TestClient,
) -> None:
    food = subject_id(api, "uscc", FOOD_CO)
    agent = {
        "holder_role": "agent",
        "holder_name": "代理人赵",
        "document_type": "passport",
        "document_number": "E12345678",
    }
    error(issue(api, food, **agent), 422, "account.letter_required")
    error(issue(api, food), 422, "account.holder_mismatch")  # `self` is for persons
    error(issue(api, 99999999, **agent, authorization_letter="x"), 404, "subject.not_found")
    issued = issue(api, food, **agent, authorization_letter="授权委托书 2026-003号")
    assert issued.status_code == 201, issued.text
    made = activate(api, issued.json()["code"], FOOD_CO, username="food-agent")
    assert made.status_code == 201, made.text
    binding = made.json()["binding"]
    assert binding["holder_role"] == "agent" and binding["holder_name"] == "代理人赵"
    assert binding["authorization_letter"] == "授权委托书 2026-003号"
    assert binding["document_type"] == "passport" and binding["document_masked"] == "E1*****78"
    listed = api.get("/api/v1/accounts", headers=PLATFORM, params={"subject_id": food})
    assert [b["username"] for b in listed.json()] == ["food-agent"]


def test_an_activation_code_is_single_use__SEC_1(api: TestClient) -> None:
    code = issue(api, subject_id(api, "ric", ZHANG)).json()["code"]
    assert activate(api, code.lower().replace("-", " ")).status_code == 201
    error(activate(api, code, username="zhang-again"), 409, "account.code_used")
    # Nothing half-made: one account only.
    zhang = subject_id(api, "ric", ZHANG)
    listed = api.get("/api/v1/accounts", headers=PLATFORM, params={"subject_id": zhang})
    assert [b["username"] for b in listed.json()] == ["zhang"]


def test_an_activation_code_expires__SEC_1(api: TestClient, clock: FixedClock) -> None:
    code = issue(api, subject_id(api, "ric", ZHANG)).json()["code"]
    clock.set(clock.now() + timedelta(days=30, minutes=1))
    message = error(activate(api, code), 409, "account.code_expired")
    assert "2026-04-01" in message
    error(
        api.post("/api/v1/accounts/sessions", json={"username": "zhang", "password": PASSWORD}),
        401,
        "account.bad_credentials",
    )


def test_a_code_for_another_subject_or_guessed_is_refused_then_throttled__SEC_1(
    api: TestClient,
) -> None:
    code = issue(api, subject_id(api, "ric", ZHANG)).json()["code"]
    # The right code with another subject's identifier does not bind.
    error(activate(api, code, LI), 401, "account.bad_code")
    for guess in ("AAAA-BBBB-CCCC-DDDD", "not a code", "AAAA-BBBB-CCCC-DDDE", "0000"):
        error(activate(api, guess), 401, "account.bad_code")
    throttled = activate(api, code)
    error(throttled, 429, "account.throttled")
    assert int(throttled.headers["Retry-After"]) > 0
    assert throttled.json()["error"]["details"]["retry_after"] > 0
    failures = audit_of(api, "activation_code")
    assert sum(e["action"] == "account.activation_failed" for e in failures) == 5


def test_a_subjects_session_expires__SEC_1(api: TestClient, clock: FixedClock) -> None:
    code = issue(api, subject_id(api, "ric", ZHANG)).json()["code"]
    activate(api, code)
    headers = login(api)
    assert api.get("/api/v1/me/subject", headers=headers).status_code == 200
    clock.set(clock.now() + timedelta(hours=12))
    error(api.get("/api/v1/me/subject", headers=headers), 401, "auth.expired_token")
    assert api.get("/api/v1/me/subject", headers=login(api)).status_code == 200
    for _ in range(5):
        error(
            api.post("/api/v1/accounts/sessions", json={"username": "zhang", "password": "x"}),
            401,
            "account.bad_credentials",
        )
    error(
        api.post("/api/v1/accounts/sessions", json={"username": "zhang", "password": PASSWORD}),
        429,
        "account.throttled",
    )


def test_a_subject_reading_another_subjects_data_is_refused_and_audited__SEC_1_RIG_1(
    api: TestClient,
) -> None:
    zhang, li = subject_id(api, "ric", ZHANG), subject_id(api, "ric", LI)
    activate(api, issue(api, zhang).json()["code"])
    mine = login(api)
    own = api.get(f"/api/v1/subjects/{zhang}", headers=mine)
    assert own.status_code == 200 and own.json()["name"] == "张示例"
    assert api.get(f"/api/v1/subjects/{zhang}/links", headers=mine).json() == []
    error(api.get(f"/api/v1/subjects/{li}", headers=mine), 403, "account.not_your_subject")
    error(api.get(f"/api/v1/subjects/{li}/links", headers=mine), 403, "account.not_your_subject")
    error(
        api.get("/api/v1/accounts", headers=mine, params={"subject_id": li}),
        403,
        "account.not_your_subject",
    )
    refused = [e for e in audit_of(api, "subject") if e["action"].endswith(".refused")]
    assert {(e["action"], e["actor"], e["object_id"]) for e in refused} == {
        ("subject.read.refused", "account:zhang", str(li)),
        ("subject.links.refused", "account:zhang", str(li)),
        ("subject_account.list.refused", "account:zhang", str(li)),
    }
    assert all(e["detail"]["code"] == "account.not_your_subject" for e in refused)
    # A subject's session holds nothing of a unit's: every unit endpoint is a 403.
    for path in ("/api/v1/lists/entries", "/api/v1/inbox", "/api/v1/lists/reports"):
        assert api.get(path, headers=mine).status_code == 403, path
    assert api.get("/api/v1/units", headers=mine).json() == []  # belongs to no unit
    error(
        api.post("/api/v1/subjects/lookup", headers=mine, json={}), 403, "access.missing_permission"
    )
    # And a unit's token is not a subject's: its own endpoints say so.
    error(api.get("/api/v1/me/inbox", headers=PLATFORM), 403, "access.missing_permission")


@pytest.fixture
def world(api: TestClient, ctx: Context, clock: FixedClock) -> World:
    return make_world(ctx, clock)


def _notify(api: TestClient, w: World) -> int:
    w.serious(1)
    created = api.post(
        "/api/v1/lists/entries",
        headers=DESIGNATOR,
        json={
            "standard": "SCJG-HMD",
            "subject_id": w.company(1),
            "facts": "销售不合格食品",
            "responsible_persons": [{**PERSON, "id_number": demo_ric("41010519700101123")}],
        },
    )
    assert created.status_code == 201, created.text
    eid = created.json()["id"]
    assert api.post(f"/api/v1/lists/entries/{eid}/notice", headers=DESIGNATOR).status_code == 200
    return int(eid)


def test_a_written_notice_is_printed_with_its_code_delivered_and_read_in_chinese__SEC_1_LST_2(
    api: TestClient, world: World, clock: FixedClock
) -> None:
    _notify(api, world)
    company = world.company(1)
    waiting = api.get("/api/v1/subject-notices", headers=DESIGNATOR).json()
    assert [(n["subject_id"], n["kind"]) for n in waiting] == [(company, "written_notice")]
    nid = waiting[0]["id"]
    assert waiting[0]["title"] == "信用惩戒书面告知书" and waiting[0]["delivered_on"] is None
    # Reading the notice (a preview, or a HEAD) mints nothing and voids nothing.
    for _ in range(2):
        looked = api.get(f"/api/v1/subject-notices/{nid}/printable", headers=DESIGNATOR)
        assert looked.status_code == 200 and CODE.search(looked.text) is None
        assert "预览件" in looked.text and "信用惩戒书面告知书" in looked.text
    assert api.head(f"/api/v1/subject-notices/{nid}/printable", headers=DESIGNATOR).content == b""
    # The notice printed for delivery carries an activation code; a reprint replaces it.
    first = api.post(f"/api/v1/subject-notices/{nid}/printable", headers=DESIGNATOR)
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/html")
    assert "信用惩戒书面告知书" in first.text and "郑州示例贸易有限公司1" in first.text
    first_code = CODE.search(first.text)
    assert first_code is not None and "激活码" in first.text
    preview = api.get(
        f"/api/v1/subject-notices/{nid}/printable", headers=DESIGNATOR, params={"lang": "en"}
    )
    assert CODE.search(preview.text) is None and "Preview" in preview.text
    english = api.post(
        f"/api/v1/subject-notices/{nid}/printable", headers=DESIGNATOR, params={"lang": "en"}
    )
    assert "Written notice of a planned joint-discipline entry" in english.text
    second = CODE.search(english.text)
    assert second is not None and second.group() != first_code.group()
    uscc = demo_uscc("91410100MC0000001")
    error(activate(api, first_code.group(), uscc), 409, "account.code_superseded")
    # Delivery: a date, once, not ahead of today nor before the notice.
    delivered = f"/api/v1/subject-notices/{nid}/delivered"
    error(
        api.post(delivered, headers=DESIGNATOR, json={"delivered_on": "2026-03-03"}),
        422,
        "subject_notice.bad_delivery_date",
    )
    error(
        api.post(delivered, headers=DESIGNATOR, json={"delivered_on": "2026-03-01"}),
        422,
        "subject_notice.bad_delivery_date",
    )
    error(
        api.post(delivered, headers=bearer("provider"), json={"delivered_on": "2026-03-02"}),
        403,
        "access.missing_permission",
    )
    done = api.post(delivered, headers=DESIGNATOR, json={"delivered_on": "2026-03-02"})
    assert done.status_code == 200 and done.json()["delivered_on"] == "2026-03-02"
    # Delivered with its code: printed again, it would void the code the subject holds.
    for path in ("printable", "printable.pdf"):
        error(
            api.post(f"/api/v1/subject-notices/{nid}/{path}", headers=DESIGNATOR),
            409,
            "subject_notice.delivered_with_code",
        )
    assert api.get(f"/api/v1/subject-notices/{nid}/printable", headers=DESIGNATOR).is_success
    error(
        api.post(delivered, headers=DESIGNATOR, json={"delivered_on": "2026-03-02"}),
        409,
        "subject_notice.already_delivered",
    )
    assert api.get("/api/v1/subject-notices", headers=DESIGNATOR).json() == []
    # The legal representative opens the account with the delivered code.
    made = activate(api, second.group(), uscc, username="trade-co-1", holder_name="法定代表人")
    assert made.status_code == 201, made.text
    assert made.json()["binding"]["method"] == "notice"
    assert made.json()["binding"]["holder_role"] == "legal_representative"
    mine = login(api, "trade-co-1")
    inbox = api.get("/api/v1/me/inbox", headers=mine).json()
    assert [(n["id"], n["title"], n["read_at"]) for n in inbox] == [
        (nid, "信用惩戒书面告知书", None)
    ]
    labels = [label for label, _ in inbox[0]["lines"]]
    assert "认定依据" in labels and "异议截止日期" in labels
    assert dict(inbox[0]["lines"])["异议截止日期"] == "2026-03-09"
    english_inbox = api.get("/api/v1/me/inbox", headers=mine, params={"lang": "en"}).json()
    assert "Objections until" in [label for label, _ in english_inbox[0]["lines"]]
    read = api.post(f"/api/v1/me/inbox/{nid}/read", headers=mine)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    # Once the subject has an account, a print carries no code.
    third = api.post(f"/api/v1/subject-notices/{nid}/printable", headers=DESIGNATOR)
    assert CODE.search(third.text) is None and "2026-03-02" in third.text
    assert "预览件" not in third.text
    # Another subject's account cannot read this notice, nor learn that it exists or
    # whose it is: not in its inbox, as one nobody has; the attempt is audited.
    zhang = subject_id(api, "ric", ZHANG)
    activate(api, issue(api, zhang).json()["code"])
    theirs = error(
        api.post(f"/api/v1/me/inbox/{nid}/read", headers=login(api)),
        404,
        "subject_notice.not_found",
    )
    nobodys = error(
        api.post(f"/api/v1/me/inbox/{nid + 1000}/read", headers=login(api)),
        404,
        "subject_notice.not_found",
    )
    assert str(company) not in theirs and theirs.replace(str(nid), "") == nobodys.replace(
        str(nid + 1000), ""
    )
    refused = [e for e in audit_of(api, "subject_notice") if e["action"].endswith(".refused")]
    assert [e["object_id"] for e in refused] == [str(nid)]


def test_an_entry_deleted_in_error_leaves_no_notice_in_the_inbox__SEC_1_RST_5_OBJ_5(
    api: TestClient, world: World
) -> None:
    """Nothing of the entry stays in the subject's notices; what arrives instead is the
    unit's written apology (Op(23)), which says nothing of the entry's facts."""
    eid = _notify(api, world)
    nid = api.get("/api/v1/subject-notices", headers=DESIGNATOR).json()[0]["id"]
    printed = api.post(f"/api/v1/subject-notices/{nid}/printable", headers=DESIGNATOR)
    code = CODE.search(printed.text)
    assert code is not None
    deleted = api.post(
        f"/api/v1/lists/entries/{eid}/error", headers=DESIGNATOR, json={"note": "认定错误"}
    )
    assert deleted.status_code == 200, deleted.text
    left = api.get("/api/v1/subject-notices", headers=DESIGNATOR).json()
    assert [n["kind"] for n in left] == ["apology"]
    # The written notice is gone, and its number is never given to another notice (the
    # apology took it on SQLite, which gave the highest id again after a delete).
    again = api.get(f"/api/v1/subject-notices/{nid}/printable", headers=DESIGNATOR)
    assert again.status_code == 404
    assert "信用惩戒书面告知书" not in again.text and "认定错误" not in again.text
    # The code printed on it still binds the account (the subject was told in writing).
    made = activate(api, code.group(), demo_uscc("91410100MC0000001"), username="trade-co-1")
    assert made.status_code == 201, made.text
    inbox = api.get("/api/v1/me/inbox", headers=login(api, "trade-co-1")).json()
    assert [n["kind"] for n in inbox] == ["apology"]
    assert inbox[0]["title"] == "书面致歉函"


def test_a_written_notice_prints_as_a_pdf_in_chinese_with_its_code__SEC_1_LST_2(
    api: TestClient, world: World, tmp_path: Path
) -> None:
    """The printed notice a designating unit delivers, as a PDF: Chinese in an embedded CJK
    font (no empty boxes), the subject's name and a working activation code."""
    _notify(api, world)
    nid = api.get("/api/v1/subject-notices", headers=DESIGNATOR).json()[0]["id"]
    pdf = api.post(f"/api/v1/subject-notices/{nid}/printable.pdf", headers=DESIGNATOR)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    said = text.stdout.decode()
    assert "信用惩戒书面告知书" in said and "郑州示例贸易有限公司1" in said
    code = CODE.search(said)
    assert code is not None
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout
    rows = [line.split() for line in fonts.decode().splitlines()[2:]]
    assert any("WenQuanYi" in r[0] and "yes" in r[-5:-2] for r in rows), fonts.decode()
    # The code printed on the PDF binds the account.
    made = activate(api, code.group(), demo_uscc("91410100MC0000001"), username="company1")
    assert made.status_code == 201, made.text


def test_a_person_without_an_account_is_designated_only_after_the_notice_is_delivered__LST_2(
    api: TestClient, world: World, clock: FixedClock
) -> None:
    """Op(7), Art 28: a natural person is told in advance. The printed notice waits for
    its delivery: the sweep never designates before the unit records it, and the
    objection window runs from the delivery date, not from the day it was printed."""
    w = world
    w.submit("XZCF", [person_punishment_row(7, serious_class="art33_3")])
    person = subject_id(api, "ric", demo_ric("41010519900101007"))
    made = api.post(
        "/api/v1/lists/entries",
        headers=DESIGNATOR,
        json={"standard": "SCJG-HMD", "subject_id": person, "facts": "售假"},
    )
    assert made.status_code == 201, made.text
    eid = made.json()["id"]
    noticed = api.post(f"/api/v1/lists/entries/{eid}/notice", headers=DESIGNATOR).json()
    assert noticed["status"] == "notified" and noticed["window_due"] is None
    w.advance(40)
    sweep.run(w.ctx, SYSTEM)
    entry = api.get(f"/api/v1/lists/entries/{eid}", headers=DESIGNATOR).json()
    assert entry["status"] == "notified"
    error(
        api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR),
        409,
        "entry.notice_not_delivered",
    )
    [printed] = [
        n
        for n in api.get("/api/v1/subject-notices", headers=DESIGNATOR).json()
        if n["kind"] == "written_notice" and n["delivered_on"] is None
    ]
    today = w.ctx.today().isoformat()
    done = api.post(
        f"/api/v1/subject-notices/{printed['id']}/delivered",
        headers=DESIGNATOR,
        json={"delivered_on": today},
    )
    assert done.status_code == 200, done.text
    due = api.get(f"/api/v1/lists/entries/{eid}", headers=DESIGNATOR).json()["window_due"]
    assert due is not None and due > today
    sweep.run(w.ctx, SYSTEM)  # the window is open: nothing yet
    assert api.get(f"/api/v1/lists/entries/{eid}", headers=DESIGNATOR).json()["status"] == (
        "notified"
    )
    clock.set(datetime.fromisoformat(due) + timedelta(days=1, hours=2))
    assert sweep.run(w.ctx, SYSTEM).count("designated") == 1
    assert api.get(f"/api/v1/lists/entries/{eid}", headers=DESIGNATOR).json()["status"] == (
        "designated"
    )


def test_a_subject_applies_for_restoration_from_its_own_account__RST_1_RST_2(
    api: TestClient, world: World
) -> None:
    """Op(14), Art 43: the blacklisted subject itself applies, with its evidence, from its
    account (not only through a unit's desk); for its own entries only."""
    w = world
    number = demo_ric("41010519900101007")
    w.submit("XZCF", [person_punishment_row(7, serious_class="art33_3")])
    person = subject_id(api, "ric", number)
    code = issue(api, person, document_number=number, holder_name="李示例").json()["code"]
    activated = activate(api, code, number=number, username="li.shili")
    assert activated.status_code == 201, activated.text
    eid = api.post(
        "/api/v1/lists/entries",
        headers=DESIGNATOR,
        json={
            "standard": "SCJG-HMD",
            "subject_id": person,
            "facts": "售假",
            "restoration_after_months": 0,
        },
    ).json()["id"]
    # With an account, the notice is in the inbox at once: the window counts from today,
    # and no unit is asked to print and deliver it.
    assert api.post(f"/api/v1/lists/entries/{eid}/notice", headers=DESIGNATOR).json()["window_due"]
    awaiting = api.get("/api/v1/subject-notices", headers=DESIGNATOR).json()
    assert not [n for n in awaiting if n["subject_id"] == person]
    w.advance(8)
    designated = api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR)
    assert designated.status_code == 200, designated.text
    w.serious(1)
    other = api.post(
        "/api/v1/lists/entries",
        headers=DESIGNATOR,
        json={"standard": "SCJG-HMD", "subject_id": w.company(1), "facts": "销售不合格食品",
              "responsible_persons": [{**PERSON, "id_number": demo_ric("41010519700101123")}]},
    ).json()["id"]  # fmt: skip
    mine = "/api/v1/me/list-restorations"
    me = login(api, "li.shili")  # a session of today (the clock moved)
    error(api.post(mine, headers=me, json={"entry_id": other, "evidence": "x"}), 404,
          "entry.not_found")  # fmt: skip
    error(api.post(mine, headers=DESIGNATOR, json={"entry_id": eid, "evidence": "x"}), 403,
          "access.missing_permission")  # fmt: skip
    error(api.post(mine, headers=me, json={"entry_id": eid, "evidence": " "}), 422,
          "restoration.incomplete")  # fmt: skip
    applied = api.post(mine, headers=me, json={"entry_id": eid, "evidence": "已整改并公开致歉"})
    assert applied.status_code == 201, applied.text
    error(api.post(mine, headers=me, json={"entry_id": eid, "evidence": "再次"}), 409,
          "restoration.pending")  # fmt: skip
    [pending] = api.get("/api/v1/lists/restorations", headers=DESIGNATOR).json()
    assert (pending["id"], pending["entry_id"]) == (applied.json()["id"], eid)
    history = api.get(f"/api/v1/lists/entries/{eid}", headers=DESIGNATOR).json()["history"]
    assert any(h["action"] == "restoration_applied" for h in history)
    decided = api.post(
        f"/api/v1/lists/restorations/{pending['id']}/decision",
        headers=DESIGNATOR,
        json={"consent": True, "note": "已完成整改，同意提前移出"},
    )
    assert decided.json()["entry"]["removal_reason"] == "restoration", decided.text
    # The applicant is told the decision and its reasons, in its inbox.
    inbox = api.get("/api/v1/me/inbox", headers=me).json()
    [told] = [n for n in inbox if n.get("kind") == "restoration_decision"]
    assert "已完成整改，同意提前移出" in str(told) and "同意提前移出名单" in str(told)


def test_binding_with_the_printed_notice_s_code_delivers_it_and_opens_the_window__LST_2(
    api: TestClient, world: World, clock: FixedClock
) -> None:
    """The person binds an account with the code printed on the notice before the unit
    records its delivery: the notice is in its inbox from that day, so the objection
    window runs from it; the inbox copy gives the deadline as a date."""
    w = world
    number = demo_ric("41010519900101007")
    w.submit("XZCF", [person_punishment_row(7, serious_class="art33_3")])
    person = subject_id(api, "ric", number)
    eid = api.post(
        "/api/v1/lists/entries",
        headers=DESIGNATOR,
        json={"standard": "SCJG-HMD", "subject_id": person, "facts": "售假"},
    ).json()["id"]
    api.post(f"/api/v1/lists/entries/{eid}/notice", headers=DESIGNATOR)
    [printed] = [
        n
        for n in api.get("/api/v1/subject-notices", headers=DESIGNATOR).json()
        if n["kind"] == "written_notice"
    ]
    sheet = api.post(f"/api/v1/subject-notices/{printed['id']}/printable", headers=DESIGNATOR)
    code = re.search(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}", sheet.text)
    assert code is not None, sheet.text
    w.advance(3)
    made = activate(api, code.group(0), number=number, username="li.shili")
    assert made.status_code == 201, made.text
    entry = api.get(f"/api/v1/lists/entries/{eid}", headers=DESIGNATOR).json()
    assert entry["window_due"] is not None and entry["window_due"] > w.ctx.today().isoformat()
    # No longer awaiting delivery: its delivery is the binding's day.
    awaiting = api.get("/api/v1/subject-notices", headers=DESIGNATOR).json()
    assert printed["id"] not in [n["id"] for n in awaiting]
    inbox = api.get("/api/v1/me/inbox", headers=login(api, "li.shili")).json()
    [mine] = [n for n in inbox if n.get("kind") == "written_notice"]
    assert entry["window_due"] in str(mine)


def test_a_session_ends_when_its_holder_logs_out__SEC_1(api: TestClient) -> None:
    """A subject's session lasted its 12 hours and a person's login its 8, whatever they
    did: there was no way to end one. Logging out revokes the token sent, audited."""
    zhang = subject_id(api, "ric", ZHANG)
    activate(api, issue(api, zhang).json()["code"])
    mine = login(api)
    assert api.get("/api/v1/me/subject", headers=mine).status_code == 200
    out = api.post("/api/v1/auth/logout", headers=mine)
    assert out.status_code == 200 and out.json()["revoked"] is True
    error(api.get("/api/v1/me/subject", headers=mine), 401, "auth.revoked_token")
    error(api.post("/api/v1/auth/logout", headers=mine), 401, "auth.revoked_token")
    # A person of a unit, logged in with a password, the same way.
    session = api.post(
        "/api/v1/auth/login",
        json={"username": "admin", "password": demo.password_for("admin")},
    ).json()
    staff = {"Authorization": f"Bearer {session['token']}"}
    assert api.post("/api/v1/auth/logout", headers=staff).json()["revoked"] is True
    error(api.get("/api/v1/auth/me", headers=staff), 401, "auth.revoked_token")
    assert any(e["action"] == "auth.logout" for e in audit_of(api, "subject_session"))
    error(api.post("/api/v1/auth/logout"), 401, "auth.missing_token")
