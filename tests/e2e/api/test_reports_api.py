"""Self-inquiry, the query register and signed credit reports over HTTP (issue 10, parts 2
and 9), on SQLite and PostgreSQL: every read of a subject by a unit is registered with its
purpose and shown to the subject; two free reports a year per kind, a third only with the
fee; a report verifies by number and digest or by content, also after a restart, and a
tampered copy or a forged signature does not; the PDF carries the subject's Chinese name in
an embedded CJK font; a subject reads only its own."""

from __future__ import annotations

import base64
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from creditreg.api.app import create_app
from creditreg.bootstrap import build_context
from creditreg.clock import CST, FixedClock
from creditreg.config import Settings
from creditreg.demo.dataset import demo_ric, demo_uscc
from creditreg.services.context import Context
from tests.conftest import DbTarget
from tests.e2e.api.test_accounts_api import (
    LI,
    PLATFORM,
    ZHANG,
    activate,
    issue,
    login,
    subject_id,
)
from tests.e2e.api.test_api import error
from tests.e2e.conftest import bearer
from tests.factories import punishment_row
from tests.lists_world import World, make_world
from tests.objection_helpers import file_objection

DESIGNATOR = bearer("designator")


def _account(api: TestClient, sid: int) -> dict[str, str]:
    code = issue(api, sid).json()["code"]
    assert activate(api, code).status_code == 201
    return login(api)


def _report(api: TestClient, sid: int, headers: dict[str, str] = PLATFORM, **body: Any) -> Any:
    return api.post(f"/api/v1/subjects/{sid}/reports", headers=headers, json=body)


def test_every_read_by_a_unit_is_registered_with_its_purpose_and_shown__SEC_2_RIG_1_RIG_3(
    api: TestClient,
) -> None:
    zhang = subject_id(api, "ric", ZHANG)  # one read by the platform (purpose: duties)
    api.get(f"/api/v1/subjects/{zhang}", headers={**DESIGNATOR, "X-Purpose": "designation"})
    api.get(
        f"/api/v1/subjects/{zhang}",
        headers=DESIGNATOR,
        params={"purpose": "objection", "purpose_note": "异议 42"},
    )
    # A purpose outside the list is refused, and nothing is read or registered.
    error(
        api.get(f"/api/v1/subjects/{zhang}", headers=DESIGNATOR, params={"purpose": "curiosity"}),
        422,
        "request.invalid",
    )
    seen = api.get(f"/api/v1/subjects/{zhang}/self-inquiry", headers=PLATFORM)
    assert seen.status_code == 200, seen.text
    body = seen.json()
    assert body["subject"]["name"] == "张示例" and body["subject"]["id_number"] == ZHANG
    queries = [
        (q["actor"].split(":")[0], q["purpose"], q["note"], q["what"]) for q in body["queries"]
    ]
    assert ("token", "objection", "异议 42", "subject") in queries
    assert ("token", "designation", None, "subject") in queries
    assert ("token", "duties", None, "subject.lookup") in queries
    assert len(queries) == 3  # the refused read left nothing
    by_unit = {q["purpose"]: q for q in body["queries"]}
    assert by_unit["designation"]["unit"] and by_unit["designation"]["purpose_zh"] == "名单认定"
    assert set(body["records"]) == {"public_display", "government_sharing", "authorized_inquiry"}
    # The operator's self-inquiry at the counter is itself a registered read.
    again = api.get(f"/api/v1/subjects/{zhang}/self-inquiry", headers=PLATFORM).json()
    assert again["queries"][0]["what"] == "self_inquiry"
    # A unit without the counter's permission cannot look at a self-inquiry.
    error(
        api.get(f"/api/v1/subjects/{zhang}/self-inquiry", headers=DESIGNATOR),
        403,
        "access.missing_permission",
    )


