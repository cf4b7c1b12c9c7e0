"""`creditreg declarations`: self-declaration (issue 10, part 8; ING-6, Art 15): a
subject's declaration, voluntary registration or credit pledge entered on its behalf, and
a credit pledge judged kept or broken by the platform (or, with `--unit`, its provider)."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
import typer

from creditreg.cli.base import Unit, acting, app, context, fail, id_argument, run
from creditreg.cli.on_behalf import ForSubject, for_subject
from creditreg.domain.records.declarations import PledgeAction
from creditreg.services.records import declarations
from creditreg.services.records.declarations import DeclarationView

declarations_app = typer.Typer(
    help="Subjects' own declarations, voluntary registrations and credit pledges (ING-6).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(declarations_app, name="declarations")


def _line(d: DeclarationView) -> str:
    pledge = d["pledge"]
    performance = f", pledge {pledge['status']}" if pledge else ""
    reason = f" ({pledge['reason']})" if pledge and pledge["reason"] else ""
    return (
        f"record {d['record_id']} ({d['catalog']}, {d['declaration_kind']}, self-declared): "
        f"{d['status']}{performance}{reason}"
    )


@declarations_app.command("submit")
def submit(
    subject: ForSubject,
    catalog: Annotated[str, typer.Option(help="a catalog item meant for subjects")],
    data: Annotated[str, typer.Option(help="the row, as a JSON object")],
) -> None:
    """Declare on the subject's behalf (the audit log names the operator and the subject)."""
    try:
        row: Any = orjson.loads(data)
    except orjson.JSONDecodeError:
        fail("declaration.bad_data", "--data is not JSON", 2)
    if not isinstance(row, dict):
        fail("declaration.bad_data", "--data is a JSON object of the template's fields", 2)
    ctx = context()
    principal = for_subject(ctx, subject)
    typer.echo(_line(run(lambda: declarations.declare(ctx, principal, code=catalog, data=row))))


@declarations_app.command("list")
def list_declarations(subject: ForSubject) -> None:
    """The subject's self-declared records, pledges with their performance."""
    ctx = context()
    principal = for_subject(ctx, subject)
    for d in run(lambda: declarations.of_subject(ctx, principal, subject)):
        typer.echo(_line(d))


@declarations_app.command("judge")
def judge(
    record_id: Annotated[int, id_argument("the credit pledge's record")],
    kept: Annotated[bool, typer.Option("--kept/--broken", help="the pledge's performance")],
    reason: Annotated[str, typer.Option(help="why (required)")],
    unit: Unit = None,
) -> None:
    """Judge a credit pledge kept or broken (the platform; with --unit, its provider)."""
    ctx = context()
    principal = acting(ctx, unit)
    action = PledgeAction.KEEP if kept else PledgeAction.BREAK
    view = run(
        lambda: declarations.judge_pledge(ctx, principal, record_id, action=action, reason=reason)
    )
    typer.echo(f"record {record_id}: pledge {view['status']} ({view['reason']})")
