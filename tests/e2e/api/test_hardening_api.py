"""Defects a hostile tester found (issue 9), each through the public interfaces."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from creditreg.api.app import create_app
from creditreg.bootstrap import build_context
from creditreg.clock import FixedClock
from creditreg.config import Settings
from creditreg.demo.dataset import demo_uscc
from creditreg.demo.dataset import password_for as demo_password
from creditreg.domain.privacy import CONSENT_WARNING
from creditreg.services.context import Context
from creditreg.store.engine import make_engine
from creditreg.store.subjects.tables import subject
from tests.conftest import DbTarget
from tests.e2e.api.test_api import NEW_PERSON, error
from tests.e2e.api.test_ingest import upload, xlsx_bytes
from tests.e2e.api.test_lists_api import DESIGNATOR, propose
from tests.e2e.conftest import bearer
from tests.factories import person_punishment_row, punishment_row
from tests.lists_world import make_world
from tests.notice_delivery import notify_over_api

PLATFORM = bearer("platform")
# A resident ID number typed into free text (the check character is off: still personal).
LEAKED = "410105199001010070"


def _unit_of(api: TestClient, key: str) -> int:
    return int(api.get("/api/v1/auth/me", headers=bearer(key)).json()["unit_id"])


def test_a_unit_records_consents_only_for_itself_and_a_forgery_is_audited__PRI_1_SEC_3(
    api: TestClient,
) -> None:
    """Issue 9, defect 4: a consent recorded for another unit would unlock that unit's
    income and tax submissions for the person (Art 45): 403, nothing stored, audited."""
    person = api.post(
        "/api/v1/subjects",
        headers=bearer("provider"),
        json={
            "kind": "natural_person",
            "id_type": "ric",
            "id_number": NEW_PERSON,
            "name": "王示例",
        },
    ).json()["id"]
    body = {
        "subject_id": person,
        "categories": ["income"],
        "purpose": "贷款审批",
        "written": True,
        "warning_shown": CONSENT_WARNING,
        "granted_on": "2026-03-01",
    }
    other = _unit_of(api, "designator")
    error(
        api.post("/api/v1/consents", headers=bearer("provider"), json={**body, "unit_id": other}),
        403,
        "privacy.consent_for_another_unit",
    )
    refused = api.get("/api/v1/audit/events?object_type=consent", headers=PLATFORM).json()
    assert [e["action"] for e in refused] == ["consent.record.refused"]
    own = _unit_of(api, "provider")
    made = api.post("/api/v1/consents", headers=bearer("provider"), json={**body, "unit_id": own})
    assert made.status_code == 201, made.text
    actions = [
        e["action"]
        for e in api.get("/api/v1/audit/events?object_type=consent", headers=PLATFORM).json()
    ]
    assert actions == ["consent.record.refused", "consent.record"]


def test_published_free_text_masks_personal_numbers__DIS_3(
    api: TestClient, ctx: Context, clock: FixedClock
) -> None:
    """Issue 9, defect 6a: a designation's facts quoting an ID number, a legacy 15-digit
    number and a mobile number are published masked; a company's USCC is not."""
    w = make_world(ctx, clock)
    w.serious(1)
    company = api.get(f"/api/v1/subjects/{w.company(1)}", headers=PLATFORM).json()["id_number"]
    # A name as a providing unit typed it, with the legal representative's number in it.
    company_id = w.company(1)
    with ctx.db.write() as conn:
        conn.execute(
            sa.update(subject)
            .where(subject.c.id == company_id)
            .values(name=f"郑州示例贸易有限公司1（法人{LEAKED}）")
        )
    # Typed with a Chinese input method, the same numbers come in full-width digits; or
    # in groups, or after letters, or with the country code.
    wide = {ord(c): ord(c) + 0xFEE0 for c in "0123456789"}
    grouped = f"{LEAKED[:6]} {LEAKED[6:14]} {LEAKED[14:]}"
    facts = (
        f"当事人（公民身份号码{LEAKED}）严重违法，联系电话13812345678，"
        f"旧证号410105900101007，所在企业{company}；"
        f"其配偶（身份证{LEAKED.translate(wide)}，电话{'13912345678'.translate(wide)}）；"
        f"其子（{grouped}，ID{LEAKED}，+86 137-0013-7000）"
    )
    eid = propose(api, w, facts=facts).json()["id"]
    notify_over_api(api, eid, DESIGNATOR)
    w.advance(8)
    api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR)
    for text in (api.get("/api/v1/public/lists").text, api.get("/lists").text):
        assert LEAKED not in text and "13812345678" not in text
        assert "410105900101007" not in text
        assert "4101************70" in text and company in text
        assert LEAKED.translate(wide) not in text and "13912345678".translate(wide) not in text
        assert grouped not in text and "137-0013-7000" not in text
        # The facts' four and the name's: masked wherever they are shown.
        assert text.count("4101************70") >= 5 and "13*******78" in text
    # An implementing unit without personal:read reads the entry masked too; the
    # designating unit, which holds it, reads the facts as written.
    seen = api.get(f"/api/v1/lists/entries/{eid}", headers=bearer("implementer")).json()
    assert LEAKED not in seen["facts"]


