"""Notices are issued in Chinese, and Chinese throughout (LST-2, LST-4, DIS-4; a trial
finding: the Chinese written notice of a designation carried the English right to object
and an English explanation of its deadline)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from creditreg.clock import FixedClock
from creditreg.demo.dataset import demo_ric
from creditreg.services.context import Context
from tests.e2e.conftest import bearer
from tests.lists_world import PERSON, make_world
from tests.notice_delivery import notify_over_api
from tests.objection_helpers import file_objection

DESIGNATOR, PLATFORM = bearer("designator"), bearer("platform")
PERSONS = [{**PERSON, "id_number": demo_ric("41010519700101123")}]
# An English word: two lower-case Latin letters in a row. Codes in capitals (SCJG-HMD,
# XZCF), digits and ISO dates are not words.
ENGLISH = re.compile(r"[a-z]{2,}")


def texts(value: Any) -> list[str]:
    """Every piece of text in a notice's content."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in texts(v)]
    return []


def english_in(notice: dict[str, Any]) -> list[str]:
    return [t for t in texts(notice["content"]) if ENGLISH.search(t)]


def test_written_notices_and_warnings_are_chinese_throughout__LST_2_LST_4_DIS_4(
    api: TestClient, ctx: Context, clock: FixedClock
) -> None:
    w = make_world(ctx, clock)
    w.serious(1)
    made = api.post(
        "/api/v1/lists/entries",
        headers=DESIGNATOR,
        json={
            "standard": "SCJG-HMD",
            "subject_id": w.company(1),
            "facts": "销售不合格食品",
            "responsible_persons": PERSONS,
            "restoration_after_months": 0,
        },
    )
    assert made.status_code == 201, made.text
    eid = made.json()["id"]
    notified = notify_over_api(api, eid, DESIGNATOR).json()
    [notice] = [n for n in notified["notices"] if n["kind"] == "written_notice"]
    content = notice["content"]
    assert english_in(notice) == []
    assert "异议" in content["right_to_object"] and "复核" in content["right_to_object"]
    # The deadline explained: 5 working days from the printed notice's delivery (the
    # subject has no account, LST-2), the clause that sets them; delivered the same day,
    # the window ends 2026-03-09.
    assert content["explanation"].startswith("自本告知书送达之日起5个工作日内可以提出异议")
    assert "《条例》第二十八条" in content["explanation"]
    assert notified["window_due"] == "2026-03-09"
    assert "（SCJG-HMD，第1版）" in notified["basis"]  # the standard cited as in Chinese
    # The key-scrutiny warning after an early removal (RST-3, Op(18)) is Chinese too.
    w.advance(8)
    api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR)
    applied = api.post(
        f"/api/v1/lists/entries/{eid}/restoration",
        headers=PLATFORM,
        json={"applicant": "郑州示例贸易有限公司1", "evidence": "已缴清罚款并公开致歉"},
    ).json()
    api.post(
        f"/api/v1/lists/restorations/{applied['id']}/decision",
        headers=DESIGNATOR,
        json={"consent": True, "note": "同意提前移出"},
    )
    [scrutiny] = api.get(
        "/api/v1/lists/entries",
        params={"subject_id": w.company(1), "list_type": "key_scrutiny"},
        headers=PLATFORM,
    ).json()
    shown = api.get(f"/api/v1/lists/entries/{scrutiny['id']}", headers=PLATFORM).json()
    [warning] = [n for n in shown["notices"] if n["kind"] == "warning"]
    assert warning["content"]["scrutiny_period"] == "2026-03-10至2027-03-09"
    assert english_in(warning) == []
    assert not ENGLISH.search(shown["facts"]) and not ENGLISH.search(shown["basis"])
    # The public removal notice says its reason in Chinese on the portal.
    removal = [p for p in api.get("/api/v1/public/lists").json() if p["kind"] == "removal"]
    assert [p["content"]["reason"] for p in removal] == ["restoration"]  # the code, for machines
    page = api.get("/lists")
    assert page.status_code == 200 and "移出原因：信用修复" in page.text
    assert ">restoration<" not in page.text and "restoration" not in page.text.split("<table")[1]


def test_a_correction_notice_is_chinese__RST_5(
    api: TestClient, ctx: Context, clock: FixedClock
) -> None:
    w = make_world(ctx, clock)
    w.serious(1)
    eid = api.post(
        "/api/v1/lists/entries",
        headers=DESIGNATOR,
        json={
            "standard": "SCJG-HMD",
            "subject_id": w.company(1),
            "facts": "销售不合格食品",
            "responsible_persons": PERSONS,
        },
    ).json()["id"]
    notify_over_api(api, eid, DESIGNATOR)
    w.advance(8)
    api.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR)
    objected = file_objection(api, PLATFORM, "list_entry", eid, "认定错误")
    assert objected.status_code == 201, objected.text
    oid = objected.json()["id"]
    for step, body in (
        ("acceptance", {"accepted": True, "reason": "予以受理"}),
        ("decision", {"outcome": "upheld", "reason": "主体错误"}),
    ):
        resolved = api.post(f"/api/v1/objections/{oid}/{step}", headers=DESIGNATOR, json=body)
        assert resolved.status_code == 200, resolved.text
    [correction] = [p for p in api.get("/api/v1/public/lists").json() if p["kind"] == "correction"]
    assert correction["content"]["correction"] == "该名单信息经核实系错误认定，已予删除。"
