"""Settings -> engine -> database -> clock -> registries -> context. Nothing runs at import."""

from __future__ import annotations

import logging
from datetime import datetime

from creditreg.clock import Clock, FixedClock, SystemClock
from creditreg.config import Settings
from creditreg.domain.errors import InvalidInput, parse_enum
from creditreg.domain.kernel.audit import ChainKey
from creditreg.domain.measures.webhooks import allowed_hosts
from creditreg.domain.records.classification import DisclosurePolicy, ReviewPeriods
from creditreg.domain.rights.record_restoration import MinimumDisplay
from creditreg.domain.rights.reports import FeeRule
from creditreg.domain.rights.signing import ReportKey
from creditreg.services.access import query_register
from creditreg.services.context import Context
from creditreg.services.kernel import checkpoints as audit_checkpoints
from creditreg.services.kernel import clock as clock_service
from creditreg.services.kernel.registry import Registry
from creditreg.services.kernel.sweep import SweepSteps
from creditreg.services.lists import registrations as lists_registrations
from creditreg.services.lists import timers as lists_timers
from creditreg.services.measures import registrations as measures_registrations
from creditreg.services.measures import stop_notices, unit_notices, webhook_sender
from creditreg.services.records import registrations as records_registrations
from creditreg.services.records import timers as records_timers
from creditreg.services.rights import feedback as red_list_feedback
from creditreg.services.rights import objection_registrations, objection_timers
from creditreg.services.rights import registrations as rights_registrations
from creditreg.services.rights import timers as rights_timers
from creditreg.store.engine import make_engine
from creditreg.store.kernel import audit_key
from creditreg.store.rights import report_key
from creditreg.store.uow import Database

log = logging.getLogger("creditreg")


def build_clock(settings: Settings) -> tuple[Clock, bool]:
    """The clock the settings ask for, and whether an operator may move it.

    A fixed or test clock changes every deadline the platform computes, so it is refused
    unless CREDITREG_ALLOW_CLOCK_OVERRIDE is also set, and it is logged loudly.
    """
    if settings.clock is None and not settings.test_clock:
        return SystemClock(), False
    if not settings.allow_clock_override:
        raise InvalidInput(
            "config.clock_override_refused",
            "a fixed or test clock needs CREDITREG_ALLOW_CLOCK_OVERRIDE=true as well",
        )
    clock = FixedClock(settings.clock or SystemClock().now())
    banner = "TEST CLOCK (movable through the API)" if settings.test_clock else "FIXED CLOCK"
    log.warning("!!! %s at %s: deadlines are NOT computed from real time !!!", banner, clock.now())
    return clock, settings.test_clock


def resume_clock(clock: FixedClock, moved: datetime | None) -> None:
    """A fixed or test clock never starts behind where an operator last moved this
    database's clock: a restarted server, or the CLI run beside a server whose clock was
    moved, would otherwise see designations, deadlines and periods in the future."""
    if moved is not None and moved > clock.now():
        clock.set(moved)
        log.warning("!!! the clock resumes at %s, where it was last moved !!!", moved)


def build_audit_key(settings: Settings) -> ChainKey:
    """SEC-3: the audit chain's key, from CREDITREG_AUDIT_KEY, else from the key file (made
    with a random key, readable by its owner only, on an install's first run)."""
    if settings.audit_key is not None:
        return ChainKey(settings.audit_key.get_secret_value().encode())
    return ChainKey(audit_key.read_or_create(settings.audit_key_file))


def build_report_key(settings: Settings) -> ReportKey:
    """RIG-2: the report signing key, from CREDITREG_REPORT_KEY (PEM), else from the key file
    (made with a new Ed25519 key, owner-only, on an install's first run)."""
    if settings.report_key is not None:
        return ReportKey.from_pem(settings.report_key.get_secret_value().encode())
    return report_key.read_or_create(settings.report_key_file)


def build_context(settings: Settings | None = None, clock: Clock | None = None) -> Context:
    """Everything a service call needs, built from the settings."""
    settings = settings or Settings()
    policy = parse_enum(DisclosurePolicy, settings.disclosure_policy, "config.bad_policy")
    periods = ReviewPeriods(settings.reconsideration_days, settings.litigation_months)
    key = build_audit_key(settings)
    engine = make_engine(
        settings.database_url,
        settings.database_schema,
        sqlite_busy_timeout_ms=settings.sqlite_busy_timeout_ms,
    )
    db = Database(engine)
    if clock is not None:
        chosen, controllable = clock, isinstance(clock, FixedClock)
    else:
        chosen, controllable = build_clock(settings)
        if isinstance(chosen, FixedClock):
            resume_clock(chosen, clock_service.last_moved(db))
    return Context(
        db,
        chosen,
        controllable,
        policy,
        periods,
        notice_months=settings.notice_months,
        login_max_failures=settings.login_max_failures,
        login_window_minutes=settings.login_window_minutes,
        activation_days=settings.activation_days,
        subject_session_hours=settings.subject_session_hours,
        restoration_minimum=MinimumDisplay(
            settings.restoration_months_minor,
            settings.restoration_months_general,
            settings.restoration_months_serious,
        ),
        ingest_chunk_rows=settings.ingest_chunk_rows,
        staging_timeout_minutes=settings.staging_timeout_minutes,
        objection_attachment_max_bytes=settings.objection_attachment_max_bytes,
        objection_attachment_max_files=settings.objection_attachment_max_files,
        reconsideration_working_days=settings.reconsideration_working_days,
        webhook_allowed_hosts=allowed_hosts(settings.webhook_allowed_hosts),
        webhook_timeout_seconds=settings.webhook_timeout_seconds,
        registry=build_registry(),
        sweep_steps=sweep_steps(),
        audit_key=key,
        audit_checkpoint_file=settings.audit_checkpoint_file,
        report_key=build_report_key(settings),
        report_fees=FeeRule(settings.report_free_per_year, settings.report_fee_fen),
        report_font_file=settings.report_font_file,
    )


def build_registry() -> Registry:
    """Each context registers what it reacts to, lowest first; a lower context never names
    the upper ones (design: registries, not hard-wired lists)."""
    registry = Registry()
    records_registrations.register(registry)
    lists_registrations.register(registry)
    objection_registrations.register(registry)
    red_list_feedback.register(registry)
    rights_registrations.register(registry)
    measures_registrations.register(registry)
    unit_notices.register(registry)
    stop_notices.register(registry)
    return registry


def sweep_steps() -> SweepSteps:
    """Every context's timers: the kernel's runner names none of them."""
    steps = SweepSteps()
    records_timers.register_sweep_steps(steps)
    lists_timers.register_sweep_steps(steps)
    objection_timers.register_sweep_steps(steps)
    rights_timers.register_sweep_steps(steps)
    measures_registrations.register_sweep_steps(steps)
    unit_notices.register_sweep_steps(steps)
    webhook_sender.register_sweep_steps(steps)
    audit_checkpoints.register_sweep_steps(steps)
    query_register.register_sweep_steps(steps)
    return steps
