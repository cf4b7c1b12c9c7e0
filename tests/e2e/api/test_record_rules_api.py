"""Catalog classes, classification and privacy over HTTP, on SQLite and PostgreSQL.

These rules were shown at service level only (tests/integration/records); here the
catalog, the records and the consents are driven through the public API.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi.testclient import TestClient

from creditreg.demo.catalogs import PUNISHMENT, STANDARDS
from creditreg.demo.dataset import demo_ric
from creditreg.domain.privacy import CONSENT_WARNING
from tests.e2e.api.test_api import error
from tests.e2e.conftest import bearer
from tests.factories import person_punishment_row, punishment_row
from tests.lists_world import PERSON

PLATFORM = bearer("platform")
PROVIDER = bearer("provider")
DESIGNATOR = bearer("designator")
PERSONS = [{**PERSON, "id_number": demo_ric("41010519700101123")}]  # a company's (Art 35)
PROVIDER_UNIT = 3  # the demo providing unit (the third demo unit)
# Art 12 (1)-(7), in the words of the catalog.
ART_12_CLASSES = [
    "registration",
    "administrative_acts",
    "public_functions",
    "commendations",
    "criminal_judgments",
    "refusal_to_perform",
    "other",
]


# Art 27: property-fee arrears, with the field that says they were verified according to law.
ARREARS = {
    **PUNISHMENT,
    "code": "WYQF",
    "name": "物业费欠缴信息",
    "fee_arrears": True,
    "template": [
        *PUNISHMENT["template"],
        {"name": "arrears_verified", "label": "欠费已依法核实", "type": "boolean",
         "role": "arrears_verified"},
    ],
}  # fmt: skip


def pending_ids(api: TestClient) -> set[int]:
    listed = api.get("/api/v1/records/verification", headers=PLATFORM)
    assert listed.status_code == 200, listed.text
    return {int(r["id"]) for r in listed.json()}


def submit(api: TestClient, row: dict[str, Any], code: str = "XZCF") -> int:
    """Submit one record as the demo provider; its id, from the verification queue."""
    before = pending_ids(api)
    sent = api.post("/api/v1/records", json={"catalog": code, "data": row}, headers=PROVIDER)
    assert sent.status_code == 201, sent.text
    [new] = pending_ids(api) - before
    return new


def verified(api: TestClient, row: dict[str, Any], code: str = "XZCF") -> dict[str, Any]:
    """Submit, verify and (for a punishment) report it upheld: a record that counts today."""
    rid = submit(api, row, code)
    passed = api.post(
        f"/api/v1/records/{rid}/verification", json={"passed": True}, headers=PLATFORM
    )
    assert passed.status_code == 200, passed.text
    if api.get(f"/api/v1/records/{rid}", headers=PLATFORM).json()["untrustworthy_class"]:
        # An Art 20(2) punishment counts once upheld (ING-5).
        upheld = api.post(
            f"/api/v1/records/{rid}/review-outcome", json={"outcome": "upheld"}, headers=PROVIDER
        )
        assert upheld.status_code == 200, upheld.text
    shown = api.get(f"/api/v1/records/{rid}", headers=PLATFORM)
    assert shown.status_code == 200, shown.text
    return dict(shown.json())


def draft_and_approve(api: TestClient, item: dict[str, Any]) -> Any:
    drafted = api.post(
        "/api/v1/catalog/items",
        json={"providing_unit_id": PROVIDER_UNIT, "item": item},
        headers=PLATFORM,
    )
    if drafted.status_code != 201:
        return drafted
    approved = api.post(f"/api/v1/catalog/items/{drafted.json()['id']}/approve", headers=PLATFORM)
    assert approved.status_code == 200, approved.text
    return approved


def test_the_seven_art_12_classes_are_the_catalogs_top_level_classes__CAT_3(
    api: TestClient,
) -> None:
    for n, content_class in enumerate(ART_12_CLASSES, start=1):
        item = {
            **PUNISHMENT,
            "code": f"C12X{n}",
            "name": f"第十二条第{n}项",
            "content_class": content_class,
        }
        made = draft_and_approve(api, item)
        assert made.status_code == 200, made.text
        assert made.json()["content_class"] == content_class
    # No eighth class: the refusal names the seven.
    message = error(
        api.post(
            "/api/v1/catalog/items",
            json={
                "providing_unit_id": PROVIDER_UNIT,
                "item": {**PUNISHMENT, "code": "C12X8", "content_class": "market_behaviour"},
            },
            headers=PLATFORM,
        ),
        422,
        "catalog.bad_class",
    )
    assert all(c in message for c in ART_12_CLASSES)
    # The public catalog shows every item under one of the seven, each class together.
    published = api.get("/api/v1/catalog").json()
    classes = [item["content_class"] for item in published]
    assert set(classes) == set(ART_12_CLASSES)
    assert classes == sorted(classes, key=classes.index)  # each class's items together
    assert "C12X8" not in {item["code"] for item in published}
    assert api.get("/api/v1/catalog/C12X5").json()["content_class"] == "criminal_judgments"


def test_art_33_serious_classes_classify_records_and_drive_standards__STD_4(
    api: TestClient,
) -> None:
    # Every Art 33 (1)-(10) class is accepted and kept with the record, as serious.
    for n in range(1, 11):
        rec = verified(
            api, punishment_row(n, decision_number=f"罚〔2026〕{n}号", serious_class=f"art33_{n}")
        )
        assert rec["serious_class"] == f"art33_{n}" and rec["severity"] == "serious"
    # An eleventh is refused, row by row, and nothing is stored.
    refused = api.post(
        "/api/v1/records",
        json={"catalog": "XZCF", "data": punishment_row(11, serious_class="art33_11")},
        headers=PROVIDER,
    )
    assert refused.status_code == 422, refused.text
    [problem] = refused.json()["error"]["details"]["rejected"]
    assert problem["field"] == "serious_class"
    # A standard over one Art 33 class proposes only the subjects with that conduct.
    standard = {
        "code": "SCJG-JMXF",
        "field": "market_regulation",
        "list_type": "blacklist",
        "scope": "national",
        "title": "侵害消费者权益严重失信（第三十三条第三项）",
        "legal_basis": "《社会信用条例》第三十三条第三项",
        "procedure": "初步名单 → 书面告知 → 异议期 → 认定",
        "rule": {"catalog_codes": ["XZCF"], "serious_classes": ["art33_3"], "min_count": 1},
        "validity_months": 36,
        "window_days": 5,
        "restoration": {"restorable": True, "method": "整改", "after_months": 12},
        "scrutiny_months": 12,
        "measures": ["ART34-1"],
    }
    published = api.post("/api/v1/standards", json=standard, headers=DESIGNATOR)
    assert published.status_code == 201, published.text
    assert "art33_3" in published.json()["standard"]["rule_text"]
    candidates = api.get("/api/v1/standards/SCJG-JMXF/candidates", headers=DESIGNATOR).json()
    third = verified_subject(api, 3)
    assert [c["subject_id"] for c in candidates] == [third]
    bad = {
        **standard,
        "code": "SCJG-X",
        "rule": {**standard["rule"], "serious_classes": ["art33_0"]},
    }
    error(api.post("/api/v1/standards", json=bad, headers=DESIGNATOR), 422, "standard.bad_rule")


def verified_subject(api: TestClient, i: int) -> int:
    """The subject id of punishment_row(i)'s company, looked up by its code."""
    found = api.post(
        "/api/v1/subjects/lookup",
        json={"id_type": "uscc", "id_number": punishment_row(i)["uscc"]},
        headers=PLATFORM,
    )
    assert found.status_code == 200, found.text
    return int(found.json()["id"])


