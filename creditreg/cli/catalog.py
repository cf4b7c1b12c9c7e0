"""`creditreg catalog`, `creditreg ingest`, `creditreg records`: credit information."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from creditreg.api.schemas.records import ItemDraftIn
from creditreg.cli import lists as _lists  # noqa: F401  (registers its commands)
from creditreg.cli.base import (
    Version,
    app,
    catalog_app,
    context,
    due,
    fail,
    id_argument,
    id_option,
    operator,
    read_model,
    records_app,
    run,
)
from creditreg.services.records import catalog, ingest_files, lifecycle, verification


@catalog_app.command("list")
def catalog_list() -> None:
    """The approved catalog items (code, version, class, character, disclosure, name)."""
    ctx = context()
    for item in catalog.published(ctx):
        d = item.draft
        typer.echo(
            f"{item.code:<12} v{item.version:<3} {d.content_class.value:<22} "
            f"{d.character.value:<14} {d.disclosure.value:<20} {d.name}"
        )


@catalog_app.command("show")
def catalog_show(code: Annotated[str, typer.Argument()], version: Version = None) -> None:
    """One item's template: field, label, type, presence."""
    ctx = context()
    item = run(lambda: catalog.find(ctx, code, version))
    typer.echo(f"{item.code} v{item.version} {item.draft.name} ({item.status.value})")
    for f in item.template.fields:
        when = f" when {f.when_field}={f.when_value}" if f.when_field else ""
        typer.echo(f"  {f.name:<24} {f.type.value:<8} {f.presence.value}{when}  {f.label}")


@catalog_app.command("draft")
def catalog_draft(
    path: Annotated[Path, typer.Argument(help="the item as JSON (Art 11 elements and template)")],
    unit: Annotated[int, id_option(help="the providing unit's id")],
) -> None:
    """Draft a catalog item, or a new version of one (the file is the API's `item`)."""
    ctx = context()
    raw = read_model(ItemDraftIn, path).model_dump(exclude_none=True)
    item = run(lambda: catalog.draft_item(ctx, operator(), catalog.parse_draft(raw), unit))
    typer.echo(f"drafted {item.code} v{item.version} as item {item.id}")


@catalog_app.command("assess")
def catalog_assess(
    item_id: Annotated[int, id_argument()],
    assessment: Annotated[str, typer.Option(help="the expert assessment's conclusion")],
    comment_start: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"])],
    comment_end: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"])],
) -> None:
    """CAT-2: record the expert assessment and public-comment period of a draft."""
    ctx = context()
    item = run(
        lambda: catalog.record_assessment(
            ctx,
            operator(),
            item_id,
            expert_assessment=assessment,
            comment_start=comment_start.date(),
            comment_end=comment_end.date(),
        )
    )
    typer.echo(f"{item.code} v{item.version}: assessment recorded")


@catalog_app.command("approve")
def catalog_approve(item_id: Annotated[int, id_argument()]) -> None:
    """Approve a draft item; the previous version is retired for new records."""
    ctx = context()
    item = run(lambda: catalog.approve(ctx, operator(), item_id))
    typer.echo(f"{item.code} v{item.version} approved")


@records_app.command("show")
def records_show(record_id: Annotated[int, id_argument()]) -> None:
    """A record as JSON, with its verification deadline and how it was counted."""
    import json

    ctx = context()
    view = run(lambda: verification.get(ctx, operator(), record_id))
    typer.echo(json.dumps(view, ensure_ascii=False, indent=2, default=str))


@records_app.command("pending")
def records_pending(overdue: bool = False) -> None:
    """Records awaiting verification (ING-2), with their deadlines."""
    ctx = context()
    rows = run(lambda: verification.pending(ctx, operator(), overdue_only=overdue))
    for r in rows:
        flag = "  OVERDUE" if r["overdue"] else ""
        typer.echo(f"{r['id']:>8}  due {due(r['verify_due'])}  subject {r['subject_id']}{flag}")
    typer.echo(f"{len(rows)} record(s)")


