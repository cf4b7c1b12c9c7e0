"""measures: the catalog of measures, memoranda of cooperation, severities

Issue 11, parts 1 and 2 (MEA-1, MEA-2, MEA-6, MEA-7; Op(12), Op(13); Art 29-34).

- `standard.severity` and `list_entry.severity` (general < serious < especially_serious,
  Art 31): a blacklist is serious, every other list general; an entry takes its standard's.
- `measure` (with `measure_move`, its history, and `measure_unit`, its implementing units):
  the public catalog (Art 29), installed with the measures of Art 30 (incentives), Art 32
  (general punishments, for untrustworthy records and listed subjects alike) and Art 34
  (blacklist punishments) as reference data: a production install is never empty.
- `memorandum` (versioned, with `memorandum_move`), `memorandum_signatory`,
  `memorandum_item`: (list trigger, field) -> measure, implementing unit (Op(12)).
- The free-text measures of existing standards and entries become catalog references
  ({"code", "content"}), in place (no new standard version: the standard says the same).
  A text naming an article and item ("第三十四条第一项") is that catalog measure; a text
  matching nothing becomes a measure "MIG-n" of its list's kind, to be reviewed.

The reference texts are a snapshot of the seed (Regulations Art 30, 32, 34): English as
in the seed, Chinese as rendered for the catalog. Later edits go through the service.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-24 18:00:00
"""

import re
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)

