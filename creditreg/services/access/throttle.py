"""The one throttle of failed attempts (SEC-1, issue 9; reused by issue 10): failures are
rows in `login_failure`, keyed by what was tried (a unit user's name, a subject account's
`account:<name>`, an activation code's `code:<prefix>`) and by the caller's address, kept
in the database so that several server processes share it."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import sqlalchemy as sa

from creditreg.domain.errors import TooManyAttempts
from creditreg.services.context import Context
from creditreg.store.access.tables import login_failure


def wait_seconds(
    conn: sa.Connection,
    key: str,
    address: str,
    now: datetime,
    window: timedelta,
    limit: int,
) -> int | None:
    """Seconds to wait when the key or the address has `limit` failures within the
    window, else None."""
    since = now - window
    waits = []
    for column, value in ((login_failure.c.username, key), (login_failure.c.address, address)):
        recent = list(
            conn.execute(
                sa.select(login_failure.c.at)
                .where(column == value, login_failure.c.at > since)
                .order_by(login_failure.c.at.desc())
                .limit(limit)
            ).scalars()
        )
        if len(recent) >= limit:
            # Free again when the oldest of the last `limit` failures leaves the window.
            waits.append(max(1, math.ceil((recent[-1] + window - now).total_seconds())))
    return max(waits) if waits else None


def refuse_if_throttled(ctx: Context, key: str, address: str, code: str, what: str) -> None:
    """Raise 429 `code` (with `retry_after`) when `key` or `address` has had
    `login_max_failures` failures within `login_window_minutes`."""
    window = timedelta(minutes=ctx.login_window_minutes)
    with ctx.db.read() as conn:
        retry = wait_seconds(
            conn, key[:80], address[:64], ctx.now(), window, ctx.login_max_failures
        )
    if retry is not None:
        raise TooManyAttempts(
            code,
            f"too many failed {what} for this account or address; retry in {retry} s",
            retry_after=retry,
        )


def record_failure(conn: sa.Connection, key: str, address: str, now: datetime) -> None:
    """Count one failed attempt (in the caller's transaction, which must commit even though
    the attempt is refused)."""
    conn.execute(login_failure.insert().values(username=key[:80], address=address[:64], at=now))
