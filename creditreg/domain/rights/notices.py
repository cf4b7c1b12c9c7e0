"""Written notices and outcomes as a subject reads them: Chinese by default, English on
request (issue 10, part 1; Art 28). Pure: a notice's kind and content in, its title and
labelled lines out."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Lang(StrEnum):
    ZH = "zh"
    EN = "en"


# Titles by notice kind; an unknown kind gets the general title.
_TITLES: dict[str, tuple[str, str]] = {
    "written_notice": ("信用惩戒书面告知书", "Written notice of a planned joint-discipline entry"),
    "warning": ("重点关注名单告知书", "Notice of entry on the key scrutiny list"),
    "outcome": ("处理结果告知书", "Notice of an outcome"),
    # OBJ-5, Op(23), Art 66: the unit that made the error apologizes in writing.
    "apology": ("书面致歉函", "Written apology for an error"),
    "compensation": ("赔偿申请处理结果告知书", "Notice of a compensation decision"),
    "restoration_decision": ("信用修复申请处理结果告知书", "Notice of a restoration decision"),
    "designation_notice": ("列入名单决定告知书", "Notice of designation"),
    "removal_notice": ("移出名单告知书", "Notice of removal from a list"),
    # SEC-5, Art 65: the decision an objector waits for is late.
    "late_decision": ("逾期处理告知书", "Notice of a late decision"),
}
_GENERAL = ("书面告知书", "Written notice")

# Labels of the content keys the platform writes; unknown keys keep their own name.
_LABELS: dict[str, tuple[str, str]] = {
    "list": ("名单", "List"),
    "subject": ("信用主体", "Credit subject"),
    "designated_on": ("认定日期", "Designated on"),
    "valid_until": ("有效期至", "Valid until"),
    "after_entry": ("原名单条目", "After entry"),
    "basis": ("认定依据", "Basis"),
    "reason": ("列入理由", "Reason"),
    "facts": ("事实", "Facts"),
    "measures": ("惩戒措施", "Measures"),
    "right_to_object": ("异议权利", "Right to object"),
    "objection_deadline": ("异议截止日期", "Objections until"),
    "explanation": ("期限说明", "How the deadline is counted"),
    "scrutiny_period": ("关注期间", "Scrutiny period"),
    "outcome": ("处理结果", "Outcome"),
    "reasons": ("理由", "Reasons"),
    "matter": ("事项", "Matter"),
    "record": ("信用记录", "Record"),
    "decided_on": ("决定日期", "Decided on"),
    "apology": ("致歉", "Apology"),
    "error": ("错误情况", "What was wrong"),
    "correction": ("更正措施", "Correction"),
    "corrected_on": ("更正日期", "Corrected on"),
    "clarification": ("澄清说明", "Public clarification"),
    "compensation": ("赔偿", "Compensation"),
    "amount_claimed": ("申请金额（元）", "Amount claimed (yuan)"),
    "amount_granted": ("决定金额（元）", "Amount granted (yuan)"),
    "restoration": ("信用修复", "Credit restoration"),
    "responsible_persons": ("相关责任人员", "Persons responsible"),
    "removed_on": ("移出日期", "Removed on"),
    "removal_reason": ("移出理由", "Why removed"),
    "note": ("说明", "Note"),
    "due_on": ("处理期限", "Due on"),
}

_CODE_TEXT = {
    Lang.ZH: (
        "激活码：{code}。请于{until}前在信用信息共享平台凭本激活码和主体标识开通主体账户，"
        "激活码仅能使用一次。"
    ),
    Lang.EN: (
        "Activation code: {code}. Open the subject's account on the credit information "
        "sharing platform with this code and the subject's identifier before {until}; the "
        "code works once."
    ),
}


@dataclass(frozen=True, slots=True)
class RenderedNotice:
    """A notice in one language: title and (label, text) lines."""

    lang: Lang
    title: str
    lines: list[tuple[str, str]]


# How a notice's lists are punctuated: the Chinese reader's marks in a Chinese notice.
_SEPARATORS = {Lang.ZH: ("；", "："), Lang.EN: ("; ", ": ")}


def _text(value: Any, lang: Lang = Lang.ZH) -> str:
    between, colon = _SEPARATORS[lang]
    if isinstance(value, dict) and "name" in value:  # a subject, as published
        number = value.get("id_number")
        return f"{value['name']}（{number}）" if number else str(value["name"])
    if isinstance(value, dict):
        return between.join(f"{k}{colon}{_text(v, lang)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return between.join(_text(v, lang) for v in value)
    return "" if value is None else str(value)


def render(kind: str, content: dict[str, Any], lang: Lang) -> RenderedNotice:
    """The notice's title and its labelled lines in `lang`."""
    pick = 0 if lang is Lang.ZH else 1
    title = _TITLES.get(kind, _GENERAL)[pick]
    lines = [
        (_LABELS[key][pick] if key in _LABELS else key, _text(value, lang))
        for key, value in content.items()
        if value not in (None, "", [], {})
    ]
    return RenderedNotice(lang, title, lines)


def activation_text(code: str, until: str, lang: Lang) -> str:
    """The sentence printed beside an activation code."""
    return _CODE_TEXT[lang].format(code=code, until=until)
