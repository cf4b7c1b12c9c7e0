"""`creditreg subjects`: credit subjects and their links."""

from __future__ import annotations

from typing import Annotated

import typer

from creditreg.cli import lists as _lists  # noqa: F401  (registers its commands)
from creditreg.cli.base import (
    context,
    operator,
    run,
    subjects_app,
)
from creditreg.domain.subjects.identifiers import parse_id_type, parse_subject_kind
from creditreg.services.subjects import subjects


@subjects_app.command("add")
def subjects_add(
    kind: Annotated[str, typer.Argument(help="natural_person, legal_person or unincorporated_org")],
    id_type: Annotated[str, typer.Argument(help="uscc, ric, passport, ...")],
    id_number: Annotated[str, typer.Argument()],
    name: Annotated[str, typer.Argument()],
) -> None:
    """Register a subject."""
    ctx = context()
    view = run(
        lambda: subjects.register(
            ctx,
            operator(),
            kind=parse_subject_kind(kind),
            id_type=parse_id_type(id_type),
            id_number=id_number,
            name=name,
        )
    )
    typer.echo(f"subject {view.id}: {view.name} ({view.id_type.value} {view.id_number})")


@subjects_app.command("find")
def subjects_find(
    id_type: Annotated[str, typer.Argument()], id_number: Annotated[str, typer.Argument()]
) -> None:
    """Find a subject by identifier."""
    ctx = context()
    view = run(lambda: subjects.find(ctx, operator(), parse_id_type(id_type), id_number))
    typer.echo(
        f"subject {view.id}: {view.name} ({view.kind.value}, {view.id_type.value} {view.id_number})"
    )
