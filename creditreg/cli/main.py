"""The `creditreg` command: one module per command group. Errors print one line and exit
non-zero."""

from __future__ import annotations

import sys

import sqlalchemy as sa
import typer

from creditreg.cli import (  # noqa: F401  (each registers its commands)
    accounts,
    audit,
    authorizations,
    calendar,
    catalog,
    check,
    corrections,
    db,
    declarations,
    demo,
    feedback,
    lists,
    measure_feedback,
    measures,
    objections,
    record_restorations,
    reports,
    serve,
    standards,
    subjects,
    timers,
    units,
    webhooks,
)
from creditreg.cli.base import app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the `creditreg` script."""
    try:
        app()
    except sa.exc.OperationalError as exc:
        reason = " ".join(str(exc.orig).split())  # the driver's message, on one line
        typer.echo(f"error: cannot use the database: {reason} [db.unavailable]", err=True)
        sys.exit(8)
