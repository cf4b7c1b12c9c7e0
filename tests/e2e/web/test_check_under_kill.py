"""Killing the server under check load (issue 11, part 4; SEC-2, Op(24)): every check that
was answered is in the query register, with the digest the caller received, because the
registration commits before the answer leaves. On SQLite and PostgreSQL, a real uvicorn
server, eight clients in parallel, SIGKILL mid-load."""

from __future__ import annotations

import http.client
import threading
import urllib.error
from pathlib import Path

import sqlalchemy as sa

from creditreg.demo import dataset as demo
from creditreg.services.context import Context
from creditreg.store.access.query_register import query_register
from tests.conftest import DbTarget
from tests.e2e.web.test_server import start

CLIENTS = 8


def test_every_answered_check_is_registered_when_the_server_is_killed__SEC_2_MEA_3(
    db: DbTarget, demo_data: None, ctx: Context, tmp_path: Path
) -> None:
    server = start(db, tmp_path)
    token = demo.token_for("implementer")
    answered: list[tuple[int, str]] = []
    lock = threading.Lock()
    enough = threading.Event()
    subjects = [s[2] for s in demo.DEMO_SUBJECTS if s[1].value == "uscc"]

    def client(n: int) -> None:
        i = 0
        while True:
            number = subjects[(n + i) % len(subjects)]
            i += 1
            try:
                status, body = server.request(
                    "POST",
                    "/api/v1/check",
                    {"id_type": "uscc", "id_number": number, "purpose": "procurement"},
                    token,
                )
            except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError):
                return  # the server is gone (refused, reset, or cut mid-answer)
            if status != 200:
                return
            with lock:
                answered.append((body["check_id"], body["answer_digest"]))
                if len(answered) >= 60:
                    enough.set()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
    try:
        for t in threads:
            t.start()
        assert enough.wait(timeout=60), "the checks did not get answered"
        server.process.kill()  # SIGKILL: no shutdown, no flush
        server.process.wait()
        for t in threads:
            t.join(timeout=30)
    finally:
        server.log_file.close()
    assert len(answered) >= 60
    with ctx.db.read() as conn:
        rows = dict(
            conn.execute(
                sa.select(query_register.c.id, query_register.c.answer_digest).where(
                    query_register.c.what == "check"
                )
            ).all()
        )
    missing = [(cid, d) for cid, d in answered if rows.get(cid) != d]
    assert missing == [], f"{len(missing)} answered checks are not in the register"
