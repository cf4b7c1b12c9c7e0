"""Rights: subject accounts, activation codes and the subjects' notices (issue 10, part 1)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from creditreg.api.schemas.common import In, Out, Timestamp
from creditreg.api.schemas.records import FieldValue
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.rights.accounts import BindingMethod, DocumentType, HolderRole
from creditreg.domain.subjects.identifiers import IdType, SubjectKind


class CodeIn(In):
    """An operator's identity check, for a code that binds an account to a subject."""

    subject_id: int = Field(ge=1, description="the subject the account will be bound to")
    holder_role: HolderRole = Field(
        description="`self` for a natural person; `legal_representative` or `agent` for an "
        "organization"
    )
    holder_name: str = Field(min_length=1, max_length=200, description="the holder's name")
    document_type: DocumentType = Field(description="the identity document seen")
    document_number: str = Field(
        min_length=1,
        max_length=60,
        description="its number: checked, then kept only masked (never stored in clear)",
    )
    checked_by: str = Field(min_length=1, max_length=200, description="who checked it")
    checked_on: date | None = Field(default=None, description="when (default: today)")
    authorization_letter: str | None = Field(
        default=None,
        max_length=200,
        description="an agent's written authorization by the organization (its reference); "
        "required for `agent`",
    )


class IssuedCode(Out):
    """An activation code: `code` is shown this once; only its SHA-256 is kept."""

    id: int
    code: str = Field(description="16 symbols in four groups (80 random bits), single use")
    prefix: str = Field(description="its first 4 symbols, which name it in lists")
    subject_id: int
    method: BindingMethod
    expires_at: Timestamp = Field(description="CREDITREG_ACTIVATION_DAYS after issue")


class ActivationIn(In):
    """The binding step: the code, the subject's identifier, and the new credentials."""

    code: str = Field(min_length=1, max_length=40, description="as printed; dashes optional")
    id_type: IdType = Field(description="the subject's matching identifier type")
    id_number: str = Field(min_length=1, max_length=40)
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200, description="at least 12 characters")
    holder_name: str | None = Field(
        default=None, max_length=200, description="who opens the account (a notice's code)"
    )


class Binding(Out):
    """How an account was bound to its subject, with the evidence recorded."""

    account_id: int
    username: str
    active: bool
    method: BindingMethod
    holder_role: HolderRole
    holder_name: str | None
    document_type: DocumentType | None
    document_masked: str | None = Field(description="the document number seen, masked")
    authorization_letter: str | None
    checked_by: str | None
    checked_on: date | None
    bound_at: Timestamp


class Account(Out):
    """A subject account and its binding."""

    id: int
    subject_id: int
    username: str
    binding: Binding


class SubjectLoginIn(In):
    """A subject account's username and password."""

    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


class SubjectSession(Out):
    """A subject's session token: `Authorization: Bearer <token>` until it expires."""

    token: str
    expires_at: Timestamp = Field(description="CREDITREG_SUBJECT_SESSION_HOURS after login")
    account_id: int
    subject_id: int
    username: str
    permissions: list[Permission] = Field(description="`rights:self`: its own subject only")


class MySubject(Out):
    """The account's subject and every account bound to it."""

    account: str = Field(description="the account as the audit log names it")
    subject_id: int
    kind: SubjectKind
    name: str
    id_type: IdType
    id_number: str = Field(description="the subject's own identifier, in full")
    bindings: list[Binding]


class SubjectNotice(Out):
    """A written notice or outcome in a subject's inbox, in the language asked for."""

    id: int
    subject_id: int
    kind: str = Field(description="`written_notice`, `warning`, `outcome` ...")
    lang: str = Field(description="`zh` (default) or `en`")
    title: str
    lines: list[list[str]] = Field(description="[label, text] pairs, in order")
    issued_on: date
    read_at: Timestamp | None
    delivered_on: date | None = Field(description="when the printed notice was delivered")
    about_type: str = Field(description="what the notice is about: `list_entry`, `objection` ...")
    about_id: str = Field(description="its id (a list entry's, an objection's ...)")


class DeliveryIn(In):
    """The date the printed notice was delivered to the subject."""

    delivered_on: date


# --- authorizations (issue 10, part 3; DIS-6, Art 22) -----------------------------------


class AuthorizationIn(In):
    """A written authorization of an inquiry by a named unit, for a purpose and a period."""

    unit_id: int = Field(ge=1, le=2**63 - 1, description="the unit authorized to inquire")
    purpose: str = Field(min_length=1, max_length=200, description="e.g. `贷款审批`")
    valid_from: date | None = Field(default=None, description="default: today")
    valid_until: date = Field(description="the last day it authorizes (at most 5 years on)")
    document_ref: str = Field(
        min_length=1, max_length=200, description="the written authorization's reference"
    )


class AuthorizationUse(Out):
    """One inquiry the authorization allowed."""

    unit_id: int
    actor: str = Field(description="who inquired (the unit's user or token)")
    what: str = Field(description="`records:authorized_inquiry`")
    items: int = Field(description="records released")
    used_at: Timestamp


class Authorization(Out):
    """A subject's written authorization and every use of it."""

    id: int
    subject_id: int
    unit_id: int
    purpose: str
    valid_from: date
    valid_until: date
    document_ref: str
    status: str = Field(description="`granted` or `revoked`")
    in_force: bool = Field(description="granted, and today within its period")
    granted_by: str
    granted_at: Timestamp
    revoked_at: Timestamp | None
    uses: list[AuthorizationUse]


class InquiryIn(In):
    """The purpose of an authorized inquiry: it must be the authorization's."""

    purpose: str = Field(min_length=1, max_length=200)


class AuthorizedRecord(Out):
    """A live record of the authorized-inquiry mode, as released to the authorized unit."""

    id: int
    status: str
    catalog: str
    version: int
    catalog_name: str
    providing_unit_id: int
    decision_date: date | None
    display_until: date | None
    data: dict[str, FieldValue] = Field(
        description="the record's fields, converted by its template (decimals and dates as "
        "exact text)"
    )


class AuthorizedInquiry(Out):
    """What an authorized inquiry released, and under which authorization."""

    subject_id: int
    authorization_id: int
    purpose: str
    valid_until: date
    records: list[AuthorizedRecord]


# --- record restoration (issue 10, part 7; RST-7, Art 43) -------------------------------


class RecordRestorationIn(In):
    """An application to restore one untrustworthy record after correcting the conduct."""

    record_id: int = Field(ge=1, le=2**63 - 1)
    decider: Literal["platform", "provider"] = Field(
        description="apply to the platform or to the record's providing unit (Art 43)"
    )
    statement: str = Field(
        min_length=1, max_length=4000, description="how the conduct was corrected"
    )


class RecordRestorationDecisionIn(In):
    """The decider's grant or refusal (a refusal says why)."""

    outcome: Literal["grant", "refuse"]
    reasons: str = Field(default="", max_length=4000)


class RecordRestoration(Out):
    """An application to restore a record, with its deadline (1 working day) and decision."""

    id: int
    record_id: int
    subject_id: int
    decider: Literal["platform", "provider"]
    statement: str
    status: Literal["applied", "granted", "refused"]
    applied_by: str
    applied_at: Timestamp
    due_date: date = Field(description="Art 43: decided within 1 working day")
    decided_by: str | None
    decided_at: Timestamp | None
    reasons: str | None
