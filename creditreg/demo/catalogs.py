"""Two real-world catalog templates shipped as demo data (CAT-1): the national
administrative-punishment and administrative-licensing records ("双公示")."""

from __future__ import annotations

from typing import Any

PARTY_KIND = {
    "法人及非法人组织": "organization",  # a legal person or an unincorporated organization
    "个体工商户": "unincorporated_org",
    "自然人": "natural_person",
}
ID_TYPES = {
    "身份证": "ric",
    "护照": "passport",
    "港澳居民居住证": "hk_macao_permit",
    "台湾居民居住证": "taiwan_permit",
    "外国人永久居留身份证": "foreign_permanent_residence",
}
ORG = "法人及非法人组织"
PERSON = "自然人"


def _party() -> list[dict[str, Any]]:
    """Who the record is about: the fields both templates share."""
    return [
        {
            "name": "party_name",
            "label": "行政相对人名称",
            "type": "string",
            "presence": "required",
            "role": "subject_name",
            "max_length": 200,
        },
        {
            "name": "party_category",
            "label": "行政相对人类别",
            "type": "choice",
            "presence": "required",
            "role": "subject_kind",
            "choices": list(PARTY_KIND),
            "choice_meaning": PARTY_KIND,
        },
        {
            "name": "uscc",
            "label": "统一社会信用代码",
            "type": "string",
            "presence": "conditional",
            "when_field": "party_category",
            "when_value": ORG,
            "role": "subject_uscc",
        },
        {
            "name": "legal_representative",
            "label": "法定代表人",
            "type": "string",
            "presence": "conditional",
            "when_field": "party_category",
            "when_value": ORG,
        },
        {
            "name": "legal_rep_id_type",
            "label": "法定代表人证件类型",
            "type": "choice",
            "choices": list(ID_TYPES),
            "choice_meaning": ID_TYPES,
        },
        {
            "name": "legal_rep_id_number",
            "label": "法定代表人证件号码",
            "type": "string",
            "id_type_field": "legal_rep_id_type",
        },
        {
            "name": "id_type",
            "label": "证件类型",
            "type": "choice",
            "presence": "conditional",
            "when_field": "party_category",
            "when_value": PERSON,
            "role": "subject_id_type",
            "choices": list(ID_TYPES),
            "choice_meaning": ID_TYPES,
        },
        {
            "name": "id_number",
            "label": "证件号码",
            "type": "string",
            "presence": "conditional",
            "when_field": "party_category",
            "when_value": PERSON,
            "role": "subject_id_number",
        },
    ]


def _authority(prefix: str) -> list[dict[str, Any]]:
    return [
        {"name": "authority", "label": f"{prefix}机关", "type": "string", "presence": "required"},
        {
            "name": "authority_uscc",
            "label": f"{prefix}机关统一社会信用代码",
            "type": "uscc",
            "presence": "required",
        },
        {"name": "source_unit", "label": "数据来源单位", "type": "string", "presence": "required"},
        {
            "name": "source_unit_uscc",
            "label": "数据来源单位统一社会信用代码",
            "type": "uscc",
            "presence": "required",
        },
    ]


PENALTY_CATEGORIES = [
    "警告",
    "通报批评",
    "罚款",
    "没收违法所得",
    "没收非法财物",
    "暂扣许可证件",
    "降低资质等级",
    "吊销许可证件",
    "限制开展生产经营活动",
    "责令停产停业",
    "责令关闭",
    "限制从业",
    "行政拘留",
    "其他",
]

