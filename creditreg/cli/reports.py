"""`creditreg inquiry` and `creditreg reports` (issue 10, parts 2 and 9; RIG-1..3, Art 40):
self-inquiry and signed credit reports on a subject's behalf, and the verification of a
presented report."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from creditreg.cli.base import app, context, fail, run, show, write_private
from creditreg.cli.on_behalf import ForSubject, for_subject
from creditreg.domain.rights.notices import Lang
from creditreg.domain.rights.reports import ReportKind
from creditreg.services.rights import inquiry, reports
from creditreg.web.reports import (
    FontMissing,
    font_available,
    font_missing_message,
    render_report_html,
    render_report_pdf,
)

reports_app = typer.Typer(
    help="Signed credit reports (Art 40): issue on a subject's behalf, verify.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(reports_app, name="reports")

LangOption = Annotated[Lang, typer.Option("--lang", case_sensitive=False, help="zh or en")]


@app.command("inquiry")
def self_inquiry(subject: ForSubject) -> None:
    """RIG-1: the subject's self-inquiry (acting on its behalf), as JSON."""
    ctx = context()
    principal = for_subject(ctx, subject)
    show(run(lambda: inquiry.self_inquiry(ctx, principal, subject)))


def _day(raw: str | None) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        fail("report.invalid_period", f"{raw!r} is not a date (YYYY-MM-DD)", 2)


def _write(path: Path, data: bytes) -> None:
    try:
        write_private(path, data)
    except OSError as exc:
        fail("file.unwritable", f"cannot write {path}: {exc.strerror or exc}", 2)


@reports_app.command("issue")
def issue(
    subject: ForSubject,
    kind: Annotated[ReportKind, typer.Option(case_sensitive=False)] = ReportKind.FULL,
    period_from: Annotated[
        str | None, typer.Option("--from", help="specialised: first day, YYYY-MM-DD")
    ] = None,
    period_to: Annotated[
        str | None, typer.Option("--to", help="specialised: last day, YYYY-MM-DD")
    ] = None,
    accept_fee: Annotated[
        bool, typer.Option(help="accept the fee once the year's free reports are used")
    ] = False,
    pdf: Annotated[Path | None, typer.Option(help="write the PDF here")] = None,
    html: Annotated[Path | None, typer.Option(help="write the HTML here")] = None,
    json: Annotated[
        Path | None, typer.Option(help="write the signed report (content, signature) here")
    ] = None,
    lang: LangOption = Lang.ZH,
) -> None:
    """RIG-2: issue a signed report on the subject's behalf; prints number and digest."""
    ctx = context()
    start, end = _day(period_from), _day(period_to)
    if pdf is not None and not font_available(ctx.report_font_file):
        # Refused before anything is issued: no report counted against a PDF never made.
        fail("report.font_missing", font_missing_message(ctx.report_font_file), 8)
    principal = for_subject(ctx, subject)
    issued = run(
        lambda: reports.issue(
            ctx,
            principal,
            subject,
            kind,
            period_from=start,
            period_to=end,
            accept_fee=accept_fee,
        )
    )
    if json is not None:
        _write(json, orjson.dumps(envelope(issued), option=orjson.OPT_INDENT_2))
    if html is not None:
        _write(html, render_report_html(issued, lang.value).encode())
    if pdf is not None:
        try:
            _write(pdf, render_report_pdf(issued, ctx.report_font_file, lang.value))
        except FontMissing as exc:
            fail("report.font_missing", str(exc), 8)
    fee = "free" if issued.free else f"fee {issued.fee_fen / 100:.2f} yuan"
    typer.echo(f"report {issued.number} ({issued.kind.value}, {fee}) sha256 {issued.digest}")


def envelope(issued: reports.IssuedReport) -> dict[str, Any]:
    """The signed report as a file: its content, digest, signature and key id."""
    return {
        "content": issued.content,
        "digest": issued.digest,
        "signature": issued.signature,
        "key_id": issued.key_id,
    }


_PDF_FIELD = re.compile(rb"/(Subject|Keywords) \(([^)]*)\)")


@reports_app.command("verify")
def verify(
    file: Annotated[Path, typer.Argument(help="a report: its JSON (signed) or its PDF")],
) -> None:
    """Whether a presented report is genuine and unaltered (exit 0), or why not (one line,
    non-zero exit)."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        fail("file.unreadable", f"cannot read {file}: {exc.strerror or exc}", 2)
    ctx = context()
    if data.startswith(b"%PDF"):
        found = {k.decode(): v.decode("latin-1") for k, v in _PDF_FIELD.findall(data)}
        if "Subject" not in found or "Keywords" not in found:
            fail("report.invalid_content", f"{file} is not a credit report's PDF", 2)
        verdict = run(lambda: reports.verify_digest(ctx, found["Keywords"], found["Subject"]))
    else:
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError:
            fail("report.invalid_content", f"{file} is neither a report's JSON nor its PDF", 2)
        if isinstance(parsed, dict) and isinstance(parsed.get("content"), dict):
            content, signature = parsed["content"], parsed.get("signature")
        else:
            content, signature = parsed, None
        if signature is not None and not isinstance(signature, str):
            fail("report.bad_signature", "the signature in the file is not base64 text", 2)
        verdict = run(lambda: reports.verify_content(ctx, content, signature))
    typer.echo(
        f"genuine: report {verdict.number} ({verdict.kind}, {verdict.subject_name}, issued "
        f"{verdict.issued_at}) is unaltered; sha256 {verdict.digest}"
    )
