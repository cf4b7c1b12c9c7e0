"""`creditreg sweep` and `creditreg worker`: the timers."""

from __future__ import annotations

import signal
from typing import Annotated

import sqlalchemy as sa
import typer

from creditreg.cli.base import app, context, fail, operator, run
from creditreg.domain.errors import DomainError
from creditreg.services.kernel import sweep
from creditreg.services.kernel.worker import Worker

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
MAX_INTERVAL = 86_400.0  # a day: beyond it a timer is not a timer (and Event.wait overflows)


@app.command("sweep")
def sweep_once() -> None:
    """One pass of the timers (from cron): windows, expiry, key scrutiny, big-data warnings,
    archiving, overdue verifications. Idempotent; a step another sweep is running is
    skipped, and the line says so."""
    ctx = context()
    report = run(lambda: sweep.run(ctx, operator()))
    typer.echo(report.line())


def _say_error(exc: Exception) -> None:
    """A pass that cannot run says so in one line; the worker goes on. Anything else is a
    defect and ends the worker with its traceback."""
    if isinstance(exc, DomainError):
        typer.echo(f"error: {exc.message} [{exc.code}]", err=True)
    elif isinstance(exc, sa.exc.OperationalError):
        reason = " ".join(str(exc.orig).split())
        typer.echo(f"error: cannot use the database: {reason} [db.unavailable]", err=True)
    else:
        raise exc


@app.command()
def worker(
    interval: Annotated[float, typer.Option(help="seconds between passes")] = 60.0,
    passes: Annotated[int, typer.Option(help="stop after this many passes (0: run on)")] = 0,
) -> None:
    """Run the sweep every INTERVAL seconds until stopped (SIGTERM or Ctrl-C end it cleanly).
    Production runs this beside `creditreg serve --no-worker`; leases keep two workers
    from running the same step at once."""
    # `not 0 <= x`: also refuses nan, which every comparison lets through.
    if not 0 <= interval <= MAX_INTERVAL or passes < 0:
        fail(
            "worker.bad_option",
            f"the interval is 0 to {MAX_INTERVAL:g} seconds and passes are not negative",
            2,
        )
    ctx = context()
    loop = Worker(
        ctx,
        operator(),
        interval,
        on_report=lambda report: typer.echo(report.line()),
        on_error=_say_error,
    )
    # Handlers put back afterwards: the command may run inside another program (tests).
    before = {sig: signal.signal(sig, lambda *_: loop.stop()) for sig in STOP_SIGNALS}
    try:
        done = loop.run(passes)
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
    typer.echo(f"worker stopped after {done} pass(es)")
