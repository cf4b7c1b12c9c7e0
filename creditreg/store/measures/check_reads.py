"""The check's reads (MEA-3, SUB-4): SQLAlchemy Core, a handful of indexed SELECTs per
check whatever the number of subjects, entries or records behind it (a batch reads its
subjects in chunks, never one by one).

Each SELECT is written in Core and compiled once per dialect and IN-list length, then run
on the transaction's own DB-API cursor (`Compiled`): building and compiling the statements
again for every check, and SQLAlchemy's per-row processing, were most of a single check's
time (measured with `make bench BENCH_ARGS="--only check"`, README "Benchmarks")."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa

from creditreg.domain.lists.entries import EntryStatus
from creditreg.domain.lists.standards import ListType
from creditreg.domain.measures.check import LEI, Key
from creditreg.domain.records.lifecycle import RecordStatus
from creditreg.domain.rights.objections import OPEN, TargetType
from creditreg.store.access.tables import unit
from creditreg.store.lists.queries import blacklist_hold
from creditreg.store.lists.tables import list_entry, list_entry_person
from creditreg.store.records.tables import catalog_item, record
from creditreg.store.rights.objection_tables import objection
from creditreg.store.subjects.tables import subject, subject_link
from creditreg.store.uow import DriverTx

Tx = sa.Connection | DriverTx  # a SQLAlchemy transaction, or the check's own (driver_write)

CHUNK = 500  # identifiers per IN (...) of a batch: well under every driver's limit


class _Plan(NamedTuple):
    sql: str
    order: tuple[str, ...]
    row: Any
    dates: tuple[int, ...]
    constants: dict[str, Any]


class Compiled:
    """A Core SELECT compiled once per dialect and IN-list length (`build(n)`), run on the
    DB-API cursor of the caller's transaction: same SQL, same transaction, no per-call
    statement building. Rows come back as named tuples; on SQLite the columns named in
    `dates` are turned into dates and date parameters into ISO text, as the Date type does.
    Driver errors are raised as SQLAlchemy's, as `Connection.execute` would."""

    def __init__(
        self,
        build: Callable[[int], sa.Select[Any] | sa.CompoundSelect[Any]],
        dates: Iterable[str] = (),
    ) -> None:
        self.build = build
        self.dates = frozenset(dates)
        self._compiled: dict[tuple[str, int], _Plan] = {}

    def _get(self, dialect: sa.Dialect, n: int) -> _Plan:
        key = (dialect.name, n)
        found = self._compiled.get(key)
        if found is None:
            statement = self.build(n)
            compiled = statement.compile(
                dialect=dialect, compile_kwargs={"render_postcompile": True}
            )
            names = [str(c.key) for c in statement.selected_columns]
            row = namedtuple("row", names)  # type: ignore[misc]
            dates = (
                tuple(i for i, name in enumerate(names) if name in self.dates)
                if dialect.name == "sqlite"
                else ()
            )
            # The statement's own constants (statuses ...) are bound parameters too.
            constants = {k: v for k, v in compiled.params.items() if v is not None}
            found = _Plan(str(compiled), tuple(compiled.positiontup or ()), row, dates, constants)
            self._compiled[key] = found
        return found

    def rows(self, conn: Tx, n: int, given: Mapping[str, Any]) -> list[Any]:
        tx = DriverTx.of(conn)
        sql, order, row, dates, constants = self._get(tx.dialect, n)
        if tx.sqlite:  # the statement's constants are never dates
            given = {k: v.isoformat() if isinstance(v, date) else v for k, v in given.items()}
        params = {**constants, **given} if constants else given
        args: Any = tuple(map(params.__getitem__, order)) if order else params
        fetched = tx.run(sql, args).fetchall()
        if not dates:
            return list(map(row._make, fetched))
        out = []
        for r in fetched:
            values = list(r)
            for i in dates:
                if values[i] is not None:
                    values[i] = date.fromisoformat(values[i])
            out.append(row._make(values))
        return out


def _ids(n: int, name: str = "id") -> list[sa.BindParameter[Any]]:
    return [sa.bindparam(f"{name}{i}", required=False) for i in range(n)]


def _numbered(values: Sequence[Any], name: str = "id") -> dict[str, Any]:
    return {f"{name}{i}": v for i, v in enumerate(values)}


def _of_subjects(query: Compiled, conn: Tx, subject_ids: Iterable[int], day: date) -> list[Any]:
    """`query`'s rows for `subject_ids` (each once) on `day`, CHUNK ids per statement."""
    ids = list(dict.fromkeys(subject_ids))
    rows: list[Any] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows.extend(query.rows(conn, len(chunk), {**_numbered(chunk), "day": day}))
    return rows


