"""Subject accounts and the binding step (issue 10, part 1; Art 40).

A person gets an account bound to a credit subject only by presenting an activation code
that the platform issued for that subject: printed on a written notice (Art 28) or given
by an operator after checking an identity document. The rules here are pure: what a code
looks like, who may hold an account for which kind of subject, what evidence a binding
needs, and how a seen document number is kept (masked, never in clear).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from creditreg.domain.errors import InvalidInput

# Crockford's base32: no I, L, O or U, so a code read aloud or retyped is not misread.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 16 symbols x 5 bits = 80 bits; the 12 after the prefix carry 60
PREFIX_LENGTH = 4  # shown in lists and used to throttle guesses at one code
CODE_BITS = CODE_LENGTH * 5
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


class HolderRole(StrEnum):
    """Who holds the account: the natural person itself, or for an organization its legal
    representative or an agent it authorized in writing."""

    SELF = "self"
    LEGAL_REPRESENTATIVE = "legal_representative"
    AGENT = "agent"


class BindingMethod(StrEnum):
    """How the code reached the holder."""

    NOTICE = "notice"  # printed on a written notice (Art 28)
    OPERATOR = "operator"  # handed over by an operator after an identity check


class DocumentType(StrEnum):
    """Identity documents an operator may check."""

    RESIDENT_IDENTITY_CARD = "resident_identity_card"
    PASSPORT = "passport"
    HK_MACAO_PERMIT = "hk_macao_permit"
    TAIWAN_PERMIT = "taiwan_permit"
    FOREIGN_PERMANENT_RESIDENCE = "foreign_permanent_residence"
    OTHER = "other"


def format_code(symbols: str) -> str:
    """A code as printed: four groups of four, e.g. `7K2M-QX4R-...`."""
    return "-".join(symbols[i : i + 4] for i in range(0, len(symbols), 4))


def code_from_random(randbelow: list[int]) -> str:
    """The printed code for CODE_LENGTH random indices into the alphabet (from `secrets`)."""
    if len(randbelow) != CODE_LENGTH or any(not 0 <= i < 32 for i in randbelow):
        raise ValueError("a code needs CODE_LENGTH indices in 0..31")
    return format_code("".join(CODE_ALPHABET[i] for i in randbelow))


def normalize_code(raw: str) -> str | None:
    """The code's symbols as typed (any case, spaces or dashes, O for 0, I or L for 1), or
    None when it cannot be a code at all."""
    symbols = re.sub(r"[\s\-]", "", raw).upper().translate(_READ_AS)
    if len(symbols) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in symbols):
        return None
    return symbols


def code_prefix(raw: str) -> str:
    """The first symbols of what was typed, normalized: the throttle's key for one code."""
    symbols = re.sub(r"[\s\-]", "", raw).upper().translate(_READ_AS)
    return symbols[:PREFIX_LENGTH] or "-"


def expires_at(issued: datetime, days: int) -> datetime:
    """A code is valid for `days` days from its issue (CREDITREG_ACTIVATION_DAYS)."""
    return issued + timedelta(days=days)


def check_holder(role: HolderRole, natural_person: bool) -> None:
    """A natural person holds its own account; an organization's is held by its legal
    representative or an authorized agent."""
    if natural_person and role is not HolderRole.SELF:
        raise InvalidInput(
            "account.holder_mismatch", "a natural person's account is held by the person"
        )
    if not natural_person and role is HolderRole.SELF:
        raise InvalidInput(
            "account.holder_mismatch",
            "an organization's account is held by its legal representative or an agent",
        )


def mask_document(number: str) -> str:
    """A seen document number as kept: first 2 and last 2 symbols, the rest starred.
    The number itself is never stored, logged or audited."""
    clean = number.strip().upper()
    if len(clean) < 6 or len(clean) > 40 or not clean.isalnum():
        raise InvalidInput(
            "account.invalid_document", "a document number is 6 to 40 letters or digits"
        )
    return clean[:2] + "*" * (len(clean) - 4) + clean[-2:]


def _text(value: str, what: str, code: str, limit: int = 200) -> str:
    clean = " ".join(value.split())
    if not clean or len(clean) > limit:
        raise InvalidInput(code, f"{what} is 1 to {limit} characters")
    return clean


@dataclass(frozen=True, slots=True)
class IdentityCheck:
    """An operator's identity check (issue 10): what was seen, who checked, when. An
    agent's binding also records the organization's authorization letter."""

    holder_role: HolderRole
    holder_name: str
    document_type: DocumentType
    document_masked: str
    checked_by: str
    checked_on: date
    authorization_letter: str | None = None

    @classmethod
    def of(
        cls,
        *,
        holder_role: HolderRole,
        holder_name: str,
        document_type: DocumentType,
        document_number: str,
        checked_by: str,
        checked_on: date,
        today: date,
        authorization_letter: str | None = None,
    ) -> IdentityCheck:
        """Validate an identity check as typed by the operator."""
        if checked_on > today:
            raise InvalidInput(
                "account.check_in_future", f"an identity check cannot be dated {checked_on}"
            )
        letter = (authorization_letter or "").strip() or None
        if holder_role is HolderRole.AGENT and letter is None:
            raise InvalidInput(
                "account.letter_required",
                "an agent is bound only with the organization's authorization letter "
                "(its reference)",
            )
        return cls(
            holder_role=holder_role,
            holder_name=_text(holder_name, "the holder's name", "account.invalid_holder"),
            document_type=document_type,
            document_masked=mask_document(document_number),
            checked_by=_text(checked_by, "who checked", "account.invalid_checker"),
            checked_on=checked_on,
            authorization_letter=(
                _text(letter, "the authorization letter", "account.invalid_letter")
                if letter
                else None
            ),
        )


_USERNAME = re.compile(r"[a-z0-9][a-z0-9._\-]{2,79}")


def validate_username(raw: str) -> str:
    """A login name of 3-80 letters, digits, '.', '_' or '-' (kept lower case)."""
    login = raw.strip().lower()
    if not _USERNAME.fullmatch(login):
        raise InvalidInput(
            "account.invalid_username",
            "a username is 3-80 letters, digits, '.', '_' or '-', starting with a letter or digit",
        )
    return login


def validate_password(password: str) -> str:
    """At least 12 characters, as for the users of units."""
    if len(password) < 12:
        raise InvalidInput("account.weak_password", "a password has at least 12 characters")
    return password
