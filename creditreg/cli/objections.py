"""`creditreg objections`: objections and their reconsideration, for operators (OBJ-1..3,
OBJ-6; Art 41; Op(22)). `--unit` acts for a unit: the objector, the designating unit that
decides an entry's objection, the provider that answers, the department that reconsiders."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from creditreg.cli.base import acting, app, context, due, fail, id_argument, id_option, run, show
from creditreg.services.rights import objection_steps, objections, objectors, reconsideration
from creditreg.services.rights.objections import Upload

objections_app = typer.Typer(
    help="Objections to records and list entries, and reconsideration (OBJ, Art 41).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(objections_app, name="objections")

Id = Annotated[int, id_argument()]
Reason = Annotated[str, typer.Option(help="why (the objector is told)")]

# Who acts in an objection's steps is not always a designating unit (Art 41, Op(22)).
ObjectionUnit = Annotated[
    int | None,
    id_option("--unit", help="act for this unit: the objector, the deciding unit or the provider"),
]


def said(o: Any) -> None:
    """One line: the objection, its target, its status and what is due."""
    parts = [f"objection {o['id']}: {o['target_type']} {o['target_id']} {o['status']}"]
    if o.get("due_date") and o["status"] in ("received", "accepted", "verifying", "answered"):
        parts.append(f"due {due(o['due_date'])}" + (" OVERDUE" if o.get("overdue") else ""))
    if o.get("decided_late"):
        parts.append(f"decided late ({o['decided_on']}, due {o['due_date']})")  # SEC-5
    if o.get("paused_since"):
        parts.append(f"paused since {o['paused_since']}")
    if o.get("answer_due") and o["status"] == "verifying":
        parts.append(f"provider answers by {due(o['answer_due'])}")
    if o.get("target_deleted"):
        parts.append("the entry was made in error and is deleted")
    typer.echo("; ".join(parts))


def _read(path: Path) -> Upload:
    try:
        return Upload(path.name, None, path.read_bytes())
    except OSError as exc:
        fail("file.unreadable", f"cannot read {path}: {exc.strerror or exc}", 2)


@objections_app.command("file")
def objections_file(
    target_type: Annotated[str, typer.Option(help="record | list_entry")],
    target_id: Annotated[int, typer.Option(min=1, help="the record's or entry's id")],
    grounds: Annotated[str, typer.Option(help="what is wrong (Art 41)")],
    unit: ObjectionUnit = None,
    attach: Annotated[list[Path] | None, typer.Option(help="a PDF, JPEG or PNG")] = None,
) -> None:
    """OBJ-1: file an objection for a unit (--unit: never anonymous)."""
    ctx = context()
    who = acting(ctx, unit)
    uploads = [_read(p) for p in attach or []]

    def filed() -> Any:
        objector = objectors.for_principal(ctx, who)
        return objections.file(
            ctx,
            objector,
            target_type=target_type,
            target_id=target_id,
            grounds=grounds,
            uploads=uploads,
        )

    said(run(filed))


@objections_app.command("list")
def objections_list(
    status: str | None = None,
    overdue: Annotated[bool, typer.Option(help="only those past their deadline")] = False,
    unit: ObjectionUnit = None,
) -> None:
    """Objections, the oldest deadline first (SEC-5: --overdue for the late ones)."""
    ctx = context()
    who = acting(ctx, unit)
    for o in run(
        lambda: objections.listing(ctx, objectors.reader(who), status=status, overdue=overdue)
    ):
        said(o)


@objections_app.command("show")
def objections_show(objection_id: Id, unit: ObjectionUnit = None) -> None:
    """One objection with its deadlines explained, pauses, materials and history (JSON)."""
    ctx = context()
    who = acting(ctx, unit)
    show(run(lambda: objections.get(ctx, objectors.reader(who), objection_id)))


@objections_app.command("accept")
def objections_accept(
    objection_id: Id,
    reason: Reason,
    reject: Annotated[bool, typer.Option("--reject", help="not accepted")] = False,
    track: Annotated[str | None, typer.Option(help="records: platform | provider")] = None,
    unit: ObjectionUnit = None,
) -> None:
    """OBJ-6: accepted (or --reject), said to the objector with the reason."""
    ctx = context()
    who = acting(ctx, unit)
    said(
        run(
            lambda: objection_steps.accept(
                ctx, who, objection_id, accepted=not reject, reason=reason, track=track
            )
        )
    )


@objections_app.command("escalate")
def objections_escalate(objection_id: Id, reason: Reason, unit: ObjectionUnit = None) -> None:
    """Art 41: ask the provider to verify (7 working days; the provider answers in 3)."""
    ctx = context()
    who = acting(ctx, unit)
    said(run(lambda: objection_steps.escalate(ctx, who, objection_id, reason)))


@objections_app.command("answer")
def objections_answer(
    objection_id: Id,
    answer: Annotated[str, typer.Option(help="what the verification found")],
    unit: ObjectionUnit = None,
) -> None:
    """Art 41: the provider's answer (--unit: the providing unit)."""
    ctx = context()
    who = acting(ctx, unit)
    said(run(lambda: objection_steps.answer(ctx, who, objection_id, answer)))


