"""`creditreg units`: units, users and tokens."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from creditreg.cli import lists as _lists  # noqa: F401  (registers its commands)
from creditreg.cli.base import (
    context,
    id_argument,
    operator,
    run,
    units_app,
)
from creditreg.domain.access.principals import Level, Role, UnitKind
from creditreg.domain.kernel.actor import Permission
from creditreg.services.access import access


@units_app.command("add")
def units_add(
    name: Annotated[str, typer.Argument()],
    uscc: Annotated[str, typer.Argument()],
    kind: Annotated[UnitKind, typer.Option(case_sensitive=False)],
    region: Annotated[str, typer.Option(help="6-digit division code")],
    level: Annotated[Level, typer.Option(case_sensitive=False)],
    field: Annotated[list[str] | None, typer.Option(help="competent field (repeatable)")] = None,
) -> None:
    """Register a unit."""
    ctx = context()
    created = run(
        lambda: access.create_unit(
            ctx,
            operator(),
            name=name,
            uscc=uscc,
            kind=kind,
            region=region,
            level=level,
            fields=field or [],
        )
    )
    typer.echo(f"unit {created['id']}: {created['name']}")


@units_app.command("add-user")
def units_add_user(
    unit_id: Annotated[int, id_argument()],
    username: Annotated[str, typer.Argument()],
    role: Annotated[list[Role], typer.Option(case_sensitive=False, help="role (repeatable)")],
    display_name: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Add a person to a unit; the password is asked for (or read from stdin)."""
    ctx = context()
    if sys.stdin.isatty():
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    created = run(
        lambda: access.create_user(
            ctx,
            operator(),
            unit_id=unit_id,
            username=username,
            display_name=display_name or username,
            password=password,
            roles=role,
        )
    )
    typer.echo(f"user {created['id']}: {created['username']} ({', '.join(created['roles'])})")


@units_app.command("add-token")
def units_add_token(
    unit_id: Annotated[int, id_argument()],
    name: Annotated[str, typer.Argument(help="what will use the token")],
    scope: Annotated[list[Permission], typer.Option(case_sensitive=False, help="repeatable")],
) -> None:
    """Issue an API token; it is printed once and never again."""
    ctx = context()
    issued = run(
        lambda: access.create_token(ctx, operator(), unit_id=unit_id, name=name, scopes=scope)
    )
    typer.echo(f"token {issued.id} ({' '.join(issued.scopes)}): {issued.token}")
    typer.echo("store it now: it is not shown again", err=True)


@units_app.command("revoke-token")
def units_revoke_token(token_id: Annotated[int, id_argument()]) -> None:
    """Revoke an API token at once."""
    ctx = context()
    run(lambda: access.revoke_token(ctx, operator(), token_id))
    typer.echo(f"token {token_id} revoked")
