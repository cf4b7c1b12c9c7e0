"""Group commit of single checks (issue 11, "Performance"): on SQLite, the checks that
arrive together are answered in one transaction with one COMMIT (`GroupCommit`,
`checks.run_together`); on PostgreSQL each keeps its own. Either way each caller gets the
answer it would have got alone, under its own register row, committed before it is sent
(MEA-3, SEC-2), and a check that fails inside a group fails alone."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from creditreg.api.schemas.measures_check import CheckAnswer
from creditreg.demo.dataset import demo_uscc
from creditreg.domain.errors import Forbidden
from creditreg.services.access import access
from creditreg.services.context import Context
from creditreg.services.measures import check as checks
from creditreg.store.measures import check_reads
from tests.e2e.api.test_check_api import IMPLEMENTER, PLATFORM, register_rows, uscc, world
from tests.e2e.api.test_corrections_api import blacklisted
from tests.e2e.conftest import bearer
from tests.lists_world import World

__all__ = ["world"]  # the fixture, imported for these tests

NOBODY = demo_uscc("91410100MC0099998")
VOLATILE = ("check_id", "as_of", "answer_digest")


def _subject(api: TestClient, number: str, name: str) -> int:
    made = api.post(
        "/api/v1/subjects",
        headers=PLATFORM,
        json={"kind": "legal_person", "id_type": "uscc", "id_number": number, "name": name},
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


async def _together(app: Any, bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return list(
            await asyncio.gather(
                *(client.post("/api/v1/check", json=b, headers=IMPLEMENTER) for b in bodies)
            )
        )


def _content(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k not in VOLATILE}


def test_checks_sent_together_are_answered_as_alone_each_registered__MEA_3_SEC_2(
    api: TestClient, world: World, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twelve checks at once (listed, clean, unknown, one subject twice, two purposes):
    each gets what it gets alone, with its own register row holding its digest; on SQLite
    they were answered in groups, not one transaction each."""
    listed = [blacklisted(api, world, i) for i in (21, 22)]
    assert all(listed)
    _subject(api, uscc(23), "清白公司")
    numbers = [uscc(21), uscc(22), uscc(23), NOBODY, uscc(21), uscc(23)] * 2
    bodies = [
        {
            "id_type": "uscc",
            "id_number": n,
            "purpose": "procurement" if i % 3 else "public_resource_trading",
        }
        for i, n in enumerate(numbers)
    ]
    alone = {}
    for body in bodies[:6]:
        got = api.post("/api/v1/check", json=body, headers=IMPLEMENTER)
        assert got.status_code == 200, got.text
        alone[body["id_number"]] = _content(got.json())
    before = len(register_rows(ctx, "check"))
    sizes: list[int] = []
    real = checks.run_together

    def counted(ctx: Context, pending: Any) -> Any:
        sizes.append(len(pending))
        return real(ctx, pending)

    monkeypatch.setattr(checks, "run_together", counted)
    responses = asyncio.run(_together(api.app, bodies))
    assert [r.status_code for r in responses] == [200] * len(bodies)
    answers = [r.json() for r in responses]
    for body, answer in zip(bodies, answers, strict=True):
        CheckAnswer.model_validate(answer)
        assert _content(answer) == alone[body["id_number"]]
    rows = {r.id: r for r in register_rows(ctx, "check")[before:]}
    assert len(rows) == len(bodies) == len({a["check_id"] for a in answers})
    for body, answer in zip(bodies, answers, strict=True):
        row = rows[answer["check_id"]]
        assert row.answer_digest == answer["answer_digest"]
        assert row.note == body["purpose"]
        assert row.subject_id == (answer["subject"] or {}).get("id")
    if ctx.db.dialect == "sqlite":
        assert sum(sizes) == len(bodies) and max(sizes) > 1


def test_a_check_that_fails_in_a_group_fails_alone__MEA_3_SEC_2(
    api: TestClient, world: World, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One check of a group whose reads fail gets its error; the others are answered and
    registered, and the failed one leaves no register row."""
    blacklisted(api, world, 31)
    bad = _subject(api, uscc(32), "出错公司")
    _subject(api, uscc(33), "清白公司")
    real = check_reads.discipline_records

    def failing(conn: Any, subject_ids: Any, day: Any) -> Any:
        ids = list(subject_ids)
        if bad in ids:
            raise RuntimeError("the disk failed while reading this subject")
        return real(conn, ids, day)

    principal = access.authenticate(ctx, IMPLEMENTER["Authorization"].split()[1])
    pending = [
        checks.prepare(ctx, principal, "uscc", n, "procurement")
        for n in (uscc(31), uscc(32), uscc(33), NOBODY)
    ]
    before = len(register_rows(ctx, "check"))
    monkeypatch.setattr(check_reads, "discipline_records", failing)
    outcomes = checks.run_together(ctx, pending)
    assert isinstance(outcomes[1], RuntimeError)
    good = [o for i, o in enumerate(outcomes) if i != 1]
    assert all(isinstance(o, list) and len(o) == 1 for o in good)
    answers = [o[0] for o in good if isinstance(o, list)]
    assert [a.found for a in answers] == [True, True, False]
    assert answers[0].entries and answers[1].clean
    rows = register_rows(ctx, "check")[before:]
    assert sorted(r.id for r in rows) == sorted(a.check_id for a in answers)
    assert bad not in {r.subject_id for r in rows}


def test_a_refused_caller_is_refused_before_any_group__MEA_3_SEC_2(
    api: TestClient, ctx: Context
) -> None:
    """A caller that is not an implementing unit is refused (403, registered as a refusal)
    when its check is prepared, whether others are waiting or not."""
    platform = access.authenticate(ctx, bearer("platform")["Authorization"].split()[1])
    with pytest.raises(Forbidden) as refused:
        checks.prepare(ctx, platform, "uscc", uscc(41), "procurement")
    assert refused.value.code == "check.not_implementing_unit"
    assert [r.what for r in register_rows(ctx)][-1:] == ["check.refused"]
