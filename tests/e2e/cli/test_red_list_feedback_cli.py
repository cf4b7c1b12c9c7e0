"""`creditreg feedback` (issue 10, part 5; OBJ-4, Op(21)): a unit reports on a red-list
entry, the designating unit lists and decides; bad input is one line and an exit code,
nothing stored."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from creditreg.clock import FixedClock
from creditreg.services.context import Context
from creditreg.store.lists.tables import list_entry
from creditreg.store.rights.objection_tables import red_list_feedback
from tests.conftest import DbTarget
from tests.e2e.cli.test_lists_cli import cli
from tests.lists_world import World, honour_row, make_world
from tests.objection_helpers import HTML, PDF

LATER = "2026-03-12T09:00"  # after the red-list announcement's window: designated


@pytest.fixture
def world(ctx: Context, clock: FixedClock, demo_data: None) -> World:
    return make_world(ctx, clock)


def _red_entries(db: DbTarget, w: World, n: int) -> None:
    for i in range(1, n + 1):
        w.submit("BZJL", [honour_row(i)])
        code, _, err = cli(db, "lists", "propose", "--standard", "SCJG-HONG", "--subject",
                           str(w.company(i)), "--facts", "守合同重信用", "--unit", "2")  # fmt: skip
        assert code == 0, err
        assert cli(db, "lists", "announce", str(i), "--unit", "2")[0] == 0
    code, out, _ = cli(db, "sweep", on=LATER)
    assert f"designated: {n}" in out


def _entry(ctx: Context, entry_id: int) -> tuple[str, str | None]:
    with ctx.db.read() as conn:
        row = conn.execute(
            sa.select(list_entry.c.status, list_entry.c.removal_reason).where(
                list_entry.c.id == entry_id
            )
        ).one()
    return row.status, row.removal_reason


def _count(ctx: Context) -> int:
    with ctx.db.read() as conn:
        return int(
            conn.execute(sa.select(sa.func.count()).select_from(red_list_feedback)).scalar_one()
        )


def test_red_list_feedback_from_the_command_line__OBJ_4(
    db: DbTarget, world: World, tmp_path: Path
) -> None:
    ctx = world.ctx
    _red_entries(db, world, 2)
    scan = tmp_path / "evidence.pdf"
    scan.write_bytes(PDF)
    # Never anonymous; evidence checked by its content; nothing stored.
    code, _, err = cli(db, "feedback", "report", "--entry-id", "1", "--evidence", "欠薪", on=LATER)
    assert code == 5 and err.strip().endswith("[feedback.anonymous]")
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(HTML)
    code, _, err = cli(db, "feedback", "report", "--entry-id", "1", "--evidence", "欠薪",
                       "--unit", "4", "--attach", str(fake), on=LATER)  # fmt: skip
    assert code == 2 and "[objection.attachment_type_not_allowed]" in err
    assert _count(ctx) == 0
    # The implementing unit reports on both entries.
    for entry in ("1", "2"):
        code, out, err = cli(db, "feedback", "report", "--entry-id", entry, "--evidence",
                             "该企业存在欠薪", "--unit", "4", "--attach", str(scan),
                             on=LATER)  # fmt: skip
        assert code == 0, err
        assert out.strip() == f"feedback {entry}: red_list entry {entry} received"
    # The designating unit lists what it verifies; another unit may not decide.
    code, out, _ = cli(db, "feedback", "list", "--unit", "2", on=LATER)
    assert out.splitlines() == [
        "feedback 1: red_list entry 1 received",
        "feedback 2: red_list entry 2 received",
    ]
    code, _, err = cli(db, "feedback", "decide", "1", "--outcome", "confirmed", "--reason",
                       "属实", "--unit", "4", on=LATER)  # fmt: skip
    assert code != 0 and "[access.missing_permission]" in err
    code, _, err = cli(db, "feedback", "decide", "1", "--outcome", "maybe", "--reason",
                       "属实", "--unit", "2", on=LATER)  # fmt: skip
    assert code == 2 and "[feedback.bad_outcome]" in err
    # Confirmed: the entry is removed (unfit_conduct); dismissed: nothing changes.
    code, out, err = cli(db, "feedback", "decide", "1", "--outcome", "confirmed", "--reason",
                         "经核实属实", "--unit", "2", on=LATER)  # fmt: skip
    assert code == 0, err
    assert out.strip() == (
        "feedback 1: red_list entry 1 confirmed; entry removed: unfit_conduct; reason: 经核实属实"
    )
    assert _entry(ctx, 1) == ("removed", "unfit_conduct")
    code, out, err = cli(db, "feedback", "decide", "2", "--outcome", "dismissed", "--reason",
                         "不属实", "--unit", "2", on=LATER)  # fmt: skip
    assert code == 0, err
    assert _entry(ctx, 2) == ("designated", None)
    code, out, _ = cli(db, "feedback", "list", "--status", "received", "--unit", "2", on=LATER)
    assert out.strip() == ""
    # Not in force any more: a new report on the removed entry is refused.
    code, _, err = cli(db, "feedback", "report", "--entry-id", "1", "--evidence", "欠薪",
                       "--unit", "4", on=LATER)  # fmt: skip
    assert code != 0 and "[feedback.entry_not_in_force]" in err
