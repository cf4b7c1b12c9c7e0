"""`creditreg record-restorations`: restoring untrustworthy credit records (issue 10,
part 7; RST-7, Art 43): applied for on a subject's behalf, decided by the platform or
(with `--unit`) by the providing unit."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from creditreg.cli.base import (
    Unit,
    acting,
    app,
    context,
    due,
    id_argument,
    id_option,
    operator,
    run,
)
from creditreg.cli.on_behalf import ForSubject, for_subject
from creditreg.domain.rights.record_restoration import Decider
from creditreg.services.rights import record_restoration
from creditreg.services.rights.views import RecordRestorationView

restorations_app = typer.Typer(
    help="Restoration of untrustworthy credit records (RST-7, Art 43).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(restorations_app, name="record-restorations")


def _line(a: RecordRestorationView) -> str:
    decided = f", {a['decided_at'][:10]}" if a["decided_at"] else f", due {due(a['due_date'])}"
    reasons = f": {a['reasons']}" if a["reasons"] else ""
    return (
        f"application {a['id']} (record {a['record_id']}, to the {a['decider']}): "
        f"{a['status']}{decided}{reasons}"
    )


@restorations_app.command("apply")
def apply(
    subject: ForSubject,
    record: Annotated[int, id_option("--record", help="the untrustworthy record")],
    statement: Annotated[str, typer.Option(help="how the conduct was corrected")],
    to: Annotated[Decider, typer.Option("--to", case_sensitive=False)] = Decider.PLATFORM,
) -> None:
    """Apply on the subject's behalf (the audit log names the operator and the subject)."""
    ctx = context()
    principal = for_subject(ctx, subject)
    made = run(
        lambda: record_restoration.apply(
            ctx, principal, record_id=record, decider=to, statement=statement
        )
    )
    typer.echo(_line(made))


@restorations_app.command("decide")
def decide(
    application_id: Annotated[int, id_argument("the application")],
    grant: Annotated[bool, typer.Option("--grant/--refuse", help="the decision")],
    reasons: Annotated[str, typer.Option(help="why (required to refuse)")] = "",
    unit: Unit = None,
) -> None:
    """Grant or refuse (the platform; with --unit, the providing unit)."""
    ctx = context()
    principal = acting(ctx, unit)
    outcome: Literal["grant", "refuse"] = "grant" if grant else "refuse"
    typer.echo(
        _line(
            run(
                lambda: record_restoration.decide(
                    ctx, principal, application_id, outcome=outcome, reasons=reasons
                )
            )
        )
    )


@restorations_app.command("list")
def list_applications(
    subject: Annotated[int | None, id_option("--subject", help="one subject's")] = None,
) -> None:
    """A subject's applications, or (without --subject) those awaiting a decision."""
    ctx = context()
    me = operator()
    rows = run(
        lambda: (
            record_restoration.of_subject(ctx, me, subject)
            if subject is not None
            else record_restoration.awaiting(ctx, me)
        )
    )
    for a in rows:
        typer.echo(_line(a))