ART30 = "《社会信用条例》第三十条"
ART32 = "《社会信用条例》第三十二条"
ART34 = "《社会信用条例》第三十四条"
# (code, kind, trigger, min_severity, facilitation, legal basis, content, content_en)
REFERENCE: tuple[tuple[str, str, str, str, bool, str, str, str], ...] = (
    ("ART30-1", "incentive", "red_list", "general", True, ART30 + "第一项",
     "在实施行政许可中，给予优先办理、简化程序等便利服务措施（绿色通道、容缺受理）",
     "Facilitated services shall be given in implementing administrative permits, such as "
     "priority handling or simplified procedures"),
    ("ART30-2", "incentive", "red_list", "general", False, ART30 + "第二项",
     "在财政资金补助、项目支持等同等条件下列为优先选择对象",
     "Where other requirements are equal, they shall be made priority choices for public "
     "financing and project support"),
    ("ART30-3", "incentive", "red_list", "general", False, ART30 + "第三项",
     "在公共资源交易中给予信用加分、提升信用等次",
     "Give credit points and credit level promotions in exchanges of public resources"),
    ("ART30-4", "incentive", "red_list", "general", False, ART30 + "第四项",
     "在日常监管中，符合条件的减少检查频次",
     "Reduce the frequency of inspections in routine regulation where requirements are met"),
    ("ART30-5", "incentive", "red_list", "general", True, ART30 + "第五项",
     "在教育、就业、创业、社会保障等公共服务中给予支持和便利",
     "Giving support and facilitation in public services such as education, employment, "
     "entrepreneurship, and social security"),
    ("ART30-6", "incentive", "red_list", "general", False, ART30 + "第六项",
     "依照国家和本省有关规定授予荣誉称号",
     "Granting honorary titles in accordance with the relevant State and provincial "
     "provisions"),
    ("ART30-7", "incentive", "red_list", "general", False, ART30 + "第七项",
     "在评优评先中优先推荐",
     "Prioritizing recommendations for award selections"),
    ("ART30-8", "incentive", "red_list", "general", False, ART30 + "第八项",
     "国家和本省规定的其他激励措施",
     "Other reward measures provided for by the state or this province"),
    ("ART32-1", "punishment", "untrustworthy_record", "general", False, ART32 + "第一项",
     "在行政许可中列为重点审查对象，不适用告知承诺等简化程序",
     "List them as subjects for key review in carrying out administrative permitting, and "
     "don't apply simplified procedures such as information and assurances"),
    ("ART32-2", "punishment", "untrustworthy_record", "general", False, ART32 + "第二项",
     "在财政资金资助等政策扶持中作相应限制",
     "Making corresponding restrictions in policy supports such as government funding"),
    ("ART32-3", "punishment", "untrustworthy_record", "general", False, ART32 + "第三项",
     "限制享受行政管理和公共服务中的相关便利化措施",
     "Restrict enjoyment of related facilitation measures in administrative management and "
     "public services"),
    ("ART32-4", "punishment", "untrustworthy_record", "general", False, ART32 + "第四项",
     "在公共资源交易中给予信用减分、降低信用等次",
     "Subtract credit points or reduce credit levels in exchanges of public resources"),
    ("ART32-5", "punishment", "untrustworthy_record", "general", False, ART32 + "第五项",
     "在日常监管中列为重点监管对象，依照有关规定增加检查频次，加强现场核查",
     "List them as key management targets in routine management, and increase the "
     "frequency of monitoring and strengthen on-site inspections in accordance with "
     "relevant provisions"),
    ("ART32-6", "punishment", "untrustworthy_record", "general", False, ART32 + "第六项",
     "限制参加政府组织的表彰奖励活动",
     "Restrict participation in government-organized commendation and award activities"),
    ("ART32-7", "punishment", "untrustworthy_record", "general", False, ART32 + "第七项",
     "国家和本省规定的其他惩戒措施",
     "Other punishment measures provided for by the state or this province"),
    ("ART34-1", "punishment", "blacklist", "serious", False, ART34 + "第一项",
     "限制参与政府采购、政府投资项目招标投标、国有土地招标拍卖挂牌等公共资源交易活动",
     "Limiting participation in government purchasing, government investment program "
     "bidding, state-owned land bidding, auctions, or listings, or other public resource "
     "trading activities"),
    ("ART34-2", "punishment", "blacklist", "serious", False, ART34 + "第二项",
     "依法实施市场和行业禁入措施",
     "Implementing measures to exclude or expel them from markets or industries"),
    ("ART34-3", "punishment", "blacklist", "serious", False, ART34 + "第三项",
     "限制参与基础设施和公用事业特许经营活动",
     "Limiting participation in infrastructure and public utility operations activities"),
    ("ART34-4", "punishment", "blacklist", "serious", False, ART34 + "第四项",
     "限制高消费",
     "Restricting high-spending"),
    ("ART34-5", "punishment", "blacklist", "serious", False, ART34 + "第五项",
     "限制开展相关金融业务",
     "Restrict carrying out relevant financial operations"),
    ("ART34-6", "punishment", "blacklist", "serious", False, ART34 + "第六项",
     "限制担任相关职务的任职资格",
     "Restrict qualifications for taking relevant positions"),
    ("ART34-7", "punishment", "blacklist", "serious", False, ART34 + "第七项",
     "限制享受相关公共服务、政策扶持和资金支持",
     "Restricting enjoyment of related public services or policy supports and funding "
     "policies"),
    ("ART34-8", "punishment", "blacklist", "serious", False, ART34 + "第八项",
     "撤销相关荣誉称号",
     "Revoking relevant honorific titles"),
    ("ART34-9", "punishment", "blacklist", "serious", False, ART34 + "第九项",
     "国家和本省规定的其他惩戒措施",
     "Other punishment measures provided for by the state or this province"),
)  # fmt: skip

_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ARTICLES = {"三十": 30, "三十二": 32, "三十四": 34}
_CITED = re.compile(r"第(三十二|三十四|三十)条第([一二三四五六七八九])项")


