"""`creditreg calendar`: working days and deadlines."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from creditreg.cli import lists as _lists  # noqa: F401  (registers its commands)
from creditreg.cli.base import (
    calendar_app,
    context,
    operator,
    read_text,
    run,
)
from creditreg.domain.errors import InvalidInput
from creditreg.domain.kernel.calendar import Span
from creditreg.services.kernel import calendar


def _parse_pause(raw: str) -> Span:
    try:
        start, end = raw.split(":", 1)
        return Span(date.fromisoformat(start), date.fromisoformat(end))
    except ValueError:
        raise InvalidInput(
            "calendar.bad_span", f"a pause is START:END in ISO dates, not {raw!r}"
        ) from None


@calendar_app.command("add")
def calendar_add(
    start: Annotated[
        datetime, typer.Argument(formats=["%Y-%m-%d"], help="day of the starting event")
    ],
    working_days: Annotated[int, typer.Argument(help="number of working days")],
    pause: Annotated[
        list[str] | None, typer.Option(help="START:END days that do not count (repeatable)")
    ] = None,
) -> None:
    """Print the due date: the end of the N-th working day after START (START not counted)."""
    ctx = context()
    spans = run(lambda: [_parse_pause(p) for p in pause or []])
    result = run(lambda: calendar.count(ctx, start.date(), working_days, spans))
    typer.echo(result.due.isoformat() + ("  provisional" if result.provisional else ""))
    typer.echo(result.explain())


@calendar_app.command("day")
def calendar_day(day: Annotated[datetime, typer.Argument(formats=["%Y-%m-%d"])]) -> None:
    """Say whether DAY is a working day, and why."""
    ctx = context()
    info = calendar.day(ctx, day.date())
    kind = "working day" if info.working else "rest day"
    extra = f" ({info.note})" if info.note else ""
    typer.echo(f"{info.day.isoformat()}: {kind}{extra}; source: {info.source.value}")


@calendar_app.command("set")
def calendar_set(
    day: Annotated[datetime, typer.Argument(formats=["%Y-%m-%d"])],
    working: Annotated[
        bool, typer.Option("--working/--rest", help="make DAY a working or rest day")
    ],
    note: Annotated[str, typer.Option(help="why (e.g. the notice that changed it)")] = "",
) -> None:
    """Correct one calendar day; stored deadlines spanning it are recomputed."""
    ctx = context()
    info, touched = run(lambda: calendar.set_day(ctx, operator(), day.date(), working, note))
    kind = "working day" if info.working else "rest day"
    typer.echo(f"{info.day.isoformat()} is now a {kind}; {touched} deadline(s) changed")


@calendar_app.command("load")
def calendar_load(
    path: Annotated[Path, typer.Argument(help="schedule file: YYYY-MM-DD,holiday|workday,name")],
) -> None:
    """Load a year's official schedule; provisional deadlines are recomputed."""
    ctx = context()
    text = read_text(path)
    result = run(lambda: calendar.load_schedule(ctx, operator(), text))
    typer.echo(
        f"loaded the {result.year} schedule ({result.days} days); "
        f"{result.recomputed} deadline(s) changed; {result.still_provisional} still provisional"
    )