def test_a_database_error_never_carries_its_parameters__DIS_3(db: DbTarget) -> None:
    """Issue 9, defect 6b: hide_parameters, so a logged traceback holds no ID number."""
    engine = make_engine(db.url, db.schema)
    try:
        with pytest.raises(sa.exc.DBAPIError) as failed, engine.connect() as conn:
            conn.execute(sa.text("SELECT * FROM no_such_table WHERE x = :n"), {"n": LEAKED})
        assert LEAKED not in str(failed.value)
    finally:
        engine.dispose()


def test_an_xlsx_bomb_is_refused_before_it_expands__ING_1(api: TestClient) -> None:
    """Issue 9, defect 8: a small workbook whose shared strings expand a thousandfold is
    refused with a code, before openpyxl reads it; nothing is stored."""
    good = xlsx_bytes([punishment_row(1)])
    bomb = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as source,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for item in source.infolist():
            out.writestr(item.filename, source.read(item.filename))
        strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        out.writestr("xl/sharedStrings.xml", strings + b"<si><t>a</t></si>" * 1_500_000 + b"</sst>")
    assert len(bomb.getvalue()) < 200_000
    error(upload(api, "bomb.xlsx", bomb.getvalue()), 422, "file.xlsx_bomb")
    assert api.get("/api/v1/records/verification", headers=PLATFORM).json() == []
    assert upload(api, "fine.xlsx", good).status_code == 201


def _submit(api: TestClient, row: dict[str, object]) -> object:
    return api.post(
        "/api/v1/records", headers=bearer("provider"), json={"catalog": "XZCF", "data": row}
    )


