"""`creditreg measures` and `creditreg memoranda` (issue 11; MEA-1, MEA-2): the catalog
and the memoranda from the command line; bad input is one line and an exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from creditreg.clock import FixedClock
from creditreg.services.context import Context
from tests.conftest import DbTarget
from tests.e2e.cli.test_lists_cli import cli
from tests.lists_world import World, make_world


@pytest.fixture
def world(ctx: Context, clock: FixedClock, demo_data: None) -> World:
    return make_world(ctx, clock)


def test_the_catalog_from_the_command_line__MEA_1(
    db: DbTarget, world: World, tmp_path: Path
) -> None:
    code, out, _ = cli(db, "measures", "list", "--trigger", "blacklist")
    assert code == 0 and len(out.splitlines()) == 9 and out.startswith("ART34-1")
    code, out, _ = cli(db, "measures", "show", "ART30-1")
    assert code == 0 and json.loads(out)["facilitation"] is True
    code, _, err = cli(db, "measures", "show", "NOPE-1")
    assert code == 3 and err.strip().endswith("[measure.not_found]")
    spec = tmp_path / "m.json"
    spec.write_text(json.dumps({
        "code": "LOCAL-1", "kind": "punishment", "trigger": "untrustworthy_record",
        "content": "暂停审批", "legal_basis": "第三十二条第七项", "units": [4],
    }), encoding="utf-8")  # fmt: skip
    code, out, err = cli(db, "measures", "add", "--file", str(spec))
    assert code == 0 and out.strip() == "measure LOCAL-1 added", err
    code, _, err = cli(db, "measures", "add", "--file", str(spec))
    assert code == 4 and err.strip().endswith("[measure.code_taken]")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    code, _, err = cli(db, "measures", "add", "--file", str(bad))
    assert code == 2 and "[file.bad_json]" in err and len(err.strip().splitlines()) == 1
    bad.write_text(json.dumps({"code": "X", "kind": "gift", "trigger": "blacklist",
                               "content": "x", "legal_basis": "x"}))  # fmt: skip
    code, _, err = cli(db, "measures", "add", "--file", str(bad))
    assert code == 2 and err.strip().endswith("[measure.bad_kind]")
    code, out, _ = cli(db, "measures", "withdraw", "LOCAL-1", "--reason", "合并")
    assert code == 0 and out.strip() == "measure LOCAL-1 withdrawn"


def test_memoranda_from_the_command_line__MEA_2(db: DbTarget, world: World, tmp_path: Path) -> None:
    code, out, _ = cli(db, "memoranda", "list")
    assert code == 0 and "MOU-SCJG-JCCJ v1 in_force" in out
    code, out, _ = cli(db, "memoranda", "show", "MOU-SCJG-SXJL")
    assert code == 0 and json.loads(out)["items"][0]["measure"] == "ART30-3"
    memo = {
        "code": "MOU-CLI", "title": "命令行备忘录", "effective_from": "2026-03-05",
        "items": [{"trigger": "key_scrutiny", "measure": "ART32-5", "unit_id": 4}],
    }  # fmt: skip
    spec = tmp_path / "memo.json"
    spec.write_text(json.dumps({**memo, "items": [{**memo["items"][0], "unit_id": 3}]}))
    code, _, err = cli(db, "memoranda", "create", "--file", str(spec))
    assert code == 2 and err.strip().endswith("[memorandum.not_implementing_unit]")
    spec.write_text(json.dumps({**memo, "items": [{**memo["items"][0], "measure": "ART34-1"}]}))
    code, _, err = cli(db, "memoranda", "create", "--file", str(spec))
    assert code == 2 and err.strip().endswith("[memorandum.measure_wrong_list]")
    spec.write_text(json.dumps(memo))
    code, out, err = cli(db, "memoranda", "create", "--file", str(spec))
    assert code == 0 and out.startswith("MOU-CLI v1 draft from 2026-03-05"), err
    # The platform's console sees its drafts (the public API does not).
    code, out, _ = cli(db, "memoranda", "list", "--status", "draft")
    assert code == 0 and out.startswith("MOU-CLI v1 draft")
    code, out, _ = cli(db, "memoranda", "show", "MOU-CLI")
    assert code == 0 and json.loads(out)["status"] == "draft"
    code, out, _ = cli(db, "memoranda", "publish", "MOU-CLI")
    assert code == 0 and out.startswith("MOU-CLI v1 published")  # in force on 5 March
    code, out, _ = cli(db, "sweep", on="2026-03-05T09:00")
    code, out, _ = cli(db, "memoranda", "show", "MOU-CLI", on="2026-03-05T09:00")
    assert json.loads(out)["status"] == "in_force"
    code, _, err = cli(db, "memoranda", "publish", "MOU-CLI")
    assert code == 4 and err.strip().endswith("[memorandum.already_published]")
