"""OBJ-5, Op(23): the incentives a red-list entry deleted in error actually brought its
subject. The correction (rights) lists its standard's measures for reclaiming; the checks
told implementing units more: the memoranda's measures triggered by the entry and the green
channel. Each check's register row keeps which measures it returned and the fact behind
each (SEC-2), so this subscriber adds them to the correction, in its transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from creditreg.domain.kernel.events import DomainEvent
from creditreg.domain.lists.standards import ListType
from creditreg.services.context import Context
from creditreg.services.rights import corrections
from creditreg.store.access.query_register import query_register
from creditreg.store.fast import decode_json
from creditreg.store.measures.tables import measure

WHAT_CHECKED = "check"


def given_in_error(conn: sa.Connection, ctx: Context, events: Sequence[DomainEvent]) -> None:
    """`correction.recorded` of a red-list entry: the measures checks returned because of it."""
    for e in events:
        data = e.payload
        if data.get("target_type") != "list_entry" or data.get("list_type") != (
            ListType.RED_LIST.value
        ):
            continue
        codes = returned_for(conn, int(data["subject_id"]), int(data["target_id"]))
        if not codes:
            continue
        texts = dict(
            conn.execute(
                sa.select(measure.c.code, measure.c.content).where(measure.c.code.in_(codes))
            ).all()
        )
        corrections.add_reclaim(
            conn, int(data["correction_id"]), [texts.get(code, code) for code in codes]
        )


def returned_for(conn: sa.Connection, subject_id: int, entry_id: int) -> list[str]:
    """The codes of the measures the subject's checks returned because of the entry: those
    whose fact is the entry, and the green channel of answers that showed it, in order."""
    mark = f":entry:{entry_id}"
    codes: dict[str, None] = {}
    rows = conn.execute(
        sa.select(query_register.c.returned)
        .where(query_register.c.subject_id == subject_id, query_register.c.what == WHAT_CHECKED)
        .order_by(query_register.c.id)
    ).scalars()
    for raw in rows:
        returned: Any = decode_json(raw) if isinstance(raw, str) else raw
        if not returned:
            continue
        for trigger in returned.get("triggers") or ():
            if str(trigger).endswith(mark):
                codes[str(trigger).split(":", 1)[0]] = None
        if entry_id in (returned.get("entries") or ()):
            for code in returned.get("green_channel") or ():
                codes[str(code)] = None
    return list(codes)
