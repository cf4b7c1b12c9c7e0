"""Written notices and outcomes for a subject (issue 10, part 1; Art 28): its inbox, in
Chinese by default and in English on request, and for a subject without an account the
printable notice carrying an activation code, whose delivery date the unit records.

Other contexts reach a subject through `deliver` (inside their transaction), or, being
lower, through their domain events: the lists context's written notices arrive by the
subscriber `from_list_notices`, registered at bootstrap.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal
from creditreg.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.kernel.events import DomainEvent
from creditreg.domain.rights.accounts import BindingMethod
from creditreg.domain.rights.notices import Lang, activation_text, render
from creditreg.domain.subjects.identifiers import Identifier, IdType
from creditreg.services.access import query_register, subject_accounts
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.rights.accounts import mint_code, subject_row, window_on_delivery
from creditreg.services.rights.views import PrintableNotice, SubjectNoticeView
from creditreg.store import bulk
from creditreg.store.access.tables import subject_account, unit
from creditreg.store.fast import decode_json
from creditreg.store.lists.tables import list_entry, list_notice
from creditreg.store.rights.tables import activation_code, subject_notice


def deliver(
    conn: sa.Connection,
    ctx: Context,
    *,
    subject_id: int,
    kind: str,
    content: dict[str, Any],
    source: tuple[str, str],
    owner: tuple[str, str],
    unit_id: int | None = None,
    issued_on: date | None = None,
) -> int | None:
    """Put a notice in `subject_id`'s inbox, inside the caller's transaction. `source`
    (type, id) names it once: delivering the same source again does nothing (None).
    `owner` is the object it is about, erased with it (Op(20)); `unit_id` the unit that
    delivers the printed notice when the subject has no account."""
    exists = conn.execute(
        sa.select(subject_notice.c.id).where(
            subject_notice.c.source_type == source[0], subject_notice.c.source_id == source[1]
        )
    ).first()
    if exists is not None:
        return None
    on = issued_on or ctx.today()
    delivered = _with_accounts(conn, [subject_id])
    new_id: int = conn.execute(
        subject_notice.insert()
        .values(
            subject_id=subject_id,
            unit_id=unit_id,
            kind=kind,
            source_type=source[0],
            source_id=source[1],
            owner_type=owner[0],
            owner_id=owner[1],
            content=content,
            issued_on=on,
            created_at=ctx.now(),
            **(_IN_INBOX | {"delivered_on": on} if subject_id in delivered else {}),
        )
        .returning(subject_notice.c.id)
    ).scalar_one()
    return new_id


# A subject with an account has its notice in its inbox the day it is issued: delivered
# (no unit is asked to print and deliver it, no code is minted for it).
_IN_INBOX = {"delivered_by": "inbox"}


def _with_accounts(conn: sa.Connection, subject_ids: Sequence[int]) -> set[int]:
    """Which of `subject_ids` have an active account."""
    found: set[int] = set()
    for part in bulk.chunks(sorted(set(subject_ids))):
        found.update(
            conn.execute(
                sa.select(subject_account.c.subject_id).where(
                    subject_account.c.subject_id.in_(part), subject_account.c.active
                )
            ).scalars()
        )
    return found


def from_list_notices(conn: sa.Connection, ctx: Context, batch: Sequence[DomainEvent]) -> None:
    """Subscriber of list entries' events: every written notice to the subject (Art 28:
    the notice of a planned blacklist entry, a key-scrutiny warning) goes to its inbox
    in the same transaction; a failure here rolls the entry's change back."""
    entry_ids = sorted({int(e.payload["entry_id"]) for e in batch if "entry_id" in e.payload})
    if not entry_ids:
        return
    rows: list[Any] = []
    for part in bulk.chunks(entry_ids):
        rows += conn.execute(
            sa.select(
                list_notice.c.id,
                list_notice.c.entry_id,
                list_notice.c.kind,
                list_notice.c.content,
                list_notice.c.issued_on,
                list_entry.c.subject_id,
                list_entry.c.designating_unit_id,
            )
            .join(list_entry, list_entry.c.id == list_notice.c.entry_id)
            .where(list_notice.c.entry_id.in_(part), list_notice.c.audience == "subject")
            .order_by(list_notice.c.id)
        ).all()
    # One statement each way, however many entries a sweep changed at once.
    sources = [str(r.id) for r in rows]
    known: set[str] = set()
    for some in bulk.chunks(sources):
        known.update(
            conn.execute(
                sa.select(subject_notice.c.source_id).where(
                    subject_notice.c.source_type == "list_notice",
                    subject_notice.c.source_id.in_(some),
                )
            ).scalars()
        )
    delivered = _with_accounts(conn, [int(r.subject_id) for r in rows])
    fresh = [
        {
            "subject_id": r.subject_id,
            "unit_id": r.designating_unit_id,
            "kind": r.kind,
            "source_type": "list_notice",
            "source_id": str(r.id),
            "owner_type": "list_entry",
            "owner_id": str(r.entry_id),
            "content": dict(r.content),
            "issued_on": r.issued_on,
            "created_at": ctx.now(),
            # Same keys for every row (one executemany): None when a unit must deliver it.
            "delivered_on": r.issued_on if r.subject_id in delivered else None,
            "delivered_by": "inbox" if r.subject_id in delivered else None,
        }
        for r in rows
        if str(r.id) not in known
    ]
    if fresh:
        conn.execute(subject_notice.insert(), fresh)


