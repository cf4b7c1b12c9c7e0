"""`creditreg check`: the check (MEA-3) for a named implementing unit (`--unit`), as its
approval or procurement workflow would call it; `--batch FILE` screens up to 1,000
identifiers (one per line, `NUMBER` or `TYPE,NUMBER`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from creditreg.cli.base import acting, app, context, fail, id_option, read_text, run, show
from creditreg.domain.errors import DomainError
from creditreg.domain.measures.check import CheckPurpose, guess_key, parse_purpose
from creditreg.services.measures import check as checks
from creditreg.services.measures.check_answers import Answer

T = TypeVar("T")


def _line(a: Answer) -> str:
    who = (
        f"{a.subject['name']} ({a.key.id_type} {a.key.number})"
        if a.subject
        else (f"{a.key.id_type} {a.key.number}: no such subject")
    )
    if a.clean:
        return f"{who}: clean as of {a.as_of.isoformat()} (check {a.check_id})"
    parts = [
        f"{e['list_type']} entry {e['id']}" + (" (under objection)" if e["under_objection"] else "")
        for e in a.entries
    ]
    parts += [
        f"{g['role']} {g['name']}: {len(g['entries'])} "
        + ("entry" if len(g["entries"]) == 1 else "entries")
        for g in a.linked
    ]
    parts += [f"record {r['id']} ({r['catalog']})" for r in a.records]
    measures = ", ".join(sorted({m["code"] for m in a.measures})) or "none for your unit"
    green = ", ".join(sorted({m["code"] for m in a.green_channel}))
    tail = f"; green channel: {green}" if green else ""
    return f"{who}: {'; '.join(parts)}; measures: {measures}{tail} (check {a.check_id})"


def _as_json(a: Answer) -> dict[str, Any]:
    return a.document() | {"key": {"id_type": a.key.id_type, "id_number": a.key.number}}


def _batch_items(path: Path, id_type: str | None) -> tuple[list[tuple[str, str]], list[int]]:
    """The file's identifiers and, for each, its line number (an error names the line): a
    line is `TYPE,NUMBER`, or a number of `id_type`, or of the one type it is valid as."""
    items: list[tuple[str, str]] = []
    lines: list[int] = []
    for number_of_line, line in enumerate(read_text(path).splitlines(), start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if "," in text:
            given, _, number = text.partition(",")
            items.append((given.strip(), number.strip()))
        elif id_type is not None:
            items.append((id_type, text))
        else:
            key = _on_line(path, number_of_line, partial(guess_key, text))
            items.append((key.id_type, key.number))
        lines.append(number_of_line)
    return items, lines


def _on_line(path: Path, line: int, action: Callable[[], T]) -> T:
    """`run`, the error's message naming the file's line."""
    try:
        return action()
    except DomainError as exc:
        fail(exc.code, f"{path}, line {line}: {exc.message}", exc.exit_code)


@app.command("check")
def check(
    identifier: Annotated[
        str | None, typer.Argument(help="USCC, resident ID or LEI (or --id-type)")
    ] = None,
    purpose: Annotated[
        str, typer.Option(help="one of: " + ", ".join(p.value for p in CheckPurpose))
    ] = "",
    unit: Annotated[
        int | None, id_option("--unit", help="the implementing unit the check acts for")
    ] = None,
    id_type: Annotated[str | None, typer.Option("--id-type", help="the identifier's type")] = None,
    note: Annotated[str | None, typer.Option(help="what for (required with 'other')")] = None,
    batch: Annotated[
        Path | None,
        typer.Option(
            help="a file of up to 1,000 identifiers, one per line: TYPE,NUMBER (uscc, ric, "
            "lei ...) or a NUMBER of --id-type, or of the one type it is valid as"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="the whole answer as JSON")] = False,
) -> None:
    """MEA-3: every entry in force, the measures your unit must apply, registered (SEC-2)."""
    if unit is None:
        fail("check.unit_required", "the check acts for an implementing unit: give --unit", 2)
    if (identifier is None) == (batch is None):
        fail("check.no_identifier", "give one IDENTIFIER or --batch FILE", 2)
    run(lambda: parse_purpose(purpose, note))  # a bad purpose: one line, before anything
    ctx = context()
    principal = acting(ctx, unit)
    if batch is not None:
        items, lines = _batch_items(batch, id_type)
        try:
            answers = checks.check_batch(ctx, principal, items, purpose, note)
        except DomainError as exc:
            at = exc.details.get("index")
            where = (
                f"{batch}, line {lines[at]}: " if isinstance(at, int) and at < len(lines) else ""
            )
            fail(exc.code, where + exc.message, exc.exit_code)
    else:
        assert identifier is not None
        given = identifier
        if id_type is None:
            key = run(lambda: guess_key(given, ctx.today()))
            answers = [
                run(lambda: checks.check(ctx, principal, key.id_type, key.number, purpose, note))
            ]
        else:
            answers = [run(lambda: checks.check(ctx, principal, id_type, given, purpose, note))]
    if as_json:
        show([_as_json(a) for a in answers] if batch is not None else _as_json(answers[0]))
        return
    for a in answers:
        typer.echo(_line(a))
