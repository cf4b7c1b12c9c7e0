"""Credit restoration (RST-1, RST-2; Op(14), Op(15), Op(18); Art 43).

A blacklisted subject applies with evidence of correction. Eligibility follows the
entry's own terms (LST-8). An eligible application is decided within 1 working day, and
the early removal it leads to needs the designating unit's consent, recorded.
"""

from __future__ import annotations

import sqlalchemy as sa

from creditreg.domain.access.principals import SYSTEM, Principal, UnitKind
from creditreg.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.kernel.deadlines import RULES
from creditreg.domain.kernel.events import event
from creditreg.domain.lists.entries import RESTORATION as RESTORATION_LIFECYCLE
from creditreg.domain.lists.entries import EntryStatus, RemovalReason
from creditreg.domain.lists.standards import ListType
from creditreg.domain.records.classification import add_months
from creditreg.services.access import inbox
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.kernel import calendar as calendar_service
from creditreg.services.lists.entry_changes import remove_rows
from creditreg.services.lists.entry_views import entry_row, view
from creditreg.services.lists.entry_writer import Writer
from creditreg.services.lists.views import (
    PendingRestorationView,
    RestorationAppliedView,
    RestorationDecisionView,
)
from creditreg.store.lists import queries
from creditreg.store.lists.tables import list_entry, restoration_application

RESTORATION = RULES["restoration"]  # Art 43: within 1 working day once eligible


def apply(
    ctx: Context, principal: Principal, entry_id: int, *, applicant: str, evidence: str
) -> RestorationAppliedView:
    """RST-1: an application with evidence, received by a unit for the subject; refused at
    once when the entry's terms do not allow it (not restorable, or too early)."""
    principal.require(Permission.LISTS_RECEIVE)
    return _apply(ctx, principal, entry_id, applicant=applicant, evidence=evidence)


def apply_as_subject(
    ctx: Context, principal: Principal, entry_id: int, *, evidence: str
) -> RestorationAppliedView:
    """RST-1: the subject applies from its own account, for its own entry (another's is
    404, as if it did not exist); the applicant is the subject as the entry names it."""
    principal.require(Permission.RIGHTS_SELF)
    if principal.subject_id is None:
        raise Forbidden("account.subjects_only", "only a subject account applies for itself")
    return _apply(
        ctx, principal, entry_id, applicant="", evidence=evidence, owner=principal.subject_id
    )


def _apply(
    ctx: Context,
    principal: Principal,
    entry_id: int,
    *,
    applicant: str,
    evidence: str,
    owner: int | None = None,
) -> RestorationAppliedView:
    today = ctx.today()
    with ctx.db.write() as conn:
        row = entry_row(conn, entry_id)
        if owner is not None:
            if row.subject_id != owner:
                raise NotFound("entry.not_found", f"no list entry {entry_id}")
            applicant = f"{row.subject_info.get('name', '')}（本人申请）"
        if not applicant.strip() or not evidence.strip():
            raise InvalidInput(
                "restoration.incomplete", "an application names the applicant and its evidence"
            )
        if row.list_type != ListType.BLACKLIST.value or row.status != EntryStatus.DESIGNATED:
            raise Conflict(
                "restoration.not_blacklisted",
                f"entry {entry_id} is not a designated blacklist entry",
            )
        if not row.restorable:
            raise Conflict(
                "restoration.not_restorable",
                f"entry {entry_id} was designated without restoration (Op(15)); it ends on "
                f"{row.valid_until}",
            )
        eligible = add_months(row.designated_on, row.restoration_after_months)
        if today < eligible:
            raise Conflict(
                "restoration.too_early",
                f"restoration of entry {entry_id} is possible from {eligible} (Op(15))",
            )
        pending = conn.execute(
            sa.select(restoration_application.c.id).where(
                restoration_application.c.entry_id == entry_id,
                restoration_application.c.status == "pending",
            )
        ).first()
        if pending is not None:
            raise Conflict(
                "restoration.pending", f"application {pending.id} for this entry is pending"
            )
        w = Writer(conn, ctx, principal)
        app_id = queries.insert_restoration(
            conn,
            {
                "entry_id": entry_id,
                "applicant": applicant.strip(),
                "evidence": evidence.strip(),
                "received_on": today,
                "due_date": today,
            },
        )
        stored = calendar_service.register_deadline(
            conn, ctx, w.calendar, "restoration_application", app_id, RESTORATION, today
        )
        conn.execute(
            restoration_application.update()
            .where(restoration_application.c.id == app_id)
            .values(due_date=stored["due_date"])
        )
        w.history(
            entry_id,
            "restoration_applied",
            row.status,
            row.status,
            detail={"application": app_id, "method": row.restoration_method},
        )
        # Art 43, SEC-5: the deciding unit (and the platform) learn of it on receipt: it
        # is decided within one working day, not found once it is late.
        inbox.tell_once(
            conn,
            ctx.now(),
            "restoration.received",
            "restoration_application",
            {str(app_id): [row.designating_unit_id]},
            lambda _: (
                f"list entry {entry_id}: credit restoration applied for; decide by "
                f"{stored['due_date']} (Art 43)"
            ),
        )
        w.domain_events.append(
            event(
                "restoration_application.received",
                "restoration_application",
                app_id,
                application_id=app_id,
                entry_id=entry_id,
                subject_id=row.subject_id,
                due_date=stored["due_date"].isoformat(),
            )
        )
        w.flush()
        return {
            "id": app_id,
            "entry_id": entry_id,
            "status": "pending",
            "due_date": stored["due_date"].isoformat(),
            "explanation": stored["explanation"],
        }


