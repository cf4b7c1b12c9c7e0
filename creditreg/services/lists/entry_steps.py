"""An entry's procedure after its proposal (LST-2..4, LST-8, RST-3..5, STD-3; Op(7),
Op(8), Art 28): the written notice or the announcement with their objection windows, the
window counted from the notice's delivery, suspension and resumption for an objection,
designation, removal, deletion in error, re-evaluation under a new standard and
revocation with the records an entry rests on. Each verb is one transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal
from creditreg.domain.errors import Conflict, InvalidInput, parse_enum
from creditreg.domain.kernel.deadlines import Deadline, DeadlineRule
from creditreg.domain.lists.entries import (
    LIVE,
    Action,
    EntryStatus,
    RemovalReason,
    transition,
)
from creditreg.domain.lists.notices import NOTICE_LANGUAGE, RIGHT_TO_OBJECT
from creditreg.domain.lists.standards import ListType
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.kernel import calendar as calendar_service
from creditreg.services.lists import rules
from creditreg.services.lists.entries import own_entry, refuse_blacklisted, window_rule
from creditreg.services.lists.entry_changes import (
    ErrorDeletion,
    delete_error,
    designate_rows,
    remove_rows,
)
from creditreg.services.lists.entry_views import entry_row, view
from creditreg.services.lists.entry_writer import Changes, Writer, public_subject
from creditreg.services.lists.measure_refs import texts_of
from creditreg.services.lists.views import (
    EntryDetailView,
    EntryRemovedView,
    ReevaluationView,
)
from creditreg.store.access.tables import subject_account
from creditreg.store.lists import queries
from creditreg.store.lists.tables import (
    list_entry,
    list_entry_record,
    standard,
)
from creditreg.store.records.tables import record

# --- notice, announcement, objections, designation --------------------------------------

# The printed notice's deadline, before its delivery date is known.
DELIVERY_WINDOW_ZH = (
    "自本告知书送达之日起{days}个工作日内可以提出异议（期限自送达之日起计算；{basis}）"
)


def _open_window(
    conn: sa.Connection, ctx: Context, w: Writer, row: Any, action: Action, held: bool = False
) -> tuple[date, Deadline]:
    """The objection or announcement window opened: its due date, and the deadline it
    counts (for a notice to explain). `held`: the window waits for the notice's delivery
    (`awaits_delivery`): the deadline is stored, counted from today until the delivery
    date is recorded, and the entry has no window end yet, so nothing designates it."""
    # The move judged first: an entry that has no window (key scrutiny follows a removal
    # without a standard) is refused as the illegal move it is.
    after = transition(ListType(row.list_type), EntryStatus(row.status), action)
    rule = _window_rule(conn, row)
    stored = calendar_service.register_deadline(
        conn, ctx, w.calendar, "list_entry", row.id, rule, ctx.today()
    )
    due: date = stored["due_date"]
    queries.set_entry_status(conn, row.id, after.value, ctx.now(), window_due=None if held else due)
    detail = {"awaits_delivery": True} if held else {"window_due": str(due)}
    w.history(row.id, action.value, row.status, after.value, detail=detail)
    return due, Deadline(rule, ctx.today())


def _window_rule(conn: sa.Connection, row: Any) -> DeadlineRule:
    """The objection or announcement window's rule, as the entry's standard sets it."""
    std = rules.load(conn, row.standard_id)
    return window_rule(ListType(row.list_type), std.draft.window_days)


def awaits_delivery(conn: sa.Connection, row: Any) -> bool:
    """LST-2, Op(7), Art 28: the subject, a person or an organization, is told in advance.
    One with an account gets the written notice in its inbox at once; for one without,
    the designating unit delivers the printed notice, and the objection window runs from
    the delivery date it records (`window_from_delivery`), never from the day the notice
    was printed."""
    if row.list_type != ListType.BLACKLIST.value:
        return False
    account = conn.execute(
        sa.select(subject_account.c.id)
        .where(subject_account.c.subject_id == row.subject_id, subject_account.c.active)
        .limit(1)
    ).first()
    return account is None


def window_from_delivery(
    conn: sa.Connection, ctx: Context, principal: Principal, entry_id: int, delivered_on: date
) -> date | None:
    """The written notice was delivered on `delivered_on`: an entry whose window waited
    for it gets its window counted from that day (the rights context calls this when the
    unit records the delivery). None when the entry was not waiting (delivered in the
    inbox, removed, or its window already counted)."""
    row = entry_row(conn, entry_id)
    waiting = row.status == EntryStatus.NOTIFIED.value or (
        row.status == EntryStatus.OBJECTED.value
        and row.suspended_from == EntryStatus.NOTIFIED.value
    )
    if not waiting or row.window_due is not None:
        return None
    w = Writer(conn, ctx, principal)
    rule = _window_rule(conn, row)
    stored = calendar_service.reset_deadline(
        conn, ctx, w.calendar, "list_entry", row.id, rule.code, rule, delivered_on
    )
    due: date = stored["due_date"]
    queries.set_window_due(conn, row.id, due, ctx.now())
    w.history(
        row.id,
        "notice_delivered",
        row.status,
        row.status,
        detail={"delivered_on": delivered_on.isoformat(), "window_due": str(due)},
    )
    w.flush()
    return due


def notify(ctx: Context, principal: Principal, entry_id: int) -> EntryDetailView:
    """LST-2, Art 28: the written notice (basis, reason, measures, right to object, the
    deadline). Designation can only follow it, after the objection window."""
    with ctx.db.write() as conn:
        row = entry_row(conn, entry_id)
        own_entry(principal, row)
        w = Writer(conn, ctx, principal)
        held = awaits_delivery(conn, row)
        due, deadline = _open_window(conn, ctx, w, row, Action.NOTIFY, held=held)
        w.notice(
            row,
            "written_notice",
            "subject",
            "written",
            {
                "basis": row.basis,
                "reason": row.facts,
                # Art 28: the notice quotes the measures' texts, not their catalog codes.
                "measures": list(texts_of(row.measures)),
                # Issued in Chinese throughout (a trial finding: the right to object
                # and the deadline's explanation were English in a Chinese notice).
                "right_to_object": RIGHT_TO_OBJECT[NOTICE_LANGUAGE],
                # A printed notice's deadline is counted from its delivery (unknown yet).
                "objection_deadline": None if held else due.isoformat(),
                "explanation": (
                    DELIVERY_WINDOW_ZH.format(
                        days=deadline.rule.working_days, basis=deadline.rule.zh
                    )
                    if held
                    else deadline.explain_zh(w.calendar)
                ),
            },
        )
        w.flush()
        return view(conn, ctx, entry_row(conn, entry_id), principal)


def announce(ctx: Context, principal: Principal, entry_id: int) -> EntryDetailView:
    """LST-3, Op(8): cross-check against every blacklist, then announce publicly."""
    with ctx.db.write() as conn:
        row = entry_row(conn, entry_id)
        own_entry(principal, row)
        if row.list_type == ListType.RED_LIST.value:
            refuse_blacklisted(conn, row.subject_id)
        w = Writer(conn, ctx, principal)
        due, _ = _open_window(conn, ctx, w, row, Action.ANNOUNCE)
        w.publish(
            row,
            "announcement",
            {
                "subject": public_subject(row.subject_info),
                "facts": row.facts,
                "basis": row.basis,
                "objection_deadline": due.isoformat(),
            },
            due,
        )
        w.flush()
        return view(conn, ctx, entry_row(conn, entry_id), principal)


def suspend_for_objection(
    conn: sa.Connection, ctx: Context, principal: Principal, row: Any, grounds: str
) -> bool:
    """Op(22), Art 28: an objection received suspends the entry until it is verified (the
    objection itself is the rights context's). False when an earlier objection already
    suspended it; `entry.illegal_transition` when the entry cannot be objected to now."""
    if row.status == EntryStatus.OBJECTED.value:
        return False
    after = transition(ListType(row.list_type), EntryStatus(row.status), Action.OBJECT)
    queries.set_entry_status(conn, row.id, after.value, ctx.now(), suspended_from=row.status)
    w = Writer(conn, ctx, principal)
    w.history(row.id, "object", row.status, after.value, grounds)
    w.flush()
    return True


def resume_after_objection(
    conn: sa.Connection, ctx: Context, principal: Principal, entry_id: int, note: str
) -> bool:
    """Op(22): the last open objection ended without finding an error (not accepted,
    dismissed): the entry's procedure resumes where it was suspended. False when the entry
    is not suspended (it was removed meanwhile, or never was)."""
    row = entry_row(conn, entry_id)
    if row.status != EntryStatus.OBJECTED.value:
        return False
    after = transition(
        ListType(row.list_type),
        EntryStatus(row.status),
        Action.DISMISS_OBJECTION,
        EntryStatus(row.suspended_from),
    )
    queries.set_entry_status(conn, entry_id, after.value, ctx.now(), suspended_from=None)
    w = Writer(conn, ctx, principal)
    w.history(entry_id, "dismiss_objection", row.status, after.value, note)
    w.flush()
    return True


def delete_for_error(
    conn: sa.Connection, ctx: Context, principal: Principal, entry_id: int, note: str
) -> ErrorDeletion:
    """RST-3(1), Op(20): an objection upheld finds the entry made in error: it is deleted
    and nothing of it is kept (what it owns goes with it, through the erasers). The caller
    (the rights context's correction) apologizes and records the correction (Op(23))."""
    row = entry_row(conn, entry_id)
    w = Writer(conn, ctx, principal)
    deletion = delete_error(w, row, note)
    w.flush()
    return deletion


def designate(ctx: Context, principal: Principal, entry_id: int) -> EntryDetailView:
    """LST-2..4: designation, only after the notice or announcement window has ended."""
    with ctx.db.write() as conn:
        row = entry_row(conn, entry_id)
        own_entry(principal, row)
        list_type = ListType(row.list_type)
        transition(list_type, EntryStatus(row.status), Action.DESIGNATE)
        if row.status == EntryStatus.NOTIFIED.value and row.window_due is None:
            raise Conflict(
                "entry.notice_not_delivered",
                "the written notice to the subject has not been recorded as "
                "delivered; the objection window runs from its delivery (Op(7), Art 28)",
            )
        if row.window_due is not None and row.window_due >= ctx.today():
            raise Conflict(
                "entry.window_open",
                f"the {'announcement' if list_type is ListType.RED_LIST else 'objection'} "
                f"window is open until {row.window_due}; designation comes after it",
            )
        if list_type is ListType.RED_LIST:
            refuse_blacklisted(conn, row.subject_id)
        w = Writer(conn, ctx, principal)
        designate_rows(w, [row])
        w.flush()
        return view(conn, ctx, entry_row(conn, entry_id), principal)


def remove(
    ctx: Context,
    principal: Principal,
    entry_id: int,
    *,
    reason: str,
    note: str = "",
    scrutiny_months: int | None = None,
) -> EntryRemovedView:
    """RST-3, RST-4: removal by the designating unit (expiry and standard changes are the
    sweep's and the standard's; restoration goes through its application)."""
    parsed = parse_enum(RemovalReason, reason, "entry.bad_removal_reason")
    if parsed is RemovalReason.RESTORATION:
        raise InvalidInput(
            "entry.restoration_needs_application",
            "removal by restoration follows an application and the unit's consent (RST-1, RST-2)",
        )
    if scrutiny_months is not None and not 1 <= scrutiny_months <= 60:
        raise InvalidInput("entry.bad_scrutiny", "key scrutiny lasts 1 to 60 months")
    with ctx.db.write() as conn:
        row = entry_row(conn, entry_id)
        own_entry(principal, row)
        if parsed is RemovalReason.EXPIRY and not (
            row.designated_on is not None
            and row.valid_until is not None
            and row.valid_until < ctx.today()
        ):
            # The public removal notice would say "validity ended" (有效期届满): only true
            # of a designated entry past its validity (which the sweep removes anyway).
            raise Conflict(
                "entry.not_expired",
                f"entry {entry_id} is valid until {row.valid_until}"
                if row.designated_on is not None
                else f"entry {entry_id} was never designated: it has no validity to end",
            )
        if parsed is RemovalReason.STANDARD_CHANGED and not _standard_changed(conn, row):
            # STD-3: the removal notice says the standard changed; only true once a later
            # version of the entry's standard was published.
            raise Conflict(
                "entry.standard_unchanged",
                f"entry {entry_id}'s standard has no version later than the one it was made "
                "under: publish the new version (its re-evaluation removes the entries it no "
                "longer supports), or give the true reason",
            )
        w = Writer(conn, ctx, principal)
        changes = remove_rows(w, [row], parsed, scrutiny_months, note)
        w.flush()
        return {**view(conn, ctx, entry_row(conn, entry_id), principal), **changes.as_dict()}


def _standard_changed(conn: sa.Connection, row: Any) -> bool:
    """Whether a version of the entry's standard later than its own was published."""
    if row.standard_id is None:
        return False
    made_under = standard.alias("made_under")
    later = conn.execute(
        sa.select(standard.c.id)
        .join(made_under, made_under.c.id == row.standard_id)
        .where(standard.c.code == made_under.c.code, standard.c.version > made_under.c.version)
        .limit(1)
    ).first()
    return later is not None


def delete_own_in_error(
    conn: sa.Connection, ctx: Context, principal: Principal, entry_id: int, note: str
) -> ErrorDeletion:
    """RST-3(1), RST-4(1): the designating unit deletes an entry it found to be in error;
    inside the correction's transaction (rights: apology and clarification, Op(23))."""
    if not note.strip():
        raise InvalidInput("entry.no_reason", "say what the error was")
    row = entry_row(conn, entry_id)
    own_entry(principal, row)
    return delete_for_error(conn, ctx, principal, entry_id, note.strip())


# --- re-evaluation and withdrawal ---------------------------------------------------------


def reevaluate(
    conn: sa.Connection, ctx: Context, principal: Principal, std: rules.Standard
) -> ReevaluationView:
    """STD-3, Op(18)-(19): entries under `std`'s code that the new version no longer
    supports are removed with reason standard_changed. Set-based: one query finds them."""
    today = ctx.today()
    qualifying = rules.qualifying(std.draft.rule, today).with_only_columns(record.c.subject_id)
    base = sa.select(list_entry).where(
        list_entry.c.standard_code == std.code,
        list_entry.c.status != EntryStatus.REMOVED.value,
    )
    checked = conn.execute(sa.select(sa.func.count()).select_from(base.subquery())).scalar_one()
    failing = conn.execute(
        base.where(list_entry.c.subject_id.not_in(qualifying)).order_by(list_entry.c.id)
    ).all()
    w = Writer(conn, ctx, principal)
    changes = remove_rows(w, failing, RemovalReason.STANDARD_CHANGED, note=f"v{std.version}")
    w.audits.append(
        audit.Event(
            "standard.reevaluate",
            "standard",
            std.id,
            detail={
                "code": std.code,
                "version": std.version,
                "checked": int(checked),
                "removed": len(failing),
            },
        )
    )
    w.flush()
    return {"checked": int(checked), **changes.as_dict()}


def revoke_resting_on(
    conn: sa.Connection, ctx: Context, principal: Principal, record_id: int
) -> Changes:
    """ING-7, Art 42: every live entry resting on a withdrawn record is revoked the same day."""
    rows = conn.execute(
        sa.select(list_entry)
        .join(list_entry_record, list_entry_record.c.entry_id == list_entry.c.id)
        .where(
            list_entry_record.c.record_id == record_id,
            list_entry.c.status.in_([s.value for s in LIVE]),
        )
    ).all()
    w = Writer(conn, ctx, principal)
    changes = remove_rows(w, rows, RemovalReason.BASIS_REVOKED, note=f"record {record_id}")
    w.flush()
    return changes
