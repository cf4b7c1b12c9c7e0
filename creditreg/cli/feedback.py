"""`creditreg feedback`: red-list feedback (OBJ-4, Op(21)). A unit reports (--unit: never
anonymous); the entry's designating unit lists and verifies the reports (--unit)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from creditreg.cli.base import Unit, acting, app, context, id_argument, run, show
from creditreg.cli.objections import _read
from creditreg.services.rights import feedback, objectors

feedback_app = typer.Typer(
    help="Red-list feedback: reports that a red-listed subject is not trustworthy (OBJ-4).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(feedback_app, name="feedback")

Id = Annotated[int, id_argument()]


def said(f: Any) -> None:
    """One line: the report, its entry, its status and outcome."""
    parts = [f"feedback {f['id']}: red_list entry {f['entry_id']} {f['status']}"]
    if f.get("entry_removed"):
        parts.append("entry removed: unfit_conduct")
    if f.get("outcome_reason"):
        parts.append(f"reason: {f['outcome_reason']}")
    typer.echo("; ".join(parts))


@feedback_app.command("report")
def feedback_report(
    entry_id: Annotated[int, typer.Option(min=1, help="the red-list entry's id")],
    evidence: Annotated[str, typer.Option(help="why the subject is not trustworthy")],
    unit: Unit = None,
    attach: Annotated[list[Path] | None, typer.Option(help="a PDF, JPEG or PNG")] = None,
) -> None:
    """OBJ-4, Op(21): report for a unit (--unit: never anonymous)."""
    ctx = context()
    who = acting(ctx, unit)
    uploads = [_read(p) for p in attach or []]
    said(
        run(
            lambda: feedback.report(
                ctx,
                feedback.reporter_of(ctx, who),
                entry_id=entry_id,
                evidence=evidence,
                uploads=uploads,
            )
        )
    )


@feedback_app.command("list")
def feedback_list(status: str | None = None, unit: Unit = None) -> None:
    """The reports you may read (--unit: the designating unit's to verify)."""
    ctx = context()
    who = acting(ctx, unit)
    for f in run(lambda: feedback.listing(ctx, objectors.reader(who), status)):
        said(f)


@feedback_app.command("show")
def feedback_show(feedback_id: Id, unit: Unit = None) -> None:
    """One report with its evidence and outcome (JSON)."""
    ctx = context()
    who = acting(ctx, unit)
    show(run(lambda: feedback.get(ctx, objectors.reader(who), feedback_id)))


@feedback_app.command("decide")
def feedback_decide(
    feedback_id: Id,
    outcome: Annotated[str, typer.Option(help="confirmed | dismissed")],
    reason: Annotated[str, typer.Option(help="why (the reporter and the subject are told)")],
    unit: Unit = None,
) -> None:
    """Op(21): the designating unit verifies (--unit). Confirmed removes the entry
    (unfit_conduct); both the reporter and the subject are told."""
    ctx = context()
    who = acting(ctx, unit)
    said(run(lambda: feedback.decide(ctx, who, feedback_id, outcome=outcome, reason=reason)))
