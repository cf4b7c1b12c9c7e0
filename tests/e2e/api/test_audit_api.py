"""Issue 9, defect 7 over HTTP (SEC-3): an auditor signs the chain's head on demand, reads
the checkpoints to keep copies of them, and `GET /api/v1/audit/verify` names every finding.
On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from creditreg.services.context import Context
from creditreg.store.engine import make_engine
from tests.conftest import DbTarget
from tests.e2e.api.test_api import error
from tests.e2e.cli.test_audit_cli import drop_guards, newest_seq
from tests.e2e.conftest import bearer

PLATFORM = bearer("platform")


def test_an_auditor_checkpoints_the_head_and_reads_the_checkpoints__SEC_3(
    api: TestClient, db: DbTarget
) -> None:
    written = api.post("/api/v1/audit/checkpoints", headers=PLATFORM)
    assert written.status_code == 201, written.text
    body = written.json()
    assert body["number"] == 2 and body["kind"] == "operator" and body["file_written"] is True
    assert body["file_error"] is None and len(body["signature"]) == 64
    # The checkpoint covers its own audit event: who asked is the head it signs.
    [event] = api.get(f"/api/v1/audit/events?after_seq={body['seq'] - 1}", headers=PLATFORM).json()
    assert event["action"] == "audit.checkpoint" and event["hash"] == body["head_hash"]
    listed = api.get("/api/v1/audit/checkpoints", headers=PLATFORM).json()
    assert [c["number"] for c in listed] == [1, 2] and listed[0]["kind"] == "start"
    assert {k: v for k, v in body.items() if not k.startswith("file_")} == listed[1]
    assert api.get("/api/v1/audit/checkpoints?after=1&limit=1", headers=PLATFORM).json() == [
        listed[1]
    ]
    assert db.checkpoint_file is not None
    assert len(db.checkpoint_file.read_text().splitlines()) == 2
    verified = api.get("/api/v1/audit/verify", headers=PLATFORM).json()
    assert verified["ok"] and verified["findings"] == [] and verified["checkpoints"] == 2
    assert verified["file_entries"] == 2 and verified["unkeyed_until"] == 0


def test_checkpoints_are_for_auditors_only_and_bad_input_is_a_422__SEC_3(
    api: TestClient,
) -> None:
    error(
        api.post("/api/v1/audit/checkpoints", headers=bearer("provider")),
        403,
        "access.missing_permission",
    )
    error(api.post("/api/v1/audit/checkpoints"), 401, "auth.missing_token")
    error(api.get("/api/v1/audit/checkpoints?after=-1", headers=PLATFORM), 422, "request.invalid")
    error(api.get("/api/v1/audit/checkpoints?limit=0", headers=PLATFORM), 422, "request.invalid")


def test_verify_over_http_names_the_deleted_newest_event__SEC_3(
    api: TestClient, db: DbTarget
) -> None:
    assert api.post("/api/v1/audit/checkpoints", headers=PLATFORM).status_code == 201
    engine = make_engine(db.url, db.schema)
    try:
        with engine.begin() as conn:
            drop_guards(conn)
            conn.execute(sa.text("DELETE FROM audit_event WHERE seq = :s"), {"s": newest_seq(conn)})
    finally:
        engine.dispose()
    verified = api.get("/api/v1/audit/verify", headers=PLATFORM).json()
    assert verified["ok"] is False and verified["first_broken_seq"] is None
    found = {f["code"]: f for f in verified["findings"]}
    assert set(found) == {"audit.chain_truncated", "audit.trigger_missing"}


def test_a_checkpoint_file_that_cannot_be_written_is_said__SEC_3(
    api: TestClient, ctx: Context, tmp_path: Path
) -> None:
    """The database's checkpoint stands; the answer says the copy failed and why."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    ctx.audit_checkpoint_file = blocker / "checkpoints.jsonl"
    written = api.post("/api/v1/audit/checkpoints", headers=PLATFORM)
    assert written.status_code == 201
    assert written.json()["file_written"] is False
    assert "cannot append to the checkpoint file" in written.json()["file_error"]


def test_with_every_checkpoint_deleted_no_new_one_vouches_for_the_chain__SEC_3(
    api: TestClient, db: DbTarget
) -> None:
    """A first checkpoint now would vouch for whatever the chain has become: refused (409),
    and verify names the loss."""
    engine = make_engine(db.url, db.schema)
    try:
        with engine.begin() as conn:
            drop_guards(conn)
            conn.execute(sa.text("DELETE FROM audit_checkpoint"))
    finally:
        engine.dispose()
    error(api.post("/api/v1/audit/checkpoints", headers=PLATFORM), 409, "audit.start_missing")
    found = {
        f["code"] for f in api.get("/api/v1/audit/verify", headers=PLATFORM).json()["findings"]
    }
    assert {"audit.checkpoint_missing", "audit.trigger_missing"} <= found
