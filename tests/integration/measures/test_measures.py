"""The catalog of measures, standards naming it, memoranda, and what the check will ask
(issue 11, parts 1 and 2; MEA-1, MEA-2, MEA-6, MEA-7), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from creditreg.clock import FixedClock
from creditreg.demo.catalogs import STANDARDS
from creditreg.demo.dataset import demo_ric
from creditreg.domain.access.principals import SYSTEM
from creditreg.domain.errors import DomainError, Forbidden
from creditreg.domain.lists.standards import draft_from_dict
from creditreg.domain.measures.catalog import measure_from_dict
from creditreg.domain.measures.memoranda import memorandum_from_dict
from creditreg.domain.records.severity import SeverityLevel
from creditreg.services.context import Context
from creditreg.services.kernel import sweep
from creditreg.services.lists import entries, entry_steps, entry_views, standards
from creditreg.services.measures import catalog, memoranda
from creditreg.store.engine import make_engine
from creditreg.store.lists.tables import list_notice
from creditreg.store.measures.obligations import TriggerFact, green_channel, measures_due
from creditreg.store.measures.tables import measure_move
from creditreg.store.migrate import downgrade, upgrade
from tests.conftest import T0, DbTarget, audit_key
from tests.lists_world import PERSON, World, make_world

BLACK, RED = STANDARDS
IMPLEMENTER, DESIGNATOR_UNIT = 4, 2
PERSONS = [{**PERSON, "id_number": demo_ric("41010519700101123")}]
G, S, E = SeverityLevel.GENERAL, SeverityLevel.SERIOUS, SeverityLevel.ESPECIALLY_SERIOUS


@pytest.fixture
def world(ctx: Context, clock: FixedClock, demo_data: None) -> World:
    return make_world(ctx, clock)


def code_of(action: Any) -> str:
    with pytest.raises(DomainError) as raised:
        action()
    return raised.value.code


def test_the_catalog_is_installed_with_articles_30_32_34__MEA_1(ctx: Context) -> None:
    """Art 29: a production install is never empty: the regulations' measures are there."""
    codes = [m["code"] for m in catalog.listing(ctx)]
    assert codes == (
        [f"ART30-{i}" for i in range(1, 9)]
        + [f"ART32-{i}" for i in range(1, 8)]
        + [f"ART34-{i}" for i in range(1, 10)]
    )
    art34 = catalog.get(ctx, "art34-1")
    assert art34["trigger"] == "blacklist" and art34["min_severity"] == "serious"
    assert "政府采购" in art34["content"] and "government purchasing" in art34["content_en"]
    assert "第三十四条第一项" in art34["legal_basis"]
    assert catalog.get(ctx, "ART32-1")["trigger"] == "untrustworthy_record"
    assert {m["code"] for m in catalog.listing(ctx) if m["facilitation"]} == {"ART30-1", "ART30-5"}
    assert code_of(lambda: catalog.get(ctx, "ART99-1")) == "measure.not_found"


def test_a_measure_is_added_updated_and_withdrawn_by_the_platform_only__MEA_1(
    world: World,
) -> None:
    ctx = world.ctx
    raw = {
        "code": "LOCAL-1",
        "kind": "punishment",
        "trigger": "blacklist",
        "content": "限制申请省级财政性资金项目",
        "legal_basis": "《社会信用条例》第三十四条第七项",
        "units": [IMPLEMENTER],
    }
    made = catalog.create(ctx, SYSTEM, measure_from_dict(raw))
    assert made["units"] == [IMPLEMENTER] and made["status"] == "active"
    with pytest.raises(Forbidden):
        catalog.create(ctx, world.designator, measure_from_dict({**raw, "code": "LOCAL-2"}))
    assert code_of(lambda: catalog.create(ctx, SYSTEM, measure_from_dict(raw))) == (
        "measure.code_taken"
    )
    not_implementing = {**raw, "code": "LOCAL-3", "units": [DESIGNATOR_UNIT]}
    assert code_of(
        lambda: catalog.create(ctx, SYSTEM, measure_from_dict(not_implementing))
    ) == "measure.not_implementing_unit"  # fmt: skip
    changed = catalog.update(ctx, SYSTEM, "LOCAL-1", {"content_en": "No provincial funds"})
    assert changed["content_en"] == "No provincial funds" and changed["units"] == [IMPLEMENTER]
    assert code_of(lambda: catalog.update(ctx, SYSTEM, "LOCAL-1", {"kind": "incentive"})) == (
        "measure.bad_input"
    )
    assert code_of(lambda: catalog.withdraw(ctx, SYSTEM, "LOCAL-1", " ")) == "measure.no_reason"
    assert catalog.withdraw(ctx, SYSTEM, "LOCAL-1", "重复")["status"] == "withdrawn"
    assert code_of(lambda: catalog.withdraw(ctx, SYSTEM, "LOCAL-1", "再次")) == (
        "measure.illegal_transition"
    )
    with ctx.db.read() as conn:
        moves = conn.execute(
            sa.select(measure_move.c.action, measure_move.c.to_status).order_by(measure_move.c.id)
        ).all()
    assert [tuple(m) for m in moves[-2:]] == [("create", "active"), ("withdraw", "withdrawn")]