def test_the_register_keeps_two_years__SEC_2(api: TestClient, clock: FixedClock) -> None:
    zhang = subject_id(api, "ric", ZHANG)
    start = clock.now()
    clock.set(start.replace(year=start.year - 2, month=1))  # 2024-01: more than two years back
    api.get(f"/api/v1/subjects/{zhang}", headers=DESIGNATOR)
    clock.set(start)
    whats = [
        q["at"][:4]
        for q in api.get(f"/api/v1/subjects/{zhang}/self-inquiry", headers=PLATFORM).json()[
            "queries"
        ]
    ]
    assert "2024" not in whats  # outside the window the subject sees (the sweep: CLI test)


def test_a_subject_sees_its_own_and_never_another_s__RIG_1_SEC_2(api: TestClient) -> None:
    zhang, li = subject_id(api, "ric", ZHANG), subject_id(api, "ric", LI)
    mine = _account(api, zhang)
    me = api.get("/api/v1/me/self-inquiry", headers=mine)
    assert me.status_code == 200 and me.json()["subject"]["id"] == zhang
    # Its own reads are not queries by a unit: the register does not grow with them.
    assert api.get(f"/api/v1/subjects/{zhang}/self-inquiry", headers=mine).status_code == 200
    assert all(q["actor"].startswith("token:") for q in me.json()["queries"])
    error(
        api.get(f"/api/v1/subjects/{li}/self-inquiry", headers=mine),
        403,
        "account.not_your_subject",
    )
    error(_report(api, li, mine), 403, "account.not_your_subject")
    assert api.get(f"/api/v1/subjects/{li}/reports", headers=PLATFORM).json() == []
    made = api.post("/api/v1/me/reports", headers=mine, json={})
    assert made.status_code == 201, made.text
    number = made.json()["number"]
    assert api.get(f"/api/v1/reports/{number}", headers=mine).status_code == 200
    theirs = _report(api, li).json()["number"]  # issued at the counter for 李样例
    error(api.get(f"/api/v1/reports/{theirs}", headers=mine), 403, "account.not_your_subject")
    error(api.get(f"/api/v1/reports/{theirs}/pdf", headers=mine), 403, "account.not_your_subject")
    error(api.get(f"/api/v1/subjects/{li}/reports", headers=mine), 403, "account.not_your_subject")


def test_two_free_reports_a_year_then_only_with_the_fee__RIG_2(api: TestClient) -> None:
    zhang = subject_id(api, "ric", ZHANG)
    first, second = _report(api, zhang), _report(api, zhang)
    assert first.status_code == second.status_code == 201, first.text
    assert first.json()["free"] and second.json()["free"]
    assert first.json()["number"] != second.json()["number"]
    # A third one asked for free: refused with the fee, nothing stored.
    third = _report(api, zhang)
    error(third, 409, "report.no_free_report_left")
    assert "10.00 yuan" in third.json()["error"]["message"]
    assert len(api.get(f"/api/v1/subjects/{zhang}/reports", headers=PLATFORM).json()) == 2
    paid = _report(api, zhang, accept_fee=True)
    assert paid.status_code == 201 and paid.json()["free"] is False
    assert paid.json()["fee_fen"] == 1000 and paid.json()["content"]["free"] is False
    listed = api.get(f"/api/v1/subjects/{zhang}/reports", headers=PLATFORM).json()
    assert [r["free"] for r in listed] == [False, True, True]


