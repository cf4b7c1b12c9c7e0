"""Defects a hostile tester found by walking every route of the OpenAPI document with bad
input, each through the public interfaces: never a 500, nothing half-stored."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from creditreg.clock import FixedClock
from creditreg.domain.access.principals import SYSTEM
from creditreg.domain.errors import DomainError
from creditreg.services.context import Context
from creditreg.services.rights import reports
from creditreg.store.records.tables import record
from creditreg.store.rights.reports import credit_report
from tests.e2e.api.test_accounts_api import ZHANG, subject_id
from tests.e2e.api.test_api import error
from tests.e2e.api.test_ingest import upload
from tests.e2e.api.test_lists_api import DESIGNATOR, propose
from tests.e2e.conftest import bearer
from tests.factories import punishment_row
from tests.lists_world import World, make_world
from tests.notice_delivery import notify_over_api
from tests.objection_helpers import file_objection

PROVIDER = bearer("provider")
PLATFORM = bearer("platform")


@pytest.fixture
def world(api: TestClient, ctx: Context, clock: FixedClock) -> World:
    return make_world(ctx, clock)


def raw_json(api: TestClient, path: str, text: str, headers: dict[str, str] | None = None) -> Any:
    """POST `text` as it is written (JSON escapes kept, as a hostile client sends them)."""
    return api.post(
        path, content=text.encode(), headers={"Content-Type": "application/json", **(headers or {})}
    )


def records_count(ctx: Context) -> int:
    with ctx.db.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(record)).scalar_one())


def test_a_nul_or_an_unpaired_surrogate_is_refused_before_any_route__SEC_1(
    api: TestClient, ctx: Context
) -> None:
    """PostgreSQL's text cannot hold U+0000 and UTF-8 cannot encode a lone surrogate:
    both reached statements and digests and answered 500, even the login without a
    token. Refused with one code wherever they come, nothing stored; paired surrogates
    (an emoji written as escapes) are text like any other."""
    for path in (
        "/api/v1/catalog/X%00Y",
        "/api/v1/standards/X%00Y",
        "/api/v1/standards?field=a%00b",
        "/api/v1/memoranda/X%00Y",
    ):
        error(api.get(path, headers=PLATFORM), 422, "request.bad_character")
    login = '{"username": "adm\\u0000in", "password": "x"}'
    error(raw_json(api, "/api/v1/auth/login", login), 422, "request.bad_character")
    verification = '{"content": {"number": "CR-1", "a": "\\ud800"}, "signature": "AAAA"}'
    error(
        raw_json(api, "/api/v1/public/reports/verification", verification),
        422,
        "request.bad_character",
    )
    before = records_count(ctx)
    row = json.dumps(punishment_row(1))
    for bad in ('"\\ud800"', '"XZ\\u0000CF"'):
        body = f'{{"catalog": {bad}, "rows": [{row}]}}'
        error(
            raw_json(api, "/api/v1/records/batches", body, PROVIDER), 422, "request.bad_character"
        )
    key = '{"catalog": "XZCF", "rows": [{"\\udc00": 1}]}'
    error(raw_json(api, "/api/v1/records/batches", key, PROVIDER), 422, "request.bad_character")
    assert records_count(ctx) == before
    # Nested as deep as JSON parsers allow, a NUL is found without running out of stack.
    deep = "[" * 900 + '"\\u0000"' + "]" * 900
    error(raw_json(api, "/api/v1/auth/login", deep), 422, "request.bad_character")
    # An emoji as a surrogate pair is text: the login is refused as a login, not as text.
    emoji = '{"username": "\\ud83d\\ude00", "password": "a long wrong password"}'
    assert raw_json(api, "/api/v1/auth/login", emoji).status_code == 401


def test_an_entry_s_terms_out_of_range_are_refused__LST_8(api: TestClient, world: World) -> None:
    """LST-8: a key-scrutiny length of a million months was stored and made every later
    sweep fail at the entry's removal (no other entry expired); 0 months of validity and
    an empty list of channels were silently replaced by the standard's."""
    w = world
    w.serious(1)
    for terms, code in (
        ({"scrutiny_months": 1_000_000}, "entry.bad_scrutiny"),
        ({"scrutiny_months": -5}, "entry.bad_scrutiny"),
        ({"scrutiny_months": 0}, "entry.bad_scrutiny"),
        ({"validity_months": 0}, "entry.bad_validity"),
        ({"channels": []}, "entry.bad_channel"),
    ):
        error(propose(api, w, **terms), 422, code)
    assert api.get("/api/v1/lists/entries", headers=DESIGNATOR).json() == []
    assert propose(api, w, scrutiny_months=60).status_code == 201