PUNISHMENT: dict[str, Any] = {
    "code": "XZCF",
    "name": "行政处罚信息",
    "content_class": "administrative_acts",
    "info_kind": "public_credit_info",
    "subject_kinds": ["legal_person", "unincorporated_org", "natural_person"],
    "character": "untrustworthy",
    "disclosure": "public_display",
    "scope": "本省各级行政机关作出的行政处罚决定",
    "information_items": "行政相对人、处罚决定书文号、违法事实、处罚依据、处罚类别与内容、处罚机关",
    "reduces_rights": False,
    "untrustworthy_class": "art20_2",  # counts once final (Art 20(2), ING-5)
    "template": [
        *_party(),
        {
            "name": "decision_number",
            "key": True,
            "label": "行政处罚决定书文号",
            "type": "string",
            "presence": "required",
        },
        {
            "name": "violation_type",
            "label": "违法行为类型",
            "type": "string",
            "presence": "required",
        },
        {
            "name": "facts",
            "label": "违法事实",
            "type": "text",
            "presence": "required",
            "max_length": 5000,
        },
        {
            "name": "legal_basis",
            "label": "处罚依据",
            "type": "text",
            "presence": "required",
            "max_length": 2000,
        },
        {
            "name": "penalty_category",
            "label": "处罚类别",
            "type": "choice",
            "presence": "required",
            "choices": PENALTY_CATEGORIES,
        },
        {
            "name": "penalty_content",
            "label": "处罚内容",
            "type": "text",
            "presence": "required",
            "max_length": 2000,
        },
        {
            "name": "fine_10k_cny",
            "label": "罚款金额（万元）",
            "type": "decimal",
            "presence": "conditional",
            "when_field": "penalty_category",
            "when_value": "罚款",
        },
        {
            "name": "confiscated_10k_cny",
            "label": "没收违法所得、没收非法财物的金额（万元）",
            "type": "decimal",
        },
        {"name": "licence_affected", "label": "暂扣或吊销证照名称及编号", "type": "string"},
        {
            "name": "decision_date",
            "label": "处罚决定日期",
            "type": "date",
            "presence": "required",
            "role": "decision_date",
        },
        {
            "name": "valid_until",
            "label": "处罚有效期",
            "type": "date",
            "presence": "required",
            "role": "valid_until",
        },
        {"name": "publish_until", "label": "公示截止期", "type": "date", "role": "publish_until"},
        {
            "name": "simplified_procedure",
            "label": "适用简易程序",
            "type": "boolean",
            "role": "simplified_procedure",
        },
        {
            "name": "corrected_minor",
            "label": "轻微违法且已主动消除或减轻危害后果",
            "type": "boolean",
            "role": "corrected_minor",
        },
        {
            "name": "severity",
            "label": "失信严重程度",
            "type": "choice",
            "role": "severity",
            "choices": ["minor", "general", "serious"],
        },
        {
            "name": "serious_class",
            "label": "严重失信行为类别（第三十三条）",
            "type": "choice",
            "role": "serious_class",
            "choices": [f"art33_{n}" for n in range(1, 11)],
        },
        *_authority("处罚"),
    ],
}

LICENSING: dict[str, Any] = {
    "code": "XZXK",
    "name": "行政许可信息",
    "content_class": "administrative_acts",
    "info_kind": "public_credit_info",
    "subject_kinds": ["legal_person", "unincorporated_org", "natural_person"],
    "character": "neutral",
    "disclosure": "public_display",
    "scope": "本省各级行政机关作出的行政许可决定",
    "information_items": "行政相对人、许可决定文书、许可类别与内容、有效期、许可机关",
    "reduces_rights": False,
    "template": [
        *_party(),
        {
            "name": "document_name",
            "label": "行政许可决定文书名称",
            "type": "string",
            "presence": "required",
        },
        {
            "name": "document_number",
            "key": True,
            "label": "行政许可决定文书号",
            "type": "string",
            "presence": "required",
        },
        {
            "name": "licence_category",
            "label": "许可类别",
            "type": "choice",
            "presence": "required",
            "choices": ["普通", "特许", "认可", "核准", "登记", "其他"],
        },
        {"name": "licence_name", "label": "许可证书名称", "type": "string"},
        {"name": "licence_number", "label": "许可编号", "type": "string"},
        {
            "name": "licence_content",
            "label": "许可内容",
            "type": "text",
            "presence": "required",
            "max_length": 4000,
        },
        {
            "name": "decision_date",
            "label": "许可决定日期",
            "type": "date",
            "presence": "required",
            "role": "decision_date",
        },
        {"name": "valid_from", "label": "有效期自", "type": "date", "presence": "required"},
        {"name": "valid_to", "label": "有效期至", "type": "date", "presence": "required"},
        *_authority("许可"),
    ],
}

HONOURS: dict[str, Any] = {
    "code": "BZJL",
    "name": "表彰奖励信息",
    "content_class": "commendations",
    "info_kind": "public_credit_info",
    "subject_kinds": ["legal_person", "unincorporated_org", "natural_person"],
    "character": "trustworthy",
    "disclosure": "public_display",
    "scope": "本省各级国家机关作出的表彰、奖励决定",
    "information_items": "行政相对人、表彰奖励名称、决定文号、决定日期、决定机关",
    "reduces_rights": False,
    "template": [
        *_party(),
        {"name": "award_name", "label": "表彰奖励名称", "type": "string", "presence": "required"},
        {
            "name": "document_number",
            "key": True,
            "label": "表彰奖励决定文号",
            "type": "string",
            "presence": "required",
        },
        {
            "name": "decision_date",
            "label": "决定日期",
            "type": "date",
            "presence": "required",
            "role": "decision_date",
        },
        *_authority("表彰"),
    ],
}


def _declaration_item(
    code: str, name: str, kind: str, what: list[dict[str, Any]], scope: str
) -> dict[str, Any]:
    """ING-6, Art 15: an item meant for subjects' own declarations, of `kind`."""
    return {
        "code": code,
        "name": name,
        "content_class": "other",
        "info_kind": "public_credit_info",
        "subject_kinds": ["legal_person", "unincorporated_org", "natural_person"],
        "character": "neutral",
        "disclosure": "public_display",
        "scope": scope,
        "information_items": "申报主体、" + "、".join(f["label"] for f in what),
        "reduces_rights": False,
        "declaration_kind": kind,
        "template": [*_party(), *what],
    }


