"""The rights context's named queries: the only statements that write the status of an
authorization or a record restoration (design rule 1; a test fails on any other)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from creditreg.domain.rights.authorizations import AuthorizationStatus
from creditreg.domain.rights.record_restoration import ApplicationStatus
from creditreg.store.rights.tables import authorization, record_restoration


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


def insert_record_restoration(conn: sa.Connection, values: dict[str, Any]) -> int:
    """A new application to restore a record, applied."""
    return int(
        conn.execute(
            record_restoration.insert()
            .values({**values, "status": ApplicationStatus.APPLIED.value})
            .returning(record_restoration.c.id)
        ).scalar_one()
    )


def set_record_restoration_status(
    conn: sa.Connection, application_id: int, status: str, **values: Any
) -> None:
    """Write one application's decision."""
    conn.execute(
        record_restoration.update()
        .where(record_restoration.c.id == application_id)
        .values(status=status, **values)
    )
