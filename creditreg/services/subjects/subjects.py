"""Credit subjects: register, look up by identifier, link responsible persons (SUB-1..4)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal
from creditreg.domain.access.query_register import QueryPurpose
from creditreg.domain.errors import Conflict, InvalidInput, NotFound
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.kernel.codes import validate_name
from creditreg.domain.subjects.identifiers import (
    Identifier,
    IdType,
    LinkRole,
    SubjectKind,
    check_kind_and_identifier,
    check_link,
    parse_id_type,
    parse_identifier,
    parse_subject_kind,
    validate_lei,
)
from creditreg.services.access import query_register, subject_accounts
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.subjects.views import LinkedPersonView, LinkView
from creditreg.store import bulk
from creditreg.store.fast import compiled_once
from creditreg.store.subjects.tables import subject, subject_link

# Rows per executemany in a bulk import: large enough to amortise round trips, small
# enough to keep memory flat.
IMPORT_CHUNK = 5000


@dataclass(frozen=True)
class SubjectView:
    """A subject as a caller may see it: personal identifiers masked unless entitled."""

    id: int
    kind: SubjectKind
    id_type: IdType
    id_number: str
    name: str
    lei: str | None
    region: str | None
    masked: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "id_type": self.id_type.value,
            "id_number": self.id_number,
            "id_number_masked": self.masked,
            "name": self.name,
            "lei": self.lei,
            "region": self.region,
        }


def _view(row: Any, principal: Principal) -> SubjectView:
    """A stored subject (a Row, or a FastQuery dict) as `principal` may see it."""
    if isinstance(row, dict):
        row = SimpleNamespace(**row)
    kind = SubjectKind(row.kind)
    ident = Identifier(IdType(row.id_type), row.id_number)
    # Op(11), Op(24): a natural person's document number is personal data.
    mask = (
        kind is SubjectKind.NATURAL_PERSON and Permission.PERSONAL_READ not in principal.permissions
    )
    return SubjectView(
        id=row.id,
        kind=kind,
        id_type=ident.type,
        id_number=ident.masked() if mask else ident.number,
        name=row.name,
        lei=row.lei,
        region=row.region,
        masked=mask,
    )


def _snapshot(kind: SubjectKind, ident: Identifier, name: str, lei: str | None) -> dict[str, Any]:
    return {
        "kind": kind.value,
        "id_type": ident.type.value,
        "id_number": ident.number,
        "name": name,
        "lei": lei,
    }


def register(
    ctx: Context,
    principal: Principal,
    *,
    kind: SubjectKind,
    id_type: IdType,
    id_number: str,
    name: str,
    lei: str | None = None,
    region: str | None = None,
) -> SubjectView:
    """Register a subject under its matching identifier; a second one is a conflict."""
    principal.require(Permission.SUBJECTS_WRITE)
    ident = parse_identifier(id_type, id_number, ctx.today())
    check_kind_and_identifier(kind, ident)
    clean_name = validate_name(name)
    clean_lei = validate_lei(lei) if lei else None
    if clean_lei and kind is SubjectKind.NATURAL_PERSON:
        raise InvalidInput(
            "subject.lei_for_person", "an LEI identifies a legal entity, not a person"
        )
    now = ctx.now()
    with ctx.db.write() as conn:
        _refuse_duplicate(conn, ident, clean_lei)
        new_id = conn.execute(
            subject.insert()
            .values(
                kind=kind.value,
                id_type=ident.type.value,
                id_number=ident.number,
                name=clean_name,
                lei=clean_lei,
                region=region,
                created_at=now,
                updated_at=now,
            )
            .returning(subject.c.id)
        ).scalar_one()
        audit.record(
            conn,
            ctx,
            principal,
            "subject.register",
            "subject",
            new_id,
            after=_snapshot(kind, ident, clean_name, clean_lei),
        )
        row = conn.execute(sa.select(subject).where(subject.c.id == new_id)).one()
    return _view(row, principal)


def _refuse_duplicate(conn: sa.Connection, ident: Identifier, lei: str | None) -> None:
    existing = conn.execute(
        sa.select(subject.c.id).where(
            subject.c.id_type == ident.type.value, subject.c.id_number == ident.number
        )
    ).scalar()
    if existing is not None:
        raise Conflict(
            "subject.duplicate",
            f"a subject with this {ident.type.value} already exists (id {existing})",
            subject_id=existing,
        )
    if lei is not None:
        holder = conn.execute(sa.select(subject.c.id).where(subject.c.lei == lei)).scalar()
        if holder is not None:
            raise Conflict(
                "subject.duplicate_lei", f"LEI {lei} is already recorded for subject {holder}"
            )


def get(
    ctx: Context,
    principal: Principal,
    subject_id: int,
    purpose: QueryPurpose = query_register.DUTIES,
) -> SubjectView:
    """One subject by id: for units that read subjects (the read registered with its
    purpose, SEC-2), and for the subject's own account."""
    subject_accounts.require_subject(ctx, principal, subject_id, Permission.SUBJECTS_READ)
    with query_register.reading(ctx, principal) as conn:
        row = conn.execute(sa.select(subject).where(subject.c.id == subject_id)).first()
        if row is None:
            raise NotFound("subject.not_found", f"no subject {subject_id}")
        query_register.record(conn, ctx, principal, [subject_id], "subject", purpose)
    return _view(row, principal)


