"""`creditreg db`: migrations."""

from __future__ import annotations

import typer

from creditreg.cli import lists as _lists  # noqa: F401  (registers its commands)
from creditreg.cli.base import (
    context,
    db_app,
)
from creditreg.services.kernel import checkpoints as checkpoint_service
from creditreg.store import migrate


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database (CREDITREG_DATABASE_URL) to the current schema, and put back
    any trigger that keeps the audit tables append-only that was dropped or disabled."""
    ctx = context(check_schema=False)
    before = migrate.current_revision(ctx.db.engine)
    restored = migrate.upgrade(ctx.db.engine, audit_key=ctx.chain_key(), now=ctx.now())
    after = migrate.current_revision(ctx.db.engine)
    typer.echo(f"database at revision {after} (was {before or 'empty'})")
    for name in restored:
        typer.echo(f"restored the trigger {name} (it was missing, disabled or changed)")
    # Migration 0012 wrote the start of the keyed chain: its copy goes out at once.
    copy = checkpoint_service.copy_to_file(ctx)
    if copy.error is not None:
        typer.echo(f"warning: {copy.error} [audit.checkpoint_file_unwritable]", err=True)


@db_app.command("current")
def db_current() -> None:
    """Print the schema revision the database is at."""
    ctx = context(check_schema=False)
    typer.echo(migrate.current_revision(ctx.db.engine) or "empty")