def test_an_unincorporated_organization_is_an_organization_of_the_template__SUB_1_ING_1(
    api: TestClient,
) -> None:
    """Issue 9, defect 10: "法人及非法人组织" covers unincorporated organizations too."""
    code = demo_uscc("91410100MD0000001")
    made = api.post(
        "/api/v1/subjects",
        headers=bearer("provider"),
        json={"kind": "unincorporated_org", "id_type": "uscc", "id_number": code, "name": "合伙"},
    )
    assert made.status_code == 201, made.text
    stored = _submit(api, punishment_row(1, uscc=code, party_name="合伙"))
    assert stored.status_code == 201, stored.text  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"decision_date": "2026-03-03"}, "decision_date", "record.decision_date_out_of_range"),
        ({"decision_date": "1949-09-30"}, "decision_date", "record.decision_date_out_of_range"),
        (
            {"decision_date": "9999-12-31", "valid_until": "9999-12-31"},
            "decision_date",
            "record.decision_date_out_of_range",
        ),
        ({"fine_10k_cny": "1e400"}, "fine_10k_cny", "record.bad_value"),
        ({"fine_10k_cny": "0.00001"}, "fine_10k_cny", "record.bad_value"),
        # An amount is 0 or more, written with ASCII digits and a point, no more.
        ({"fine_10k_cny": "-5"}, "fine_10k_cny", "record.bad_value"),
        ({"fine_10k_cny": "1_000"}, "fine_10k_cny", "record.bad_value"),
        ({"fine_10k_cny": "١٢٣"}, "fine_10k_cny", "record.bad_value"),
        # A date is a date: not an ISO week, not a day with an impossible hour.
        ({"decision_date": "2026-W01-1"}, "decision_date", "record.bad_value"),
        ({"decision_date": "2026-01-05T25:00"}, "decision_date", "record.bad_value"),
        # A list or an object where one value belongs was stored as "['a', 'b']".
        ({"facts": ["a", "b"]}, "facts", "record.bad_value"),
        ({"facts": {"a": 1}}, "facts", "record.bad_value"),
        # A control character (a NUL is refused before any route: request.bad_character).
        ({"facts": "未按期\x1b[2J申报"}, "facts", "record.bad_value"),
        ({"party_name": "示例\x07公司"}, "party_name", "record.bad_value"),
    ],
)
def test_dates_and_amounts_out_of_range_are_rejected_row_by_row__ING_1_ING_3(
    api: TestClient, changes: dict[str, object], field: str, code: str
) -> None:
    """Issue 9, defect 10: a decision after today (2026-03-02 here) or before 1949-10-01,
    an amount beyond the column's precision: a 422 naming the row and field."""
    refused = _submit(api, punishment_row(1, **changes))
    assert refused.status_code == 422, refused.text  # type: ignore[attr-defined]
    body = refused.json()["error"]  # type: ignore[attr-defined]
    assert body["code"] == "record.batch_rejected"
    [rejection] = body["details"]["rejected"]
    assert (rejection["field"], rejection["code"]) == (field, code)
    assert api.get("/api/v1/records/verification", headers=PLATFORM).json() == []


def test_a_uscc_error_says_which_characters_are_wrong__SUB_2(api: TestClient) -> None:
    body = {"id_type": "uscc", "id_number": "9141A100MA000000IO"}
    message = error(
        api.post("/api/v1/identifiers/validate", json=body), 422, "subject.invalid_uscc"
    )
    assert "character 5 'A' is not a digit" in message and "character 17 'I'" in message


HUGE = 2**63  # one past the largest BIGINT
WHO = {"withdrawal": "provider", "consents": "provider", "designation": "designator",
       "decision": "designator"}  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", f"/api/v1/subjects/{HUGE}", None),
        ("get", f"/api/v1/subjects/{HUGE}/links", None),
        ("get", f"/api/v1/records/{HUGE}", None),
        ("post", f"/api/v1/records/{HUGE}/withdrawal", {"reason": "x"}),
        ("post", f"/api/v1/inbox/{HUGE}/read", None),
        ("get", f"/api/v1/lists/entries/{10**23}", None),
        ("post", f"/api/v1/lists/entries/{HUGE}/designation", None),
        ("post", f"/api/v1/lists/restorations/{HUGE}/decision", {"consent": True, "note": "x"}),
        ("get", f"/api/v1/lists/entries?subject_id={HUGE}", None),
        (
            "post",
            "/api/v1/consents",
            {"subject_id": HUGE, "unit_id": 3, "purpose": "x", "written": True,
             "granted_on": "2026-03-01"},
        ),
    ],
)  # fmt: skip
def test_an_id_beyond_64_bits_is_a_422_never_a_500__SEC_1(
    api: TestClient, method: str, path: str, body: dict[str, object] | None
) -> None:
    """Issue 9, defect 1: ids are BIGINT; a larger one names nothing and is refused as
    input on both databases (it overflowed into a bare 500)."""
    # Authorization comes first: each call is made by a unit allowed to make it.
    who = next((key for part, key in WHO.items() if part in path), "platform")
    answer = api.request(method, path, headers=bearer(who), json=body)
    error(answer, 422, "request.invalid")


