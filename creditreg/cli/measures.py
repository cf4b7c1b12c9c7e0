"""`creditreg measures` and `creditreg memoranda`: the public catalog of measures
(MEA-1, Art 29) and the memoranda of cooperation (MEA-2, Op(12)), compiled by the platform
(the CLI acts as the platform)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from creditreg.api.schemas.measures import MeasureIn, MemorandumIn
from creditreg.cli.base import acting, app, context, read_model, run, show
from creditreg.domain.measures.catalog import measure_from_dict
from creditreg.domain.measures.memoranda import memorandum_from_dict
from creditreg.services.measures import catalog, memoranda
from creditreg.services.measures.catalog import MeasureView
from creditreg.services.measures.memoranda import MemorandumView

measures_app = typer.Typer(
    help="The catalog of measures (MEA-1, Art 29).", no_args_is_help=True, rich_markup_mode=None
)
memoranda_app = typer.Typer(
    help="Memoranda of cooperation (MEA-2, Op(12)).", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(measures_app, name="measures")
app.add_typer(memoranda_app, name="memoranda")


def _measure_line(m: MeasureView) -> str:
    return (
        f"{m['code']:<10} {m['kind']:<10} {m['trigger']:<20} {m['min_severity']:<18} "
        f"{m['status']:<9} {m['content']}"
    )


def _memo_line(m: MemorandumView) -> str:
    until = m["effective_until"] or "-"
    return (
        f"{m['code']} v{m['version']} {m['status']} from {m['effective_from']} until {until}: "
        f"{len(m['items'])} item(s), {m['title']}"
    )


@measures_app.command("list")
def measures_list(
    trigger: Annotated[str | None, typer.Option(help="red_list, blacklist ...")] = None,
    kind: Annotated[str | None, typer.Option(help="incentive or punishment")] = None,
) -> None:
    """The catalog: code, kind, trigger, least severity, status, content."""
    ctx = context()
    for m in catalog.listing(ctx, trigger, kind):
        typer.echo(_measure_line(m))


@measures_app.command("show")
def measures_show(code: Annotated[str, typer.Argument()]) -> None:
    """One measure (JSON)."""
    ctx = context()
    show(run(lambda: catalog.get(ctx, code)))


@measures_app.command("add")
def measures_add(
    file: Annotated[Path, typer.Option("--file", help="the measure as JSON (the API's body)")],
) -> None:
    """Add a measure to the catalog."""
    ctx = context()
    raw = read_model(MeasureIn, file).model_dump(exclude_unset=True)
    who = acting(ctx, None)
    made = run(lambda: catalog.create(ctx, who, run(lambda: measure_from_dict(raw))))
    typer.echo(f"measure {made['code']} added")


@measures_app.command("withdraw")
def measures_withdraw(
    code: Annotated[str, typer.Argument()],
    reason: Annotated[str, typer.Option(help="why it is withdrawn")],
) -> None:
    """Withdraw a measure: memoranda stop obliging it."""
    ctx = context()
    who = acting(ctx, None)
    done = run(lambda: catalog.withdraw(ctx, who, code, reason))
    typer.echo(f"measure {done['code']} {done['status']}")


@memoranda_app.command("list")
def memoranda_list(status: Annotated[str | None, typer.Option()] = None) -> None:
    """Every memorandum version, drafts included (the platform's console)."""
    ctx = context()
    for m in memoranda.listing(ctx, status, drafts=True):
        typer.echo(_memo_line(m))


@memoranda_app.command("show")
def memoranda_show(
    code: Annotated[str, typer.Argument()],
    version: Annotated[int | None, typer.Option(min=1)] = None,
) -> None:
    """A memorandum's version in force, else its newest (JSON)."""
    ctx = context()
    show(run(lambda: memoranda.get(ctx, code, version, drafts=True)))


@memoranda_app.command("create")
def memoranda_create(
    file: Annotated[Path, typer.Option("--file", help="the memorandum as JSON (the API's body)")],
) -> None:
    """A memorandum's next version, as a draft."""
    ctx = context()
    raw = read_model(MemorandumIn, file).model_dump(mode="json")
    who = acting(ctx, None)
    made = run(lambda: memoranda.create(ctx, who, run(lambda: memorandum_from_dict(raw))))
    typer.echo(_memo_line(made))


@memoranda_app.command("publish")
def memoranda_publish(code: Annotated[str, typer.Argument()]) -> None:
    """Publish the newest draft: in force from its effective date."""
    ctx = context()
    who = acting(ctx, None)
    typer.echo(_memo_line(run(lambda: memoranda.publish(ctx, who, code))))
