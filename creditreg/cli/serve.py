"""`creditreg serve`: the API, the portal and (by default) the timers."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Any

import sqlalchemy as sa
import typer

from creditreg.cli import lists as _lists  # noqa: F401  (registers its commands)
from creditreg.cli.base import (
    app,
    context,
    run,
)
from creditreg.config import Settings
from creditreg.domain.access.principals import SYSTEM
from creditreg.domain.errors import DomainError
from creditreg.services.context import Context
from creditreg.services.kernel.sweep import SweepReport
from creditreg.services.kernel.worker import Worker

log = logging.getLogger("creditreg.worker")


def _log_report(report: SweepReport) -> None:
    # A pass every minute that did nothing is not news; one that did something, or left a
    # step to another sweep, is.
    level = logging.INFO if report.changed or report.skipped else logging.DEBUG
    log.log(level, "%s", report.line())


def _log_error(exc: Exception) -> None:
    # The server stays up and the next pass comes on time; a defect keeps its traceback.
    if isinstance(exc, DomainError):
        log.error("sweep failed: %s [%s]", exc.message, exc.code)
    elif isinstance(exc, sa.exc.OperationalError):
        log.error("sweep failed: cannot use the database: %s", " ".join(str(exc.orig).split()))
    else:
        log.exception("sweep failed")


def embedded_worker(ctx: Context, settings: Settings) -> Worker:
    """The timers inside the server, every CREDITREG_SWEEP_INTERVAL seconds."""
    return Worker(ctx, SYSTEM, settings.sweep_interval, on_report=_log_report, on_error=_log_error)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on")] = None,
    clock: Annotated[
        datetime | None,
        typer.Option(help="fix the clock (needs CREDITREG_ALLOW_CLOCK_OVERRIDE=true)"),
    ] = None,
    test_clock: Annotated[
        bool, typer.Option("--test-clock", help="let an operator move the clock through the API")
    ] = False,
    no_worker: Annotated[
        bool,
        typer.Option(
            "--no-worker",
            help="do not run the timers in the server (production runs `creditreg worker`)",
        ),
    ] = False,
) -> None:
    """Serve the HTTP API and the portal, and run the timers every CREDITREG_SWEEP_INTERVAL
    seconds (unless --no-worker or CREDITREG_EMBEDDED_WORKER=false)."""
    import uvicorn

    from creditreg.api.app import create_app, settle

    overrides: dict[str, Any] = {}
    if clock is not None:
        overrides["clock"] = clock
    if test_clock:
        overrides["test_clock"] = True
    if no_worker:
        overrides["embedded_worker"] = False
    settings = run(lambda: Settings(**overrides))
    # Configured once the settings are known good: a refused setting is one line, no more.
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # The health check reads the schema revision; Alembic would log that on every call.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    ctx = context(settings)
    worker = embedded_worker(ctx, settings) if settings.embedded_worker else None
    if worker is None:
        log.info("timers are not run by this server (run `creditreg worker`)")
    else:
        log.info("timers: a sweep every %g s in this server", settings.sweep_interval)
    api = create_app(ctx, settings, worker)
    settle()
    uvicorn.run(
        api,
        host=host or settings.host,
        port=port or settings.port,
        loop="auto",
        http="auto",
        log_level="info",
    )
