"""`creditreg demo`: the demo data set."""

from __future__ import annotations

import typer

from creditreg.cli import lists as _lists  # noqa: F401  (registers its commands)
from creditreg.cli.base import (
    context,
    demo_app,
    operator,
    run,
)
from creditreg.demo import dataset as demo


@demo_app.command("load")
def demo_load() -> None:
    """Load the demo data set (once; a second run adds nothing) and print its credentials."""
    ctx = context()
    result = run(lambda: demo.load(ctx, operator()))
    typer.echo("demo data loaded" if result.created else "demo data already loaded; nothing added")
    typer.echo("logins (POST /api/v1/auth/login):")
    for username, password, unit_name in result.logins:
        typer.echo(f"  {username:<12} {password:<28} {unit_name}")
    typer.echo("API tokens (Authorization: Bearer <token>):")
    for key, token, scopes in result.tokens:
        typer.echo(f"  {key:<12} {token}  [{scopes}]")