def from_restoration_decisions(
    conn: sa.Connection, ctx: Context, batch: Sequence[DomainEvent]
) -> None:
    """Subscriber of the lists context's restoration decisions (RST-1, RST-2, Op(18)):
    the applicant subject is told the designating unit's decision and its reasons, in the
    decision's transaction."""
    for e in batch:
        consented = e.kind.endswith(".consented")
        entry_id = str(e.payload["entry_id"])
        deliver(
            conn,
            ctx,
            subject_id=int(e.payload["subject_id"]),
            kind="restoration_decision",
            content={
                "matter": f"信用修复申请（名单条目 {entry_id}）",
                "outcome": "同意提前移出名单（转入重点关注）" if consented else "不予同意",
                "reasons": str(e.payload.get("reason") or ""),
                "decided_on": str(e.payload.get("on") or ""),
            },
            source=("restoration_application", str(e.payload["application_id"])),
            owner=("list_entry", entry_id),
            unit_id=e.payload.get("designating_unit_id"),
        )


def erase_of_entry(conn: sa.Connection, entry_id: str) -> list[tuple[str, str]]:
    """Eraser of list entries (RST-5, Op(20)): an entry deleted in error leaves no notice
    about it in the subject's inbox; codes printed on them stay (they bound accounts)."""
    ids = list(
        conn.execute(
            sa.select(subject_notice.c.id).where(
                subject_notice.c.owner_type == "list_entry",
                subject_notice.c.owner_id == entry_id,
            )
        ).scalars()
    )
    if ids:
        conn.execute(
            activation_code.update()
            .where(activation_code.c.notice_id.in_(ids))
            .values(notice_id=None)
        )
        conn.execute(subject_notice.delete().where(subject_notice.c.id.in_(ids)))
    return [("subject_notice", str(i)) for i in ids]


def _view(row: Any, lang: Lang) -> SubjectNoticeView:
    shown = render(row.kind, dict(row.content), lang)
    return {
        "id": row.id,
        "subject_id": row.subject_id,
        "kind": row.kind,
        "lang": lang.value,
        "title": shown.title,
        "lines": [[label, text] for label, text in shown.lines],
        "issued_on": row.issued_on.isoformat(),
        "read_at": row.read_at.isoformat() if row.read_at else None,
        "delivered_on": row.delivered_on.isoformat() if row.delivered_on else None,
        "about_type": row.owner_type,
        "about_id": row.owner_id,
    }


def _notice(conn: sa.Connection, notice_id: int) -> Any:
    row = conn.execute(sa.select(subject_notice).where(subject_notice.c.id == notice_id)).first()
    if row is None:
        raise NotFound("subject_notice.not_found", f"no notice {notice_id}")
    return row


def inbox(ctx: Context, principal: Principal, lang: Lang = Lang.ZH) -> list[SubjectNoticeView]:
    """The subject's notices and outcomes, newest first, in `lang`."""
    subject_id = subject_accounts.require_self(principal)
    with ctx.db.read() as conn:
        rows = conn.execute(
            sa.select(subject_notice)
            .where(subject_notice.c.subject_id == subject_id)
            .order_by(subject_notice.c.id.desc())
        ).all()
    return [_view(r, lang) for r in rows]