def upgrade() -> None:
    # Plain ADD COLUMNs, which SQLite does in place (a batch copy would trip the foreign
    # keys of the rows that name these tables, as in 0016 and 0019).
    op.add_column(
        "standard", sa.Column("severity", sa.String(20), nullable=False, server_default="general")
    )
    op.add_column(
        "list_entry",
        sa.Column("severity", sa.String(20), nullable=False, server_default="general"),
    )
    op.create_table(
        "measure",
        sa.Column("id", ID, primary_key=True),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("trigger", sa.String(30), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("content_en", sa.Text, nullable=False),
        sa.Column("legal_basis", sa.Text, nullable=False),
        sa.Column("min_severity", sa.String(20), nullable=False),
        sa.Column("facilitation", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("updated_at", AT, nullable=False),
        sa.UniqueConstraint("code", name="uq_measure_code"),
    )
    op.create_table(
        "measure_move",
        sa.Column("id", ID, primary_key=True),
        sa.Column("measure_id", ID, sa.ForeignKey("measure.id"), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=True),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("at", AT, nullable=False),
    )
    op.create_index("ix_measure_move_measure_id", "measure_move", ["measure_id"])
    op.create_table(
        "measure_unit",
        sa.Column("measure_id", ID, sa.ForeignKey("measure.id"), primary_key=True),
        sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), primary_key=True),
    )
    op.create_index("ix_measure_unit_unit_id", "measure_unit", ["unit_id"])
    op.create_table(
        "memorandum",
        sa.Column("id", ID, primary_key=True),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("effective_until", sa.Date, nullable=True),
        sa.Column("published_at", AT, nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.UniqueConstraint("code", "version", name="uq_memorandum_code_version"),
    )
    op.create_index("ix_memorandum_status", "memorandum", ["status", "effective_from"])
    op.create_table(
        "memorandum_move",
        sa.Column("id", ID, primary_key=True),
        sa.Column("memorandum_id", ID, sa.ForeignKey("memorandum.id"), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=True),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("at", AT, nullable=False),
    )
    op.create_index("ix_memorandum_move_memorandum_id", "memorandum_move", ["memorandum_id"])
    op.create_table(
        "memorandum_signatory",
        sa.Column("memorandum_id", ID, sa.ForeignKey("memorandum.id"), primary_key=True),
        sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), primary_key=True),
    )
    op.create_table(
        "memorandum_item",
        sa.Column("id", ID, primary_key=True),
        sa.Column("memorandum_id", ID, sa.ForeignKey("memorandum.id"), nullable=False),
        sa.Column("trigger", sa.String(30), nullable=False),
        sa.Column("field", sa.String(40), nullable=True),
        sa.Column("measure_id", ID, sa.ForeignKey("measure.id"), nullable=False),
        sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=False),
    )
    op.create_index("ix_memorandum_item_memorandum_id", "memorandum_item", ["memorandum_id"])
    op.create_index("ix_memorandum_item_measure_id", "memorandum_item", ["measure_id"])
    op.create_index("ix_memorandum_item_unit", "memorandum_item", ["unit_id", "trigger"])
    _install_and_migrate(op.get_bind())