def test_a_standard_names_catalog_measures_fitting_its_list_and_severity__MEA_1_MEA_6(
    world: World,
) -> None:
    """Art 31: a standard may not name a measure graver than its own severity, or one that
    does not answer its list, or one the catalog does not hold (or has withdrawn)."""
    ctx, who = world.ctx, world.designator
    shown = standards.get(ctx, "SCJG-HMD")
    assert shown["severity"] == "serious" and shown["measures"] == ["ART34-1", "ART34-4"]
    assert standards.get(ctx, "SCJG-HONG")["severity"] == "general"

    def publish(**change: Any) -> Any:
        return standards.publish(ctx, who, draft_from_dict({**BLACK, "code": "X-HMD", **change}))

    assert code_of(lambda: publish(measures=["NOPE-1"])) == "standard.unknown_measure"
    assert code_of(lambda: publish(measures=["ART30-1"])) == "standard.measure_wrong_list"
    assert code_of(lambda: publish(severity="general")) == "standard.measure_beyond_severity"
    general = {**RED, "code": "X-HONG", "measures": ["ART34-1"]}
    assert code_of(lambda: standards.publish(ctx, who, draft_from_dict(general))) == (
        "standard.measure_wrong_list"
    )
    catalog.withdraw(ctx, SYSTEM, "ART34-9", "并入其他项")
    assert code_of(lambda: publish(measures=["ART34-9"])) == "standard.unknown_measure"
    # A general blacklist standard with the Art 32 measures only is fine.
    published, _ = publish(severity="general", measures=["ART32-2"])
    assert published.as_dict()["severity"] == "general"


def test_an_entry_copies_its_standard_s_severity_and_the_notice_quotes_the_texts__MEA_6(
    world: World,
) -> None:
    """Art 28: the written notice names the punishment measures, as texts."""
    w = world
    w.serious(1)
    made = entries.propose(
        w.ctx, w.designator, standard_code="SCJG-HMD", subject_id=w.company(1), facts="销售假药",
        responsible_persons=PERSONS,
    )  # fmt: skip
    assert made["severity"] == "serious"
    assert made["measures"][0].startswith("限制参与政府采购")
    entry_steps.notify(w.ctx, w.designator, made["id"])
    with w.ctx.db.read() as conn:
        content = conn.execute(
            sa.select(list_notice.c.content).where(
                list_notice.c.entry_id == made["id"], list_notice.c.kind == "written_notice"
            )
        ).scalar_one()
    assert content["measures"] == made["measures"] and "限制高消费" in content["measures"]
    # The designating unit may name other catalog measures, checked the same way.
    w.serious(2)
    other = entries.propose(
        w.ctx, w.designator, standard_code="SCJG-HMD", subject_id=w.company(2), facts="x",
        terms={"measures": ["art32-5"]}, responsible_persons=PERSONS,
    )  # fmt: skip
    assert other["measures"] == [catalog.get(w.ctx, "ART32-5")["content"]]
    w.serious(3)
    assert code_of(
        lambda: entries.propose(
            w.ctx, w.designator, standard_code="SCJG-HMD", subject_id=w.company(3), facts="x",
            terms={"measures": ["ART30-2"]}, responsible_persons=PERSONS,
        )
    ) == "standard.measure_wrong_list"  # fmt: skip


MEMO: dict[str, Any] = {
    "code": "MOU-TEST",
    "title": "测试备忘录",
    "effective_from": "2026-03-02",
    "signatories": [DESIGNATOR_UNIT],
    "items": [{"trigger": "blacklist", "measure": "ART34-5", "unit_id": IMPLEMENTER}],
}


def item(**change: Any) -> dict[str, Any]:
    return {**MEMO, "items": [{**MEMO["items"][0], **change}]}


