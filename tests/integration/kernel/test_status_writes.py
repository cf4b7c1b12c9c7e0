"""Design rule 1: a status column is written only by store/<context>/queries.py, through
each lifecycle's one guarded transition (issue 8). Every SQL statement SQLite runs during
the whole of the procedures is traced; one that writes a status elsewhere fails the test."""

from __future__ import annotations

import re
import traceback
from typing import Any

import sqlalchemy as sa

from creditreg.bootstrap import build_context
from creditreg.clock import FixedClock
from creditreg.demo import dataset as demo
from creditreg.demo.catalogs import STANDARDS
from creditreg.demo.dataset import demo_ric
from creditreg.domain.access.principals import SYSTEM
from creditreg.domain.lists.standards import draft_from_dict
from creditreg.services.access import access
from creditreg.services.kernel import sweep
from creditreg.services.lists import entries, entry_steps, restoration, standards
from creditreg.services.measures import catalog as measures_catalog
from creditreg.services.records import lifecycle, verification
from creditreg.services.rights import (
    feedback,
    objection_steps,
    objections,
    objectors,
    reconsideration,
)
from tests.conftest import DbTarget
from tests.factories import punishment_row
from tests.lists_world import PERSON, honour_row, make_world
from tests.notice_delivery import notify

STATUS_TABLES = {
    "record",
    "catalog_item",
    "standard",
    "list_entry",
    "objection",
    "reconsideration",
    "restoration_application",
    "upward_report",
    "red_list_feedback",
    "ingest_batch",
    "authorization",
    "record_restoration",
    "compensation_claim",
    "measure",
    "memorandum",
    "webhook_endpoint",
    "webhook_delivery",
}
WRITE = re.compile(r'^\s*(UPDATE|INSERT\s+INTO)\s+"?(\w+)"?', re.IGNORECASE)
# store/<context>/queries.py, or <concept>_queries.py beside it (rights: objection_queries.py)
QUERIES = re.compile(r"creditreg/store/\w+/(\w+_)?queries\.py$")