def test_a_chunked_body_over_the_limit_is_a_413__ING_1(api: TestClient) -> None:
    """Issue 9, defect 10: without Content-Length the bytes are counted as they arrive;
    past the limit the answer is 413 request.too_large (it was 400 'error parsing')."""

    def chunks() -> Iterator[bytes]:
        for _ in range(50):
            yield b'{"padding": "' + b"x" * 10_000 + b'"}'

    answer = api.post(
        "/api/v1/records",
        content=chunks(),
        headers={**bearer("provider"), "Content-Type": "application/json"},
    )
    error(answer, 413, "request.too_large")


def test_a_consent_names_a_known_person_and_is_not_dated_ahead__PRI_1(api: TestClient) -> None:
    """A consent for a subject that does not exist is a 404 (it said 'not a person'); one
    dated after today is refused (a consent is recorded once given)."""
    own = _unit_of(api, "provider")
    body = {
        "unit_id": own,
        "categories": [],
        "purpose": "贷款审批",
        "written": True,
        "granted_on": "2026-03-01",
    }
    headers = bearer("provider")
    error(api.post("/api/v1/consents", headers=headers, json={**body, "subject_id": 999}), 404,
          "subject.not_found")  # fmt: skip
    person = api.post(
        "/api/v1/subjects",
        headers=headers,
        json={"kind": "natural_person", "id_type": "ric", "id_number": NEW_PERSON, "name": "王"},
    ).json()["id"]
    ahead = {**body, "subject_id": person, "granted_on": "2099-01-01"}
    error(api.post("/api/v1/consents", headers=headers, json=ahead), 422,
          "privacy.consent_in_future")  # fmt: skip


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/api/v1/records", {"catalog": "XZCF", "data": {"x": 10**20}}, 422,
         "record.batch_rejected"),
        ("/api/v1/records", {"catalog": "NOPE", "data": {"x": 10**20}}, 404, "catalog.not_found"),
        ("/api/v1/records/batches", {"catalog": "XZCF", "rows": [{"x": 10**20}]}, 422,
         "record.batch_rejected"),
    ],
)  # fmt: skip
def test_numbers_beyond_64_bits_in_record_data_are_rejected_not_a_500__ING_1(
    api: TestClient, path: str, body: dict[str, object], status: int, code: str
) -> None:
    """Issue 9, defect 1: the content digest handles any JSON number."""
    error(api.post(path, headers=bearer("provider"), json=body), status, code)


def test_an_unreachable_database_is_a_503_with_retry_after__SEC_1() -> None:
    """Issue 9, defect 10: a lost database connection answered a stack trace; now a 503
    with a code and Retry-After, as the OpenAPI document says."""
    settings = Settings(database_url="postgresql://postgres@127.0.0.1:1/nowhere")
    ctx = build_context(settings)
    try:
        with TestClient(create_app(ctx, settings), raise_server_exceptions=False) as client:
            answer = client.get("/api/v1/lists/entries", headers=PLATFORM)
            assert answer.status_code == 503 and answer.headers["Retry-After"] == "2"
            assert answer.json()["error"]["code"] == "db.unavailable"
            listed = client.get("/openapi.json").json()["paths"]["/api/v1/lists/entries"]
            assert "503" in listed["get"]["responses"]
    finally:
        ctx.db.dispose()


def test_the_art_45_warning_is_published_for_the_consent_it_must_match__PRI_2(
    api: TestClient,
) -> None:
    """Issue 9, defect 10: the consent endpoint demanded the exact warning text that no
    endpoint published. It is public now, and it is the text a consent must carry."""
    published = api.get("/api/v1/consents/warning").json()
    assert published["warning"] == CONSENT_WARNING and "income" in published["categories"]
    assert "genetics" in published["forbidden"]


