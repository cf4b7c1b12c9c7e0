"""The renderings of a credit report (RIG-2): HTML (Jinja2) and PDF (ReportLab), both made
from the report's signed content and both printing its number and SHA-256 digest.

One document model (`document`: a title, the number and digest, and sections of labelled
lines) is built from the content; each rendering lays out exactly that, so the two never
say different things. The PDF embeds a TrueType CJK font (Debian's fonts-wqy-zenhei):
ReportLab embeds TrueType, not the CFF fonts of fonts-noto-cjk, and a font that is not
embedded prints Chinese as empty boxes, so a missing font is an error that names the
package, never a PDF of boxes.
"""

from __future__ import annotations

import contextlib
import io
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from creditreg import __version__
from creditreg.clock import CST
from creditreg.domain.access.query_register import PURPOSE_LABELS_ZH, Purpose
from creditreg.domain.lists.entries import RemovalReason
from creditreg.domain.lists.notices import REMOVAL_REASONS
from creditreg.domain.measures.check import PURPOSE_LABELS_ZH as CHECK_PURPOSES_ZH
from creditreg.domain.measures.check import CheckPurpose
from creditreg.services.rights.reports import IssuedReport, Verdict

FONT_PACKAGE = "fonts-wqy-zenhei"
FONT_NAME = "WenQuanYiZenHei"

_env = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
    autoescape=select_autoescape(("html",)),
)


class FontMissing(Exception):
    """The CJK font a PDF report embeds is not installed."""


@dataclass
class Section:
    title: str
    lines: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Document:
    """What both renderings show."""

    title: str
    lang: str
    number: str
    digest: str
    key_id: str
    head: list[tuple[str, str]]
    sections: list[Section]
    footer: str


L = {
    "zh": {
        "number": "报告编号",
        "digest": "SHA-256 摘要",
        "key": "签名密钥",
        "issued_at": "出具时间（北京时间）",
        "subject": "信用主体",
        "identifier": "主体标识",
        "fee": "费用",
        "free": "免费（《条例》第四十条：每年两次）",
        "paid": "收费 {yuan} 元",
        "period": "报告期间",
        "records": "信用信息：{mode}",
        "entries": "名单信息",
        "objections": "未结异议",
        "queries": "近两年查询记录",
        "consents": "授权同意",
        "authorizations": "书面授权（授权查询）",
        "none": "无",
        "fields": "分领域信用状况",
        "source": "来源",
        "changes": "变更",
        "batch": "批次",
        "uses": "已使用 {n} 次",
        "sep": "；",
        "colon": "：",
        "public_display": "公开",
        "government_sharing": "政务共享",
        "authorized_inquiry": "授权查询",
        "footer": "本报告由信用信息共享平台出具并以 Ed25519 签名。核验：在平台核验页输入"
        "报告编号与 SHA-256 摘要，或以公布的公钥离线验证签名。",
    },
    "en": {
        "number": "Report number",
        "digest": "SHA-256 digest",
        "key": "Signing key",
        "issued_at": "Issued at",
        "subject": "Credit subject",
        "identifier": "Identifier",
        "fee": "Fee",
        "free": "free (Art 40: two a year)",
        "paid": "{yuan} yuan",
        "period": "Period",
        "records": "Credit information: {mode}",
        "entries": "List entries",
        "objections": "Open objections",
        "queries": "Queries in the last two years",
        "consents": "Consents given",
        "authorizations": "Written authorizations (authorized inquiry)",
        "none": "none",
        "fields": "Field by field",
        "source": "source",
        "changes": "changes",
        "batch": "batch",
        "uses": "used {n} times",
        "sep": "; ",
        "colon": ": ",
        "public_display": "public display",
        "government_sharing": "government sharing",
        "authorized_inquiry": "authorized inquiry",
        "footer": "Issued and signed (Ed25519) by the credit information sharing platform. "
        "Verify: enter the number and SHA-256 digest on the platform's verification page, "
        "or check the signature offline with the published public key.",
    },
}


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


