"""Migrations from empty to head and back, matching the table definitions, on both databases;
and the copies of the once-migrated templates the other tests run on."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from creditreg.demo import dataset as demo
from creditreg.demo.dataset import demo_uscc
from creditreg.domain.access.principals import SYSTEM
from creditreg.domain.subjects.identifiers import IdType, SubjectKind
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.subjects import subjects
from creditreg.store.engine import make_engine
from creditreg.store.migrate import current_revision, downgrade, head_revision, upgrade
from creditreg.store.schema import metadata
from tests.conftest import DbTarget, audit_key


def test_upgrade_from_empty_to_head_matches_the_tables(db: DbTarget) -> None:
    engine = make_engine(db.url, db.schema)
    try:
        downgrade(engine, "base")
        assert current_revision(engine) is None
        assert "subject" not in sa.inspect(engine).get_table_names()
        upgrade(engine, audit_key=audit_key())
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), metadata
            )
        assert diff == []
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_db: DbTarget) -> None:
    engine = make_engine(sqlite_db.url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            try:
                conn.exec_driver_sql(
                    "INSERT INTO app_user (unit_id, username, display_name, password_hash, roles,"
                    " active, created_at) VALUES (999, 'x', 'x', 'x', '[]', 1, '2026-01-01')"
                )
                raise AssertionError("a user of a missing unit was accepted")
            except sa.exc.IntegrityError:
                pass
    finally:
        engine.dispose()


def test_a_copied_template_is_the_migrated_schema(db: DbTarget) -> None:
    """Tests run on copies of a database migrated once per run: the copy must be the
    migrated schema itself, tables, indexes and constraints (and its triggers: see
    test_audit), at the head revision."""
    engine = make_engine(db.url, db.schema)
    try:
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), metadata
            )
        assert diff == []
    finally:
        engine.dispose()


def test_a_copy_of_the_demo_template_goes_on_where_the_demo_load_stopped(
    ctx: Context, demo_data: None
) -> None:
    """The demo copy holds the demo data, its audit chain verifies, and new rows take the
    next ids (the copy carries the sequences' positions)."""
    assert demo.load(ctx).created is False  # already there
    verified = audit.verify(ctx)
    assert verified.ok and verified.checked > 10
    made = subjects.register(
        ctx,
        SYSTEM,
        kind=SubjectKind.LEGAL_PERSON,
        id_type=IdType.USCC,
        id_number=demo_uscc("91410100MA0000099"),
        name="新登记公司",
    )
    assert made.id == len(demo.DEMO_SUBJECTS) + 1


def test_the_natural_key_migration_marks_existing_duplicates_instead_of_failing__ING_3(
    db: DbTarget, ctx: Context, demo_data: None
) -> None:
    """Issue 9, defect 5: records stored twice before natural keys existed (the same file
    reordered) are kept; the earliest holds the key, the repeat names it; a returned
    record holds no key."""
    from creditreg.services.records import record_batches, records
    from creditreg.store.records.tables import record
    from tests.e2e.api.test_ingest import demo_principal
    from tests.factories import punishment_row

    rows = [punishment_row(i) for i in range(1, 4)]
    records.submit(
        ctx,
        demo_principal(ctx),
        code="XZCF",
        rows=rows,
        content_digest=record_batches.digest_rows(rows),
    )
    engine = make_engine(db.url, db.schema)
    try:
        downgrade(engine, "0010")
        with engine.begin() as conn:  # what the old code let through: the same rows again
            columns = [
                c["name"] for c in sa.inspect(conn).get_columns("record") if c["name"] != "id"
            ]
            listed = ", ".join(columns)
            conn.execute(
                sa.text(f"INSERT INTO record ({listed}) SELECT {listed} FROM record ORDER BY id")
            )
            conn.execute(sa.text("UPDATE record SET status = 'returned' WHERE id = 6"))
        upgrade(engine, audit_key=audit_key())
        with engine.connect() as conn:
            stored = conn.execute(
                sa.select(record.c.id, record.c.natural_key, record.c.duplicate_of).order_by(
                    record.c.id
                )
            ).all()
    finally:
        engine.dispose()
    assert [r.duplicate_of for r in stored] == [None, None, None, 1, 2, None]
    keys = [r.natural_key for r in stored]
    assert all(keys[:3]) and keys[3:] == [None, None, None] and len(set(keys[:3])) == 3
    # The repeat cannot be made again: its key is taken by the earliest record.
    again = records.submit(
        ctx, demo_principal(ctx), code="XZCF", rows=rows[::-1], content_digest="other"
    )
    assert again.stored == 0 and again.duplicates == 3


def test_the_entries_objections_move_into_the_one_objection_lifecycle__OBJ_1(
    db: DbTarget, ctx: Context, clock: Any, demo_data: None
) -> None:
    """Issue 10, part 4: the objections unit operators typed in (entry_objection, the
    objector in free text) move into `objection` as they were; the open one keeps its entry
    suspended and gets its Art 41 deadline from the sweep."""
    from creditreg.services.kernel import sweep
    from creditreg.services.lists import entries, entry_steps, entry_views
    from creditreg.services.rights import objections, objectors
    from tests.lists_world import PERSON, make_world

    w = make_world(ctx, clock)
    w.serious(1)
    persons = [{**PERSON, "id_number": demo.demo_ric("41010519700101123")}]
    eid = entries.propose(
        ctx, w.designator, standard_code="SCJG-HMD", subject_id=w.company(1), facts="x",
        responsible_persons=persons,
    )["id"]  # fmt: skip
    entry_steps.notify(ctx, w.designator, eid)
    engine = make_engine(db.url, db.schema)
    try:
        downgrade(engine, "0016")  # the revision before 0017_objections
        with engine.begin() as conn:  # as the old code stored an objection
            conn.execute(
                sa.text(
                    "UPDATE list_entry SET status = 'objected', suspended_from = 'notified' "
                    "WHERE id = :e"
                ),
                {"e": eid},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO entry_objection (entry_id, objector, grounds, materials, "
                    "received_on, status) VALUES (:e, '郑州示例贸易有限公司1', '处罚已撤销', "
                    "'[\"撤销决定书\"]', '2026-03-02', 'open')"
                ),
                {"e": eid},
            )
        upgrade(engine, audit_key=audit_key())
    finally:
        engine.dispose()
    reader = objectors.reader(SYSTEM)
    [moved] = objections.listing(ctx, reader)
    assert moved["objector_kind"] == "on_record" and moved["objector"] == "郑州示例贸易有限公司1"
    assert moved["status"] == "accepted" and "撤销决定书" in moved["grounds"]
    assert moved["due_date"] is None
    assert entry_views.get(ctx, SYSTEM, eid)["under_objection"] is True
    assert sweep.run(ctx, SYSTEM).count("objection_deadlines_registered") == 1
    [dated] = objections.listing(ctx, reader)
    assert dated["due_date"] == "2026-03-11"  # 7 working days from its receipt (Art 41)


def test_an_id_told_outside_is_never_given_again__SEC_2_SEC_3(
    ctx: Context, demo_data: None
) -> None:
    """A check's register id held by an implementing unit, a notice's printed number: once
    the rows with the highest ids were deleted (the two-year purge, an erasure), SQLite
    gave those ids again. Migration 0029 rebuilt the tables with their rows kept; a
    deleted highest id is not reused, on either database."""
    from creditreg.store.access.query_register import query_register

    engine = ctx.db.engine
    row = {"at": ctx.now(), "actor": "test", "purpose": "check", "what": "check", "object_id": "x"}
    with ctx.db.write() as conn:
        ids = [
            int(conn.execute(query_register.insert().values(**row)).inserted_primary_key[0])
            for _ in range(3)
        ]
        conn.execute(query_register.delete().where(query_register.c.id.in_(ids[1:])))
        again = int(conn.execute(query_register.insert().values(**row)).inserted_primary_key[0])
    assert again > ids[-1]
    if engine.dialect.name == "sqlite":
        # Down and up again with rows in place: every row and reference kept.
        def counts() -> dict[str, int]:
            with engine.connect() as conn:
                return {
                    t: int(conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one())
                    for t in ("query_register", "notification", "subject_notice", "objection")
                }

        before = counts()
        downgrade(engine, "0028")
        upgrade(engine, audit_key=audit_key())
        assert counts() == before and current_revision(engine) == head_revision()
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        with ctx.db.write() as conn:
            later = int(conn.execute(query_register.insert().values(**row)).inserted_primary_key[0])
        assert later > again


def test_key_scrutiny_made_before_0030_gets_its_blacklists_records__ING_7(
    db: DbTarget, ctx: Context, clock: Any, demo_data: None
) -> None:
    """Migration 0030: a key-scrutiny entry that followed a blacklist (origin after_removal)
    named no records; it gets the blacklist's, so that a withdrawal revokes it."""
    from creditreg.services.lists import entries, entry_steps, restoration
    from creditreg.store.lists.tables import list_entry_record
    from tests.lists_world import PERSON, make_world
    from tests.notice_delivery import notify

    w = make_world(ctx, clock)
    [rid] = w.serious(1)
    eid = entries.propose(
        ctx, w.designator, standard_code="SCJG-HMD", subject_id=w.company(1), facts="x",
        terms={"restoration_after_months": 0},
        responsible_persons=[{**PERSON, "id_number": demo.demo_ric("41010519700101123")}],
    )["id"]  # fmt: skip
    notify(ctx, w.designator, eid)
    w.advance(8)
    entry_steps.designate(ctx, w.designator, eid)
    applied = restoration.apply(ctx, SYSTEM, eid, applicant="企业", evidence="已整改")
    restoration.decide(ctx, w.designator, applied["id"], consent=True, note="同意")
    with ctx.db.write() as conn:  # as the code before stored it: no records named
        scrutiny = conn.execute(
            sa.select(sa.text("id")).select_from(sa.text("list_entry"))
            .where(sa.text("origin = 'after_removal'"))
        ).scalar_one()  # fmt: skip
        conn.execute(list_entry_record.delete().where(list_entry_record.c.entry_id == scrutiny))
    engine = make_engine(db.url, db.schema)
    try:
        downgrade(engine, "0029")
        upgrade(engine, audit_key=audit_key())
    finally:
        engine.dispose()
    with ctx.db.read() as conn:
        named = conn.execute(
            sa.select(list_entry_record.c.record_id).where(list_entry_record.c.entry_id == scrutiny)
        ).scalars().all()  # fmt: skip
    assert list(named) == [rid]
    # Had its record been withdrawn meanwhile, the sweep revokes it within the day
    # (ING-7): the withdrawal itself could not, the link being made afterwards.
    from creditreg.domain.access.principals import SYSTEM as system
    from creditreg.services.kernel import sweep
    from creditreg.services.lists import entry_views
    from creditreg.services.records import lifecycle

    with ctx.db.write() as conn:
        conn.execute(list_entry_record.delete().where(list_entry_record.c.entry_id == scrutiny))
    lifecycle.withdraw(ctx, system, rid, "处罚决定经复议撤销")
    assert entry_views.get(ctx, system, scrutiny)["status"] == "designated"
    with ctx.db.write() as conn:
        conn.execute(list_entry_record.insert().values(entry_id=scrutiny, record_id=rid))
    assert sweep.run(ctx, system).count("entries_revoked_basis_withdrawn") == 1
    ended = entry_views.get(ctx, system, scrutiny)
    assert (ended["status"], ended["removal_reason"]) == ("removed", "basis_revoked")
    assert sweep.run(ctx, system).count("entries_revoked_basis_withdrawn") == 0