@records_app.command("verify")
def records_verify(
    record_id: Annotated[int, id_argument()],
    passed: Annotated[bool, typer.Option("--pass/--return", help="pass it or return it")],
    reason: Annotated[
        list[str] | None, typer.Option(help="why it is returned (repeatable)")
    ] = None,
) -> None:
    """ING-2: pass a record, or return it to its provider with reasons."""
    ctx = context()
    view = run(
        lambda: verification.verify(ctx, operator(), record_id, passed=passed, reasons=reason or [])
    )
    typer.echo(f"record {record_id} {view['status']}")


@records_app.command("archive")
def records_archive(
    record_id: Annotated[int, id_argument()],
    applicant: Annotated[str, typer.Option(help="who asked: the subject or its agent")],
) -> None:
    """RST-6, Art 44: archive a record on the subject's request once its display ended."""
    ctx = context()
    run(lambda: lifecycle.request_archiving(ctx, operator(), record_id, applicant))
    typer.echo(f"record {record_id}: archived at the request of {applicant.strip()}")


@records_app.command("withdraw")
def records_withdraw(
    record_id: Annotated[int, id_argument()],
    reason: Annotated[str, typer.Option(help="the decision that revoked the record's basis")],
) -> None:
    """ING-7: withdraw a record whose basis was revoked (effective at once)."""
    ctx = context()
    run(lambda: lifecycle.withdraw(ctx, operator(), record_id, reason))
    typer.echo(f"record {record_id} withdrawn")


def _count_lines(path: Path) -> int | None:
    if path.suffix.lower() == ".xlsx":
        return None
    with path.open("rb") as f:
        return max(0, sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b"")) - 1)


@app.command()
def ingest(
    path: Annotated[Path, typer.Argument(help="CSV, JSON Lines (.jsonl) or Excel (.xlsx) file")],
    catalog_code: Annotated[str, typer.Option("--catalog", help="the catalog item's data code")],
    version: Version = None,
    batch_id: Annotated[str | None, typer.Option(help="the batch's own id (idempotency)")] = None,
    rejections: Annotated[
        Path | None, typer.Option(help="write rejected rows to this CSV file")
    ] = None,
) -> None:
    """Submit a bulk file of records on its catalog item's providing unit's behalf (ING-1)."""
    ctx = context()
    if not path.is_file():
        fail("file.unreadable", f"cannot read {path}: not a file", 2)
    with typer.progressbar(
        length=_count_lines(path) or 0, label=f"{path.name}", file=sys.stderr
    ) as bar:

        def counted(rows: Iterator[ingest_files.Row]) -> Iterator[ingest_files.Row]:
            for row in rows:
                bar.update(1)
                yield row

        result = run(
            lambda: ingest_files.submit_file(
                ctx,
                operator(),
                path,
                catalog_code=catalog_code,
                version=version,
                batch_key=batch_id,
                source="cli",
                progress=counted,
            )
        )
    if result.duplicate:
        typer.echo(f"already received as batch {result.batch_id}; nothing new stored")
        return
    if result.rejected_count:
        if rejections is not None:
            rejections.write_text(ingest_files.rejections_csv(result.rejected), encoding="utf-8")
        first = result.rejected[0]
        where = f" (rejected rows written to {rejections})" if rejections else ""
        bad_rows = len({r.row for r in result.rejected})
        more = "+" if result.rejected_count > len(result.rejected) else ""
        fail(
            "record.batch_rejected",
            f"{bad_rows}{more} of {result.rows} row(s) rejected ({result.rejected_count} "
            f"problem(s)), nothing stored{where}; first: row {first.row} {first.field}: "
            f"{first.message} ({first.code})",
            2,
        )
    repeated = (
        f"; {result.duplicates} row(s) already stored, skipped (first: row "
        f"{result.duplicate_rows[0]})"
        if result.duplicate_rows
        else ""
    )
    by = f"; verification due {due(result.verify_due)} (Art 17)" if result.verify_due else ""
    typer.echo(f"batch {result.batch_id}: {result.stored} record(s) stored{repeated}{by}")