def test_records_that_may_never_ground_discipline_are_marked_and_never_proposed__ING_4(
    api: TestClient,
) -> None:
    # Art 13: a person's punishment under the simplified procedure, or a corrected minor
    # violation; serious enough for the blacklist standard otherwise, as the third is.
    simplified = verified(
        api, person_punishment_row(1, serious_class="art33_2", simplified_procedure="是")
    )
    corrected = verified(
        api, person_punishment_row(2, serious_class="art33_2", corrected_minor="是")
    )
    counted = verified(api, person_punishment_row(3, serious_class="art33_2"))
    for rec in (simplified, corrected):
        assert rec["usable_for_discipline"] is False
        assert rec["discipline_block"].startswith("Art 13")
    assert counted["usable_for_discipline"] is True and counted["discipline_block"] is None
    candidates = api.get("/api/v1/standards/SCJG-HMD/candidates", headers=DESIGNATOR).json()
    assert [c["subject_id"] for c in candidates] == [counted["subject_id"]]
    # Art 27: public-utility or property-fee arrears count only once verified according to
    # law; a standard over them proposes the verified arrears, never the others.
    assert draft_and_approve(api, ARREARS).status_code == 200
    unverified = verified(api, punishment_row(4), code="WYQF")
    confirmed = verified(api, punishment_row(5, arrears_verified="是"), code="WYQF")
    assert unverified["usable_for_discipline"] is False
    assert unverified["discipline_block"].startswith("Art 27")
    assert confirmed["usable_for_discipline"] is True
    fees = {**STANDARDS[0], "code": "WYQF-HMD", "rule": {"catalog_codes": ["WYQF"], "min_count": 1}}
    assert api.post("/api/v1/standards", json=fees, headers=DESIGNATOR).status_code == 201
    candidates = api.get("/api/v1/standards/WYQF-HMD/candidates", headers=DESIGNATOR).json()
    assert [c["subject_id"] for c in candidates] == [confirmed["subject_id"]]
    # A proposal resting on a marked record is refused, and nothing is listed.
    for standard, rec in (
        ("SCJG-HMD", simplified),
        ("SCJG-HMD", corrected),
        ("WYQF-HMD", unverified),
    ):
        proposed = api.post(
            "/api/v1/lists/entries",
            headers=DESIGNATOR,
            json={
                "standard": standard,
                "subject_id": rec["subject_id"],
                "facts": "x",
                **({"responsible_persons": PERSONS} if standard == "WYQF-HMD" else {}),
            },
        )
        error(proposed, 409, "entry.not_qualified")
        assert proposed.json()["error"]["details"]["rule_inputs"]["count"] == 0
        listed = api.get(
            "/api/v1/lists/entries", params={"subject_id": rec["subject_id"]}, headers=PLATFORM
        )
        assert listed.json() == []
    # The counted ones are proposed (the same path, so the refusals above are the marks').
    for standard, rec in (("SCJG-HMD", counted), ("WYQF-HMD", confirmed)):
        proposed = api.post(
            "/api/v1/lists/entries",
            headers=DESIGNATOR,
            json={
                "standard": standard,
                "subject_id": rec["subject_id"],
                "facts": "x",
                **({"responsible_persons": PERSONS} if standard == "WYQF-HMD" else {}),
            },
        )
        assert proposed.status_code == 201, proposed.text


