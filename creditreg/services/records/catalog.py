"""Catalog items: draft, assess, approve, version, file (CAT-1..4; Art 11, 12, 14)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson
import sqlalchemy as sa

from creditreg.domain.access.principals import Principal, UnitKind
from creditreg.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, parse_enum
from creditreg.domain.fields import OTHER_FIELD, default_field
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.records.catalog import (
    CATALOG_ITEM,
    Character,
    ContentClass,
    Disclosure,
    InfoKind,
    ItemDraft,
    ItemStatus,
    check_approvable,
)
from creditreg.domain.records.classification import SeriousClass, UntrustworthyClass
from creditreg.domain.records.declarations import DeclarationKind
from creditreg.domain.records.templates import Template, template_from_json
from creditreg.domain.subjects.identifiers import SubjectKind
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.store.access.tables import unit
from creditreg.store.records import queries
from creditreg.store.records.tables import catalog_item


@dataclass(frozen=True)
class CatalogItem:
    """A stored catalog item version."""

    id: int
    code: str
    version: int
    status: ItemStatus
    providing_unit_id: int
    draft: ItemDraft
    expert_assessment: str | None
    comment_start: date | None
    comment_end: date | None
    updated_on: date

    @property
    def template(self) -> Template:
        return self.draft.template

    def as_dict(self) -> dict[str, Any]:
        d = self.draft
        return {
            "id": self.id,
            "code": self.code,
            "version": self.version,
            "status": self.status.value,
            "name": d.name,
            "content_class": d.content_class.value,
            "info_kind": d.info_kind.value,
            "providing_unit_id": self.providing_unit_id,
            "subject_kinds": [k.value for k in d.subject_kinds],
            "character": d.character.value,
            "disclosure": d.disclosure.value,
            "scope": d.scope,
            "information_items": d.information_items,
            "reduces_rights": d.reduces_rights,
            "untrustworthy_class": d.untrustworthy_class,
            "serious_class": d.serious_class,
            "fee_arrears": d.fee_arrears,
            "for_self_declaration": d.for_self_declaration,
            "declaration_kind": d.declaration_kind.value if d.declaration_kind else None,
            "field": d.field or OTHER_FIELD.code,
            "expert_assessment": self.expert_assessment,
            "comment_start": self.comment_start.isoformat() if self.comment_start else None,
            "comment_end": self.comment_end.isoformat() if self.comment_end else None,
            "updated_on": self.updated_on.isoformat(),
            "template": [f.as_dict() for f in d.template.fields],
        }


def _item(row: Any) -> CatalogItem:
    draft = ItemDraft(
        code=row.code,
        name=row.name,
        content_class=ContentClass(row.content_class),
        info_kind=InfoKind(row.info_kind),
        subject_kinds=tuple(SubjectKind(k) for k in row.subject_kinds),
        character=Character(row.character),
        disclosure=Disclosure(row.disclosure),
        scope=row.scope,
        information_items=row.information_items,
        template=template_from_json(row.template),
        reduces_rights=row.reduces_rights,
        untrustworthy_class=row.untrustworthy_class,
        serious_class=row.serious_class,
        fee_arrears=row.fee_arrears,
        declaration_kind=DeclarationKind(row.declaration_kind) if row.declaration_kind else None,
        field=row.field,
    )
    return CatalogItem(
        row.id,
        row.code,
        row.version,
        ItemStatus(row.status),
        row.providing_unit_id,
        draft,
        row.expert_assessment,
        row.comment_start,
        row.comment_end,
        row.updated_on,
    )


def parse_draft(raw: dict[str, Any]) -> ItemDraft:
    """An ItemDraft from its JSON form; every problem is an InvalidInput."""
    draft = _draft_of(raw)
    draft.template.check_draftable()
    return draft


def _draft_of(raw: dict[str, Any]) -> ItemDraft:
    try:
        return ItemDraft(
            code=str(raw["code"]).strip().upper(),
            name=str(raw["name"]).strip(),
            content_class=parse_enum(ContentClass, str(raw["content_class"]), "catalog.bad_class"),
            info_kind=parse_enum(
                InfoKind, str(raw.get("info_kind", "public_credit_info")), "catalog.bad_kind"
            ),
            subject_kinds=tuple(
                parse_enum(SubjectKind, str(k), "subject.unknown_kind")
                for k in raw["subject_kinds"]
            ),
            character=parse_enum(Character, str(raw["character"]), "catalog.bad_character"),
            disclosure=parse_enum(Disclosure, str(raw["disclosure"]), "catalog.bad_disclosure"),
            scope=str(raw.get("scope", "")),
            information_items=str(raw.get("information_items", "")),
            template=template_from_json(raw["template"]),
            reduces_rights=bool(raw.get("reduces_rights", False)),
            untrustworthy_class=(
                parse_enum(
                    UntrustworthyClass, str(raw["untrustworthy_class"]), "catalog.bad_class"
                ).value
                if raw.get("untrustworthy_class")
                else None
            ),
            serious_class=(
                parse_enum(SeriousClass, str(raw["serious_class"]), "catalog.bad_class").value
                if raw.get("serious_class")
                else None
            ),
            fee_arrears=bool(raw.get("fee_arrears", False)),
            declaration_kind=(
                parse_enum(
                    DeclarationKind, str(raw["declaration_kind"]), "catalog.bad_declaration_kind"
                )
                if raw.get("declaration_kind")
                else None
            ),
            field=str(raw["field"]).strip() if raw.get("field") else None,
        )
    except KeyError as exc:
        raise InvalidInput(
            "catalog.missing_element", f"a catalog item needs {exc.args[0]!r}"
        ) from None


def draft_item(
    ctx: Context, principal: Principal, draft: ItemDraft, providing_unit_id: int
) -> CatalogItem:
    """A new draft version of item `draft.code` (version 1 for a new code).

    Public items are drafted by the platform (Art 11); a market provider files its own
    market items (Art 14, CAT-4).
    """
    if draft.info_kind is InfoKind.MARKET and Permission.CATALOG_WRITE not in principal.permissions:
        principal.require(Permission.CATALOG_FILE)
        if principal.unit_id != providing_unit_id:
            raise Forbidden("catalog.not_own_item", "a market provider files only its own items")
    else:
        principal.require(Permission.CATALOG_WRITE)
    with ctx.db.write() as conn:
        provider = conn.execute(sa.select(unit).where(unit.c.id == providing_unit_id)).first()
        if provider is None:
            raise NotFound("unit.not_found", f"no unit {providing_unit_id}")
        if (
            draft.info_kind is InfoKind.PUBLIC
            and provider.kind == UnitKind.CREDIT_SERVICE_ESTABLISHMENT
        ):
            raise InvalidInput(
                "catalog.wrong_provider",
                "public credit information comes from state organs and public bodies (Art 10)",
            )
        latest = conn.execute(
            sa.select(sa.func.max(catalog_item.c.version)).where(catalog_item.c.code == draft.code)
        ).scalar()
        if latest is not None:
            pending = conn.execute(
                sa.select(catalog_item.c.version).where(
                    catalog_item.c.code == draft.code,
                    catalog_item.c.status == ItemStatus.DRAFT.value,
                )
            ).first()
            if pending is not None:
                raise Conflict(
                    "catalog.draft_pending",
                    f"{draft.code} version {pending.version} is still a draft: approve it first",
                )
        values = {
            "code": draft.code,
            "version": (latest or 0) + 1,
            "name": draft.name,
            "content_class": draft.content_class.value,
            "info_kind": draft.info_kind.value,
            "providing_unit_id": providing_unit_id,
            "subject_kinds": [k.value for k in draft.subject_kinds],
            "character": draft.character.value,
            "disclosure": draft.disclosure.value,
            "scope": draft.scope,
            "information_items": draft.information_items,
            "template": [f.as_dict() for f in draft.template.fields],
            "reduces_rights": draft.reduces_rights,
            "untrustworthy_class": draft.untrustworthy_class,
            "serious_class": draft.serious_class,
            "fee_arrears": draft.fee_arrears,
            "declaration_kind": draft.declaration_kind.value if draft.declaration_kind else None,
            # Issue 10: the item's field (specialised reports): the draft's, within its
            # providing unit's scope, or by default the unit's first.
            "field": _item_field(draft, decode_unit_fields(provider.fields)),
            "updated_on": ctx.today(),
            "created_at": ctx.now(),
        }
        new_id = queries.insert_item(conn, values)
        audit.record(
            conn,
            ctx,
            principal,
            "catalog.draft",
            "catalog_item",
            new_id,
            after={**values, "status": ItemStatus.DRAFT.value},
        )
        return _item(conn.execute(sa.select(catalog_item).where(catalog_item.c.id == new_id)).one())


def record_assessment(
    ctx: Context,
    principal: Principal,
    item_id: int,
    *,
    expert_assessment: str,
    comment_start: date,
    comment_end: date,
) -> CatalogItem:
    """CAT-2: record the expert assessment and public-comment period of a draft."""
    principal.require(Permission.CATALOG_WRITE)
    if comment_end < comment_start:
        raise InvalidInput("catalog.bad_period", "the comment period ends before it starts")
    if not expert_assessment.strip():
        raise InvalidInput("catalog.needs_expert_assessment", "the assessment text is empty")
    with ctx.db.write() as conn:
        row = _draft_row(conn, item_id)
        values = {
            "expert_assessment": expert_assessment.strip(),
            "comment_start": comment_start,
            "comment_end": comment_end,
        }
        conn.execute(catalog_item.update().where(catalog_item.c.id == row.id).values(**values))
        audit.record(conn, ctx, principal, "catalog.assess", "catalog_item", item_id, after=values)
        return _item(
            conn.execute(sa.select(catalog_item).where(catalog_item.c.id == item_id)).one()
        )


def _draft_row(conn: sa.Connection, item_id: int) -> Any:
    row = conn.execute(sa.select(catalog_item).where(catalog_item.c.id == item_id)).first()
    if row is None:
        raise NotFound("catalog.not_found", f"no catalog item {item_id}")
    if row.status != ItemStatus.DRAFT.value:
        raise Conflict("catalog.not_draft", f"item {item_id} is {row.status}, not a draft")
    return row


def approve(ctx: Context, principal: Principal, item_id: int) -> CatalogItem:
    """Approve a draft; the code's earlier approved version is retired for new records."""
    principal.require(Permission.CATALOG_WRITE)
    with ctx.db.write() as conn:
        row = _draft_row(conn, item_id)
        item = _item(row)
        check_approvable(
            item.draft,
            expert_assessment=row.expert_assessment,
            comment_start=row.comment_start,
            comment_end=row.comment_end,
            today=ctx.today(),
        )
        # The code's earlier approved version is retired for new records (CAT-2).
        for earlier in conn.execute(
            sa.select(catalog_item.c.id, catalog_item.c.status).where(
                catalog_item.c.code == row.code,
                catalog_item.c.status == ItemStatus.APPROVED.value,
            )
        ).all():
            queries.set_item_status(conn, earlier.id, CATALOG_ITEM.next(earlier.status, "retire"))
        queries.set_item_status(
            conn,
            item_id,
            CATALOG_ITEM.next(row.status, "approve"),
            approved_by=principal.actor,
            approved_at=ctx.now(),
            updated_on=ctx.today(),
        )
        audit.record(
            conn,
            ctx,
            principal,
            "catalog.approve",
            "catalog_item",
            item_id,
            detail={"code": row.code, "version": row.version},
        )
        return _item(
            conn.execute(sa.select(catalog_item).where(catalog_item.c.id == item_id)).one()
        )


