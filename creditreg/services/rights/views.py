"""What the rights services return (issue 10, part 1): typed views the API declares."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict


class IssuedCodeView(TypedDict):
    """An activation code as issued: `code` is shown this once and never again."""

    id: int
    code: str
    prefix: str
    subject_id: int
    method: str
    expires_at: str


class BindingView(TypedDict):
    """How an account was bound to its subject, with the evidence recorded."""

    account_id: int
    username: str
    active: bool
    method: str
    holder_role: str
    holder_name: str | None
    document_type: str | None
    document_masked: str | None
    authorization_letter: str | None
    checked_by: str | None
    checked_on: str | None
    bound_at: str


class AccountView(TypedDict):
    """A subject account and its binding."""

    id: int
    subject_id: int
    username: str
    binding: BindingView


class MySubjectView(TypedDict):
    """What a subject account sees of itself: its subject and every binding of it."""

    account: str
    subject_id: int
    kind: str
    name: str
    id_type: str
    id_number: str
    bindings: list[BindingView]


class SubjectNoticeView(TypedDict):
    """A notice in a subject's inbox, in the language asked for."""

    id: int
    subject_id: int
    kind: str
    lang: str
    title: str
    lines: list[list[str]]
    issued_on: str
    read_at: str | None
    delivered_on: str | None
    about_type: str
    about_id: str


@dataclass(frozen=True)
class PrintableNotice:
    """Everything a printed notice shows: the HTML template and the PDF renderer take
    exactly this (the seam between the rights service and the renderings)."""

    notice_id: int
    lang: str
    title: str
    lines: list[tuple[str, str]]
    issued_on: str
    subject_name: str
    subject_identifier: str
    unit_name: str | None
    code: str | None
    code_expires_on: str | None
    activation_text: str | None
    delivered_on: str | None
    extra: dict[str, str] = field(default_factory=dict)
    # A preview of a notice whose print for delivery carries an activation code.
    preview: bool = False


class AuthorizationUseView(TypedDict):
    """One inquiry an authorization allowed (issue 10, part 3)."""

    unit_id: int
    actor: str
    what: str
    items: int
    used_at: str


class AuthorizationView(TypedDict):
    """A written authorization of authorized inquiry, with every use (DIS-6)."""

    id: int
    subject_id: int
    unit_id: int
    purpose: str
    valid_from: str
    valid_until: str
    document_ref: str
    status: str
    in_force: bool
    granted_by: str
    granted_at: str
    revoked_at: str | None
    uses: list[AuthorizationUseView]


class AuthorizedInquiryView(TypedDict):
    """What an authorized inquiry released: the subject's live authorized-inquiry records."""

    subject_id: int
    authorization_id: int
    purpose: str
    valid_until: str
    records: list[dict[str, object]]


class RecordRestorationView(TypedDict):
    """An application to restore a record (RST-7, Art 43), with its deadline and decision."""

    id: int
    record_id: int
    subject_id: int
    decider: str
    statement: str
    status: str
    applied_by: str
    applied_at: str
    due_date: str
    decided_by: str | None
    decided_at: str | None
    reasons: str | None
