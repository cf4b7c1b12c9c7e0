"""Group commit of single checks (issue 11, "Performance"): on SQLite, the checks that
arrive together are answered in one transaction with one COMMIT (`GroupCommit`,
`checks.run_together`); on PostgreSQL each keeps its own. Either way each caller gets the
answer it would have got alone, under its own register row, committed before it is sent
(MEA-3, SEC-2), and a check that fails inside a group fails alone."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from creditreg.api.app import create_app
from creditreg.api.schemas.measures_check import CheckAnswer
from creditreg.bootstrap import build_context
from creditreg.demo.dataset import demo_uscc
from creditreg.services.access import access
from creditreg.services.context import Context
from creditreg.services.measures import check as checks
from creditreg.store.measures import check_reads, exposure
from creditreg.store.measures.feedback_tables import check_exposure
from tests.conftest import DbTarget
from tests.e2e.api.test_check_api import (
    IMPLEMENTER,
    PERSON_RIC,
    PLATFORM,
    link,
    register_rows,
    uscc,
    world,
)
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


async def _together(
    app: Any, requests: list[tuple[dict[str, Any], dict[str, str]]]
) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return list(
            await asyncio.gather(
                *(client.post("/api/v1/check", json=b, headers=h) for b, h in requests)
            )
        )


def _content(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k not in VOLATILE}


def _exposed(ctx: Context) -> set[int]:
    with ctx.db.read() as conn:
        return set(conn.execute(sa.select(check_exposure.c.entry_id)).scalars())


def _pending(ctx: Context, numbers: list[str]) -> list[checks.Pending]:
    principal = access.authenticate(ctx, IMPLEMENTER["Authorization"].split()[1])
    return [checks.prepare(ctx, principal, "uscc", n, "procurement") for n in numbers]


def test_checks_sent_together_are_answered_as_alone_each_registered__MEA_3_SEC_2_SUB_4(
    api: TestClient, world: World, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fourteen checks at once (listed, clean, unknown, a person answering for a
    blacklisted organization, one subject twice, two purposes, one caller refused): each
    gets what it gets alone, with its own register row holding its digest, the linked
    organization's row beside the person's; on SQLite they were answered in groups whose
    reads were shared, not one transaction and one set of reads each."""
    blacklisted(api, world, 21)
    blacklisted(api, world, 22)
    person = link(api, world.company(21))
    _subject(api, uscc(23), "清白公司")
    numbers = [("uscc", uscc(21)), ("uscc", uscc(22)), ("uscc", uscc(23)), ("uscc", NOBODY)]
    numbers += [("ric", PERSON_RIC), ("uscc", uscc(21))]
    bodies = [
        {
            "id_type": t,
            "id_number": n,
            "purpose": "procurement" if i % 3 else "public_resource_trading",
        }
        for i, (t, n) in enumerate(numbers * 2)
    ]
    alone = {}
    for body in bodies:
        got = api.post("/api/v1/check", json=body, headers=IMPLEMENTER)
        assert got.status_code == 200, got.text
        alone[(body["id_number"], body["purpose"])] = _content(got.json())
    before = len(register_rows(ctx))
    sizes: list[int] = []
    reads: list[int] = []
    real, real_read = checks.run_together, check_reads.subjects_by_key

    def counted(ctx: Context, pending: Any) -> Any:
        sizes.append(len(pending))
        return real(ctx, pending)

    def counted_read(conn: Any, keys: Any) -> Any:
        reads.append(len(keys))
        return real_read(conn, keys)

    monkeypatch.setattr(checks, "run_together", counted)
    monkeypatch.setattr(check_reads, "subjects_by_key", counted_read)
    refused = ({**bodies[0]}, bearer("platform"))
    requests = [(b, IMPLEMENTER) for b in bodies]
    responses = asyncio.run(_together(api.app, [*requests[:6], refused, *requests[6:]]))
    assert responses[6].status_code == 403
    assert responses[6].json()["error"]["code"] == "check.not_implementing_unit"
    del responses[6]
    assert [r.status_code for r in responses] == [200] * len(bodies)
    answers = [r.json() for r in responses]
    for body, answer in zip(bodies, answers, strict=True):
        CheckAnswer.model_validate(answer)
        assert _content(answer) == alone[(body["id_number"], body["purpose"])]
    rows = register_rows(ctx)[before:]
    assert [r.what for r in rows].count("check.refused") == 1
    own = {r.id: r for r in rows if r.what == "check"}
    assert len(own) == len(bodies) == len({a["check_id"] for a in answers})
    for body, answer in zip(bodies, answers, strict=True):
        row = own[answer["check_id"]]
        assert row.answer_digest == answer["answer_digest"]
        assert row.note == body["purpose"]
        assert row.subject_id == (answer["subject"] or {}).get("id")
    # Art 35: each of the person's answers has a row for each organization it showed.
    shown = [
        (group["subject_id"], str(person))
        for answer in answers
        if answer["subject"] and answer["subject"]["id"] == person
        for group in answer["linked"]
    ]
    assert (world.company(21), str(person)) in shown
    linked = [(r.subject_id, r.object_id) for r in rows if r.what == "check.linked"]
    assert sorted(linked) == sorted(shown)
    if ctx.db.dialect == "sqlite":
        assert sum(sizes) == len(bodies) and max(sizes) > 1
        assert len(reads) < len(bodies) and max(reads) > 1  # one read for many checks