def _lookup_statement() -> sa.Select[Any]:
    return sa.select(
        subject.c.id,
        subject.c.kind,
        subject.c.id_type,
        subject.c.id_number,
        subject.c.name,
        subject.c.lei,
        subject.c.region,
    ).where(subject.c.id_type == sa.bindparam("t"), subject.c.id_number == sa.bindparam("n"))


def find(
    ctx: Context,
    principal: Principal,
    id_type: IdType,
    id_number: str,
    purpose: QueryPurpose = query_register.DUTIES,
) -> SubjectView:
    """SUB-2: the subject matched by an identifier (normalised and validated first); the
    read is registered with its purpose (SEC-2)."""
    principal.require(Permission.SUBJECTS_READ)
    ident = parse_identifier(id_type, id_number)
    # The hot path of matching (SUB-2) and of the check API: one indexed SELECT, and one
    # compiled INSERT into the query register (measured: README, "Query register").
    query = compiled_once(ctx.db, "subject.lookup", _lookup_statement)
    row = query.first({"t": ident.type.value, "n": ident.number})
    if row is None:
        raise NotFound("subject.not_found", f"no subject with this {ident.type.value}")
    query_register.record_now(ctx, principal, int(row["id"]), "subject.lookup", purpose)
    return _view(row, principal)


@dataclass(frozen=True)
class ImportRow:
    """One subject to import, as read from a file."""

    kind: str
    id_type: str
    id_number: str
    name: str


@dataclass(frozen=True)
class ImportResult:
    """How many subjects an import added, and the audit event that records it."""

    added: int
    audit_seq: int


_IMPORT_COLUMNS = ("kind", "id_type", "id_number", "name", "created_at", "updated_at")


def _validated(rows: Iterable[ImportRow], today: date) -> Iterator[tuple[str, str, str, str]]:
    for number, row in enumerate(rows, start=1):
        try:
            kind = parse_subject_kind(row.kind)
            ident = parse_identifier(parse_id_type(row.id_type), row.id_number, today)
            check_kind_and_identifier(kind, ident)
            name = validate_name(row.name)
        except InvalidInput as exc:
            raise InvalidInput(exc.code, f"row {number}: {exc.message}", row=number) from None
        yield kind.value, ident.type.value, ident.number, name


def import_subjects(ctx: Context, principal: Principal, rows: Iterable[ImportRow]) -> ImportResult:
    """Bulk registration, all-or-nothing: one transaction, one audit event for the batch.

    Rows are validated as they stream and inserted in chunks (DB-API executemany), so
    memory stays flat; the first bad row or duplicate aborts the whole import, naming it.
    """
    principal.require(Permission.SUBJECTS_WRITE)
    added = 0
    with ctx.db.write() as conn:
        stamp = bulk.bind_value(conn, subject.c.created_at, ctx.now())
        sql = bulk.insert_sql(conn, subject, _IMPORT_COLUMNS)
        chunk: list[tuple[Any, ...]] = []
        for kind, id_type, number, name in _validated(rows, ctx.today()):
            chunk.append((kind, id_type, number, name, stamp, stamp))
            if len(chunk) >= IMPORT_CHUNK:
                added += _insert_chunk(conn, sql, chunk, added)
                chunk = []
        if chunk:
            added += _insert_chunk(conn, sql, chunk, added)
        seq = audit.record(
            conn, ctx, principal, "subject.import", "subject", "*", detail={"added": added}
        )
    return ImportResult(added, seq)


def _insert_chunk(conn: sa.Connection, sql: str, chunk: list[tuple[Any, ...]], offset: int) -> int:
    try:
        with conn.begin_nested():
            bulk.executemany(conn, sql, chunk)
    except conn.dialect.loaded_dbapi.IntegrityError:
        # Name the first row whose identifier is already taken (in the file or the table).
        keys = [(v[1], v[2]) for v in chunk]
        taken = {
            (row.id_type, row.id_number)
            for row in conn.execute(
                sa.select(subject.c.id_type, subject.c.id_number).where(
                    sa.tuple_(subject.c.id_type, subject.c.id_number).in_(keys)
                )
            )
        }
        seen: set[tuple[str, str]] = set()
        for i, key in enumerate(keys):
            if key in taken or key in seen:
                raise Conflict(
                    "subject.duplicate",
                    f"row {offset + i + 1}: a subject with {key[0]} {key[1]} already exists",
                    row=offset + i + 1,
                ) from None
            seen.add(key)
        raise
    return len(chunk)