def test_failed_logins_are_audited_and_throttled_per_account__SEC_1_SEC_3(
    api: TestClient, clock: FixedClock
) -> None:
    """Issue 9, defect 9: failed logins left no trace and were never slowed. Each is
    audited; after 5 in 15 minutes the account is refused with 429 and Retry-After, even
    with the right password, until the window passes; state is in the database."""
    wrong = {"username": "provider", "password": "not the password at all"}
    for _ in range(5):
        error(api.post("/api/v1/auth/login", json=wrong), 401, "auth.bad_credentials")
    right = {"username": "provider", "password": demo_password("provider")}
    refused = api.post("/api/v1/auth/login", json=right)
    error(refused, 429, "auth.throttled")
    assert 1 <= int(refused.headers["Retry-After"]) <= 15 * 60
    failed = [
        e
        for e in api.get("/api/v1/audit/events?limit=1000", headers=PLATFORM).json()
        if e["action"] == "auth.login_failed"
    ]
    assert len(failed) == 5 and {e["actor"] for e in failed} == {"login:provider"}
    clock.advance(timedelta(minutes=16))
    assert api.post("/api/v1/auth/login", json=right).status_code == 200


def test_authorization_comes_before_the_body_is_validated__SEC_1(api: TestClient) -> None:
    """Issue 9, defect 10: drafting a catalog item validated the body before checking the
    caller's permission; a caller without catalog:write or catalog:file now gets 403
    for any well-formed body (FastAPI decodes the JSON itself before any dependency)."""
    implementer = bearer("implementer")
    error(api.post("/api/v1/catalog/items", json={"nonsense": 1}, headers=implementer), 403,
          "access.missing_permission")  # fmt: skip


def test_refused_calls_are_registered_per_caller_and_minute__SEC_3(api: TestClient) -> None:
    """Issue 9, defect 9: about 80 refused calls wrote no trace. Each is counted per
    caller, minute and code; the first of a minute is an audit event, so a flood of
    refusals costs one row a minute, not one a call."""
    for _ in range(3):
        error(api.get("/api/v1/units"), 401, "auth.missing_token")
    for _ in range(2):
        error(api.get("/api/v1/audit/verify", headers=bearer("implementer")), 403,
              "access.missing_permission")  # fmt: skip
    register = {
        (r["caller"], r["code"]): r["count"]
        for r in api.get("/api/v1/audit/refusals", headers=PLATFORM).json()
    }
    assert register[("address:testclient", "auth.missing_token")] == 3
    assert register[("token:4", "access.missing_permission")] == 2
    refused = [
        e
        for e in api.get("/api/v1/audit/events?object_type=refusal", headers=PLATFORM).json()
        if e["action"] == "access.refused"
    ]
    assert len(refused) == 2  # one per caller, minute and code


def test_fuzzer_findings_an_undecodable_body_and_a_huge_version__ING_1(api: TestClient) -> None:
    """Found by schemathesis against a live server: a body that is not UTF-8 answered an
    undocumented 400, and `?version=` beyond 64 bits a 500. Both are 422 now."""
    garbled = {"Content-Type": "application/json"}
    error(api.post("/api/v1/calendar/count", content=b"\xff\xfe\x00", headers=garbled), 422,
          "request.invalid")  # fmt: skip
    error(api.post("/api/v1/auth/login", content=b"\xc3", headers=garbled), 422,
          "request.invalid")  # fmt: skip
    error(api.get("/api/v1/catalog/XZCF?version=-3051568619507282098520064"), 422,
          "request.invalid")  # fmt: skip
    error(api.get(f"/api/v1/standards/SCJG-HMD?version={2**64}"), 422, "request.invalid")


def test_a_person_s_bad_identifier_is_named_by_its_own_field__ING_3(api: TestClient) -> None:
    """A rejection names the field that holds the bad identifier (a person's document
    number, not the organization's USCC field), and does not repeat the number."""
    wrong = LEAKED[:17] + ("1" if LEAKED[17] != "1" else "2")
    refused = _submit(api, {**person_punishment_row(3), "id_number": wrong})
    assert refused.status_code == 422, refused.text  # type: ignore[attr-defined]
    [rejection] = refused.json()["error"]["details"]["rejected"]  # type: ignore[attr-defined]
    assert (rejection["field"], rejection["code"]) == ("id_number", "subject.invalid_ric")
    assert wrong not in rejection["message"]
