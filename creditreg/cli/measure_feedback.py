"""`creditreg measure-feedback`: the measures implementing units applied (MEA-4, LST-7):
report one for a unit (`--unit`), list them, mark typical cases, count them."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from creditreg.cli.base import acting, app, context, id_argument, id_option, operator, run
from creditreg.domain.measures.feedback import parse_group
from creditreg.services.measures import measure_feedback as feedback
from creditreg.services.measures import measure_statistics
from creditreg.services.measures.measure_feedback import FeedbackView

feedback_app = typer.Typer(
    help="Measures applied by implementing units, statistics, typical cases (MEA-4).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(feedback_app, name="measure-feedback")

Day = Annotated[date | None, typer.Option(formats=["%Y-%m-%d"])]


def _line(f: FeedbackView) -> str:
    fact = f"entry {f.entry_id}" if f.entry_id is not None else f"record {f.record_id}"
    typical = "; typical case" if f.typical else ""
    return (
        f"feedback {f.id}: {f.measure_code} applied to subject {f.subject_id} on "
        f"{f.applied_on} by unit {f.unit_id} (case {f.case_file}; {fact}; check "
        f"{f.check_id}){typical}"
    )


@feedback_app.command("report")
def report(
    subject: Annotated[int, id_option("--subject", help="the subject it was applied to")],
    measure: Annotated[str, typer.Option(help="the measure's catalog code")],
    case_file: Annotated[str, typer.Option("--case-file", help="the unit's case file")],
    applied_on: Annotated[date, typer.Option("--on", formats=["%Y-%m-%d"])],
    unit: Annotated[
        int | None, id_option("--unit", help="the implementing unit that applied it")
    ] = None,
    entry: Annotated[int | None, id_option("--entry", help="the entry it answers")] = None,
    record: Annotated[int | None, id_option("--record", help="... or the record")] = None,
    note: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Report a measure the unit applied (held to what its checks returned)."""
    ctx = context()
    principal = acting(ctx, unit)
    made = run(
        lambda: feedback.report(
            ctx,
            principal,
            subject_id=subject,
            measure_code=measure,
            applied_on=applied_on,
            case_file=case_file,
            entry_id=entry,
            record_id=record,
            note=note,
        )
    )
    typer.echo(_line(made))


@feedback_app.command("list")
def list_feedback(
    unit: Annotated[int | None, id_option("--unit", help="one unit's")] = None,
    entry: Annotated[int | None, id_option("--entry", help="applied because of an entry")] = None,
    typical: Annotated[bool, typer.Option("--typical", help="only typical cases")] = False,
) -> None:
    """The reports (every unit's), oldest first."""
    ctx = context()
    me = operator()
    if entry is not None:
        rows = run(lambda: feedback.of_entry(ctx, me, entry))
    else:
        rows = run(
            lambda: feedback.listing(ctx, me, unit_id=unit, typical=True if typical else None)
        )
    for f in rows:
        typer.echo(_line(f))


@feedback_app.command("typical")
def typical(
    feedback_id: Annotated[int, id_argument("the report")],
    note: Annotated[str | None, typer.Option(help="why it is typical")] = None,
    unmark: Annotated[bool, typer.Option("--unmark")] = False,
) -> None:
    """Mark a report as a typical case (Op(13)), or unmark it."""
    ctx = context()
    done = run(lambda: feedback.mark_typical(ctx, operator(), feedback_id, not unmark, note))
    typer.echo(_line(done))


@feedback_app.command("stats")
def stats(
    by: Annotated[str, typer.Option(help="measure, field, unit or month")] = "measure",
    since: Day = None,
    until: Day = None,
    csv: Annotated[bool, typer.Option("--csv", help="as CSV")] = False,
) -> None:
    """How many measures were applied, by measure, field, unit or month."""
    ctx = context()
    group = run(lambda: parse_group(by))
    counts = run(lambda: measure_statistics.statistics(ctx, operator(), group, since, until))
    if csv:
        typer.echo(measure_statistics.as_csv(group, counts), nl=False)
        return
    for c in counts:
        label = f" ({c.label})" if c.label else ""
        typer.echo(f"{c.key}{label}: {c.applied} applied, {c.typical} typical")