@objections_app.command("pause")
def objections_pause(
    objection_id: Id,
    kind: Annotated[
        str, typer.Option(help="inspection | testing | quarantine | evaluation | expert_review")
    ],
    reason: Reason,
    unit: ObjectionUnit = None,
) -> None:
    """Art 41: stop the clock from today."""
    ctx = context()
    who = acting(ctx, unit)
    said(run(lambda: objection_steps.pause(ctx, who, objection_id, kind=kind, reason=reason)))


@objections_app.command("resume")
def objections_resume(objection_id: Id, unit: ObjectionUnit = None) -> None:
    """End the pause; the deadlines are counted again without its days."""
    ctx = context()
    who = acting(ctx, unit)
    said(run(lambda: objection_steps.resume(ctx, who, objection_id)))


@objections_app.command("decide")
def objections_decide(
    objection_id: Id,
    outcome: Annotated[str, typer.Option(help="upheld | dismissed")],
    reason: Reason,
    correction: Annotated[
        str | None, typer.Option(help="records upheld: withdraw | return")
    ] = None,
    unit: ObjectionUnit = None,
) -> None:
    """OBJ-3: the outcome with its reasons, told to the objector."""
    ctx = context()
    who = acting(ctx, unit)
    said(
        run(
            lambda: objection_steps.decide(
                ctx, who, objection_id, outcome=outcome, reason=reason, correction=correction
            )
        )
    )


def _recon(r: Any) -> None:
    typer.echo(
        f"reconsideration {r['id']}: objection {r['objection_id']} {r['status']}; "
        f"due {due(r['due_date'])}" + (" OVERDUE" if r["overdue"] else "")
    )


@objections_app.command("reconsider")
def objections_reconsider(
    objection_id: Id,
    grounds: Annotated[str, typer.Option(help="why the outcome is wrong")],
    unit: ObjectionUnit = None,
) -> None:
    """OBJ-3: the objector (--unit) applies to the provincial department."""
    ctx = context()
    who = acting(ctx, unit)
    _recon(
        run(
            lambda: reconsideration.apply(
                ctx, objectors.for_principal(ctx, who), objection_id, grounds
            )
        )
    )


@objections_app.command("reconsiderations")
def objections_reconsiderations(
    overdue: Annotated[bool, typer.Option(help="only the late ones")] = False,
    unit: ObjectionUnit = None,
) -> None:
    """Applications for reconsideration and their deadlines."""
    ctx = context()
    who = acting(ctx, unit)
    for r in run(lambda: reconsideration.listing(ctx, who, overdue=overdue)):
        _recon(r)


@objections_app.command("reconsideration-decide")
def objections_reconsideration_decide(
    reconsideration_id: Id,
    outcome: Annotated[str, typer.Option(help="upheld | revised")],
    reason: Reason,
    correction: Annotated[str | None, typer.Option(help="withdraw | return")] = None,
    unit: ObjectionUnit = None,
) -> None:
    """The provincial department (--unit) upholds or revises the decision."""
    ctx = context()
    who = acting(ctx, unit)
    _recon(
        run(
            lambda: reconsideration.decide(
                ctx, who, reconsideration_id, outcome=outcome, reason=reason, correction=correction
            )
        )
    )
