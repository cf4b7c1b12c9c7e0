"""`creditreg audit`: the tamper-evident audit log."""

from __future__ import annotations

import typer

from creditreg.cli import lists as _lists  # noqa: F401  (registers its commands)
from creditreg.cli.base import (
    audit_app,
    context,
    fail,
    operator,
    run,
)
from creditreg.services.kernel import audit as audit_service
from creditreg.services.kernel import checkpoints as checkpoint_service


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit chain under the key and compare it with the checkpoints in the
    database and in the checkpoint file, and check the append-only triggers. Prints what
    was checked; on any finding, one line per finding with its code, and exit 1."""
    ctx = context()
    result = run(lambda: audit_service.verify(ctx))
    if not result.ok:
        for finding in result.findings:
            typer.echo(f"error: {finding.line()} [{finding.code}]", err=True)
        raise typer.Exit(1)
    unkeyed = (
        f"; events 1..{result.unkeyed_until} are the unkeyed chain from before the key"
        if result.unkeyed_until
        else ""
    )
    typer.echo(f"audit chain intact: {result.checked} events verified{unkeyed}")
    newest = (
        f", the newest at event {result.newest_checkpoint_seq}"
        if result.newest_checkpoint_seq is not None
        else ""
    )
    typer.echo(
        f"checkpoints: {result.checkpoints} in the database, each signed and matching the "
        f"chain{newest}"
    )
    if result.file is not None:
        entries = result.file_entries or 0
        typer.echo(
            f"checkpoint file {result.file}: {entries} "
            f"{'entry' if entries == 1 else 'entries'}, the same as the database's"
        )
    typer.echo(f"triggers: the {result.triggers} keeping the audit tables append-only are in place")


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign the audit chain's head now, in the database and in the checkpoint file (the
    sweep does it at every pass that finds new events)."""
    ctx = context()
    written = run(lambda: checkpoint_service.take(ctx, operator()))
    cp = written.checkpoint
    said = f"checkpoint {cp.number}: event {cp.seq}, head {cp.head_hash[:16]}…"
    if written.copy.error is not None:
        fail(
            "audit.checkpoint_file_unwritable",
            f"{said} is in the database, but {written.copy.error}",
            1,
        )
    where = f" and in {written.copy.file}" if written.copy.file else ""
    typer.echo(f"{said}, in the database{where}")