def test_a_count_whose_pause_runs_for_millennia_is_refused_at_once__CAL_1(
    api: TestClient,
) -> None:
    """CAL-1: a pause to 9999-12-31 walked three million days, seconds of CPU for one
    request without a token; a count may now run fifty years at most."""
    body = {
        "start": "2026-12-01",
        "working_days": 1,
        "pauses": [{"start": "2026-12-01", "end": "9999-12-31"}],
    }
    message = error(api.post("/api/v1/calendar/count", json=body), 422, "calendar.out_of_range")
    assert "50 years" in message


@pytest.mark.parametrize(
    "line",
    [
        '{"decision_number": ' + "9" * 5000 + "}",  # beyond Python's digits limit
        "[" * 50_000,  # nested beyond any parser's recursion
        '{"party_name": "\\ud800"}',  # an unpaired surrogate
        '{"party_name": "a\\u0000b"}',  # a NUL
    ],
    ids=["huge_integer", "deep_nesting", "surrogate", "nul"],
)
def test_an_upload_line_no_parser_or_store_takes_rejects_the_batch__ING_1(
    api: TestClient, ctx: Context, line: str
) -> None:
    """ING-1: such JSON Lines answered 500; the batch is now rejected (all or nothing)
    with the line named, nothing stored."""
    before = records_count(ctx)
    good = json.dumps(punishment_row(1), ensure_ascii=False)
    sent = upload(api, "rows.jsonl", f"{good}\n{line}\n".encode())
    assert sent.status_code == 422, sent.text
    assert sent.json()["error"]["code"] == "record.batch_rejected"
    [rejected] = sent.json()["error"]["details"]["rejected"]
    assert rejected["row"] == 2 and rejected["code"] == "file.bad_json"
    assert records_count(ctx) == before


def test_an_upload_s_form_fields_are_bounded__ING_1(api: TestClient) -> None:
    """ING-1: a version beyond 64 bits overflowed the driver (500); a batch id longer than
    its column failed on PostgreSQL; an unknown answer format was ignored."""
    body = json.dumps(punishment_row(1)).encode()
    files = {"file": ("rows.jsonl", body, "application/json")}
    for form, params in (
        ({"catalog": "XZCF", "version": str(2**63)}, {}),
        ({"catalog": "XZCF", "batch_id": "b" * 5000}, {}),
        ({"catalog": "XZCF"}, {"format": "xml"}),
    ):
        sent = api.post(
            "/api/v1/records/uploads", headers=PROVIDER, data=form, files=files, params=params
        )
        error(sent, 422, "request.invalid")


def test_concurrent_requests_for_a_free_report_get_two_at_most__RIG_2(
    api: TestClient, ctx: Context
) -> None:
    """RIG-2, Art 40: twelve requests at once on PostgreSQL were each counted against the
    same two free reports and all issued free. Write transactions there now take turns,
    as SQLite's single writer does: never a third free report."""
    zhang = subject_id(api, "ric", ZHANG)
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(6)

    def ask() -> None:
        start.wait()
        try:
            reports.issue(ctx, SYSTEM, zhang)
            said = "free"
        except DomainError as exc:
            said = exc.code
        with lock:
            outcomes.append(said)

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 6
    assert set(outcomes) <= {"free", "report.no_free_report_left"}
    with ctx.db.read() as conn:
        free = conn.execute(
            sa.select(sa.func.count())
            .select_from(credit_report)
            .where(credit_report.c.subject_id == zhang, credit_report.c.free.is_(True))
        ).scalar_one()
    assert free == outcomes.count("free") <= 2


