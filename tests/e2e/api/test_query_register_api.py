"""The query register reviewed by the platform's auditors (issue 11, part 4; SEC-2, Op(24)),
on SQLite and PostgreSQL: filtered by unit, subject, period and purpose, paged, exported as
CSV; bad filters are 422 and a unit without the audit permission is refused."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from tests.e2e.api.test_accounts_api import PLATFORM, ZHANG, subject_id
from tests.e2e.api.test_api import error
from tests.e2e.conftest import bearer

DESIGNATOR = bearer("designator")
PROVIDER = bearer("provider")


def _reads(api: TestClient) -> int:
    zhang = subject_id(api, "ric", ZHANG)  # the platform's lookup (duties)
    api.get(f"/api/v1/subjects/{zhang}", headers={**DESIGNATOR, "X-Purpose": "designation"})
    api.get(f"/api/v1/subjects/{zhang}", headers=PROVIDER)
    return zhang


def test_the_operator_reviews_the_register_by_unit_subject_period_purpose__SEC_2(
    api: TestClient,
) -> None:
    zhang = _reads(api)
    rows = api.get("/api/v1/query-register", headers=PLATFORM, params={"subject_id": zhang})
    assert rows.status_code == 200, rows.text
    body = rows.json()
    assert {(r["purpose"], r["what"]) for r in body} >= {
        ("designation", "subject"),
        ("duties", "subject"),
        ("duties", "subject.lookup"),
    }
    assert all(r["subject_id"] == zhang for r in body)
    designator_unit = next(r["unit_id"] for r in body if r["purpose"] == "designation")
    by_unit = api.get(
        "/api/v1/query-register", headers=PLATFORM, params={"unit_id": designator_unit}
    ).json()
    assert by_unit and {r["unit_id"] for r in by_unit} == {designator_unit}
    assert {r["unit_name"] for r in by_unit} != {None}
    by_purpose = api.get(
        "/api/v1/query-register", headers=PLATFORM, params={"purpose": "designation"}
    ).json()
    assert [r["purpose"] for r in by_purpose] == ["designation"]
    # The period is in local days, both ends included; a later day holds nothing.
    day = body[0]["at"][:10]
    assert api.get(
        "/api/v1/query-register", headers=PLATFORM, params={"since": day, "until": day}
    ).json()
    assert (
        api.get("/api/v1/query-register", headers=PLATFORM, params={"since": "2099-01-01"}).json()
        == []
    )
    # Paged by id.
    first = api.get("/api/v1/query-register", headers=PLATFORM, params={"limit": 1}).json()
    after = api.get(
        "/api/v1/query-register", headers=PLATFORM, params={"after_id": first[0]["id"]}
    ).json()
    assert first[0]["id"] not in {r["id"] for r in after}


def test_the_register_exports_as_csv__SEC_2(api: TestClient) -> None:
    zhang = _reads(api)
    got = api.get("/api/v1/query-register.csv", headers=PLATFORM, params={"subject_id": zhang})
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert len(rows) >= 3 and {r["subject_id"] for r in rows} == {str(zhang)}
    assert {"id", "at", "unit_name", "purpose", "what", "returned", "answer_digest"} <= set(rows[0])
    assert "x-next-after-id" not in got.headers  # the whole of it
    # A full page says where the next begins; following it, the export is whole.
    params = {"subject_id": zhang, "limit": 2}
    first = api.get("/api/v1/query-register.csv", headers=PLATFORM, params=params)
    after = first.headers["x-next-after-id"]
    ids = [r["id"] for r in csv.DictReader(io.StringIO(first.text))]
    assert ids[-1] == after
    while "x-next-after-id" in first.headers:
        params["after_id"] = first.headers["x-next-after-id"]
        first = api.get("/api/v1/query-register.csv", headers=PLATFORM, params=params)
        ids += [r["id"] for r in csv.DictReader(io.StringIO(first.text))]
    assert ids == [r["id"] for r in rows]


def test_bad_review_filters_and_callers_are_refused__SEC_2(api: TestClient) -> None:
    error(
        api.get(
            "/api/v1/query-register",
            headers=PLATFORM,
            params={"since": "2026-05-02", "until": "2026-05-01"},
        ),
        422,
        "query.bad_period",
    )
    error(
        api.get("/api/v1/query-register", headers=PLATFORM, params={"purpose": "curiosity"}),
        422,
        "query.invalid_purpose",
    )
    error(
        api.get("/api/v1/query-register", headers=PLATFORM, params={"since": "yesterday"}),
        422,
        "request.invalid",
    )
    error(api.get("/api/v1/query-register", headers=DESIGNATOR), 403, "access.missing_permission")
    error(api.get("/api/v1/query-register.csv", headers=PROVIDER), 403, "access.missing_permission")
    error(api.get("/api/v1/query-register"), 401, "auth.missing_token")


def test_days_beyond_the_calendar_are_refused_not_a_500__SEC_2(api: TestClient) -> None:
    for path in ("/api/v1/query-register", "/api/v1/query-register.csv"):
        for params in ({"since": "0001-01-01"}, {"until": "9999-12-31"}):
            error(api.get(path, headers=PLATFORM, params=params), 422, "query.bad_period")
    wide = {"since": "1900-01-01", "until": "9999-12-30"}
    assert api.get("/api/v1/query-register", headers=PLATFORM, params=wide).status_code == 200


def test_a_caller_s_note_runs_no_formula_and_quotes_no_number_to_the_subject__SEC_2_DIS_3(
    api: TestClient,
) -> None:
    """The note is the caller's own words: in the CSV an operator opens in a spreadsheet it
    is text, never a formula; in the subject's view a number it quotes is masked."""
    zhang = subject_id(api, "ric", ZHANG)
    note = '=HYPERLINK("http://x.example") 410102199002022349 13800138000'
    headers = {**DESIGNATOR, "X-Purpose": "designation", "X-Purpose-Note": note}
    assert api.get(f"/api/v1/subjects/{zhang}", headers=headers).status_code == 200
    got = api.get("/api/v1/query-register.csv", headers=PLATFORM, params={"subject_id": zhang})
    [row] = [r for r in csv.DictReader(io.StringIO(got.text)) if "HYPERLINK" in r["note"]]
    assert row["note"] == "'" + note
    seen = api.get(f"/api/v1/subjects/{zhang}/self-inquiry", headers=PLATFORM).json()
    [shown] = [q["note"] for q in seen["queries"] if q["note"] and "HYPERLINK" in q["note"]]
    assert "410102199002022349" not in shown and "13800138000" not in shown
    assert "4101************49" in shown and "13*******00" in shown
