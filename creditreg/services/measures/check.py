"""The check (核查; MEA-3, MEA-6, MEA-7, SUB-4, SEC-2; Op(12), Op(13), Art 29-35, 61).

An implementing unit asks about a subject inside its own workflow and gets, in one answer:
every list entry in force with its grounds and validity; the entries of the persons linked
to an organization, or the blacklisted organizations a person answers for (Art 35); the
Art 32 untrustworthy records usable for joint discipline; every measure the memoranda in
force oblige *its* unit to apply, each with its basis, memorandum and triggering entry or
record (severity-filtered, Art 31); the green-channel measures of a red-listed subject;
and an "under objection" mark. A subject with nothing in force gets an explicit clean
answer with its as-of time.

Every answer is registered (SEC-2, Op(24)) in the transaction that read it, with the ids
of what it returned and a digest of the answer, and that transaction commits before the
answer leaves: an answered check is always in the register. No answer is cached. On
SQLite, single checks that arrive together share one transaction (`run_together`, the
group commit): the one exception to a use case's own transaction, each check still in a
savepoint of its own caller's.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from creditreg.domain.access.principals import Principal, UnitKind
from creditreg.domain.access.query_register import Purpose, QueryPurpose
from creditreg.domain.errors import Forbidden, InvalidInput
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.measures.check import (
    BATCH_MAX,
    Key,
    StatedPurpose,
    parse_batch,
    parse_key,
    parse_purpose,
)
from creditreg.services.access import query_register
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.measures.check_answers import (
    Answer,
    build_answer,
    distinct_links,
    person_keys,
    returned,
)
from creditreg.store.measures import check_reads, exposure
from creditreg.store.measures.obligations import Obligations
from creditreg.store.uow import DriverTx

WHAT = "check"  # the register's `what` for the subject checked
WHAT_LINKED = "check.linked"  # ... for a linked subject whose entries the answer showed
WHAT_REFUSED = "check.refused"


def implementing_unit(
    ctx: Context, principal: Principal, identifiers: Sequence[tuple[str, str]]
) -> int:
    """The implementing unit the check acts for. Anyone else is refused with 403 before
    anything it sent is judged, and the attempt is audited and registered (SEC-2: a
    refused query is a query too) in one transaction: the subjects its identifiers name,
    or the digest of an identifier that names none or does not parse."""
    ok = (
        Permission.MEASURES_CHECK in principal.permissions
        and principal.unit_kind is UnitKind.IMPLEMENTING_UNIT
        and principal.unit_id is not None
    )
    if ok:
        return int(principal.unit_id or 0)
    code = (
        "check.not_implementing_unit"
        if principal.unit_kind is not UnitKind.IMPLEMENTING_UNIT
        else "access.missing_permission"
    )
    keys: list[Key | None] = []
    for id_type, number in identifiers[:BATCH_MAX]:
        try:
            keys.append(parse_key(id_type, number, ctx.today()))
        except InvalidInput:
            keys.append(None)
    with ctx.db.write() as conn:
        audit.record(
            conn,
            ctx,
            principal,
            "check.run.refused",
            "unit",
            principal.unit_id or 0,
            detail={"code": code, "identifiers": len(identifiers)},
        )
        subjects = check_reads.subjects_by_key(conn, [k for k in keys if k is not None])
        query_register.record_answers(
            conn,
            ctx,
            principal,
            [
                query_register.Answered(
                    subject_id=int(row.id) if row is not None else None,
                    what=WHAT_REFUSED,
                    purpose=QueryPurpose(Purpose.CHECK, code),
                    object_id=None if row is not None else _key_digest(key or Key(*raw)),
                )
                for raw, key in zip(identifiers, keys, strict=False)
                for row in (subjects.get(key) if key is not None else None,)
            ],
        )
    if code == "check.not_implementing_unit":
        raise Forbidden(
            "check.not_implementing_unit",
            "the check answers implementing units (联合奖惩实施部门) only",
        )
    raise Forbidden(
        "access.missing_permission",
        f"{principal.actor} lacks permission {Permission.MEASURES_CHECK.value}",
        permission=Permission.MEASURES_CHECK.value,
    )


def _key_digest(key: Key) -> str:
    """How the register names an identifier that matched no subject: a digest, not the
    number (the register is not a copy of what callers typed)."""
    return sha256(f"{key.id_type}:{key.number}".encode()).hexdigest()


def check(
    ctx: Context,
    principal: Principal,
    id_type: str,
    id_number: str,
    purpose: str | None,
    note: str | None = None,
) -> Answer:
    """MEA-3: one subject's check (see the module's docstring)."""
    return _run(ctx, prepare(ctx, principal, id_type, id_number, purpose, note))[0]


@dataclass(frozen=True, slots=True)
class Pending:
    """A check judged and ready to run: the caller, the implementing unit it acts for, the
    identifiers and the stated purpose (`prepare`, `check_batch`)."""

    principal: Principal
    unit_id: int
    keys: tuple[Key, ...]
    purpose: StatedPurpose


def prepare(
    ctx: Context,
    principal: Principal,
    id_type: str,
    id_number: str,
    purpose: str | None,
    note: str | None = None,
) -> Pending:
    """One check's judgement before it runs: the caller refused (403, audited and
    registered) or the identifier or purpose refused (422), as `check` does."""
    unit_id = implementing_unit(ctx, principal, [(id_type, id_number)])
    stated = parse_purpose(purpose, note)
    key = parse_key(id_type, id_number, ctx.today())
    return Pending(principal, unit_id, (key,), stated)


def check_batch(
    ctx: Context,
    principal: Principal,
    identifiers: Sequence[tuple[str, str]],
    purpose: str | None,
    note: str | None = None,
) -> list[Answer]:
    """MEA-3: a procurement screening of up to 1,000 identifiers, answered and registered
    together (refused whole, with the position of the first bad identifier)."""
    unit_id = implementing_unit(ctx, principal, identifiers)
    stated = parse_purpose(purpose, note)
    keys = parse_batch(identifiers, ctx.today())
    return _run(ctx, Pending(principal, unit_id, tuple(keys), stated))


def run_together(ctx: Context, pending: Sequence[Pending]) -> list[list[Answer] | Exception]:
    """Group commit: prepared checks answered in one transaction and one COMMIT; every
    answer is in the register before any leaves, as with `check`. The checks of one caller
    with one purpose are read together, as a batch's identifiers are, in a savepoint; if
    that fails, each is tried again in its own, so that only the one that fails gets an
    error. A failure of the transaction itself (the lock busy, the COMMIT refused) is
    raised for all of them.

    SQLite has one writer: its checks commit in turn, and a BEGIN and a COMMIT (with the
    WAL pages it writes) per check were about 15% of a check's time; read together, a
    group's checks also share their SELECTs and the register's executemany. PostgreSQL
    commits concurrent transactions together by itself: there each check keeps its own
    transaction (README "Benchmarks")."""
    if len(pending) == 1 or ctx.db.dialect != "sqlite":
        out: list[list[Answer] | Exception] = []
        for p in pending:
            try:
                out.append(_run(ctx, p))
            except Exception as exc:  # the caller hands each check its own outcome
                out.append(exc)
        return out
    callers: dict[tuple[Principal, int, StatedPurpose], list[int]] = {}
    for i, p in enumerate(pending):
        callers.setdefault((p.principal, p.unit_id, p.purpose), []).append(i)
    done: list[tuple[list[Answer], list[int]] | Exception | None] = [None] * len(pending)
    try:
        with ctx.db.driver_write() as tx:
            obligations: dict[int, Obligations] = {}
            for (principal, unit_id, purpose), members in callers.items():
                keys = tuple(k for i in members for k in pending[i].keys)
                merged = _attempt(tx, ctx, Pending(principal, unit_id, keys, purpose), obligations)
                if isinstance(merged, Exception):
                    for i in members:  # one by one: the failing check alone is refused
                        done[i] = _attempt(tx, ctx, pending[i], obligations)
                    continue
                answers, ids = merged
                at = 0
                for i in members:
                    n = len(pending[i].keys)
                    done[i] = (answers[at : at + n], ids[at : at + n])
                    at += n
    except _GroupLost as lost:
        raise lost.cause from None  # rolled back: every check of the group gets it
    # The transaction committed: every answer below is in the register.
    outcomes: list[list[Answer] | Exception] = []
    for d in done:
        assert d is not None  # every check of the group was answered or refused
        outcomes.append(d if isinstance(d, Exception) else _numbered(*d))
    return outcomes


class _GroupLost(Exception):
    """The group's transaction cannot go on (SQLite rolled all of it back, or a savepoint
    statement failed): no check of it may be tried again in it."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _attempt(
    tx: DriverTx, ctx: Context, pending: Pending, obligations: dict[int, Obligations]
) -> tuple[list[Answer], list[int]] | Exception:
    """`_answered` in a savepoint: its outcome, or the error it was rolled back for (a
    lost transaction, `_GroupLost`, is raised)."""
    try:
        with _savepoint(tx):
            return _answered(tx, ctx, pending, obligations)
    except _GroupLost:
        raise
    except Exception as exc:
        return exc


