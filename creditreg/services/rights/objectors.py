"""Who objects (OBJ-1, OBJ-4): never anonymous. A unit (its user or token), a person with
a public account (a name and a validated identity document number, unverified), or a
subject acting on itself through its subject account (issue 10, part 1: the seam below).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal
from creditreg.domain.errors import Conflict, Unauthenticated
from creditreg.domain.kernel.actor import Actor
from creditreg.domain.kernel.codes import validate_name
from creditreg.domain.rights.objections import ObjectorKind
from creditreg.domain.subjects.identifiers import (
    SubjectKind,
    check_kind_and_identifier,
    parse_id_type,
    parse_identifier,
)
from creditreg.services.access import query_register
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.rights.objection_views import PublicAccountCreatedView
from creditreg.store.access.tables import unit
from creditreg.store.rights.objection_tables import public_account

ACCOUNT_TOKEN_PREFIX = "cpa_"


@dataclass(frozen=True, slots=True)
class Objector:
    """Who objects, as the objection stores it. `key` is one per objector: one open
    objection per item and key."""

    kind: ObjectorKind
    key: str
    label: str
    actor: Actor
    unit_id: int | None = None
    account_id: int | None = None
    subject_id: int | None = None
    # The unit's (or subject's) principal: what it may see decides what it may object to.
    principal: Principal | None = None

    def as_principal(self) -> Principal:
        """The principal the lower contexts record the change under (its audit actor)."""
        if self.principal is not None:
            return self.principal
        return Principal(actor=self.actor.actor, unit_id=None)


def subject_of(principal: Principal) -> int | None:
    """A subject account's principal (issue 10, part 1) names its one subject, which it
    objects for; a unit's names none."""
    return principal.subject_id if principal.is_subject else None


def of_principal(conn: sa.Connection, principal: Principal) -> Objector:
    """The objector a caller's principal stands for, or `objection.anonymous`."""
    subject_id = subject_of(principal)
    if subject_id is not None:
        return Objector(
            ObjectorKind.SUBJECT_ACCOUNT,
            f"subject:{subject_id}",
            f"subject {subject_id}",
            principal,
            subject_id=subject_id,
            principal=principal,
        )
    if principal.unit_id is None:
        # The CLI's operator without --unit, the system: no one to send the outcome to.
        raise Unauthenticated(
            "objection.anonymous",
            "an objection names its objector: a unit (act with --unit), a subject account, "
            "or a registered public account",
        )
    name = conn.execute(sa.select(unit.c.name).where(unit.c.id == principal.unit_id)).scalar()
    return Objector(
        ObjectorKind.UNIT,
        f"unit:{principal.unit_id}",
        str(name or f"unit {principal.unit_id}"),
        principal,
        unit_id=principal.unit_id,
        principal=principal,
    )


def of_account(row: Any) -> Objector:
    """The objector a public account stands for."""
    actor = Actor(actor=f"public_account:{row.id}", unit_id=None)
    return Objector(
        ObjectorKind.PUBLIC_ACCOUNT,
        f"account:{row.id}",
        str(row.name),
        actor,
        account_id=int(row.id),
    )


def _digest(ctx: Context, number: str) -> str:
    """A keyed digest of a document number (HMAC-SHA256 under a key derived from the
    install's secret, which lives outside the database): the same number is found again,
    and the table alone never reveals it."""
    key = hmac.digest(ctx.chain_key().secret, b"creditreg public account id number", "sha256")
    return hmac.new(key, number.encode(), "sha256").hexdigest()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def register(ctx: Context, *, name: str, id_type: str, id_number: str) -> PublicAccountCreatedView:
    """OBJ-1, OBJ-4: a person registers to object, with a name and a personal identity
    document number (validated, marked unverified; kept masked and keyed, never clear,
    never in the audit log). Returns the account's bearer token, once."""
    clean_name = validate_name(name)
    kind = parse_id_type(id_type)
    identifier = parse_identifier(kind, id_number, ctx.today())
    check_kind_and_identifier(SubjectKind.NATURAL_PERSON, identifier)
    token = ACCOUNT_TOKEN_PREFIX + secrets.token_urlsafe(32)
    digest = _digest(ctx, f"{identifier.type.value}:{identifier.number}")
    with ctx.db.write() as conn:
        taken = conn.execute(
            sa.select(public_account.c.id).where(public_account.c.id_number_digest == digest)
        ).first()
        if taken is not None:
            raise Conflict(
                "public_account.exists", "a public account with that document number exists"
            )
        account_id = int(
            conn.execute(
                public_account.insert()
                .values(
                    name=clean_name,
                    id_type=identifier.type.value,
                    id_number_masked=identifier.masked(),
                    id_number_digest=digest,
                    verified=False,
                    token_hash=_token_hash(token),
                    created_at=ctx.now(),
                )
                .returning(public_account.c.id)
            ).scalar_one()
        )
        audit.record(
            conn,
            ctx,
            Actor(actor=f"public_account:{account_id}", unit_id=None),
            "public_account.register",
            "public_account",
            account_id,
            detail={"id_type": identifier.type.value, "verified": False},
        )
    return {
        "id": account_id,
        "name": clean_name,
        "id_type": identifier.type.value,
        "id_number_masked": identifier.masked(),
        "verified": False,
        "token": token,
    }


def authenticate(ctx: Context, token: str) -> Objector:
    """The public account a bearer token stands for, or 401."""
    with ctx.db.read() as conn:
        row = conn.execute(
            sa.select(public_account).where(public_account.c.token_hash == _token_hash(token))
        ).first()
    if row is None:
        raise Unauthenticated("public_account.invalid_token", "the account token is not known")
    return of_account(row)


def is_account_token(token: str) -> bool:
    return token.startswith(ACCOUNT_TOKEN_PREFIX)


def for_principal(ctx: Context, principal: Principal) -> Objector:
    """`of_principal` in its own read transaction (for the API's dependency)."""
    with ctx.db.read() as conn:
        return of_principal(conn, principal)


def reader(principal: Principal) -> Objector:
    """Whoever reads objections with a principal (the CLI's operator included): what it
    may read follows its permissions and unit, as `objections.may_read` says."""
    subject_id = subject_of(principal)
    if subject_id is not None:
        return Objector(
            ObjectorKind.SUBJECT_ACCOUNT,
            f"subject:{subject_id}",
            f"subject {subject_id}",
            principal,
            subject_id=subject_id,
            principal=principal,
        )
    key = f"unit:{principal.unit_id}" if principal.unit_id is not None else principal.actor
    return Objector(
        ObjectorKind.UNIT,
        key,
        principal.actor,
        principal,
        unit_id=principal.unit_id,
        principal=principal,
    )


def unit_reads(who: Objector) -> bool:
    """Whether a unit reads (an objector reading its own, or a subject, is no unit)."""
    return who.unit_id is not None and who.principal is not None


def reading(ctx: Context, who: Objector) -> AbstractContextManager[sa.Connection]:
    """The transaction of a read by `who`: a write one when it is a unit's (registered)."""
    return query_register.reading(ctx, who.principal if unit_reads(who) else None)


def register_read(
    conn: sa.Connection,
    ctx: Context,
    who: Objector,
    subject_ids: list[int],
    what: str,
    object_id: int | None = None,
) -> None:
    """SEC-2: a unit reading objections or red-list reports reads the subjects' information
    (grounds, evidence, the entries and records concerned): registered. An objector
    reading its own, or a subject, is no unit's query."""
    if unit_reads(who) and who.principal is not None:
        query_register.record(conn, ctx, who.principal, subject_ids, what, object_id=object_id)