def test_a_report_shows_sources_entries_objections_and_queries__RIG_2_RIG_3(
    api: TestClient, ctx: Context, clock: FixedClock
) -> None:
    world = make_world(ctx, clock)
    _blacklisted(api, world)
    company = world.company(1)
    api.get(f"/api/v1/subjects/{company}", headers={**DESIGNATOR, "X-Purpose": "designation"})
    made = _report(api, company)
    assert made.status_code == 201, made.text
    content = made.json()["content"]
    records = [r for mode in content["records"].values() for r in mode]
    assert records and all(r["source"]["catalog_code"] and r["source"]["batch_id"] for r in records)
    assert any(ch["action"] == "record.verify" for r in records for ch in r["changes"])
    assert content["list_entries"][0]["history"]
    assert content["open_objections"][0]["grounds"] == "处罚已撤销"
    due = content["open_objections"][0]["due_date"]
    assert due and content["open_objections"][0]["status"] == "received"
    assert any(q["purpose"] == "designation" for q in content["queries"])
    # Who looked, and when, in China's time as the report's own issue time (the register
    # keeps UTC: "2026-03-02T01:00:00" was printed for nine in the morning).
    looked = next(q for q in content["queries"] if q["purpose"] == "designation")
    moment = datetime.fromisoformat(looked["at"])
    local = moment.astimezone(CST).strftime("%Y-%m-%d %H:%M")  # the page says 北京时间
    page = api.get(f"/api/v1/reports/{made.json()['number']}/html", headers=PLATFORM).text
    assert "北京时间" in page and local in page
    assert moment.strftime("%Y-%m-%d %H:%M") not in page and looked["at"][:19] not in page
    assert f"已收到，待受理，处理期限 {due} · 处罚已撤销" in page  # OBJ-3: where it stands
    # Codes are words to the Chinese reader: the identifier's type, the steps taken.
    assert "统一社会信用代码" in page and "书面告知" in page and "核实" in page
    assert "notify:" not in page and "record.verify" not in page
    # A specialised report: field by field, with its source, for a period it chooses.
    special = _report(api, company, kind="specialised", period_from="2025-01-01")
    assert special.status_code == 201, special.text
    fields = {f["field"]: f for f in special.json()["content"]["fields"]}
    # The punishment came from the demo tax bureau: its catalog item took the bureau's field.
    taxation = fields["taxation"]
    assert taxation["untrustworthy"] is True and taxation["finding_zh"] == "有失信信息"
    assert taxation["label_zh"] == "税务"
    assert [i["source"]["catalog_code"] for i in taxation["items"]] == ["XZCF"]
    # A blacklist entry not designated (under objection) is no finding of untrustworthiness.
    assert fields["market_regulation"]["untrustworthy"] is False
    assert fields["market_regulation"]["finding_zh"] == "未发现失信信息"
    # Counted apart from full reports; a person gets none; a period must make sense.
    zhang = subject_id(api, "ric", ZHANG)
    error(_report(api, zhang, kind="specialised"), 422, "report.specialised_for_organizations")
    error(
        _report(api, company, kind="specialised", period_to="2027-01-01"),
        422,
        "report.invalid_period",
    )
    error(
        _report(api, company, kind="specialised", period_from="2019-01-01"),
        422,
        "report.invalid_period",
    )


def test_a_report_reads_in_chinese_and_masks_a_third_persons_numbers__RIG_2_DIS_3(
    api: TestClient, ctx: Context, clock: FixedClock
) -> None:
    """A report is handed to third parties: a record's fields under its template's labels,
    a legal representative's document number masked, whether its shape says so (a
    resident ID) or only its field does (a passport); the platform's own words in
    Chinese; times to the minute in Beijing time."""
    world = make_world(ctx, clock)
    ric = demo_ric("41010519800101123")
    world.submit(
        "XZCF",
        [
            punishment_row(
                1,
                legal_rep_id_type="身份证",
                legal_rep_id_number=ric,
                serious_class="art33_2",
                severity="serious",
            ),
            punishment_row(
                1,
                decision_number="郑税罚〔2026〕99号",
                legal_rep_id_type="护照",
                legal_rep_id_number="E98765432",
            ),
        ],
    )
    checked = api.post(
        "/api/v1/check",
        headers=bearer("implementer"),
        json={
            "id_type": "uscc",
            "id_number": demo_uscc("91410100MC0000001"),
            "purpose": "other",
            "note": "年度评优",
        },
    )
    assert checked.status_code == 200, checked.text
    made = _report(api, world.company(1))
    assert made.status_code == 201, made.text
    records = [r for mode in made.json()["content"]["records"].values() for r in mode]
    numbers = [r["data"]["legal_rep_id_number"] for r in records]
    assert ric not in str(made.json()) and "E98765432" not in str(made.json())
    assert numbers[0].startswith(ric[:4]) and "*" in numbers[0] and "*" in numbers[1]
    assert records[0]["labels"]["legal_rep_id_number"] == "法定代表人证件号码"
    page = api.get(f"/api/v1/reports/{made.json()['number']}/html", headers=PLATFORM).text
    assert "法定代表人证件号码：" in page and "行政处罚决定书文号：郑税罚〔2026〕99号" in page
    assert "legal_rep_id_number" not in page and "decision_date:" not in page
    assert "《条例》第三十三条第（2）项" in page and "art33_2" not in page
    assert "批次" in page and "batch" not in page
    assert "失信严重程度：严重" in page and "：serious" not in page
    assert "（其他：年度评优）" in page and "other:" not in page  # who looked, and why
    # The self-inquiry is the subject's own: the fields as stored, no labels.
    inquiry = api.get(f"/api/v1/subjects/{world.company(1)}/self-inquiry", headers=PLATFORM)
    [first, *_] = [r for mode in inquiry.json()["records"].values() for r in mode]
    assert "labels" not in first or first["labels"] is None