def _in_force(day: date | sa.BindParameter[Any]) -> sa.ColumnElement[bool]:
    """An entry in force on `day`: designated, begun, not past its validity; or suspended
    by an objection after its designation (shown, marked)."""
    return sa.and_(
        sa.or_(
            list_entry.c.status == EntryStatus.DESIGNATED.value,
            sa.and_(
                list_entry.c.status == EntryStatus.OBJECTED.value,
                list_entry.c.suspended_from == EntryStatus.DESIGNATED.value,
            ),
        ),
        list_entry.c.designated_on <= day,
        sa.or_(list_entry.c.valid_until.is_(None), list_entry.c.valid_until >= day),
    )


SUBJECT_COLUMNS = (
    subject.c.id,
    subject.c.kind,
    subject.c.id_type,
    subject.c.id_number,
    subject.c.name,
    subject.c.lei,
)


def subjects_by_key(conn: Tx, keys: Sequence[Key]) -> dict[Key, Any]:
    """The subjects `keys` name (a key naming none is absent from the answer)."""
    found: dict[Key, Any] = {}
    by_type: dict[str, list[str]] = {}
    for key in keys:
        by_type.setdefault(key.id_type, []).append(key.number)
    for id_type, numbers in by_type.items():
        query = _BY_LEI if id_type == LEI else _BY_NUMBER
        for start in range(0, len(numbers), CHUNK):
            chunk = numbers[start : start + CHUNK]
            params = {**_numbered(chunk, "n"), "id_type": id_type}
            for row in query.rows(conn, len(chunk), params):
                number = row.lei if id_type == LEI else row.id_number
                found[Key(id_type, number)] = row
    return found


_BY_NUMBER = Compiled(
    lambda n: sa.select(*SUBJECT_COLUMNS).where(
        subject.c.id_type == sa.bindparam("id_type", required=False),
        subject.c.id_number.in_(_ids(n, "n")),
    )
)
_BY_LEI = Compiled(lambda n: sa.select(*SUBJECT_COLUMNS).where(subject.c.lei.in_(_ids(n, "n"))))


def links_of(conn: Tx, subject_ids: Sequence[int], day: date) -> list[Any]:
    """Art 35, SUB-4: the links in force on `day` from or to `subject_ids`, and the
    registered persons their entries in force name, each with the subject at its other
    end: (subject_id, role, other_id, other kind, type, number, name)."""
    return _of_subjects(_LINKS, conn, subject_ids, day)


def _links(n: int) -> sa.CompoundSelect[Any]:
    """One statement (one round trip): the organization's persons, the person's
    organizations, each in the links' order, then the persons an organization's entries in
    force name (registered subjects), in the entries' order."""
    day = sa.bindparam("day", type_=sa.Date, required=False)
    ids = _ids(n)
    other = subject.alias("other")
    sides = []
    for direction, mine, theirs in (
        (0, subject_link.c.organization_id, subject_link.c.person_id),
        (1, subject_link.c.person_id, subject_link.c.organization_id),
    ):
        sides.append(
            sa.select(
                mine.label("subject_id"),
                subject_link.c.role,
                other.c.id.label("other_id"),
                other.c.kind,
                other.c.id_type,
                other.c.id_number,
                other.c.name,
                sa.literal(direction).label("direction"),
                subject_link.c.id.label("link_id"),
            )
            .join(other, other.c.id == theirs)
            .where(
                mine.in_(ids),
                subject_link.c.valid_from <= day,
                sa.or_(subject_link.c.valid_to.is_(None), subject_link.c.valid_to >= day),
            )
        )
    person = subject.alias("person")
    sides.append(
        sa.select(
            list_entry.c.subject_id.label("subject_id"),
            list_entry_person.c.role,
            person.c.id.label("other_id"),
            person.c.kind,
            person.c.id_type,
            person.c.id_number,
            person.c.name,
            sa.literal(2).label("direction"),
            list_entry_person.c.id.label("link_id"),
        )
        .join(list_entry, list_entry.c.id == list_entry_person.c.entry_id)
        .join(
            person,
            sa.and_(
                person.c.id_type == list_entry_person.c.id_type,
                person.c.id_number == list_entry_person.c.id_number,
            ),
        )
        .where(list_entry.c.subject_id.in_(ids), _in_force(day))
    )
    return sa.union_all(*sides).order_by(sa.text("direction"), sa.text("link_id"))


_LINKS = Compiled(_links)


def _open_objection(target_type: TargetType, target_id: Any) -> sa.Exists:
    return (
        sa.select(objection.c.id)
        .where(
            objection.c.target_type == target_type.value,
            objection.c.target_id == target_id,
            objection.c.status.in_([s.value for s in OPEN]),
        )
        .exists()
    )


