"""Error codes over HTTP: one code per concept, one status per code (issue 9, defect 10)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from creditreg.clock import FixedClock
from creditreg.demo.dataset import demo_ric, demo_uscc
from creditreg.domain.access.principals import SYSTEM, Level, UnitKind
from creditreg.domain.kernel.actor import Permission
from creditreg.services.access import access
from creditreg.services.context import Context
from tests.e2e.api.test_api import error
from tests.e2e.conftest import bearer
from tests.lists_world import PERSON, make_world

DESIGNATOR = bearer("designator")
PERSONS = [{**PERSON, "id_number": demo_ric("41010519700101123")}]


def test_another_designating_unit_is_refused_with_the_entry_code__LST_1_SEC_1(
    api: TestClient, ctx: Context, clock: FixedClock
) -> None:
    """`entry.not_designating_unit`: a designating unit, but not this entry's (it was
    `entry.*` here and `restoration.*` for the same refusal on its restoration)."""
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
        },
    )
    assert made.status_code == 201, made.text
    other = access.create_unit(
        ctx,
        SYSTEM,
        name="河南省市场监督管理局",
        uscc=demo_uscc("11410000MB0000071"),
        kind=UnitKind.DESIGNATING_UNIT,
        region="410000",
        level=Level.PROVINCIAL,
        fields=("market_regulation",),
    )
    token = access.create_token(
        ctx, SYSTEM, unit_id=other["id"], name="t", scopes=(Permission.LISTS_DESIGNATE,)
    )
    entry = made.json()["id"]
    message = error(
        api.post(
            f"/api/v1/lists/entries/{entry}/notice",
            headers={"Authorization": f"Bearer {token.token}"},
        ),
        403,
        "entry.not_designating_unit",
    )
    assert f"entry {entry} was made by unit" in message


def test_a_malformed_json_body_names_the_body_and_says_where__SEC_1(api: TestClient) -> None:
    """A trial finding: the character offset was reported as the field (`"field": "33"`)."""
    headers = {**bearer("platform"), "Content-Type": "application/json"}
    cut = b'{"id_type": "uscc", "id_number": '
    answer = api.post("/api/v1/subjects/lookup", content=cut, headers=headers)
    message = error(answer, 422, "request.invalid")
    problems = answer.json()["error"]["details"]["problems"]
    assert problems == [
        {
            "field": "body",
            "message": f"the body is not valid JSON: Expecting value (character {len(cut)})",
        }
    ]
    assert message == f"body: {problems[0]['message']}"
    # The body as a whole, missing or of the wrong shape, is the field `body` too (was "").
    for content in (b"", b"[1]"):
        answer = api.post("/api/v1/subjects/lookup", content=content, headers=headers)
        error(answer, 422, "request.invalid")
        assert [p["field"] for p in answer.json()["error"]["details"]["problems"]] == ["body"]
