"""`creditreg objections` (issue 10, part 4): operators accept, escalate, pause, resume and
decide; bad input is one line and an exit code, nothing stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from creditreg.clock import FixedClock
from creditreg.services.context import Context
from tests.conftest import DbTarget
from tests.e2e.cli.test_lists_cli import cli
from tests.lists_world import World, make_world
from tests.objection_helpers import HTML, PDF


@pytest.fixture
def world(ctx: Context, clock: FixedClock, demo_data: None) -> World:
    return make_world(ctx, clock)


def test_a_record_objection_from_the_command_line__OBJ_1_OBJ_2_OBJ_6_CAL_3(
    db: DbTarget, world: World, tmp_path: Path
) -> None:
    [rid] = world.serious(1)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(PDF)
    # Never anonymous: the operator files for a unit (--unit 3, the provider here).
    code, _, err = cli(db, "objections", "file", "--target-type", "record", "--target-id",
                       str(rid), "--grounds", "有误")  # fmt: skip
    assert code == 5 and err.strip().endswith("[objection.anonymous]")
    assert len(err.strip().splitlines()) == 1
    disguised = tmp_path / "scan2.pdf"
    disguised.write_bytes(HTML)
    code, _, err = cli(db, "objections", "file", "--target-type", "record", "--target-id",
                       str(rid), "--grounds", "有误", "--unit", "4",
                       "--attach", str(disguised))  # fmt: skip
    assert code == 2 and "[objection.attachment_type_not_allowed]" in err
    assert cli(db, "objections", "list")[1] == ""  # nothing stored
    code, out, err = cli(db, "objections", "file", "--target-type", "record", "--target-id",
                         str(rid), "--grounds", "有误", "--unit", "1",
                         "--attach", str(scan))  # fmt: skip
    assert code == 0, err
    assert out.strip() == f"objection 1: record {rid} received; due 2026-03-05"
    code, out, _ = cli(db, "objections", "accept", "1", "--reason", "需核查", "--track",
                       "provider")  # fmt: skip
    assert out.strip() == (
        f"objection 1: record {rid} verifying; due 2026-03-11; provider answers by 2026-03-05"
    )
    code, out, _ = cli(db, "objections", "pause", "1", "--kind", "testing", "--reason", "检测",
                       on="2026-03-04T09:00")  # fmt: skip
    assert "paused since 2026-03-04" in out
    code, _, err = cli(db, "objections", "pause", "1", "--kind", "testing", "--reason", "again",
                       on="2026-03-04T10:00")  # fmt: skip
    assert code == 4 and "[objection.already_paused]" in err
    code, out, _ = cli(db, "objections", "resume", "1", on="2026-03-06T09:00")
    assert f"objection 1: record {rid} verifying; due 2026-03-13" in out  # 2 days paused
    shown = json.loads(cli(db, "objections", "show", "1")[1])
    assert [p["end_on"] for p in shown["pauses"]] == ["2026-03-05"]
    assert "paused" in shown["deadlines"][0]["explanation"]
    code, _, err = cli(db, "objections", "answer", "1", "--answer", "无误", "--unit", "2")
    assert code == 6 and "[objection.not_provider]" in err
    assert cli(db, "objections", "answer", "1", "--answer", "无误", "--unit", "3")[0] == 0
    code, out, _ = cli(db, "objections", "decide", "1", "--outcome", "dismissed", "--reason",
                       "记录无误")  # fmt: skip
    assert out.strip() == f"objection 1: record {rid} dismissed"
    code, _, err = cli(db, "objections", "decide", "1", "--outcome", "maybe", "--reason", "x")
    assert code == 2 and "[objection.bad_outcome]" in err
    # OBJ-3: the objecting unit applies for reconsideration; the department decides it.
    code, out, _ = cli(db, "objections", "reconsider", "1", "--grounds", "不服", "--unit", "1")
    assert out.strip() == "reconsideration 1: objection 1 received; due 2026-03-23"
    code, out, _ = cli(db, "objections", "reconsideration-decide", "1", "--outcome", "revised",
                       "--reason", "记录确有错误", "--unit", "5")  # fmt: skip
    assert code == 0 and out.startswith("reconsideration 1: objection 1 revised")
    assert json.loads(cli(db, "records", "show", str(rid))[1])["status"] == "withdrawn"


def test_an_objection_decided_late_says_so_in_its_line__SEC_5(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Art 65: the CLI's line of an objection decided after its due date says when."""
    from creditreg.cli.objections import said

    said({"id": 7, "target_type": "record", "target_id": 3, "status": "dismissed",
          "due_date": "2026-03-13", "decided_on": "2026-03-16", "decided_late": True})  # fmt: skip
    assert capsys.readouterr().out.strip() == (
        "objection 7: record 3 dismissed; decided late (2026-03-16, due 2026-03-13)"
    )