def entries_in_force(conn: Tx, subject_ids: Iterable[int], day: date) -> list[Any]:
    """Every list entry in force on `day` (designated, begun, not past its validity) of
    `subject_ids`, and those an objection suspended after their designation, with the
    designating unit's name and whether an objection is open."""
    return _of_subjects(_ENTRIES, conn, subject_ids, day)


def _entries(n: int) -> sa.Select[Any]:
    day = sa.bindparam("day", type_=sa.Date, required=False)
    return (
        sa.select(
            list_entry.c.id,
            list_entry.c.subject_id,
            list_entry.c.list_type,
            list_entry.c.status,
            list_entry.c.field,
            list_entry.c.severity,
            list_entry.c.standard_code,
            list_entry.c.designating_unit_id,
            unit.c.name.label("designating_unit"),
            list_entry.c.facts,
            list_entry.c.basis,
            list_entry.c.designated_on,
            list_entry.c.valid_until,
            _open_objection(TargetType.LIST_ENTRY, list_entry.c.id).label("objected"),
            # DIS-3: the personal numbers it names, masked in the grounds whatever their shape.
            list_entry.c.subject_info,
        )
        .outerjoin(unit, unit.c.id == list_entry.c.designating_unit_id)
        .where(
            list_entry.c.subject_id.in_(_ids(n)),
            _in_force(day),
        )
        .order_by(list_entry.c.subject_id, list_entry.c.id)
    )


_ENTRIES = Compiled(_entries, dates=("designated_on", "valid_until"))


def discipline_records(conn: Tx, subject_ids: Iterable[int], day: date) -> list[Any]:
    """Art 32: the verified untrustworthy records of `subject_ids` usable for joint
    discipline on `day` (ING-4: none whose use is barred, none restored, archived or
    withdrawn, none past its display period)."""
    return _of_subjects(_RECORDS, conn, subject_ids, day)


def _records(n: int) -> sa.Select[Any]:
    day = sa.bindparam("day", type_=sa.Date, required=False)
    return (
        sa.select(
            record.c.id,
            record.c.subject_id,
            record.c.untrustworthy_class,
            record.c.serious_class,
            record.c.severity,
            record.c.decision_date,
            record.c.display_until,
            catalog_item.c.code.label("catalog"),
            catalog_item.c.name.label("catalog_name"),
            catalog_item.c.field,
            _open_objection(TargetType.RECORD, record.c.id).label("objected"),
        )
        .join(catalog_item, catalog_item.c.id == record.c.catalog_item_id)
        .where(
            record.c.subject_id.in_(_ids(n)),
            record.c.status == RecordStatus.VERIFIED.value,
            record.c.untrustworthy_class.is_not(None),
            record.c.discipline_block.is_(None),
            sa.or_(
                record.c.display_until.is_(None),
                record.c.display_until >= day,
                # DIS-2, Art 19: displayed past its period while a blacklist holds it.
                blacklist_hold(record.c.subject_id),
            ),
        )
        .order_by(record.c.subject_id, record.c.id)
    )


_RECORDS = Compiled(_records, dates=("decision_date", "display_until"))


def organizations_naming(conn: Tx, keys: Sequence[Key], day: date) -> list[Any]:
    """SUB-4, Art 35: the organizations whose blacklist entries in force name a person by
    one of `keys` (registered subject or not): key_type, key_number, role, and the
    organization as `links_of` gives the other end (other_id, kind, id_type, id_number,
    name)."""
    wanted = [(k.id_type, k.number) for k in keys if k.id_type != LEI]
    rows: list[Any] = []
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start : start + CHUNK]
        params: dict[str, Any] = {"day": day}
        for i, (id_type, number) in enumerate(part):
            params[f"t{i}"], params[f"n{i}"] = id_type, number
        rows.extend(_NAMING.rows(conn, len(part), params))
    return rows


def _naming(n: int) -> sa.Select[Any]:
    org = subject.alias("org")
    pairs = [
        sa.tuple_(sa.bindparam(f"t{i}", required=False), sa.bindparam(f"n{i}", required=False))
        for i in range(n)
    ]
    return (
        sa.select(
            list_entry_person.c.id_type.label("key_type"),
            list_entry_person.c.id_number.label("key_number"),
            list_entry_person.c.role,
            org.c.id.label("other_id"),
            org.c.kind,
            org.c.id_type,
            org.c.id_number,
            org.c.name,
        )
        .join(list_entry, list_entry.c.id == list_entry_person.c.entry_id)
        .join(org, org.c.id == list_entry.c.subject_id)
        .where(
            sa.tuple_(list_entry_person.c.id_type, list_entry_person.c.id_number).in_(pairs),
            list_entry.c.list_type == ListType.BLACKLIST.value,
            _in_force(sa.bindparam("day", type_=sa.Date, required=False)),
        )
        .order_by(list_entry_person.c.id)
    )


_NAMING = Compiled(_naming)