def test_a_memorandum_item_is_checked_against_the_catalog__MEA_2_MEA_6(world: World) -> None:
    ctx = world.ctx

    def create(raw: dict[str, Any]) -> Any:
        return memoranda.create(ctx, SYSTEM, memorandum_from_dict(raw))

    assert code_of(lambda: create(item(measure="NOPE-1"))) == "memorandum.unknown_measure"
    assert code_of(lambda: create(item(unit_id=DESIGNATOR_UNIT))) == (
        "memorandum.not_implementing_unit"
    )
    assert code_of(lambda: create(item(unit_id=999))) == "memorandum.unknown_unit"
    assert code_of(lambda: create(item(trigger="red_list"))) == "memorandum.measure_wrong_list"
    # Art 31: a measure needing serious conduct never answers key scrutiny (short of it).
    catalog.create(
        ctx, SYSTEM, measure_from_dict({
            "code": "LOCAL-S", "kind": "punishment", "trigger": "untrustworthy_record",
            "min_severity": "serious", "content": "暂停审批", "legal_basis": "第三十二条第七项",
        }),
    )  # fmt: skip
    assert code_of(lambda: create(item(trigger="key_scrutiny", measure="LOCAL-S"))) == (
        "memorandum.measure_beyond_severity"
    )
    catalog.withdraw(ctx, SYSTEM, "ART34-5", "停止")
    assert code_of(lambda: create(MEMO)) == "memorandum.unknown_measure"
    with pytest.raises(Forbidden):
        memoranda.create(ctx, world.designator, memorandum_from_dict(item(measure="ART34-1")))
    assert code_of(lambda: memoranda.get(ctx, "MOU-NONE")) == "memorandum.not_found"
    assert code_of(lambda: memoranda.publish(ctx, SYSTEM, "MOU-NONE")) == "memorandum.not_found"


def test_a_new_version_supersedes_the_old_from_its_date_and_the_sweep_ends_it__MEA_2(
    world: World,
) -> None:
    ctx, w = world.ctx, world
    today = ctx.today()
    [v1] = [m for m in memoranda.listing(ctx) if m["code"] == "MOU-SCJG-SXJL"]
    assert v1["status"] == "in_force" and v1["items"][0]["measure"] == "ART30-3"
    start = today + timedelta(days=10)
    raw = {
        "code": "MOU-SCJG-SXJL",
        "title": "守信联合激励合作备忘录（第二版）",
        "effective_from": start.isoformat(),
        "effective_until": (start + timedelta(days=30)).isoformat(),
        "items": [{"trigger": "red_list", "measure": "ART30-2", "unit_id": IMPLEMENTER}],
    }
    v2 = memoranda.create(ctx, SYSTEM, memorandum_from_dict(raw))
    assert (v2["version"], v2["status"], v2["published"]) == (2, "draft", False)
    # An unpublished draft never comes into force.
    w.advance(11)
    sweep.run(ctx, SYSTEM)
    assert memoranda.get(ctx, "MOU-SCJG-SXJL")["version"] == 1
    published = memoranda.publish(ctx, SYSTEM, "MOU-SCJG-SXJL")
    assert published["status"] == "in_force"  # its date has come: at once
    assert code_of(lambda: memoranda.publish(ctx, SYSTEM, "MOU-SCJG-SXJL")) == (
        "memorandum.already_published"
    )
    statuses = {m["version"]: m["status"] for m in memoranda.listing(ctx)
                if m["code"] == "MOU-SCJG-SXJL"}  # fmt: skip
    assert statuses == {1: "superseded", 2: "in_force"}
    red = [TriggerFact("red_list", "market_regulation", G, entry_id=7)]
    with ctx.db.read() as conn:
        assert [d.code for d in measures_due(conn, IMPLEMENTER, ctx.today(), red)] == ["ART30-2"]
    w.advance(31)
    assert sweep.run(ctx, SYSTEM).count("memoranda_ended") == 1
    assert sweep.run(ctx, SYSTEM).count("memoranda_ended") == 0  # idempotent
    assert memoranda.get(ctx, "MOU-SCJG-SXJL", 2)["status"] == "ended"
    with ctx.db.read() as conn:
        assert measures_due(conn, IMPLEMENTER, ctx.today(), red) == []


def test_a_published_draft_enters_into_force_on_its_date__MEA_2(world: World) -> None:
    ctx, w = world.ctx, world
    start = ctx.today() + timedelta(days=5)
    memoranda.create(
        ctx, SYSTEM, memorandum_from_dict({**item(measure="ART34-2"),
                                           "effective_from": start.isoformat()}),
    )  # fmt: skip
    assert memoranda.publish(ctx, SYSTEM, "MOU-TEST")["status"] == "published"
    assert sweep.run(ctx, SYSTEM).count("memoranda_in_force") == 0
    w.advance(5)
    assert sweep.run(ctx, SYSTEM).count("memoranda_in_force") == 1
    assert sweep.run(ctx, SYSTEM).count("memoranda_in_force") == 0
    assert memoranda.get(ctx, "MOU-TEST")["status"] == "in_force"


