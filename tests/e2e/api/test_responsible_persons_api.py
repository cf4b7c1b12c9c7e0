"""A responsible person's ID number is validated and matched to the registered person, when
linked to an organization and when named in a list entry (SUB-2, SUB-4; a trial finding:
a number given with a link was silently ignored, one named in an entry never matched)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from creditreg.clock import FixedClock
from creditreg.demo.dataset import demo_ric, demo_uscc
from creditreg.services.context import Context
from tests.e2e.api.test_api import error
from tests.e2e.conftest import bearer
from tests.lists_world import make_world

PLATFORM = bearer("platform")
PERSON_RIC = demo_ric("41010519800202123")
OTHER_RIC = demo_ric("41010519800303123")


def register(api: TestClient, kind: str, id_type: str, number: str, name: str) -> int:
    made = api.post(
        "/api/v1/subjects",
        json={"kind": kind, "id_type": id_type, "id_number": number, "name": name},
        headers=PLATFORM,
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def links(api: TestClient, org: int) -> list[Any]:
    answer = api.get(f"/api/v1/subjects/{org}/links", headers=PLATFORM)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def test_an_id_number_given_with_a_link_is_checked_against_the_person__SUB_2_SUB_4(
    api: TestClient,
) -> None:
    org = register(api, "legal_person", "uscc", demo_uscc("91410100MA0000771"), "示例科技有限公司")
    person = register(api, "natural_person", "ric", PERSON_RIC, "李示例")
    other = register(api, "natural_person", "ric", OTHER_RIC, "赵示例")
    url = f"/api/v1/subjects/{org}/links"
    base = {"role": "legal_representative", "valid_from": "2024-01-01"}
    # Another registered person's number, a number nobody has, a number that fails its
    # check digit: refused, and nothing is linked.
    for number, status, code in (
        (OTHER_RIC, 422, "subject.person_mismatch"),
        (demo_ric("41010519800404123"), 422, "subject.person_mismatch"),
        (PERSON_RIC[:-1] + ("0" if PERSON_RIC[-1] != "0" else "1"), 422, "subject.invalid_ric"),
    ):
        sent = api.post(
            url, json={**base, "person_id": person, "id_number": number}, headers=PLATFORM
        )
        message = error(sent, status, code)
        assert OTHER_RIC not in message and PERSON_RIC not in message  # says whose: nobody's
    error(
        api.post(url, json={**base, "id_number": demo_ric("41010519800404123")}, headers=PLATFORM),
        404,
        "subject.not_found",
    )
    error(api.post(url, json=base, headers=PLATFORM), 422, "subject.no_identifier")
    assert links(api, org) == []
    # The number as typed (spaces, a lower-case x) is normalised and matched.
    typed = " ".join([PERSON_RIC[:6], PERSON_RIC[6:14], PERSON_RIC[14:].lower()])
    linked = api.post(url, json={**base, "person_id": person, "id_number": typed}, headers=PLATFORM)
    assert linked.status_code == 201, linked.text
    # The number alone names the person.
    by_number = api.post(
        url, json={**base, "role": "principal", "id_number": OTHER_RIC}, headers=PLATFORM
    )
    assert by_number.status_code == 201, by_number.text
    assert by_number.json()["person_id"] == other
    assert [(link["role"], link["person"]["id"]) for link in links(api, org)] == [
        ("legal_representative", person),
        ("principal", other),
    ]


def test_a_person_named_in_an_entry_with_a_registered_number_is_that_person__SUB_2_LST_7(
    api: TestClient, ctx: Context, clock: FixedClock
) -> None:
    w = make_world(ctx, clock)
    w.serious(1)
    register(api, "natural_person", "ric", PERSON_RIC, "李示例")
    designator = bearer("designator")

    def propose(name: str) -> Any:
        return api.post(
            "/api/v1/lists/entries",
            headers=designator,
            json={
                "standard": "SCJG-HMD",
                "subject_id": w.company(1),
                "facts": "销售不合格食品",
                "responsible_persons": [
                    {"role": "legal_representative", "name": name, "id_number": PERSON_RIC}
                ],
            },
        )

    message = error(propose("王冒名"), 422, "subject.person_mismatch")
    assert "李示例" not in message and PERSON_RIC not in message
    assert api.get("/api/v1/lists/entries", headers=designator).json() == []
    made = propose("李示例")
    assert made.status_code == 201, made.text


def test_a_person_both_linked_and_named_is_listed_once__SUB_4_LST_7(
    api: TestClient, ctx: Context, clock: FixedClock
) -> None:
    w = make_world(ctx, clock)
    w.serious(1)
    person = register(api, "natural_person", "ric", PERSON_RIC, "李示例")
    linked = api.post(
        f"/api/v1/subjects/{w.company(1)}/links",
        json={"role": "legal_representative", "valid_from": "2024-01-01", "person_id": person},
        headers=PLATFORM,
    )
    assert linked.status_code == 201, linked.text
    made = api.post(
        "/api/v1/lists/entries",
        headers=bearer("designator"),
        json={
            "standard": "SCJG-HMD",
            "subject_id": w.company(1),
            "facts": "销售不合格食品",
            "responsible_persons": [
                {"role": "legal_representative", "name": "李示例", "id_number": PERSON_RIC}
            ],
        },
    )
    assert made.status_code == 201, made.text
    persons = made.json()["subject"]["responsible_persons"]
    assert [(p["role"], p["name"]) for p in persons] == [("legal_representative", "李示例")]
