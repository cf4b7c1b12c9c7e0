"""A natural person's consent to the recording of personal information (PRI-1, PRI-2;
Art 45): given to the unit that records it, for a stated use, in writing after the
standard warning where the categories need it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal
from creditreg.domain.errors import (
    Forbidden,
    InvalidInput,
    NotFound,
    parse_enum,
)
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.privacy import (
    CONSENT_WARNING,
    FORBIDDEN,
    DataCategory,
)
from creditreg.domain.subjects.identifiers import (
    SubjectKind,
)
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.store.access.tables import unit
from creditreg.store.records.tables import (
    consent,
)
from creditreg.store.subjects.tables import subject


def record_consent(
    ctx: Context,
    principal: Principal,
    *,
    subject_id: int,
    unit_id: int,
    categories: Iterable[str],
    purpose: str,
    written: bool,
    warning_shown: str,
    granted_on: date,
) -> int:
    """PRI-1, PRI-2: record a person's consent, with the agreed use and the warning shown.
    A unit records consents given to itself only (Art 45): one recorded for another unit
    would unlock that unit's submissions; the refused attempt is audited."""
    principal.require(Permission.RECORDS_SUBMIT)
    if principal.unit_id is not None and unit_id != principal.unit_id:
        audit.refused(
            ctx,
            principal,
            "consent.record",
            "consent",
            "*",
            code="privacy.consent_for_another_unit",
            detail={"for_unit": unit_id, "subject_id": subject_id},
        )
        raise Forbidden(
            "privacy.consent_for_another_unit",
            f"a unit records the consents given to itself: unit {principal.unit_id}, "
            f"not {unit_id} (Art 45)",
        )
    cats = [parse_enum(DataCategory, c, "privacy.bad_category") for c in categories]
    if any(c in FORBIDDEN for c in cats):
        raise InvalidInput(
            "privacy.forbidden_category", "no consent makes these collectable (Art 45)"
        )
    if not purpose.strip():
        raise InvalidInput("privacy.no_purpose", "a consent names the use agreed (Art 45)")
    if granted_on > ctx.today():
        raise InvalidInput(
            "privacy.consent_in_future",
            f"a consent is recorded once given: {granted_on} is after today ({ctx.today()})",
        )
    if cats and (not written or warning_shown.strip() != CONSENT_WARNING):
        raise InvalidInput(
            "privacy.needs_written_consent",
            "these categories need written consent after the standard warning (Art 45)",
        )
    with ctx.db.write() as conn:
        person = conn.execute(sa.select(subject.c.kind).where(subject.c.id == subject_id)).first()
        if person is None:
            raise NotFound("subject.not_found", f"no subject {subject_id}")
        if person.kind != SubjectKind.NATURAL_PERSON.value:
            raise InvalidInput("privacy.not_a_person", "consent is recorded for a natural person")
        if conn.execute(sa.select(unit.c.id).where(unit.c.id == unit_id)).first() is None:
            raise NotFound("unit.not_found", f"no unit {unit_id}")
        values = {
            "subject_id": subject_id,
            "unit_id": unit_id,
            "categories": sorted(c.value for c in cats),
            "purpose": purpose.strip(),
            "written": written,
            "warning_shown": warning_shown,
            "granted_on": granted_on,
        }
        consent_id = conn.execute(
            consent.insert().values(**values, created_at=ctx.now()).returning(consent.c.id)
        ).scalar_one()
        audit.record(conn, ctx, principal, "consent.record", "consent", consent_id, after=values)
    return int(consent_id)
