"""Written authorizations of authorized inquiry (issue 10, part 3; DIS-6, Art 22): granted
and revoked by the subject from its own account (or on its behalf from the CLI), checked
by every inquiry, each use seen by the subject. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from creditreg.cli.main import app as cli
from creditreg.clock import FixedClock
from creditreg.demo.catalogs import PUNISHMENT
from tests.conftest import DbTarget
from tests.e2e.api.test_accounts_api import (
    FOOD_CO,
    ZHANG,
    activate,
    audit_of,
    issue,
    login,
    subject_id,
)
from tests.e2e.api.test_api import error
from tests.e2e.api.test_record_rules_api import draft_and_approve
from tests.e2e.conftest import bearer
from tests.factories import person_punishment_row

PLATFORM = bearer("platform")
PROVIDER = bearer("provider")
IMPLEMENTER = bearer("implementer")


def _unit_of(api: TestClient, key: str) -> int:
    return int(api.get("/api/v1/auth/me", headers=bearer(key)).json()["unit_id"])


@pytest.fixture
def zhang(api: TestClient) -> tuple[int, dict[str, str]]:
    """张示例 with an account, and one live record of the authorized-inquiry mode."""
    sid = subject_id(api, "ric", ZHANG)
    code = issue(api, sid).json()["code"]
    assert activate(api, code).status_code == 201
    item = {
        **PUNISHMENT,
        "code": "SQCX",
        "name": "授权查询示例信息",
        "disclosure": "authorized_inquiry",
    }
    assert draft_and_approve(api, item).status_code == 200
    row = {**person_punishment_row(1), "party_name": "张示例", "id_number": ZHANG}
    stored = api.post("/api/v1/records", json={"catalog": "SQCX", "data": row}, headers=PROVIDER)
    assert stored.status_code == 201, stored.text
    return sid, login(api)


def _grant(api: TestClient, me: dict[str, str], unit: int, **changes: Any) -> Any:
    body = {
        "unit_id": unit,
        "purpose": "贷款审批",
        "valid_until": "2026-12-31",
        "document_ref": "授权书-2026-0001",
        **changes,
    }
    return api.post("/api/v1/me/authorizations", json=body, headers=me)


def _inquire(api: TestClient, sid: int, purpose: str = "贷款审批") -> Any:
    return api.post(
        f"/api/v1/subjects/{sid}/authorized-inquiry", json={"purpose": purpose}, headers=IMPLEMENTER
    )


def test_an_inquiry_needs_the_subjects_written_authorization_and_each_use_is_seen__DIS_6(
    api: TestClient, zhang: tuple[int, dict[str, str]]
) -> None:
    sid, me = zhang
    bank = _unit_of(api, "implementer")
    # Without an authorization: refused, and the attempt is in the audit log.
    error(_inquire(api, sid), 403, "authorization.missing")
    assert any(e["action"] == "authorization.use.refused" for e in audit_of(api, "subject"))
    granted = _grant(api, me, bank)
    assert granted.status_code == 201, granted.text
    assert granted.json()["in_force"] is True and granted.json()["status"] == "granted"
    # Another purpose is not authorized.
    error(_inquire(api, sid, "招聘"), 403, "authorization.missing")
    released = _inquire(api, sid)
    assert released.status_code == 200, released.text
    body = released.json()
    assert body["authorization_id"] == granted.json()["id"]
    assert [r["catalog"] for r in body["records"]] == ["SQCX"]
    assert body["records"][0]["data"]["party_name"] == "张示例"
    # The subject sees the use: which unit, who, when, how many records.
    mine = api.get("/api/v1/me/authorizations", headers=me).json()
    assert [(u["unit_id"], u["items"]) for u in mine[0]["uses"]] == [(bank, 1)]
    # Revoked: the next inquiry is refused at once.
    revoked = api.post(f"/api/v1/me/authorizations/{mine[0]['id']}/revocation", headers=me)
    assert revoked.status_code == 200 and revoked.json()["in_force"] is False
    error(_inquire(api, sid), 403, "authorization.missing")
    error(
        api.post(f"/api/v1/me/authorizations/{mine[0]['id']}/revocation", headers=me),
        409,
        "authorization.illegal_transition",
    )


def test_an_authorization_authorizes_only_within_its_period__DIS_6(
    api: TestClient, zhang: tuple[int, dict[str, str]], clock: FixedClock
) -> None:
    sid, me = zhang
    bank = _unit_of(api, "implementer")
    later = (clock.now() + timedelta(days=10)).date().isoformat()
    until = (clock.now() + timedelta(days=40)).date().isoformat()
    assert _grant(api, me, bank, valid_from=later, valid_until=until).status_code == 201
    error(_inquire(api, sid), 403, "authorization.missing")  # not yet
    clock.advance(timedelta(days=10))
    assert _inquire(api, sid).status_code == 200
    clock.advance(timedelta(days=31))
    error(_inquire(api, sid), 403, "authorization.missing")  # ended


def test_only_the_subject_grants_and_bad_authorizations_store_nothing__DIS_6(
    api: TestClient, zhang: tuple[int, dict[str, str]]
) -> None:
    sid, me = zhang
    bank = _unit_of(api, "implementer")
    # A unit cannot authorize itself.
    assert (
        api.post(
            "/api/v1/me/authorizations",
            json={
                "unit_id": bank,
                "purpose": "x",
                "valid_until": "2026-12-31",
                "document_ref": "r",
            },
            headers=IMPLEMENTER,
        ).status_code
        == 403
    )
    error(_grant(api, me, bank, valid_until="2025-01-01"), 422, "authorization.bad_period")
    error(_grant(api, me, bank, valid_until="2031-12-31"), 422, "authorization.bad_period")
    # Five years are five calendar years, not 5 x 366 days; nor does one reach back.
    error(_grant(api, me, bank, valid_until="2031-03-02"), 422, "authorization.bad_period")
    error(
        _grant(api, me, bank, valid_from="2026-03-01", valid_until="2026-12-31"),
        422,
        "authorization.bad_period",
    )
    error(_grant(api, me, bank, purpose="   "), 422, "authorization.no_purpose")
    error(_grant(api, me, 999_999), 404, "unit.not_found")
    assert api.get("/api/v1/me/authorizations", headers=me).json() == []
    # A subject sees its own authorizations only.
    other = subject_id(api, "uscc", FOOD_CO)
    error(
        api.get(f"/api/v1/subjects/{other}/authorizations", headers=me),
        403,
        "account.not_your_subject",
    )
    assert api.get(f"/api/v1/subjects/{sid}/authorizations", headers=me).status_code == 200


def test_an_operator_grants_and_revokes_on_the_subjects_behalf_from_the_cli__DIS_6_SEC_3(
    api: TestClient, zhang: tuple[int, dict[str, str]], db: DbTarget, clock: FixedClock
) -> None:
    sid, _ = zhang
    bank = _unit_of(api, "implementer")
    runner = CliRunner()
    env = {
        **db.env(),
        "CREDITREG_CLOCK": clock.now().isoformat(),
        "CREDITREG_ALLOW_CLOCK_OVERRIDE": "1",
    }
    made = runner.invoke(
        cli,
        [
            "authorizations", "grant", "--subject", str(sid), "--unit", str(bank),
            "--purpose", "贷款审批", "--until", "2026-12-31", "--document", "纸质授权书-17",
        ],
        env=env,
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "in force" in made.stdout
    assert _inquire(api, sid).status_code == 200
    listed = runner.invoke(cli, ["authorizations", "list", "--subject", str(sid)], env=env)
    assert "used 1 time(s)" in listed.stdout and f"unit {bank}" in listed.stdout
    auth_id = made.stdout.split()[1].rstrip(":")
    gone = runner.invoke(cli, ["authorizations", "revoke", auth_id, "--subject", str(sid)], env=env)
    assert gone.exit_code == 0 and "revoked" in gone.stdout
    grants = [e for e in audit_of(api, "authorization") if e["action"] == "authorization.grant"]
    assert grants[-1]["actor"].endswith(f"@subject:{sid}")  # the operator, for the subject
    bad = runner.invoke(
        cli,
        ["authorizations", "grant", "--subject", str(sid), "--unit", str(bank),
         "--purpose", "x", "--until", "soon", "--document", "d"],
        env=env,
    )  # fmt: skip
    assert bad.exit_code == 2 and "authorization.bad_period" in bad.output