def test_the_measures_a_unit_must_apply__MEA_2_MEA_6(world: World) -> None:
    """The demo's memoranda oblige the implementing unit: Art 34(1) and Art 32(4) for a
    serious blacklist entry, only Art 32(4) where the fact is not grave enough for Art 34,
    nothing in another field or for another unit, nothing before the memoranda's date."""
    ctx = world.ctx
    day = T0.date()
    black = TriggerFact("blacklist", "market_regulation", S, entry_id=1)
    with ctx.db.read() as conn:
        due = measures_due(conn, IMPLEMENTER, day, [black])
        assert [(d.code, d.memorandum_code, d.memorandum_version, d.entry_id) for d in due] == [
            ("ART34-1", "MOU-SCJG-JCCJ", 1, 1),
            ("ART32-4", "MOU-SCJG-JCCJ", 1, 1),
        ]
        assert due[0].kind == "punishment" and "第三十四条" in due[0].legal_basis
        mild = TriggerFact("blacklist", "market_regulation", G, entry_id=2)
        assert [d.code for d in measures_due(conn, IMPLEMENTER, day, [mild])] == ["ART32-4"]
        record = TriggerFact("untrustworthy_record", "market_regulation", G, record_id=9)
        [r] = measures_due(conn, IMPLEMENTER, day, [record])
        assert (r.code, r.record_id, r.entry_id, r.trigger) == ("ART32-4", 9, None, record.trigger)
        elsewhere = TriggerFact("blacklist", "taxation", E, entry_id=3)
        assert measures_due(conn, IMPLEMENTER, day, [elsewhere]) == []
        assert measures_due(conn, DESIGNATOR_UNIT, day, [black]) == []
        assert measures_due(conn, IMPLEMENTER, day - timedelta(days=1), [black]) == []
        assert measures_due(conn, IMPLEMENTER, day, []) == []
        red = TriggerFact("red_list", "market_regulation", G, entry_id=4)
        assert [d.code for d in measures_due(conn, IMPLEMENTER, day, [red])] == ["ART30-3"]
    catalog.withdraw(ctx, SYSTEM, "ART32-4", "停止实施")
    with ctx.db.read() as conn:
        assert [d.code for d in measures_due(conn, IMPLEMENTER, day, [black])] == ["ART34-1"]


def test_red_listed_subjects_get_the_green_channel_whatever_the_unit__MEA_7(
    world: World,
) -> None:
    """Op(13), Art 30(1): facilitation incentives for a red-list fact, for any unit."""
    ctx = world.ctx
    red = TriggerFact("red_list", "market_regulation", G, entry_id=5)
    black = TriggerFact("blacklist", "market_regulation", S, entry_id=6)
    with ctx.db.read() as conn:
        found = green_channel(conn, T0.date(), [red, black])
        assert [(g.code, g.entry_id, g.memorandum_code) for g in found] == [
            ("ART30-1", 5, ""),
            ("ART30-5", 5, ""),
        ]
        assert green_channel(conn, T0.date(), [black]) == []
    # A memorandum naming a green-channel measure is its basis.
    memoranda.create(ctx, SYSTEM, memorandum_from_dict(item(trigger="red_list", measure="ART30-1")))
    memoranda.publish(ctx, SYSTEM, "MOU-TEST")
    with ctx.db.read() as conn:
        first = green_channel(conn, T0.date(), [red])[0]
    assert (first.code, first.memorandum_code, first.memorandum_version) == (
        "ART30-1",
        "MOU-TEST",
        1,
    )


def test_free_text_measures_become_catalog_references__MEA_1(db: DbTarget, world: World) -> None:
    """Migration 0021: standards' and entries' free-text measures become references in
    place (no new standard version); a text citing an article and item is that measure, a
    text matching nothing becomes a MIG-n measure of its list's kind."""
    w = world
    w.serious(1)
    eid = entries.propose(
        w.ctx, w.designator, standard_code="SCJG-HMD", subject_id=w.company(1), facts="x",
        responsible_persons=PERSONS,
    )["id"]  # fmt: skip
    engine = make_engine(db.url, db.schema)
    old = ["限制参与政府采购（第三十四条第一项）", "禁止参加评优"]
    try:
        downgrade(engine, "0020")
        with engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE standard SET measures = :m WHERE code = 'SCJG-HMD'"),
                {"m": json.dumps(old, ensure_ascii=False)},
            )
            conn.execute(
                sa.text("UPDATE list_entry SET measures = :m WHERE id = :e"),
                {"m": json.dumps(old[1:], ensure_ascii=False), "e": eid},
            )
        upgrade(engine, audit_key=audit_key())
    finally:
        engine.dispose()
    shown = standards.get(w.ctx, "SCJG-HMD")
    assert shown["measures"] == ["ART34-1", "MIG-1"] and shown["version"] == 1
    assert shown["severity"] == "serious"
    mig = catalog.get(w.ctx, "MIG-1")
    assert (mig["kind"], mig["trigger"], mig["content"]) == ("punishment", "blacklist", old[1])
    entry = entry_views.get(w.ctx, SYSTEM, eid)
    assert entry["measures"] == ["禁止参加评优"] and entry["severity"] == "serious"
