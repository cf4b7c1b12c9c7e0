"""The rights context's named queries: the only statements that write an authorization's
status (design rule 1; a test fails on any other)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from creditreg.domain.rights.authorizations import AuthorizationStatus
from creditreg.store.rights.tables import authorization


def insert_authorization(conn: sa.Connection, values: dict[str, Any]) -> int:
    """A new authorization, granted."""
    return int(
        conn.execute(
            authorization.insert()
            .values({**values, "status": AuthorizationStatus.GRANTED.value})
            .returning(authorization.c.id)
        ).scalar_one()
    )


def set_authorization_status(
    conn: sa.Connection, authorization_id: int, status: str, **values: Any
) -> None:
    """Write one authorization's new status (and the facts stamped with it)."""
    conn.execute(
        authorization.update()
        .where(authorization.c.id == authorization_id)
        .values(status=status, **values)
    )