def income_item() -> dict[str, Any]:
    income = {
        "name": "annual_income",
        "label": "年收入（万元）",
        "type": "decimal",
        "category": "income",
    }
    return {
        **PUNISHMENT,
        "code": "SRXX",
        "name": "收入信息",
        "template": [*PUNISHMENT["template"], income],
    }


def test_forbidden_fields_are_refused_and_income_needs_written_consent__PRI_2(
    api: TestClient,
) -> None:
    # Art 45: a template asking for what is never collected is refused, whatever it is called.
    for field, category in (
        ({"name": "religion", "label": "宗教信仰", "type": "string"}, "religious_faith"),
        ({"name": "dna_sample", "label": "样本", "type": "string"}, "genetics"),
        ({"name": "print", "label": "指纹", "type": "string"}, "fingerprints"),
        ({"name": "blood", "label": "血型", "type": "string"}, "blood_type"),
        ({"name": "ill", "label": "疾病", "type": "string"}, "illness"),
        ({"name": "notes", "label": "备注", "type": "string", "category": "medical_history"},
         "medical_history"),
    ):  # fmt: skip
        item = {**PUNISHMENT, "code": "JZXX", "template": [*PUNISHMENT["template"], field]}
        refused = api.post(
            "/api/v1/catalog/items",
            json={"providing_unit_id": PROVIDER_UNIT, "item": item},
            headers=PLATFORM,
        )
        error(refused, 422, "privacy.forbidden_category")
        assert refused.json()["error"]["details"]["category"] == category
    assert api.get("/api/v1/catalog/JZXX").status_code == 404
    # Income may be collected, but only about a person who consented in writing after the
    # warning of the consequences.
    assert draft_and_approve(api, income_item()).status_code == 200
    row = person_punishment_row(1, annual_income="12.5")
    without = api.post("/api/v1/records", json={"catalog": "SRXX", "data": row}, headers=PROVIDER)
    assert without.status_code == 422
    assert [r["code"] for r in without.json()["error"]["details"]["rejected"]] == [
        "privacy.no_consent"
    ]
    person = api.post(
        "/api/v1/subjects/lookup",
        json={"id_type": "ric", "id_number": demo_ric("41010519900101001")},
        headers=PLATFORM,
    )
    assert person.status_code == 404  # nothing about the person was stored
    assert submit(api, person_punishment_row(1)) > 0  # a punishment registers the person
    person_id = int(
        api.post(
            "/api/v1/subjects/lookup",
            json={"id_type": "ric", "id_number": demo_ric("41010519900101001")},
            headers=PLATFORM,
        ).json()["id"]
    )
    consent = {
        "subject_id": person_id,
        "unit_id": PROVIDER_UNIT,
        "categories": ["income"],
        "purpose": "信用评价",
        "written": True,
        "warning_shown": CONSENT_WARNING,
        "granted_on": "2026-03-01",
    }
    for wrong, code in (
        ({"written": False}, "privacy.needs_written_consent"),
        ({"warning_shown": ""}, "privacy.needs_written_consent"),
        ({"categories": ["income", "blood_type"]}, "privacy.forbidden_category"),
    ):
        error(api.post("/api/v1/consents", json={**consent, **wrong}, headers=PROVIDER), 422, code)
    refused = api.post("/api/v1/records", json={"catalog": "SRXX", "data": row}, headers=PROVIDER)
    assert refused.status_code == 422  # none of those was a consent
    assert api.post("/api/v1/consents", json=consent, headers=PROVIDER).status_code == 201
    stored = api.post("/api/v1/records", json={"catalog": "SRXX", "data": row}, headers=PROVIDER)
    assert stored.status_code == 201, stored.text
    assert stored.json()["stored"] == 1