def notices_of(
    ctx: Context, principal: Principal, subject_id: int, lang: Lang = Lang.ZH
) -> list[SubjectNoticeView]:
    """A subject's notices, for the subject itself or the operator (one check for both)."""
    subject_accounts.require_subject(
        ctx, principal, subject_id, Permission.ACCOUNTS_ISSUE, action="subject_notice.list"
    )
    with ctx.db.read() as conn:
        rows = conn.execute(
            sa.select(subject_notice)
            .where(subject_notice.c.subject_id == subject_id)
            .order_by(subject_notice.c.id.desc())
        ).all()
    return [_view(r, lang) for r in rows]


def mark_read(
    ctx: Context, principal: Principal, notice_id: int, lang: Lang = Lang.ZH
) -> SubjectNoticeView:
    """The subject has read a notice (audited: it may start a period the subject has)."""
    mine = subject_accounts.require_self(principal)
    with ctx.db.read() as conn:
        owner = conn.execute(
            sa.select(subject_notice.c.subject_id).where(subject_notice.c.id == notice_id)
        ).scalar()
    if owner != mine:
        # The subject's own inbox: another's notice is not in it. Said as for a notice
        # nobody has (a 403 would tell that it exists and whose it is); the attempt on
        # another's is audited all the same.
        if owner is None:
            raise NotFound("subject_notice.not_found", f"no notice {notice_id} in your inbox")
        audit.refused(
            ctx,
            principal,
            "subject_notice.read",
            "subject_notice",
            notice_id,
            code="account.not_your_subject",
        )
        raise NotFound("subject_notice.not_found", f"no notice {notice_id} in your inbox")
    with ctx.db.write() as conn:
        row = _notice(conn, notice_id)
        if row.read_at is None:
            conn.execute(
                subject_notice.update()
                .where(subject_notice.c.id == notice_id)
                .values(read_at=ctx.now())
            )
            audit.record(conn, ctx, principal, "subject_notice.read", "subject_notice", notice_id)
            row = _notice(conn, notice_id)
        return _view(row, lang)


def _may_handle(principal: Principal, row: Any) -> None:
    """The designating unit that owes the delivery handles the printed notice; the
    platform's operators handle any."""
    if Permission.ACCOUNTS_ISSUE in principal.permissions:
        return
    principal.require(Permission.LISTS_DESIGNATE)
    if principal.unit_id is None or principal.unit_id != row.unit_id:
        raise Forbidden(
            "subject_notice.other_unit",
            f"notice {row.id} is delivered by unit {row.unit_id}, not yours",
        )


def printable(
    ctx: Context,
    principal: Principal,
    notice_id: int,
    lang: Lang = Lang.ZH,
    *,
    for_delivery: bool = True,
) -> PrintableNotice:
    """The notice as printed for delivery (`for_delivery`): while the subject has no active
    account, each print carries a fresh activation code (the previous print's stops
    working), and the print is audited with the code's prefix, never the code. Otherwise a
    preview: the same notice without a code, which changes nothing (reading a notice must
    never void the code a subject already holds)."""
    with ctx.db.write() as conn:
        row = _notice(conn, notice_id)
        _may_handle(principal, row)
        query_register.record(
            conn, ctx, principal, [row.subject_id], "subject_notice", object_id=notice_id
        )
        subj = subject_row(conn, row.subject_id)
        has_account = (
            conn.execute(
                sa.select(subject_account.c.id).where(
                    subject_account.c.subject_id == row.subject_id, subject_account.c.active
                )
            ).first()
            is not None
        )
        issued = None
        if for_delivery and not has_account and row.delivered_on is not None:
            # The delivered paper carries the code the subject holds; a new print would
            # void it without the subject knowing.
            raise Conflict(
                "subject_notice.delivered_with_code",
                f"notice {notice_id} was delivered on {row.delivered_on} with its activation "
                "code: printing it again would void that code. Read it with GET (a preview); "
                "if the subject lost it, the platform issues a code at the counter "
                "(POST /api/v1/accounts/codes, creditreg accounts issue-code)",
            )
        if for_delivery and not has_account:
            issued = mint_code(
                conn,
                ctx,
                subject_id=row.subject_id,
                method=BindingMethod.NOTICE,
                issued_by=principal.actor,
                notice_id=notice_id,
            )
        unit_name = None
        if row.unit_id is not None:
            unit_name = conn.execute(
                sa.select(unit.c.name).where(unit.c.id == row.unit_id)
            ).scalar()
        if for_delivery:
            audit.record(
                conn,
                ctx,
                principal,
                "subject_notice.print",
                "subject_notice",
                notice_id,
                detail={"code_prefix": issued["prefix"] if issued else None, "lang": lang.value},
            )
    shown = render(row.kind, dict(row.content), lang)
    until = issued["expires_at"][:10] if issued else None
    return PrintableNotice(
        notice_id=notice_id,
        lang=lang.value,
        title=shown.title,
        lines=shown.lines,
        issued_on=row.issued_on.isoformat(),
        subject_name=subj.name,
        subject_identifier=Identifier(IdType(subj.id_type), subj.id_number).masked(),
        unit_name=unit_name,
        code=issued["code"] if issued else None,
        code_expires_on=until,
        activation_text=activation_text(issued["code"], until or "", lang) if issued else None,
        delivered_on=row.delivered_on.isoformat() if row.delivered_on else None,
        preview=not for_delivery and not has_account,
    )


