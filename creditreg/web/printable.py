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
    },
    "en": {
        "subject": "Credit subject",
        "identifier": "Identifier",
        "issued_on": "Issued on",
        "unit": "Issued by",
        "code": "Account activation code",
        "notice": "Notice number",
        "delivered_on": "Delivered on",
    },
}


def render_notice_html(notice: PrintableNotice) -> str:
    """The printable HTML document of a notice (Chinese or English, as rendered)."""
    template = _env.get_template("subject_notice.html")
    return template.render(notice=notice, label=_LABELS.get(notice.lang, _LABELS["zh"]))


def render_notice_pdf(notice: PrintableNotice) -> bytes:
    """The PDF of the same notice: built by the report renderer (issue 10, part 9)."""
    raise NotImplementedError("the PDF rendering of notices comes with the report renderer")
