"""`creditreg standards`: designation standards."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from creditreg.api.schemas.lists.standards import StandardIn
from creditreg.cli.base import Unit, Version, acting, app, context, read_model, run, show
from creditreg.domain.lists.standards import draft_from_dict
from creditreg.services.lists import standards

standards_app = typer.Typer(
    help="Designation standards (STD).", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(standards_app, name="standards")


@standards_app.command("list")
def standards_list(
    field: str | None = None, list_type: str | None = None, all_versions: bool = False
) -> None:
    """The published standards: code, version, list, field, rule."""
    ctx = context()
    for s in standards.listing(ctx, field, list_type, all_versions):
        typer.echo(
            f"{s['code']:<14} v{s['version']:<3} {s['status']:<10} {s['list_type']:<16} "
            f"{s['field']:<20} {s['rule_text']}"
        )


@standards_app.command("show")
def standards_show(code: Annotated[str, typer.Argument()], version: Version = None) -> None:
    """One standard with its procedure, basis, rule and terms (JSON)."""
    ctx = context()
    show(run(lambda: standards.get(ctx, code, version)))


@standards_app.command("publish")
def standards_publish(
    file: Annotated[Path, typer.Argument(help="the standard as JSON")], unit: Unit = None
) -> None:
    """Publish a standard or its next version; entries on it are re-evaluated (STD-3)."""
    ctx = context()
    # The file is the API's body: one contract for both (unset keys keep the defaults).
    raw = read_model(StandardIn, file).model_dump(exclude_unset=True)
    who = acting(ctx, unit)
    published, outcome = run(lambda: standards.publish(ctx, who, run(lambda: draft_from_dict(raw))))
    typer.echo(f"standard {published.code} v{published.version} published")
    if outcome is not None:
        typer.echo(
            f"re-evaluated {outcome['checked']} entr(ies): {outcome['removed']} removed "
            "(standard changed)"
        )


@standards_app.command("candidates")
def standards_candidates(code: Annotated[str, typer.Argument()], unit: Unit = None) -> None:
    """Subjects the standard proposes today and not yet on its list (STD-2)."""
    ctx = context()
    who = acting(ctx, unit)
    for c in run(lambda: standards.candidates(ctx, who, code)):
        typer.echo(f"{c['subject_id']:>8}  {c['records']:>3} record(s)  {c['name']}")