def test_a_check_that_fails_in_a_group_fails_alone__MEA_3_SEC_2_MEA_5(
    api: TestClient, world: World, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One check of a group fails after its register row was written: it gets its error
    and leaves neither register row nor exposure; the others are answered, registered and
    their exposures kept."""
    good = blacklisted(api, world, 31)
    bad = blacklisted(api, world, 32)
    _subject(api, uscc(33), "清白公司")
    real = exposure.record

    def failing(conn: Any, unit_id: int, entry_ids: Any, at: Any) -> None:
        ids = list(entry_ids)
        if bad in ids:
            raise RuntimeError("the disk failed while writing this exposure")
        real(conn, unit_id, ids, at)

    pending = _pending(ctx, [uscc(31), uscc(32), uscc(33), NOBODY])
    before = len(register_rows(ctx, "check"))
    monkeypatch.setattr(exposure, "record", failing)
    outcomes = checks.run_together(ctx, pending)
    assert isinstance(outcomes[1], RuntimeError)
    answers = [o[0] for i, o in enumerate(outcomes) if i != 1 and isinstance(o, list)]
    assert [a.found for a in answers] == [True, True, False]
    assert [e["id"] for e in answers[0].entries] == [good] and answers[1].clean
    rows = register_rows(ctx, "check")[before:]
    assert sorted(r.id for r in rows) == sorted(a.check_id for a in answers)
    assert world.company(32) not in {r.subject_id for r in rows}
    assert good in _exposed(ctx) and bad not in _exposed(ctx)


def test_a_group_whose_transaction_is_lost_fails_whole__MEA_3_SEC_2(
    api: TestClient, world: World, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite rolls a whole transaction back by itself on some errors (disk full): no check
    of the group is tried again in it or committed, every caller gets the error (a 503 over
    HTTP) and nothing is registered. On PostgreSQL each check has its own transaction:
    only the failing one fails."""
    bad = blacklisted(api, world, 34)
    _subject(api, uscc(35), "清白公司")
    real = exposure.record

    def disk_full(conn: Any, unit_id: int, entry_ids: Any, at: Any) -> None:
        ids = list(entry_ids)
        if bad in ids:
            if ctx.db.dialect == "sqlite":
                conn.cursor.execute("ROLLBACK")  # what SQLite does on SQLITE_FULL
            raise sa.exc.OperationalError("INSERT", None, Exception("database or disk is full"))
        real(conn, unit_id, ids, at)

    pending = _pending(ctx, [uscc(35), uscc(34), NOBODY])
    before = len(register_rows(ctx))
    monkeypatch.setattr(exposure, "record", disk_full)
    if ctx.db.dialect == "sqlite":
        with pytest.raises(sa.exc.OperationalError, match="disk is full"):
            checks.run_together(ctx, pending)
        assert len(register_rows(ctx)) == before
    else:
        outcomes = checks.run_together(ctx, pending)
        assert isinstance(outcomes[1], sa.exc.OperationalError)
        assert all(isinstance(outcomes[i], list) for i in (0, 2))
        assert len(register_rows(ctx)) == before + 2
    assert bad not in _exposed(ctx)


def test_checks_locked_out_of_sqlite_get_a_503_and_nothing_is_registered__MEA_3_SEC_2(
    sqlite_db: DbTarget, demo_data: None
) -> None:
    """SQLite's write lock held elsewhere past the short wait: a lone check, a group of
    checks sent together and a batch each get a 503 `db.busy` with Retry-After, and none
    is registered; once the lock is free, the same checks are answered."""
    settings = sqlite_db.settings(sqlite_busy_timeout_ms=100)
    ctx = build_context(settings)
    holder = sqlite3.connect(sa.make_url(sqlite_db.url).database or "", isolation_level=None)
    body = {"id_type": "uscc", "id_number": NOBODY, "purpose": "procurement"}
    batch = {"purpose": "procurement", "identifiers": [{"id_type": "uscc", "id_number": NOBODY}]}
    try:
        with TestClient(create_app(ctx, settings), raise_server_exceptions=False) as client:
            before = len(register_rows(ctx))
            holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            alone = client.post("/api/v1/check", json=body, headers=IMPLEMENTER)
            together = asyncio.run(_together(client.app, [(body, IMPLEMENTER)] * 3))
            screened = client.post("/api/v1/check/batch", json=batch, headers=IMPLEMENTER)
            holder.execute("ROLLBACK")
            for answer in [alone, *together, screened]:
                assert answer.status_code == 503, answer.text
                assert answer.headers["Retry-After"] == "2"
                assert answer.json()["error"]["code"] == "db.busy"
            assert len(register_rows(ctx)) == before
            again = asyncio.run(_together(client.app, [(body, IMPLEMENTER)] * 3))
            assert [a.status_code for a in again] == [200] * 3
            assert len(register_rows(ctx)) == before + 3
    finally:
        holder.close()
        ctx.db.dispose()