def _install_and_migrate(conn: sa.Connection) -> None:
    now = datetime.now(UTC)
    measure = sa.table(
        "measure",
        *(sa.column(c) for c in ("id", "code", "kind", "trigger", "content", "content_en")),
        *(sa.column(c) for c in ("legal_basis", "min_severity", "facilitation", "status")),
        sa.column("created_at", AT),
        sa.column("updated_at", AT),
    )
    move = sa.table(
        "measure_move",
        *(sa.column(c) for c in ("measure_id", "from_status", "to_status", "action", "actor")),
        sa.column("at", AT),
    )
    catalog: dict[str, str] = {}  # code -> content

    def add(code: str, kind: str, trigger: str, severity: str, facilitation: bool,
            basis: str, content: str, content_en: str) -> None:  # fmt: skip
        new_id = conn.execute(
            measure.insert()
            .values(
                code=code,
                kind=kind,
                trigger=trigger,
                content=content,
                content_en=content_en,
                legal_basis=basis,
                min_severity=severity,
                facilitation=facilitation,
                status="active",
                created_at=now,
                updated_at=now,
            )
            .returning(measure.c.id)
        ).scalar_one()
        conn.execute(
            move.insert().values(
                measure_id=new_id,
                from_status=None,
                to_status="active",
                action="create",
                actor="migration:0021",
                at=now,
            )
        )
        catalog[code] = content

    for ref in REFERENCE:
        add(*ref)
    by_text = {content: code for code, content in catalog.items()}
    by_text.update({r[7]: r[0] for r in REFERENCE})
    migrated: dict[str, str] = {}

    def ref_of(m: Any, list_type: str, basis: str) -> dict[str, str]:
        if isinstance(m, dict):
            return {"code": str(m.get("code", "")), "content": str(m.get("content", ""))}
        text = str(m).strip()
        code = text.upper() if text.upper() in catalog else by_text.get(text)
        cited = _CITED.search(text)
        if code is None and cited:
            code = f"ART{_ARTICLES[cited.group(1)]}-{_NUMBERS[cited.group(2)]}"
            code = code if code in catalog else None
        if code is None:
            code = migrated.get(text)
        if code is None:
            code = migrated[text] = f"MIG-{len(migrated) + 1}"
            red = list_type == "red_list"
            trigger = list_type if list_type in ("red_list", "blacklist", "key_scrutiny") else (
                "untrustworthy_record"
            )  # fmt: skip
            add(code, "incentive" if red else "punishment", trigger, "general", False,
                basis or "迁移自自由文本（0021），依据待核实", text, "")  # fmt: skip
        return {"code": code, "content": catalog[code]}

    standard = sa.table(
        "standard", sa.column("id"), sa.column("list_type"), sa.column("legal_basis"),
        sa.column("measures", sa.JSON), sa.column("severity"),
    )  # fmt: skip
    for row in conn.execute(sa.select(standard).order_by(standard.c.id)).all():
        refs = [ref_of(m, row.list_type, row.legal_basis) for m in row.measures or []]
        conn.execute(
            standard.update()
            .where(standard.c.id == row.id)
            .values(
                measures=refs,
                severity="serious" if row.list_type == "blacklist" else "general",
            )
        )
    entry = sa.table(
        "list_entry", sa.column("id"), sa.column("list_type"), sa.column("basis"),
        sa.column("measures", sa.JSON), sa.column("severity"), sa.column("standard_id"),
    )  # fmt: skip
    for row in conn.execute(sa.select(entry).order_by(entry.c.id)).all():
        refs = [ref_of(m, row.list_type, row.basis) for m in row.measures or []]
        conn.execute(
            entry.update()
            .where(entry.c.id == row.id)
            .values(
                measures=refs,
                # Art 31: as its standard (serious for a blacklist, general otherwise).
                severity="serious" if row.list_type == "blacklist" else "general",
            )
        )


def downgrade() -> None:
    for name in ("ix_memorandum_item_unit", "ix_memorandum_item_measure_id"):
        op.drop_index(name, table_name="memorandum_item")
    op.drop_index("ix_memorandum_item_memorandum_id", table_name="memorandum_item")
    op.drop_table("memorandum_item")
    op.drop_table("memorandum_signatory")
    op.drop_index("ix_memorandum_move_memorandum_id", table_name="memorandum_move")
    op.drop_table("memorandum_move")
    op.drop_index("ix_memorandum_status", table_name="memorandum")
    op.drop_table("memorandum")
    op.drop_index("ix_measure_unit_unit_id", table_name="measure_unit")
    op.drop_table("measure_unit")
    op.drop_index("ix_measure_move_measure_id", table_name="measure_move")
    op.drop_table("measure_move")
    op.drop_table("measure")
    # The references go back to the texts the old code quoted.
    for name in ("standard", "list_entry"):
        table = sa.table(name, sa.column("id"), sa.column("measures", sa.JSON))
        conn = op.get_bind()
        for row in conn.execute(sa.select(table)).all():
            texts = [m.get("content", "") if isinstance(m, dict) else m for m in row.measures]
            conn.execute(table.update().where(table.c.id == row.id).values(measures=texts))
        op.drop_column(name, "severity")
