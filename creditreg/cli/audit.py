"""`creditreg audit`: the tamper-evident audit log."""

from __future__ import annotations

import typer

from creditreg.cli import lists as _lists  # noqa: F401  (registers its commands)
from creditreg.cli.base import (
    audit_app,
    context,
    fail,
)
from creditreg.services.kernel import audit as audit_service


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit chain; exit 1 naming the first broken event."""
    ctx = context()
    result = audit_service.verify(ctx)
    if result.broken is not None:
        fail(
            "audit.chain_broken",
            f"audit chain broken at event {result.broken.seq}: {result.broken.reason} "
            f"({result.checked} events before it are intact)",
            1,
        )
    typer.echo(f"audit chain intact: {result.checked} events verified")
