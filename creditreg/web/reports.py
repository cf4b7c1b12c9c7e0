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

import io
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from creditreg import __version__
from creditreg.domain.access.query_register import PURPOSE_LABELS_ZH, Purpose
from creditreg.services.rights.reports import IssuedReport, Verdict
from creditreg.web import report_words as words

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


def source(s: dict[str, Any], lang: str = "zh") -> str:
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
        (lab["identifier"], f"{words.id_type(who['id_type'], lang)} {who['id_number']}"),
        (lab["issued_at"], words.local(str(c["issued_at"]), lang)),
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
                        f"{words.word(item['type'], lang)} {item['id']} ({item['on']}) "
                        f"{lab['source']}{lab['colon']}{source(item['source'], lang)}",
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
                    f"{labels.get(k, k)}{lab['colon']}{words.value(v, lang)}"
                    for k, v in r["data"].items()
                    if v not in (None, "", [], {})
                )
                part.lines.append(
                    (
                        f"#{r['id']} {words.word(r['character'], lang)} "
                        f"{words.word(r['status'], lang)}",
                        data,
                    )
                )
                part.lines.append(("", f"{lab['source']}{lab['colon']}{source(r['source'], lang)}"))
                for ch in r["changes"]:
                    reason = f" — {ch['reason']}" if ch["reason"] else ""
                    part.lines.append(
                        (
                            "",
                            f"{lab['changes']}{lab['colon']}{words.local(ch['at'], lang)} "
                            f"{words.action(ch['action'], lang)}{reason}",
                        )
                    )
            sections.append(part)
        part = Section(lab["entries"])
        for e in c["list_entries"]:
            part.lines.append(
                (
                    f"#{e['id']} {words.word(e['list_type'], lang)} · {e['field_zh']}",
                    f"{words.word(e['status'], lang)} {e['designating_unit'] or ''} "
                    f"{e['designated_on'] or ''}",
                )
            )
            for h in e["history"]:
                why = (
                    words.removal(h["reason"], lang)
                    if h["action"] == "remove"
                    else words.reason(h["reason"], lang)
                )
                said = f"{lab['colon']}{why}" if why else ""
                part.lines.append(("", f"{h['on']} {words.action(h['action'], lang)}{said}"))
        sections.append(part)
        part = Section(lab["objections"])
        for o in c["open_objections"]:
            state = (
                o["status"] if lang == "en" else words.OBJECTION_ZH.get(o["status"], o["status"])
            )
            due = o.get("due_date")
            when = (f", due {due}" if lang == "en" else f"，处理期限 {due}") if due else ""
            part.lines.append(
                (
                    f"#{o['id']} {words.word(o['object_type'], lang)} {o['object_id']}",
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
                    f"{words.word(a['status'], lang)} ({lab['uses'].format(n=len(a['uses']))})",
                )
            )
        sections.append(part)
        part = Section(lab["queries"])
        for q in c["queries"]:
            why = PURPOSE_LABELS_ZH[Purpose(q["purpose"])] if lang != "en" else q["purpose"]
            note = q["note"] or ""
            part.lines.append(
                (
                    words.local(q["at"], lang),
                    f"{words.who(q['unit'], q['actor'], lang)} · {why}{words.note(note, lang)}",
                )
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
