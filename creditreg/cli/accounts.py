"""`creditreg accounts`: subject accounts (issue 10, part 1): codes after an identity check,
activation, what a subject sees, and printed notices with their delivery."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from creditreg.cli.base import (
    Unit,
    acting,
    app,
    context,
    fail,
    operator,
    run,
    show,
    write_private,
)
from creditreg.cli.on_behalf import ForSubject, for_subject
from creditreg.domain.rights.accounts import DocumentType, HolderRole
from creditreg.domain.rights.notices import Lang
from creditreg.domain.subjects.identifiers import IdType
from creditreg.services.rights import accounts, notices
from creditreg.services.rights.views import SubjectNoticeView
from creditreg.web.printable import render_notice_html, render_notice_pdf
from creditreg.web.reports import FontMissing, font_available, font_missing_message

accounts_app = typer.Typer(
    help="Subject accounts: activation codes, binding, inbox, printed notices.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(accounts_app, name="accounts")

LangOption = Annotated[Lang, typer.Option("--lang", case_sensitive=False, help="zh or en")]


def _password() -> str:
    if sys.stdin.isatty():
        return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))
    return sys.stdin.readline().rstrip("\n")


@accounts_app.command("issue-code")
def issue_code(
    subject: Annotated[int, typer.Option("--subject", min=1, help="the subject to bind")],
    holder_role: Annotated[HolderRole, typer.Option(case_sensitive=False)],
    holder_name: Annotated[str, typer.Option(help="the holder's name")],
    document_type: Annotated[DocumentType, typer.Option(case_sensitive=False)],
    document_number: Annotated[str, typer.Option(help="kept only masked")],
    checked_by: Annotated[str, typer.Option(help="who checked the document")],
    checked_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today)")] = None,
    authorization_letter: Annotated[
        str | None, typer.Option(help="an agent's authorization letter (its reference)")
    ] = None,
) -> None:
    """An activation code after an identity check; printed once, never again."""
    ctx = context()
    on = _day(checked_on, "account.check_in_future") if checked_on else None
    issued = run(
        lambda: accounts.issue_code(
            ctx,
            operator(),
            subject_id=subject,
            holder_role=holder_role,
            holder_name=holder_name,
            document_type=document_type,
            document_number=document_number,
            checked_by=checked_by,
            checked_on=on,
            authorization_letter=authorization_letter,
        )
    )
    typer.echo(
        f"code {issued['code']} for subject {subject}, valid until {issued['expires_at'][:10]}"
    )
    typer.echo("hand it to the holder now: it is not shown again", err=True)


@accounts_app.command("activate")
def activate(
    code: Annotated[str, typer.Option(help="the activation code")],
    id_type: Annotated[IdType, typer.Option(case_sensitive=False)],
    id_number: Annotated[str, typer.Option()],
    username: Annotated[str, typer.Option()],
    holder_name: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Open a subject account with a code; the password is asked for (or read from stdin)."""
    ctx = context()
    password = _password()
    made = run(
        lambda: accounts.activate(
            ctx,
            code=code,
            id_type=id_type,
            id_number=id_number,
            username=username,
            password=password,
            holder_name=holder_name,
            address="cli",
        )
    )
    binding = made["binding"]
    typer.echo(
        f"account {made['id']} ({made['username']}): subject {made['subject_id']}, "
        f"{binding['holder_role']}, bound by {binding['method']}"
    )


@accounts_app.command("list")
def list_accounts(
    subject: Annotated[int, typer.Option("--subject", min=1, help="the subject")],
) -> None:
    """The accounts bound to a subject, with their evidence."""
    ctx = context()
    for b in run(lambda: accounts.accounts_of(ctx, operator(), subject)):
        evidence = (
            f"; {b['document_type']} {b['document_masked']} checked by {b['checked_by']} "
            f"on {b['checked_on']}"
            if b["document_type"]
            else ""
        )
        letter = f"; letter {b['authorization_letter']}" if b["authorization_letter"] else ""
        state = "" if b["active"] else " (deactivated)"
        typer.echo(
            f"account {b['account_id']} {b['username']}{state}: {b['holder_role']} "
            f"by {b['method']}{evidence}{letter}"
        )