def test_status_columns_are_written_only_by_the_lifecycle_queries(
    sqlite_db: DbTarget, clock: FixedClock
) -> None:
    # Issue 11: a webhook endpoint on a closed loopback port (allowed for the test).
    ctx = build_context(sqlite_db.settings(webhook_allowed_hosts="127.0.0.1"), clock=clock)
    written: list[str] = []
    violations: list[tuple[str, list[str]]] = []

    def trace(sql: str) -> None:
        m = WRITE.match(sql)
        if not m or m.group(2) not in STATUS_TABLES:
            return
        if m.group(1).upper() == "UPDATE" and not re.search(r"\bstatus\s*=", sql, re.I):
            return  # e.g. a deadline follower moving a due date
        written.append(m.group(2))
        stack = traceback.extract_stack()
        if not any(QUERIES.search(f.filename) for f in stack):
            ours = [f"{f.filename}:{f.lineno}" for f in stack if "/creditreg/" in f.filename]
            violations.append((sql[:100], ours[-3:]))

    @sa.event.listens_for(ctx.db.engine, "connect")
    def _trace(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.set_trace_callback(trace)

    ctx.db.dispose()  # new connections, each traced
    try:
        w = make_world(ctx, clock)  # catalog items approved, standards published
        # Issue 11: the implementing unit hears of every designation by webhook.
        from creditreg.services.measures import webhooks

        hearing = access.authenticate(ctx, demo.token_for("implementer"))
        webhooks.subscribe(ctx, hearing, kind="designation")
        hook = webhooks.add_endpoint(ctx, hearing, "http://127.0.0.1:9/hook")
        [a, b, c] = w.serious(1, 3)
        # Records: returned, withdrawn (revoking an entry), archived by the sweep.
        [general] = w.submit("XZCF", [punishment_row(9)])
        rows = [punishment_row(8, decision_number="郑市监罚〔2026〕8-x号")]
        from creditreg.services.records import record_batches, records

        batch = records.submit(
            ctx, SYSTEM, code="XZCF", rows=rows, content_digest=record_batches.digest_rows(rows),
            batch_key=None, source="api",
        )  # fmt: skip
        pending = verification.pending(ctx, SYSTEM)
        verification.verify(ctx, SYSTEM, int(pending[0]["id"]), passed=False, reasons=["错"])
        assert batch.stored == 1
        # An entry through notice, objection (dismissed), designation, restoration.
        persons = [{**PERSON, "id_number": demo_ric("41010519700101123")}]
        eid = entries.propose(
            ctx, w.designator, standard_code="SCJG-HMD", subject_id=w.company(1),
            facts="销售不合格食品", responsible_persons=persons,
            terms={"restoration_after_months": 0},
        )["id"]  # fmt: skip
        notify(ctx, w.designator, eid)
        platform = objectors.for_principal(
            ctx, access.authenticate(ctx, demo.token_for("platform"))
        )
        oid = objections.file(
            ctx, platform, target_type="list_entry", target_id=eid, grounds="有误"
        )["id"]
        objection_steps.accept(ctx, w.designator, oid, accepted=True, reason="受理")
        objection_steps.pause(ctx, w.designator, oid, kind="expert_review", reason="评审")
        objection_steps.resume(ctx, w.designator, oid)
        objection_steps.decide(ctx, w.designator, oid, outcome="dismissed", reason="无误")
        reconsideration.decide(
            ctx, SYSTEM, reconsideration.apply(ctx, platform, oid, "不服")["id"],
            outcome="upheld", reason="维持",
        )  # fmt: skip
        w.advance(8)
        entry_steps.designate(ctx, w.designator, eid)
        app_id = restoration.apply(ctx, SYSTEM, eid, applicant="企业", evidence="已整改")["id"]
        restoration.decide(ctx, w.designator, app_id, consent=False, note="证据不足")
        app2 = restoration.apply(ctx, SYSTEM, eid, applicant="企业", evidence="补充")["id"]
        restoration.decide(ctx, w.designator, app2, consent=True, note="同意")
        # Another entry removed under objection (closing it), then a new standard version.
        eid2 = entries.propose(
            ctx, w.designator, standard_code="SCJG-HMD", subject_id=w.company(1),
            facts="再次违法", responsible_persons=persons,
        )["id"]  # fmt: skip
        notify(ctx, w.designator, eid2)
        objections.file(ctx, platform, target_type="list_entry", target_id=eid2, grounds="有误")
        lifecycle.withdraw(ctx, SYSTEM, a, "处罚决定已撤销")
        # A record's objection: escalated, answered, upheld (the record withdrawn).
        rec = objections.file(ctx, platform, target_type="record", target_id=c, grounds="错")
        objection_steps.accept(ctx, SYSTEM, rec["id"], accepted=True, reason="受理",
                               track="provider")  # fmt: skip
        provider = access.authenticate(ctx, demo.token_for("provider"))
        objection_steps.answer(ctx, provider, rec["id"], "确有错误")
        objection_steps.decide(ctx, SYSTEM, rec["id"], outcome="upheld", reason="错",
                               correction="withdraw")  # fmt: skip
        # Red-list feedback (OBJ-4): two reports, one confirmed (removing the entry), the
        # other closed with it.
        w.submit("BZJL", [honour_row(5)])
        red = entries.propose(
            ctx, w.designator, standard_code="SCJG-HONG", subject_id=w.company(5),
            facts="守合同重信用",
        )["id"]  # fmt: skip
        entry_steps.announce(ctx, w.designator, red)
        w.advance(14)
        entry_steps.designate(ctx, w.designator, red)
        implementer = objectors.for_principal(
            ctx, access.authenticate(ctx, demo.token_for("implementer"))
        )
        first = feedback.report(ctx, platform, entry_id=red, evidence="欠薪")["id"]
        feedback.report(ctx, implementer, entry_id=red, evidence="欠税")
        feedback.decide(ctx, w.designator, first, outcome="confirmed", reason="属实")
        # A subject's written authorization (DIS-6), granted and revoked on its behalf.
        from creditreg.services.access import subject_accounts
        from creditreg.services.rights import authorizations

        me = subject_accounts.acting_for_subject("cli:test", w.company(1))
        granted = authorizations.grant(
            ctx, me, unit_id=w.designator.unit_id or 0, purpose="审批",
            valid_from=None, valid_until=ctx.today().replace(year=ctx.today().year + 1),
            document_ref="授权书1",
        )  # fmt: skip
        authorizations.revoke(ctx, me, granted["id"])
        # OBJ-5: the record found wrong above has its correction; compensation claimed on
        # the subject's behalf, granted and paid by the platform (the deciding unit here).
        from creditreg.domain.rights.record_restoration import Decider
        from creditreg.services.rights import compensation, corrections, record_restoration

        fixed = corrections.listing(ctx, SYSTEM)[0]
        claimant = subject_accounts.acting_for_subject("cli:test", fixed["subject_id"])
        claim = compensation.claim(ctx, claimant, fixed["id"], amount="100", grounds="损失")
        deciding = provider if fixed["unit_id"] == provider.unit_id else SYSTEM
        compensation.decide(ctx, deciding, claim["id"], outcome="granted", reason="属实",
                            amount="80")  # fmt: skip
        compensation.pay(ctx, deciding, claim["id"], reference="ZF-1")
        standards.publish(
            ctx, SYSTEM, draft_from_dict({**STANDARDS[0], "rule": {**STANDARDS[0]["rule"]}})
        )
        # Issue 11: a catalog measure withdrawn (MEA-1); the demo's memoranda came into force.
        measures_catalog.withdraw(ctx, SYSTEM, "ART30-8", reason="并入第七项")
        # RST-7: a general record restored after its minimum display (3 months).
        w.advance(100)
        nine = subject_accounts.acting_for_subject("cli:test", w.company(9))
        applied = record_restoration.apply(
            ctx,
            nine,
            record_id=general,
            decider=Decider.PLATFORM,
            statement="已全部整改到位并消除了不良影响",
        )
        record_restoration.decide(ctx, SYSTEM, applied["id"], outcome="grant", reasons="")
        w.advance(365 * 6)
        sweep.run(ctx, SYSTEM)  # the notices' deliveries fail: retrying
        webhooks.remove_endpoint(ctx, hearing, hook["id"])
        assert b and c
    finally:
        ctx.db.dispose()
    assert violations == []
    # The trace saw every lifecycle's writes (so the test is not vacuous).
    assert STATUS_TABLES - {"upward_report"} <= set(written)
