"""The timers (design rule 4): one idempotent pass applying what is due at `now`.

The runner knows no context. Each context registers its named steps at bootstrap
(`register_sweep_steps` in `services/lists/timers.py`, `services/records/timers.py`); a
pass runs them in their order, each under its lease, so that two sweeps (the embedded
worker and a cron `creditreg sweep`, or two workers) never run the same step at once.
A sweep that finds a step's lease held skips the step and says so in its report.

Each step finds its work by index (what is due, not the whole table), in chunks, each
chunk one transaction (`StepRun.write`, which also renews the lease). Run twice at the
same time, the second pass changes nothing.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from creditreg.clock import Clock, SystemClock
from creditreg.domain.kernel.actor import Actor
from creditreg.services.kernel.lease import LEASE_SECONDS, Holding, Lease, LeaseLost, new_holder

if TYPE_CHECKING:
    from creditreg.services.context import Context

CHUNK = 2000
log = logging.getLogger("creditreg.worker")
_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


class StepRun:
    """What a step gets: the context, who sweeps, its counts, and its transactions."""

    def __init__(self, ctx: Context, actor: Actor, name: str, lease: Lease) -> None:
        self.ctx, self.actor, self.name = ctx, actor, name
        self.counts: dict[str, int] = {}
        self._lease = lease

    def add(self, what: str, n: int = 1) -> None:
        """Count `n` more of `what` (e.g. "designated") in the report."""
        self.counts[what] = self.counts.get(what, 0) + n

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """A write transaction that first renews the step's lease (LeaseLost if it is gone,
        and then nothing of this transaction is kept)."""
        with self.ctx.db.write() as conn:
            self._lease.renew(conn)
            yield conn


StepFunction = Callable[[StepRun], None]


@dataclass(frozen=True)
class SweepStep:
    """A named step and where it runs in a pass (lower `order` first)."""

    name: str
    order: int
    apply: StepFunction


class SweepSteps:
    """The registry of sweep steps; each context registers its own at bootstrap."""

    def __init__(self) -> None:
        self._steps: dict[str, SweepStep] = {}

    def register(self, name: str, apply: StepFunction, *, order: int) -> None:
        """Add a step. Its name names its lease and its line in the report."""
        if not _NAME.fullmatch(name):
            raise ValueError(
                f"a sweep step name is lower-case letters, digits and _ (at most 40), not {name!r}"
            )
        if name in self._steps:
            raise ValueError(f"the sweep step {name!r} is registered already")
        self._steps[name] = SweepStep(name, order, apply)

    def __iter__(self) -> Iterator[SweepStep]:
        return iter(sorted(self._steps.values(), key=lambda s: (s.order, s.name)))

    def __len__(self) -> int:
        return len(self._steps)

    def names(self) -> list[str]:
        return [s.name for s in self]


@dataclass
class StepOutcome:
    """What one step did in a pass: its counts, or why it did not run (to the end)."""

    counts: dict[str, int] = field(default_factory=dict)
    # Set when another sweep held the step's lease: the step did not run.
    held_by: Holding | None = None
    # Set when the lease was lost midway: what committed before stays, the rest is left.
    lost_lease: bool = False
    # Set when the step raised: what it committed stays; the steps after it still ran.
    failed: str | None = None
    error: Exception | None = field(default=None, repr=False, compare=False)

    @property
    def ran(self) -> bool:
        return self.held_by is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "counts": dict(self.counts),
            "skipped": self.held_by is not None,
            "held_by": self.held_by.holder if self.held_by else None,
            "held_until": self.held_by.until.isoformat() if self.held_by else None,
            "lost_lease": self.lost_lease,
            "failed": self.failed,
        }


@dataclass
class SweepReport:
    """What one pass did, step by step (in the order the steps ran)."""

    on: str
    holder: str
    steps: dict[str, StepOutcome] = field(default_factory=dict)

    def count(self, what: str) -> int:
        """How many of `what` ("designated", "expired" ...) the pass did, over all steps."""
        return sum(s.counts.get(what, 0) for s in self.steps.values())

    @property
    def changed(self) -> int:
        return sum(sum(s.counts.values()) for s in self.steps.values())

    @property
    def skipped(self) -> list[str]:
        """The steps another sweep held, so this pass left them to it."""
        return [name for name, s in self.steps.items() if not s.ran]

    def as_dict(self) -> dict[str, Any]:
        return {
            "on": self.on,
            "holder": self.holder,
            "changed": self.changed,
            "steps": {name: s.as_dict() for name, s in self.steps.items()},
        }

    def line(self) -> str:
        """One line for the CLI and the server log, e.g.
        `sweep at 2026-03-10: designated: 1` or `sweep at 2026-03-10: nothing due`."""
        counts = ", ".join(
            f"{what.replace('_', ' ')}: {n}"
            for s in self.steps.values()
            for what, n in s.counts.items()
            if n
        )
        notes = (
            [
                f"skipped {name} (held by {s.held_by.holder} until {s.held_by.until:%H:%M:%S} UTC)"
                for name, s in self.steps.items()
                if s.held_by is not None
            ]
            + [f"{name} stopped: lease lost" for name, s in self.steps.items() if s.lost_lease]
            + [f"{name} failed: {s.failed}" for name, s in self.steps.items() if s.failed]
        )
        return f"sweep at {self.on}: " + "; ".join([counts or "nothing due", *notes])


class Sweeper:
    """Runs the registered steps, each under its lease, as one holder.

    `wall_clock` times the leases (real time by default; creditreg.services.kernel.lease
    says why); the context's clock says what is due.
    """

    def __init__(
        self,
        ctx: Context,
        steps: SweepSteps | None = None,
        *,
        holder: str | None = None,
        wall_clock: Clock | None = None,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self.ctx = ctx
        self.steps = ctx.sweep_steps if steps is None else steps
        if not len(self.steps):
            # A context not built by creditreg.bootstrap: a sweep that silently does
            # nothing would leave every window open.
            raise ValueError("no sweep steps are registered: build the context with bootstrap")
        self.holder = holder or new_holder()
        self.wall_clock = wall_clock or SystemClock()
        self.lease_seconds = lease_seconds

    def lease(self, step: str) -> Lease:
        """The lease of `step`, as this sweeper holds it."""
        return Lease(self.ctx.db, step, self.holder, self.wall_clock, self.lease_seconds)

    def run(self, actor: Actor) -> SweepReport:
        """One pass over every registered step, in order. A step that raises does not stop
        the pass: one step's defect or outage must not keep the others' deadlines (notice
        periods, objections, the audit checkpoint) waiting. Once every step has run, the
        first step's error is raised, the pass's report added to its notes."""
        report = SweepReport(on=self.ctx.today().isoformat(), holder=self.holder)
        failures: list[Exception] = []
        for step in self.steps:
            outcome = self._run_step(step, actor)
            report.steps[step.name] = outcome
            if outcome.error is not None:
                failures.append(outcome.error)
        for later in failures[1:]:  # the first is raised below, with its traceback
            log.error("sweep step failed", exc_info=later)
        if failures:
            first = failures[0]
            first.add_note(report.line())
            raise first
        return report

    def _run_step(self, step: SweepStep, actor: Actor) -> StepOutcome:
        lease = self.lease(step.name)
        held = lease.acquire()
        if held is not None:
            return StepOutcome(held_by=held)
        run = StepRun(self.ctx, actor, step.name, lease)
        outcome = StepOutcome(counts=run.counts)
        try:
            step.apply(run)
        except LeaseLost:
            # Another sweep took the step over after our lease ran out; it goes on from
            # what we committed (each chunk takes its rows out of what is due).
            outcome.lost_lease = True
            return outcome
        except Exception as exc:
            # The step's own error says more than a failed release would, and an
            # unreleased lease expires by itself. What it committed before stays, and its
            # counts with it.
            with contextlib.suppress(sa.exc.SQLAlchemyError):
                lease.release()
            outcome.failed = type(exc).__name__
            outcome.error = exc
            return outcome
        except BaseException:
            with contextlib.suppress(sa.exc.SQLAlchemyError):
                lease.release()
            raise
        lease.release()
        return outcome


def run(ctx: Context, actor: Actor) -> SweepReport:
    """One pass of every step the contexts registered (a fresh holder, real-time leases)."""
    return Sweeper(ctx).run(actor)


def in_chunks(
    run: StepRun,
    due: sa.Select[Any],
    apply: Callable[[sa.Connection, list[Any]], None],
) -> None:
    """Apply `apply` to the rows `due` selects (ordered by the caller), CHUNK at a time, a
    transaction each, until none is left (each chunk's changes take its rows out of `due`).
    Between chunks the write lock is free, so API writers are never shut out for long."""
    while True:
        with run.write() as conn:
            rows = list(conn.execute(due.limit(CHUNK)).all())
            if not rows:
                return
            apply(conn, rows)