@contextmanager
def _savepoint(tx: DriverTx) -> Iterator[None]:
    """A savepoint in `tx`: what the block wrote is undone if it raises; `_GroupLost` if
    the whole transaction is gone."""
    _control(tx, "SAVEPOINT check_group")
    try:
        yield
    except Exception as exc:
        if not tx.in_transaction:
            raise _GroupLost(exc) from exc
        _control(tx, "ROLLBACK TO SAVEPOINT check_group")
        _control(tx, "RELEASE SAVEPOINT check_group")
        raise
    _control(tx, "RELEASE SAVEPOINT check_group")


def _control(tx: DriverTx, sql: str) -> None:
    """A savepoint statement: its failure leaves the transaction in no known state."""
    try:
        tx.run(sql, ())
    except Exception as exc:
        raise _GroupLost(exc) from exc


def _run(ctx: Context, pending: Pending) -> list[Answer]:
    # The check's own transaction on the driver (Database.driver_write): its reads, the
    # register rows and the exposures, committed before any answer leaves.
    with ctx.db.driver_write() as tx:
        answers, check_ids = _answered(tx, ctx, pending, {})
    # The transaction committed: every answer below is in the register.
    return _numbered(answers, check_ids)


def _numbered(answers: list[Answer], check_ids: list[int]) -> list[Answer]:
    """The answers with their register ids (`check_ids`: the subjects' own rows, in the
    answers' order)."""
    for answer, check_id in zip(answers, check_ids, strict=True):
        answer.check_id = check_id
    return answers