def decide(
    ctx: Context, principal: Principal, application_id: int, *, consent: bool, note: str
) -> RestorationDecisionView:
    """RST-2, Op(18): the designating unit consents (the entry is removed, the subject goes
    under key scrutiny) or refuses with its reason."""
    principal.require(Permission.LISTS_DESIGNATE)
    if not note.strip():
        raise InvalidInput("restoration.no_reason", "say why (the decision is recorded)")
    with ctx.db.write() as conn:
        app = conn.execute(
            sa.select(restoration_application).where(restoration_application.c.id == application_id)
        ).first()
        if app is None:
            raise NotFound("restoration.not_found", f"no restoration application {application_id}")
        row = entry_row(conn, app.entry_id)
        # RST-2, Op(18): only the designating unit consents, from every interface; the
        # platform operator is not it (unless the platform itself made the entry).
        if principal.unit_id != row.designating_unit_id:
            raise Forbidden(
                "entry.not_designating_unit",
                f"only unit {row.designating_unit_id}, which designated entry {row.id}, "
                "may consent to its early removal (Op(18))",
            )
        if app.status != "pending":
            raise Conflict("restoration.decided", f"application {application_id} is {app.status}")
        after = RESTORATION_LIFECYCLE.next(app.status, "consent" if consent else "refuse")
        queries.set_restoration_status(
            conn,
            [application_id],
            after,
            decided_on=ctx.today(),
            decided_by=principal.actor,
            note=note.strip(),
        )
        w = Writer(conn, ctx, principal)
        w.domain_events.append(
            event(
                f"restoration_application.{after}",
                "restoration_application",
                application_id,
                application_id=application_id,
                entry_id=row.id,
                subject_id=row.subject_id,
                on=ctx.today().isoformat(),
                reason=note.strip(),  # the applicant is told it (rights' subscriber)
                designating_unit_id=row.designating_unit_id,
            )
        )
        w.history(
            row.id,
            "restoration_consented" if consent else "restoration_refused",
            row.status,
            row.status,
            note.strip(),
            {"application": application_id},
        )
        changes = None
        if consent:
            changes = remove_rows(w, [row], RemovalReason.RESTORATION, note=note.strip())
        w.flush()
        result = view(conn, ctx, entry_row(conn, row.id), principal)
    return {
        "application": application_id,
        "status": "consented" if consent else "refused",
        "entry": result,
        "key_scrutiny_entries": changes.followups if changes else [],
    }


def applications(
    ctx: Context, principal: Principal, *, overdue: bool = False
) -> list[PendingRestorationView]:
    """Pending restoration applications with their Art 43 deadlines, the oldest first;
    only those past it with `overdue` (SEC-5, Art 65). A unit sees its own entries'."""
    principal.require(Permission.LISTS_READ)
    today = ctx.today()
    query = (
        sa.select(
            restoration_application,
            list_entry.c.designating_unit_id,
            list_entry.c.list_type,
            list_entry.c.field,
        )
        .join(list_entry, list_entry.c.id == restoration_application.c.entry_id)
        .where(restoration_application.c.status == "pending")
        .order_by(restoration_application.c.due_date, restoration_application.c.id)
    )
    if overdue:
        # Art 43: "within 1 working day" ends at the end of the due day.
        query = query.where(restoration_application.c.due_date < today)
    if principal.unit_id is not None and principal.unit_kind is not UnitKind.PLATFORM_OPERATOR:
        query = query.where(list_entry.c.designating_unit_id == principal.unit_id)
    with ctx.db.read() as conn:
        return [
            {
                "id": r.id,
                "entry_id": r.entry_id,
                "designating_unit_id": r.designating_unit_id,
                "list_type": r.list_type,
                "field": r.field,
                "status": r.status,
                "received_on": r.received_on.isoformat(),
                "due_date": r.due_date.isoformat(),
                "overdue": r.due_date < today,
                "explanation": calendar_service.explanation_of(
                    conn, "restoration_application", r.id
                ),
            }
            for r in conn.execute(query)
        ]


def flag_overdue(ctx: Context) -> int:
    """SEC-5, Art 65: each application past its 1-working-day deadline is flagged once to
    its designating unit and to the platform operator. Returns how many."""
    with ctx.db.write() as conn:
        return flag_overdue_in(conn, ctx)


def flag_overdue_in(conn: sa.Connection, ctx: Context) -> int:
    """`flag_overdue` inside the caller's transaction (the sweep step's, lease renewed)."""
    today = ctx.today()
    late = conn.execute(
        sa.select(restoration_application.c.id, list_entry.c.designating_unit_id)
        .join(list_entry, list_entry.c.id == restoration_application.c.entry_id)
        .where(
            restoration_application.c.status == "pending",
            restoration_application.c.due_date < today,
        )
    ).all()
    if not late:
        return 0
    fresh = inbox.tell_once(
        conn,
        ctx.now(),
        "restoration.overdue",
        "restoration_application",
        {str(a.id): [a.designating_unit_id] if a.designating_unit_id else [] for a in late},
        lambda a: (
            f"restoration application {a} is past its Art 43 deadline "
            "(1 working day once eligible); the designating unit decides it"
        ),
    )
    if fresh:
        audit.record(
            conn,
            ctx,
            SYSTEM,
            "restoration.overdue_flagged",
            "restoration_application",
            "*",
            detail={"applications": [int(a) for a in fresh]},
        )
    return len(fresh)
