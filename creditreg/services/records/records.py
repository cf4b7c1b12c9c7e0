"""Submitting credit records: one by one and in batches (ING-1, ING-3, ING-6, PRI-1, PRI-2).

A batch is all-or-nothing and idempotent. Rows are validated against the catalog
version's template and matched to subjects as they stream, and stored in chunks inside
one transaction; if any row is rejected the transaction is rolled back, but validation
goes on so that every rejected row is reported.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal, UnitKind
from creditreg.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    parse_enum,
)
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.kernel.audit import canonical_json
from creditreg.domain.kernel.deadlines import RULES
from creditreg.domain.kernel.events import event
from creditreg.domain.privacy import (
    CONSENT_WARNING,
    FORBIDDEN,
    NEEDS_WRITTEN_CONSENT,
    DataCategory,
)
from creditreg.domain.records.catalog import (
    ORGANIZATION_KINDS,
    InfoKind,
    RowProblem,
    SubjectRef,
    SubjectRole,
)
from creditreg.domain.records.classification import (
    ReviewPeriods,
    Severity,
    UntrustworthyClass,
    discipline_block,
    display_until,
)
from creditreg.domain.records.lifecycle import RecordStatus
from creditreg.domain.subjects.identifiers import (
    IdType,
    SubjectKind,
    check_kind_and_identifier,
    parse_identifier,
)
from creditreg.services.context import Context
from creditreg.services.kernel import audit, events
from creditreg.services.kernel import calendar as calendar_service
from creditreg.services.records.catalog import CatalogItem, find
from creditreg.store import bulk
from creditreg.store.access.tables import unit
from creditreg.store.records import queries
from creditreg.store.records.tables import consent, ingest_batch, record
from creditreg.store.subjects.tables import subject

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


_SUBJECT_COLUMNS = ("kind", "id_type", "id_number", "name", "created_at", "updated_at")


def _check_submitter(conn: sa.Connection, principal: Principal, item: CatalogItem) -> None:
    principal.require(Permission.RECORDS_SUBMIT)
    if principal.unit_id == item.providing_unit_id:
        return
    if principal.unit_id is None or principal.unit_kind is UnitKind.PLATFORM_OPERATOR:
        return  # the platform submits on a provider's behalf (CLI imports, declarations)
    raise Forbidden(
        "records.not_item_provider",
        f"catalog item {item.code} is provided by unit {item.providing_unit_id}, not yours",
    )


# No decision of a state organ of the People's Republic predates 1949-10-01; none is dated
# after today (a decision date in the future is a typing error).
FIRST_DECISION = "1949-10-01"

# A row waiting for its subject: row number, clean values, who the fields name, and the
# normalised identifier (type, number).
_Pending = tuple[int, dict[str, Any], SubjectRef, IdType, str]


class _Batch:
    """The state of one submission while its rows stream through."""

    def __init__(
        self,
        conn: sa.Connection,
        ctx: Context,
        item: CatalogItem,
        batch_id: int,
        self_declared: bool,
        verify_due: date,
    ) -> None:
        self.conn = conn
        self.ctx = ctx
        self.item = item
        self.batch_id = batch_id
        self.self_declared = self_declared
        self.verify_due = verify_due
        self.now = ctx.now()
        self.today = ctx.today()
        self.pending: list[_Pending] = []
        self.stored = 0
        self.rejected: list[Rejection] = []
        self.rejected_count = 0
        self.rows = 0
        self.record_sql = queries.record_insert_sql(conn)
        self.record_procs = bulk.processors(conn, record, queries.RECORD_COLUMNS)
        self.today_iso = self.today.isoformat()
        self.role_names = {role: spec.name for role, spec in item.template.role_fields.items()}
        # Columns 0-3 and 5-8 are the same on every row; 4 (data) and 9 on are the row's.
        self.constant_head = [
            _once(self.record_procs[i], v)
            for i, v in enumerate((item.id, None, item.providing_unit_id, batch_id))
        ]
        self.constant_middle = [
            _once(self.record_procs[5 + i], v)
            for i, v in enumerate(
                (
                    self_declared,
                    RecordStatus.RECEIVED,
                    item.draft.character.value,
                    item.draft.disclosure.value,
                )
            )
        ]
        # received_at and verify_due (10, 11) are the batch's too: converted here once.
        self.received_p = _once(self.record_procs[10], self.now)
        self.verify_due_p = _once(self.record_procs[11], verify_due)
        varying = [4, 9, *range(12, len(queries.RECORD_COLUMNS))]
        self.row_procs = [(i, self.record_procs[i]) for i in varying if self.record_procs[i]]
        self.subject_sql = bulk.insert_sql(conn, subject, _SUBJECT_COLUMNS)
        self.subject_procs = bulk.processors(conn, subject, _SUBJECT_COLUMNS)
        # created_at, updated_at of new subjects, converted once (the other columns are text).
        self.subject_times = tuple(_once(p, self.now) for p in self.subject_procs[4:])
        self.allowed_kinds = set(item.draft.subject_kinds)
        self.number_field = _identity_field(item)
        self.consent_needed = item.template.consent_categories() & NEEDS_WRITTEN_CONSENT
        self.market = item.draft.info_kind is InfoKind.MARKET

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
            ident = parse_identifier(ref.id_type, ref.id_number, self.today)
            check_kind_and_identifier(ref.kind, ident)
        except DomainError as exc:
            self.reject(number, Rejection(number, self.number_field, exc.code, exc.message))
            return
        covered = (
            ORGANIZATION_KINDS & self.allowed_kinds if ref.any_organization else {ref.kind.value}
        )
        if not covered & self.allowed_kinds:
            self.reject(
                number,
                Rejection(
                    number,
                    self.number_field,
                    "record.subject_kind_not_covered",
                    f"this catalog item does not cover {ref.kind.value}",
                ),
            )
            return
        self.pending.append((number, clean, ref, ident.type, ident.number))
        if len(self.pending) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        chunk, self.pending = self.pending, []
        ids = self._match_subjects(chunk)
        rows = []
        for number, clean, ref, id_type, id_number in chunk:
            subject_id, stored_kind = ids[(id_type.value, id_number)]
            kind = SubjectKind(stored_kind)
            if not ref.matches(stored_kind):
                self.reject(
                    number,
                    Rejection(
                        number,
                        self.number_field,
                        "subject.kind_mismatch",
                        f"{id_number} is registered as a {stored_kind}",
                    ),
                )
                continue
            if not self._consented(subject_id, kind):
                self.reject(
                    number,
                    Rejection(
                        number,
                        self.number_field,
                        "privacy.no_consent",
                        "this information about a natural person needs the person's recorded "
                        "consent for this unit (Art 45)",
                    ),
                )
                continue
            try:
                classified = self.classify(clean, kind)
            except DomainError as exc:
                self.reject(number, Rejection(number, "", exc.code, exc.message))
                continue
            rows.append(self.record_row(subject_id, clean, classified))
        if self.rejected_count:
            return  # the batch will be rolled back: keep validating, stop writing
        queries.insert_records(self.conn, self.record_sql, rows)
        self.stored += len(rows)

    def record_row(
        self, subject_id: int, clean: dict[str, Any], classified: tuple[Any, ...]
    ) -> tuple[Any, ...]:
        """One record as the driver takes it: the batch's constant columns were converted
        once; only the row's own values pass through their column's processor."""
        row = [*self.constant_head, clean, *self.constant_middle, *classified]
        row[1] = subject_id
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

    def _match_subjects(self, chunk: list[_Pending]) -> dict[tuple[str, str], tuple[int, str]]:
        """SUB-2: the subject of every row, creating the ones not yet known."""
        wanted = {(t.value, n): (ref.kind, ref.name) for _, _, ref, t, n in chunk}
        found = self._lookup(list(wanted))
        missing = [key for key in wanted if key not in found]
        if missing and not self.rejected_count:
            bulk.executemany(
                self.conn,
                self.subject_sql,
                [
                    (wanted[key][0].value, key[0], key[1], wanted[key][1], *self.subject_times)
                    for key in missing
                ],
            )
            found.update(self._lookup(missing))
        for key in missing:  # a rolled-back batch: give them placeholders, nothing is stored
            found.setdefault(key, (0, wanted[key][0].value))
        return found

    def _lookup(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, str]]:
        # By id_number alone (its own index), the type checked here: with the subject
        # table growing inside this transaction, PostgreSQL's stale statistics made it
        # use only id_type from the (id_type, id_number) index and filter the whole
        # table for every chunk (measured: quadratic).
        wanted = set(keys)
        numbers = sorted({number for _, number in keys})
        result: dict[tuple[str, str], tuple[int, str]] = {}
        for start in range(0, len(numbers), 500):
            for row in self.conn.execute(
                sa.select(
                    subject.c.id, subject.c.kind, subject.c.id_type, subject.c.id_number
                ).where(subject.c.id_number.in_(numbers[start : start + 500]))
            ):
                key = (row.id_type, row.id_number)
                if key in wanted:
                    result[key] = (row.id, row.kind)
        return result

    def _consented(self, subject_id: int, kind: SubjectKind) -> bool:
        """PRI-1, PRI-2: a natural person's consent where the item needs one."""
        if kind is not SubjectKind.NATURAL_PERSON or not (self.consent_needed or self.market):
            return True
        if subject_id == 0:
            return False
        rows = self.conn.execute(
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


def submit(
    ctx: Context,
    principal: Principal,
    *,
    code: str,
    rows: Iterable[Mapping[str, Any] | Rejection],
    content_digest: str,
    version: int | None = None,
    batch_key: str | None = None,
    source: str = "api",
    filename: str | None = None,
    self_declared: bool = False,
) -> BatchResult:
    """ING-1, ING-3: submit rows against a catalog item, all-or-nothing and idempotent."""
    item = find(ctx, code, version)
    if version is not None and item.status.value == "retired":
        raise Conflict("catalog.version_retired", f"{item.code} version {version} is retired")
    key = batch_key.strip() if batch_key else None
    try:
        return _submit(
            ctx, principal, item, rows, content_digest, key, source, filename, self_declared
        )
    except _Rejected as failed:
        batch = failed.batch
        return BatchResult(
            None, 0, rejected=batch.rejected, rejected_count=batch.rejected_count, rows=batch.rows
        )


class _Rejected(Exception):
    """Raised inside the batch's savepoint so that everything it wrote is rolled back."""

    def __init__(self, batch: _Batch) -> None:
        self.batch = batch


def _submit(
    ctx: Context,
    principal: Principal,
    item: CatalogItem,
    rows: Iterable[Mapping[str, Any] | Rejection],
    content_digest: str,
    key: str | None,
    source: str,
    filename: str | None,
    self_declared: bool,
) -> BatchResult:
    # A savepoint, so that a rejected batch undoes exactly its own writes even inside a
    # caller's transaction.
    with ctx.db.write() as conn, conn.begin_nested():
        _check_submitter(conn, principal, item)
        if conn.dialect.name == "postgresql":
            # Inside this transaction the subject table grows while its statistics stay
            # as they were, and the planner then scans it for every chunk's lookup
            # (measured: 0.4 s a lookup, quadratic over a million rows). Every query of a
            # batch is an indexed lookup or an insert, so scans are switched off for it.
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        unit_id = item.providing_unit_id
        earlier = conn.execute(
            sa.select(ingest_batch.c.id, ingest_batch.c.rows).where(
                ingest_batch.c.unit_id == unit_id,
                sa.or_(
                    ingest_batch.c.batch_key == key if key else sa.false(),
                    (ingest_batch.c.catalog_item_id == item.id)
                    & (ingest_batch.c.content_digest == content_digest),
                ),
            )
        ).first()
        if earlier is not None:
            return BatchResult(earlier.id, 0, duplicate=True, rows=earlier.rows)
        cal = calendar_service.load(conn)
        batch_id = conn.execute(
            ingest_batch.insert()
            .values(
                unit_id=unit_id,
                catalog_item_id=item.id,
                batch_key=key,
                content_digest=content_digest,
                source=source,
                filename=filename,
                rows=0,
                received_at=ctx.now(),
            )
            .returning(ingest_batch.c.id)
        ).scalar_one()
        # ING-2, CAL-3: verified within 5 working days of receipt (Art 17), one deadline a batch.
        deadline = calendar_service.register_deadline(
            conn, ctx, cal, "ingest_batch", batch_id, RULES["verification"], ctx.today()
        )
        batch = _Batch(conn, ctx, item, batch_id, self_declared, deadline["due_date"])
        for number, raw in enumerate(rows, start=1):
            if isinstance(raw, Rejection):  # the file reader could not read this row
                batch.rows += 1
                batch.reject(number, raw)
                continue
            batch.add(number, raw)
        batch.flush()
        if batch.rows == 0:
            raise InvalidInput("records.empty_batch", "the batch holds no rows")
        if batch.rejected_count:
            raise _Rejected(batch)  # all-or-nothing: nothing of a failed batch is kept
        conn.execute(
            ingest_batch.update().where(ingest_batch.c.id == batch_id).values(rows=batch.rows)
        )
        audit.record(
            conn,
            ctx,
            principal,
            "records.submit",
            "ingest_batch",
            batch_id,
            detail={
                "catalog": item.code,
                "version": item.version,
                "rows": batch.rows,
                "digest": content_digest,
                "source": source,
                "self_declared": self_declared,
            },
        )
        # One event a batch, not a row (issue 8): consumers read the batch's records.
        events.emit(
            conn,
            ctx,
            [
                event(
                    "ingest_batch.received",
                    "ingest_batch",
                    batch_id,
                    batch_id=batch_id,
                    providing_unit_id=unit_id,
                    catalog_item_id=item.id,
                    catalog=item.code,
                    version=item.version,
                    rows=batch.rows,
                    stored=batch.stored,
                    verify_due=deadline["due_date"].isoformat(),
                )
            ],
        )
    return BatchResult(
        batch_id, batch.stored, rows=batch.rows, verify_due=deadline["due_date"].isoformat()
    )


def record_consent(
    ctx: Context,
    principal: Principal,
    *,
    subject_id: int,
    unit_id: int,
    categories: Iterable[str],
    purpose: str,
    written: bool,
    warning_shown: str,
    granted_on: date,
) -> int:
    """PRI-1, PRI-2: record a person's consent, with the agreed use and the warning shown.
    A unit records consents given to itself only (Art 45): one recorded for another unit
    would unlock that unit's submissions; the refused attempt is audited."""
    principal.require(Permission.RECORDS_SUBMIT)
    if principal.unit_id is not None and unit_id != principal.unit_id:
        audit.refused(
            ctx,
            principal,
            "consent.record",
            "consent",
            "*",
            code="privacy.consent_for_another_unit",
            detail={"for_unit": unit_id, "subject_id": subject_id},
        )
        raise Forbidden(
            "privacy.consent_for_another_unit",
            f"a unit records the consents given to itself: unit {principal.unit_id}, "
            f"not {unit_id} (Art 45)",
        )
    cats = [parse_enum(DataCategory, c, "privacy.bad_category") for c in categories]
    if any(c in FORBIDDEN for c in cats):
        raise InvalidInput(
            "privacy.forbidden_category", "no consent makes these collectable (Art 45)"
        )
    if not purpose.strip():
        raise InvalidInput("privacy.no_purpose", "a consent names the use agreed (Art 45)")
    if granted_on > ctx.today():
        raise InvalidInput(
            "privacy.consent_in_future",
            f"a consent is recorded once given: {granted_on} is after today ({ctx.today()})",
        )
    if cats and (not written or warning_shown.strip() != CONSENT_WARNING):
        raise InvalidInput(
            "privacy.needs_written_consent",
            "these categories need written consent after the standard warning (Art 45)",
        )
    with ctx.db.write() as conn:
        person = conn.execute(sa.select(subject.c.kind).where(subject.c.id == subject_id)).first()
        if person is None:
            raise NotFound("subject.not_found", f"no subject {subject_id}")
        if person.kind != SubjectKind.NATURAL_PERSON.value:
            raise InvalidInput("privacy.not_a_person", "consent is recorded for a natural person")
        if conn.execute(sa.select(unit.c.id).where(unit.c.id == unit_id)).first() is None:
            raise InvalidInput("unit.not_found", f"no unit {unit_id}")
        values = {
            "subject_id": subject_id,
            "unit_id": unit_id,
            "categories": sorted(c.value for c in cats),
            "purpose": purpose.strip(),
            "written": written,
            "warning_shown": warning_shown,
            "granted_on": granted_on,
        }
        consent_id = conn.execute(
            consent.insert().values(**values, created_at=ctx.now()).returning(consent.c.id)
        ).scalar_one()
        audit.record(conn, ctx, principal, "consent.record", "consent", consent_id, after=values)
    return int(consent_id)