def test_a_record_holds_nothing_beyond_its_approved_template__PRI_3(api: TestClient) -> None:
    """Art 46: private information unrelated to the public interest is not recorded."""
    before = pending_ids(api)
    extra = punishment_row(1, spouse_name="某某", home_address="某市某路1号")
    refused = api.post("/api/v1/records", json={"catalog": "XZCF", "data": extra}, headers=PROVIDER)
    assert refused.status_code == 422
    assert {(r["field"], r["code"]) for r in refused.json()["error"]["details"]["rejected"]} == {
        ("spouse_name", "record.unknown_field"),
        ("home_address", "record.unknown_field"),
    }
    batch = api.post(
        "/api/v1/records/batches",
        json={"catalog": "XZCF", "rows": [punishment_row(2), {**punishment_row(3), "hobby": "x"}]},
        headers=PROVIDER,
    )
    assert batch.status_code == 422 and batch.json()["error"]["details"]["stored"] == 0
    # A file with a column the template does not have is refused before any row is read.
    columns = [*(f["name"] for f in PUNISHMENT["template"]), "spouse_name"]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(columns)
    writer.writerow([extra.get(c, "") for c in columns])
    uploaded = api.post(
        "/api/v1/records/uploads",
        files={"file": ("rows.csv", text.getvalue().encode())},
        data={"catalog": "XZCF"},
        headers=PROVIDER,
    )
    error(uploaded, 422, "file.bad_header")
    assert pending_ids(api) == before  # nothing stored, not even the clean rows
    # What is stored is exactly the template's fields, nothing added on the way.
    rid = submit(api, punishment_row(4))
    data = api.get(f"/api/v1/records/{rid}", headers=PLATFORM).json()["data"]
    template = {f["name"] for f in PUNISHMENT["template"]}
    assert set(data) <= template
    assert {k for k, v in data.items() if v is not None} == set(punishment_row(4))


