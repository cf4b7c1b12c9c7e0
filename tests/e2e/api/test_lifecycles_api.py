"""Lifecycles, publications and deletion in error over HTTP (issue 8, section 2 and 4),
on SQLite and PostgreSQL with the clock moved."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from creditreg.clock import FixedClock
from creditreg.services.context import Context
from creditreg.store.schema import metadata
from tests.e2e.api.test_api import error
from tests.e2e.api.test_lists_api import DESIGNATOR, PLATFORM, propose, revise_standard
from tests.e2e.conftest import bearer
from tests.lists_world import World, make_world
from tests.notice_delivery import notify_over_api
from tests.objection_helpers import file_objection

PROVIDER = bearer("provider")
MARKER = "标记事实甲乙丙-UNIQUE-7731"


@pytest.fixture
def world(api: TestClient, ctx: Context, clock: FixedClock) -> World:
    return make_world(ctx, clock)


def _entry(api: TestClient, eid: int) -> Any:
    return api.get(f"/api/v1/lists/entries/{eid}", headers=PLATFORM).json()


def _objected_in_notice_window(api: TestClient, w: World, facts: str = "销售不合格食品") -> int:
    eid = int(propose(api, w, facts=facts).json()["id"])
    assert notify_over_api(api, eid, DESIGNATOR).status_code == 200
    objected = file_objection(api, PLATFORM, "list_entry", eid)
    assert objected.status_code == 201, objected.text
    assert _entry(api, eid)["status"] == "objected"
    return eid


def test_an_entry_never_public_publishes_no_removal_and_its_objection_is_closed__DIS_4_ING_7(
    api: TestClient, world: World
) -> None:
    """Defects 1 and 2: an entry objected to during its notice window was never public, so
    its removal publishes nothing; the removal closes its open objection."""
    w = world
    [record_id] = w.serious(1)
    eid = _objected_in_notice_window(api, w)
    withdrawn = api.post(
        f"/api/v1/records/{record_id}/withdrawal", headers=PROVIDER, json={"reason": "已撤销"}
    )
    assert withdrawn.status_code == 200, withdrawn.text
    entry = _entry(api, eid)
    assert entry["status"] == "removed" and entry["removal_reason"] == "basis_revoked"
    objections = api.get(
        f"/api/v1/objections?target_type=list_entry&target_id={eid}", headers=PLATFORM
    ).json()
    assert [o["status"] for o in objections] == ["closed"]
    assert "basis_revoked" in objections[0]["outcome_reason"]
    assert entry["under_objection"] is False
    assert api.get("/api/v1/public/lists").json() == []
    # The closure is an event of its own lifecycle, after the withdrawal and the removal.
    kinds = [e["kind"] for e in api.get("/api/v1/events", headers=PLATFORM).json()["events"]]
    at = kinds.index("record.withdrawn")
    assert kinds.index("list_entry.removed", at) < kinds.index("objection.closed", at)


def test_a_deletion_in_error_leaves_nothing_readable_about_the_entry__RST_5_RST_3(
    api: TestClient, world: World, ctx: Context
) -> None:
    """Op(20): an entry made in error is deleted and not kept. The audit log and the
    outbox keep ids, kinds, times and digests; nothing readable about the entry's facts or
    subject remains, and nothing is published (it never was)."""
    w = world
    w.serious(1)
    eid = _objected_in_notice_window(api, w, facts=MARKER)
    name = _entry(api, eid)["subject"]["name"]
    events_before = api.get("/api/v1/events", headers=PLATFORM).json()["events"]
    assert any(e["object_id"] == str(eid) and e["payload"] for e in events_before)
    [objection] = api.get(
        f"/api/v1/objections?target_type=list_entry&target_id={eid}", headers=PLATFORM
    ).json()
    oid = objection["id"]
    accepted = api.post(
        f"/api/v1/objections/{oid}/acceptance",
        headers=DESIGNATOR,
        json={"accepted": True, "reason": "予以受理"},
    )
    assert accepted.status_code == 200, accepted.text
    resolved = api.post(
        f"/api/v1/objections/{oid}/decision",
        headers=DESIGNATOR,
        json={"outcome": "upheld", "reason": f"认定错误：{MARKER}"},
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["target_deleted"] is True
    error(api.get(f"/api/v1/objections/{oid}", headers=PLATFORM), 404, "objection.not_found")
    error(api.get(f"/api/v1/lists/entries/{eid}", headers=PLATFORM), 404, "entry.not_found")
    assert api.get("/api/v1/public/lists").json() == []
    # Nothing readable anywhere: every table, every column.
    keep_subject = {"subject", "record", "ingest_batch", "subject_link"}
    with ctx.db.read() as conn:
        for table in metadata.sorted_tables:
            text = "\n".join(str(tuple(r)) for r in conn.execute(sa.select(table)))
            assert MARKER not in text, table.name
            if table.name not in keep_subject:
                assert name not in text, table.name
    events_after = api.get("/api/v1/events", headers=PLATFORM).json()["events"]
    of_entry = [e for e in events_after if e["object_type"] == "list_entry"]
    assert of_entry[-1]["kind"] == "list_entry.deleted_in_error"
    for e in of_entry[:-1]:
        assert e["purged"] and e["payload"] == {} and len(e["payload_digest"]) == 64
    # The audit chain still verifies after the purge.
    assert api.get("/api/v1/audit/verify", headers=PLATFORM).json()["ok"] is True


def test_publications_end_and_show_once_with_their_channels__DIS_4_STD_3(
    api: TestClient, world: World
) -> None:
    """Defect 3: a designation is published once with both channels for exactly its
    validity; its removal ends it, and the removal notice itself ends after 3 months."""
    w = world
    w.serious(1)
    eid = propose(api, w).json()["id"]
    notify_over_api(api, eid, DESIGNATOR)
    w.advance(8)
    api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR)
    [shown] = api.get("/api/v1/public/lists").json()
    assert shown["kind"] == "designation" and shown["channels"] == ["credit_website", "unit_portal"]
    assert shown["entry_id"] == eid and shown["visible_until"] == "2029-03-09"
    # STD-3: the public would read "the standard changed": refused while it has not.
    error(
        api.post(
            f"/api/v1/lists/entries/{eid}/removal",
            headers=DESIGNATOR,
            json={"reason": "standard_changed", "note": "标准修订"},
        ),
        409,
        "entry.standard_unchanged",
    )
    revise_standard(api)
    removed = api.post(
        f"/api/v1/lists/entries/{eid}/removal",
        headers=DESIGNATOR,
        json={"reason": "standard_changed", "note": "标准修订"},
    )
    assert removed.status_code == 200, removed.text
    [removal] = api.get("/api/v1/public/lists").json()
    assert removal["kind"] == "removal" and removal["channels"] == ["credit_website", "unit_portal"]
    assert removal["visible_until"] == "2026-06-10"  # removed 2026-03-10, shown 3 months
    w.advance(93)
    assert api.get("/api/v1/public/lists").json() == []


def test_overdue_restoration_applications_are_listed__SEC_5_RST_1(
    api: TestClient, world: World
) -> None:
    """Defect 5: an application past its 1-working-day deadline is listed as overdue."""
    w = world
    w.serious(1)
    eid = propose(api, w, restoration_after_months=0).json()["id"]
    notify_over_api(api, eid, DESIGNATOR)
    w.advance(8)
    api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR)
    app_id = api.post(
        f"/api/v1/lists/entries/{eid}/restoration",
        headers=PLATFORM,
        json={"applicant": "郑州示例贸易有限公司1", "evidence": "已整改"},
    ).json()["id"]
    assert api.get("/api/v1/lists/restorations?overdue=true", headers=PLATFORM).json() == []
    [pending] = api.get("/api/v1/lists/restorations", headers=DESIGNATOR).json()
    assert pending["id"] == app_id and pending["due_date"] == "2026-03-11"
    assert "1 working day" in pending["explanation"]
    w.advance(2)
    [late] = api.get("/api/v1/lists/restorations?overdue=true", headers=PLATFORM).json()
    assert late["id"] == app_id and late["overdue"] is True
    # A unit sees its own entries' applications: the implementing unit sees none.
    assert api.get("/api/v1/lists/restorations", headers=bearer("implementer")).json() == []


def _audit_count(api: TestClient) -> int:
    return len(api.get("/api/v1/audit/events?limit=1000", headers=PLATFORM).json())


@pytest.mark.parametrize(
    "case",
    ["record_withdrawn_twice", "verify_a_withdrawn_record", "decide_a_decided_restoration",
     "approve_an_approved_item", "designate_a_preliminary_entry",
     "decide_an_objection_not_yet_accepted"],
)  # fmt: skip
def test_illegal_moves_answer_409_and_change_nothing(
    api: TestClient, world: World, case: str
) -> None:
    """Each lifecycle's illegal moves through the API: 409 with a code, nothing written
    (the object's view, the audit log and the outbox are as before)."""
    w = world
    [record_id] = w.serious(1)
    if case in ("record_withdrawn_twice", "verify_a_withdrawn_record"):
        api.post(f"/api/v1/records/{record_id}/withdrawal", headers=PROVIDER, json={"reason": "x"})
        view = f"/api/v1/records/{record_id}"
        if case == "record_withdrawn_twice":
            call = ("post", f"/api/v1/records/{record_id}/withdrawal", PROVIDER, {"reason": "y"})
            code = "record.illegal_transition"
        else:
            call = (
                "post",
                f"/api/v1/records/{record_id}/verification",
                PLATFORM,
                {"passed": True, "reasons": []},
            )
            code = "verification.not_pending"
        headers = PLATFORM
    elif case == "decide_a_decided_restoration":
        eid = propose(api, w, restoration_after_months=0).json()["id"]
        notify_over_api(api, eid, DESIGNATOR)
        w.advance(8)
        api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR)
        app_id = api.post(
            f"/api/v1/lists/entries/{eid}/restoration",
            headers=PLATFORM,
            json={"applicant": "企业", "evidence": "已整改"},
        ).json()["id"]
        body = {"consent": False, "note": "证据不足"}
        path = f"/api/v1/lists/restorations/{app_id}/decision"
        assert api.post(path, headers=DESIGNATOR, json=body).status_code == 200
        call = ("post", path, DESIGNATOR, {"consent": True, "note": "改变主意"})
        view, headers, code = f"/api/v1/lists/entries/{eid}", PLATFORM, "restoration.decided"
    elif case == "approve_an_approved_item":
        items = api.get("/api/v1/catalog").json()
        item = next(i for i in items if i["code"] == "XZCF")
        call = ("post", f"/api/v1/catalog/items/{item['id']}/approve", PLATFORM, None)
        view, headers, code = "/api/v1/catalog/XZCF", PLATFORM, "catalog.not_draft"
    else:
        eid = propose(api, w).json()["id"]
        view, headers = f"/api/v1/lists/entries/{eid}", PLATFORM
        if case == "designate_a_preliminary_entry":
            call = ("post", f"/api/v1/lists/entries/{eid}/designation", DESIGNATOR, None)
            code = "entry.illegal_transition"
        else:
            # OBJ-6: acceptance is decided first; a decision before it changes nothing.
            notify_over_api(api, eid, DESIGNATOR)
            oid = file_objection(api, PLATFORM, "list_entry", eid).json()["id"]
            view = f"/api/v1/objections/{oid}"
            body = {"outcome": "dismissed", "reason": "无误"}
            call = ("post", f"/api/v1/objections/{oid}/decision", DESIGNATOR, body)
            code = "objection.illegal_transition"
    before = (api.get(view, headers=headers).json(), _audit_count(api))
    events_before = api.get("/api/v1/events", headers=PLATFORM).json()["next"]
    method, path, who, body = call
    error(api.request(method, path, headers=who, json=body), 409, code)
    assert (api.get(view, headers=headers).json(), _audit_count(api)) == before
    assert api.get("/api/v1/events", headers=PLATFORM).json()["next"] == events_before
