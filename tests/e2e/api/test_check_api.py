"""The check over HTTP (issue 11, part 3; MEA-3, MEA-6, MEA-7, SUB-4, SEC-2), on SQLite
and PostgreSQL: an implementing unit gets every entry in force with its grounds, the linked
persons' and organizations' entries (Art 35), the Art 32 records, the measures its own unit
must apply with their basis and memorandum, the green channel of a red-listed subject and
an under-objection mark; a clean subject gets an explicit clean answer; every answer is in
the query register with what it returned and its digest; bad input and wrong callers are
refused with a code and leave nothing but the registered, audited refusal."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from creditreg.api.schemas.measures_check import CheckAnswer, CheckBatchAnswer
from creditreg.clock import FixedClock
from creditreg.demo.dataset import demo_ric, demo_uscc
from creditreg.domain.access.principals import SYSTEM
from creditreg.domain.kernel.actor import Permission
from creditreg.services.access import access
from creditreg.services.context import Context
from tests.e2e.api.test_api import error
from tests.e2e.api.test_corrections_api import blacklisted
from tests.e2e.api.test_red_list_feedback_api import red_entry
from tests.e2e.conftest import bearer
from tests.factories import punishment_row
from tests.lists_world import World, make_world
from tests.objection_helpers import file_objection
from tests.register_rows import register_rows

IMPLEMENTER = bearer("implementer")
DESIGNATOR = bearer("designator")
PLATFORM = bearer("platform")
PERSON_RIC = demo_ric("41010519700101123")
NOBODY_USCC = demo_uscc("91410100MC0099999")


@pytest.fixture
def world(api: TestClient, ctx: Context, clock: FixedClock) -> World:
    return make_world(ctx, clock)


def uscc(i: int) -> str:
    return demo_uscc(f"91410100MC{i:07d}")


def check(api: TestClient, number: str, id_type: str = "uscc", **extra: Any) -> Any:
    body = {"id_type": id_type, "id_number": number, "purpose": "procurement", **extra}
    return api.post("/api/v1/check", headers=extra.pop("headers", IMPLEMENTER), json=body)


def ok(answer: Any) -> dict[str, Any]:
    """A check's answer, held to its documented model: the route serializes with orjson
    for speed, so the model (extra keys forbidden) is checked here, on every answer."""
    assert answer.status_code == 200, answer.text
    CheckAnswer.model_validate(answer.json())
    return dict(answer.json())


def link(api: TestClient, org: int, role: str = "legal_representative") -> int:
    person = api.post(
        "/api/v1/subjects",
        headers=PLATFORM,
        json={
            "kind": "natural_person",
            "id_type": "ric",
            "id_number": PERSON_RIC,
            "name": "王示例",
        },
    )
    assert person.status_code in (201, 409), person.text
    pid = (
        person.json()["id"]
        if person.status_code == 201
        else api.post(
            "/api/v1/subjects/lookup",
            headers=PLATFORM,
            json={"id_type": "ric", "id_number": PERSON_RIC},
        ).json()["id"]
    )
    made = api.post(
        f"/api/v1/subjects/{org}/links",
        headers=PLATFORM,
        json={"role": role, "person_id": pid, "valid_from": "2020-01-01"},
    )
    assert made.status_code == 201, made.text
    return int(pid)


def test_a_clean_subject_gets_an_explicit_clean_answer_and_is_registered__MEA_3_SEC_2(
    api: TestClient, world: World, ctx: Context
) -> None:
    api.post(
        "/api/v1/subjects",
        headers=PLATFORM,
        json={"kind": "legal_person", "id_type": "uscc", "id_number": uscc(7), "name": "清白公司"},
    )
    body = ok(check(api, uscc(7).lower()))
    assert body["found"] and body["clean"]
    assert body["entries"] == body["linked"] == body["records"] == body["measures"] == []
    assert body["subject"]["id_number"] == uscc(7) and body["as_of"]
    (row,) = register_rows(ctx, "check")
    assert row.id == body["check_id"] and row.subject_id == body["subject"]["id"]
    assert row.purpose == "check" and row.note == "procurement" and row.unit_id == 4
    assert row.answer_digest == body["answer_digest"] and len(body["answer_digest"]) == 64
    assert row.returned["entries"] == [] and row.returned["measures"] == []
    # An identifier no subject has: clean, found false, registered without a subject.
    nobody = ok(check(api, NOBODY_USCC))
    assert not nobody["found"] and nobody["clean"] and nobody["subject"] is None
    rows = register_rows(ctx, "check")
    assert (
        rows[-1].subject_id is None
        and rows[-1].object_id
        and NOBODY_USCC not in str(rows[-1].object_id)
    )


def test_a_blacklisted_subject_shows_its_entry_measures_and_linked_persons__MEA_3_SUB_4_MEA_6(
    api: TestClient, world: World, ctx: Context
) -> None:
    eid = blacklisted(api, world, 1)
    org = world.company(1)
    pid = link(api, org)
    body = ok(check(api, uscc(1)))
    assert not body["clean"]
    (entry,) = [e for e in body["entries"] if e["list_type"] == "blacklist"]
    assert entry["id"] == eid and entry["designated_on"] and entry["valid_until"]
    assert entry["grounds"] and entry["basis"] and entry["severity"] in ("serious", "general")
    assert entry["under_objection"] is False
    # The verified serious punishment behind it is an Art 32 record usable for discipline.
    assert body["records"] and all(r["untrustworthy_class"] for r in body["records"])
    codes = {m["code"] for m in body["measures"]}
    assert any(c.startswith("ART34-") for c in codes), codes
    for m in body["measures"]:
        assert m["legal_basis"] and m["memorandum_code"] and m["content"]
        assert m["entry_id"] == eid or m["record_id"] in {r["id"] for r in body["records"]}
    # The person answers for the blacklisted organization it heads (Art 35), its number
    # masked in the organization's answer.
    person = ok(check(api, PERSON_RIC, "ric"))
    (group,) = person["linked"]
    assert group["subject_id"] == org and [e["id"] for e in group["entries"]] == [eid]
    assert any(m["via_link"] and m["entry_id"] == eid for m in person["measures"])
    row = register_rows(ctx, "check")[-1]
    assert row.returned["linked_entries"] == [eid]
    linked_rows = register_rows(ctx, "check.linked")
    assert [(r.subject_id, r.object_id) for r in linked_rows] == [(org, str(pid))]
    # A unit that implements none of the memoranda's measures sees the entries, no measures.
    assert body["measures"]


def test_a_red_listed_subject_gets_the_green_channel__MEA_7_MEA_3(
    api: TestClient, world: World
) -> None:
    eid = red_entry(api, world, 2)
    body = ok(check(api, uscc(2)))
    assert [e["id"] for e in body["entries"]] == [eid]
    assert body["green_channel"] and all(m["kind"] == "incentive" for m in body["green_channel"])
    assert all(m["entry_id"] == eid for m in body["green_channel"])
    assert any(m["kind"] == "incentive" for m in body["measures"])


def test_an_open_objection_marks_the_entry__MEA_3_OBJ_1_OBJ_6(
    api: TestClient, world: World
) -> None:
    """Received, an objection to a designated entry marks it and stops nothing (anyone may
    object); accepted by the designating unit, it suspends the entry's measures until it
    is decided."""
    eid = blacklisted(api, world, 3)
    filed = file_objection(api, IMPLEMENTER, "list_entry", eid, grounds="信息有误")
    assert filed.status_code == 201, filed.text
    body = ok(check(api, uscc(3)))
    assert [(e["under_objection"], e["suspended"]) for e in body["entries"]] == [(True, False)]
    assert any(m["entry_id"] == eid for m in body["measures"])
    accepted = api.post(
        f"/api/v1/objections/{filed.json()['id']}/acceptance",
        headers=DESIGNATOR,
        json={"accepted": True, "reason": "予以受理"},
    )
    assert accepted.status_code == 200, accepted.text
    body = ok(check(api, uscc(3)))
    assert [(e["under_objection"], e["suspended"]) for e in body["entries"]] == [(True, True)]
    assert not any(m["entry_id"] == eid for m in body["measures"])


def test_a_batch_screens_many_identifiers_in_order_and_registers_each__MEA_3_SEC_2(
    api: TestClient, world: World, ctx: Context
) -> None:
    eid = blacklisted(api, world, 4)
    items = [
        {"id_type": "uscc", "id_number": uscc(4)},
        {"id_type": "uscc", "id_number": NOBODY_USCC},
    ]
    got = api.post(
        "/api/v1/check/batch",
        headers=IMPLEMENTER,
        json={"purpose": "public_resource_trading", "identifiers": items},
    )
    assert got.status_code == 200, got.text
    body = got.json()
    CheckBatchAnswer.model_validate(body)
    assert body["count"] == 2 and body["in_force"] == 1
    first, second = body["answers"]
    assert [e["id"] for e in first["entries"]] == [eid] and not second["found"]
    rows = register_rows(ctx, "check")
    assert [r.id for r in rows] == [first["check_id"], second["check_id"]]
    assert {r.note for r in rows} == {"public_resource_trading"}


def test_bad_input_is_refused_and_nothing_is_registered__MEA_3(
    api: TestClient, world: World, ctx: Context
) -> None:
    before = len(register_rows(ctx))
    unknown = error(check(api, uscc(1), "passport_of_mars"), 422, "subject.unknown_id_type")
    assert "lei" in unknown.split("one of:")[1]  # the check takes an LEI too
    error(check(api, "91410100MC000000X"), 422, "subject.invalid_uscc")
    error(check(api, uscc(1), purpose="curiosity"), 422, "check.unknown_purpose")
    error(check(api, uscc(1), purpose="other"), 422, "check.note_required")
    error(check(api, uscc(1), purpose="other", note="a\nb"), 422, "check.bad_note")
    # The note's length the OpenAPI document gives is the one the server takes.
    longest = api.get("/openapi.json").json()["components"]["schemas"]["CheckIn"]["properties"][
        "note"
    ]["anyOf"][0]["maxLength"]
    assert check(api, uscc(1), purpose="other", note="注" * longest).status_code == 200
    # Registered whole, whatever the purpose's name (SEC-2).
    whole = "记" * longest
    assert check(api, uscc(1), purpose="public_resource_trading", note=whole).status_code == 200
    assert register_rows(ctx, "check")[-1].note == f"public_resource_trading: {whole}"
    error(check(api, uscc(1), purpose="other", note="注" * (longest + 1)), 422, "request.invalid")
    before = len(register_rows(ctx))
    batch = "/api/v1/check/batch"
    error(
        api.post(batch, headers=IMPLEMENTER, json={"purpose": "procurement", "identifiers": []}),
        422,
        "check.empty_batch",
    )
    # One code however far over the limit (the schema's maxItems says 1,000 too).
    many = [{"id_type": "uscc", "id_number": uscc(i)} for i in range(1, 2001)]
    for n in (1001, 1002, 2000):
        body = {"purpose": "procurement", "identifiers": many[:n]}
        error(api.post(batch, headers=IMPLEMENTER, json=body), 422, "check.batch_too_large")
    twice = [
        {"id_type": "uscc", "id_number": uscc(1)},
        {"id_type": "USCC", "id_number": " " + uscc(1).lower()},
    ]
    dup = api.post(
        batch, headers=IMPLEMENTER, json={"purpose": "procurement", "identifiers": twice}
    )
    error(dup, 422, "check.duplicate_identifier")
    assert dup.json()["error"]["details"] == {"index": 1, "first": 0}
    assert len(register_rows(ctx)) == before


def test_a_batch_over_the_limit_is_refused_by_the_domain_too__MEA_3() -> None:
    from creditreg.domain.errors import InvalidInput
    from creditreg.domain.measures.check import BATCH_MAX, parse_batch

    with pytest.raises(InvalidInput) as raised:
        parse_batch([("uscc", uscc(i)) for i in range(1, BATCH_MAX + 2)])
    assert raised.value.code == "check.batch_too_large"


def test_a_caller_that_is_not_an_implementing_unit_is_refused_audited_and_registered__MEA_3_SEC_2(
    api: TestClient, world: World, ctx: Context
) -> None:
    blacklisted(api, world, 5)
    error(check(api, uscc(5), headers=DESIGNATOR), 403, "check.not_implementing_unit")
    # An implementing unit's token without the check scope.
    token = access.create_token(
        ctx, SYSTEM, unit_id=4, name="lists only", scopes=(Permission.LISTS_READ,)
    )
    error(
        check(api, uscc(5), headers={"Authorization": f"Bearer {token.token}"}),
        403,
        "access.missing_permission",
    )
    # Refused before anything it sent is judged: a bad purpose or identifier from a caller
    # that may not check is a 403, registered and audited like the others.
    error(
        check(api, "not-a-code", purpose="gossip", headers=DESIGNATOR),
        403,
        "check.not_implementing_unit",
    )
    refused = register_rows(ctx, "check.refused")
    assert [r.note for r in refused] == [
        "check.not_implementing_unit",
        "access.missing_permission",
        "check.not_implementing_unit",
    ]
    assert refused[-1].subject_id is None and refused[-1].object_id
    assert {r.subject_id for r in refused[:2]} == {world.company(5)}
    assert register_rows(ctx, "check") == []
    events = api.get(
        "/api/v1/audit/events", headers=PLATFORM, params={"object_type": "unit", "limit": 1000}
    ).json()
    assert [e["action"] for e in events if e["action"] == "check.run.refused"] == [
        "check.run.refused"
    ] * 3
    error(api.post("/api/v1/check", json={}), 401, "auth.missing_token")


def test_an_implementing_unit_reads_records_by_disclosure_mode_registered__DIS_1_SEC_2(
    api: TestClient, world: World, ctx: Context
) -> None:
    [rid] = world.serious(6)
    url = "/api/v1/check/records"
    body = {"id_type": "uscc", "id_number": uscc(6), "purpose": "licensing"}
    shared = api.post(url, headers=IMPLEMENTER, json={**body, "mode": "government_sharing"})
    assert shared.status_code == 200, shared.text
    got = shared.json()
    assert rid in [r["id"] for r in got["records"]]
    assert all(r["disclosure"] in ("public_display", "government_sharing") for r in got["records"])
    row = register_rows(ctx, "check.records")[-1]
    assert row.id == got["check_id"] and row.returned["records"] == [
        r["id"] for r in got["records"]
    ]
    assert row.answer_digest == got["answer_digest"] and row.note.startswith("licensing")
    public = api.post(url, headers=IMPLEMENTER, json={**body, "mode": "public_display"}).json()
    assert all(r["disclosure"] == "public_display" for r in public["records"])
    before = len(register_rows(ctx))
    error(
        api.post(url, headers=IMPLEMENTER, json={**body, "mode": "authorized_inquiry"}),
        422,
        "check.authorization_required",
    )
    error(
        api.post(url, headers=IMPLEMENTER, json={**body, "mode": "gossip"}), 422, "check.bad_mode"
    )
    error(
        api.post(
            url,
            headers=IMPLEMENTER,
            json={**body, "id_number": NOBODY_USCC, "mode": "public_display"},
        ),
        404,
        "subject.not_found",
    )
    assert len(register_rows(ctx)) == before
    error(
        api.post(url, headers=DESIGNATOR, json={**body, "mode": "public_display"}),
        403,
        "check.not_implementing_unit",
    )


def test_records_read_by_mode_carry_no_personal_number_in_clear__DIS_1_DIS_3(
    api: TestClient, world: World
) -> None:
    """Op(11), Op(24): the public-display mode shows what the public may see, and a unit
    without personal:read reads neither mode's personal numbers in clear (the check's
    grounds are masked for it the same way)."""
    ric = demo_ric("41010519800101123")
    row = punishment_row(
        16,
        serious_class="art33_2",
        legal_rep_id_type="身份证",
        legal_rep_id_number=ric,
        facts=f"法定代表人王示例（身份证{ric}，电话13812345678）未按期申报",
    )
    [rid] = world.submit("XZCF", [row])
    body = {"id_type": "uscc", "id_number": uscc(16), "purpose": "licensing"}
    for mode in ("public_display", "government_sharing"):
        answer = api.post("/api/v1/check/records", headers=IMPLEMENTER, json={**body, "mode": mode})
        assert answer.status_code == 200, answer.text
        [record] = [r for r in answer.json()["records"] if r["id"] == rid]
        assert ric not in answer.text and "13812345678" not in answer.text, mode
        assert record["data"]["legal_rep_id_number"] == ric[:4] + "*" * 12 + ric[-2:]
        assert "13*******78" in record["data"]["facts"]


def test_a_person_named_in_a_blacklist_entry_is_found_registered_or_not__SUB_4_MEA_3(
    api: TestClient, world: World, ctx: Context
) -> None:
    """Art 35: the legal representative the entry names (not a registered subject, no
    link) answers for the blacklisted organization; its measures extend to the person."""
    eid = blacklisted(api, world, 8)  # names 王示例 by resident ID (PERSON_RIC)
    body = ok(check(api, PERSON_RIC, "ric"))
    assert not body["found"] and not body["clean"] and body["subject"] is None
    (group,) = body["linked"]
    assert group["subject_id"] == world.company(8) and group["role"] == "legal_representative"
    assert [e["id"] for e in group["entries"]] == [eid]
    assert body["measures"] and all(m["via_link"] for m in body["measures"])
    row = register_rows(ctx, "check")[-1]
    assert row.subject_id is None and row.returned["linked_entries"] == [eid]
    assert PERSON_RIC not in str(row.object_id)
    # The organization's own check names the person only through its entry (masked there).
    org = ok(check(api, uscc(8)))
    assert [e["id"] for e in org["entries"]] == [eid] and org["linked"] == []


def test_an_organizations_entry_names_the_persons_its_measures_reach__SUB_4_MEA_3(
    api: TestClient, world: World
) -> None:
    """Art 35: a unit checking a blacklisted company learns which persons the entry names
    (its legal representative), masked as published, so that it can check them too."""
    from tests.e2e.api.test_corrections_api import PERSONS

    eid = blacklisted(api, world, 1)
    answer = ok(check(api, uscc(1)))
    [entry] = [e for e in answer["entries"] if e["id"] == eid]
    [person] = entry["responsible_persons"]
    number = PERSONS[0]["id_number"]
    assert person["name"] == PERSONS[0]["name"] and person["role"] == PERSONS[0]["role"]
    assert person["id_number"] == number[:4] + "*" * 12 + number[-2:]
    assert number not in str(answer)
    # The person, checked by that number, answers for the company (Art 35).
    theirs = ok(check(api, number, id_type="ric"))
    assert any(m["via_link"] and m["entry_id"] == eid for m in theirs["measures"])


def test_a_memorandums_new_version_applies_from_its_day_without_a_sweep__MEA_2(
    api: TestClient, world: World
) -> None:
    """Op(12): the check uses the version in force on its own day. A new version published
    for a later day applies from that day, and the earlier one no longer does, though the
    sweep that marks them has not run yet."""
    eid = blacklisted(api, world, 1)
    before = {m["code"] for m in ok(check(api, uscc(1)))["measures"] if m["entry_id"] == eid}
    assert before == {"ART34-1", "ART32-4"}
    later = (world.clock.now() + timedelta(days=2)).date().isoformat()
    made = api.post(
        "/api/v1/memoranda",
        headers=PLATFORM,
        json={
            "code": "MOU-SCJG-JCCJ",
            "title": "市场监管领域失信联合惩戒合作备忘录（第二版）",
            "effective_from": later,
            "signatories": [2, 4],
            "items": [
                {"trigger": "blacklist", "field": "market_regulation", "measure": "ART34-1",
                 "unit_id": 4},
            ],
        },
    )  # fmt: skip
    assert made.status_code == 201, made.text
    assert api.post("/api/v1/memoranda/MOU-SCJG-JCCJ/publish", headers=PLATFORM).status_code == 200
    still = {m["code"] for m in ok(check(api, uscc(1)))["measures"] if m["entry_id"] == eid}
    assert still == before  # not yet its day
    world.clock.set(world.clock.now() + timedelta(days=2))  # no sweep has run
    after = ok(check(api, uscc(1)))["measures"]
    assert {m["code"] for m in after if m["entry_id"] == eid} == {"ART34-1"}
    assert {m["memorandum_version"] for m in after if m["entry_id"] == eid} == {2}
