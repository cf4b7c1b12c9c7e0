"""`creditreg corrections`: corrections of errors (OBJ-5; Op(23), Art 66): an entry or
record found to be made in error corrected by the unit that made it (`--unit`), with the
written apology and the reputation-restoring notice; compensation claimed on a subject's
behalf (`--subject`) and decided and paid by the unit."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from creditreg.cli.base import Unit, acting, app, context, id_argument, id_option, operator, run
from creditreg.cli.on_behalf import ForSubject, for_subject
from creditreg.services.rights import compensation, corrections
from creditreg.services.rights.compensation import ClaimView
from creditreg.services.rights.corrections import CorrectionView

corrections_app = typer.Typer(
    help="Corrections of errors and compensation claims (OBJ-5, Op(23), Art 66).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(corrections_app, name="corrections")


def _line(c: CorrectionView) -> str:
    public = (
        f"; clarified on {', '.join(c['public_channels'])} until {c['public_until']}"
        if c["public_channels"]
        else "; never public"
    )
    reclaim = f"; {len(c['reclaim'])} incentive(s) to reclaim" if c["reclaim"] else ""
    return (
        f"correction {c['id']}: {c['target_type']} {c['target_id']} {c['done']} on "
        f"{c['corrected_on']} (subject {c['subject_id']}); apology notice "
        f"{c['apology_notice_id']}{public}{reclaim}"
    )


def _claim_line(c: ClaimView) -> str:
    granted = f", granted {c['amount_granted']}" if c["amount_granted"] else ""
    paid = f", paid {c['paid_on']} ({c['payment_reference']})" if c["paid_on"] else ""
    return (
        f"claim {c['id']} (correction {c['correction_id']}): {c['status']}, claimed "
        f"{c['amount_claimed']} yuan{granted}{paid}"
    )


@corrections_app.command("make")
def make(
    target_type: Annotated[
        Literal["list_entry", "record"], typer.Argument(help="list_entry or record")
    ],
    target_id: Annotated[int, id_argument("the entry or record")],
    error: Annotated[str, typer.Option(help="what the error was (the apology says it)")],
    fix: Annotated[
        Literal["withdraw", "return"] | None,
        typer.Option(help="records: withdraw, or return to the provider to be fixed"),
    ] = None,
    unit: Unit = None,
) -> None:
    """Correct an entry (deleted, not kept) or a record made in error, with the apology."""
    ctx = context()
    principal = acting(ctx, unit)
    made = run(
        lambda: corrections.correct(
            ctx, principal, target_type=target_type, target_id=target_id, error=error, fix=fix
        )
    )
    typer.echo(_line(made))


@corrections_app.command("list")
def list_corrections(
    subject: Annotated[int | None, id_option("--subject", help="one subject's")] = None,
    reclaim: Annotated[
        bool, typer.Option("--reclaim", help="only those with incentives to reclaim")
    ] = False,
) -> None:
    """The corrections, newest first."""
    ctx = context()
    me = operator()
    rows = run(
        lambda: corrections.listing(ctx, me, subject_id=subject, reclaim=True if reclaim else None)
    )
    for c in rows:
        typer.echo(_line(c))
        for measure in c["reclaim"]:
            typer.echo(f"  reclaim: {measure}")


@corrections_app.command("claim")
def claim(
    subject: ForSubject,
    correction: Annotated[int, id_option("--correction", help="the correction")],
    amount: Annotated[str, typer.Option(help="yuan, e.g. 12000 or 350.50")],
    grounds: Annotated[str, typer.Option(help="what loss the error caused")],
) -> None:
    """Claim compensation on the subject's behalf (Art 66)."""
    ctx = context()
    principal = for_subject(ctx, subject)
    made = run(
        lambda: compensation.claim(ctx, principal, correction, amount=amount, grounds=grounds)
    )
    typer.echo(_claim_line(made))


@corrections_app.command("decide-claim")
def decide_claim(
    claim_id: Annotated[int, id_argument("the claim")],
    grant: Annotated[bool, typer.Option("--grant/--refuse", help="the decision")],
    reason: Annotated[str, typer.Option(help="why")],
    amount: Annotated[str | None, typer.Option(help="granted: yuan")] = None,
    unit: Unit = None,
) -> None:
    """Grant (an amount) or refuse a claim, as the unit that made the error."""
    ctx = context()
    principal = acting(ctx, unit)
    outcome = "granted" if grant else "refused"
    made = run(
        lambda: compensation.decide(
            ctx, principal, claim_id, outcome=outcome, reason=reason, amount=amount
        )
    )
    typer.echo(_claim_line(made))


@corrections_app.command("pay-claim")
def pay_claim(
    claim_id: Annotated[int, id_argument("the claim")],
    reference: Annotated[str, typer.Option(help="the transfer or voucher number")],
    unit: Unit = None,
) -> None:
    """Record the payment of a granted claim."""
    ctx = context()
    principal = acting(ctx, unit)
    typer.echo(
        _claim_line(run(lambda: compensation.pay(ctx, principal, claim_id, reference=reference)))
    )