def link_person(
    ctx: Context,
    principal: Principal,
    organization_id: int,
    person_id: int | None,
    role: LinkRole,
    valid_from: date,
    valid_to: date | None = None,
    *,
    id_type: IdType = IdType.RIC,
    id_number: str | None = None,
) -> LinkView:
    """SUB-4, Art 35: name a natural person in a role for an organization, for a period.

    The person is named by subject id, by identifier, or both; an identifier is validated
    and normalised (SUB-2) and must be the registered person's (`subject.person_mismatch`)."""
    principal.require(Permission.SUBJECTS_WRITE)
    ident = parse_identifier(id_type, id_number, ctx.today()) if id_number is not None else None
    with ctx.db.write() as conn:
        person_id = _person_named(conn, person_id, ident)
        kinds = {
            row.id: row.kind
            for row in conn.execute(
                sa.select(subject.c.id, subject.c.kind).where(
                    subject.c.id.in_([organization_id, person_id])
                )
            )
        }
        for sid in (organization_id, person_id):
            if sid not in kinds:
                raise NotFound("subject.not_found", f"no subject {sid}")
        check_link(
            SubjectKind(kinds[organization_id]), SubjectKind(kinds[person_id]), valid_from, valid_to
        )
        values = {
            "organization_id": organization_id,
            "person_id": person_id,
            "role": role.value,
            "valid_from": valid_from,
            "valid_to": valid_to,
        }
        link_id = conn.execute(
            subject_link.insert()
            .values(**values, created_at=ctx.now())
            .returning(subject_link.c.id)
        ).scalar_one()
        audit.record(
            conn,
            ctx,
            principal,
            "subject.link",
            "subject",
            organization_id,
            after=values,
            detail={"link_id": link_id, "role": role.value},
        )
    return {
        "id": int(link_id),
        "organization_id": organization_id,
        "person_id": person_id,
        "role": role.value,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }


def _person_named(conn: sa.Connection, person_id: int | None, ident: Identifier | None) -> int:
    """The subject id of a person named by id, by identifier, or by both (which agree)."""
    if ident is None:
        if person_id is None:
            raise InvalidInput(
                "subject.no_identifier", "name the person by person_id or by id_type and id_number"
            )
        return person_id
    if person_id is None:
        found = conn.execute(
            sa.select(subject.c.id).where(
                subject.c.id_type == ident.type.value, subject.c.id_number == ident.number
            )
        ).scalar()
        if found is None:
            raise NotFound("subject.not_found", f"no subject with this {ident.type.value}")
        return int(found)
    row = conn.execute(
        sa.select(subject.c.id_type, subject.c.id_number).where(subject.c.id == person_id)
    ).first()
    if row is None:
        raise NotFound("subject.not_found", f"no subject {person_id}")
    if (row.id_type, row.id_number) != (ident.type.value, ident.number):
        # Neither whose number it is nor the person's own: only that they differ.
        raise InvalidInput(
            "subject.person_mismatch",
            f"the {ident.type.value} given is not the one registered for subject {person_id}",
        )
    return person_id


def linked_persons(
    ctx: Context,
    principal: Principal,
    organization_id: int,
    on: date | None = None,
    purpose: QueryPurpose = query_register.DUTIES,
) -> list[LinkedPersonView]:
    """The persons linked to an organization, those in force `on` a day if given (for its
    own account too); a unit's read is registered for the organization and each person
    (SEC-2)."""
    subject_accounts.require_subject(
        ctx, principal, organization_id, Permission.SUBJECTS_READ, action="subject.links"
    )
    query = (
        sa.select(
            subject_link.c.id.label("link_id"),
            subject_link.c.role,
            subject_link.c.valid_from,
            subject_link.c.valid_to,
            subject,
        )
        .join(subject, subject.c.id == subject_link.c.person_id)
        .where(subject_link.c.organization_id == organization_id)
        .order_by(subject_link.c.id)
    )
    if on is not None:
        query = query.where(
            subject_link.c.valid_from <= on,
            sa.or_(subject_link.c.valid_to.is_(None), subject_link.c.valid_to >= on),
        )
    with query_register.reading(ctx, principal) as conn:
        if (
            conn.execute(sa.select(subject.c.id).where(subject.c.id == organization_id)).first()
            is None
        ):
            raise NotFound("subject.not_found", f"no subject {organization_id}")
        rows = conn.execute(query).all()
        read = [organization_id, *(int(r.id) for r in rows)]
        query_register.record(conn, ctx, principal, read, "subject.links", purpose)
    result: list[LinkedPersonView] = []
    for row in rows:
        person = _view(row, principal)
        result.append(
            {
                "id": row.link_id,
                "role": row.role,
                "valid_from": row.valid_from.isoformat(),
                "valid_to": row.valid_to.isoformat() if row.valid_to else None,
                "person": person.as_dict(),
            }
        )
    return result
