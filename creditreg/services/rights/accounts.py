"""Subject accounts: activation codes, the binding step and what an account sees of itself
(issue 10, part 1; Art 40, SEC-1).

Two ways to a code, one way to an account: a code printed on a written notice (minted
when the notice is printed, `notices.printable`), or a code handed over by an operator
after an identity check (`issue_code`). `activate` then binds an account to the code's
subject, once. Codes are 80 random bits from `secrets`, kept only as SHA-256, valid for
CREDITREG_ACTIVATION_DAYS, and failed attempts are throttled per code prefix and per
address with the login throttle (429 with Retry-After).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import Any

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal
from creditreg.domain.errors import Conflict, DomainError, InvalidInput, NotFound, Unauthenticated
from creditreg.domain.kernel.actor import Actor, Permission
from creditreg.domain.kernel.codes import normalise_code
from creditreg.domain.rights.accounts import (
    CODE_LENGTH,
    BindingMethod,
    DocumentType,
    HolderRole,
    IdentityCheck,
    check_holder,
    code_from_random,
    code_prefix,
    expires_at,
    normalize_code,
    validate_password,
    validate_username,
)
from creditreg.domain.subjects.identifiers import IdType, SubjectKind, parse_identifier
from creditreg.services.access import query_register, subject_accounts, throttle
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.lists import entry_steps
from creditreg.services.rights.views import AccountView, BindingView, IssuedCodeView, MySubjectView
from creditreg.store.access.tables import subject_account
from creditreg.store.rights.tables import account_binding, activation_code, subject_notice
from creditreg.store.subjects.tables import subject, subject_link


def _digest(symbols: str) -> str:
    return hashlib.sha256(symbols.encode()).hexdigest()


def subject_row(conn: sa.Connection, subject_id: int) -> Any:
    """The subject, or 404 `subject.not_found`."""
    row = conn.execute(sa.select(subject).where(subject.c.id == subject_id)).first()
    if row is None:
        raise NotFound("subject.not_found", f"no subject {subject_id}")
    return row


def mint_code(
    conn: sa.Connection,
    ctx: Context,
    *,
    subject_id: int,
    method: BindingMethod,
    issued_by: str,
    notice_id: int | None = None,
    check: IdentityCheck | None = None,
) -> IssuedCodeView:
    """A fresh activation code for `subject_id`, inside the caller's transaction. A code
    minted for a notice supersedes the unused codes printed on that notice before (the last
    print is the one that works). Returns the code in clear, this once."""
    now = ctx.now()
    code = code_from_random([secrets.randbelow(32) for _ in range(CODE_LENGTH)])
    symbols = code.replace("-", "")
    if notice_id is not None:
        conn.execute(
            activation_code.update()
            .where(
                activation_code.c.notice_id == notice_id,
                activation_code.c.used_at.is_(None),
                activation_code.c.superseded_at.is_(None),
            )
            .values(superseded_at=now)
        )
    until = expires_at(now, ctx.activation_days)
    evidence: dict[str, Any] = {}
    if check is not None:
        evidence = {
            "holder_role": check.holder_role.value,
            "holder_name": check.holder_name,
            "document_type": check.document_type.value,
            "document_masked": check.document_masked,
            "authorization_letter": check.authorization_letter,
            "checked_by": check.checked_by,
            "checked_on": check.checked_on,
        }
    new_id = conn.execute(
        activation_code.insert()
        .values(
            subject_id=subject_id,
            prefix=symbols[:4],
            code_hash=_digest(symbols),
            method=method.value,
            notice_id=notice_id,
            issued_by=issued_by[:120],
            created_at=now,
            expires_at=until,
            **evidence,
        )
        .returning(activation_code.c.id)
    ).scalar_one()
    return {
        "id": int(new_id),
        "code": code,
        "prefix": symbols[:4],
        "subject_id": subject_id,
        "method": method.value,
        "expires_at": until.isoformat(),
    }


# The identity document a natural person's registered identifier is read from.
_DOCUMENT_OF = {
    IdType.RIC.value: DocumentType.RESIDENT_IDENTITY_CARD.value,
    IdType.PASSPORT.value: DocumentType.PASSPORT.value,
    IdType.HK_MACAO_PERMIT.value: DocumentType.HK_MACAO_PERMIT.value,
    IdType.TAIWAN_PERMIT.value: DocumentType.TAIWAN_PERMIT.value,
    IdType.FOREIGN_PERMANENT_RESIDENCE.value: DocumentType.FOREIGN_PERMANENT_RESIDENCE.value,
    IdType.OTHER.value: DocumentType.OTHER.value,
}


def _check_document(conn: sa.Connection, row: Any, check: IdentityCheck, number: str) -> None:
    """A real binding: a natural person binds itself with the very document its subject is
    registered by (same type, same number; "other" never stands in for it); for an
    organization's legal representative, a resident identity card must be that of a legal
    representative linked to it today (SUB-4), when any is recorded."""
    seen = normalise_code(number)
    if check.holder_role is HolderRole.SELF and row.kind == SubjectKind.NATURAL_PERSON.value:
        if (
            check.document_type.value != _DOCUMENT_OF.get(row.id_type)
            or normalise_code(row.id_number) != seen
        ):
            raise InvalidInput(
                "account.document_mismatch",
                "the document seen is not the one the subject is registered by",
            )
        return
    if check.document_type is not DocumentType.RESIDENT_IDENTITY_CARD:
        return
    if check.holder_role is HolderRole.LEGAL_REPRESENTATIVE:
        on = check.checked_on
        linked = conn.execute(
            sa.select(subject.c.id_number)
            .join(subject_link, subject_link.c.person_id == subject.c.id)
            .where(
                subject_link.c.organization_id == row.id,
                subject_link.c.role == "legal_representative",
                subject_link.c.valid_from <= on,
                sa.or_(subject_link.c.valid_to.is_(None), subject_link.c.valid_to >= on),
            )
        ).scalars()
        numbers = {n.upper() for n in linked}
        if numbers and seen not in numbers:
            raise InvalidInput(
                "account.document_mismatch",
                "the identity card seen is not that of the organization's legal representative",
            )


def issue_code(
    ctx: Context,
    principal: Principal,
    *,
    subject_id: int,
    holder_role: HolderRole,
    holder_name: str,
    document_type: DocumentType,
    document_number: str,
    checked_by: str,
    checked_on: date | None = None,
    authorization_letter: str | None = None,
) -> IssuedCodeView:
    """An operator's code after an identity check (issue 10): the evidence is recorded
    with the code (the document number only masked) and the issue is audited."""
    principal.require(Permission.ACCOUNTS_ISSUE)
    today = ctx.today()
    check = IdentityCheck.of(
        holder_role=holder_role,
        holder_name=holder_name,
        document_type=document_type,
        document_number=document_number,
        checked_by=checked_by,
        checked_on=checked_on or today,
        today=today,
        authorization_letter=authorization_letter,
    )
    with ctx.db.write() as conn:
        row = subject_row(conn, subject_id)
        check_holder(check.holder_role, row.kind == SubjectKind.NATURAL_PERSON.value)
        _check_document(conn, row, check, document_number)
        issued = mint_code(
            conn,
            ctx,
            subject_id=subject_id,
            method=BindingMethod.OPERATOR,
            issued_by=principal.actor,
            check=check,
        )
        # Never the number in clear, nor the holder's name (free text about a person).
        audit.record(
            conn,
            ctx,
            principal,
            "activation_code.issue",
            "activation_code",
            issued["id"],
            detail={
                "subject_id": subject_id,
                "method": BindingMethod.OPERATOR.value,
                "holder_role": check.holder_role.value,
                "document_type": check.document_type.value,
                "document_masked": check.document_masked,
                "authorization_letter": check.authorization_letter is not None,
                "checked_by": check.checked_by,
                "checked_on": check.checked_on.isoformat(),
            },
        )
    return issued


def _binding(row: Any) -> BindingView:
    return {
        "account_id": row.account_id,
        "username": row.username,
        "active": bool(row.active),
        "method": row.method,
        "holder_role": row.holder_role,
        "holder_name": row.holder_name,
        "document_type": row.document_type,
        "document_masked": row.document_masked,
        "authorization_letter": row.authorization_letter,
        "checked_by": row.checked_by,
        "checked_on": row.checked_on.isoformat() if row.checked_on else None,
        "bound_at": row.bound_at.isoformat(),
    }


_BINDINGS = sa.select(account_binding, subject_account.c.username, subject_account.c.active).join(
    subject_account, subject_account.c.id == account_binding.c.account_id
)


def _bindings_of(conn: sa.Connection, subject_id: int) -> list[BindingView]:
    rows = conn.execute(
        _BINDINGS.where(account_binding.c.subject_id == subject_id).order_by(account_binding.c.id)
    )
    return [_binding(r) for r in rows]


def activate(
    ctx: Context,
    *,
    code: str,
    id_type: IdType,
    id_number: str,
    username: str,
    password: str,
    holder_name: str | None = None,
    address: str = "local",
) -> AccountView:
    """The binding step: a valid, unused, unexpired code and the identifier of the subject
    it was issued for open an account bound to that subject. A wrong, used or expired code
    counts as a failed attempt for the code's prefix and for the address."""
    login = validate_username(username)
    validate_password(password)
    ident = parse_identifier(id_type, id_number)
    name = " ".join((holder_name or "").split())[:200] or None
    key = f"code:{code_prefix(code)}"
    throttle.refuse_if_throttled(ctx, key, address, "account.throttled", "activations")
    symbols = normalize_code(code)
    now = ctx.now()
    failure: DomainError | None = None
    with ctx.db.write() as conn:
        row = None
        if symbols is not None:
            row = conn.execute(
                sa.select(activation_code, subject.c.kind, subject.c.id_type, subject.c.id_number)
                .join(subject, subject.c.id == activation_code.c.subject_id)
                .where(activation_code.c.code_hash == _digest(symbols))
            ).first()
        if row is None or (row.id_type, row.id_number) != (ident.type.value, ident.number):
            failure = Unauthenticated(
                "account.bad_code",
                "the activation code and the identifier do not match any code issued",
            )
        elif row.used_at is not None:
            failure = Conflict("account.code_used", "this activation code was already used")
        elif row.superseded_at is not None:
            failure = Conflict(
                "account.code_superseded", "a later print of the notice replaced this code"
            )
        elif row.expires_at <= now:
            failure = Conflict(
                "account.code_expired",
                f"this activation code expired on {row.expires_at.date().isoformat()}",
            )
        else:
            return _bind(conn, ctx, row, login, password, name)
    # Counted and audited in a transaction of its own that commits: the refusal below must
    # not roll the trace back (SEC-3).
    with ctx.db.write() as conn:
        throttle.record_failure(conn, key, address, now)
        audit.record(
            conn,
            ctx,
            Actor(actor=f"activation:{key}", unit_id=None),
            "account.activation_failed",
            "activation_code",
            key,
            detail={"address": address[:64], "code": failure.code},
        )
    raise failure


