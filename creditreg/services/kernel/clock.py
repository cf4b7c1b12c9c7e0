"""Moving the test clock (acceptance tests and demonstrations only)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from creditreg.clock import as_aware
from creditreg.domain.errors import Conflict, InvalidInput
from creditreg.domain.kernel.actor import Actor, Permission
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.store.kernel.queries import last_clock_move
from creditreg.store.uow import Database

LAST_YEAR = 9000  # leaves the calendar (to 9999) room for every period counted from now


def move(
    ctx: Context, actor: Actor, *, to: datetime | None = None, by: timedelta | None = None
) -> datetime:
    """Move the test clock forward, audited. Refused when the server runs on real time."""
    actor.require(Permission.CLOCK_CONTROL)
    clock = ctx.movable_clock
    if clock is None:
        raise Conflict("clock.not_movable", "the server runs on a clock that cannot be moved")
    if (to is None) == (by is None):
        raise InvalidInput("clock.bad_move", "give either a time to move to or a duration")
    before = clock.now()
    target = as_aware(to) if to is not None else before + (by or timedelta())
    if target < before:
        raise InvalidInput("clock.backwards", "the clock only moves forward")
    if target.year > LAST_YEAR:
        # Deadlines, validity periods and retention count years ahead of the clock: past
        # this, every sweep would fail with calendar.out_of_range.
        raise InvalidInput("clock.bad_move", f"the clock moves to the year {LAST_YEAR} at most")
    with ctx.db.write() as conn:
        audit.record(
            conn,
            ctx,
            actor,
            "clock.move",
            "clock",
            "server",
            before=before.isoformat(),
            after=target.isoformat(),
            # The time itself, in clear: a server restarted (and the CLI) resume from it.
            detail={"to": target.isoformat()},
        )
    # Moved only once the move is on record.
    clock.set(target)
    return target


def last_moved(db: Database) -> datetime | None:
    """Where an operator last moved the test clock of this database (the audit chain keeps
    it), so that a restarted server, or the CLI run beside it, never goes back in time:
    deadlines and periods already computed from the moved clock stay in the past. None
    when the clock was never moved, or before the database is migrated."""
    try:
        with db.read() as conn:
            return last_clock_move(conn)
    except (sa.exc.OperationalError, sa.exc.ProgrammingError):
        return None  # no audit table yet (`creditreg db upgrade` runs with these settings)
