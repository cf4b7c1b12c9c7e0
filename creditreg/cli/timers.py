"""`creditreg sweep` and `creditreg worker`: the timers."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import sqlalchemy as sa
import typer

from creditreg.cli.base import app, context, fail, operator, run
from creditreg.domain.errors import DomainError
from creditreg.services.kernel import sweep


def _report_line(report: sweep.SweepReport) -> str:
    counts = ", ".join(
        f"{k.replace('_', ' ')}: {v}" for k, v in report.as_dict().items() if k != "on" and v
    )
    return f"sweep at {report.on}: " + (counts or "nothing due")


@app.command("sweep")
def sweep_once() -> None:
    """One pass of the timers (from cron): windows, expiry, key scrutiny, big-data warnings,
    archiving, overdue verifications. Idempotent."""
    ctx = context()
    report = run(lambda: sweep.run(ctx, operator()))
    typer.echo(_report_line(report))


@app.command()
def worker(
    interval: Annotated[float, typer.Option(help="seconds between passes")] = 60.0,
    passes: Annotated[int, typer.Option(help="stop after this many passes (0: run on)")] = 0,
) -> None:
    """Run the sweep every INTERVAL seconds until stopped (SIGTERM or Ctrl-C end it cleanly)."""
    if interval < 0 or passes < 0:
        fail("worker.bad_option", "interval and passes are not negative", 2)
    ctx = context()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    done = 0
    while not stop.is_set():
        try:
            report = sweep.run(ctx, operator())
        except DomainError as exc:  # a pass that cannot run says so; the worker goes on
            typer.echo(f"error: {exc.message} [{exc.code}]", err=True)
        except sa.exc.OperationalError as exc:
            reason = " ".join(str(exc.orig).split())
            typer.echo(f"error: cannot use the database: {reason} [db.unavailable]", err=True)
        else:
            typer.echo(_report_line(report))
        done += 1
        if passes and done >= passes:
            break
        stop.wait(interval)
    typer.echo(f"worker stopped after {done} pass(es)")