def test_no_value_changes_type_on_the_way_in__SEC_1(api: TestClient, ctx: Context) -> None:
    """`true` where an id belongs was unit 1 (the platform operator: an authorization
    granted to it); "no" where a boolean belongs was false; 0 where a date belongs was
    1970-01-01. Each is a 422 naming the field."""
    bad = [
        ("POST", "/api/v1/calendar/count", {"start": 0, "working_days": 1}, "start"),
        ("POST", "/api/v1/calendar/count", {"start": "2026-03-02", "working_days": True},
         "working_days"),
        ("POST", "/api/v1/records/1/verification", {"passed": "no"}, "passed"),
        ("PUT", "/api/v1/calendar/days/2026-03-04", {"working": False, "note": "\x1b[31m"},
         "note"),
    ]  # fmt: skip
    for method, path, body, field in bad:
        refused = api.request(method, path, json=body, headers=PLATFORM)
        assert refused.status_code == 422, (path, refused.text)
        problems = refused.json()["error"]["details"]["problems"]
        assert field in {p["field"] for p in problems}, problems
    # Well-typed, the same calls are answered.
    counted = api.post("/api/v1/calendar/count", json={"start": "2026-03-02", "working_days": 1})
    assert counted.status_code == 200, counted.text


def test_filters_and_limits_that_name_nothing_are_refused__STD_1_LST_7_MEA_5(
    api: TestClient,
) -> None:
    """An unknown field, list type or notice kind answered 200 with an empty list (as if
    there were none); a limit of 0 or -1 was clamped. Each is a 422 now."""
    for path, headers, code in (
        ("/api/v1/standards?field=nope", None, "standard.unknown_field"),
        ("/api/v1/standards?list_type=nope", None, "standard.bad_list_type"),
        ("/api/v1/unit-notices?kind=nope", bearer("implementer"), "unit_notice.bad_kind"),
        ("/api/v1/lists/entries?limit=0", DESIGNATOR, "request.invalid"),
        ("/api/v1/standards/SCJG-HMD/candidates?limit=-1", DESIGNATOR, "request.invalid"),
        # A day in a query is YYYY-MM-DD: "0" was 1970-01-01.
        ("/api/v1/lists/entries?as_of=0", DESIGNATOR, "request.invalid"),
        ("/api/v1/query-register?since=0", PLATFORM, "request.invalid"),
    ):
        error(api.get(path, headers=headers or {}), 422, code)
    assert api.get("/api/v1/standards?list_type=blacklist").status_code == 200
    assert api.get("/api/v1/lists/entries?as_of=2026-03-02", headers=DESIGNATOR).status_code == 200
    assert api.get("/api/v1/standards?field=market_regulation").status_code == 200
    assert api.get("/api/v1/unit-notices?kind=stop", headers=bearer("implementer")).json() == []


def test_head_is_answered_wherever_get_is_and_a_405_names_the_allowed_methods__DIS_4(
    api: TestClient,
) -> None:
    """HTTP requires HEAD where GET is served: the public lists' page and API, the portal and
    the health check were each a 405 without the Allow header a 405 must carry."""
    for path in ("/", "/lists", "/api/v1/public/lists", "/api/v1/health"):
        got, head = api.get(path), api.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b"" and head.headers["content-length"] == str(len(got.content))
        assert head.headers["content-type"] == got.headers["content-type"]
    # A protected GET is refused to a HEAD as to a GET, with no body either.
    refused = api.head("/api/v1/audit/events")
    assert refused.status_code == 401 and refused.content == b""
    wrong = api.delete("/api/v1/health")
    error(wrong, 405, "http.method_not_allowed")
    assert wrong.headers["allow"] == "GET, HEAD"
    post_only = api.get("/api/v1/check")
    error(post_only, 405, "http.method_not_allowed")
    assert post_only.headers["allow"] == "POST"
    # Every route of the path counts: this one is read with GET and filed with POST.
    both = api.delete("/api/v1/objections", headers=PLATFORM)
    error(both, 405, "http.method_not_allowed")
    assert both.headers["allow"] == "GET, HEAD, POST"


