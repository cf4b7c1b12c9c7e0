"""The lists timers under racing sweeps, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from creditreg.clock import FixedClock
from creditreg.demo.dataset import demo_ric
from creditreg.domain.access.principals import SYSTEM
from creditreg.services.context import Context
from creditreg.services.kernel.sweep import Sweeper, SweepReport
from creditreg.services.lists import entries, entry_views
from creditreg.store.lists.tables import list_entry_event
from tests.lists_world import PERSON, World, make_world
from tests.notice_delivery import notify

WAIT = 60  # seconds: a bound on the racing threads, never a pause


@pytest.fixture
def world(ctx: Context, clock: FixedClock) -> World:
    return make_world(ctx, clock)


def test_two_racing_sweeps_designate_each_entry_once__LST_2(world: World) -> None:
    """Two sweeps start together after the windows closed (a worker and a cron sweep):
    every entry is designated once, with one history row each, and what one sweep left to
    the other it reports as skipped."""
    w = world
    ids = []
    for i in range(1, 5):
        w.serious(i)
        entry = entries.propose(
            w.ctx,
            w.designator,
            standard_code="SCJG-HMD",
            subject_id=w.company(i),
            facts="多次销售不合格食品，情节严重",
            responsible_persons=[{**PERSON, "id_number": demo_ric("41010519700101123")}],
        )
        ids.append(int(entry["id"]))  # type: ignore[call-overload]
        notify(w.ctx, w.designator, ids[-1])
    w.advance(14)
    start = threading.Barrier(2)
    reports: list[SweepReport] = []
    errors: list[BaseException] = []

    def sweep(holder: str) -> None:
        sweeper = Sweeper(w.ctx, holder=holder)
        try:
            start.wait(WAIT)
            reports.append(sweeper.run(SYSTEM))
        except BaseException as exc:  # handed to the test thread below
            errors.append(exc)

    threads = [threading.Thread(target=sweep, args=(f"sweep-{n}",)) for n in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT)
    assert not errors and len(reports) == 2
    assert sum(r.count("designated") for r in reports) == len(ids)
    for eid in ids:
        assert entry_views.get(w.ctx, SYSTEM, eid)["status"] == "designated"
    with w.ctx.db.read() as conn:
        designations = conn.execute(
            sa.select(list_entry_event.c.entry_id, sa.func.count())
            .where(list_entry_event.c.action == "designate")
            .group_by(list_entry_event.c.entry_id)
        ).all()
    assert sorted(designations) == [(eid, 1) for eid in sorted(ids)]
    # Whichever sweep ran the windows step, the other either skipped it (held) or ran it
    # after the first had finished, finding nothing left to designate.
    ran_windows = [r for r in reports if r.steps["list_windows"].ran]
    assert len(ran_windows) in (1, 2)
    assert sorted(r.count("designated") for r in ran_windows)[-1] == len(ids)