def _reason(text: str, lang: str) -> str:
    if lang != "en":
        for pattern, said in _SYSTEM_REASONS_ZH:
            found = pattern.fullmatch(text)
            if found:
                return said.format(*found.groups())
    return text


def _id_type(code: str, lang: str) -> str:
    return code if lang == "en" else ID_TYPES_ZH.get(code, code)


def _action(code: str, lang: str) -> str:
    return code if lang == "en" else ACTIONS_ZH.get(code, code)


def _removal(reason: str, lang: str) -> str:
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
    "trustworthy": "守信",
    "untrustworthy": "失信",
    "neutral": "一般",
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
_SERIOUS_CLASS = re.compile(r"art33_(\d+)")


def _word(value: Any, lang: str) -> str:
    text = "" if value is None else str(value)
    return WORDS_ZH.get(text, text) if lang != "en" else text


def _value(value: Any, lang: str) -> str:
    text = str(value)
    if lang != "en" and (found := _SERIOUS_CLASS.fullmatch(text)):
        return f"《条例》第三十三条第（{found.group(1)}）项"
    return text


def _source(s: dict[str, Any], lang: str = "zh") -> str:
    if "catalog_code" in s:
        batch = L["en" if lang == "en" else "zh"]["batch"]
        return (
            f"{s['providing_unit']} · {s['catalog_name']} ({s['catalog_code']} v"
            f"{s['catalog_version']}) · {s['field_zh']} · {batch} {s['batch_id']}"
        )
    return str(s.get("designating_unit") or s.get("designating_unit_id") or "")


