"""What the platform writes in notices: the fixed texts, in the language notices are issued
in (Chinese, the glossary's default), with English beside them for the English interface.

A notice issued in Chinese is Chinese throughout (a trial finding: the Chinese written
notice carried an English `right_to_object`): its fixed texts come from here, its deadline
explanation from `Deadline.explain_zh`, its dates are ISO, and what the designating unit
wrote (basis, facts, measures) is quoted as written.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from creditreg.domain.lists.entries import RemovalReason

Language = Literal["zh", "en"]
# The language notices are issued in (Art 28 written notices, warnings, publications).
NOTICE_LANGUAGE: Language = "zh"

# LST-2, Art 28, Op(22): the right to object, as a written notice states it.
RIGHT_TO_OBJECT: dict[Language, str] = {
    "zh": (
        "当事人对拟列入名单有异议的，可以在异议期限届满前向认定部门（单位）提出异议申诉，"
        "并提供相关证明材料；认定部门（单位）在认定前对异议进行核实处理（《条例》第二十八条、"
        "《指导意见》第（二十二）项）。对核实处理结果仍有异议的，可以向省社会信用主管部门"
        "申请复核。"
    ),
    "en": (
        "You may object to this entry, with supporting materials, before the deadline; the "
        "designating unit verifies the objection before any designation (Art 28; Op(22)). If "
        "still dissatisfied with its outcome you may ask the provincial department in charge "
        "of social credit for reconsideration."
    ),
}

# Art 41: a designated entry may still be objected to, as the designation notice says.
RIGHT_TO_OBJECT_LATER: dict[Language, str] = {
    "zh": (
        "对名单信息有异议的，可以向认定部门（单位）或信用信息共享平台提出异议申诉，并提供"
        "相关证明材料（《条例》第四十一条、《指导意见》第（二十二）项）。"
    ),
    "en": (
        "You may object to the entry, with supporting materials, to the designating unit or "
        "the credit information sharing platform (Art 41; Op(22))."
    ),
}

# Art 35: an organization's measures may extend to the persons responsible.
RESPONSIBLE_PERSONS: dict[Language, str] = {
    "zh": (
        "对被列入失信联合惩戒对象名单的法人和非法人组织，依法对其法定代表人、主要负责人"
        "和其他直接责任人员采取相应的惩戒措施（《条例》第三十五条）。"
    ),
    "en": (
        "Measures against an organization on the blacklist may, as the law provides, extend "
        "to its legal representative, principal person in charge and other persons directly "
        "responsible (Art 35)."
    ),
}


def restoration_text(
    restorable: bool,
    after_months: int,
    method: str,
    valid_until: date,
    language: Language = NOTICE_LANGUAGE,
) -> str:
    """Op(15): whether and how the subject may restore its credit, and after how long."""
    if language == "zh":
        if not restorable:
            return f"本名单信息不适用提前移出，有效期届满（{valid_until.isoformat()}）后移出。"
        wait = f"自认定之日起满{after_months}个月后，" if after_months else ""
        return f"{wait}可以向认定部门（单位）申请信用修复（方式：{method}）；有效期届满后移出。"
    if not restorable:
        return f"not restorable early; removed when its validity ends ({valid_until.isoformat()})"
    wait = f"after {after_months} months from designation, " if after_months else ""
    return f"{wait}you may apply to the designating unit to restore your credit ({method})"


# DIS-4: where a publication appears, as notices and the portal name it.
CHANNEL_LABELS: dict[str, dict[Language, str]] = {
    "unit_portal": {"zh": "认定部门门户网站", "en": "the designating unit's portal"},
    "credit_website": {"zh": "信用网站", "en": "the credit website"},
    "enterprise_credit_system": {
        "zh": "国家企业信用信息公示系统",
        "en": "the enterprise credit publicity system",
    },
    "platform_portal": {"zh": "信用信息共享平台门户", "en": "the platform's portal"},
}


def channels_text(
    channels: tuple[str, ...] | list[str], language: Language = NOTICE_LANGUAGE
) -> str:
    """Publication channels as a notice names them (`、`-separated in Chinese)."""
    names = [CHANNEL_LABELS.get(c, {}).get(language, c) for c in channels]
    return ("、" if language == "zh" else ", ").join(names)


# Art 35 (GLOSSARY `linked_person`): the roles of responsible persons, as pages name them.
ROLE_LABELS: dict[str, dict[Language, str]] = {
    "legal_representative": {"zh": "法定代表人", "en": "legal representative"},
    "principal": {"zh": "主要负责人", "en": "principal"},
    "actual_controller": {"zh": "实际控制人", "en": "actual controller"},
    "directly_responsible": {"zh": "直接责任人", "en": "directly responsible person"},
}


# RST-3(1), Op(20): what a correction notice says of an entry deleted in error.
CORRECTION: dict[Language, str] = {
    "zh": "该名单信息经核实系错误认定，已予删除。",
    "en": "the entry was made in error and has been deleted",
}

# RST-3, RST-4: why an entry was removed, as a removal notice names it.
REMOVAL_REASONS: dict[RemovalReason, dict[Language, str]] = {
    RemovalReason.ERROR: {"zh": "错误认定", "en": "made in error"},
    RemovalReason.RESTORATION: {"zh": "信用修复", "en": "credit restored"},
    RemovalReason.EXPIRY: {"zh": "有效期届满", "en": "validity ended"},
    RemovalReason.STANDARD_CHANGED: {"zh": "认定标准变更", "en": "standard changed"},
    RemovalReason.BLACKLISTED: {"zh": "被列入黑名单", "en": "blacklisted"},
    RemovalReason.KEY_SCRUTINY: {"zh": "被列入重点关注名单", "en": "put under key scrutiny"},
    RemovalReason.UNFIT_CONDUCT: {
        "zh": "存在不宜继续激励的行为",
        "en": "conduct unfit for incentives",
    },
    RemovalReason.BASIS_REVOKED: {"zh": "认定依据被撤销", "en": "basis revoked"},
    RemovalReason.BELOW_THRESHOLD: {"zh": "重点关注领域不足三个", "en": "fewer than 3 key fields"},
}


def period_text(start: date, end: date, language: Language = NOTICE_LANGUAGE) -> str:
    """A period as a notice states it (LST-4: the key-scrutiny period)."""
    joint = "至" if language == "zh" else " to "
    return f"{start.isoformat()}{joint}{end.isoformat()}"


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1-99 in Chinese numerals, as clauses are numbered (第三十三条, 第（十七）项)."""
    if not 1 <= n <= 99:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def clause_zh(code: str) -> str:
    """An Art 20 / Art 33 class code as the Regulations number it: art33_2 ->
    《条例》第三十三条第（二）项; anything else as it is."""
    article, _, item = code.removeprefix("art").partition("_")
    if not (article.isdigit() and item.isdigit()):
        return code
    return f"《条例》第{chinese_number(int(article))}条第（{chinese_number(int(item))}）项"


def standard_cited(title: str, code: str, version: int, legal_basis: str) -> str:
    """A standard as an entry's basis cites it."""
    return f"{title}（{code}，第{version}版）；{legal_basis}"
