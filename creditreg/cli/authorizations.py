"""`creditreg authorizations`: written authorizations of authorized inquiry (issue 10,
part 3; DIS-6, Art 22), granted and revoked on a subject's behalf from the command line
(the audit log names the operator and the subject)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from creditreg.cli.base import app, context, fail, id_argument, id_option, operator, run
from creditreg.cli.on_behalf import ForSubject, for_subject
from creditreg.services.rights import authorizations
from creditreg.services.rights.views import AuthorizationView

authorizations_app = typer.Typer(
    help="Written authorizations of authorized inquiry (DIS-6, Art 22).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(authorizations_app, name="authorizations")


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        fail("authorization.bad_period", f"{raw!r} is not a date (YYYY-MM-DD)", 2)


def _line(a: AuthorizationView) -> str:
    state = "in force" if a["in_force"] else a["status"]
    return (
        f"authorization {a['id']}: unit {a['unit_id']} for {a['purpose']!r}, "
        f"{a['valid_from']} to {a['valid_until']} ({state}; document {a['document_ref']}); "
        f"used {len(a['uses'])} time(s)"
    )


@authorizations_app.command("grant")
def grant(
    subject: ForSubject,
    unit: Annotated[int, id_option("--unit", help="the unit authorized to inquire")],
    purpose: Annotated[str, typer.Option(help="the purpose, e.g. 贷款审批")],
    until: Annotated[str, typer.Option("--until", help="the last day, YYYY-MM-DD")],
    document: Annotated[str, typer.Option(help="the written authorization's reference")],
    since: Annotated[str | None, typer.Option("--from", help="the first day")] = None,
) -> None:
    """Record a subject's written authorization, on its behalf."""
    ctx = context()
    principal = for_subject(ctx, subject)
    made = run(
        lambda: authorizations.grant(
            ctx,
            principal,
            unit_id=unit,
            purpose=purpose,
            valid_from=_day(since) if since else None,
            valid_until=_day(until),
            document_ref=document,
        )
    )
    typer.echo(_line(made))


@authorizations_app.command("revoke")
def revoke(
    authorization_id: Annotated[int, id_argument("the authorization")],
    subject: ForSubject,
) -> None:
    """Withdraw a subject's authorization, on its behalf."""
    ctx = context()
    principal = for_subject(ctx, subject)
    typer.echo(_line(run(lambda: authorizations.revoke(ctx, principal, authorization_id))))


@authorizations_app.command("list")
def list_authorizations(
    subject: Annotated[int, id_option("--subject", help="the subject")],
) -> None:
    """A subject's authorizations and every use of them."""
    ctx = context()
    for a in run(lambda: authorizations.of_subject(ctx, operator(), subject)):
        typer.echo(_line(a))
        for u in a["uses"]:
            typer.echo(
                f"  {u['used_at'][:16]} unit {u['unit_id']} ({u['actor']}): {u['items']} record(s)"
            )