def _blacklisted(api: TestClient, w: World) -> int:
    from tests.e2e.api.test_accounts_api import _notify

    eid = _notify(api, w)
    objected = file_objection(api, bearer("platform"), "list_entry", eid, "处罚已撤销")
    assert objected.status_code in (200, 201), objected.text
    return eid


def test_a_report_verifies_and_a_tampered_or_forged_one_does_not__RIG_2(
    api: TestClient,
) -> None:
    zhang = subject_id(api, "ric", ZHANG)
    made = _report(api, zhang).json()
    number, digest, content = made["number"], made["digest"], made["content"]
    verify = "/api/v1/public/reports/verification"
    ok = api.post(verify, json={"number": number, "digest": digest})
    assert ok.status_code == 200 and ok.json()["genuine"] is True
    assert ok.json()["subject_name"] == "张示例"
    assert api.post(verify, json={"content": content, "signature": made["signature"]}).json()[
        "genuine"
    ]
    tampered = {**content, "subject": {**content["subject"], "name": "张改名"}}
    said = error(api.post(verify, json={"content": tampered}), 422, "report.altered")
    assert made["digest"][:8] not in said  # the digest issued is the holder's, not told
    said = error(
        api.post(verify, json={"number": number, "digest": "0" * 64}), 422, "report.altered"
    )
    assert made["digest"][:8] not in said
    forged = base64.b64encode(b"\x01" * 64).decode()
    error(
        api.post(verify, json={"content": content, "signature": forged}),
        422,
        "report.bad_signature",
    )
    error(
        api.post(verify, json={"number": "CR-20260302-FFFFFFFFFF", "digest": digest}),
        404,
        "report.not_found",
    )
    error(api.post(verify, json={"number": "12", "digest": digest}), 422, "report.invalid_number")
    error(api.post(verify, json={}), 422, "report.nothing_to_verify")
    # The public key, to verify offline: the signature is over the canonical JSON.
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    from creditreg.domain.kernel.audit import canonical_json

    pem = api.get("/api/v1/public/reports/key.pem")
    assert pem.status_code == 200 and "BEGIN PUBLIC KEY" in pem.text
    load_pem_public_key(pem.text.encode()).verify(  # type: ignore[call-arg]
        base64.b64decode(made["signature"]), canonical_json(content)
    )
    assert api.get("/api/v1/public/reports/key").json()["key_id"] == made["key_id"]
    # The public page says the same to a person.
    page = api.get("/reports/verify", params={"number": number, "digest": digest})
    assert page.status_code == 200 and "genuine and unaltered" in page.text
    bad = api.get("/reports/verify", params={"number": number, "digest": "1" * 64})
    assert bad.status_code == 422 and "report.altered" in bad.text
    # Too long, too: said on the page (HTML), not as a JSON error.
    for params in ({"number": "X" * 41, "digest": digest}, {"number": number, "digest": "1" * 65}):
        long = api.get("/reports/verify", params=params)
        assert long.status_code == 422 and long.headers["content-type"].startswith("text/html")
        assert "report.invalid_" in long.text
    # Said in Chinese too, in the portal's frame, with what was typed kept; far too long,
    # half given or with a NUL, it is still a page (a tryout found raw JSON for these).
    assert "已被改动" in bad.text and 'value="1111' in bad.text and "名单公示" in bad.text
    html = {"Accept": "text/html"}
    for params in (
        {"number": "X" * 3000, "digest": digest},
        {"number": number},
        {"number": number + "\x00", "digest": digest},
    ):
        shown = api.get("/reports/verify", params=params, headers=html)
        assert shown.status_code == 422 and shown.headers["content-type"].startswith("text/html")
        assert "{" not in shown.text.split("<body>")[-1][:50]
    half = api.get("/reports/verify", params={"number": number}, headers=html)
    assert "请同时填写报告编号和摘要" in half.text and number in half.text


