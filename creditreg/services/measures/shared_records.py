"""Records read by an implementing unit by disclosure mode (DIS-1; Art 18, Art 22):
publicly displayed records, and the records shared with state organs for their duties
(government-affairs sharing, which includes the publicly displayed ones). Records of the
authorized-inquiry mode are released only under the subject's written authorization
(`POST /api/v1/subjects/{id}/authorized-inquiry`, the rights context), never here.

The read is registered (SEC-2) with the ids of the records returned and the digest of the
answer, in the transaction that read, like the check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from creditreg.domain.access.principals import Principal
from creditreg.domain.access.query_register import Purpose, QueryPurpose
from creditreg.domain.errors import InvalidInput, NotFound
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.kernel.audit import digest
from creditreg.domain.measures.check import parse_key, parse_purpose
from creditreg.domain.privacy import mask_published
from creditreg.domain.records.catalog import Disclosure
from creditreg.domain.records.lifecycle import LIVE
from creditreg.services.access import query_register
from creditreg.services.context import Context
from creditreg.services.measures.check import implementing_unit
from creditreg.services.rights.inquiry import record_rows, source_of
from creditreg.store.measures import check_reads

WHAT = "check.records"
MODES = {
    Disclosure.PUBLIC_DISPLAY.value: frozenset({Disclosure.PUBLIC_DISPLAY.value}),
    Disclosure.GOVERNMENT_SHARING.value: frozenset(
        {Disclosure.PUBLIC_DISPLAY.value, Disclosure.GOVERNMENT_SHARING.value}
    ),
}


@dataclass(frozen=True)
class SharedRecords:
    check_id: int
    subject_id: int
    mode: str
    as_of: datetime
    records: list[dict[str, Any]]
    answer_digest: str


def parse_mode(raw: str) -> str:
    mode = (raw or "").strip().lower()
    if mode == Disclosure.AUTHORIZED_INQUIRY.value:
        raise InvalidInput(
            "check.authorization_required",
            "records of the authorized-inquiry mode are released only under the subject's "
            "written authorization: POST /api/v1/subjects/{id}/authorized-inquiry (Art 22)",
        )
    if mode not in MODES:
        raise InvalidInput(
            "check.bad_mode", "a disclosure mode to read by: public_display, government_sharing"
        )
    return mode


def read(
    ctx: Context,
    principal: Principal,
    id_type: str,
    id_number: str,
    mode: str,
    purpose_raw: str | None,
    note: str | None = None,
) -> SharedRecords:
    """DIS-1: the subject's live records of `mode` (government sharing: also the public
    ones) whose display period has not ended, for the implementing unit's duties."""
    implementing_unit(ctx, principal, [(id_type, id_number)])
    purpose = parse_purpose(purpose_raw, note)
    key = parse_key(id_type, id_number, ctx.today())
    chosen = parse_mode(mode)
    today = ctx.today()
    with ctx.db.write() as conn:
        found = check_reads.subjects_by_key(conn, [key]).get(key)
        if found is None:
            raise NotFound("subject.not_found", f"no subject with this {key.id_type}")
        sid = int(found.id)
        rows = [
            r
            for r in record_rows(conn, sid)
            if r.status in LIVE
            and r.disclosure in MODES[chosen]
            and (r.display_until is None or r.display_until >= today)
        ]
        # DIS-3, Op(11), Op(24): personal numbers in the records' data are masked in the
        # public-display mode (what the public may see), and for a unit without
        # personal:read in either mode.
        masked = (
            chosen == Disclosure.PUBLIC_DISPLAY.value
            or Permission.PERSONAL_READ not in principal.permissions
        )
        records = [_shown(r, masked) for r in rows]
        now = ctx.now()
        body = {"subject_id": sid, "mode": chosen, "as_of": now, "records": records}
        answer_digest = digest(body)
        [check_id] = query_register.record_answers(
            conn,
            ctx,
            principal,
            [
                query_register.Answered(
                    subject_id=sid,
                    what=WHAT,
                    purpose=QueryPurpose(
                        Purpose.CHECK, f"{purpose.register_note} ({chosen})"[:200]
                    ),
                    returned={"records": [r["id"] for r in records]},
                    answer_digest=answer_digest,
                )
            ],
        )
    return SharedRecords(check_id, sid, chosen, now, records, answer_digest)


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _shown(r: Any, masked: bool) -> dict[str, Any]:
    return {
        "id": int(r.id),
        "disclosure": r.disclosure,
        "status": r.status,
        "character": r.character,
        "data": mask_published(r.data) if masked else r.data,
        "source": source_of(r),
        "decision_date": _iso(r.decision_date),
        "verified_at": _iso(r.verified_at),
        "display_until": _iso(r.display_until),
    }
