"""The `creditreg` command. Errors print one line and exit non-zero."""

from __future__ import annotations

import logging
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
import typer

from creditreg.cli import lists as _lists  # noqa: F401  (registers its commands)
from creditreg.cli.base import (
    app,
    audit_app,
    calendar_app,
    catalog_app,
    context,
    db_app,
    demo_app,
    fail,
    operator,
    records_app,
    run,
    subjects_app,
    units_app,
)
from creditreg.config import Settings
from creditreg.demo import dataset as demo
from creditreg.domain.access.principals import Level, Permission, Role, UnitKind
from creditreg.domain.errors import InvalidInput
from creditreg.domain.kernel.calendar import Span
from creditreg.domain.subjects.identifiers import parse_id_type, parse_subject_kind
from creditreg.services.access import access
from creditreg.services.kernel import audit as audit_service
from creditreg.services.kernel import calendar
from creditreg.services.records import catalog, ingest_files, lifecycle, records, verification
from creditreg.services.subjects import subjects
from creditreg.store import migrate

# --- db ---------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database (CREDITREG_DATABASE_URL) to the current schema."""
    ctx = context(check_schema=False)
    before = migrate.current_revision(ctx.db.engine)
    migrate.upgrade(ctx.db.engine)
    after = migrate.current_revision(ctx.db.engine)
    typer.echo(f"database at revision {after} (was {before or 'empty'})")


@db_app.command("current")
def db_current() -> None:
    """Print the schema revision the database is at."""
    ctx = context(check_schema=False)
    typer.echo(migrate.current_revision(ctx.db.engine) or "empty")


# --- serve ------------------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on")] = None,
    clock: Annotated[
        datetime | None,
        typer.Option(help="fix the clock (needs CREDITREG_ALLOW_CLOCK_OVERRIDE=true)"),
    ] = None,
    test_clock: Annotated[
        bool, typer.Option("--test-clock", help="let an operator move the clock through the API")
    ] = False,
) -> None:
    """Serve the HTTP API and the portal."""
    import uvicorn

    from creditreg.api.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # The health check reads the schema revision; Alembic would log that on every call.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    overrides: dict[str, Any] = {}
    if clock is not None:
        overrides["clock"] = clock
    if test_clock:
        overrides["test_clock"] = True
    settings = run(lambda: Settings(**overrides))
    ctx = context(settings)
    uvicorn.run(
        create_app(ctx, settings),
        host=host or settings.host,
        port=port or settings.port,
        loop="auto",
        http="auto",
        log_level="info",
    )


# --- demo -------------------------------------------------------------------------------


@demo_app.command("load")
def demo_load() -> None:
    """Load the demo data set (once; a second run adds nothing) and print its credentials."""
    ctx = context()
    result = run(lambda: demo.load(ctx, operator()))
    typer.echo("demo data loaded" if result.created else "demo data already loaded; nothing added")
    typer.echo("logins (POST /api/v1/auth/login):")
    for username, password, unit_name in result.logins:
        typer.echo(f"  {username:<12} {password:<28} {unit_name}")
    typer.echo("API tokens (Authorization: Bearer <token>):")
    for key, token, scopes in result.tokens:
        typer.echo(f"  {key:<12} {token}  [{scopes}]")


# --- audit ------------------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit chain; exit 1 naming the first broken event."""
    ctx = context()
    result = audit_service.verify(ctx)
    if result.broken is not None:
        fail(
            "audit.chain_broken",
            f"audit chain broken at event {result.broken.seq}: {result.broken.reason} "
            f"({result.checked} events before it are intact)",
            1,
        )
    typer.echo(f"audit chain intact: {result.checked} events verified")


# --- calendar ---------------------------------------------------------------------------


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
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail("calendar.unreadable", f"cannot read {path}: {exc}", 2)
    result = run(lambda: calendar.load_schedule(ctx, operator(), text))
    typer.echo(
        f"loaded the {result.year} schedule ({result.days} days); "
        f"{result.recomputed} deadline(s) changed; {result.still_provisional} still provisional"
    )


# --- subjects ---------------------------------------------------------------------------


@subjects_app.command("add")
def subjects_add(
    kind: Annotated[str, typer.Argument(help="natural_person, legal_person or unincorporated_org")],
    id_type: Annotated[str, typer.Argument(help="uscc, ric, passport, ...")],
    id_number: Annotated[str, typer.Argument()],
    name: Annotated[str, typer.Argument()],
) -> None:
    """Register a subject."""
    ctx = context()
    view = run(
        lambda: subjects.register(
            ctx,
            operator(),
            kind=parse_subject_kind(kind),
            id_type=parse_id_type(id_type),
            id_number=id_number,
            name=name,
        )
    )
    typer.echo(f"subject {view.id}: {view.name} ({view.id_type.value} {view.id_number})")


@subjects_app.command("find")
def subjects_find(
    id_type: Annotated[str, typer.Argument()], id_number: Annotated[str, typer.Argument()]
) -> None:
    """Find a subject by identifier."""
    ctx = context()
    view = run(lambda: subjects.find(ctx, operator(), parse_id_type(id_type), id_number))
    typer.echo(
        f"subject {view.id}: {view.name} ({view.kind.value}, {view.id_type.value} {view.id_number})"
    )


# --- units, users, tokens ---------------------------------------------------------------


@units_app.command("add")
def units_add(
    name: Annotated[str, typer.Argument()],
    uscc: Annotated[str, typer.Argument()],
    kind: Annotated[UnitKind, typer.Option(case_sensitive=False)],
    region: Annotated[str, typer.Option(help="6-digit division code")],
    level: Annotated[Level, typer.Option(case_sensitive=False)],
    field: Annotated[list[str] | None, typer.Option(help="competent field (repeatable)")] = None,
) -> None:
    """Register a unit."""
    ctx = context()
    created = run(
        lambda: access.create_unit(
            ctx,
            operator(),
            name=name,
            uscc=uscc,
            kind=kind,
            region=region,
            level=level,
            fields=field or [],
        )
    )
    typer.echo(f"unit {created['id']}: {created['name']}")