_DATE = {"type": "date", "presence": "required"}
# ING-6 (issue 10, part 8): one demo item of each kind of self-declaration.
SELF_DECLARATION = _declaration_item(
    "ZZSB",
    "信用主体自主申报信息",
    "declaration",
    [
        {
            "name": "title",
            "key": True,
            "label": "申报事项",
            "type": "string",
            "presence": "required",
        },
        {"name": "content", "label": "申报内容", "type": "text", "presence": "required"},
        {"name": "declared_on", "label": "申报日期", **_DATE},
    ],
    "信用主体自主申报的资质、荣誉、经营等信息（《社会信用条例》第十五条）",
)
VOLUNTARY_REGISTRATION = _declaration_item(
    "ZYZC",
    "信用主体自愿注册信息",
    "voluntary_registration",
    [
        {
            "name": "item",
            "key": True,
            "label": "注册事项",
            "type": "string",
            "presence": "required",
        },
        {"name": "content", "label": "注册内容", "type": "text", "presence": "required"},
        {"name": "registered_on", "label": "注册日期", **_DATE},
    ],
    "信用主体自愿注册的联系方式、经营状况等信息",
)
CREDIT_PLEDGE = _declaration_item(
    "XYCN",
    "信用承诺信息",
    "credit_pledge",
    [
        {
            "name": "pledge_number",
            "key": True,
            "label": "承诺书编号",
            "type": "string",
            "presence": "required",
        },
        {"name": "matter", "label": "承诺事项", "type": "string", "presence": "required"},
        {"name": "content", "label": "承诺内容", "type": "text", "presence": "required"},
        {"name": "pledged_on", "label": "承诺日期", **_DATE},
        {
            "name": "accepting_unit",
            "label": "承诺受理单位",
            "type": "string",
            "presence": "required",
        },
    ],
    "信用主体在行政审批、证明事项等办理中作出的信用承诺及其履行情况",
)
DECLARATIONS = (SELF_DECLARATION, VOLUNTARY_REGISTRATION, CREDIT_PLEDGE)


# Two designation standards of the demo designating unit's field (STD-1), so that the
# list procedures can be tried at once.
STANDARDS: tuple[dict[str, Any], ...] = (
    {
        "code": "SCJG-HMD",
        "field": "market_regulation",
        "list_type": "blacklist",
        "scope": "national",
        "title": "市场监管领域严重违法失信名单认定标准（演示）",
        "legal_basis": "《社会信用条例》第二十八条、第三十三条；发改财金规〔2017〕1798号",
        "procedure": "初步名单 → 书面告知（依据、理由、惩戒措施、异议权利）→ 异议期 → 认定 → "
        "报送上级平台；认定后移出各红名单。",
        "rule": {
            "catalog_codes": ["XZCF"],
            "untrustworthy_classes": ["art20_2"],
            "serious_only": True,
            "min_count": 1,
            "within_months": 36,
        },
        "validity_months": 36,
        "window_days": 5,
        "restoration": {
            "restorable": True,
            "method": "履行行政处罚决定并消除不良影响后提出申请",
            "after_months": 12,
        },
        "scrutiny_months": 12,
        # Catalog codes (MEA-1): Art 34 (1) and (4), fit for a serious blacklist (Art 31).
        "measures": ["ART34-1", "ART34-4"],
    },
    {
        "code": "SCJG-HONG",
        "field": "market_regulation",
        "list_type": "red_list",
        "scope": "national",
        "title": "市场监管领域守信激励对象认定标准（演示）",
        "legal_basis": "《社会信用条例》第二十八条、第三十条",
        "procedure": "初步名单 → 与黑名单交叉比对 → 公示 → 无异议认定；有异议的先核实。",
        "rule": {"catalog_codes": ["BZJL"], "min_count": 1, "clean_months": 36},
        "validity_months": 24,
        "window_days": 7,
        "measures": ["ART30-1"],  # Art 30 (1): the green channel in administrative permits
    },
)


def memoranda(
    platform: int, designator: int, implementer: int, start: str
) -> tuple[dict[str, Any], ...]:
    """MEA-2, Op(12): the demo's two memoranda, in force from the demo's start: the market
    regulator and the public-resources trading centre on discipline and on incentives."""
    return (
        {
            "code": "MOU-SCJG-JCCJ",
            "title": "市场监管领域失信联合惩戒合作备忘录（演示）",
            "effective_from": start,
            "signatories": [platform, designator, implementer],
            "items": [
                {"trigger": t, "field": "market_regulation", "measure": m, "unit_id": implementer}
                for t, m in (
                    ("blacklist", "ART34-1"),
                    ("blacklist", "ART32-4"),
                    ("key_scrutiny", "ART32-4"),
                    ("untrustworthy_record", "ART32-4"),
                )
            ],
        },
        {
            "code": "MOU-SCJG-SXJL",
            "title": "市场监管领域守信联合激励合作备忘录（演示）",
            "effective_from": start,
            "signatories": [platform, designator, implementer],
            "items": [
                {
                    "trigger": "red_list",
                    "field": "market_regulation",
                    "measure": "ART30-3",
                    "unit_id": implementer,
                }
            ],
        },
    )
