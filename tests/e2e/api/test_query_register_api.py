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
