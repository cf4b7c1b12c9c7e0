"""`creditreg sweep` and `creditreg worker` through the command line."""

from __future__ import annotations

import signal

from typer.testing import CliRunner

from creditreg.cli.main import app
from creditreg.clock import SystemClock
from creditreg.services.context import Context
from creditreg.services.kernel.lease import Lease
from tests.conftest import DbTarget

runner = CliRunner()


def env(db: DbTarget) -> dict[str, str]:
    return {
        **db.env(),
        "CREDITREG_CLOCK": "2026-03-02T09:00",
        "CREDITREG_ALLOW_CLOCK_OVERRIDE": "1",
    }


def test_worker_sweeps_the_passes_asked_and_says_when_it_stopped(db: DbTarget) -> None:
    handler = signal.getsignal(signal.SIGINT)
    result = runner.invoke(app, ["worker", "--interval", "0", "--passes", "2"], env=env(db))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "sweep at 2026-03-02: nothing due",
        "sweep at 2026-03-02: nothing due",
        "worker stopped after 2 pass(es)",
    ]
    assert signal.getsignal(signal.SIGINT) is handler  # put back for whoever ran it
    bad = runner.invoke(app, ["worker", "--interval", "-1"], env=env(db))
    assert bad.exit_code == 2 and "[worker.bad_option]" in bad.stderr


def test_sweep_skips_a_step_another_sweep_holds_and_says_so(db: DbTarget, ctx: Context) -> None:
    held = Lease(ctx.db, "list_expiry", "embedded@host:1:abcd", SystemClock())
    assert held.acquire() is None
    result = runner.invoke(app, ["sweep"], env=env(db))
    assert result.exit_code == 0, result.stderr
    line = result.stdout.strip()
    assert line.startswith(
        "sweep at 2026-03-02: nothing due; skipped list_expiry (held by embedded@host:1:abcd until "
    )
    held.release()
    again = runner.invoke(app, ["sweep"], env=env(db))
    assert again.stdout.strip() == "sweep at 2026-03-02: nothing due"


def test_serve_refuses_a_bad_sweep_interval_in_one_line(db: DbTarget) -> None:
    for value, problem in (("0", "greater than 0"), ("soon", "valid number")):
        result = runner.invoke(app, ["serve"], env={**db.env(), "CREDITREG_SWEEP_INTERVAL": value})
        assert result.exit_code == 2
        assert result.stderr.startswith("error: invalid setting: sweep_interval: ")
        assert problem in result.stderr and "[config.invalid]" in result.stderr
