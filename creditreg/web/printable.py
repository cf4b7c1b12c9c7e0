"""Printed documents (issue 10, part 1): a written notice for a subject without an account,
carrying its activation code, for the designating unit to deliver (Art 28).

The seam: a service builds the rendered context (`PrintableNotice`, everything the paper
shows) and each rendering takes exactly that. HTML is here; the PDF rendering (a CJK font
embedded, issue 10 part 9) plugs in as `render_notice_pdf` with the same argument.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from creditreg.services.rights.views import PrintableNotice
from creditreg.web.reports import build_pdf

_env = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
    autoescape=select_autoescape(("html",)),
)

_LABELS = {
    "zh": {
        "subject": "信用主体",
        "identifier": "主体标识",
        "issued_on": "告知日期",
        "unit": "告知单位",
        "code": "主体账户激活码",
        "notice": "告知书编号",
        "delivered_on": "送达日期",
        "preview": "预览件：不含激活码，不作送达。"
        "送达件打印时生成激活码（此前打印的激活码随之作废）。",
    },
    "en": {
        "subject": "Credit subject",
        "identifier": "Identifier",
        "issued_on": "Issued on",
        "unit": "Issued by",
        "code": "Account activation code",
        "notice": "Notice number",
        "delivered_on": "Delivered on",
        "preview": "Preview: no activation code, not for delivery. The copy printed for "
        "delivery carries a fresh code (and voids the code of any earlier print).",
    },
}


def render_notice_html(notice: PrintableNotice) -> str:
    """The printable HTML document of a notice (Chinese or English, as rendered)."""
    template = _env.get_template("subject_notice.html")
    return template.render(notice=notice, label=_LABELS.get(notice.lang, _LABELS["zh"]))


def render_notice_pdf(notice: PrintableNotice, font_file: Path | None) -> bytes:
    """The PDF of the same notice, built like a credit report's, the CJK font embedded
    (FontMissing, naming the package, if it is not installed)."""
    label = _LABELS.get(notice.lang, _LABELS["zh"])
    head = [
        (label["notice"], str(notice.notice_id)),
        (label["subject"], notice.subject_name),
        (label["identifier"], notice.subject_identifier),
        *([(label["unit"], notice.unit_name)] if notice.unit_name else []),
        (label["issued_on"], notice.issued_on),
        *notice.lines,
        *([(label["delivered_on"], notice.delivered_on)] if notice.delivered_on else []),
    ]
    sections = []
    if notice.code:
        sections.append((label["code"], [(notice.code, notice.activation_text or "")]))
    if notice.preview:
        sections.append((label["code"], [("", label["preview"])]))
    return build_pdf(
        font_file,
        title=notice.title,
        head=head,
        sections=sections,
        footer=[],
        meta={"title": f"{notice.title} {notice.notice_id}"},
    )
