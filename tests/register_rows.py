"""The query register's rows, as tests read them (SEC-2)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from creditreg.services.context import Context
from creditreg.store.access.query_register import query_register


def register_rows(ctx: Context, what: str | None = None) -> list[Any]:
    """The register's rows (of `what`, if given), oldest first."""
    with ctx.db.read() as conn:
        q = sa.select(query_register).order_by(query_register.c.id)
        if what is not None:
            q = q.where(query_register.c.what == what)
        return list(conn.execute(q).all())
