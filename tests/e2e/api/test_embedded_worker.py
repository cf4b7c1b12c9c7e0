"""The timers inside the server (the embedded default): started with the app, sweeping
every CREDITREG_SWEEP_INTERVAL seconds, stopped with it. The clock is fixed and moved
forward through the API; nobody calls the sweep but the server itself."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from creditreg.api.app import create_app
from creditreg.cli.serve import embedded_worker
from creditreg.clock import FixedClock
from creditreg.config import Settings
from creditreg.demo import dataset as demo
from creditreg.demo.dataset import demo_ric
from creditreg.services.context import Context
from tests.e2e.conftest import bearer
from tests.lists_world import PERSON, World, make_world
from tests.notice_delivery import notify_over_api

DESIGNATOR = bearer("designator")
WAIT = 30.0  # seconds: the most the test waits for the worker, never a pause it relies on


def eventually(check: Callable[[], Any], what: str) -> Any:
    """Poll `check` until it answers something truthy, at most WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while True:
        answer = check()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {WAIT:g} s: {what}")
        time.sleep(0.05)


def move_clock(api: TestClient, move: dict[str, Any]) -> None:
    """Move the server's test clock as its administrator (a session the move may expire)."""
    login = api.post(
        "/api/v1/auth/login",
        json={"username": "admin", "password": demo.password_for("admin")},
    )
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    moved = api.post("/api/v1/clock", headers=headers, json=move)
    assert moved.status_code == 200, moved.text


@pytest.fixture
def world(ctx: Context, clock: FixedClock) -> World:
    return make_world(ctx, clock)


def test_embedded_worker_designates_when_the_window_ends_and_expires_later__LST_2_DIS_4(
    ctx: Context, world: World
) -> None:
    w = world
    w.serious(1)
    worker = embedded_worker(ctx, Settings(sweep_interval=0.05))
    with TestClient(create_app(ctx, Settings(), worker)) as api:
        assert worker.running  # started with the app
        created = api.post(
            "/api/v1/lists/entries",
            headers=DESIGNATOR,
            json={
                "standard": "SCJG-HMD",
                "subject_id": w.company(1),
                "facts": "销售不合格食品",
                "responsible_persons": [{**PERSON, "id_number": demo_ric("41010519700101123")}],
                "terms": {"validity_months": 6},
            },
        )
        assert created.status_code == 201, created.text
        eid = created.json()["id"]
        notice = notify_over_api(api, eid, DESIGNATOR).json()
        assert notice["window_due"] == "2026-03-09"

        def entry() -> dict[str, Any]:
            got = api.get(f"/api/v1/lists/entries/{eid}", headers=DESIGNATOR)
            assert got.status_code == 200, got.text
            body: dict[str, Any] = got.json()
            return body

        # The window is open: passes go by and the entry stays notified.
        passes = worker.passes
        eventually(lambda: worker.passes >= passes + 3, "three more passes")
        assert entry()["status"] == "notified"
        # LST-2: the window ends (Op(8)); the server designates without being asked.
        move_clock(api, {"days": 8})
        designated = eventually(
            lambda: (e := entry())["status"] == "designated" and e, "designation"
        )
        assert designated["designated_on"] == "2026-03-10"
        valid_until = date.fromisoformat(designated["valid_until"])
        # DIS-4: the entry ends with its validity, again by the server's own timers.
        move_clock(api, {"to": f"{valid_until + timedelta(days=1)}T09:00:00"})
        removed = eventually(lambda: (e := entry())["status"] == "removed" and e, "expiry")
        assert removed["removal_reason"] == "expiry"
    assert not worker.running  # stopped with the app


def test_settings_switch_the_embedded_worker_off_and_refuse_a_bad_interval() -> None:
    assert Settings().embedded_worker and Settings().sweep_interval == 60
    off = Settings.model_validate({"embedded_worker": "false"})
    assert not off.embedded_worker
    with pytest.raises(ValueError, match="sweep_interval"):
        Settings(sweep_interval=0)
