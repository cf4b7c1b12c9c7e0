"""Credit subjects and their identifiers (SUB-1..4; Art 3, Art 16, Op(9)).

Every identifier is normalised (trimmed, full-width to half-width, upper-cased, inner
white space removed) before it is validated, so that the same code typed in two ways
matches the same subject.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from stdnum import lei as stdnum_lei
from stdnum.cn import ric as stdnum_ric
from stdnum.exceptions import ValidationError as StdnumError

from creditreg.domain.errors import InvalidInput, parse_enum
from creditreg.domain.kernel.codes import normalise_code, validate_uscc
from creditreg.domain.privacy import mask_personal_number


class SubjectKind(StrEnum):
    """Art 3: the three kinds of credit subject."""

    NATURAL_PERSON = "natural_person"
    LEGAL_PERSON = "legal_person"
    UNINCORPORATED_ORG = "unincorporated_org"


class IdType(StrEnum):
    """Matching identifiers (Art 16; Op(9))."""

    USCC = "uscc"
    RIC = "ric"
    PASSPORT = "passport"
    HK_MACAO_PERMIT = "hk_macao_permit"
    TAIWAN_PERMIT = "taiwan_permit"
    FOREIGN_PERMANENT_RESIDENCE = "foreign_permanent_residence"
    OTHER = "other"


class LinkRole(StrEnum):
    """Art 35: persons an organization's serious untrustworthy conduct names."""

    LEGAL_REPRESENTATIVE = "legal_representative"
    PRINCIPAL = "principal"
    ACTUAL_CONTROLLER = "actual_controller"
    DIRECTLY_RESPONSIBLE = "directly_responsible"


# Art 16: organizations match by USCC alone; natural persons by RIC, else another document.
ALLOWED_ID_TYPES: dict[SubjectKind, frozenset[IdType]] = {
    SubjectKind.LEGAL_PERSON: frozenset({IdType.USCC}),
    SubjectKind.UNINCORPORATED_ORG: frozenset({IdType.USCC}),
    SubjectKind.NATURAL_PERSON: frozenset(set(IdType) - {IdType.USCC}),
}

_RIC_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_LEI_SHAPE = re.compile(r"[0-9A-Z]{18}[0-9]{2}")
_DOCUMENT_SHAPE = re.compile(r"[0-9A-Z]{5,20}")
_OTHER_SHAPE = re.compile(r"[0-9A-Z()\-/]{1,40}")
# Residence permits for Hong Kong / Macao (810000, 820000) and Taiwan (830000) residents
# use the 18-character GB 11643 layout.
_PERMIT_PREFIX = {IdType.HK_MACAO_PERMIT: ("81", "82"), IdType.TAIWAN_PERMIT: ("83",)}


def _validate_gb11643(code: str, error_code: str, label: str) -> str:
    # A personal number: the message neither repeats it nor says which check character
    # would be right (DIS-3; an error must not help complete someone's number).
    if len(code) != 18 or not _RIC_SHAPE.fullmatch(code):
        raise InvalidInput(
            error_code,
            f"a {label} has 17 digits and a check digit or X ({len(code)} characters given)",
        )
    if code[17] != stdnum_ric.calc_check_digit(code):
        raise InvalidInput(error_code, f"this {label} has a wrong check character")
    try:
        stdnum_ric.get_birth_date(code)
    except StdnumError:
        raise InvalidInput(error_code, f"this {label} holds no valid birth date") from None
    return code


# GB/T 2260's province-level codes, and 81-83 (residence permits: Hong Kong, Macao, Taiwan).
_PROVINCES = frozenset(
    str(code)
    for first, last in ((11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65), (71, 71))
    for code in range(first, last + 1)
) | {"81", "82", "83"}


def validate_ric(raw: str, today: date | None = None) -> str:
    """Return the normalised resident ID number (GB 11643) or raise `subject.invalid_ric`.

    The region code is not checked against a list: numbers issued under division codes
    since abolished stay valid for life. Its first two digits are: a province-level code
    (GB/T 2260; 81-83 for residence permits of Hong Kong, Macao and Taiwan residents), or 9
    then a province code on a foreigner's permanent residence ID card of the 2023 format.
    """
    code = _validate_gb11643(normalise_code(raw), "subject.invalid_ric", "resident ID number")
    if code[:2] not in _PROVINCES and not (code[0] == "9" and code[1:3] in _PROVINCES):
        raise InvalidInput(
            "subject.invalid_ric", "this resident ID number names no province (its region code)"
        )
    if today is not None and stdnum_ric.get_birth_date(code) > today:
        raise InvalidInput(
            "subject.invalid_ric", "this resident ID number's birth date is in the future"
        )
    return code


