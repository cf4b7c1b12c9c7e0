"""A real server (`creditreg serve`, uvicorn) over HTTP and in Debian's Chromium."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from creditreg.bootstrap import build_context
from creditreg.clock import CST
from creditreg.demo import dataset as demo
from creditreg.store.migrate import head_revision
from tests.conftest import DbTarget, unavailable

CHROMIUM = "/usr/bin/chromium"


@dataclass
class Server:
    base: str
    process: subprocess.Popen[str]
    log: Path
    log_file: Any

    def request(
        self, method: str, path: str, body: Any = None, token: str | None = None
    ) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(db: DbTarget, tmp_path: Path, *extra: str, env: dict[str, str] | None = None) -> Server:
    """Serve `db`, a copy of the demo template (the callers ask for `demo_data`)."""
    full_env = {**os.environ, **db.env(), **(env or {})}
    port = free_port()
    log = tmp_path / "server.log"
    log_file = log.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "creditreg", "serve", "--port", str(port), *extra],
        env=full_env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Server(f"http://127.0.0.1:{port}", process, log, log_file)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log_file.close()
            raise AssertionError(f"server exited: {log.read_text()}")
        try:
            if server.request("GET", "/api/v1/health")[0] == 200:
                return server
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    stop(server)
    raise AssertionError(f"server did not start: {log.read_text()}")


def stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    finally:
        server.log_file.close()


@pytest.fixture
def server(db: DbTarget, demo_data: None, tmp_path: Path) -> Iterator[Server]:
    running = start(db, tmp_path)
    yield running
    stop(running)


def test_real_server_answers_the_api__SUB_2_SEC_1(server: Server) -> None:
    status, body = server.request("GET", "/api/v1/health")
    assert status == 200 and body["schema_revision"] == head_revision()
    status, found = server.request(
        "POST",
        "/api/v1/subjects/lookup",
        {"id_type": "uscc", "id_number": demo.DEMO_SUBJECTS[0][2]},
        demo.token_for("implementer"),
    )
    assert status == 200 and found["name"] == demo.DEMO_SUBJECTS[0][3]
    status, err = server.request(
        "POST",
        "/api/v1/subjects/lookup",
        {"id_type": "uscc", "id_number": demo.DEMO_SUBJECTS[0][2]},
    )
    assert status == 401 and err["error"]["code"] == "auth.missing_token"
    status, verified = server.request(
        "GET", "/api/v1/audit/verify", token=demo.token_for("platform")
    )
    assert status == 200 and verified["ok"]
    log = server.log.read_text()
    assert demo.DEMO_SUBJECTS[0][2] not in log  # identifiers never reach the access log


def test_fixed_test_clock_is_loud_movable_and_resumed_after_a_restart__CAL_2(
    db: DbTarget, demo_data: None, tmp_path: Path
) -> None:
    def served() -> Server:
        return start(
            db,
            tmp_path,
            "--clock",
            "2026-03-02T09:00",
            "--test-clock",
            env={"CREDITREG_ALLOW_CLOCK_OVERRIDE": "true"},
        )

    running = served()
    try:
        status, now = running.request("GET", "/api/v1/clock")
        assert status == 200 and now["now"] == "2026-03-02T09:00:00+08:00"
        assert now["movable"] and not now["real"]
        status, login = running.request(
            "POST",
            "/api/v1/auth/login",
            {"username": "admin", "password": demo.password_for("admin")},
        )
        status, moved = running.request("POST", "/api/v1/clock", {"days": 7}, login["token"])
        assert status == 200 and moved["now"] == "2026-03-09T09:00:00+08:00"
        assert "TEST CLOCK" in running.log.read_text()
    finally:
        stop(running)
    # Restarted with the same settings, it resumes where the clock was moved, never back
    # to the 2nd (deadlines and designations computed on the 9th would lie in its future).
    again = served()
    try:
        status, now = again.request("GET", "/api/v1/clock")
        assert status == 200 and now["now"] == "2026-03-09T09:00:00+08:00"
        assert "resumes at 2026-03-09" in again.log.read_text()
    finally:
        stop(again)
    # The CLI beside it (the same settings) works on the same day.
    settings = db.settings(clock=datetime(2026, 3, 2, 9, tzinfo=CST), allow_clock_override=True)
    ctx = build_context(settings)
    try:
        assert ctx.today().isoformat() == "2026-03-09"
    finally:
        ctx.db.dispose()


def browser_page(base: str) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page()
            yield page
        finally:
            browser.close()


def test_home_page_and_offline_api_docs_in_chromium(server: Server, tmp_path: Path) -> None:
    for page in browser_page(server.base):
        page.goto(server.base + "/")
        assert page.title() == "信用信息共享平台 · creditreg"
        assert page.locator("h1").inner_text() == "信用信息共享平台"
        assert page.locator("#today").inner_text() != ""
        page.screenshot(path=str(tmp_path / "home.png"))
        page.goto(server.base + "/docs")
        # Swagger UI renders from assets the server ships: no CDN is reachable here.
        page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
        assert "creditreg" in page.locator(".swagger-ui .info .title").inner_text()
        assert page.locator(".opblock-summary-path").count() > 10


def test_portal_shows_standards_and_publications_in_chromium__STD_1_DIS_5(
    server: Server, tmp_path: Path
) -> None:
    for page in browser_page(server.base):
        page.goto(server.base + "/standards")
        card = page.locator("#SCJG-HMD")
        assert "市场监管领域严重违法失信名单认定标准" in card.locator("h3").inner_text()
        rule = card.locator(".rule").inner_text()
        assert rule.startswith("近36个月内作出决定的经核实的失信信息不少于1条")
        assert "at least 1 verified untrustworthy record(s)" in rule  # beside it, muted
        assert "异议期 5 个工作日" in card.inner_text()
        page.screenshot(path=str(tmp_path / "standards.png"))
        page.click("text=名单公示")
        assert page.locator("#none").inner_text() == "当前没有公示中的名单信息。"


def test_a_credit_report_reads_on_a_phone_in_chromium__RIG_2(
    server: Server, tmp_path: Path
) -> None:
    """The report's page at a phone's width: nothing wider than the screen (the report's
    label column and its long digests wrapped, not pushed out of view)."""
    status, zhang = server.request(
        "POST",
        "/api/v1/subjects/lookup",
        {"id_type": "ric", "id_number": demo.demo_ric("41010519800101123")},
        demo.token_for("platform"),
    )
    assert status == 200, zhang
    status, made = server.request(
        "POST", f"/api/v1/subjects/{zhang['id']}/reports", {}, demo.token_for("platform")
    )
    assert status == 201, made
    for page in browser_page(server.base):
        page.set_viewport_size({"width": 375, "height": 800})
        page.set_extra_http_headers({"Authorization": f"Bearer {demo.token_for('platform')}"})
        page.goto(f"{server.base}/api/v1/reports/{made['number']}/html")
        assert "张示例" in page.locator("body").inner_text()
        width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(tmp_path / "report-phone.png"), full_page=True)
        assert width <= 375, f"the report is {width}px wide on a 375px screen"