def _bind(
    conn: sa.Connection, ctx: Context, row: Any, login: str, password: str, name: str | None
) -> AccountView:
    now = ctx.now()
    # The code is spent by a conditional update: two activations racing on one code
    # cannot both bind (the second finds no unused row and is refused).
    spent = conn.execute(
        activation_code.update()
        .where(activation_code.c.id == row.id, activation_code.c.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    if spent != 1:
        raise Conflict("account.code_used", "this activation code was already used")
    account_id = subject_accounts.create_account(
        conn, ctx, subject_id=row.subject_id, username=login, password=password
    )
    natural = row.kind == SubjectKind.NATURAL_PERSON.value
    default_role = HolderRole.SELF if natural else HolderRole.LEGAL_REPRESENTATIVE
    values = {
        "account_id": account_id,
        "subject_id": row.subject_id,
        "code_id": row.id,
        "method": row.method,
        "holder_role": row.holder_role or default_role.value,
        "holder_name": row.holder_name or name,
        "document_type": row.document_type,
        "document_masked": row.document_masked,
        "authorization_letter": row.authorization_letter,
        "checked_by": row.checked_by,
        "checked_on": row.checked_on,
        "bound_at": now,
    }
    conn.execute(account_binding.insert().values(**values))
    principal = subject_accounts.acting_account(login, row.subject_id)
    audit.record(
        conn,
        ctx,
        principal,
        "account.activate",
        "subject_account",
        account_id,
        detail={
            "subject_id": row.subject_id,
            "code_id": row.id,
            "method": row.method,
            "holder_role": values["holder_role"],
        },
    )
    _inbox_delivers(conn, ctx, principal, int(row.subject_id), login)
    binding = conn.execute(_BINDINGS.where(account_binding.c.account_id == account_id)).one()
    return {
        "id": account_id,
        "subject_id": int(row.subject_id),
        "username": login,
        "binding": _binding(binding),
    }


def _inbox_delivers(
    conn: sa.Connection, ctx: Context, principal: Principal, subject_id: int, login: str
) -> None:
    """LST-2, Op(7): with an account, the subject reads its inbox: the notices still
    awaiting delivery are delivered today (often it was bound with the code printed on
    one of them), and the objection windows that waited for them open."""
    today = ctx.today()
    waiting = conn.execute(
        sa.select(subject_notice.c.id, subject_notice.c.kind, subject_notice.c.owner_type,
                  subject_notice.c.owner_id)
        .where(subject_notice.c.subject_id == subject_id, subject_notice.c.delivered_on.is_(None))
        .order_by(subject_notice.c.id)
    ).all()  # fmt: skip
    if not waiting:
        return
    conn.execute(
        subject_notice.update()
        .where(subject_notice.c.id.in_([n.id for n in waiting]))
        .values(delivered_on=today, delivered_by=f"account:{login}"[:120])
    )
    for n in waiting:
        window_on_delivery(conn, ctx, principal, n, today)


def window_on_delivery(
    conn: sa.Connection, ctx: Context, principal: Principal, notice: Any, on: date
) -> date | None:
    """LST-2, Op(7): `notice` (a subject notice row) was delivered `on`: if it is the
    written notice of an entry whose objection window waited for it, the window opens,
    and the subject's copy gets the deadline as a date (printed, it could only say
    "within N working days of delivery"). The window's end, or None."""
    if notice.owner_type != "list_entry" or notice.kind != "written_notice":
        return None
    due = entry_steps.window_from_delivery(conn, ctx, principal, int(notice.owner_id), on)
    if due is None:
        return None
    content = conn.execute(
        sa.select(subject_notice.c.content).where(subject_notice.c.id == notice.id)
    ).scalar_one()
    conn.execute(
        subject_notice.update()
        .where(subject_notice.c.id == notice.id)
        .values(content={**dict(content), "objection_deadline": due.isoformat()})
    )
    return due


def accounts_of(ctx: Context, principal: Principal, subject_id: int) -> list[BindingView]:
    """The accounts bound to a subject, with their evidence: for the operator, or for the
    subject itself."""
    subject_accounts.require_subject(
        ctx, principal, subject_id, Permission.ACCOUNTS_ISSUE, action="subject_account.list"
    )
    with ctx.db.write() as conn:
        subject_row(conn, subject_id)
        # SEC-2: the bindings hold the holders' documents; an operator's read is registered.
        query_register.record(conn, ctx, principal, [subject_id], "subject_account")
        return _bindings_of(conn, subject_id)


def my_subject(ctx: Context, principal: Principal) -> MySubjectView:
    """GET /me/subject: the account's subject and every binding of it."""
    subject_id = subject_accounts.require_self(principal)
    with ctx.db.read() as conn:
        row = subject_row(conn, subject_id)
        bindings = _bindings_of(conn, subject_id)
    return {
        "account": principal.actor,
        "subject_id": subject_id,
        "kind": row.kind,
        "name": row.name,
        # The subject's own identifier, in full: it is the subject asking (Art 40).
        "id_type": row.id_type,
        "id_number": row.id_number,
        "bindings": bindings,
    }
