"""Credit restoration (RST-1, RST-2; Op(14), Op(15), Op(18); Art 43).

A blacklisted subject applies with evidence of correction. Eligibility follows the
entry's own terms (LST-8). An eligible application is decided within 1 working day, and
the early removal it leads to needs the designating unit's consent, recorded.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal
from creditreg.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.kernel.deadlines import RULES
from creditreg.domain.kernel.events import event
from creditreg.domain.lists.entries import RESTORATION as RESTORATION_LIFECYCLE
from creditreg.domain.lists.entries import EntryStatus, RemovalReason
from creditreg.domain.lists.standards import ListType
from creditreg.domain.records.classification import add_months
from creditreg.services.context import Context
from creditreg.services.kernel import calendar as calendar_service
from creditreg.services.lists.entries import entry_row, view
from creditreg.services.lists.entry_changes import Writer, remove_rows
from creditreg.store.lists import queries
from creditreg.store.lists.tables import restoration_application

RESTORATION = RULES["restoration"]  # Art 43: within 1 working day once eligible


def apply(
    ctx: Context, principal: Principal, entry_id: int, *, applicant: str, evidence: str
) -> dict[str, Any]:
    """RST-1: an application with evidence; refused at once when the entry's terms do not
    allow it (not restorable, or too early)."""
    principal.require(Permission.LISTS_RECEIVE)
    if not applicant.strip() or not evidence.strip():
        raise InvalidInput(
            "restoration.incomplete", "an application names the applicant and its evidence"
        )
    today = ctx.today()
    with ctx.db.write() as conn:
        row = entry_row(conn, entry_id)
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
) -> dict[str, Any]:
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
                "restoration.not_designating_unit",
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
        result = view(conn, entry_row(conn, row.id), principal)
    return {
        "application": application_id,
        "status": "consented" if consent else "refused",
        "entry": result,
        "key_scrutiny_entries": changes.followups if changes else [],
    }
