"""`creditreg serve`: the API, the portal and (by default) the timers."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Any

import typer

from creditreg.cli import lists as _lists  # noqa: F401  (registers its commands)
from creditreg.cli.base import (
    app,
    context,
    run,
)
from creditreg.config import Settings


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
) -> None:
    """Serve the HTTP API and the portal."""
    import uvicorn

    from creditreg.api.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # The health check reads the schema revision; Alembic would log that on every call.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    overrides: dict[str, Any] = {}
    if clock is not None:
        overrides["clock"] = clock
    if test_clock:
        overrides["test_clock"] = True
    settings = run(lambda: Settings(**overrides))
    ctx = context(settings)
    uvicorn.run(
        create_app(ctx, settings),
        host=host or settings.host,
        port=port or settings.port,
        loop="auto",
        http="auto",
        log_level="info",
    )