def _answered(
    tx: DriverTx, ctx: Context, pending: Pending, obligations: dict[int, Obligations]
) -> tuple[list[Answer], list[int]]:
    """`pending`'s answers read, registered and their exposures recorded in `tx`, with the
    register ids of the answers (`obligations`: the unit's, read once per transaction)."""
    keys, unit_id, principal = pending.keys, pending.unit_id, pending.principal
    stated = QueryPurpose(Purpose.CHECK, pending.purpose.register_note)
    now = ctx.now()
    day = ctx.today()
    subjects = check_reads.subjects_by_key(tx, keys)
    ids = [int(row.id) for row in subjects.values()]
    # Art 35, SUB-4: links registered, persons an organization's entries name, and the
    # organizations whose blacklist entries name a person (registered subject or not).
    links = check_reads.links_of(tx, ids, day)
    naming_of: dict[Key, list[Any]] = {}
    for n in check_reads.organizations_naming(tx, person_keys(keys), day):
        naming_of.setdefault(Key(n.key_type, n.key_number), []).append(n)
    linked_ids = [int(link.other_id) for link in links] + [
        int(n.other_id) for found in naming_of.values() for n in found
    ]
    entries = check_reads.entries_in_force(tx, [*ids, *linked_ids], day)
    records = check_reads.discipline_records(tx, ids, day)
    by_subject: dict[int, list[Any]] = {}
    for e in entries:
        by_subject.setdefault(int(e.subject_id), []).append(e)
    records_of: dict[int, list[Any]] = {}
    for r in records:
        records_of.setdefault(int(r.subject_id), []).append(r)
    links_of: dict[int, list[Any]] = {}
    for link in links:
        links_of.setdefault(int(link.subject_id), []).append(link)
    unit_obligations = obligations.get(unit_id)
    if unit_obligations is None:  # read once, shared by the subjects
        unit_obligations = obligations[unit_id] = Obligations(tx, unit_id, day)
    answers: list[Answer] = []
    registered: list[query_register.Answered] = []
    shown: list[int] = []
    for key in keys:
        row = subjects.get(key)
        sid = int(row.id) if row is not None else None
        key_links = [*links_of.get(sid or 0, ()), *naming_of.get(key, ())]
        if key_links:
            key_links = distinct_links(key_links)
        answer, linked_shown = build_answer(
            unit_obligations, key, row, key_links, now, day, by_subject, records_of
        )
        answers.append(answer)
        registered.append(
            query_register.Answered(
                subject_id=sid,
                what=WHAT,
                purpose=stated,
                object_id=None if row is not None else _key_digest(key),
                returned=returned(answer),
                answer_digest=answer.answer_digest,
            )
        )
        for other, entry_ids in linked_shown.items():
            registered.append(
                query_register.Answered(
                    subject_id=other,
                    what=WHAT_LINKED,
                    purpose=stated,
                    object_id=sid if sid is not None else _key_digest(key),
                    returned={"entries": entry_ids},
                    answer_digest=answer.answer_digest,
                )
            )
            shown.extend(entry_ids)
        shown.extend(e["id"] for e in answer.entries)
    check_ids = query_register.record_answers(tx, ctx, principal, registered)
    # MEA-5: the unit met these entries in force; it is told to stop when they end.
    exposure.record(tx, unit_id, shown, now)
    own = [cid for cid, reg in zip(check_ids, registered, strict=True) if reg.what == WHAT]
    return answers, own
