"""`creditreg check` (issue 11, part 3; MEA-3, SEC-2): the check for a named implementing
unit, one identifier (its type recognised) or a batch file, as lines or JSON; bad input is
one line and an exit code, and registers nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from creditreg.clock import CST, FixedClock
from creditreg.demo.dataset import demo_uscc
from creditreg.domain.access.principals import SYSTEM
from creditreg.services.context import Context
from creditreg.services.kernel import sweep
from creditreg.store.access.query_register import query_register
from tests.conftest import DbTarget
from tests.e2e.api.test_corrections_api import blacklisted
from tests.e2e.api.test_lists_api import revise_standard
from tests.e2e.cli.test_lists_cli import cli
from tests.e2e.conftest import bearer
from tests.lists_world import World, make_world

NOBODY = demo_uscc("91410100MC0099999")


@pytest.fixture
def world(ctx: Context, clock: FixedClock, demo_data: None) -> World:
    return make_world(ctx, clock)


def uscc(i: int) -> str:
    return demo_uscc(f"91410100MC{i:07d}")


def registered(ctx: Context) -> list[str]:
    with ctx.db.read() as conn:
        return list(
            conn.execute(sa.select(query_register.c.what).order_by(query_register.c.id)).scalars()
        )


def test_check_from_the_command_line__MEA_3_SEC_2(
    db: DbTarget, world: World, ctx: Context, tmp_path: Path
) -> None:
    [rid] = world.serious(1)
    before = registered(ctx)
    code, out, err = cli(db, "check", uscc(1), "--purpose", "procurement", "--unit", "4")
    assert code == 0, err
    assert out.startswith("郑州示例贸易有限公司1 (uscc ") and f"record {rid}" in out
    assert "measures: " in out and "(check " in out
    code, out, err = cli(db, "check", NOBODY, "--purpose", "licensing", "--unit", "4")
    assert code == 0 and "no such subject: clean as of" in out
    code, out, err = cli(
        db, "check", uscc(1), "--purpose", "other", "--note", "人才引进", "--unit", "4", "--json"
    )
    assert code == 0, err
    answer = json.loads(out)
    assert answer["found"] and answer["records"][0]["id"] == rid and answer["check_id"]
    batch = tmp_path / "bidders.txt"
    batch.write_text(f"# bidders\n{uscc(1)}\nuscc,{NOBODY}\n", encoding="utf-8")
    code, out, err = cli(db, "check", "--batch", str(batch), "--purpose", "procurement",
                         "--unit", "4")  # fmt: skip
    assert code == 0, err
    assert len(out.strip().splitlines()) == 2
    # --id-type names the type of a batch's lines that give none.
    people = tmp_path / "people.txt"
    people.write_text("41010519900215456X\n", encoding="utf-8")
    code, out, err = cli(db, "check", "--batch", str(people), "--id-type", "ric",
                         "--purpose", "hiring", "--unit", "4")  # fmt: skip
    assert code == 0, err
    assert out.startswith("ric 41010519900215456X: no such subject: clean as of")
    assert registered(ctx)[len(before) :] == ["check"] * 6


def test_bad_check_input_from_the_command_line__MEA_3(
    db: DbTarget, world: World, ctx: Context, tmp_path: Path
) -> None:
    before = registered(ctx)

    def refused(*args: str) -> tuple[int, str]:
        code, out, err = cli(db, "check", *args)
        assert out == "" and len(err.strip().splitlines()) == 1, err
        return code, err.strip()

    code, err = refused(uscc(1), "--purpose", "procurement")
    assert code == 2 and err.endswith("[check.unit_required]")
    code, err = refused("--purpose", "procurement", "--unit", "4")
    assert code == 2 and err.endswith("[check.no_identifier]")
    code, err = refused(uscc(1), "--purpose", "gossip", "--unit", "4")
    assert code == 2 and err.endswith("[check.unknown_purpose]")
    code, err = refused("12345", "--purpose", "procurement", "--unit", "4")
    assert code == 2 and err.endswith("[check.unrecognised_identifier]")
    code, err = refused("12345", "--id-type", "martian", "--purpose", "procurement", "--unit", "4")
    assert code == 2 and err.endswith("[subject.unknown_id_type]")
    # A resident ID that passes the USCC's check too is refused, never guessed: read as a
    # USCC, a listed person came back "no such subject: clean" (a tryout's finding).
    both = "41010519900215456X"
    code, err = refused(both, "--purpose", "procurement", "--unit", "4")
    assert code == 2 and err.endswith("[check.ambiguous_identifier]") and "--id-type" in err
    ambiguous = tmp_path / "ambiguous.txt"
    ambiguous.write_text(f"{uscc(1)}\n{both}\n", encoding="utf-8")
    code, err = refused("--batch", str(ambiguous), "--purpose", "procurement", "--unit", "4")
    assert code == 2 and f"{ambiguous}, line 2:" in err
    twice = tmp_path / "twice.txt"
    twice.write_text(f"# bidders\n{uscc(1)}\n\n{uscc(1).lower()}\n", encoding="utf-8")
    code, err = refused("--batch", str(twice), "--purpose", "procurement", "--unit", "4")
    assert code == 2 and err.endswith("[check.duplicate_identifier]")
    assert f"{twice}, line 4:" in err  # the file's line, not the identifier's position
    bad = tmp_path / "bad.txt"
    bad.write_text(f"{uscc(1)}\nuscc,91410100MC000000X\n12345\n", encoding="utf-8")
    code, err = refused("--batch", str(bad), "--purpose", "procurement", "--unit", "4")
    assert code == 2 and f"{bad}, line 3:" in err  # an unrecognised line, found first
    bad.write_text(f"{uscc(1)}\nuscc,91410100MC000000X\n", encoding="utf-8")
    code, err = refused("--batch", str(bad), "--purpose", "procurement", "--unit", "4")
    assert code == 2 and f"{bad}, line 2:" in err and err.endswith("[subject.invalid_uscc]")
    code, err = refused("--batch", str(tmp_path / "none.txt"), "--purpose", "procurement",
                        "--unit", "4")  # fmt: skip
    assert code == 2 and err.endswith("[file.unreadable]")
    assert registered(ctx) == before
    # Not an implementing unit: refused, and the refusal is registered.
    code, err = refused(uscc(1), "--purpose", "procurement", "--unit", "2")
    assert code == 6 and err.endswith("[check.not_implementing_unit]")
    assert registered(ctx)[len(before) :] == ["check.refused"]


def test_a_unit_reads_its_stop_notices_from_the_command_line__MEA_5(
    db: DbTarget, api: TestClient, world: World, ctx: Context
) -> None:
    eid = blacklisted(api, world, 2)
    now = ctx.now().astimezone(CST).strftime("%Y-%m-%dT%H:%M")  # the entry is in force
    code, _, err = cli(db, "check", uscc(2), "--purpose", "procurement", "--unit", "4", on=now)
    assert code == 0, err
    revise_standard(api)
    removed = api.post(
        f"/api/v1/lists/entries/{eid}/removal",
        headers=bearer("designator"),
        json={"reason": "standard_changed", "note": "标准修订"},
    )
    assert removed.status_code == 200, removed.text
    sweep.run(ctx, SYSTEM)
    code, out, err = cli(db, "webhooks", "notices", "--unit", "4", "--kind", "stop")
    assert code == 0, err
    assert f"stop list_entry {eid}" in out and "停止" in out
    code, out, _ = cli(db, "webhooks", "notices", "--unit", "2", "--kind", "stop")
    assert code != 0 or out == ""  # the designating unit was told nothing