def test_an_upheld_review_outcome_writes_a_domain_event__ING_5(api: TestClient) -> None:
    """A trial finding: upholding a punishment changed when it counts (`final_on`) and
    wrote an audit event, but no domain event, so outbox readers never heard of it."""
    rid = submit(api, punishment_row(7))
    start = api.get("/api/v1/events", headers=PLATFORM).json()["next"]
    upheld = api.post(
        f"/api/v1/records/{rid}/review-outcome", json={"outcome": "upheld"}, headers=PROVIDER
    )
    assert upheld.status_code == 200, upheld.text
    page = api.get(f"/api/v1/events?after={start}", headers=PLATFORM).json()
    [event] = page["events"]
    assert (event["kind"], event["object_type"], event["object_id"]) == (
        "record.upheld",
        "record",
        str(rid),
    )
    assert event["payload"]["final_on"] == upheld.json()["final_on"] == "2026-03-02"
    assert event["payload"]["record_id"] == rid and event["payload"]["status"] == "received"
    # A refused outcome changes nothing and writes no event.
    withdrawn = api.post(
        f"/api/v1/records/{rid}/withdrawal", json={"reason": "撤销"}, headers=PROVIDER
    )
    assert withdrawn.status_code == 200, withdrawn.text
    after = api.get(f"/api/v1/events?after={page['next']}", headers=PLATFORM).json()
    error(
        api.post(
            f"/api/v1/records/{rid}/review-outcome", json={"outcome": "upheld"}, headers=PROVIDER
        ),
        409,
        "record.not_live",
    )
    assert api.get(f"/api/v1/events?after={after['next']}", headers=PLATFORM).json()["events"] == []


def test_a_catalog_item_is_filed_under_a_field_its_provider_works_in__CAT_1_RIG_2(
    api: TestClient,
) -> None:
    """Issue 10, part 9: specialised reports go field by field; an item names its field
    (sector) of the taxonomy, one its providing unit works in, or takes the unit's first."""
    made = draft_and_approve(api, {**PUNISHMENT, "code": "FLD1", "field": "taxation"})
    assert made.status_code == 200, made.text
    assert made.json()["field"] == "taxation"
    assert api.get("/api/v1/catalog/FLD1").json()["field"] == "taxation"
    default = draft_and_approve(api, {**PUNISHMENT, "code": "FLD2"})
    assert default.json()["field"] == "taxation"  # the unit's first, in taxonomy order
    error(draft_and_approve(api, {**PUNISHMENT, "code": "FLD3", "field": "astrology"}), 422,
          "catalog.unknown_field")  # fmt: skip
    error(draft_and_approve(api, {**PUNISHMENT, "code": "FLD4", "field": "construction"}), 422,
          "catalog.field_out_of_scope")  # fmt: skip
    assert {i["code"] for i in api.get("/api/v1/catalog").json()} >= {"FLD1", "FLD2"}
    assert "FLD3" not in {i["code"] for i in api.get("/api/v1/catalog").json()}


