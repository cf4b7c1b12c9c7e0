"""A credit report's codes as its reader reads them (RIG-2): the identifier types, the
steps of an entry's procedure and of a record's life, statuses, the platform's own words,
serious classes, check purposes and times, in Chinese for the Chinese report (the English
one keeps the codes)."""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime
from typing import Any

from creditreg.clock import CST
from creditreg.domain.lists.entries import RemovalReason
from creditreg.domain.lists.notices import REMOVAL_REASONS
from creditreg.domain.measures.check import PURPOSE_LABELS_ZH as CHECK_PURPOSES_ZH
from creditreg.domain.measures.check import CheckPurpose
from creditreg.domain.records.classification import CHARACTER_ZH, SEVERITY_ZH, clause_zh

# What the report's codes say to its Chinese reader: identifier types, the steps of an
# entry's procedure and of a record's life (the English report keeps the codes).
ID_TYPES_ZH = {
    "uscc": "统一社会信用代码",
    "ric": "居民身份证号码",
    "passport": "护照号码",
    "hk_macao_permit": "港澳居民来往内地通行证",
    "taiwan_permit": "台湾居民来往大陆通行证",
    "foreign_permanent_residence": "外国人永久居留身份证",
    "other": "其他证件",
}
ACTIONS_ZH = {
    "propose": "列入初步名单",
    "notify": "书面告知",
    "notice_delivered": "告知书送达",
    "announce": "公示",
    "designate": "认定列入",
    "object": "提出异议",
    "dismiss_objection": "异议不成立",
    "uphold_objection": "异议成立",
    "remove": "移出名单",
    "restore": "信用修复",
    "record.submit": "报送",
    "record.verify": "核实",
    "record.return": "退回修改",
    "record.withdraw": "撤回",
    "record.archive": "归档",
    "record.restore": "信用修复",
    "record.correct": "更正",
    "record.corrected": "更正",
    "record.upheld": "处罚决定经复议或诉讼维持",
}


# Reasons the platform itself writes in an entry's history, as a Chinese reader reads them.
_SYSTEM_REASONS_ZH = (
    (re.compile(r"objection (\d+) dismissed"), "异议 {0} 不成立"),
    (re.compile(r"objection (\d+) not accepted"), "异议 {0} 不予受理"),
    (re.compile(r"after blacklist removal"), "黑名单移出后转入"),
)


def reason(text: str, lang: str) -> str:
    if lang != "en":
        for pattern, said in _SYSTEM_REASONS_ZH:
            found = pattern.fullmatch(text)
            if found:
                return said.format(*found.groups())
    return text


def id_type(code: str, lang: str) -> str:
    return code if lang == "en" else ID_TYPES_ZH.get(code, code)


def action(code: str, lang: str) -> str:
    return code if lang == "en" else ACTIONS_ZH.get(code, code)


def removal(reason: str, lang: str) -> str:
    if lang == "en":
        return reason
    try:
        return REMOVAL_REASONS[RemovalReason(reason)]["zh"]
    except ValueError:
        return reason


# An open objection's status as its Chinese reader reads it (OBJ-3).
OBJECTION_ZH = {
    "received": "已收到，待受理",
    "accepted": "已受理",
    "verifying": "核查中",
    "answered": "已核查，待决定",
    "under_reconsideration": "复核中",
}


# The report's codes as its Chinese reader reads them (the English one keeps the codes).
WORDS_ZH = {
    **CHARACTER_ZH,
    "received": "待核实",
    "verified": "已核实",
    "returned": "已退回",
    "withdrawn": "已撤回",
    "archived": "已归档",
    "restored": "已修复",
    "preliminary": "初步名单",
    "notified": "已告知",
    "announced": "公示中",
    "objected": "异议中止",
    "designated": "已认定",
    "removed": "已移出",
    "red_list": "红名单",
    "blacklist": "黑名单",
    "key_scrutiny": "重点关注名单",
    "big_data_warning": "大数据警示名单",
    "list_entry": "名单条目",
    "record": "信用记录",
    "granted": "有效",
    "revoked": "已撤销",
}

# A serious class's code (Art 33) as the clause it names.


def word(value: Any, lang: str) -> str:
    text = "" if value is None else str(value)
    return WORDS_ZH.get(text, text) if lang != "en" else text


def value(value: Any, lang: str) -> str:
    """A record's field value: the codes the platform stores (a serious class, a severity)
    in words for the Chinese reader; anything else as written."""
    text = str(value)
    if lang == "en":
        return text
    return clause_zh(text) or SEVERITY_ZH.get(text, text)


def local(at: str, lang: str = "en") -> str:
    """A moment as the subject reads it: China Standard Time (the register keeps UTC;
    "2026-03-02T01:00:00" was read as one in the morning). The English report gives the
    offset; the Chinese one reads 北京时间 as the report says once, to the minute, so
    that it fits its column."""
    moment = datetime.fromisoformat(at)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # the platform stores UTC
    local = moment.astimezone(CST)
    if lang == "en":
        return local.isoformat(timespec="seconds")
    return local.strftime("%Y-%m-%d %H:%M")


def note(note: str, lang: str) -> str:
    """A query's note: a check's purpose code said in Chinese for the Chinese reader."""
    if not note:
        return ""
    if lang != "en":
        # A check's note is its purpose, and after ": " what the unit wrote (as stored).
        code, said, rest = note.partition(": ")
        with contextlib.suppress(ValueError):  # a free-text note stays as written
            note = CHECK_PURPOSES_ZH[CheckPurpose(code)] + (f"：{rest}" if said else "")
        return f"（{note}）"
    return f" ({note})"


def who(unit: str | None, actor: str, lang: str) -> str:
    """Who looked: the unit, or, for the platform's own console, what it was."""
    if unit:
        return unit
    if lang != "en" and actor.startswith("cli:"):
        return "信用信息共享平台（运维控制台）"
    return actor
