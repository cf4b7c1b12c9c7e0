"""The catalog of measures and the memoranda over HTTP (issue 11; MEA-1, MEA-2, MEA-6),
on SQLite and PostgreSQL: public reads, platform writes, typed answers, bad input."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from creditreg.demo.catalogs import STANDARDS
from tests.e2e.api.test_api import error
from tests.e2e.conftest import bearer

PLATFORM = bearer("platform")
DESIGNATOR = bearer("designator")
IMPLEMENTER = bearer("implementer")
MEASURE: dict[str, Any] = {
    "code": "LOCAL-1",
    "kind": "punishment",
    "trigger": "blacklist",
    "content": "限制申请省级财政性资金项目",
    "content_en": "No provincial funds",
    "legal_basis": "《社会信用条例》第三十四条第七项",
    "units": [4],
}
MEMO: dict[str, Any] = {
    "code": "MOU-API",
    "title": "接口测试备忘录",
    "effective_from": "2026-03-02",
    "signatories": [2],
    "items": [{"trigger": "blacklist", "field": None, "measure": "LOCAL-1", "unit_id": 4}],
}


def test_the_catalog_is_public__MEA_1(api: TestClient) -> None:
    listed = api.get("/api/v1/measures", params={"trigger": "red_list"})
    assert listed.status_code == 200, listed.text
    assert [m["code"] for m in listed.json()] == [f"ART30-{i}" for i in range(1, 9)]
    one = api.get("/api/v1/measures/art34-4").json()
    assert one["content"] == "限制高消费" and one["min_severity"] == "serious"
    error(api.get("/api/v1/measures/NOPE-1"), 404, "measure.not_found")
    memos = api.get("/api/v1/memoranda").json()
    assert {m["code"] for m in memos} == {"MOU-SCJG-JCCJ", "MOU-SCJG-SXJL"}
    jccj = api.get("/api/v1/memoranda/MOU-SCJG-JCCJ").json()
    assert jccj["status"] == "in_force" and 4 in jccj["signatories"]
    assert [(i["trigger"], i["measure"]) for i in jccj["items"]] == [
        ("blacklist", "ART34-1"),
        ("blacklist", "ART32-4"),
        ("key_scrutiny", "ART32-4"),
        ("untrustworthy_record", "ART32-4"),
    ]
    error(api.get("/api/v1/memoranda/MOU-NONE"), 404, "memorandum.not_found")
    # MEA-1, MEA-2: the catalog says who must apply a measure: the units the memoranda in
    # force oblige, by name (the reference measures name none of their own).
    art34 = api.get("/api/v1/measures/ART34-1").json()
    assert art34["units"] == []
    assert [(o["unit_id"], o["memorandum_code"]) for o in art34["obliged"]] == [
        (4, "MOU-SCJG-JCCJ")
    ]
    assert art34["obliged"][0]["unit_name"] and art34["obliged"][0]["field"] == "market_regulation"
    listed_34 = api.get("/api/v1/measures", params={"trigger": "blacklist"}).json()
    assert next(m for m in listed_34 if m["code"] == "ART34-1")["obliged"] == art34["obliged"]
    missing = api.get("/api/v1/memoranda/MOU-SCJG-JCCJ", params={"version": 9})
    assert "no version 9 of memorandum" in error(missing, 404, "memorandum.not_found")
    # A filter that names nothing is refused, not answered with an empty list.
    for path, params, code in (
        ("/api/v1/measures", {"status": "bogus"}, "measure.bad_status"),
        ("/api/v1/measures", {"trigger": "bogus"}, "measure.bad_trigger"),
        ("/api/v1/measures", {"kind": "bogus"}, "measure.bad_kind"),
        ("/api/v1/memoranda", {"status": "bogus"}, "memorandum.bad_status"),
    ):
        error(api.get(path, params=params), 422, code)
    assert len(api.get("/api/v1/measures", params={"status": "Active"}).json()) == 24
    assert len(api.get("/api/v1/memoranda", params={"status": "in_force"}).json()) == 2


def test_the_platform_compiles_the_catalog__MEA_1(api: TestClient) -> None:
    error(api.post("/api/v1/measures", json=MEASURE), 401, "auth.missing_token")
    error(
        api.post("/api/v1/measures", json=MEASURE, headers=DESIGNATOR),
        403,
        "access.missing_permission",
    )
    made = api.post("/api/v1/measures", json=MEASURE, headers=PLATFORM)
    assert made.status_code == 201, made.text
    assert made.json()["units"] == [4] and made.json()["status"] == "active"
    error(api.post("/api/v1/measures", json=MEASURE, headers=PLATFORM), 409, "measure.code_taken")
    for change, code in (
        ({"kind": "reward"}, "measure.bad_kind"),
        ({"trigger": "red_list"}, "measure.kind_mismatch"),
        ({"min_severity": "grave"}, "measure.bad_severity"),
        ({"units": [2]}, "measure.not_implementing_unit"),
        ({"content": ""}, "measure.missing_element"),
        ({"code": "ART99-1"}, "measure.bad_code"),  # the Regulations' codes are reserved
        ({"code": "art34-10"}, "measure.bad_code"),
    ):
        bad = {**MEASURE, "code": "LOCAL-X", **change}
        error(api.post("/api/v1/measures", json=bad, headers=PLATFORM), 422, code)
    changed = api.patch("/api/v1/measures/LOCAL-1", json={"units": []}, headers=PLATFORM)
    assert changed.status_code == 200 and changed.json()["units"] == [], changed.text
    # null leaves a field as it is (never the text "None"); kind, trigger and severity are
    # not corrected, and naming one is refused, not ignored.
    nulls = {"content": None, "content_en": None, "legal_basis": None, "facilitation": None}
    same = api.patch("/api/v1/measures/LOCAL-1", json=nulls, headers=PLATFORM)
    assert same.status_code == 200, same.text
    assert {k: same.json()[k] for k in nulls} == {
        "content": MEASURE["content"],
        "content_en": MEASURE["content_en"],
        "legal_basis": MEASURE["legal_basis"],
        "facilitation": False,
    }
    for fixed in ({"kind": "incentive"}, {"trigger": "red_list"}, {"min_severity": "general"}):
        refused = api.patch("/api/v1/measures/LOCAL-1", json=fixed, headers=PLATFORM)
        error(refused, 422, "request.invalid")
    assert api.get("/api/v1/measures/LOCAL-1").json()["kind"] == "punishment"
    gone = api.post("/api/v1/measures/LOCAL-1/withdraw", json={"reason": "x"}, headers=PLATFORM)
    assert gone.json()["status"] == "withdrawn", gone.text
    error(
        api.post("/api/v1/measures/LOCAL-1/withdraw", json={"reason": "x"}, headers=PLATFORM),
        409,
        "measure.illegal_transition",
    )
    # A withdrawn measure is no longer corrected.
    error(
        api.patch("/api/v1/measures/LOCAL-1", json={"content": "改"}, headers=PLATFORM),
        409,
        "measure.illegal_transition",
    )


def test_a_standard_names_catalog_codes__MEA_1_MEA_6(api: TestClient) -> None:
    base = {**STANDARDS[0], "code": "API-HMD"}
    for change, code in (
        ({"measures": ["NOPE-1"]}, "standard.unknown_measure"),
        ({"measures": ["ART30-1"]}, "standard.measure_wrong_list"),
        ({"severity": "general"}, "standard.measure_beyond_severity"),
        ({"severity": "grave"}, "standard.bad_severity"),
    ):
        refused = api.post("/api/v1/standards", json={**base, **change}, headers=DESIGNATOR)
        error(refused, 422, code)
    done = api.post(
        "/api/v1/standards", json={**base, "severity": "especially_serious"}, headers=DESIGNATOR
    )
    assert done.status_code == 201, done.text
    assert done.json()["standard"]["severity"] == "especially_serious"
    assert done.json()["standard"]["measures"] == ["ART34-1", "ART34-4"]


def test_memoranda_are_created_and_published_by_the_platform__MEA_2(api: TestClient) -> None:
    assert api.post("/api/v1/measures", json=MEASURE, headers=PLATFORM).status_code == 201
    error(api.post("/api/v1/memoranda", json=MEMO, headers=IMPLEMENTER), 403,
          "access.missing_permission")  # fmt: skip
    for item, code in (
        ({"measure": "NOPE-1"}, "memorandum.unknown_measure"),
        ({"unit_id": 2}, "memorandum.not_implementing_unit"),
        ({"trigger": "red_list"}, "memorandum.measure_wrong_list"),
        ({"field": "nowhere"}, "memorandum.unknown_field"),
    ):
        bad = {**MEMO, "items": [{**MEMO["items"][0], **item}]}
        error(api.post("/api/v1/memoranda", json=bad, headers=PLATFORM), 422, code)
    twice = {**MEMO, "items": [MEMO["items"][0], dict(MEMO["items"][0])]}
    error(api.post("/api/v1/memoranda", json=twice, headers=PLATFORM), 422,
          "memorandum.duplicate_item")  # fmt: skip
    late = {**MEMO, "effective_until": "2026-03-01"}
    error(api.post("/api/v1/memoranda", json=late, headers=PLATFORM), 422, "memorandum.bad_date")
    # The code is a path segment of the API: letters, digits, - and _ only.
    for code in ("bad code/", "MOU/1", "MOU?X", "备忘录"):
        error(api.post("/api/v1/memoranda", json={**MEMO, "code": code}, headers=PLATFORM),
              422, "memorandum.bad_code")  # fmt: skip
    assert {m["code"] for m in api.get("/api/v1/memoranda").json()} == {
        "MOU-SCJG-JCCJ", "MOU-SCJG-SXJL"
    }  # fmt: skip
    no_date = {k: v for k, v in MEMO.items() if k != "effective_from"}
    error(api.post("/api/v1/memoranda", json=no_date, headers=PLATFORM), 422, "request.invalid")
    made = api.post("/api/v1/memoranda", json=MEMO, headers=PLATFORM)
    assert made.status_code == 201, made.text
    assert (made.json()["status"], made.json()["signatories"]) == ("draft", [2, 4])
    # MEA-2: a draft is the platform's, not yet signed: not public until published.
    error(api.get("/api/v1/memoranda/MOU-API"), 404, "memorandum.not_found")
    assert "MOU-API" not in {m["code"] for m in api.get("/api/v1/memoranda").json()}
    error(api.get("/api/v1/memoranda", params={"status": "draft"}), 422, "memorandum.bad_status")
    published = api.post("/api/v1/memoranda/MOU-API/publish", headers=PLATFORM)
    assert published.status_code == 200 and published.json()["status"] == "in_force"
    assert api.get("/api/v1/memoranda/MOU-API").json()["status"] == "in_force"
    error(api.post("/api/v1/memoranda/MOU-API/publish", headers=PLATFORM), 409,
          "memorandum.already_published")  # fmt: skip
    error(api.post("/api/v1/memoranda/MOU-NONE/publish", headers=PLATFORM), 404,
          "memorandum.not_found")  # fmt: skip
    # A withdrawn measure cannot be named by the next version.
    api.post("/api/v1/measures/LOCAL-1/withdraw", json={"reason": "x"}, headers=PLATFORM)
    error(api.post("/api/v1/memoranda", json=MEMO, headers=PLATFORM), 422,
          "memorandum.unknown_measure")  # fmt: skip


def test_unit_ids_beyond_64_bits_are_refused_not_overflowed__MEA_1_MEA_2(
    api: TestClient,
) -> None:
    """A unit id larger than a BIGINT is a 422 with the request's code, nothing stored."""
    huge = 2**63
    for method, url, body in (
        ("post", "/api/v1/measures", {**MEASURE, "code": "LOCAL-BIG", "units": [huge]}),
        ("patch", "/api/v1/measures/ART34-4", {"units": [huge]}),
        ("post", "/api/v1/memoranda", {**MEMO, "code": "MOU-BIG", "signatories": [huge]}),
    ):
        error(getattr(api, method)(url, json=body, headers=PLATFORM), 422, "request.invalid")
    assert api.get("/api/v1/measures/LOCAL-BIG").status_code == 404
    assert api.get("/api/v1/memoranda/MOU-BIG").status_code == 404
