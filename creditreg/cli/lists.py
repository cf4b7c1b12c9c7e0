"""`creditreg lists`: the list procedures."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from creditreg.cli.base import (
    Unit,
    acting,
    app,
    context,
    due,
    fail,
    id_argument,
    id_option,
    operator,
    run,
    said,
    show,
)
from creditreg.services.lists import entries, entry_steps, entry_views, restoration
from creditreg.services.rights import corrections, notices

lists_app = typer.Typer(
    help="List entries and their procedures (LST, RST).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(lists_app, name="lists")


def _person(raw: str) -> dict[str, str]:
    parts = raw.split(":")
    if len(parts) != 4:
        fail("entry.bad_person", "a person is ROLE:NAME:ID_TYPE:ID_NUMBER", 2)
    role, name, id_type, number = parts
    return {"role": role, "name": name, "id_type": id_type, "id_number": number}


@lists_app.command("propose")
def lists_propose(
    standard: Annotated[str, typer.Option(help="the code of a standard in force")],
    subject: Annotated[int, id_option(help="subject id")],
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
    who = acting(ctx, unit)
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
    said(
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
def lists_show(entry_id: Annotated[int, id_argument()]) -> None:
    """One entry with grounds, records, rule inputs, notices and history (JSON)."""
    ctx = context()
    show(run(lambda: entry_views.get(ctx, operator(), entry_id)))


@lists_app.command("find")
def lists_find(
    subject: Annotated[int | None, id_option(help="subject id")] = None,
    list_type: str | None = None,
    status: str | None = None,
    as_of: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"])] = None,
) -> None:
    """Entries; --as-of gives those in force on that day (LST-7)."""
    ctx = context()
    found = run(
        lambda: entry_views.search(
            ctx,
            operator(),
            subject_id=subject,
            list_type=list_type,
            status=status,
            as_of=as_of.date() if as_of else None,
        )
    )
    for e in found:
        said(e)


@lists_app.command("notify")
def lists_notify(entry_id: Annotated[int, id_argument()], unit: Unit = None) -> None:
    """LST-2: issue the written notice. The objection window starts at once when the
    subject has an account (the notice is in its inbox); otherwise it starts on the
    delivery date of the printed notice, recorded with `accounts delivered`."""
    ctx = context()
    who = acting(ctx, unit)
    said(run(lambda: entry_steps.notify(ctx, who, entry_id)))
    about = ("list_entry", str(entry_id))
    for n in run(lambda: notices.awaiting_delivery(ctx, who, about=about)):
        if (n["about_type"], n["about_id"], n["kind"]) == (
            "list_entry",
            str(entry_id),
            "written_notice",
        ):
            typer.echo(
                f"printed notice {n['id']} awaits delivery: print it with `creditreg accounts "
                f"print-notice {n['id']} --out FILE`, deliver it, then record the day with "
                f"`creditreg accounts delivered {n['id']} --on YYYY-MM-DD`: the window runs "
                "from that day"
            )


@lists_app.command("announce")
def lists_announce(entry_id: Annotated[int, id_argument()], unit: Unit = None) -> None:
    """LST-3: cross-check and announce publicly."""
    ctx = context()
    who = acting(ctx, unit)
    said(run(lambda: entry_steps.announce(ctx, who, entry_id)))


@lists_app.command("designate")
def lists_designate(entry_id: Annotated[int, id_argument()], unit: Unit = None) -> None:
    """Designate after the window (key scrutiny: with its warning)."""
    ctx = context()
    who = acting(ctx, unit)
    said(run(lambda: entry_steps.designate(ctx, who, entry_id)))


@lists_app.command("remove")
def lists_remove(
    entry_id: Annotated[int, id_argument()],
    reason: Annotated[str, typer.Option()],
    note: str = "",
    scrutiny_months: int | None = None,
    unit: Unit = None,
) -> None:
    """RST-3, RST-4: remove an entry to the archive."""
    ctx = context()
    who = acting(ctx, unit)
    said(
        run(
            lambda: entry_steps.remove(
                ctx, who, entry_id, reason=reason, note=note, scrutiny_months=scrutiny_months
            )
        )
    )


@lists_app.command("delete-error")
def lists_delete_error(
    entry_id: Annotated[int, id_argument()],
    note: Annotated[str, typer.Option()],
    unit: Unit = None,
) -> None:
    """RST-3(1): delete an entry made in error; nothing of it is kept."""
    ctx = context()
    who = acting(ctx, unit)
    made = run(
        lambda: corrections.correct(
            ctx, who, target_type="list_entry", target_id=entry_id, error=note
        )
    )
    typer.echo(
        f"entry {entry_id}: deleted (made in error; not kept); correction {made['id']}: "
        "apology delivered to the subject"
    )


@lists_app.command("restore-apply")
def lists_restore_apply(
    entry_id: Annotated[int, id_argument()],
    applicant: Annotated[str, typer.Option()],
    evidence: Annotated[str, typer.Option()],
) -> None:
    """RST-1: a restoration application, received for the subject."""
    ctx = context()
    app_ = run(
        lambda: restoration.apply(ctx, operator(), entry_id, applicant=applicant, evidence=evidence)
    )
    typer.echo(f"application {app_['id']}: pending; decision due {due(app_['due_date'])} (Art 43)")


@lists_app.command("restore-decide")
def lists_restore_decide(
    application_id: Annotated[int, id_argument()],
    note: Annotated[str, typer.Option()],
    consent: Annotated[bool, typer.Option("--consent/--refuse")] = True,
    unit: Unit = None,
) -> None:
    """RST-2: the designating unit consents to early removal, or refuses."""
    ctx = context()
    who = acting(ctx, unit)
    done = run(lambda: restoration.decide(ctx, who, application_id, consent=consent, note=note))
    typer.echo(f"application {application_id}: {done['status']}")
    said(done["entry"])


@lists_app.command("restorations")
def lists_restorations(overdue: bool = False) -> None:
    """SEC-5, Art 65: pending restoration applications and their deadlines."""
    ctx = context()
    for a in run(lambda: restoration.applications(ctx, operator(), overdue=overdue)):
        late = "  OVERDUE" if a["overdue"] else ""
        typer.echo(
            f"application {a['id']:>6}  entry {a['entry_id']}  due {due(a['due_date'])}{late}"
        )


@lists_app.command("reports")
def lists_reports(overdue: bool = False) -> None:
    """LST-9: reports queued for the upper-level platform and their deadlines."""
    ctx = context()
    for r in run(lambda: entry_views.reports(ctx, operator(), overdue)):
        typer.echo(
            f"entry {r['entry_id']:>8}  due {due(r['due_date'])}  {r['list_type']} {r['field']}"
        )
