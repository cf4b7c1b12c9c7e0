"""`creditreg corrections` (issue 10, part 6; OBJ-5, Op(23), Art 66): a record found wrong
is corrected with its apology; compensation is claimed on the subject's behalf, decided
and paid by the unit that made the error; bad input is one line and an exit code."""

from __future__ import annotations

import pytest

from creditreg.clock import FixedClock
from creditreg.services.context import Context
from tests.conftest import DbTarget
from tests.e2e.cli.test_lists_cli import cli
from tests.lists_world import World, make_world


@pytest.fixture
def world(ctx: Context, clock: FixedClock, demo_data: None) -> World:
    return make_world(ctx, clock)


def test_a_correction_and_its_compensation_from_the_command_line__OBJ_5(
    db: DbTarget, world: World
) -> None:
    [rid] = world.serious(1)
    sid = world.company(1)
    code, _, err = cli(db, "corrections", "make", "record", str(rid), "--error", "录错")
    assert code == 2 and err.strip().endswith("[correction.fix_required]")
    assert len(err.strip().splitlines()) == 1
    assert cli(db, "corrections", "list")[1] == ""  # nothing stored
    code, out, err = cli(db, "corrections", "make", "record", str(rid), "--error", "决定书号录错",
                         "--fix", "withdraw")  # fmt: skip
    assert code == 0, err
    assert out.startswith(f"correction 1: record {rid} withdrawn on 2026-03-02 (subject {sid})")
    assert "clarified on platform_portal until 2026-06-02" in out
    code, _, err = cli(db, "corrections", "claim", "--subject", str(sid), "--correction", "1",
                       "--amount", "-3", "--grounds", "损失")  # fmt: skip
    assert code == 2 and "[compensation.bad_amount]" in err
    code, out, err = cli(db, "corrections", "claim", "--subject", str(sid), "--correction", "1",
                         "--amount", "2000", "--grounds", "停业一日")  # fmt: skip
    assert code == 0, err
    assert out.strip() == "claim 1 (correction 1): claimed, claimed 2000.00 yuan"
    # The record's providing unit (unit 3) made the error: it decides, not unit 2.
    code, _, err = cli(db, "corrections", "decide-claim", "1", "--grant", "--reason", "属实",
                       "--amount", "1500", "--unit", "2")  # fmt: skip
    assert code == 6 and "[compensation.not_deciding_unit]" in err
    code, out, err = cli(db, "corrections", "decide-claim", "1", "--grant", "--reason", "属实",
                         "--amount", "1500", "--unit", "3")  # fmt: skip
    assert code == 0, err
    assert out.strip() == "claim 1 (correction 1): granted, claimed 2000.00 yuan, granted 1500.00"
    code, out, err = cli(db, "corrections", "pay-claim", "1", "--reference", "ZF-7", "--unit", "3")
    assert code == 0 and out.strip().endswith("paid 2026-03-02 (ZF-7)"), err
    code, _, err = cli(db, "corrections", "pay-claim", "1", "--reference", "ZF-8", "--unit", "3")
    assert code == 4 and "[compensation.illegal_transition]" in err
