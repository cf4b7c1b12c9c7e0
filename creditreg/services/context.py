"""What every service call needs: the database, the clock and the registries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from creditreg.clock import Clock, FixedClock, SystemClock, local_date
from creditreg.domain.kernel.audit import ChainKey
from creditreg.domain.records.classification import DisclosurePolicy, ReviewPeriods
from creditreg.domain.rights.record_restoration import MinimumDisplay
from creditreg.domain.rights.reports import FeeRule
from creditreg.domain.rights.signing import ReportKey
from creditreg.services.kernel.registry import Registry
from creditreg.services.kernel.sweep import SweepSteps
from creditreg.store.uow import Database


@dataclass
class Context:
    """The database, the clock, and whether an operator may move the clock."""

    db: Database
    clock: Clock
    clock_controllable: bool = False
    disclosure_policy: DisclosurePolicy = DisclosurePolicy.REGULATIONS
    review_periods: ReviewPeriods = field(default_factory=ReviewPeriods)
    # How long removal and correction notices stay published (the seeds are silent).
    notice_months: int = 3
    # Issue 9: failed logins per account and per address before a wait (429).
    login_max_failures: int = 5
    login_window_minutes: int = 15
    # Issue 10: how long an activation code is valid and a subject's session lasts.
    activation_days: int = 30
    subject_session_hours: int = 12
    # Issue 9: rows an ingest stages per transaction; minutes before the sweep discards a
    # staging batch whose ingest stopped; and a hook called after each staged chunk commits
    # (batch id, chunk number): tests pause or stop an ingest there.
    # RST-7, Art 43: months of display before a record may be restored, by class.
    restoration_minimum: MinimumDisplay = field(default_factory=MinimumDisplay)
    ingest_chunk_rows: int = 2000
    staging_timeout_minutes: int = 30
    after_chunk: Callable[[int, int], None] | None = None
    # OBJ-1, OBJ-3 (issue 10, part 4): attachments' limits, the reconsideration deadline.
    objection_attachment_max_bytes: int = 10 * 1024 * 1024
    objection_attachment_max_files: int = 5
    reconsideration_working_days: int = 15
    # Issue 11: hosts webhook URLs may name besides public ones, and a receiver's time to
    # answer (CREDITREG_WEBHOOK_ALLOWED_HOSTS, CREDITREG_WEBHOOK_TIMEOUT_SECONDS).
    webhook_allowed_hosts: frozenset[str] = frozenset()
    webhook_timeout_seconds: float = 5.0
    # Subscribers, deadline followers, erasers, extensions: filled by creditreg.bootstrap.
    # Issue 11: the wall clock, for what is judged against other machines' real time (a
    # webhook's signature timestamp, which receivers check within minutes of their own
    # clock), also when `clock` is a fixed or moved test clock.
    wall_clock: Clock = field(default_factory=SystemClock)
    registry: Registry = field(default_factory=Registry)
    # The timers each context registered at bootstrap (empty: a sweep does nothing).
    sweep_steps: SweepSteps = field(default_factory=SweepSteps)

    # SEC-3: the audit chain's key (kept outside the database) and the file outside it where
    # the chain's checkpoints are copied. Set by creditreg.bootstrap; there is no default
    # key: writing an audit event without one is an error, never an unkeyed event.
    audit_key: ChainKey | None = None
    audit_checkpoint_file: Path | None = None

    # RIG-2: the credit reports' signing key (outside the database; set by bootstrap), the
    # free allowance and fee (Art 40), and the CJK font PDF reports embed.
    report_key: ReportKey | None = None
    report_fees: FeeRule = field(default_factory=FeeRule)
    report_font_file: Path | None = None

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        """Today in China Standard Time, the calendar deadlines count in."""
        return local_date(self.clock.now())

    def chain_key(self) -> ChainKey:
        """The audit key (RuntimeError for a context not built by creditreg.bootstrap)."""
        if self.audit_key is None:
            raise RuntimeError("the context has no audit key: build it with creditreg.bootstrap")
        return self.audit_key

    def signing_key(self) -> ReportKey:
        """The report key (RuntimeError for a context not built by creditreg.bootstrap)."""
        if self.report_key is None:
            raise RuntimeError("the context has no report key: build it with creditreg.bootstrap")
        return self.report_key

    @property
    def movable_clock(self) -> FixedClock | None:
        """The clock, when it is a test clock an operator may move."""
        if self.clock_controllable and isinstance(self.clock, FixedClock):
            return self.clock
        return None
