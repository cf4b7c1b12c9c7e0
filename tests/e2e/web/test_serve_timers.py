"""A real `creditreg serve` runs the timers itself: `make run` alone closes windows."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from creditreg.clock import FixedClock
from creditreg.demo import dataset as demo
from creditreg.demo.dataset import demo_ric
from creditreg.services.context import Context
from creditreg.services.lists import entries
from tests.conftest import DbTarget
from tests.e2e.web.test_server import Server, start, stop
from tests.lists_world import PERSON, make_world
from tests.notice_delivery import notify

TEST_CLOCK = {"CREDITREG_ALLOW_CLOCK_OVERRIDE": "true"}
WAIT = 30.0  # seconds: the most the test waits for the server's worker


def notified_entry(ctx: Context, clock: FixedClock) -> int:
    """A blacklist entry whose 5-working-day window (Art 28) is open on 2026-03-02."""
    w = make_world(ctx, clock)
    w.serious(1)
    entry = entries.propose(
        ctx,
        w.designator,
        standard_code="SCJG-HMD",
        subject_id=w.company(1),
        facts="销售不合格食品",
        responsible_persons=[{**PERSON, "id_number": demo_ric("41010519700101123")}],
    )
    eid = int(entry["id"])  # type: ignore[call-overload]
    notify(ctx, w.designator, eid)
    return eid


def status_of(server: Server, eid: int) -> Any:
    code, body = server.request(
        "GET", f"/api/v1/lists/entries/{eid}", token=demo.token_for("designator")
    )
    assert code == 200, body
    return body["status"]


def test_serve_designates_when_the_window_ends_without_a_second_command__LST_2(
    db: DbTarget, ctx: Context, clock: FixedClock, tmp_path: Path
) -> None:
    eid = notified_entry(ctx, clock)
    server = start(
        db,
        tmp_path,
        "--clock",
        "2026-03-02T09:00",
        "--test-clock",
        env={**TEST_CLOCK, "CREDITREG_SWEEP_INTERVAL": "0.2"},
    )
    try:
        assert status_of(server, eid) == "notified"
        code, login = server.request(
            "POST",
            "/api/v1/auth/login",
            {"username": "admin", "password": demo.password_for("admin")},
        )
        assert code == 200, login
        code, moved = server.request("POST", "/api/v1/clock", {"days": 8}, login["token"])
        assert code == 200, moved
        deadline = time.monotonic() + WAIT
        while status_of(server, eid) != "designated":
            assert time.monotonic() < deadline, server.log.read_text()
            time.sleep(0.1)
    finally:
        stop(server)
    log = server.log.read_text()
    assert "timers: a sweep every 0.2 s in this server" in log
    # The pass's date is read when it starts: the clock may have moved during that pass.
    assert re.search(r"INFO creditreg.worker: sweep at 2026-03-(02|10): designated: 1\n", log), log
    # Stopped cleanly on SIGTERM: the lifespan stopped the worker (uvicorn then ends by
    # the signal it caught, so the return code is -15, not 0).
    assert "Application shutdown complete." in log


def test_serve_leaves_the_timers_to_a_worker_when_told(sqlite_db: DbTarget, tmp_path: Path) -> None:
    for extra, env in (
        (["--no-worker"], {}),
        ([], {"CREDITREG_EMBEDDED_WORKER": "false"}),
    ):
        server = start(sqlite_db, tmp_path, *extra, env=env)
        stop(server)
        log = server.log.read_text()
        assert "timers are not run by this server (run `creditreg worker`)" in log
        assert "sweep at" not in log