def test_a_template_s_fields_are_checked_when_drafted__CAT_1_CAT_2(api: TestClient) -> None:
    """A hostile tryout drafted templates with max_length 0, -1 or 2^62, a choice listed
    twice, a field conditional on itself and two fields of one label: each is refused with
    its code now, and nothing is drafted."""
    fields = [dict(f) for f in PUNISHMENT["template"]]

    def drafted(template: list[dict[str, Any]]) -> Any:
        return api.post(
            "/api/v1/catalog/items",
            json={"providing_unit_id": PROVIDER_UNIT, "item": {**PUNISHMENT, "code": "TPLX",
                                                               "template": template}},
            headers=PLATFORM,
        )  # fmt: skip

    for longest in (0, -1, 2**62):
        bad = [{**fields[0], "max_length": longest}, *fields[1:]]
        error(drafted(bad), 422, "catalog.bad_field")
    choice = next(i for i, f in enumerate(fields) if f["type"] == "choice")
    twice = {
        **fields[choice],
        "choices": [*fields[choice]["choices"], fields[choice]["choices"][0]],
    }
    error(drafted([*fields[:choice], twice, *fields[choice + 1 :]]), 422, "catalog.bad_field")
    itself = {**fields[1], "presence": "conditional", "when_field": fields[1]["name"],
              "when_value": "x"}  # fmt: skip
    error(drafted([fields[0], itself, *fields[2:]]), 422, "catalog.bad_condition")
    same_label = {**fields[1], "label": fields[0]["label"]}
    error(drafted([fields[0], same_label, *fields[2:]]), 422, "catalog.duplicate_field")
    number = next(i for i, f in enumerate(fields) if f.get("id_type_field"))
    pointing = {**fields[number], "id_type_field": "facts"}  # not a choice of id types
    error(drafted([*fields[:number], pointing, *fields[number + 1 :]]), 422, "catalog.bad_field")
    assert [i for i in api.get("/api/v1/catalog").json() if i["code"] == "TPLX"] == []


def test_a_legal_representative_s_document_number_is_checked__SUB_2_ING_1(
    api: TestClient,
) -> None:
    """A row whose legal representative's resident ID has a wrong check character was
    stored; the template checks it as the type its neighbouring field names."""
    before = pending_ids(api)
    good = demo_ric("41010519700101123")
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    row = punishment_row(1, legal_rep_id_type="身份证", legal_rep_id_number=wrong)
    refused = api.post("/api/v1/records", json={"catalog": "XZCF", "data": row}, headers=PROVIDER)
    assert refused.status_code == 422, refused.text
    [problem] = refused.json()["error"]["details"]["rejected"]
    assert problem["field"] == "legal_rep_id_number" and problem["code"] == "record.bad_value"
    assert wrong not in refused.text  # the error does not repeat the number
    assert pending_ids(api) == before
    kept = punishment_row(2, legal_rep_id_type="身份证", legal_rep_id_number=good)
    assert submit(api, kept)


def test_a_record_s_values_may_not_contradict_each_other__ING_1_STD_4_DIS_2(
    api: TestClient,
) -> None:
    """A display that ends before the decision, or a serious class of Art 33 given with a
    severity short of serious, was stored as sent (a hostile tryout's finding)."""
    before = pending_ids(api)
    for row, field in (
        (
            punishment_row(1, decision_date="2026-02-27", publish_until="2026-01-01"),
            "publish_until",
        ),
        (punishment_row(2, severity="general", serious_class="art33_2"), "serious_class"),
        # A validity (the valid_until role) ends no earlier than the decision either.
        (
            punishment_row(4, decision_date="2026-02-27", valid_until="2025-01-01"),
            "valid_until",
        ),
    ):
        refused = api.post(
            "/api/v1/records", json={"catalog": "XZCF", "data": row}, headers=PROVIDER
        )
        assert refused.status_code == 422, refused.text
        [problem] = refused.json()["error"]["details"]["rejected"]
        assert problem["field"] == field and problem["code"] == "record.bad_value"
    assert pending_ids(api) == before
    assert submit(api, punishment_row(3, severity="serious", serious_class="art33_2"))
