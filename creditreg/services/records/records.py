"""Submitting credit records: one by one and in batches (ING-1, ING-3, ING-6, PRI-1, PRI-2).

A batch is all-or-nothing and idempotent. Rows are validated against the catalog
version's template and matched to subjects as they stream, and stored in chunks inside
one transaction; if any row is rejected the transaction is rolled back, but validation
goes on so that every rejected row is reported. The rows stream through
`record_batches`; consents are recorded in `consents`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal, UnitKind
from creditreg.domain.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
)
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.kernel.codes import CONTROL_CHARACTERS
from creditreg.domain.kernel.deadlines import RULES
from creditreg.domain.kernel.events import event
from creditreg.domain.records.declarations import DeclarationKind
from creditreg.domain.records.lifecycle import BATCH, BatchStatus
from creditreg.services.context import Context
from creditreg.services.kernel import audit, events
from creditreg.services.kernel import calendar as calendar_service
from creditreg.services.records.catalog import CatalogItem, find
from creditreg.services.records.record_batches import (
    Batch,
    BatchResult,
    Rejection,
)
from creditreg.store import bulk
from creditreg.store.records import queries
from creditreg.store.records.tables import (
    ingest_batch,
    record_stage,
    subject_stage,
)

BATCH_KEY_MAX = 100  # ingest_batch.batch_key


def _check_submitter(principal: Principal, item: CatalogItem, self_declared: bool) -> None:
    if principal.is_subject:
        # ING-6, Art 15: a subject declares its own information, against an item meant for
        # subjects' declarations, and submits nothing else.
        principal.require(Permission.RIGHTS_SELF)
        if not self_declared or not item.draft.for_self_declaration:
            raise Forbidden(
                "declaration.item_not_for_subjects",
                f"catalog item {item.code} is not meant for subjects' own declarations",
            )
        return
    principal.require(Permission.RECORDS_SUBMIT)
    if principal.unit_id == item.providing_unit_id:
        return
    if principal.unit_id is None or principal.unit_kind is UnitKind.PLATFORM_OPERATOR:
        return  # the platform submits on a provider's behalf (CLI imports, declarations)
    raise Forbidden(
        "record.not_item_provider",
        f"catalog item {item.code} is provided by unit {item.providing_unit_id}, not yours",
    )


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
    """ING-1, ING-3: submit rows against a catalog item, all-or-nothing and idempotent.

    Issue 9: the rows are staged in chunks that each commit quickly, invisible to every
    reader, and published in one short transaction; a rejected batch is discarded and a
    crashed one is discarded by the sweep. Rows whose natural key a live record already
    holds are reported as duplicates and skipped; a reused batch id with other content
    is a 409."""
    item = find(ctx, code, version)
    if version is not None and item.status.value == "retired":
        raise Conflict("catalog.version_retired", f"{item.code} version {version} is retired")
    _check_submitter(principal, item, self_declared)
    key = batch_key.strip() if batch_key is not None else None
    # ING-3: a batch id is what makes a resubmission idempotent: one that says nothing (only
    # spaces) is refused, never taken as no id at all.
    if key is not None and (not key or len(key) > BATCH_KEY_MAX or CONTROL_CHARACTERS.search(key)):
        raise InvalidInput(
            "record.bad_batch_id",
            f"a batch id is one line of 1 to {BATCH_KEY_MAX} characters, not only spaces",
        )
    opened = _open(ctx, item, content_digest, key, source, filename)
    if isinstance(opened, BatchResult):
        return opened
    batch_id, verify_due, procs = opened
    batch = Batch(ctx, item, batch_id, self_declared, verify_due, procs)
    # ING-6: a subject's declaration names that subject and no other.
    batch.only_subject = principal.subject_id if principal.is_subject else None
    try:
        for number, raw in enumerate(rows, start=1):
            if isinstance(raw, Rejection):  # the file reader could not read this row
                batch.rows += 1
                batch.reject(number, raw)
                continue
            batch.add(number, raw)
        batch.flush()
        if batch.rows == 0:
            raise InvalidInput("record.empty_batch", "the batch holds no rows")
    except Exception:
        # A reader's or the database's error: nothing of the batch is kept. (A killed
        # process gets here never: its staging rows wait for the sweep.)
        discard(ctx, batch_id)
        raise
    if batch.rejected_count:
        discard(ctx, batch_id)  # all-or-nothing: nothing of a failed batch is kept
        return BatchResult(
            None, 0, rejected=batch.rejected, rejected_count=batch.rejected_count, rows=batch.rows
        )
    result = _publish(ctx, principal, item, batch, content_digest, source, self_declared)
    clean_staging(ctx, batch_id)
    return result


def _open(
    ctx: Context,
    item: CatalogItem,
    content_digest: str,
    key: str | None,
    source: str,
    filename: str | None,
) -> BatchResult | tuple[int, date, list[Any]]:
    """The batch's first short transaction: a repeat is recognised (ING-3), else a staging
    batch is opened with its Art 17 verification date."""
    unit_id = item.providing_unit_id
    stale_before = ctx.now() - timedelta(minutes=ctx.staging_timeout_minutes)
    for _ in range(3):
        with ctx.db.write() as conn:
            earlier = conn.execute(
                sa.select(
                    ingest_batch.c.id,
                    ingest_batch.c.rows,
                    ingest_batch.c.status,
                    ingest_batch.c.heartbeat_at,
                    ingest_batch.c.batch_key,
                    ingest_batch.c.catalog_item_id,
                    ingest_batch.c.content_digest,
                ).where(
                    ingest_batch.c.unit_id == unit_id,
                    sa.or_(
                        ingest_batch.c.batch_key == key if key else sa.false(),
                        (ingest_batch.c.catalog_item_id == item.id)
                        & (ingest_batch.c.content_digest == content_digest),
                    ),
                )
            ).all()
            abandoned = [
                b.id
                for b in earlier
                if b.status == BatchStatus.STAGING
                and (b.heartbeat_at is None or b.heartbeat_at < stale_before)
            ]
            if not abandoned:
                return _opened(ctx, conn, item, earlier, content_digest, key, source, filename)
        for batch_id in abandoned:  # a crashed ingest of the same batch: start afresh
            discard(ctx, batch_id)
    raise Conflict("record.batch_in_progress", "this batch is being stored; retry shortly")


def _opened(
    ctx: Context,
    conn: sa.Connection,
    item: CatalogItem,
    earlier: Sequence[sa.Row[Any, Any, Any, Any, Any, Any, Any]],
    content_digest: str,
    key: str | None,
    source: str,
    filename: str | None,
) -> BatchResult | tuple[int, date, list[Any]]:
    for b in earlier:
        if (
            key
            and b.batch_key == key
            and (b.catalog_item_id != item.id or b.content_digest != content_digest)
        ):
            raise Conflict(
                "record.batch_id_reused",
                f"batch id {key!r} was used for other content (batch {b.id}); "
                "a new batch needs a new id",
                batch_id=b.id,
            )
    for b in earlier:
        if b.status == BatchStatus.STAGING:
            raise Conflict(
                "record.batch_in_progress", f"batch {b.id} is being stored; retry shortly"
            )
    if earlier:
        return BatchResult(earlier[0].id, 0, duplicate=True, rows=earlier[0].rows)
    cal = calendar_service.load(conn)
    # ING-2, CAL-3: verified within 5 working days of receipt (Art 17), one deadline a
    # batch; computed now, registered when the batch publishes.
    due = calendar_service.deadline_values(
        ctx, cal, "ingest_batch", 0, RULES["verification"], ctx.today()
    )["due_date"]
    batch_id = queries.insert_batch(
        conn,
        {
            "unit_id": item.providing_unit_id,
            "catalog_item_id": item.id,
            "batch_key": key,
            "content_digest": content_digest,
            "source": source,
            "filename": filename,
            "rows": 0,
            "received_at": ctx.now(),
            "heartbeat_at": ctx.now(),
            "verify_due": due,
        },
    )
    return batch_id, due, bulk.processors(conn, record_stage, queries.STAGE_COLUMNS)


def _publish(
    ctx: Context,
    principal: Principal,
    item: CatalogItem,
    batch: Batch,
    content_digest: str,
    source: str,
    self_declared: bool,
) -> BatchResult:
    """The one short transaction that makes a staged batch visible, with its deadline, its
    audit event and its domain event (issue 9: the audit chain's lock is held only here)."""
    batch_id = batch.batch_id
    with ctx.db.write() as conn:
        status = conn.execute(
            sa.select(ingest_batch.c.status).where(ingest_batch.c.id == batch_id)
        ).scalar()
        if status is None:  # the sweep took it for abandoned: the caller may resend
            raise Conflict(
                "record.batch_abandoned",
                f"batch {batch_id} was discarded while it was being stored; send it again",
            )
        BATCH.next(status, "publish")
        created, stored = queries.publish_batch(conn, batch_id, ctx.now(), rows=batch.rows)
        # Rows whose key a batch published meanwhile took are duplicates too.
        duplicates = batch.duplicates + (batch.staged - stored)
        queries.set_batch_counts(conn, batch_id, duplicates=duplicates)
        if stored and item.draft.declaration_kind is DeclarationKind.CREDIT_PLEDGE:
            queries.open_pledges(conn, batch_id, ctx.now())  # ING-6: pending until judged
        due = None
        if stored:
            cal = calendar_service.load(conn)
            due = calendar_service.register_deadline(
                conn, ctx, cal, "ingest_batch", batch_id, RULES["verification"], batch.today
            )["due_date"]
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
                "stored": stored,
                "duplicates": duplicates,
                "subjects_created": created,
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
                    providing_unit_id=item.providing_unit_id,
                    catalog_item_id=item.id,
                    catalog=item.code,
                    version=item.version,
                    rows=batch.rows,
                    stored=stored,
                    duplicates=duplicates,
                    verify_due=due.isoformat() if due else None,
                )
            ],
        )
    return BatchResult(
        batch_id,
        stored,
        rows=batch.rows,
        duplicates=duplicates,
        duplicate_rows=batch.duplicate_rows,
        verify_due=due.isoformat() if due else None,
    )