def test_pages_and_personal_answers_carry_the_headers_a_browser_needs__SEC_2_DIS_3(
    api: TestClient,
) -> None:
    """Op(24): an answer to a caller with credentials (a report, a printed notice, a
    unit's read) is never kept by a cache; pages say what a browser may do with them, and
    load nothing from elsewhere (ReDoc, which fetched its logo from a CDN, is not served)."""
    page = api.get("/lists")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    assert "cache-control" not in page.headers  # public, and no credentials were sent
    read = api.get("/api/v1/audit/events", headers=PLATFORM)
    assert read.status_code == 200 and read.headers["cache-control"] == "no-store"
    refused = api.get("/api/v1/audit/events", headers={"Authorization": "Bearer nope"})
    assert refused.status_code == 401 and refused.headers["cache-control"] == "no-store"
    assert api.get("/redoc").status_code == 404
    # An address of the portal that names nothing is a page, not the API's JSON.
    missing = api.get("/nope/<b>x</b>", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "页面不存在" in missing.text and "<b>x</b>" not in missing.text
    error(api.get("/api/v1/nope", headers={"Accept": "text/html"}), 404, "http.not_found")
    error(api.get("/nope"), 404, "http.not_found")  # a client that asks for no page


def test_invisible_grounds_and_direction_overrides_are_refused__OBJ_1_DIS_3(
    api: TestClient, world: World
) -> None:
    """Grounds of zero-width and ideographic spaces were accepted and marked a published
    entry "under objection"; a right-to-left override typed into text reversed it on a
    public page. Both are refused, and nothing is stored."""
    w = world
    w.serious(1)
    eid = propose(api, w).json()["id"]
    notify_over_api(api, eid, DESIGNATOR)
    for grounds in ("\u200b\u200b \u3000", "\ufeff\u2060\u00ad", "\u180e", "\u3164\u2800"):
        error(
            file_objection(api, PLATFORM, "list_entry", eid, grounds=grounds),
            422,
            "objection.no_grounds",
        )
    refused = file_objection(api, PLATFORM, "list_entry", eid, grounds="事实\u202e反转\u202c有误")
    assert refused.status_code == 422, refused.text
    assert api.get("/api/v1/objections", headers=PLATFORM).json() == []
    # A mark that only says a direction is text.
    kept = file_objection(api, PLATFORM, "list_entry", eid, grounds="事实\u200e有误")
    assert kept.status_code == 201, kept.text


def test_a_json_body_sent_as_another_media_type_is_a_415__SEC_1(api: TestClient) -> None:
    """A JSON route given text/plain or a form said "body: Input should be a valid
    dictionary", as if the fields were wrong; it now says the media type is."""
    for kind in ("text/plain", "application/x-www-form-urlencoded"):
        for path in ("/api/v1/subjects", "/api/v1/check"):
            headers = {
                **(bearer("implementer") if "check" in path else PLATFORM),
                "Content-Type": kind,
            }
            sent = api.post(path, content=b'{"kind": "legal_person"}', headers=headers)
            error(sent, 415, "request.unsupported_media_type")
            assert kind in sent.json()["error"]["message"]
    # A JSON body sent with no Content-Type at all is the same mistake; no body at all is
    # a missing body.
    for path in ("/api/v1/subjects", "/api/v1/check", "/api/v1/check/batch"):
        headers = bearer("implementer") if "check" in path else PLATFORM
        untyped = api.post(path, content=b'{"kind": "legal_person"}', headers=headers)
        assert "content-type" not in untyped.request.headers
        said = error(untyped, 415, "request.unsupported_media_type")
        assert "no Content-Type" in said
        error(api.post(path, headers=headers), 422, "request.invalid")
    # Uploads take a form, as documented; JSON routes still take JSON.
    assert api.post("/api/v1/subjects", json={}, headers=PLATFORM).status_code == 422
    assert (
        "415" in api.get("/openapi.json").json()["paths"]["/api/v1/subjects"]["post"]["responses"]
    )
