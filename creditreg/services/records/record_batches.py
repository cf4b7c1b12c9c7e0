"""A batch of credit records as it streams (ING-1, ING-3, PRI-1, PRI-2): each row
validated against the catalog version's template, matched to its subjects by their
official codes, classified (Art 20), and staged in chunks invisible to every reader;
every rejected row reported (`Rejection`), the outcome a `BatchResult`.

`records.submit` opens the batch, feeds it the rows and publishes it in one short
transaction."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from creditreg.domain.errors import (
    Conflict,
    DomainError,
)
from creditreg.domain.kernel.audit import canonical_json
from creditreg.domain.privacy import (
    NEEDS_WRITTEN_CONSENT,
)
from creditreg.domain.records.catalog import InfoKind
from creditreg.domain.records.classification import (
    ReviewPeriods,
    Severity,
    UntrustworthyClass,
    discipline_block,
    display_until,
)
from creditreg.domain.records.template_fields import SubjectRole
from creditreg.domain.records.templates import ORGANIZATION_KINDS, RowProblem, SubjectRef
from creditreg.domain.subjects.identifiers import (
    IdType,
    SubjectKind,
    check_kind_and_identifier,
    parse_identifier,
)
from creditreg.services.context import Context
from creditreg.services.records.catalog import CatalogItem
from creditreg.store import bulk
from creditreg.store.records import queries
from creditreg.store.records.tables import (
    consent,
    record,
    record_stage,
    subject_stage,
)
from creditreg.store.subjects.tables import subject
from creditreg.store.uow import is_busy

CHUNK = 2000
MAX_REPORTED = 1000  # rejected rows reported in full; beyond that, counted


@dataclass(frozen=True)
class Rejection:
    """One rejected row: which row, which field, why (machine code and human message)."""

    row: int
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "code": self.code, "message": self.message}


@dataclass
class BatchResult:
    """What a submission did."""

    batch_id: int | None
    stored: int
    duplicate: bool = False
    rejected: list[Rejection] = field(default_factory=list)
    rejected_count: int = 0
    rows: int = 0
    verify_due: str | None = None
    # ING-3: rows whose natural key a live record (or an earlier row of the batch) holds.
    duplicates: int = 0
    duplicate_rows: list[int] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.rejected_count == 0 and not self.duplicate

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "accepted": self.accepted,
            "duplicate": self.duplicate,
            "rows": self.rows,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "duplicate_rows": self.duplicate_rows,
            "rejected_count": self.rejected_count,
            "rejected": [r.as_dict() for r in self.rejected],
            "verify_due": self.verify_due,
        }


def digest_rows(rows: Iterable[Mapping[str, Any]]) -> str:
    """A content digest for rows given as data (not as a file)."""
    h = hashlib.sha256()
    for r in rows:
        h.update(canonical_json(dict(r)))
        h.update(b"\n")
    return h.hexdigest()


# No decision of a state organ of the People's Republic predates 1949-10-01; none is dated
# after today (a decision date in the future is a typing error).
FIRST_DECISION = "1949-10-01"

# A row waiting for its subject: row number, clean values, who the fields name, and the
# normalised identifier (type, number).
_Pending = tuple[int, dict[str, Any], SubjectRef, IdType, str]

# How long an ingest keeps retrying a chunk the database was too busy to take (a sweep or
# another ingest holding SQLite's write lock), in attempts of the busy timeout each.
BUSY_ATTEMPTS = 30


@dataclass
class _Chunk:
    """What one staged chunk wrote: applied to the batch only once its transaction
    committed (a retried chunk must not count its rows twice)."""

    staged: int = 0
    duplicates: list[int] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


class Batch:
    """The state of one submission while its rows stream through.

    Issue 9: rows are staged chunk by chunk, each chunk in its own short transaction, into
    tables no reader reads; `_publish` makes the batch visible in one transaction."""

    def __init__(
        self,
        ctx: Context,
        item: CatalogItem,
        batch_id: int,
        self_declared: bool,
        verify_due: date,
        procs: list[Any],
    ) -> None:
        self.ctx = ctx
        self.item = item
        self.batch_id = batch_id
        self.self_declared = self_declared
        self.verify_due = verify_due
        self.now = ctx.now()
        self.today = ctx.today()
        self.chunk_rows = max(1, ctx.ingest_chunk_rows)
        self.chunks = 0
        self.pending: list[_Pending] = []
        self.staged = 0
        self.duplicates = 0
        self.duplicate_rows: list[int] = []
        self.rejected: list[Rejection] = []
        self.rejected_count = 0
        self.rows = 0
        self.today_iso = self.today.isoformat()
        self.role_names = {role: spec.name for role, spec in item.template.role_fields.items()}
        self.procs = procs
        # Columns the batch shares, converted once (STAGE_COLUMNS: 0 batch, 6 item,
        # 7 unit, 9 self-declared, 10 character, 11 disclosure).
        self.constant = {
            i: _once(procs[i], v)
            for i, v in (
                (0, batch_id),
                (6, item.id),
                (7, item.providing_unit_id),
                (9, self_declared),
                (10, item.draft.character.value),
                (11, item.draft.disclosure.value),
            )
        }
        # received_at and verify_due (13, 14) are the batch's too.
        self.received_p = _once(procs[13], self.now)
        self.verify_due_p = _once(procs[14], verify_due)
        varying = [1, 2, 3, 4, 5, 8, 12, *range(15, len(queries.STAGE_COLUMNS))]
        self.row_procs = [(i, procs[i]) for i in varying if procs[i]]
        self.allowed_kinds = set(item.draft.subject_kinds)
        self.number_field = _identity_field(item)
        person = item.template.by_role(SubjectRole.ID_NUMBER)
        # The field a rejection about a person's identifier names (an organization's: USCC).
        self.person_field = person.name if person else self.number_field
        self.consent_needed = item.template.consent_categories() & NEEDS_WRITTEN_CONSENT
        self.market = item.draft.info_kind is InfoKind.MARKET
        self.only_subject: int | None = None

    def _field_of(self, id_type: IdType) -> str:
        """The field holding an identifier of `id_type`: the USCC's or the person's."""
        return self.number_field if id_type is IdType.USCC else self.person_field

    def reject(self, row: int, problem: RowProblem | Rejection) -> None:
        self.rejected_count += 1
        if len(self.rejected) < MAX_REPORTED:
            self.rejected.append(Rejection(row, problem.field, problem.code, problem.message))

    def add(self, number: int, raw: Mapping[str, Any]) -> None:
        self.rows += 1
        clean, problems = self.item.template.validate(raw)
        if problems:
            for p in problems:
                self.reject(number, p)
            return
        decided = self.value(clean, SubjectRole.DECISION_DATE)
        if decided and not FIRST_DECISION <= decided <= self.today_iso:
            self.reject(
                number,
                Rejection(
                    number,
                    self.role_names[SubjectRole.DECISION_DATE],
                    "record.decision_date_out_of_range",
                    f"a decision date lies between {FIRST_DECISION} and today "
                    f"({self.today_iso}), not {decided}",
                ),
            )
            return
        try:
            ref = self.item.template.subject_of(clean)
        except DomainError as exc:
            self.reject(number, Rejection(number, self.number_field, exc.code, exc.message))
            return
        try:
            ident = parse_identifier(ref.id_type, ref.id_number, self.today)
            check_kind_and_identifier(ref.kind, ident)
        except DomainError as exc:
            field = self._field_of(ref.id_type)
            self.reject(number, Rejection(number, field, exc.code, exc.message))
            return
        covered = (
            ORGANIZATION_KINDS & self.allowed_kinds if ref.any_organization else {ref.kind.value}
        )
        if not covered & self.allowed_kinds:
            self.reject(
                number,
                Rejection(
                    number,
                    self._field_of(ref.id_type),
                    "record.subject_kind_not_covered",
                    f"this catalog item does not cover {ref.kind.value}",
                ),
            )
            return
        self.pending.append((number, clean, ref, ident.type, ident.number))
        if len(self.pending) >= self.chunk_rows:
            self.flush()

    def flush(self) -> None:
        """Stage the pending rows in a transaction of their own (retried while the database
        is busy), then let a test hook see the committed chunk."""
        if not self.pending:
            return
        chunk, self.pending = self.pending, []
        for attempt in range(1, BUSY_ATTEMPTS + 1):
            try:
                with self.ctx.db.write() as conn:
                    done = self._stage(conn, chunk)
                break
            except (sa.exc.OperationalError, Conflict) as exc:
                # Busy (SQLite's lock) or raced (a subject created at the same time, a
                # deadlock): rolled back whole, so tried again.
                raced = isinstance(exc, Conflict) and exc.code == "db.conflict"
                if not (raced or is_busy(exc)):
                    raise
                if attempt == BUSY_ATTEMPTS or self.ctx.db.in_transaction:
                    raise
                time.sleep(min(0.05 * attempt, 0.5))
        self.staged += done.staged
        self.duplicates += len(done.duplicates)
        room = MAX_REPORTED - len(self.duplicate_rows)
        self.duplicate_rows.extend(done.duplicates[: max(room, 0)])
        for r in done.rejected:
            self.reject(r.row, r)
        self.chunks += 1
        if self.ctx.after_chunk is not None:
            self.ctx.after_chunk(self.batch_id, self.chunks)

    def _stage(self, conn: sa.Connection, chunk: list[_Pending]) -> _Chunk:
        """One chunk: match subjects (staging the unknown ones), skip the rows whose
        natural key is already stored or staged (ING-3), stage the rest. Once a row of the
        batch was rejected nothing more is written; the rows are still checked."""
        if conn.dialect.name == "postgresql":
            # The subject and staging tables grow while their statistics stay as they
            # were, and the planner then scans them for every chunk's lookup (measured:
            # quadratic over a million rows). Every query here is an indexed lookup.
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        done = _Chunk()
        writing = not self.rejected_count
        ids = self._match_subjects(conn, chunk, writing)
        candidates: list[tuple[int, str, int | None, IdType, str, dict[str, Any], SubjectKind]] = []
        for number, clean, ref, id_type, id_number in chunk:
            subject_id, stored_kind = ids[(id_type.value, id_number)]
            if not ref.matches(stored_kind):
                done.rejected.append(
                    Rejection(
                        number,
                        self._field_of(id_type),
                        "subject.kind_mismatch",
                        f"this identifier is registered as a {stored_kind}",
                    )
                )
                continue
            if self.only_subject is not None and subject_id != self.only_subject:
                done.rejected.append(
                    Rejection(
                        number,
                        self._field_of(id_type),
                        "declaration.other_subject",
                        "a subject declares its own information only (ING-6)",
                    )
                )
                continue
            kind = SubjectKind(stored_kind)
            # The person declaring about itself is the consent (Art 45).
            if self.only_subject is None and not self._consented(conn, subject_id, kind):
                done.rejected.append(
                    Rejection(
                        number,
                        self._field_of(id_type),
                        "privacy.no_consent",
                        "this information about a natural person needs the person's recorded "
                        "consent for this unit (Art 45)",
                    )
                )
                continue
            key = self.item.template.natural_key(
                self.item.providing_unit_id, self.item.code, id_type.value, id_number, clean
            )
            candidates.append((number, key, subject_id, id_type, id_number, clean, kind))
        taken = self._keys_taken(conn, [c[1] for c in candidates])
        rows = []
        for number, key, subject_id, id_type, id_number, clean, kind in candidates:
            if key in taken:
                done.duplicates.append(number)
                continue
            taken.add(key)  # a second row with this key in the same chunk is a repeat
            try:
                classified = self.classify(clean, kind)
            except DomainError as exc:
                done.rejected.append(Rejection(number, "", exc.code, exc.message))
                continue
            rows.append(
                self.stage_row(number, subject_id, id_type, id_number, key, clean, classified)
            )
        if writing and not done.rejected and rows:
            queries.stage_records(conn, rows)
            done.staged = len(rows)
        if writing:
            queries.heartbeat(conn, self.batch_id, self.ctx.now())
        return done

    def stage_row(
        self,
        number: int,
        subject_id: int | None,
        id_type: IdType,
        id_number: str,
        key: str,
        clean: dict[str, Any],
        classified: tuple[Any, ...],
    ) -> tuple[Any, ...]:
        """One staged row as the driver takes it: the batch's constant columns were
        converted once; only the row's own values pass through their column's processor."""
        row: list[Any] = [
            None,
            number,
            subject_id,
            id_type.value,
            id_number,
            key,
            None,
            None,
            clean,
            None,
            None,
            None,
            *classified,
        ]
        for i, value in self.constant.items():
            row[i] = value
        for i, proc in self.row_procs:
            if row[i] is not None:
                row[i] = proc(row[i])
        return tuple(row)

    def value(self, clean: Mapping[str, Any], role: SubjectRole) -> Any:
        name = self.role_names.get(role)
        return clean.get(name) if name else None

    def classify(self, clean: Mapping[str, Any], kind: SubjectKind) -> tuple[Any, ...]:
        """ING-4, ING-5, STD-4, DIS-2: the columns from decision_date to display_until."""
        raw_decision = self.value(clean, SubjectRole.DECISION_DATE)
        decision = date.fromisoformat(raw_decision) if raw_decision else None
        untrustworthy = self.item.draft.untrustworthy_class
        serious = self.value(clean, SubjectRole.SERIOUS_CLASS) or self.item.draft.serious_class
        severity = Severity(
            self.value(clean, SubjectRole.SEVERITY) or ("serious" if serious else "general")
        )
        final_on = None
        if untrustworthy == UntrustworthyClass.FINAL_PUNISHMENT and decision is not None:
            final_on = _final_on(self.ctx.review_periods, decision)
        block = discipline_block(
            natural_person=kind is SubjectKind.NATURAL_PERSON,
            simplified_procedure=bool(self.value(clean, SubjectRole.SIMPLIFIED_PROCEDURE)),
            corrected_minor=bool(self.value(clean, SubjectRole.CORRECTED_MINOR)),
            fee_arrears=self.item.draft.fee_arrears,
            arrears_verified=bool(self.value(clean, SubjectRole.ARREARS_VERIFIED)),
        )
        requested = self.value(clean, SubjectRole.PUBLISH_UNTIL)
        until = _display_until(
            self.ctx.disclosure_policy,
            self.item.draft.character,
            decision,
            severity,
            date.fromisoformat(requested) if requested else None,
        )
        return (
            decision,
            self.received_p,
            self.verify_due_p,
            untrustworthy,
            serious,
            severity.value,
            final_on,
            block,
            until,
        )

    def _match_subjects(
        self, conn: sa.Connection, chunk: list[_Pending], writing: bool
    ) -> dict[tuple[str, str], tuple[int | None, str]]:
        """SUB-2: the subject of every row. A registered subject gives its id; one nobody
        registered is staged with the batch (id None) and registered when it publishes."""
        wanted = {(t.value, n): (ref.kind, ref.name) for _, _, ref, t, n in chunk}
        found: dict[tuple[str, str], tuple[int | None, str]] = dict(
            self._lookup(conn, subject, list(wanted))
        )
        missing = [key for key in wanted if key not in found]
        if missing:
            staged = self._lookup(conn, subject_stage, missing)
            found.update({key: (None, kind) for key, (_, kind) in staged.items()})
            new = [key for key in missing if key not in staged]
            if new and writing:
                queries.stage_subjects(
                    conn,
                    [(self.batch_id, wanted[k][0].value, k[0], k[1], wanted[k][1]) for k in new],
                )
            for key in new:
                found[key] = (None, wanted[key][0].value)
        return found

    def _lookup(
        self, conn: sa.Connection, table: sa.Table, keys: list[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[int, str]]:
        # By id_number (its own index), the type checked here: with the subject table
        # growing, PostgreSQL's stale statistics made it use only id_type from the
        # (id_type, id_number) index and filter the whole table (measured: quadratic).
        wanted = set(keys)
        numbers = sorted({number for _, number in keys})
        result: dict[tuple[str, str], tuple[int, str]] = {}
        for part in bulk.chunks(numbers):
            query = sa.select(table.c.id, table.c.kind, table.c.id_type, table.c.id_number).where(
                table.c.id_number.in_(part)
            )
            if table is subject_stage:
                query = query.where(subject_stage.c.batch_id == self.batch_id)
            for row in conn.execute(query):
                key = (row.id_type, row.id_number)
                if key in wanted:
                    result[key] = (row.id, row.kind)
        return result

    def _keys_taken(self, conn: sa.Connection, keys: list[str]) -> set[str]:
        """ING-3: the natural keys a live record holds, or a row staged earlier in this
        batch (a repeat inside one file)."""
        taken: set[str] = set()
        for part in bulk.chunks(sorted(set(keys))):
            taken.update(
                conn.execute(sa.select(record.c.natural_key).where(record.c.natural_key.in_(part)))
                .scalars()
                .all()
            )
            taken.update(
                conn.execute(
                    sa.select(record_stage.c.natural_key).where(
                        record_stage.c.batch_id == self.batch_id,
                        record_stage.c.natural_key.in_(part),
                    )
                )
                .scalars()
                .all()
            )
        return taken

    def _consented(self, conn: sa.Connection, subject_id: int | None, kind: SubjectKind) -> bool:
        """PRI-1, PRI-2: a natural person's consent where the item needs one."""
        if kind is not SubjectKind.NATURAL_PERSON or not (self.consent_needed or self.market):
            return True
        if subject_id is None:
            return False  # nobody registered the person: no consent can have been recorded
        rows = conn.execute(
            sa.select(consent.c.categories, consent.c.written).where(
                consent.c.subject_id == subject_id,
                consent.c.unit_id == self.item.providing_unit_id,
                consent.c.revoked_at.is_(None),
            )
        ).all()
        for granted in rows:
            if {c.value for c in self.consent_needed} <= set(granted.categories) and (
                granted.written or not self.consent_needed
            ):
                return True
        return False


def _once(proc: Any, value: Any) -> Any:
    return proc(value) if proc is not None and value is not None else value


# Pure date rules, memoised: a bulk file repeats its decision dates many times (measured).
_final_on = lru_cache(maxsize=8192)(ReviewPeriods.final_on)
_display_until = lru_cache(maxsize=8192)(display_until)


def _identity_field(item: CatalogItem) -> str:
    spec = item.template.by_role(SubjectRole.USCC) or item.template.by_role(SubjectRole.ID_NUMBER)
    return spec.name if spec else ""
