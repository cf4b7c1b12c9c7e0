"""Defects a hostile tester found (issue 9), each through the public interfaces."""

from __future__ import annotations

from fastapi.testclient import TestClient

from creditreg.domain.privacy import CONSENT_WARNING
from tests.e2e.api.test_api import NEW_PERSON, error
from tests.e2e.conftest import bearer

PLATFORM = bearer("platform")


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