@units_app.command("add-user")
def units_add_user(
    unit_id: Annotated[int, typer.Argument()],
    username: Annotated[str, typer.Argument()],
    role: Annotated[list[Role], typer.Option(case_sensitive=False, help="role (repeatable)")],
    display_name: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Add a person to a unit; the password is asked for (or read from stdin)."""
    ctx = context()
    if sys.stdin.isatty():
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    created = run(
        lambda: access.create_user(
            ctx,
            operator(),
            unit_id=unit_id,
            username=username,
            display_name=display_name or username,
            password=password,
            roles=role,
        )
    )
    typer.echo(f"user {created['id']}: {created['username']} ({', '.join(created['roles'])})")


@units_app.command("add-token")
def units_add_token(
    unit_id: Annotated[int, typer.Argument()],
    name: Annotated[str, typer.Argument(help="what will use the token")],
    scope: Annotated[list[Permission], typer.Option(case_sensitive=False, help="repeatable")],
) -> None:
    """Issue an API token; it is printed once and never again."""
    ctx = context()
    issued = run(
        lambda: access.create_token(ctx, operator(), unit_id=unit_id, name=name, scopes=scope)
    )
    typer.echo(f"token {issued.id} ({' '.join(issued.scopes)}): {issued.token}")
    typer.echo("store it now: it is not shown again", err=True)


@units_app.command("revoke-token")
def units_revoke_token(token_id: Annotated[int, typer.Argument()]) -> None:
    """Revoke an API token at once."""
    ctx = context()
    run(lambda: access.revoke_token(ctx, operator(), token_id))
    typer.echo(f"token {token_id} revoked")


# --- catalog and ingestion --------------------------------------------------------------


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
def catalog_show(code: Annotated[str, typer.Argument()], version: int | None = None) -> None:
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
    unit: Annotated[int, typer.Option(help="the providing unit's id")],
) -> None:
    """Draft a catalog item, or a new version of one."""
    import json

    ctx = context()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        fail("catalog.unreadable", f"cannot read {path}: {exc}", 2)
    item = run(lambda: catalog.draft_item(ctx, operator(), catalog.parse_draft(raw), unit))
    typer.echo(f"drafted {item.code} v{item.version} as item {item.id}")


@catalog_app.command("assess")
def catalog_assess(
    item_id: Annotated[int, typer.Argument()],
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
def catalog_approve(item_id: Annotated[int, typer.Argument()]) -> None:
    """Approve a draft item; the previous version is retired for new records."""
    ctx = context()
    item = run(lambda: catalog.approve(ctx, operator(), item_id))
    typer.echo(f"{item.code} v{item.version} approved")


@records_app.command("show")
def records_show(record_id: Annotated[int, typer.Argument()]) -> None:
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
        typer.echo(f"{r['id']:>8}  due {r['verify_due']}  subject {r['subject_id']}{flag}")
    typer.echo(f"{len(rows)} record(s)")


@records_app.command("verify")
def records_verify(
    record_id: Annotated[int, typer.Argument()],
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
    record_id: Annotated[int, typer.Argument()],
    applicant: Annotated[str, typer.Option(help="who asked: the subject or its agent")],
) -> None:
    """RST-6, Art 44: archive a record on the subject's request once its display ended."""
    ctx = context()
    run(lambda: lifecycle.request_archiving(ctx, operator(), record_id, applicant))
    typer.echo(f"record {record_id}: archived at the request of {applicant.strip()}")


@records_app.command("withdraw")
def records_withdraw(
    record_id: Annotated[int, typer.Argument()],
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
    version: Annotated[int | None, typer.Option(help="catalog version (default: approved)")] = None,
    batch_id: Annotated[str | None, typer.Option(help="the batch's own id (idempotency)")] = None,
    rejections: Annotated[
        Path | None, typer.Option(help="write rejected rows to this CSV file")
    ] = None,
) -> None:
    """Submit a bulk file of records on its catalog item's providing unit's behalf (ING-1)."""
    ctx = context()
    if not path.is_file():
        fail("file.not_found", f"{path} is not a readable file", 2)
    fmt = run(lambda: ingest_files.detect_format(path.name))
    item = run(lambda: catalog.find(ctx, catalog_code, version))
    digest = ingest_files.file_digest(path)
    rows = ingest_files.read_rows(path, fmt, item.template)
    with typer.progressbar(
        rows, length=_count_lines(path), label=f"{path.name}", file=sys.stderr
    ) as bar:
        result = run(
            lambda: records.submit(
                ctx,
                operator(),
                code=item.code,
                version=item.version,
                rows=bar,
                content_digest=digest,
                batch_key=batch_id,
                source="cli",
                filename=path.name,
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
        fail(
            "records.batch_rejected",
            f"{result.rejected_count} of {result.rows} row(s) rejected, nothing stored{where}; "
            f"first: row {first.row} {first.field}: {first.message} [{first.code}]",
            2,
        )
    typer.echo(
        f"batch {result.batch_id}: {result.stored} record(s) stored; "
        f"verification due {result.verify_due} (Art 17)"
    )


def main() -> None:
    """Entry point of the `creditreg` script."""
    try:
        app()
    except sa.exc.OperationalError as exc:
        reason = " ".join(str(exc.orig).split())  # the driver's message, on one line
        typer.echo(f"error: cannot use the database: {reason} [db.unavailable]", err=True)
        sys.exit(8)