def record_delivery(
    ctx: Context,
    principal: Principal,
    notice_id: int,
    delivered_on: date,
    lang: Lang = Lang.ZH,
) -> SubjectNoticeView:
    """The date the printed notice was delivered to the subject (Art 28), once; not in
    the future and not before the notice was issued."""
    with ctx.db.write() as conn:
        row = _notice(conn, notice_id)
        _may_handle(principal, row)
        if delivered_on > ctx.today():
            raise InvalidInput(
                "subject_notice.bad_delivery_date", f"{delivered_on} is in the future"
            )
        if delivered_on < row.issued_on:
            raise InvalidInput(
                "subject_notice.bad_delivery_date",
                f"{delivered_on} is before the notice was issued ({row.issued_on})",
            )
        if row.delivered_on is not None:
            raise Conflict(
                "subject_notice.already_delivered",
                f"notice {notice_id} was recorded as delivered on {row.delivered_on}",
            )
        conn.execute(
            subject_notice.update()
            .where(subject_notice.c.id == notice_id)
            .values(delivered_on=delivered_on, delivered_by=principal.actor[:120])
        )
        after: dict[str, Any] = {"delivered_on": delivered_on.isoformat()}
        due = window_on_delivery(conn, ctx, principal, row, delivered_on)
        if due is not None:
            after["window_due"] = due.isoformat()
        audit.record(
            conn,
            ctx,
            principal,
            "subject_notice.delivered",
            "subject_notice",
            notice_id,
            after=after,
        )
        return _view(_notice(conn, notice_id), lang)


def awaiting_delivery(
    ctx: Context,
    principal: Principal,
    lang: Lang = Lang.ZH,
    about: tuple[str, str] | None = None,
) -> list[SubjectNoticeView]:
    """The notices the caller's unit (every unit's, for the platform) has not yet recorded
    as delivered; `about`: only those about this object (type, id)."""
    if Permission.ACCOUNTS_ISSUE not in principal.permissions:
        principal.require(Permission.LISTS_DESIGNATE)
    query = sa.select(subject_notice).where(subject_notice.c.delivered_on.is_(None))
    if about is not None:
        query = query.where(
            subject_notice.c.owner_type == about[0], subject_notice.c.owner_id == about[1]
        )
    if Permission.ACCOUNTS_ISSUE not in principal.permissions:
        query = query.where(subject_notice.c.unit_id == principal.unit_id)
    with ctx.db.write() as conn:
        rows = conn.execute(query.order_by(subject_notice.c.id)).all()
        # SEC-2: the notices quote the subjects' facts: each subject's read is registered.
        query_register.record(conn, ctx, principal, [r.subject_id for r in rows], "subject_notice")
    return [_view(r, lang) for r in rows]


def window_moved(conn: sa.Connection, owner_id: str, old: date, new: date) -> None:
    """CAL-2: a schedule published after the notice moved the objection window (later: a
    told window is never brought forward); the subject's copy says the new date."""
    rows = conn.execute(
        sa.select(subject_notice.c.id, subject_notice.c.content).where(
            subject_notice.c.owner_type == "list_entry",
            subject_notice.c.owner_id == owner_id,
            subject_notice.c.kind == "written_notice",
        )
    ).all()
    for r in rows:
        content = dict(decode_json(r.content))
        if content.get("objection_deadline") != old.isoformat():
            continue
        content["objection_deadline"] = new.isoformat()
        content["explanation"] = (
            f"{content.get('explanation') or ''}（法定节假日安排公布后，异议截止日期由"
            f"{old.isoformat()}顺延至{new.isoformat()}）"
        )
        conn.execute(
            subject_notice.update().where(subject_notice.c.id == r.id).values(content=content)
        )