def clean_staging(
    ctx: Context,
    batch_id: int,
    write: Callable[[], AbstractContextManager[sa.Connection]] | None = None,
) -> None:
    """Delete a batch's staging rows, a short transaction at a time (the sweep does it, with
    its own `write` that renews its lease, for a process that stopped before it could)."""
    with ctx.db.read() as conn:
        ranges = queries.staged_ranges(conn, batch_id)
    for table, lo, hi in ranges:
        with (write or ctx.db.write)() as conn:
            queries.delete_staged(conn, batch_id, table, lo, hi)


def discard(ctx: Context, batch_id: int) -> None:
    """A staging batch that will never publish (rejected, failed, abandoned): its staging
    rows, then the batch itself, so that its id and content may be sent again."""
    clean_staging(ctx, batch_id)
    with ctx.db.write() as conn:
        queries.delete_staging_batch(conn, batch_id)


def abandoned_batches(ctx: Context) -> list[int]:
    """Staging batches whose ingest stopped (no heartbeat within the staging timeout), and
    published batches with staging rows left (the process stopped before cleaning)."""
    stale_before = ctx.now() - timedelta(minutes=ctx.staging_timeout_minutes)
    with ctx.db.read() as conn:
        stale = conn.execute(
            sa.select(ingest_batch.c.id).where(
                ingest_batch.c.status == BatchStatus.STAGING,
                sa.or_(
                    ingest_batch.c.heartbeat_at.is_(None),
                    ingest_batch.c.heartbeat_at < stale_before,
                ),
            )
        ).scalars()
        leftovers = conn.execute(
            sa.select(record_stage.c.batch_id)
            .join(ingest_batch, ingest_batch.c.id == record_stage.c.batch_id)
            .where(ingest_batch.c.status == BatchStatus.PUBLISHED)
            .union(
                sa.select(subject_stage.c.batch_id)
                .join(ingest_batch, ingest_batch.c.id == subject_stage.c.batch_id)
                .where(ingest_batch.c.status == BatchStatus.PUBLISHED)
            )
        ).scalars()
        return sorted({*stale, *leftovers})
