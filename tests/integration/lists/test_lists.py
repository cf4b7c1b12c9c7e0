"""The list procedures on SQLite and PostgreSQL, with the clock moved (no sleeping)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from creditreg.clock import FixedClock
from creditreg.demo import dataset as demo
from creditreg.demo.catalogs import STANDARDS
from creditreg.demo.dataset import demo_ric
from creditreg.domain.access.principals import SYSTEM, Level
from creditreg.domain.errors import Conflict, Forbidden, NotFound
from creditreg.domain.lists.standards import draft_from_dict
from creditreg.domain.subjects.identifiers import IdType
from creditreg.services.access import access
from creditreg.services.context import Context
from creditreg.services.kernel import audit, calendar, sweep
from creditreg.services.lists import entries, entry_steps, entry_views, restoration, standards
from creditreg.services.lists.entry_writer import insert_entry
from creditreg.services.records import lifecycle, record_batches, records, verification
from creditreg.services.rights import notices, objection_steps, objections, objectors
from creditreg.services.subjects import subjects
from creditreg.store.lists.tables import list_entry, list_notice
from creditreg.store.records.tables import record
from tests.factories import person_punishment_row, punishment_row
from tests.lists_world import PERSON, World, honour_row, make_world
from tests.notice_delivery import notify

BLACK, RED = STANDARDS


@pytest.fixture
def world(ctx: Context, clock: FixedClock, demo_data: None) -> World:
    return make_world(ctx, clock)


def person(w: World) -> dict[str, str]:
    return {**PERSON, "id_number": demo_ric("41010519700101123")}


def proposed_blacklist(w: World, i: int = 1, **terms: object) -> dict[str, object]:
    w.serious(i)
    return entries.propose(
        w.ctx,
        w.designator,
        standard_code="SCJG-HMD",
        subject_id=w.company(i),
        facts="多次销售不合格食品，情节严重",
        terms=terms,
        responsible_persons=[person(w)],
    )


def designated_blacklist(w: World, i: int = 1, **terms: object) -> dict[str, object]:
    entry = proposed_blacklist(w, i, **terms)
    eid = int(entry["id"])  # type: ignore[call-overload]
    notify(w.ctx, w.designator, eid)
    w.advance(14)
    return entry_steps.designate(w.ctx, w.designator, eid)


def test_blacklist_runs_notice_window_then_designation__LST_2_LST_7_LST_8_LST_9_DIS_4_SUB_4(
    world: World,
) -> None:
    w = world
    entry = proposed_blacklist(w)
    eid = int(entry["id"])  # type: ignore[call-overload]
    assert entry["status"] == "preliminary"
    # LST-7: the entry explains itself: standard version, rule inputs, records it rests on.
    assert entry["rule_inputs"]["standard"] == "SCJG-HMD" and entry["rule_inputs"]["count"] == 1  # type: ignore[index]
    assert len(entry["records"]) == 1  # type: ignore[arg-type]
    # SUB-4: the organization's legal representative is named.
    assert entry["subject"]["responsible_persons"][0]["role"] == "legal_representative"  # type: ignore[index]
    # Designation without notice is an illegal transition (LST-2).
    with pytest.raises(Conflict) as exc:
        entry_steps.designate(w.ctx, w.designator, eid)
    assert exc.value.code == "entry.illegal_transition"
    notified = notify(w.ctx, w.designator, eid)
    [notice] = [n for n in notified["notices"] if n["kind"] == "written_notice"]  # type: ignore[attr-defined]
    content = notice["content"]
    assert content["basis"] and content["reason"] and content["measures"]
    # The subject has no account: the printed notice counts from its delivery (LST-2).
    assert "异议" in content["right_to_object"] and content["objection_deadline"] is None
    assert "送达之日起" in content["explanation"] and "个工作日" in content["explanation"]
    assert notified["window_due"] == "2026-03-09"  # delivered the day it was issued
    # Not before the window ends.
    with pytest.raises(Conflict) as exc:
        entry_steps.designate(w.ctx, w.designator, eid)
    assert exc.value.code == "entry.window_open"
    w.advance(14)
    done = entry_steps.designate(w.ctx, w.designator, eid)
    assert done["status"] == "designated" and done["designated_on"] == "2026-03-16"
    assert done["valid_until"] == "2029-03-15"  # LST-8: 36 months, exactly (DIS-4)
    # DIS-4: published on each channel for exactly the validity period.
    published = [n for n in done["notices"] if n["kind"] == "designation"]  # type: ignore[attr-defined]
    assert {n["channel"] for n in published} == {"unit_portal", "credit_website"}
    assert {n["visible_until"] for n in published} == {"2029-03-15"}
    # LST-9: queued upward, 10 working days after designation.
    assert done["upward_report"] == {"status": "queued", "due_date": "2026-03-30"}
    # LST-9: visible at once to an implementing unit, personal numbers masked.
    implementer = access.authenticate(w.ctx, "crt_demo_implementer_token_0000000000000000")
    seen = entry_views.get(w.ctx, implementer, eid)
    assert seen["status"] == "designated"
    assert "*" in seen["subject"]["responsible_persons"][0]["id_number"]  # type: ignore[index]
    assert [h["action"] for h in done["history"]] == [  # type: ignore[attr-defined]
        "propose",
        "notify",
        "notice_delivered",
        "designate",
    ]


def test_designation_outside_field_or_region_is_refused__LST_1(world: World) -> None:
    w = world
    w.serious(1)
    county = w.designating_unit("某县市场监管局", "11410122MB0000009", "410122", Level.COUNTY)
    with pytest.raises(Forbidden) as exc:
        entries.propose(
            w.ctx,
            county,
            standard_code="SCJG-HMD",
            subject_id=w.company(1),
            facts="x",
            responsible_persons=[person(w)],
        )
    assert exc.value.code == "access.outside_region"  # the subject is in 410100
    tax = standards.publish(
        w.ctx, SYSTEM, draft_from_dict({**BLACK, "code": "SW-HMD", "field": "taxation"})
    )[0]
    with pytest.raises(Forbidden) as exc:
        entries.propose(
            w.ctx,
            w.designator,
            standard_code=tax.code,
            subject_id=w.company(1),
            facts="x",
            responsible_persons=[person(w)],
        )
    assert exc.value.code == "access.outside_field"
    assert entry_views.search(w.ctx, SYSTEM) == []


def test_double_listing_and_unqualified_subjects_are_refused__LST_2_STD_2(world: World) -> None:
    w = world
    proposed_blacklist(w)
    with pytest.raises(Conflict) as exc:
        entries.propose(
            w.ctx,
            w.designator,
            standard_code="SCJG-HMD",
            subject_id=w.company(1),
            facts="x",
            responsible_persons=[person(w)],
        )
    assert exc.value.code == "entry.already_listed"
    w.submit("BZJL", [honour_row(2)])
    with pytest.raises(Conflict) as exc:
        entries.propose(
            w.ctx,
            w.designator,
            standard_code="SCJG-HMD",
            subject_id=w.company(2),
            facts="x",
            responsible_persons=[person(w)],
        )
    assert exc.value.code == "entry.not_qualified"
    assert exc.value.details["rule_inputs"]["count"] == 0
    # Art 35: an organization's blacklist entry names its legal representative or principal.
    w.serious(3)
    with pytest.raises(Conflict) as exc:
        entries.propose(
            w.ctx, w.designator, standard_code="SCJG-HMD", subject_id=w.company(3), facts="x"
        )
    assert exc.value.code == "entry.no_responsible_person"
    assert len(entry_views.search(w.ctx, SYSTEM)) == 1


def test_red_list_cross_check_announcement_and_blacklisting__LST_3_RST_4(world: World) -> None:
    w = world
    w.submit("BZJL", [honour_row(1)])
    red = entries.propose(
        w.ctx, w.designator, standard_code="SCJG-HONG", subject_id=w.company(1), facts="守信"
    )
    rid = int(red["id"])  # type: ignore[call-overload]
    announced = entry_steps.announce(w.ctx, w.designator, rid)
    assert announced["status"] == "announced"
    assert {n["kind"] for n in announced["notices"]} == {"announcement"}  # type: ignore[attr-defined]
    w.advance(14)
    assert entry_steps.designate(w.ctx, w.designator, rid)["status"] == "designated"
    # A blacklisting removes the subject from every red list (Op(7), RST-4(2)).
    black = designated_blacklist(w, 1)
    assert black["status"] == "designated"
    red_after = entry_views.get(w.ctx, SYSTEM, rid)
    assert red_after["status"] == "removed" and red_after["removal_reason"] == "blacklisted"
    assert "removal" in {n["kind"] for n in red_after["notices"]}  # DIS-4
    # ... and a blacklisted subject cannot enter a red list (the cross-check).
    w.submit("BZJL", [honour_row(1, document_number="豫市监〔2026〕99号")])
    with pytest.raises(Conflict) as exc:
        entries.propose(
            w.ctx, w.designator, standard_code="SCJG-HONG", subject_id=w.company(1), facts="x"
        )
    assert exc.value.code == "entry.subject_blacklisted"


def test_objection_suspends_then_dismissal_resumes_and_error_deletes__LST_2_RST_3_RST_5(
    world: World,
) -> None:
    w = world
    eid = int(proposed_blacklist(w)["id"])  # type: ignore[call-overload]
    notify(w.ctx, w.designator, eid)
    platform = objectors.for_principal(
        w.ctx, access.authenticate(w.ctx, demo.token_for("platform"))
    )
    first = objections.file(
        w.ctx, platform, target_type="list_entry", target_id=eid, grounds="处罚已被撤销"
    )
    objected = entry_views.get(w.ctx, SYSTEM, eid)
    assert objected["status"] == "objected" and objected["suspended_from"] == "notified"
    assert objected["under_objection"] is True
    w.advance(14)
    with pytest.raises(Conflict):
        entry_steps.designate(w.ctx, w.designator, eid)  # suspended until verified
    assert (
        sweep.run(w.ctx, SYSTEM).count("designated") == 0
    )  # the sweep does not designate it either
    objection_steps.accept(w.ctx, w.designator, first["id"], accepted=True, reason="受理")
    objection_steps.decide(
        w.ctx, w.designator, first["id"], outcome="dismissed", reason="处罚未被撤销"
    )
    resumed = entry_views.get(w.ctx, SYSTEM, eid)
    assert resumed["status"] == "notified" and resumed["under_objection"] is False
    again = objections.file(
        w.ctx, platform, target_type="list_entry", target_id=eid, grounds="再次异议"
    )
    objection_steps.accept(w.ctx, w.designator, again["id"], accepted=True, reason="受理")
    objection_steps.decide(w.ctx, w.designator, again["id"], outcome="upheld", reason="认定错误")
    with pytest.raises(NotFound):
        entry_views.get(w.ctx, SYSTEM, eid)  # RST-5: an error entry is not kept
    with w.ctx.db.read() as conn:
        left = conn.execute(sa.select(list_notice.c.id).where(list_notice.c.entry_id == eid))
        assert left.first() is None
    assert audit.verify(w.ctx).ok


def test_sweep_designates_expires_and_follows_with_key_scrutiny_idempotently__LST_2_RST_3_LST_7(
    world: World,
) -> None:
    w = world
    eid = int(proposed_blacklist(w, validity_months=12)["id"])  # type: ignore[call-overload]
    notify(w.ctx, w.designator, eid)
    assert sweep.run(w.ctx, SYSTEM).count("designated") == 0  # window still open
    w.advance(14)
    first = sweep.run(w.ctx, SYSTEM)
    assert first.count("designated") == 1
    assert sweep.run(w.ctx, SYSTEM).changed == 0  # a second pass at the same time changes nothing
    w.clock.set(w.clock.now().replace(year=2027, month=3, day=20))
    expired = sweep.run(w.ctx, SYSTEM)
    assert expired.count("expired") == 1 and expired.count("key_scrutiny_followups") == 1
    assert sweep.run(w.ctx, SYSTEM).changed == 0
    entry = entry_views.get(w.ctx, SYSTEM, eid)
    assert entry["status"] == "removed" and entry["removal_reason"] == "expiry"
    # RST-3: the subject is under key scrutiny for the period the unit set (12 months).
    [ks] = entry_views.search(w.ctx, SYSTEM, subject_id=w.company(1), list_type="key_scrutiny")
    assert ks["status"] == "designated" and ks["origin"] == "after_removal"
    assert ks["valid_until"] == "2028-03-19"
    # LST-7: as of a past day, the blacklist entry was in force; today only key scrutiny.
    then = entry_views.search(w.ctx, SYSTEM, subject_id=w.company(1), as_of=date(2026, 6, 1))
    assert [e["list_type"] for e in then] == ["blacklist"]
    now = entry_views.search(w.ctx, SYSTEM, subject_id=w.company(1), as_of=date(2027, 3, 20))
    assert [e["list_type"] for e in now] == ["key_scrutiny"]


def test_restoration_terms_consent_and_key_scrutiny__RST_1_RST_2_LST_8(world: World) -> None:
    w = world
    fixed = designated_blacklist(w, 1, restorable=False)
    with pytest.raises(Conflict) as exc:
        restoration.apply(w.ctx, SYSTEM, int(fixed["id"]), applicant="a", evidence="e")  # type: ignore[call-overload]
    assert exc.value.code == "restoration.not_restorable"
    eid = int(designated_blacklist(w, 2)["id"])  # type: ignore[call-overload]
    with pytest.raises(Conflict) as exc:
        restoration.apply(w.ctx, SYSTEM, eid, applicant="a", evidence="e")
    assert exc.value.code == "restoration.too_early"  # the standard says after 12 months
    w.clock.set(w.clock.now().replace(year=2027, month=4, day=1))
    app = restoration.apply(
        w.ctx, SYSTEM, eid, applicant="郑州示例贸易有限公司2", evidence="已缴清罚款"
    )
    assert app["due_date"] == "2027-04-02" and "1 working day" in str(app["explanation"])
    other = w.designating_unit("另一认定部门", "11410000MB0000008", "410000", Level.PROVINCIAL)
    with pytest.raises(Forbidden) as exc2:
        restoration.decide(
            w.ctx,
            other,
            int(app["id"]),
            consent=True,
            note="同意",
        )
    assert exc2.value.code == "entry.not_designating_unit"
    done = restoration.decide(w.ctx, w.designator, int(app["id"]), consent=True, note="同意修复")
    assert done["entry"]["status"] == "removed"
    assert done["entry"]["removal_reason"] == "restoration"
    assert len(done["key_scrutiny_entries"]) == 1


def test_changed_standard_removes_entries_no_longer_qualifying__STD_1_STD_3(world: World) -> None:
    w = world
    one = int(designated_blacklist(w, 1)["id"])  # type: ignore[call-overload]
    w.serious(2, n=2)
    two = entries.propose(
        w.ctx,
        w.designator,
        standard_code="SCJG-HMD",
        subject_id=w.company(2),
        facts="x",
        responsible_persons=[person(w)],
    )
    stricter = {**BLACK, "rule": {**BLACK["rule"], "min_count": 2}}  # type: ignore[dict-item]
    published, outcome = standards.publish(w.ctx, w.designator, draft_from_dict(stricter))
    assert published.version == 2
    assert outcome["checked"] == 2 and outcome["removed"] == 1
    assert entry_views.get(w.ctx, SYSTEM, one)["removal_reason"] == "standard_changed"
    assert entry_views.get(w.ctx, SYSTEM, int(two["id"]))["status"] == "preliminary"  # type: ignore[call-overload]
    versions = standards.listing(w.ctx, all_versions=True)
    assert [
        (s["code"], s["version"], s["status"]) for s in versions if s["code"] == "SCJG-HMD"
    ] == [
        ("SCJG-HMD", 1, "superseded"),
        ("SCJG-HMD", 2, "current"),
    ]


def test_withdrawn_record_revokes_its_entries_the_same_day__ING_7(world: World) -> None:
    w = world
    entry = designated_blacklist(w, 1)
    [rid] = entry["records"]  # type: ignore[misc]
    lifecycle.withdraw(w.ctx, SYSTEM, int(rid), "复议撤销")
    after = entry_views.get(w.ctx, SYSTEM, int(entry["id"]))  # type: ignore[call-overload]
    assert after["status"] == "removed" and after["removal_reason"] == "basis_revoked"
    assert after["removed_on"] == w.ctx.today().isoformat()


def test_big_data_warning_follows_key_scrutiny_in_three_key_fields__LST_4_LST_5_STD_3(
    world: World,
) -> None:
    w = world
    w.serious(1)
    codes = []
    drafts = []
    for fieldname in ("market_regulation", "taxation", "food_drug_safety"):
        code = f"KS-{fieldname[:4].upper()}"
        drafts.append(
            draft_from_dict(
                {
                    **BLACK,
                    "code": code,
                    "field": fieldname,
                    "list_type": "key_scrutiny",
                    "window_days": 0,
                    "restoration": {},
                    "scrutiny_months": 0,
                    "validity_months": 6,
                    # Art 34 measures are for the blacklist; Art 32's fit (MEA-6).
                    "measures": ["ART32-5"],
                }
            )
        )
        standards.publish(w.ctx, SYSTEM, drafts[-1])
        codes.append(code)
    ids = []
    for code in codes:
        e = entries.propose(w.ctx, SYSTEM, standard_code=code, subject_id=w.company(1), facts="x")
        warned = entry_steps.designate(w.ctx, SYSTEM, int(e["id"]))  # type: ignore[call-overload]
        # LST-4: the subject is warned and told the scrutiny period.
        [warning] = [n for n in warned["notices"] if n["kind"] == "warning"]  # type: ignore[attr-defined]
        assert warning["content"]["scrutiny_period"].endswith("2026-09-01")
        ids.append(int(e["id"]))  # type: ignore[call-overload]
    report = sweep.run(w.ctx, SYSTEM)
    assert report.count("warnings_added") == 1
    [bdw] = entry_views.search(w.ctx, SYSTEM, list_type="big_data_warning")
    assert bdw["status"] == "designated" and bdw["origin"] == "automatic"
    assert sweep.run(w.ctx, SYSTEM).changed == 0
    # STD-3: removed for a changed standard only once it changed.
    with pytest.raises(Conflict) as unchanged:
        entry_steps.remove(w.ctx, SYSTEM, ids[0], reason="standard_changed")
    assert unchanged.value.code == "entry.standard_unchanged"
    standards.publish(w.ctx, SYSTEM, drafts[0])  # its version 2
    entry_steps.remove(w.ctx, SYSTEM, ids[0], reason="standard_changed")
    assert sweep.run(w.ctx, SYSTEM).count("warnings_lifted") == 1
    assert entry_views.get(w.ctx, SYSTEM, int(bdw["id"]))["removal_reason"] == "below_threshold"


def test_serious_conduct_during_key_scrutiny_proposes_a_blacklist__LST_6(world: World) -> None:
    w = world
    w.submit("BZJL", [honour_row(1)])  # the subject exists
    entry = designated_blacklist(w, 1, validity_months=1, restorable=False)
    w.advance(40)
    sweep.run(w.ctx, SYSTEM)  # expiry: key scrutiny follows
    assert entry_views.get(w.ctx, SYSTEM, int(entry["id"]))["status"] == "removed"  # type: ignore[call-overload]
    assert (
        sweep.run(w.ctx, SYSTEM).count("blacklist_proposals") == 0
    )  # the old conduct does not count again
    w.serious(1, start=50)
    with w.ctx.db.write() as conn:  # the new conduct is decided during the scrutiny period
        conn.execute(
            record.update()
            .where(record.c.decision_date < date(2026, 4, 1))
            .values(decision_date=date(2026, 3, 1))
        )
        conn.execute(
            record.update()
            .where(record.c.id == sa.select(sa.func.max(record.c.id)).scalar_subquery())
            .values(decision_date=w.ctx.today())
        )
    report = sweep.run(w.ctx, SYSTEM)
    assert report.count("blacklist_proposals") == 1
    proposals = entry_views.search(w.ctx, SYSTEM, list_type="blacklist", status="preliminary")
    assert [p["origin"] for p in proposals] == ["key_scrutiny_conduct"]
    assert sweep.run(w.ctx, SYSTEM).changed == 0


def test_display_is_extended_while_the_subject_is_blacklisted__DIS_2(world: World) -> None:
    w = world
    designated_blacklist(w, 1)
    w.serious(2)
    with w.ctx.db.write() as conn:
        conn.execute(record.update().values(display_until=date(2026, 3, 1)))
    archived = lifecycle.archive_due(w.ctx)
    assert archived == 1  # company 2's record; company 1 is blacklisted
    with w.ctx.db.read() as conn:
        live = conn.execute(
            sa.select(sa.func.count()).where(record.c.status == "verified")
        ).scalar_one()
        assert live == 1
        assert conn.execute(sa.select(sa.func.count()).select_from(list_entry)).scalar_one() == 1


def test_a_person_is_notified_before_designation_and_published_masked__LST_2_DIS_3(
    world: World,
) -> None:
    w = world
    [rid] = w.submit("XZCF", [person_punishment_row(7, serious_class="art33_3")])
    number = demo_ric("41010519900101007")
    person_id = subjects.find(w.ctx, SYSTEM, IdType.RIC, number).id
    eid = int(
        entries.propose(  # type: ignore[call-overload]
            w.ctx, w.designator, standard_code="SCJG-HMD", subject_id=person_id, facts="售假"
        )["id"]
    )
    with pytest.raises(Conflict):
        entry_steps.designate(w.ctx, w.designator, eid)  # never without the advance notice
    notified = entry_steps.notify(w.ctx, w.designator, eid)
    [notice] = [n for n in notified["notices"] if n["audience"] == "subject"]  # type: ignore[attr-defined]
    assert notice["kind"] == "written_notice"
    # The person has no account: the printed notice must reach them first (Op(7)); the
    # window runs from its delivery, so however long it waits, nothing designates it.
    assert notified["window_due"] is None and notice["content"]["objection_deadline"] is None
    assert "送达之日起" in notice["content"]["explanation"]
    w.advance(30)
    with pytest.raises(Conflict) as undelivered:
        entry_steps.designate(w.ctx, w.designator, eid)
    assert undelivered.value.code == "entry.notice_not_delivered"
    [printed] = [
        n for n in notices.awaiting_delivery(w.ctx, w.designator) if n["kind"] == "written_notice"
    ]
    delivered_on = w.ctx.today() - timedelta(days=2)
    notices.record_delivery(w.ctx, w.designator, printed["id"], delivered_on)
    due = date.fromisoformat(str(entry_views.get(w.ctx, SYSTEM, eid)["window_due"]))
    assert due > w.ctx.today()  # counted from the delivery, not from the notice's issue
    with pytest.raises(Conflict) as still_open:
        entry_steps.designate(w.ctx, w.designator, eid)
    assert still_open.value.code == "entry.window_open"
    w.advance((due - w.ctx.today()).days + 1)
    entry_steps.designate(w.ctx, w.designator, eid)
    published = entry_views.publications(w.ctx)
    assert published and all(number not in str(p) for p in published)
    assert "*" in published[0]["content"]["subject"]["id_number"]
    assert rid in entry_views.get(w.ctx, SYSTEM, eid)["records"]  # type: ignore[operator]


def test_a_local_standard_applies_only_in_its_region__STD_1_LST_1(world: World) -> None:
    w = world
    w.serious(1)  # a company registered in 410100 (Zhengzhou)
    local = {
        **BLACK,
        "code": "LY-HMD",
        "scope": "local",
        "region": "410300",  # Luoyang
        "approval": "豫发改财金〔2026〕9号",
    }
    published, _ = standards.publish(w.ctx, w.designator, draft_from_dict(local))
    assert standards.get(w.ctx, "LY-HMD")["approval"] == "豫发改财金〔2026〕9号"
    with pytest.raises(Forbidden) as exc:
        entries.propose(
            w.ctx,
            w.designator,
            standard_code=published.code,
            subject_id=w.company(1),
            facts="x",
            responsible_persons=[person(w)],
        )
    assert exc.value.code == "standard.outside_region"
    assert entry_views.search(w.ctx, SYSTEM) == []


def test_the_database_refuses_a_second_live_entry_even_past_the_checks__LST_2(
    world: World,
) -> None:
    w = world
    entry = proposed_blacklist(w)
    with w.ctx.db.write() as conn:
        row = entry_views.entry_row(conn, int(entry["id"]))  # type: ignore[call-overload]
        values = {
            k: v for k, v in row._asdict().items() if k not in ("id", "created_at", "updated_at")
        }
        with pytest.raises(Conflict) as exc:
            insert_entry(conn, w.ctx, values)
    assert exc.value.code == "entry.already_listed"
    assert len(entry_views.search(w.ctx, SYSTEM)) == 1


def test_a_calendar_correction_moves_windows_and_verification_deadlines__CAL_3_LST_2_ING_2(
    world: World,
) -> None:
    w = world
    eid = int(proposed_blacklist(w)["id"])  # type: ignore[call-overload]
    assert notify(w.ctx, w.designator, eid)["window_due"] == "2026-03-09"
    rows = [punishment_row(9)]
    records.submit(
        w.ctx, SYSTEM, code="XZCF", rows=rows, content_digest=record_batches.digest_rows(rows)
    )
    [pending] = verification.pending(w.ctx, SYSTEM)
    assert pending["verify_due"] == "2026-03-09"
    calendar.set_day(w.ctx, SYSTEM, date(2026, 3, 4), False, "flood closure")
    assert entry_views.get(w.ctx, SYSTEM, eid)["window_due"] == "2026-03-10"
    [pending] = verification.pending(w.ctx, SYSTEM)
    assert pending["verify_due"] == "2026-03-10"
