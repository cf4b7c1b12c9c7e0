"""`creditreg db`: migrations."""

from __future__ import annotations

import typer

from creditreg.cli import lists as _lists  # noqa: F401  (registers its commands)
from creditreg.cli.base import (
    context,
    db_app,
)
from creditreg.store import migrate


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database (CREDITREG_DATABASE_URL) to the current schema."""
    ctx = context(check_schema=False)
    before = migrate.current_revision(ctx.db.engine)
    migrate.upgrade(ctx.db.engine)
    after = migrate.current_revision(ctx.db.engine)
    typer.echo(f"database at revision {after} (was {before or 'empty'})")


@db_app.command("current")
def db_current() -> None:
    """Print the schema revision the database is at."""
    ctx = context(check_schema=False)
    typer.echo(migrate.current_revision(ctx.db.engine) or "empty")
