"""Issue 9, defects 3 and 5: an ingest is staged in short chunks invisible to every reader
and published in one short transaction; a record's natural key makes a resent, reordered
or reformatted file store nothing twice. Through the API and the CLI, on both databases."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from creditreg.api.app import create_app
from creditreg.bootstrap import build_context
from creditreg.cli.main import app as cli
from creditreg.clock import FixedClock
from creditreg.demo.dataset import demo_uscc
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.records import ingest_files
from creditreg.store.records.tables import ingest_batch, record, record_stage, subject_stage
from creditreg.store.subjects.tables import subject
from tests.conftest import DbTarget
from tests.e2e.api.test_ingest import csv_bytes, demo_principal, upload
from tests.e2e.conftest import bearer
from tests.factories import punishment_row

ROWS = [punishment_row(i) for i in range(1, 4)]


def _count(ctx: Context, table: sa.Table, *where: Any) -> int:
    with ctx.db.read() as conn:
        return int(
            conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()
        )


def _answer(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


# --- defect 5: natural keys ----------------------------------------------------------------


def test_reordered_crlf_and_json_lines_repeats_store_nothing_twice__ING_3(
    api: TestClient, ctx: Context
) -> None:
    """The same rows reordered, with CRLF line endings, or as JSON Lines were stored again
    (decision numbers three times): now each repeat is reported row by row and skipped."""
    first = _answer(upload(api, "a.csv", csv_bytes(ROWS)))
    assert first["stored"] == 3 and first["duplicates"] == 0
    reordered = _answer(upload(api, "b.csv", csv_bytes(ROWS[::-1])))
    crlf = _answer(upload(api, "c.csv", csv_bytes(ROWS).replace(b"\n", b"\r\n")))
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS).encode()
    as_jsonl = _answer(upload(api, "d.jsonl", lines))
    for repeat in (reordered, crlf, as_jsonl):
        assert repeat["accepted"] is True and repeat["duplicate"] is False
        assert repeat["stored"] == 0 and repeat["duplicates"] == 3
        assert repeat["duplicate_rows"] == [1, 2, 3]
        assert repeat["verify_due"] is None  # nothing new to verify
    assert _count(ctx, record) == 3


def test_a_daily_file_resent_with_new_rows_stores_only_the_new__ING_3(
    api: TestClient, ctx: Context
) -> None:
    _answer(upload(api, "monday.csv", csv_bytes(ROWS)))
    tuesday = [punishment_row(4), *ROWS, punishment_row(5), punishment_row(5)]
    answer = _answer(upload(api, "tuesday.csv", csv_bytes(tuesday)))
    # Rows 2-4 were stored on Monday; row 6 repeats row 5 inside the file.
    assert answer["stored"] == 2 and answer["duplicates"] == 4
    assert answer["duplicate_rows"] == [2, 3, 4, 6]
    assert _count(ctx, record) == 5


def test_an_invalid_row_still_rejects_a_batch_of_repeats__ING_3(
    api: TestClient, ctx: Context
) -> None:
    _answer(upload(api, "a.csv", csv_bytes(ROWS)))
    bad = [*ROWS, punishment_row(7, facts=None)]
    answer = upload(api, "b.csv", csv_bytes(bad))
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "record.batch_rejected"
    assert _count(ctx, record) == 3
    assert _count(ctx, ingest_batch) == 1 and _count(ctx, record_stage) == 0


def test_a_returned_record_releases_its_key_for_the_corrected_resubmission__ING_3_ING_2(
    api: TestClient, ctx: Context
) -> None:
    _answer(upload(api, "a.csv", csv_bytes(ROWS[:1])))
    with ctx.db.read() as conn:
        rid = conn.execute(sa.select(record.c.id)).scalar_one()
    returned = api.post(
        f"/api/v1/records/{rid}/verification",
        json={"passed": False, "reasons": ["主体名称与统一社会信用代码不一致"]},
        headers=bearer("platform"),
    )
    assert returned.status_code == 200, returned.text
    corrected = [punishment_row(1, facts="未按照规定期限办理纳税申报（已更正）")]
    again = _answer(upload(api, "corrected.csv", csv_bytes(corrected)))
    assert again["stored"] == 1 and again["duplicates"] == 0
    assert _count(ctx, record) == 2


def test_a_reused_batch_id_with_other_rows_is_409_and_stores_nothing__ING_3(
    api: TestClient, ctx: Context
) -> None:
    """A reused batch id with different rows answered 201 `duplicate: true` and silently
    dropped them."""
    body = {"catalog": "XZCF", "batch_id": "tax-2026-03-02", "rows": ROWS}
    assert _answer(api.post("/api/v1/records/batches", json=body, headers=bearer("provider")))
    other = {**body, "rows": [punishment_row(9)]}
    answer = api.post("/api/v1/records/batches", json=other, headers=bearer("provider"))
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "record.batch_id_reused" and error["details"]["batch_id"]
    same = api.post("/api/v1/records/batches", json=body, headers=bearer("provider"))
    assert _answer(same)["duplicate"] is True
    assert _count(ctx, record) == 3


# --- defect 3: staging ---------------------------------------------------------------------


class Paused:
    """A test hook that holds an ingest after its chunk N committed until released."""

    def __init__(self, at: int) -> None:
        self.at = at
        self.reached = threading.Event()
        self.release = threading.Event()

    def __call__(self, batch_id: int, chunk: int) -> None:
        if chunk == self.at:
            self.batch_id = batch_id
            self.reached.set()
            assert self.release.wait(30), "the test never released the ingest"


class Killed(BaseException):
    """What a kill -9 after chunk N looks like to the code after it: nothing more runs."""


def _stop_after(n: int) -> Any:
    def hook(batch_id: int, chunk: int) -> None:
        if chunk == n:
            raise Killed(batch_id)

    return hook


def _killed_ingest(ctx: Context, tmp_path: Path, rows: list[dict[str, Any]], n: int) -> None:
    """The provider's CLI-style file ingest, stopped dead after chunk `n` (in process: a
    kill of the server would take the test client with it)."""
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes(rows))
    ctx.after_chunk = _stop_after(n)
    with pytest.raises(Killed):
        ingest_files.submit_file(ctx, demo_principal(ctx), path, catalog_code="XZCF", source="cli")
    ctx.after_chunk = None


def _new_companies(n: int) -> list[dict[str, Any]]:
    return [punishment_row(100 + i, uscc=demo_uscc(f"91410100MC{100 + i:07d}")) for i in range(n)]


@pytest.fixture
def small_chunks(ctx: Context) -> Iterator[Context]:
    ctx.ingest_chunk_rows = 4
    yield ctx
    ctx.after_chunk = None


def test_a_paused_ingest_blocks_no_writer_and_shows_nothing__ING_3_SUB_2(
    api: TestClient, small_chunks: Context
) -> None:
    """Issue 9, defect 3: while a batch is being stored (paused after its second chunk), a
    concurrent API write commits and no row of the batch is visible; the subject the
    batch names that someone registers meanwhile is the one its records are matched to."""
    ctx = small_chunks
    rows = _new_companies(12)
    hook = Paused(at=2)
    ctx.after_chunk = hook
    subjects_before = _count(ctx, subject)
    answers: list[Any] = []
    ingest = threading.Thread(
        target=lambda: answers.append(upload(TestClient(api.app), "big.csv", csv_bytes(rows)))
    )
    ingest.start()
    try:
        assert hook.reached.wait(30)
        staged = _count(ctx, record_stage, record_stage.c.batch_id == hook.batch_id)
        assert staged == 8  # two chunks committed, into staging
        # A writer is not locked out: it commits now, in the middle of the ingest.
        first_code = rows[0]["uscc"]
        registered = api.post(
            "/api/v1/subjects",
            headers=bearer("provider"),
            json={
                "kind": "legal_person",
                "id_type": "uscc",
                "id_number": first_code,
                "name": rows[0]["party_name"],
            },
        )
        assert registered.status_code == 201, registered.text
        # ... and so does a second ingest (it failed with exit 8 behind the first).
        other = upload(api, "small.csv", csv_bytes(ROWS))
        assert _answer(other)["stored"] == 3
        # Nothing of the paused batch is visible: no record, no subject it creates.
        assert _count(ctx, record, record.c.batch_id == hook.batch_id) == 0
        assert _count(ctx, subject) == subjects_before + 1 + 3  # the POST, the other file
        unseen = api.post(
            "/api/v1/subjects/lookup",
            json={"id_type": "uscc", "id_number": rows[5]["uscc"]},
            headers=bearer("platform"),
        )
        assert unseen.status_code == 404
    finally:
        hook.release.set()
        ingest.join(30)
    result = _answer(answers[0])
    assert result["stored"] == 12 and result["rows"] == 12
    assert _count(ctx, record) == 15
    with ctx.db.read() as conn:
        matched = conn.execute(
            sa.select(sa.func.count())
            .select_from(record)
            .where(record.c.subject_id == registered.json()["id"])
        ).scalar_one()
        holders = conn.execute(
            sa.select(sa.func.count()).where(subject.c.id_number == first_code)
        ).scalar_one()
    assert matched == 1 and holders == 1
    assert _count(ctx, subject) == subjects_before + 12 + 3
    assert _count(ctx, record_stage) == 0 and _count(ctx, subject_stage) == 0
    assert audit.verify(ctx).ok


def test_an_ingest_killed_after_chunk_n_leaves_nothing_and_the_sweep_cleans_up__ING_3_SEC_3(
    api: TestClient, small_chunks: Context, db: DbTarget, clock: FixedClock, tmp_path: Path
) -> None:
    """Issue 9: an ingest stopped dead after its second chunk (no code of it runs after):
    nothing visible, its staging rows are discarded by the sweep once its heartbeat is
    older than the staging timeout, the audit chain is intact, and the file can be sent
    again."""
    ctx = small_chunks
    rows = _new_companies(10)
    subjects_before = _count(ctx, subject)
    _killed_ingest(ctx, tmp_path, rows, 2)
    assert _count(ctx, record) == 0 and _count(ctx, subject) == subjects_before
    assert _count(ctx, record_stage) == 8 and _count(ctx, subject_stage) == 8
    # Sent again at once, while the first might still be running: 409, try later.
    busy = upload(api, "big.csv", csv_bytes(rows))
    assert busy.status_code == 409 and busy.json()["error"]["code"] == "record.batch_in_progress"
    later = (clock.now() + timedelta(minutes=31)).isoformat()
    env = {**db.env(), "CREDITREG_CLOCK": later, "CREDITREG_ALLOW_CLOCK_OVERRIDE": "1"}
    swept = CliRunner().invoke(cli, ["sweep"], env=env)
    assert swept.exit_code == 0, swept.output
    assert "staging batches discarded: 1" in swept.stdout
    assert _count(ctx, record_stage) == 0 and _count(ctx, subject_stage) == 0
    assert _count(ctx, ingest_batch) == 0
    verified = CliRunner().invoke(cli, ["audit", "verify"], env=db.env())
    assert verified.exit_code == 0, verified.output
    # The provider sends the file again: stored whole, once.
    assert _answer(upload(api, "big.csv", csv_bytes(rows)))["stored"] == 10
    assert _count(ctx, record) == 10 and _count(ctx, subject) == subjects_before + 10


def test_a_crash_resent_after_the_staging_timeout_starts_afresh__ING_3(
    api: TestClient, small_chunks: Context, clock: FixedClock, tmp_path: Path
) -> None:
    ctx = small_chunks
    rows = _new_companies(6)
    _killed_ingest(ctx, tmp_path, rows, 1)
    clock.advance(timedelta(minutes=31))
    assert _answer(upload(api, "big.csv", csv_bytes(rows)))["stored"] == 6
    assert _count(ctx, record_stage) == 0 and _count(ctx, ingest_batch) == 1


def test_a_writer_still_locked_out_after_the_short_wait_gets_a_json_503__SEC_1(
    sqlite_db: DbTarget, demo_data: None
) -> None:
    """Issue 9, defect 3: a writer waiting for SQLite's lock answered a bare text/plain 500
    after 30 s. The wait is short now (2 s by default, here 0.1 s) and then the answer is
    a 503 `db.busy` with a JSON body and Retry-After, as the OpenAPI document says."""
    settings = sqlite_db.settings(sqlite_busy_timeout_ms=100)
    ctx = build_context(settings)
    holder = sqlite3.connect(sa.make_url(sqlite_db.url).database or "", isolation_level=None)
    try:
        with TestClient(create_app(ctx, settings), raise_server_exceptions=False) as client:
            holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            answer = client.post(
                "/api/v1/subjects",
                headers=bearer("provider"),
                json={
                    "kind": "legal_person",
                    "id_type": "uscc",
                    "id_number": demo_uscc("91410100MC0000777"),
                    "name": "郑州锁等待示例有限公司",
                },
            )
            holder.execute("ROLLBACK")
            assert answer.status_code == 503 and answer.headers["Retry-After"] == "2"
            assert answer.headers["content-type"].startswith("application/json")
            assert answer.json()["error"]["code"] == "db.busy"
            documented = client.get("/openapi.json").json()["paths"]["/api/v1/subjects"]
            assert "503" in documented["post"]["responses"]
    finally:
        holder.close()
        ctx.db.dispose()