def document(report: IssuedReport, lang: str = "zh") -> Document:
    """The document model of a report, in Chinese (default) or English."""
    lab = L["en" if lang == "en" else "zh"]
    c = report.content
    who = c["subject"]
    fee = lab["free"] if c["free"] else lab["paid"].format(yuan=f"{c['fee_fen'] / 100:.2f}")
    head = [
        (lab["subject"], who["name"]),
        (lab["identifier"], f"{_id_type(who['id_type'], lang)} {who['id_number']}"),
        (lab["issued_at"], _local(str(c["issued_at"]), lang)),
        (lab["fee"], fee),
    ]
    sections: list[Section] = []
    if report.kind.value == "specialised":
        head.append((lab["period"], f"{c['period']['from']} – {c['period']['to']}"))
        part = Section(lab["fields"])
        for f in c["fields"]:
            name = f["label_zh"] if lang != "en" else f["label"]
            verdict = (
                f["finding_zh"]
                if lang != "en"
                else ("untrustworthy information held" if f["untrustworthy"] else "none found")
            )
            part.lines.append((name, verdict))
            for item in f["items"]:
                part.lines.append(
                    (
                        "",
                        f"{item['type']} {item['id']} ({item['on']}) {lab['source']}: "
                        f"{_source(item['source'])}",
                    )
                )
        sections.append(part)
    else:
        for mode, records in c["records"].items():
            part = Section(lab["records"].format(mode=lab.get(mode, mode)))
            for r in records:
                # A field left empty says nothing: not shown (never "None"). A Chinese
                # reader reads the template's labels, not the field codes.
                labels = (r.get("labels") or {}) if lang != "en" else {}
                data = lab["sep"].join(
                    f"{labels.get(k, k)}{lab['colon']}{_value(v, lang)}"
                    for k, v in r["data"].items()
                    if v not in (None, "", [], {})
                )
                part.lines.append(
                    (f"#{r['id']} {_word(r['character'], lang)} {_word(r['status'], lang)}", data)
                )
                part.lines.append(
                    ("", f"{lab['source']}{lab['colon']}{_source(r['source'], lang)}")
                )
                for ch in r["changes"]:
                    reason = f" — {ch['reason']}" if ch["reason"] else ""
                    part.lines.append(
                        (
                            "",
                            f"{lab['changes']}{lab['colon']}{_local(ch['at'], lang)} "
                            f"{_action(ch['action'], lang)}{reason}",
                        )
                    )
            sections.append(part)
        part = Section(lab["entries"])
        for e in c["list_entries"]:
            part.lines.append(
                (
                    f"#{e['id']} {_word(e['list_type'], lang)} · {e['field_zh']}",
                    f"{_word(e['status'], lang)} {e['designating_unit'] or ''} "
                    f"{e['designated_on'] or ''}",
                )
            )
            for h in e["history"]:
                why = (
                    _removal(h["reason"], lang)
                    if h["action"] == "remove"
                    else _reason(h["reason"], lang)
                )
                said = f"{lab['colon']}{why}" if why else ""
                part.lines.append(("", f"{h['on']} {_action(h['action'], lang)}{said}"))
        sections.append(part)
        part = Section(lab["objections"])
        for o in c["open_objections"]:
            state = o["status"] if lang == "en" else OBJECTION_ZH.get(o["status"], o["status"])
            due = o.get("due_date")
            when = (f", due {due}" if lang == "en" else f"，处理期限 {due}") if due else ""
            part.lines.append(
                (
                    f"#{o['id']} {_word(o['object_type'], lang)} {o['object_id']}",
                    f"{state}{when} · {o['grounds']}",
                )
            )
        sections.append(part)
        part = Section(lab["consents"])
        for g in c["consents"]:
            part.lines.append((g["unit"], f"{g['purpose']} ({g['granted_on']})"))
        sections.append(part)
        part = Section(lab["authorizations"])
        for a in c["authorizations"]:
            part.lines.append(
                (
                    a["unit"],
                    f"{a['purpose']} {a['valid_from']} – {a['valid_until']} "
                    f"{_word(a['status'], lang)} ({lab['uses'].format(n=len(a['uses']))})",
                )
            )
        sections.append(part)
        part = Section(lab["queries"])
        for q in c["queries"]:
            why = PURPOSE_LABELS_ZH[Purpose(q["purpose"])] if lang != "en" else q["purpose"]
            note = q["note"] or ""
            part.lines.append(
                (_local(q["at"], lang), f"{q['unit'] or q['actor']} · {why}{_note(note, lang)}")
            )
        sections.append(part)
    for s in sections:
        if not s.lines:
            s.lines.append(("", lab["none"]))
    title = (
        c["title_zh"]
        if lang != "en"
        else (
            "Specialised credit report" if report.kind.value == "specialised" else "Credit report"
        )
    )
    return Document(
        title, lang, report.number, report.digest, report.key_id, head, sections, lab["footer"]
    )


def render_report_html(report: IssuedReport, lang: str = "zh") -> str:
    """The report as an HTML page (prints its number and digest)."""
    doc = document(report, lang)
    lab = L["en" if lang == "en" else "zh"]
    return _env.get_template("credit_report.html").render(doc=doc, label=lab)


def render_verification_html(
    verdict: Verdict | None, error: tuple[str, str] | None, typed: dict[str, str] | None = None
) -> str:
    """The public verification page, with the verdict on a presented report if any, in
    the portal's frame; what was typed stays in the form."""
    return _env.get_template("report_verification.html").render(
        verdict=verdict,
        error=error,
        said_zh=VERDICTS_ZH.get(error[0], "未通过核验") if error else None,
        kind_zh={"full": "完整版", "specialised": "专项版"},
        typed=typed or {"number": "", "digest": ""},
        version=__version__,
    )


# RIG-2: why a report did not verify, as its Chinese reader reads it.
VERDICTS_ZH = {
    "report.incomplete": "请同时填写报告编号和摘要。",
    "report.invalid_number": "报告编号格式不正确（形如 CR-20260302-0123456789）。",
    "report.invalid_digest": "摘要应为 64 位十六进制字符（SHA-256）。",
    "report.not_found": "平台未出具过该编号的报告。",
    "report.altered": "该报告与平台出具的内容不一致：所出示的报告已被改动。",
    "report.bad_signature": "报告签名无法核验：请勿采信。",
    "request.bad_character": "输入含有无法处理的字符。",
}