def find(ctx: Context, code: str, version: int | None = None) -> CatalogItem:
    """The approved version of `code` (or the named version, which must not be a draft)."""
    query = sa.select(catalog_item).where(catalog_item.c.code == code.strip().upper())
    if version is None:
        query = query.where(catalog_item.c.status == ItemStatus.APPROVED.value)
    else:
        query = query.where(catalog_item.c.version == version)
    with ctx.db.read() as conn:
        row = conn.execute(query).first()
    if row is None:
        which = f"version {version} of " if version is not None else "approved version of "
        raise NotFound("catalog.not_found", f"there is no {which}catalog item {code!r}")
    if row.status == ItemStatus.DRAFT.value:
        raise Conflict("catalog.not_approved", f"{code} version {version} is not approved")
    return _item(row)


def get(ctx: Context, item_id: int) -> CatalogItem:
    with ctx.db.read() as conn:
        row = conn.execute(sa.select(catalog_item).where(catalog_item.c.id == item_id)).first()
    if row is None:
        raise NotFound("catalog.not_found", f"no catalog item {item_id}")
    return _item(row)


def published(ctx: Context) -> list[CatalogItem]:
    """The approved catalog, as published to the public (Art 11), by class and code."""
    with ctx.db.read() as conn:
        rows = conn.execute(
            sa.select(catalog_item)
            .where(catalog_item.c.status == ItemStatus.APPROVED.value)
            .order_by(catalog_item.c.content_class, catalog_item.c.code)
        ).all()
    return [_item(r) for r in rows]


def _item_field(draft: ItemDraft, unit_fields: list[str]) -> str:
    """The field an item is filed under: the draft's, if its providing unit works in it."""
    if draft.field is None:
        return default_field(unit_fields)
    if draft.field != OTHER_FIELD.code and unit_fields and draft.field not in unit_fields:
        raise InvalidInput(
            "catalog.field_out_of_scope",
            f"the providing unit works in {', '.join(unit_fields)}, not {draft.field}",
        )
    return draft.field


def decode_unit_fields(value: object) -> list[str]:
    """A unit's `fields` column (a JSON list) as SQLite or PostgreSQL returns it."""
    if isinstance(value, str):
        value = orjson.loads(value)
    return [str(v) for v in value] if isinstance(value, list) else []