def test_a_report_issued_before_a_restart_verifies_after_it__RIG_2(
    api: TestClient, db: DbTarget, clock: FixedClock
) -> None:
    zhang = subject_id(api, "ric", ZHANG)
    made = _report(api, zhang).json()
    restarted = build_context(db.settings(), clock=FixedClock(clock.now()))
    try:
        with TestClient(create_app(restarted, Settings())) as again:
            ok = again.post(
                "/api/v1/public/reports/verification",
                json={"number": made["number"], "digest": made["digest"]},
            )
            assert ok.status_code == 200 and ok.json()["genuine"], ok.text
            assert again.get("/api/v1/public/reports/key").json()["key_id"] == made["key_id"]
    finally:
        restarted.db.dispose()


def test_the_pdf_renders_chinese_in_an_embedded_cjk_font__RIG_2(
    api: TestClient, ctx: Context, tmp_path: Path
) -> None:
    zhang = subject_id(api, "ric", ZHANG)
    made = _report(api, zhang).json()
    pdf = api.get(f"/api/v1/reports/{made['number']}/pdf", headers=PLATFORM)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout
    assert "张示例" in text.decode() and made["digest"] in text.decode()
    assert made["number"] in text.decode()
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout
    rows = [line.split() for line in fonts.decode().splitlines()[2:]]
    assert any("WenQuanYi" in r[0] and "yes" in r[-5:-2] for r in rows), fonts.decode()
    html = api.get(f"/api/v1/reports/{made['number']}/html", headers=PLATFORM)
    assert "张示例" in html.text and made["digest"] in html.text
    # Without the font: a clear error naming the package, never a PDF of empty boxes.
    ctx.report_font_file = tmp_path / "missing.ttc"
    missing = error(
        api.get(f"/api/v1/reports/{made['number']}/pdf", headers=PLATFORM),
        503,
        "report.font_missing",
    )
    assert "fonts-wqy-zenhei" in missing


@pytest.fixture(autouse=True)
def _pdf_tools() -> None:
    for tool in ("pdftotext", "pdffonts"):
        if subprocess.run(["which", tool], capture_output=True).returncode != 0:
            pytest.fail(f"{tool} is missing: apt-get install poppler-utils")


def test_an_authorized_inquiry_is_registered_and_the_report_shows_the_authorization__DIS_6_SEC_2(
    api: TestClient,
) -> None:
    from tests.e2e.api import test_authorizations_api as authz

    sid, me = authz.zhang.__wrapped__(api)  # type: ignore[attr-defined]
    bank = authz._unit_of(api, "implementer")
    assert authz._grant(api, me, bank).status_code == 201
    assert authz._inquire(api, sid).status_code == 200
    seen = api.get("/api/v1/me/self-inquiry", headers=me).json()
    [granted] = seen["authorizations"]
    assert granted["purpose"] == "贷款审批" and len(granted["uses"]) == 1
    assert [r["source"]["catalog_code"] for r in seen["records"]["authorized_inquiry"]] == ["SQCX"]
    [asked] = [q for q in seen["queries"] if q["what"] == "authorized_inquiry"]
    assert asked["purpose"] == "authorized_inquiry" and asked["note"] == "贷款审批"
    assert asked["unit_id"] == bank and asked["purpose_zh"] == "授权查询"
    report = api.post("/api/v1/me/reports", headers=me, json={}).json()
    assert report["content"]["authorizations"][0]["uses"]
    html = api.get(f"/api/v1/reports/{report['number']}/html", headers=me).text
    assert "书面授权" in html and "贷款审批" in html
