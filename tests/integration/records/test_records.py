"""Catalogs and record submission on SQLite and PostgreSQL (CAT-1..4, ING-1..3, ING-6, PRI-1..2)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from creditreg.clock import FixedClock
from creditreg.demo import dataset as demo
from creditreg.demo.catalogs import PUNISHMENT
from creditreg.domain.access.principals import SYSTEM
from creditreg.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from creditreg.domain.privacy import CONSENT_WARNING
from creditreg.services.access import access
from creditreg.services.context import Context
from creditreg.services.records import catalog, consents, record_batches, records, verification
from creditreg.store.records.tables import ingest_batch, record
from creditreg.store.subjects.tables import subject
from tests.factories import person_punishment_row, punishment_row


def count(ctx: Context, table: sa.Table) -> int:
    with ctx.db.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def submit(
    ctx: Context,
    rows: list[dict[str, Any]],
    key: str | None = None,
    who: Any = None,
    code: str = "XZCF",
    **kw: Any,
) -> record_batches.BatchResult:
    return records.submit(
        ctx,
        who or SYSTEM,
        code=code,
        rows=rows,
        content_digest=record_batches.digest_rows(rows),
        batch_key=key,
        **kw,
    )


@pytest.fixture
def loaded(ctx: Context, demo_data: None) -> Context:
    """A database copied from the demo template."""
    return ctx


def provider(ctx: Context) -> Any:
    return access.authenticate(ctx, demo.token_for("provider"))


def test_batch_is_stored_matched_and_given_a_deadline__ING_1_ING_2_CAL_3(loaded: Context) -> None:
    subjects_before = count(loaded, subject)
    result = submit(loaded, [punishment_row(i) for i in range(1, 6)], who=provider(loaded))
    assert result.accepted and result.stored == 5 and result.rows == 5
    # Received Monday 2 March 2026: 5 working days -> Monday 9 March (Art 17).
    assert result.verify_due == "2026-03-09"
    assert count(loaded, subject) == subjects_before + 5
    again = submit(
        loaded, [punishment_row(1, decision_number="郑税罚〔2026〕99号")], who=provider(loaded)
    )
    assert again.accepted and count(loaded, subject) == subjects_before + 5  # matched, not new


def test_same_batch_twice_stores_nothing_new__ING_3(loaded: Context) -> None:
    rows = [punishment_row(i) for i in range(1, 4)]
    first = submit(loaded, rows, key="tax-2026-03-02")
    by_key = submit(loaded, rows, key="tax-2026-03-02")
    by_content = submit(loaded, rows)
    assert by_key.duplicate and by_key.batch_id == first.batch_id and by_key.stored == 0
    assert by_content.duplicate and by_content.batch_id == first.batch_id
    assert count(loaded, record) == 3 and count(loaded, ingest_batch) == 1


def test_a_reused_batch_id_with_other_content_is_a_conflict__ING_3(loaded: Context) -> None:
    """Issue 9, defect 5: the rows of a reused batch id were silently dropped."""
    submit(loaded, [punishment_row(i) for i in range(1, 4)], key="tax-2026-03-02")
    with pytest.raises(Conflict) as err:
        submit(loaded, [punishment_row(9)], key="tax-2026-03-02")
    assert err.value.code == "record.batch_id_reused"
    assert count(loaded, record) == 3 and count(loaded, ingest_batch) == 1


def test_one_bad_row_rejects_the_batch_and_every_bad_row_is_reported__ING_3(
    loaded: Context,
) -> None:
    rows = [punishment_row(i) for i in range(1, 8)]
    rows[2] = punishment_row(3, facts=None)
    rows[5] = punishment_row(6, uscc="91410100MC00000069")
    result = submit(loaded, rows)
    assert not result.accepted and result.batch_id is None and result.stored == 0
    assert [(r.row, r.field, r.code) for r in result.rejected] == [
        (3, "facts", "record.missing_field"),
        (6, "uscc", "subject.invalid_uscc"),
    ]
    assert count(loaded, record) == 0 and count(loaded, ingest_batch) == 0
    assert count(loaded, subject) == len(demo.DEMO_SUBJECTS)


def test_wrong_catalog_code_or_version__CAT_1(loaded: Context) -> None:
    with pytest.raises(NotFound) as err:
        submit(loaded, [punishment_row()], code="NOPE")
    assert err.value.code == "catalog.not_found"
    with pytest.raises(NotFound):
        submit(loaded, [punishment_row()], version=7)


def test_new_version_leaves_old_records_alone__CAT_2(loaded: Context) -> None:
    submit(loaded, [punishment_row(1)])
    v1 = catalog.find(loaded, "XZCF")
    changed = {**PUNISHMENT, "name": "行政处罚信息（2027版）"}
    changed["template"] = [
        {**f, "presence": "required"} if f["name"] == "publish_until" else f
        for f in PUNISHMENT["template"]
    ]
    v2 = catalog.draft_item(loaded, SYSTEM, catalog.parse_draft(changed), v1.providing_unit_id)
    with pytest.raises(Conflict):
        catalog.draft_item(loaded, SYSTEM, catalog.parse_draft(changed), v1.providing_unit_id)
    catalog.approve(loaded, SYSTEM, v2.id)
    assert catalog.find(loaded, "XZCF").version == 2
    with loaded.db.read() as conn:
        [old] = conn.execute(sa.select(record.c.catalog_item_id)).scalars().all()
    assert old == v1.id
    rejected = submit(loaded, [punishment_row(2)])
    assert [r.code for r in rejected.rejected] == ["record.missing_field"]
    retired = catalog.find(loaded, "XZCF", 1)
    assert retired.status.value == "retired"


def test_rights_reducing_item_is_approved_only_after_assessment__CAT_2(loaded: Context) -> None:
    unit_id = catalog.find(loaded, "XZCF").providing_unit_id
    item = catalog.draft_item(
        loaded,
        SYSTEM,
        catalog.parse_draft({**PUNISHMENT, "code": "SXJL", "reduces_rights": True}),
        unit_id,
    )
    with pytest.raises(InvalidInput) as err:
        catalog.approve(loaded, SYSTEM, item.id)
    assert err.value.code == "catalog.needs_expert_assessment"
    catalog.record_assessment(
        loaded,
        SYSTEM,
        item.id,
        expert_assessment="专家组论证通过",
        comment_start=date(2026, 3, 2),
        comment_end=date(2026, 3, 31),
    )
    with pytest.raises(InvalidInput) as err:
        catalog.approve(loaded, SYSTEM, item.id)
    assert err.value.code == "catalog.comment_period_open"
    assert isinstance(loaded.clock, FixedClock)
    loaded.clock.advance(timedelta(days=30))
    assert catalog.approve(loaded, SYSTEM, item.id).status.value == "approved"


def test_market_catalog_is_filed_by_its_market_provider__CAT_4(loaded: Context) -> None:
    from creditreg.demo.dataset import demo_uscc
    from creditreg.domain.access.principals import Level, UnitKind
    from creditreg.domain.kernel.actor import Permission

    cse = access.create_unit(
        loaded,
        SYSTEM,
        name="示例信用服务机构",
        uscc=demo_uscc("91410100MA0000555"),
        kind=UnitKind.CREDIT_SERVICE_ESTABLISHMENT,
        region="410100",
        level=Level.MUNICIPAL,
    )["id"]
    token = access.create_token(
        loaded,
        SYSTEM,
        unit_id=cse,
        name="cse",
        scopes=[Permission.CATALOG_FILE, Permission.RECORDS_SUBMIT],
    )
    who = access.authenticate(loaded, token.token)
    market = {
        **PUNISHMENT,
        "code": "SCXY01",
        "info_kind": "market_credit_info",
        "character": "neutral",
        "disclosure": "authorized_inquiry",
    }
    filed = catalog.draft_item(loaded, who, catalog.parse_draft(market), cse)
    assert filed.draft.info_kind.value == "market_credit_info"
    with pytest.raises(Forbidden):
        catalog.draft_item(
            loaded,
            who,
            catalog.parse_draft({**market, "code": "SCXY02"}),
            filed.providing_unit_id + 100,
        )
    with pytest.raises(Forbidden):
        catalog.draft_item(loaded, who, catalog.parse_draft({**PUNISHMENT, "code": "GGXY"}), cse)
    with pytest.raises(InvalidInput) as err:
        catalog.draft_item(loaded, SYSTEM, catalog.parse_draft({**PUNISHMENT, "code": "GGXY"}), cse)
    assert err.value.code == "catalog.wrong_provider"
    catalog.approve(loaded, SYSTEM, filed.id)
    # PRI-1: market information about a natural person needs a consent with its use.
    refused = submit(loaded, [person_punishment_row()], code="SCXY01", who=who)
    assert [r.code for r in refused.rejected] == ["privacy.no_consent"]


def test_only_the_items_provider_submits__ING_1(loaded: Context) -> None:
    from creditreg.domain.kernel.actor import Permission

    implementer = access.authenticate(loaded, demo.token_for("designator"))
    assert Permission.RECORDS_SUBMIT not in implementer.permissions
    with pytest.raises(Forbidden):
        submit(loaded, [punishment_row()], who=implementer)


def test_self_declared_information_is_marked__ING_6(loaded: Context) -> None:
    result = submit(loaded, [punishment_row(1)], self_declared=True)
    with loaded.db.read() as conn:
        assert conn.execute(sa.select(record.c.self_declared)).scalar_one() is True
    assert result.accepted


def test_returned_record_notifies_the_provider_and_overdue_is_listed__ING_2(
    loaded: Context,
) -> None:
    submit(loaded, [punishment_row(1), punishment_row(2)], who=provider(loaded))
    pending = verification.pending(loaded, SYSTEM)
    assert len(pending) == 2 and all(not p["overdue"] for p in pending)
    assert isinstance(loaded.clock, FixedClock)
    loaded.clock.advance(timedelta(days=8))  # Tuesday 10 March: the 9 March deadline passed
    assert len(verification.pending(loaded, SYSTEM, overdue_only=True)) == 2
    first, second = (p["id"] for p in pending)
    verification.verify(loaded, SYSTEM, first, passed=True, reasons=[])
    with pytest.raises(InvalidInput):
        verification.verify(loaded, SYSTEM, second, passed=False, reasons=[])
    returned = verification.verify(
        loaded, SYSTEM, second, passed=False, reasons=["处罚决定书文号与原件不符"]
    )
    assert returned["status"] == "returned"
    with pytest.raises(Conflict):
        verification.verify(loaded, SYSTEM, second, passed=True, reasons=[])
    who = provider(loaded)
    [note] = verification.inbox(loaded, who)
    assert note["object_id"] == str(second) and "处罚决定书文号与原件不符" in note["message"]
    verification.mark(loaded, who, note["id"], acknowledge=True)
    assert verification.inbox(loaded, who) == []
    assert len(verification.inbox(loaded, who, include_acknowledged=True)) == 1
    assert verification.pending(loaded, SYSTEM, overdue_only=True) == []


def test_consent_categories_need_written_consent__PRI_2(loaded: Context) -> None:
    unit_id = catalog.find(loaded, "XZCF").providing_unit_id
    fields = [f for f in PUNISHMENT["template"]] + [
        {
            "name": "annual_income",
            "label": "年收入（万元）",
            "type": "decimal",
            "category": "income",
        }
    ]
    item = catalog.draft_item(
        loaded,
        SYSTEM,
        catalog.parse_draft({**PUNISHMENT, "code": "SRXX", "template": fields}),
        unit_id,
    )
    catalog.approve(loaded, SYSTEM, item.id)
    row = person_punishment_row(annual_income="12.5")
    assert [r.code for r in submit(loaded, [row], code="SRXX").rejected] == ["privacy.no_consent"]
    person = submit(loaded, [person_punishment_row()])  # registers the person via XZCF
    assert person.accepted
    with loaded.db.read() as conn:
        person_id = conn.execute(
            sa.select(subject.c.id).where(
                subject.c.kind == "natural_person", subject.c.name == "李示例"
            )
        ).scalar_one()
    with pytest.raises(InvalidInput) as err:
        consents.record_consent(
            loaded,
            SYSTEM,
            subject_id=person_id,
            unit_id=unit_id,
            categories=["income"],
            purpose="信用评价",
            written=True,
            warning_shown="",
            granted_on=date(2026, 3, 1),
        )
    assert err.value.code == "privacy.needs_written_consent"
    with pytest.raises(InvalidInput) as err:
        consents.record_consent(
            loaded,
            SYSTEM,
            subject_id=person_id,
            unit_id=unit_id,
            categories=["blood_type"],
            purpose="x",
            written=True,
            warning_shown=CONSENT_WARNING,
            granted_on=date(2026, 3, 1),
        )
    assert err.value.code == "privacy.forbidden_category"
    consents.record_consent(
        loaded,
        SYSTEM,
        subject_id=person_id,
        unit_id=unit_id,
        categories=["income"],
        purpose="信用评价",
        written=True,
        warning_shown=CONSENT_WARNING,
        granted_on=date(2026, 3, 1),
    )
    assert submit(loaded, [row], code="SRXX").accepted


def test_nothing_beyond_the_approved_template_is_recorded__PRI_3(loaded: Context) -> None:
    """Art 46: what a record may hold is its approved template; anything else is refused."""
    row = punishment_row(1, spouse_name="某某", home_address="某市某路1号")
    result = submit(loaded, [row])
    assert not result.accepted
    assert {(r.field, r.code) for r in result.rejected} == {
        ("spouse_name", "record.unknown_field"),
        ("home_address", "record.unknown_field"),
    }
    assert count(loaded, record) == 0