_registered: dict[Path, str] = {}
_lock = threading.Lock()


def _font(path: Path | None) -> str:
    """Register the CJK TrueType font once; FontMissing (naming the package) if absent."""
    if path is None or not path.is_file():
        raise FontMissing(font_missing_message(path))
    with _lock:
        name = _registered.get(path)
        if name is None:
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.ttfonts import TTFont

            name = f"{FONT_NAME}{len(_registered) or ''}"
            # A .ttc holds several faces: the first is the regular one.
            index = 0 if path.suffix.lower() == ".ttc" else None
            font = TTFont(name, str(path), subfontIndex=index or 0)
            pdfmetrics.registerFont(font)
            _registered[path] = name
    return name


def font_missing_message(path: Path | None) -> str:
    """The one line that says which package to install."""
    return (
        f"the CJK font for PDF reports is not installed ({path}): install the Debian "
        f"package {FONT_PACKAGE} (apt-get install {FONT_PACKAGE}) or set "
        "CREDITREG_REPORT_FONT_FILE to a TrueType CJK font"
    )


def font_available(path: Path | None) -> bool:
    """Whether PDF reports can be rendered (`make run` says which package when not)."""
    return path is not None and path.is_file()


def render_report_pdf(report: IssuedReport, font_file: Path | None, lang: str = "zh") -> bytes:
    """The report as a PDF, the CJK font embedded (FontMissing if it is not installed)."""
    doc = document(report, lang)
    lab = L["en" if lang == "en" else "zh"]
    return build_pdf(
        font_file,
        title=doc.title,
        head=[
            (lab["number"], doc.number),
            (lab["digest"], doc.digest),
            (lab["key"], doc.key_id),
            *doc.head,
        ],
        sections=[(s.title, s.lines) for s in doc.sections],
        footer=[doc.footer, f"{lab['number']} {doc.number} · {lab['digest']} {doc.digest}"],
        meta={"title": f"{doc.title} {doc.number}", "subject": doc.digest, "keywords": doc.number},
    )


def build_pdf(
    font_file: Path | None,
    *,
    title: str,
    head: list[tuple[str, str]],
    sections: list[tuple[str, list[tuple[str, str]]]],
    footer: list[str],
    meta: dict[str, str],
) -> bytes:
    """A printed document (a report, a written notice) as an A4 PDF: a title, labelled
    lines, sections of labelled lines and a footer, in the CJK font embedded
    (FontMissing, naming the package, if it is not installed)."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font(font_file)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=11)
    big = ParagraphStyle("title", parent=body, fontSize=18, leading=24, alignment=1)
    heading = ParagraphStyle("heading", parent=body, fontSize=12, leading=18, spaceBefore=8)

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text), style)

    def table(lines: list[tuple[str, str]]) -> Table:
        t = Table([[p(a), p(b)] for a, b in lines], colWidths=[45 * mm, 125 * mm])
        t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return t

    story: list[Any] = [p(title, big), Spacer(1, 4 * mm), table(head)]
    for name, lines in sections:
        story += [p(name, heading), table(lines)]
    story.append(Spacer(1, 6 * mm))
    story += [p(line, small) for line in footer]
    out = io.BytesIO()
    pdf = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=meta.get("title", title),
        author="creditreg",
        subject=meta.get("subject", ""),
        keywords=meta.get("keywords", ""),
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    pdf.build(story)
    return out.getvalue()


def _local(at: str, lang: str = "en") -> str:
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


def _note(note: str, lang: str) -> str:
    """A query's note: a check's purpose code said in Chinese for the Chinese reader."""
    if not note:
        return ""
    if lang != "en":
        with contextlib.suppress(ValueError):  # a free-text note stays as written
            note = CHECK_PURPOSES_ZH[CheckPurpose(note)]
        return f"（{note}）"
    return f" ({note})"