def validate_lei(raw: str) -> str:
    """Return the normalised LEI (ISO 17442) or raise `subject.invalid_lei`.

    stdnum.lei checks only the MOD 97-10 digits, not the length, so the shape is checked here.
    """
    code = normalise_code(raw)
    if not _LEI_SHAPE.fullmatch(code):
        raise InvalidInput(
            "subject.invalid_lei",
            f"an LEI is 18 letters or digits and 2 check digits (20 in all): {code!r}",
        )
    if not stdnum_lei.is_valid(code):
        raise InvalidInput("subject.invalid_lei", f"LEI {code!r} fails its ISO 7064 check")
    return code


@dataclass(frozen=True, slots=True)
class Identifier:
    """A validated matching identifier: one subject per (type, number)."""

    type: IdType
    number: str

    def masked(self) -> str:
        """The number as it may be shown to someone not entitled to it (Op(11))."""
        if self.type is IdType.USCC:
            return self.number  # an organization's code is public registration information
        return mask_personal_number(self.number)


def parse_id_type(raw: str) -> IdType:
    """The identifier type named by `raw`, or `subject.unknown_id_type`."""
    return parse_enum(IdType, raw, "subject.unknown_id_type")


def parse_subject_kind(raw: str) -> SubjectKind:
    """The subject kind named by `raw`, or `subject.unknown_kind`."""
    return parse_enum(SubjectKind, raw, "subject.unknown_kind")


def parse_identifier(id_type: IdType, raw: str, today: date | None = None) -> Identifier:
    """Validate `raw` as an identifier of `id_type` and return it normalised."""
    if id_type is IdType.USCC:
        return Identifier(id_type, validate_uscc(raw))
    if id_type is IdType.RIC:
        return Identifier(id_type, validate_ric(raw, today))
    code = normalise_code(raw)
    if id_type in _PERMIT_PREFIX:
        label = id_type.value.replace("_", " ")
        code = _validate_gb11643(code, "subject.invalid_document", label)
        if not code.startswith(_PERMIT_PREFIX[id_type]):
            prefixes = " or ".join(p + "0000" for p in _PERMIT_PREFIX[id_type])
            raise InvalidInput(
                "subject.invalid_document", f"a {label} number starts with {prefixes}"
            )
        return Identifier(id_type, code)
    shape = _OTHER_SHAPE if id_type is IdType.OTHER else _DOCUMENT_SHAPE
    if not shape.fullmatch(code):
        raise InvalidInput(
            "subject.invalid_document",
            f"not a valid {id_type.value.replace('_', ' ')} number (letters and digits, "
            f"{'1-40' if id_type is IdType.OTHER else '5-20'} characters)",
        )
    return Identifier(id_type, code)


def check_kind_and_identifier(kind: SubjectKind, identifier: Identifier) -> None:
    """Art 16: legal persons and organizations match by USCC; natural persons never do."""
    if identifier.type not in ALLOWED_ID_TYPES[kind]:
        allowed = ", ".join(sorted(t.value for t in ALLOWED_ID_TYPES[kind]))
        raise InvalidInput(
            "subject.identifier_kind_mismatch",
            f"a {kind.value} is identified by {allowed}, not {identifier.type.value} (Art 16)",
        )


def check_link(
    organization_kind: SubjectKind,
    person_kind: SubjectKind,
    valid_from: date,
    valid_to: date | None,
) -> None:
    """SUB-4: only an organization links persons, only natural persons are linked."""
    if organization_kind is SubjectKind.NATURAL_PERSON:
        raise InvalidInput(
            "subject.link_not_organization", "only a legal person or organization links persons"
        )
    if person_kind is not SubjectKind.NATURAL_PERSON:
        raise InvalidInput("subject.link_not_person", "a linked person must be a natural person")
    if valid_to is not None and valid_to < valid_from:
        raise InvalidInput("subject.link_bad_period", "a link cannot end before it starts")
