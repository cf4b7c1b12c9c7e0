"""Leases: one holder at a time, renewed in the holder's transactions, free again once
released or expired (a crashed worker does not block for ever); on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from creditreg.clock import FixedClock
from creditreg.services.context import Context
from creditreg.services.kernel.lease import Holding, Lease, LeaseLost
from creditreg.store.kernel.tables import sweep_state
from tests.conftest import T0


def test_a_lease_has_one_holder_until_released_or_expired(ctx: Context) -> None:
    wall = FixedClock(T0)
    a = Lease(ctx.db, "step", "worker-a", wall, seconds=60)
    b = Lease(ctx.db, "step", "worker-b", wall, seconds=60)
    assert a.acquire() is None
    assert b.acquire() == Holding("worker-a", T0 + timedelta(seconds=60))
    assert a.acquire() is None  # a holder may take its own lease again
    wall.advance(timedelta(seconds=30))
    with ctx.db.write() as conn:
        a.renew(conn)  # renewed inside the holder's transaction: until T0 + 90 s
    wall.advance(timedelta(seconds=59))
    assert b.acquire() is not None
    # A crashed holder does not block for ever: once expired, another takes the lease.
    wall.advance(timedelta(seconds=2))
    assert a.held() is None
    assert b.acquire() is None
    # The old holder's next transaction fails on renewal and keeps nothing.
    with pytest.raises(LeaseLost), ctx.db.write() as conn:
        conn.execute(sweep_state.insert().values(name="fenced", value="x"))
        a.renew(conn)
    with ctx.db.read() as conn:
        assert conn.execute(sa.select(sweep_state.c.name)).scalars().all() == []
    b.release()
    assert a.acquire() is None  # released: no need to wait for the expiry
    with pytest.raises(ValueError, match="1 to 40"):
        Lease(ctx.db, "x" * 41, "worker-a", wall)
    with pytest.raises(ValueError, match="positive"):
        Lease(ctx.db, "step", "worker-a", wall, seconds=0)
