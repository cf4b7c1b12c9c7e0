"""The sweep runner: a registry of named steps, each run under a lease, on both databases.

The racing sweeps are threads with their own holders, as the embedded worker and a cron
`creditreg sweep` (or two workers) would be; a step that one holds, the other skips.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest

from creditreg.bootstrap import sweep_steps
from creditreg.clock import FixedClock
from creditreg.domain.access.principals import SYSTEM
from creditreg.services.context import Context
from creditreg.services.kernel.sweep import StepRun, Sweeper, SweepReport, SweepSteps
from tests.conftest import T0

WAIT = 30  # seconds: a bound on waiting for the other thread, never a pause


def test_steps_register_by_name_and_run_in_their_order() -> None:
    steps = SweepSteps()
    steps.register("later", lambda run: None, order=20)
    steps.register("earlier", lambda run: None, order=10)
    steps.register("also_later", lambda run: None, order=20)
    assert steps.names() == ["earlier", "also_later", "later"]
    with pytest.raises(ValueError, match="registered already"):
        steps.register("later", lambda run: None, order=30)
    for bad in ("", "Windows", "list-windows", "x" * 41, "1st"):
        with pytest.raises(ValueError, match="lower-case letters"):
            steps.register(bad, lambda run: None, order=1)


def test_a_sweep_without_steps_is_refused(ctx: Context) -> None:
    """A context built without bootstrap would sweep nothing and leave windows open."""
    with pytest.raises(ValueError, match="no sweep steps are registered"):
        Sweeper(ctx, SweepSteps())


def test_bootstrap_registers_every_context_s_timers_in_the_order_a_pass_runs_them() -> None:
    assert sweep_steps().names() == [
        "ingest_staging",
        "record_archiving",
        "list_windows",
        "list_basis_revoked",
        "list_expiry",
        "key_scrutiny_conduct",
        "big_data_warnings",
        "overdue_restorations",
        "overdue_upward_reports",
        "overdue_objections",
        "overdue_record_restorations",
        "memoranda_in_force",
        "undelivered_notices",
        "overdue_verifications",
        "unit_notices",
        "webhook_deliveries",
        "query_register_retention",
        "audit_checkpoint",
    ]


def test_two_sweeps_racing_never_run_a_step_at_once(ctx: Context) -> None:
    """Sweep A is inside `slow` when sweep B passes: B skips `slow`, says so, and runs
    `quick`; `slow` ran once, and no step ever ran in two sweeps at the same time."""
    inside = threading.Event()
    go_on = threading.Event()
    running: dict[str, str] = {}
    overlaps: list[str] = []
    runs: list[tuple[str, str]] = []
    guard = threading.Lock()

    def tracked(name: str, body: threading.Event | None) -> None:
        def step(run: StepRun) -> None:
            with guard:
                if name in running:
                    overlaps.append(name)
                running[name] = run.ctx.db.dialect
                runs.append((name, threading.current_thread().name))
            with run.write():  # a chunk, renewing the lease
                pass
            if body is not None:
                inside.set()
                assert body.wait(WAIT), "the test never let the slow step finish"
            run.add("done")
            with guard:
                running.pop(name)

        steps.register(name, step, order=len(steps))

    steps = SweepSteps()
    tracked("slow", go_on)
    tracked("quick", None)
    a = Sweeper(ctx, steps, holder="sweep-a")
    b = Sweeper(ctx, steps, holder="sweep-b")
    reports: dict[str, SweepReport] = {}
    thread = threading.Thread(target=lambda: reports.setdefault("a", a.run(SYSTEM)), name="sweep-a")
    thread.start()
    try:
        assert inside.wait(WAIT), "sweep A never reached the slow step"
        reports["b"] = b.run(SYSTEM)
    finally:
        go_on.set()
        thread.join(WAIT)
    assert not thread.is_alive()
    first, second = reports["a"], reports["b"]
    assert second.skipped == ["slow"]
    assert second.steps["slow"].held_by is not None
    assert second.steps["slow"].held_by.holder == "sweep-a"
    assert "skipped slow (held by sweep-a until" in second.line()
    assert first.skipped == [] and first.count("done") == 2
    assert [name for name, _ in runs].count("slow") == 1
    assert overlaps == []


def test_a_step_that_fails_gives_its_lease_back(ctx: Context) -> None:
    def broken(run: StepRun) -> None:
        raise RuntimeError("a defect")

    steps = SweepSteps()
    steps.register("broken", broken, order=1)
    with pytest.raises(RuntimeError):
        Sweeper(ctx, steps, holder="sweep-a").run(SYSTEM)
    assert Sweeper(ctx, steps, holder="sweep-b").lease("broken").held() is None


def test_a_step_that_fails_does_not_stop_the_steps_after_it(ctx: Context) -> None:
    """One step's defect (a webhook URL no client can send to, say) must not keep the
    deadlines of the others waiting: they run, then the pass raises the first failure,
    with the pass's report in its notes."""
    ran: list[str] = []

    def step(name: str, error: Exception | None = None) -> Callable[[StepRun], None]:
        def apply(run: StepRun) -> None:
            ran.append(name)
            run.add(name)  # done before it failed: kept, and counted
            if error is not None:
                raise error

        return apply

    steps = SweepSteps()
    steps.register("first", step("first"), order=1)
    steps.register("broken", step("broken", RuntimeError("a defect")), order=2)
    steps.register("windows", step("windows"), order=3)
    steps.register("also_broken", step("also_broken", ValueError("another")), order=4)
    steps.register("checkpoint", step("checkpoint"), order=5)
    with pytest.raises(RuntimeError, match="a defect") as failed:
        Sweeper(ctx, steps, holder="sweep-a").run(SYSTEM)
    assert ran == ["first", "broken", "windows", "also_broken", "checkpoint"]
    [note] = failed.value.__notes__
    assert note.startswith("sweep at ") and (
        "first: 1, broken: 1, windows: 1, also broken: 1, checkpoint: 1;" in note
    )
    assert note.endswith("broken failed: RuntimeError; also_broken failed: ValueError")
    # Every lease was given back: the next pass runs every step again.
    for name in steps.names():
        assert Sweeper(ctx, steps, holder="sweep-b").lease(name).held() is None


def test_a_sweep_that_lost_its_lease_stops_that_step_and_says_so(ctx: Context) -> None:
    """The step outlived its lease (a pause longer than the lease): another sweep took it,
    so the first stops at its next transaction, keeping what it had committed."""
    wall = FixedClock(T0)
    chunks: list[int] = []

    def long_step(run: StepRun) -> None:
        for i in range(3):
            with run.write():
                chunks.append(i)
                run.add("chunks")
            if i == 0:
                wall.advance(timedelta(seconds=121))
                assert (
                    Sweeper(ctx, steps, holder="other", wall_clock=wall).lease("long").acquire()
                    is None
                )

    steps = SweepSteps()
    steps.register("long", long_step, order=1)
    report = Sweeper(ctx, steps, holder="sweep-a", wall_clock=wall).run(SYSTEM)
    assert chunks == [0] and report.count("chunks") == 1
    assert report.steps["long"].lost_lease
    assert report.line().endswith("long stopped: lease lost")
