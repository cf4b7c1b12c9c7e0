"""The sweep, repeated: `creditreg worker` runs it in the foreground, `creditreg serve` on a
thread of its own beside the API (the embedded default), both through this loop.

A pass runs at once, then one every `interval` seconds of real time. The interval is the
worker's rhythm, not a deadline: what is due is decided by the context's clock, so a test
moves that clock forward and a short interval lets the worker notice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from creditreg.domain.kernel.actor import Actor
from creditreg.services.kernel.sweep import Sweeper, SweepReport

if TYPE_CHECKING:
    from creditreg.services.context import Context


class Worker:
    """Runs a sweep pass every `interval` seconds until stopped."""

    def __init__(
        self,
        ctx: Context,
        actor: Actor,
        interval: float,
        *,
        on_report: Callable[[SweepReport], None],
        on_error: Callable[[Exception], None],
        sweeper: Sweeper | None = None,
    ) -> None:
        if not 0 <= interval <= 86_400:
            # The CLI and the settings refuse such an interval first (`worker.bad_option`,
            # `config.invalid`): reaching here is a programming error.
            raise ValueError(f"the interval between passes is 0 to 86400 s, not {interval}")
        self.ctx, self.actor, self.interval = ctx, actor, interval
        self.sweeper = sweeper or Sweeper(ctx)
        self.on_report, self.on_error = on_report, on_error
        self.passes = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run(self, passes: int = 0) -> int:
        """Sweep until stopped (or after `passes` passes, when not 0); the passes done.

        A pass that fails is handed to `on_error` and the next pass comes on time: a
        database that is away for a minute must not end the timers (on_error may raise to
        end them)."""
        done = 0
        while not self._stop.is_set():
            try:
                report = self.sweeper.run(self.actor)
            except Exception as exc:
                self.on_error(exc)
            else:
                self.on_report(report)
            done += 1
            self.passes += 1
            if passes and done >= passes:
                break
            self._stop.wait(self.interval)
        return done

    def start(self) -> None:
        """Run on a daemon thread (the embedded worker); `stop` ends it."""
        if self._thread is not None:
            raise RuntimeError("the worker runs already")
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, name="creditreg-sweep", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 60.0) -> bool:
        """Ask the loop to end after its current pass and wait for it; True once ended."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
