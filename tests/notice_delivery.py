"""The written notice of a blacklist proposal delivered (LST-2, Op(7), Art 28): a subject
without an account is told by the printed notice, and its objection window runs from the
delivery the designating unit records. Tests whose subject has no account deliver it on
the day of issue with these helpers, as a unit serving the notice at once would."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from creditreg.domain.access.principals import Principal
from creditreg.services.context import Context
from creditreg.services.lists import entry_steps, entry_views
from creditreg.services.rights import notices
from creditreg.store.rights.tables import subject_notice


def deliver(ctx: Context, principal: Principal, entry_id: int) -> None:
    """Record the delivery of `entry_id`'s printed written notice on its issue day (none
    waiting: nothing to do)."""
    with ctx.db.read() as conn:
        row = conn.execute(
            sa.select(subject_notice.c.id, subject_notice.c.issued_on).where(
                subject_notice.c.owner_type == "list_entry",
                subject_notice.c.owner_id == str(entry_id),
                subject_notice.c.kind == "written_notice",
                subject_notice.c.delivered_on.is_(None),
            )
        ).first()
    if row is not None:
        notices.record_delivery(ctx, principal, int(row.id), row.issued_on)


def notify(ctx: Context, principal: Principal, entry_id: int) -> Any:
    """`entry_steps.notify`, the printed notice delivered the same day: the entry's view."""
    entry_steps.notify(ctx, principal, entry_id)
    deliver(ctx, principal, entry_id)
    return entry_views.get(ctx, principal, entry_id)


def deliver_over_api(api: TestClient, entry_id: int, headers: dict[str, str]) -> None:
    """The same over HTTP, as the designating unit (`headers`)."""
    waiting = [
        n
        for n in api.get("/api/v1/subject-notices", headers=headers).json()
        if n["about_type"] == "list_entry"
        and n["about_id"] == str(entry_id)
        and n["kind"] == "written_notice"
        and n["delivered_on"] is None
    ]
    for n in waiting:
        done = api.post(
            f"/api/v1/subject-notices/{n['id']}/delivered",
            headers=headers,
            json={"delivered_on": n["issued_on"]},
        )
        assert done.status_code == 200, done.text


def notify_over_api(api: TestClient, entry_id: int, headers: dict[str, str]) -> Any:
    """`POST …/notice`, the printed notice delivered the same day: the response to the
    notice, then the entry as it stands after the delivery (its window counted)."""
    noticed = api.post(f"/api/v1/lists/entries/{entry_id}/notice", headers=headers)
    if noticed.status_code != 200:
        return noticed
    deliver_over_api(api, entry_id, headers)
    return api.get(f"/api/v1/lists/entries/{entry_id}", headers=headers)
