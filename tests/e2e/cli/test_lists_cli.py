"""The list procedures through the `creditreg` command, the clock moved by settings."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from creditreg.api.app import create_app
from creditreg.cli.main import app
from creditreg.clock import FixedClock
from creditreg.demo.catalogs import STANDARDS
from creditreg.demo.dataset import demo_ric
from creditreg.services.context import Context
from tests.conftest import DbTarget
from tests.e2e.conftest import bearer
from tests.lists_world import World, honour_row, make_world

runner = CliRunner()
PERSON = f"legal_representative:王示例:ric:{demo_ric('41010519700101123')}"


@pytest.fixture
def world(ctx: Context, clock: FixedClock, demo_data: None) -> World:
    return make_world(ctx, clock)


def cli(db: DbTarget, *args: str, on: str = "2026-03-02T09:00") -> tuple[int, str, str]:
    env = {**db.env(), "CREDITREG_CLOCK": on, "CREDITREG_ALLOW_CLOCK_OVERRIDE": "1"}
    result = runner.invoke(app, list(args), env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def notify(db: DbTarget, entry: str, on: str = "2026-03-02T09:00") -> str:
    """`lists notify` for the designating unit, then the printed notice it names recorded
    as delivered that day (`accounts delivered`): the window runs from then (LST-2)."""
    code, out, err = cli(db, "lists", "notify", entry, "--unit", "2", on=on)
    assert code == 0, err
    found = re.search(r"printed notice (\d+) awaits delivery", out)
    assert found, out
    day = on[:10]
    code, said, err = cli(
        db, "accounts", "delivered", found.group(1), "--on", day, "--unit", "2", on=on
    )
    assert code == 0 and f"delivered {day}" in said, err
    return out


def test_blacklist_procedure_from_the_command_line__LST_2_LST_7_RST_3(
    db: DbTarget, world: World, tmp_path: Path
) -> None:
    w = world
    w.serious(1)
    subject = str(w.company(1))
    code, out, err = cli(
        db, "lists", "propose", "--standard", "SCJG-HMD", "--subject", subject,
        "--facts", "销售不合格食品", "--person", PERSON, "--unit", "2",
        "--validity-months", "6", "--not-restorable",
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith("entry 1: blacklist preliminary")
    # Illegal moves: one readable line and the conflict exit code.
    code, _, err = cli(db, "lists", "designate", "1", "--unit", "2")
    assert code == 4 and err.startswith("error: ") and "[entry.illegal_transition]" in err
    out = notify(db, "1")
    # LST-2: a subject without an account: the window waits for the printed notice.
    assert "window open" not in out and "accounts delivered" in out
    code, out, _ = cli(db, "lists", "show", "1")
    assert json.loads(out)["window_due"] == "2026-03-09"
    # Another unit may not act on the entry; the platform's sweep waits for the window.
    code, _, err = cli(db, "lists", "designate", "1", "--unit", "4")
    assert code == 6 and "[access.missing_permission]" in err
    code, out, _ = cli(db, "sweep")
    assert out.strip() == "sweep at 2026-03-02: nothing due"
    code, out, _ = cli(db, "sweep", on="2026-03-10T09:00")
    assert code == 0 and "designated: 1" in out
    code, out, _ = cli(db, "sweep", on="2026-03-10T09:00")
    assert out.strip() == "sweep at 2026-03-10: nothing due"  # idempotent
    code, out, _ = cli(db, "lists", "find", "--subject", subject, "--as-of", "2026-05-01")
    assert out.strip() == "entry 1: blacklist designated; valid until 2026-09-09"
    # The worker: two passes, then it stops; expiry brings key scrutiny (RST-3).
    code, out, _ = cli(db, "worker", "--interval", "0", "--passes", "2", on="2026-09-11T09:00")
    lines = out.splitlines()
    assert code == 0 and "expired: 1" in lines[0] and "key scrutiny followups: 1" in lines[0]
    assert lines[1].endswith("nothing due") and lines[2] == "worker stopped after 2 pass(es)"
    code, out, _ = cli(db, "lists", "show", "1")
    shown = json.loads(out)
    assert shown["removal_reason"] == "expiry"
    assert [h["action"] for h in shown["history"]] == [
        "propose",
        "notify",
        "notice_delivered",
        "designate",
        "remove",
    ]


def test_standards_from_the_command_line__STD_1_STD_3(
    db: DbTarget, world: World, tmp_path: Path
) -> None:
    code, out, _ = cli(db, "standards", "list")
    assert code == 0 and "SCJG-HMD" in out and "SCJG-HONG" in out
    stricter = tmp_path / "std.json"
    stricter.write_text(
        json.dumps({**STANDARDS[0], "rule": {**STANDARDS[0]["rule"], "min_count": 2}}),
        encoding="utf-8",
    )
    code, out, err = cli(db, "standards", "publish", str(stricter), "--unit", "2")
    assert code == 0, err
    assert out.splitlines() == [
        "standard SCJG-HMD v2 published",
        "re-evaluated 0 entr(ies): 0 removed (standard changed)",
    ]
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    code, _, err = cli(db, "standards", "publish", str(broken))
    assert code == 2 and "[file.bad_json]" in err
    outside = tmp_path / "tax.json"
    outside.write_text(json.dumps({**STANDARDS[0], "code": "SW", "field": "taxation"}))
    code, _, err = cli(db, "standards", "publish", str(outside), "--unit", "2")
    assert code == 6 and "[access.outside_field]" in err


def test_red_list_key_scrutiny_and_big_data_warning_from_the_command_line__LST_3_LST_4_LST_5(
    db: DbTarget, world: World, tmp_path: Path
) -> None:
    w = world
    w.submit("BZJL", [honour_row(1)])
    subject = str(w.company(1))
    code, out, err = cli(
        db, "lists", "propose", "--standard", "SCJG-HONG", "--subject", subject,
        "--facts", "守合同重信用", "--unit", "2",
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = cli(db, "lists", "announce", "1", "--unit", "2")
    assert out.strip() == "entry 1: red_list announced; window open until 2026-03-11"
    code, out, _ = cli(db, "sweep", on="2026-03-12T09:00")
    assert "designated: 1" in out
    # Key scrutiny in three key fields, by the platform (no --unit): the sweep then moves
    # the subject to the big-data warning list and the red-list entry ends.
    w.serious(1)
    for n, fieldname in enumerate(("market_regulation", "taxation", "food_drug_safety")):
        spec = tmp_path / f"ks{n}.json"
        spec.write_text(json.dumps({
            **STANDARDS[0], "code": f"KS{n}", "field": fieldname, "list_type": "key_scrutiny",
            "window_days": 0, "restoration": {}, "scrutiny_months": 0, "validity_months": 6,
            "measures": ["ART32-5"],  # Art 34 measures are for the blacklist (MEA-6)
        }))  # fmt: skip
        assert cli(db, "standards", "publish", str(spec))[0] == 0
        code, out, err = cli(
            db, "lists", "propose", "--standard", f"KS{n}", "--subject", subject, "--facts", "x",
            on="2026-03-12T09:00",
        )  # fmt: skip
        assert code == 0, err
        entry_id = out.split(":")[0].split()[1]
        code, out, _ = cli(db, "lists", "designate", entry_id, on="2026-03-12T09:00")
        assert out.strip().startswith(f"entry {entry_id}: key_scrutiny designated")
    code, out, _ = cli(db, "sweep", on="2026-03-12T10:00")
    assert "warnings added: 1" in out
    code, out, _ = cli(db, "lists", "find", "--subject", subject, "--as-of", "2026-03-12")
    kinds = sorted(line.split()[2] for line in out.splitlines())
    assert kinds == ["big_data_warning", "key_scrutiny", "key_scrutiny", "key_scrutiny"]
    code, out, _ = cli(db, "lists", "show", "1")
    assert json.loads(out)["removal_reason"] == "key_scrutiny"


def test_objection_restoration_and_removal_from_the_command_line__RST_1_RST_2_RST_3_LST_9(
    db: DbTarget, world: World
) -> None:
    w = world
    w.serious(1)
    w.serious(2)
    for i in (1, 2):
        code, _, err = cli(
            db, "lists", "propose", "--standard", "SCJG-HMD", "--subject", str(w.company(i)),
            "--facts", "x", "--person", PERSON, "--unit", "2",
        )  # fmt: skip
        assert code == 0, err
        notify(db, str(i))
    # OBJ-1, Op(22): objections filed for a unit (--unit 1, the platform), decided by the
    # designating unit (--unit 2) after accepting them (OBJ-6).
    code, out, err = cli(db, "objections", "file", "--target-type", "list_entry",
                         "--target-id", "1", "--grounds", "已撤销", "--unit", "1")  # fmt: skip
    assert code == 0, err
    assert out.strip() == "objection 1: list_entry 1 received; due 2026-03-11"
    assert json.loads(cli(db, "lists", "show", "1")[1])["status"] == "objected"
    for args in (("accept", "1", "--reason", "受理"),
                 ("decide", "1", "--outcome", "dismissed", "--reason", "未撤销")):  # fmt: skip
        code, out, err = cli(db, "objections", *args, "--unit", "2")
        assert code == 0, err
    assert out.strip() == "objection 1: list_entry 1 dismissed"
    assert json.loads(cli(db, "lists", "show", "1")[1])["status"] == "notified"
    cli(db, "objections", "file", "--target-type", "list_entry", "--target-id", "2",
        "--grounds", "认定错误", "--unit", "1")  # fmt: skip
    cli(db, "objections", "accept", "2", "--reason", "受理", "--unit", "2")
    code, out, _ = cli(db, "objections", "decide", "2", "--outcome", "upheld", "--reason",
                       "主体错误", "--unit", "2")  # fmt: skip
    assert out.strip() == (
        "objection 2: list_entry 2 upheld; the entry was made in error and is deleted"
    )
    code, _, err = cli(db, "lists", "show", "2")
    assert code == 3 and "[entry.not_found]" in err
    later = "2027-04-01T09:00"
    assert "designated: 1" in cli(db, "sweep", on="2026-03-10T09:00")[1]
    code, out, _ = cli(db, "lists", "reports", "--overdue", on=later)
    assert out.strip().startswith("entry        1  due 2026-03-24")
    code, _, err = cli(db, "lists", "restore-apply", "1", "--applicant", "a", "--evidence", "e")
    assert code == 4 and "[restoration.too_early]" in err
    code, out, _ = cli(db, "lists", "restore-apply", "1", "--applicant", "企业", "--evidence",
                       "已缴清罚款", on=later)  # fmt: skip
    # CAL-2: 2027's official schedule is not loaded: the date says it may move.
    assert out.strip() == "application 1: pending; decision due 2027-04-02 (provisional) (Art 43)"
    # The entry shows its application (it died with "Dict key must be str").
    code, out, err = cli(db, "lists", "show", "1", on=later)
    assert code == 0, err
    assert [a["evidence"] for a in json.loads(out)["restoration_applications"]] == ["已缴清罚款"]
    code, _, err = cli(
        db, "lists", "restore-decide", "1", "--note", "同意", "--unit", "4", on=later
    )
    assert code == 6
    # RST-2, Op(18): the platform operator is not the designating unit: without --unit the
    # command is refused too (it used to let the operator consent).
    code, _, err = cli(db, "lists", "restore-decide", "1", "--note", "同意", on=later)
    assert code == 6 and "[entry.not_designating_unit]" in err
    code, out, _ = cli(db, "lists", "restorations", "--overdue", on="2027-04-06T09:00")
    assert out.strip() == (
        "application      1  entry 1  due 2027-04-02 (provisional)  OVERDUE"  # SEC-5
    )
    # SEC-5, Art 65: the sweep flags it once to the designating unit and the operator.
    code, out, _ = cli(db, "sweep", on="2027-04-06T09:00")
    assert code == 0 and "restorations overdue: 1" in out
    code, out, _ = cli(db, "sweep", on="2027-04-06T10:00")
    assert "restorations overdue" not in out
    with TestClient(create_app(w.ctx)) as api:
        for who in ("designator", "platform"):
            inbox = api.get("/api/v1/inbox", headers=bearer(who)).json()
            assert [n["object_id"] for n in inbox if n["kind"] == "restoration.overdue"] == ["1"]
    code, out, _ = cli(
        db, "lists", "restore-decide", "1", "--note", "同意", "--unit", "2", on=later
    )
    assert out.splitlines() == [
        "application 1: consented",
        "entry 1: blacklist removed; removed: restoration",
    ]
    code, out, _ = cli(db, "lists", "find", "--subject", str(w.company(1)), "--as-of", "2027-04-01")
    # Entry 2 was deleted for error: its id is never given again (the audit chain names it).
    assert out.strip().startswith("entry 3: key_scrutiny designated; valid until 2028-03-31")


def test_overdue_upward_reports_are_flagged_once_by_the_sweep__SEC_5_LST_9(
    db: DbTarget, world: World
) -> None:
    """A trial finding: a report to the upper-level platform past its 10 working days
    (Op(10)) was listed by `lists reports --overdue` and flagged to nobody (SEC-5, Art 65)."""
    w = world
    w.serious(1)
    code, _, err = cli(
        db, "lists", "propose", "--standard", "SCJG-HMD", "--subject", str(w.company(1)),
        "--facts", "x", "--person", PERSON, "--unit", "2",
    )  # fmt: skip
    assert code == 0, err
    notify(db, "1")
    assert "designated: 1" in cli(db, "sweep", on="2026-03-10T09:00")[1]
    # Due 2026-03-24: on its last day nothing is overdue; the day after, it is told once.
    assert "upward reports overdue" not in cli(db, "sweep", on="2026-03-24T18:00")[1]
    code, out, _ = cli(db, "sweep", on="2026-03-25T09:00")
    assert code == 0 and "upward reports overdue: 1" in out
    for again in ("2026-03-25T10:00", "2026-03-26T09:00", "2026-04-30T09:00"):
        assert "upward reports overdue" not in cli(db, "sweep", on=again)[1]
    with TestClient(create_app(w.ctx)) as api:
        for who in ("designator", "platform"):
            inbox = api.get("/api/v1/inbox", headers=bearer(who)).json()
            told = [n for n in inbox if n["kind"] == "upward_report.overdue"]
            assert [n["object_id"] for n in told] == ["1"], who
            assert "due 2026-03-24" in told[0]["message"]
        # The provider, which has nothing to do with the entry, is not told.
        inbox = api.get("/api/v1/inbox", headers=bearer("provider")).json()
        assert not [n for n in inbox if n["kind"] == "upward_report.overdue"]