@accounts_app.command("me")
def me(subject: ForSubject) -> None:
    """What the subject's account sees of itself (acting on the subject's behalf)."""
    ctx = context()
    principal = for_subject(ctx, subject)
    show(run(lambda: accounts.my_subject(ctx, principal)))


def _said(notice: SubjectNoticeView) -> str:
    state = "read" if notice["read_at"] else "unread"
    delivered = f", delivered {notice['delivered_on']}" if notice["delivered_on"] else ""
    return f"notice {notice['id']} {notice['issued_on']} {notice['title']} ({state}{delivered})"


@accounts_app.command("inbox")
def inbox(subject: ForSubject, lang: LangOption = Lang.ZH) -> None:
    """The subject's notices, newest first (acting on the subject's behalf)."""
    ctx = context()
    principal = for_subject(ctx, subject)
    for notice in run(lambda: notices.inbox(ctx, principal, lang)):
        typer.echo(_said(notice))


@accounts_app.command("read")
def read(
    notice_id: Annotated[int, typer.Argument(min=1)],
    subject: ForSubject,
    lang: LangOption = Lang.ZH,
) -> None:
    """Mark a notice read on the subject's behalf (audited as done for the subject)."""
    ctx = context()
    principal = for_subject(ctx, subject)
    notice = run(lambda: notices.mark_read(ctx, principal, notice_id, lang))
    typer.echo(_said(notice))
    for label, text in notice["lines"]:
        typer.echo(f"  {label}: {text}")


@accounts_app.command("print-notice")
def print_notice(
    notice_id: Annotated[int, typer.Argument(min=1)],
    out: Annotated[Path, typer.Option("--out", help="the file to write: .pdf or .html")],
    lang: LangOption = Lang.ZH,
    unit: Unit = None,
) -> None:
    """Render a notice for delivery, as PDF (by the file's name) or HTML, with a fresh
    activation code while the subject has no account."""
    ctx = context()
    principal = acting(ctx, unit)
    # Printing mints a fresh code and voids the last print's: nothing is minted unless
    # the file can be written (and, for a PDF, rendered).
    if out.suffix.lower() not in (".pdf", ".html", ".htm"):
        fail("file.bad_extension", f"{out}: name the file .pdf or .html", 2)
    pdf = out.suffix.lower() == ".pdf"
    if pdf and not font_available(ctx.report_font_file):
        fail("report.font_missing", font_missing_message(ctx.report_font_file), 8)
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir() or not os.access(folder, os.W_OK) or out.is_dir():
        fail("file.unwritable", f"cannot write {out}: no such writable folder or file", 2)
    notice = run(lambda: notices.printable(ctx, principal, notice_id, lang))
    try:
        if out.suffix.lower() == ".pdf":
            try:
                write_private(out, render_notice_pdf(notice, ctx.report_font_file))
            except FontMissing as exc:
                fail("report.font_missing", str(exc), 8)
        else:
            write_private(out, render_notice_html(notice))
    except OSError as exc:
        fail("file.unwritable", f"cannot write {out}: {exc.strerror}", 2)
    code = f", activation code {notice.code}" if notice.code else ""
    typer.echo(f"notice {notice_id} written to {out}{code}")


def _day(raw: str, code: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        fail(code, f"{raw!r} is not a date (YYYY-MM-DD)", 2)
        raise AssertionError("unreachable") from None


@accounts_app.command("delivered")
def delivered(
    notice_id: Annotated[int, typer.Argument(min=1)],
    on: Annotated[str, typer.Option("--on", help="the delivery date, YYYY-MM-DD")],
    unit: Unit = None,
) -> None:
    """Record the date a printed notice was delivered to the subject."""
    ctx = context()
    day = _day(on, "subject_notice.bad_delivery_date")
    notice = run(lambda: notices.record_delivery(ctx, acting(ctx, unit), notice_id, day))
    typer.echo(_said(notice))
