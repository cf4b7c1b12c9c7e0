"""A small demo data set so that a newcomer can try the API at once.

The demo credentials are fixed and printed on purpose: they exist only in a database that
`creditreg demo load` was run on. Loading twice adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from stdnum.cn import ric as stdnum_ric

from creditreg.demo import catalogs as demo_catalogs
from creditreg.domain.access.principals import SYSTEM, Level, Principal, Role, UnitKind
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.kernel.codes import uscc_check_character
from creditreg.domain.lists.standards import draft_from_dict
from creditreg.domain.measures.memoranda import memorandum_from_dict
from creditreg.domain.subjects.identifiers import IdType, LinkRole, SubjectKind
from creditreg.services.access import access
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.lists import standards
from creditreg.services.measures import memoranda
from creditreg.services.records import catalog
from creditreg.services.subjects import subjects
from creditreg.store.access.tables import unit


def demo_uscc(body17: str) -> str:
    """A valid USCC for a 17-character demo body."""
    return body17 + uscc_check_character(body17)


def demo_ric(body17: str) -> str:
    """A valid resident ID number for a 17-digit demo body."""
    # stdnum's calc_check_digit reads the first 17 of an 18-character number.
    return body17 + str(stdnum_ric.calc_check_digit(body17 + "0"))


@dataclass
class DemoUnit:
    key: str
    name: str
    uscc: str
    kind: UnitKind
    region: str
    level: Level
    fields: tuple[str, ...]
    users: tuple[tuple[str, str, tuple[Role, ...]], ...]
    token_scopes: tuple[Permission, ...]


P = Permission
DEMO_UNITS = (
    DemoUnit(
        "platform",
        "河南省信用信息管理服务中心（演示）",
        demo_uscc("12410000MB0000001"),
        UnitKind.PLATFORM_OPERATOR,
        "410000",
        Level.PROVINCIAL,
        (),
        (
            ("admin", "平台管理员", (Role.PLATFORM_ADMIN,)),
            ("operator", "平台操作员", (Role.OPERATOR,)),
        ),
        (
            P.SUBJECTS_READ,
            P.SUBJECTS_WRITE,
            P.PERSONAL_READ,
            P.CALENDAR_WRITE,
            P.AUDIT_READ,
            P.CATALOG_WRITE,
            P.RECORDS_READ,
            P.RECORDS_VERIFY,
            P.STANDARDS_WRITE,
            P.LISTS_READ,
            P.LISTS_RECEIVE,
            P.INBOX_READ,
            # Art 41: the platform accepts and decides objections to records.
            P.OBJECTIONS_HANDLE,
            # Issue 10: binds subject accounts after an identity check.
            P.ACCOUNTS_ISSUE,
            # Issue 11: the catalog of measures and the memoranda (Art 29, Op(12)).
            P.MEASURES_WRITE,
            # Demonstrations move a test clock (only ever with CREDITREG_TEST_CLOCK and
            # CREDITREG_ALLOW_CLOCK_OVERRIDE both set); a real clock refuses every move.
            P.CLOCK_CONTROL,
            # Issue 11: every unit's webhook delivery log; its own endpoints.
            P.WEBHOOKS_MANAGE,
        ),
    ),
    DemoUnit(
        "designator",
        "河南省市场监督管理局（演示）",
        demo_uscc("11410000MB0000002"),
        UnitKind.DESIGNATING_UNIT,
        "410000",
        Level.PROVINCIAL,
        ("market_regulation", "food_drug_safety"),
        (("designator", "认定部门用户", (Role.DESIGNATOR,)),),
        (
            P.SUBJECTS_READ,
            P.PERSONAL_READ,
            P.STANDARDS_WRITE,
            P.LISTS_READ,
            P.LISTS_DESIGNATE,
            P.LISTS_RECEIVE,
            P.INBOX_READ,
        ),
    ),
    DemoUnit(
        "provider",
        "郑州市税务局（演示）",
        demo_uscc("11410100MB0000003"),
        UnitKind.PROVIDING_UNIT,
        "410100",
        Level.MUNICIPAL,
        ("taxation",),
        (("provider", "信息提供单位用户", (Role.PROVIDER, Role.UNIT_ADMIN)),),
        (P.SUBJECTS_READ, P.SUBJECTS_WRITE, P.RECORDS_SUBMIT, P.RECORDS_READ, P.INBOX_READ),
    ),
    DemoUnit(
        "implementer",
        "郑州市公共资源交易中心（演示）",
        demo_uscc("12410100MB0000004"),
        UnitKind.IMPLEMENTING_UNIT,
        "410100",
        Level.MUNICIPAL,
        ("public_resources",),
        (("implementer", "联合奖惩实施部门用户", (Role.IMPLEMENTER,)),),
        # MEA-3: the check; MEA-5, LST-9 (issue 11): its notices by webhook.
        (P.SUBJECTS_READ, P.LISTS_READ, P.MEASURES_CHECK, P.WEBHOOKS_MANAGE),
    ),
    # OBJ-3, Op(22): reconsiders objections' outcomes for dissatisfied objectors.
    DemoUnit(
        "department",
        "河南省发展和改革委员会（演示）",
        demo_uscc("11410000MB0000005"),
        UnitKind.PROVINCIAL_DEPARTMENT,
        "410000",
        Level.PROVINCIAL,
        (),
        (("reconsider", "复核部门用户", (Role.RECONSIDERER,)),),
        (P.RECONSIDERATION_DECIDE, P.INBOX_READ),
    ),
)

DEMO_SUBJECTS = (
    (SubjectKind.LEGAL_PERSON, IdType.USCC, demo_uscc("91410100MA0000001"), "郑州示例食品有限公司"),
    (
        SubjectKind.LEGAL_PERSON,
        IdType.USCC,
        demo_uscc("91410100MA0000002"),
        "河南样例建设工程有限公司",
    ),
    (
        SubjectKind.UNINCORPORATED_ORG,
        IdType.USCC,
        demo_uscc("31410000MD0000003"),
        "郑州示例律师事务所",
    ),
    (SubjectKind.NATURAL_PERSON, IdType.RIC, demo_ric("41010519800101123"), "张示例"),
    (SubjectKind.NATURAL_PERSON, IdType.RIC, demo_ric("41010219900202234"), "李样例"),
)


def password_for(username: str) -> str:
    return f"demo-{username}-password"


def token_for(key: str) -> str:
    return f"crt_demo_{key}_token_0000000000000000"


@dataclass
class DemoLoad:
    """What `demo load` did and the credentials to try."""

    created: bool
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # username, password, unit
    tokens: list[tuple[str, str, str]] = field(default_factory=list)  # unit key, token, scopes


def load(ctx: Context, principal: Principal = SYSTEM) -> DemoLoad:
    """Load the demo data set once; a second call changes nothing and says so."""
    result = DemoLoad(created=False)
    for demo in DEMO_UNITS:
        for username, _, _ in demo.users:
            result.logins.append((username, password_for(username), demo.name))
        result.tokens.append(
            (demo.key, token_for(demo.key), " ".join(s.value for s in demo.token_scopes))
        )
    # One transaction: a failure half-way leaves nothing behind.
    with ctx.db.write() as conn:
        already = conn.execute(
            sa.select(unit.c.id).where(unit.c.uscc == DEMO_UNITS[0].uscc)
        ).first()
        if already is not None:
            return result
        _create(ctx, principal)
    result.created = True
    return result


def _create(ctx: Context, principal: Principal) -> None:
    unit_ids: dict[str, int] = {}
    for demo in DEMO_UNITS:
        created = access.create_unit(
            ctx,
            principal,
            name=demo.name,
            uscc=demo.uscc,
            kind=demo.kind,
            region=demo.region,
            level=demo.level,
            fields=demo.fields,
        )
        unit_ids[demo.key] = created["id"]
        for username, display, roles in demo.users:
            access.create_user(
                ctx,
                principal,
                unit_id=created["id"],
                username=username,
                display_name=display,
                password=password_for(username),
                roles=roles,
            )
        access.create_token(
            ctx,
            principal,
            unit_id=created["id"],
            name=f"demo {demo.key} client",
            scopes=demo.token_scopes,
            secret=token_for(demo.key),
        )
    subject_ids = [
        subjects.register(ctx, principal, kind=k, id_type=t, id_number=n, name=name).id
        for k, t, n, name in DEMO_SUBJECTS
    ]
    subjects.link_person(
        ctx,
        principal,
        subject_ids[0],
        subject_ids[3],
        LinkRole.LEGAL_REPRESENTATIVE,
        date(2020, 1, 1),
    )
    subjects.link_person(
        ctx,
        principal,
        subject_ids[1],
        subject_ids[4],
        LinkRole.ACTUAL_CONTROLLER,
        date(2021, 6, 1),
    )
    # The two national templates, provided by the demo providing unit (CAT-1).
    for template in (
        demo_catalogs.PUNISHMENT,
        demo_catalogs.LICENSING,
        demo_catalogs.HONOURS,
        *demo_catalogs.DECLARATIONS,  # ING-6: one item of each kind of self-declaration
    ):
        item = catalog.draft_item(
            ctx, principal, catalog.parse_draft(template), unit_ids["provider"]
        )
        catalog.approve(ctx, principal, item.id)
    for raw in demo_catalogs.STANDARDS:
        standards.publish(ctx, principal, draft_from_dict(raw))
    # MEA-2, Op(12): the memoranda, in force from the demo's start.
    for raw_memo in demo_catalogs.memoranda(
        unit_ids["platform"], unit_ids["designator"], unit_ids["implementer"],
        ctx.today().isoformat(),
    ):  # fmt: skip
        made = memoranda.create(ctx, principal, memorandum_from_dict(raw_memo))
        memoranda.publish(ctx, principal, made["code"])
    with ctx.db.write() as conn:
        audit.record(conn, ctx, principal, "demo.load", "demo", "v1", detail={"units": unit_ids})
