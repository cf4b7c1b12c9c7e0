"""`creditreg standards ...`, `creditreg lists ...`, `creditreg sweep` and `creditreg worker`.

On the machine the operator acts as the platform, or for a designating unit with
`--unit ID` (that unit's fields and region apply, LST-1; the audit log names both).
"""

from __future__ import annotations

import signal
import threading
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import orjson
import sqlalchemy as sa
import typer

from creditreg.cli.base import app, context, fail, operator, run
from creditreg.domain.access.principals import Principal
from creditreg.domain.errors import DomainError
from creditreg.domain.lists.standards import draft_from_dict
from creditreg.services.access import access
from creditreg.services.context import Context
from creditreg.services.kernel import sweep
from creditreg.services.lists import entries, restoration, standards

standards_app = typer.Typer(
    help="Designation standards (STD).", no_args_is_help=True, rich_markup_mode=None
)
lists_app = typer.Typer(
    help="List entries and their procedures (LST, RST).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(standards_app, name="standards")
app.add_typer(lists_app, name="lists")

Unit = Annotated[
    int | None, typer.Option("--unit", help="act for this designating unit (its scope applies)")
]


def _who(ctx: Context, unit: int | None) -> Principal:
    me = operator()
    return me if unit is None else run(lambda: access.acting_for(ctx, me.actor, unit))


def _show(value: Any) -> None:
    typer.echo(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode())


def _said(entry: dict[str, Any]) -> None:
    parts = [f"entry {entry['id']}: {entry['list_type']} {entry['status']}"]
    if entry.get("window_due") and entry["status"] in ("notified", "announced"):
        parts.append(f"window open until {entry['window_due']}")
    if entry.get("valid_until") and entry["status"] == "designated":
        parts.append(f"valid until {entry['valid_until']}")
    if entry.get("removal_reason"):
        parts.append(f"removed: {entry['removal_reason']}")
    typer.echo("; ".join(parts))


# --- standards --------------------------------------------------------------------------


@standards_app.command("list")
def standards_list(
    field: str | None = None, list_type: str | None = None, all_versions: bool = False
) -> None:
    """The published standards: code, version, list, field, rule."""
    ctx = context()
    for s in standards.listing(ctx, field, list_type, all_versions):
        typer.echo(
            f"{s['code']:<14} v{s['version']:<3} {s['status']:<10} {s['list_type']:<16} "
            f"{s['field']:<20} {s['rule_text']}"
        )


@standards_app.command("show")
def standards_show(code: Annotated[str, typer.Argument()], version: int | None = None) -> None:
    """One standard with its procedure, basis, rule and terms (JSON)."""
    ctx = context()
    _show(run(lambda: standards.get(ctx, code, version)))


@standards_app.command("publish")
def standards_publish(
    file: Annotated[Path, typer.Argument(help="the standard as JSON")], unit: Unit = None
) -> None:
    """Publish a standard or its next version; entries on it are re-evaluated (STD-3)."""
    ctx = context()
    try:
        raw = orjson.loads(file.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        fail("standard.bad_file", f"cannot read {file}: {exc}", 2)
    if not isinstance(raw, dict):
        fail("standard.bad_file", f"{file} holds a JSON object", 2)
    who = _who(ctx, unit)
    published, outcome = run(lambda: standards.publish(ctx, who, run(lambda: draft_from_dict(raw))))
    typer.echo(f"standard {published.code} v{published.version} published")
    if outcome is not None:
        typer.echo(
            f"re-evaluated {outcome['checked']} entr(ies): {outcome['removed']} removed "
            "(standard changed)"
        )


@standards_app.command("candidates")
def standards_candidates(code: Annotated[str, typer.Argument()], unit: Unit = None) -> None:
    """Subjects the standard proposes today and not yet on its list (STD-2)."""
    ctx = context()
    who = _who(ctx, unit)
    for c in run(lambda: standards.candidates(ctx, who, code)):
        typer.echo(f"{c['subject_id']:>8}  {c['records']:>3} record(s)  {c['name']}")


# --- entries ----------------------------------------------------------------------------


def _person(raw: str) -> dict[str, str]:
    parts = raw.split(":")
    if len(parts) != 4:
        fail("entry.bad_person", "a person is ROLE:NAME:ID_TYPE:ID_NUMBER", 2)
    role, name, id_type, number = parts
    return {"role": role, "name": name, "id_type": id_type, "id_number": number}


@lists_app.command("propose")
def lists_propose(
    standard: Annotated[str, typer.Option(help="the code of a standard in force")],
    subject: Annotated[int, typer.Option(help="subject id")],
    facts: Annotated[str, typer.Option(help="the facts of the conduct")],
    unit: Unit = None,
    validity_months: int | None = None,
    restorable: Annotated[bool | None, typer.Option("--restorable/--not-restorable")] = None,
    scrutiny_months: int | None = None,
    person: Annotated[
        list[str] | None, typer.Option(help="ROLE:NAME:ID_TYPE:ID_NUMBER (Art 35)")
    ] = None,
) -> None:
    """A preliminary entry under a standard."""
    ctx = context()
    who = _who(ctx, unit)
    terms = {
        k: v
        for k, v in {
            "validity_months": validity_months,
            "restorable": restorable,
            "scrutiny_months": scrutiny_months,
        }.items()
        if v is not None
    }
    people = [_person(p) for p in person or []]
    _said(
        run(
            lambda: entries.propose(
                ctx,
                who,
                standard_code=standard,
                subject_id=subject,
                facts=facts,
                terms=terms,
                responsible_persons=people,
            )
        )
    )


@lists_app.command("show")
def lists_show(entry_id: Annotated[int, typer.Argument()]) -> None:
    """One entry with grounds, records, rule inputs, notices and history (JSON)."""
    ctx = context()
    _show(run(lambda: entries.get(ctx, operator(), entry_id)))


@lists_app.command("find")
def lists_find(
    subject: int | None = None,
    list_type: str | None = None,
    status: str | None = None,
    as_of: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"])] = None,
) -> None:
    """Entries; --as-of gives those in force on that day (LST-7)."""
    ctx = context()
    found = run(
        lambda: entries.search(
            ctx,
            operator(),
            subject_id=subject,
            list_type=list_type,
            status=status,
            as_of=as_of.date() if as_of else None,
        )
    )
    for e in found:
        _said(e)


@lists_app.command("notify")
def lists_notify(entry_id: Annotated[int, typer.Argument()], unit: Unit = None) -> None:
    """LST-2: send the written notice; the objection window starts."""
    ctx = context()
    who = _who(ctx, unit)
    _said(run(lambda: entries.notify(ctx, who, entry_id)))


@lists_app.command("announce")
def lists_announce(entry_id: Annotated[int, typer.Argument()], unit: Unit = None) -> None:
    """LST-3: cross-check and announce publicly."""
    ctx = context()
    who = _who(ctx, unit)
    _said(run(lambda: entries.announce(ctx, who, entry_id)))


@lists_app.command("designate")
def lists_designate(entry_id: Annotated[int, typer.Argument()], unit: Unit = None) -> None:
    """Designate after the window (key scrutiny: with its warning)."""
    ctx = context()
    who = _who(ctx, unit)
    _said(run(lambda: entries.designate(ctx, who, entry_id)))


@lists_app.command("object")
def lists_object(
    entry_id: Annotated[int, typer.Argument()],
    objector: Annotated[str, typer.Option()],
    grounds: Annotated[str, typer.Option()],
) -> None:
    """Record an objection; the entry is suspended until verified."""
    ctx = context()
    _said(
        run(
            lambda: entries.object_to(ctx, operator(), entry_id, objector=objector, grounds=grounds)
        )
    )


@lists_app.command("resolve")
def lists_resolve(
    entry_id: Annotated[int, typer.Argument()],
    outcome: Annotated[str, typer.Option(help="dismissed | error")],
    note: Annotated[str, typer.Option()],
    unit: Unit = None,
) -> None:
    """The verification of an objection: dismissed, or error (the entry is deleted)."""
    ctx = context()
    who = _who(ctx, unit)
    result = run(lambda: entries.resolve_objection(ctx, who, entry_id, outcome=outcome, note=note))
    if result["status"] == "deleted":
        typer.echo(f"entry {entry_id}: deleted (made in error; not kept)")
    else:
        _said(result)


@lists_app.command("remove")
def lists_remove(
    entry_id: Annotated[int, typer.Argument()],
    reason: Annotated[str, typer.Option()],
    note: str = "",
    scrutiny_months: int | None = None,
    unit: Unit = None,
) -> None:
    """RST-3, RST-4: remove an entry to the archive."""
    ctx = context()
    who = _who(ctx, unit)
    _said(
        run(
            lambda: entries.remove(
                ctx, who, entry_id, reason=reason, note=note, scrutiny_months=scrutiny_months
            )
        )
    )


@lists_app.command("delete-error")
def lists_delete_error(
    entry_id: Annotated[int, typer.Argument()],
    note: Annotated[str, typer.Option()],
    unit: Unit = None,
) -> None:
    """RST-3(1): delete an entry made in error; nothing of it is kept."""
    ctx = context()
    who = _who(ctx, unit)
    run(lambda: entries.delete_in_error(ctx, who, entry_id, note))
    typer.echo(f"entry {entry_id}: deleted (made in error; not kept)")


@lists_app.command("restore-apply")
def lists_restore_apply(
    entry_id: Annotated[int, typer.Argument()],
    applicant: Annotated[str, typer.Option()],
    evidence: Annotated[str, typer.Option()],
) -> None:
    """RST-1: a restoration application, received for the subject."""
    ctx = context()
    app_ = run(
        lambda: restoration.apply(ctx, operator(), entry_id, applicant=applicant, evidence=evidence)
    )
    typer.echo(f"application {app_['id']}: pending; decision due {app_['due_date']} (Art 43)")


@lists_app.command("restore-decide")
def lists_restore_decide(
    application_id: Annotated[int, typer.Argument()],
    note: Annotated[str, typer.Option()],
    consent: Annotated[bool, typer.Option("--consent/--refuse")] = True,
    unit: Unit = None,
) -> None:
    """RST-2: the designating unit consents to early removal, or refuses."""
    ctx = context()
    who = _who(ctx, unit)
    done = run(lambda: restoration.decide(ctx, who, application_id, consent=consent, note=note))
    typer.echo(f"application {application_id}: {done['status']}")
    _said(done["entry"])


@lists_app.command("reports")
def lists_reports(overdue: bool = False) -> None:
    """LST-9: reports queued for the upper-level platform and their deadlines."""
    ctx = context()
    for r in run(lambda: entries.reports(ctx, operator(), overdue)):
        typer.echo(f"entry {r['entry_id']:>8}  due {r['due_date']}  {r['list_type']} {r['field']}")


# --- timers -----------------------------------------------------------------------------


def _report_line(report: sweep.SweepReport) -> str:
    counts = ", ".join(
        f"{k.replace('_', ' ')}: {v}" for k, v in report.as_dict().items() if k != "on" and v
    )
    return f"sweep at {report.on}: " + (counts or "nothing due")


@app.command("sweep")
def sweep_once() -> None:
    """One pass of the timers (from cron): windows, expiry, key scrutiny, big-data warnings,
    archiving, overdue verifications. Idempotent."""
    ctx = context()
    report = run(lambda: sweep.run(ctx, operator()))
    typer.echo(_report_line(report))


@app.command()
def worker(
    interval: Annotated[float, typer.Option(help="seconds between passes")] = 60.0,
    passes: Annotated[int, typer.Option(help="stop after this many passes (0: run on)")] = 0,
) -> None:
    """Run the sweep every INTERVAL seconds until stopped (SIGTERM or Ctrl-C end it cleanly)."""
    if interval < 0 or passes < 0:
        fail("worker.bad_option", "interval and passes are not negative", 2)
    ctx = context()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    done = 0
    while not stop.is_set():
        try:
            report = sweep.run(ctx, operator())
        except DomainError as exc:  # a pass that cannot run says so; the worker goes on
            typer.echo(f"error: {exc.message} [{exc.code}]", err=True)
        except sa.exc.OperationalError as exc:
            reason = " ".join(str(exc.orig).split())
            typer.echo(f"error: cannot use the database: {reason} [db.unavailable]", err=True)
        else:
            typer.echo(_report_line(report))
        done += 1
        if passes and done >= passes:
            break
        stop.wait(interval)
    typer.echo(f"worker stopped after {done} pass(es)")
