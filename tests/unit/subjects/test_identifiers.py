"""Identifier validation and normalisation (SUB-1, SUB-2, SUB-3)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import lei as stdnum_lei
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from creditreg.demo.dataset import demo_ric
from creditreg.domain.errors import InvalidInput
from creditreg.domain.kernel.codes import (
    USCC_ALPHABET,
    normalise_code,
    uscc_check_character,
    validate_uscc,
)
from creditreg.domain.subjects.identifiers import (
    Identifier,
    IdType,
    SubjectKind,
    check_kind_and_identifier,
    parse_identifier,
    parse_subject_kind,
    validate_lei,
    validate_ric,
)

REAL_USCC = "91110000600037341L"
REAL_RIC = "11010519491231002X"
REAL_LEI = "5493001KJTIIGC8Y1R12"

uscc_bodies = st.tuples(
    st.text(USCC_ALPHABET, min_size=2, max_size=2),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
).map("".join)


def ric(body17: str) -> str:
    return body17 + stdnum_ric.calc_check_digit(body17 + "0")


def test_subject_kinds_are_the_three_of_art_3__SUB_1() -> None:
    assert {k.value for k in SubjectKind} == {
        "natural_person",
        "legal_person",
        "unincorporated_org",
    }
    with pytest.raises(InvalidInput) as err:
        parse_subject_kind("company")
    assert err.value.code == "subject.unknown_kind"


def test_real_uscc_is_valid__SUB_2() -> None:
    assert validate_uscc(REAL_USCC) == REAL_USCC


@pytest.mark.parametrize("first", ["A", "N", "Y"])
def test_uscc_with_letter_registration_department_is_accepted__SUB_2(first: str) -> None:
    body = first + "1410100MA0000001"
    code = body + uscc_check_character(body)
    assert validate_uscc(code) == code
    # stdnum rejects these valid codes; the platform must not.
    assert not stdnum_uscc.is_valid(code)


@given(uscc_bodies.filter(lambda b: b[:2].isdigit()))
def test_uscc_check_agrees_with_stdnum_on_digit_codes__SUB_2(body: str) -> None:
    code = body + uscc_check_character(body)
    assert stdnum_uscc.is_valid(code)
    assert validate_uscc(code) == code


@given(uscc_bodies, st.sampled_from(USCC_ALPHABET))
def test_any_other_check_character_is_rejected__SUB_2(body: str, wrong: str) -> None:
    right = uscc_check_character(body)
    if wrong == right:
        return
    with pytest.raises(InvalidInput) as err:
        validate_uscc(body + wrong)
    assert err.value.code == "subject.invalid_uscc"
    assert "check character" in err.value.message


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("91110000600037341", "18 characters"),
        ("91110000600037341LL", "18 characters"),
        ("9111000060003734IL", "GB 32100"),  # I is not in the alphabet
        ("91AB0000600037341L", "GB 32100"),  # the division code is digits
        ("91110000600037341X", "expected 'L'"),
    ],
)
def test_bad_uscc_gets_a_clear_error__SUB_2(raw: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as err:
        validate_uscc(raw)
    assert err.value.code == "subject.invalid_uscc"
    assert fragment in err.value.message


@pytest.mark.parametrize(
    "raw",
    [" 91110000600037341l ", "９１１１００００６０００３７３４１Ｌ", "9111 0000 6000 3734 1L"],
)
def test_uscc_is_normalised_before_validation__SUB_2(raw: str) -> None:
    assert validate_uscc(raw) == REAL_USCC


def test_ric_valid_lower_x_and_full_width__SUB_2() -> None:
    assert validate_ric(REAL_RIC.lower()) == REAL_RIC
    assert validate_ric("１１０１０５１９４９１２３１００２Ｘ") == REAL_RIC


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("11010519491231002", "17 digits"),
        ("110105194912310021", "check character"),
        (ric("11010519991332002"), "birth date"),
    ],
)
def test_bad_ric_gets_a_clear_error__SUB_2(raw: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as err:
        validate_ric(raw)
    assert err.value.code == "subject.invalid_ric"
    assert fragment in err.value.message


@given(st.dates(min_value=date(1900, 1, 1)), st.integers(0, 999))
def test_any_ric_with_real_birth_date_and_check_is_valid__SUB_2(born: date, seq: int) -> None:
    code = ric(f"410105{born:%Y%m%d}{seq:03d}")
    assert validate_ric(code) == code


def test_lei_checks_length_which_stdnum_does_not__SUB_3() -> None:
    assert validate_lei(REAL_LEI) == REAL_LEI
    padded = "00" + REAL_LEI  # passes MOD 97-10, but is 22 characters
    assert stdnum_lei.is_valid(padded)
    with pytest.raises(InvalidInput) as err:
        validate_lei(padded)
    assert err.value.code == "subject.invalid_lei"
    with pytest.raises(InvalidInput):
        validate_lei(REAL_LEI[:-1] + "3")


def test_residence_permits_use_gb11643_with_their_prefix__SUB_2() -> None:
    hk = ric("81000019900101123")
    tw = ric("83000019900101123")
    assert parse_identifier(IdType.HK_MACAO_PERMIT, hk).number == hk
    assert parse_identifier(IdType.TAIWAN_PERMIT, tw).number == tw
    with pytest.raises(InvalidInput) as err:
        parse_identifier(IdType.TAIWAN_PERMIT, hk)
    assert "830000" in err.value.message


def test_passport_and_other_documents_by_shape__SUB_2() -> None:
    assert parse_identifier(IdType.PASSPORT, " e1234 5678 ").number == "E12345678"
    with pytest.raises(InvalidInput) as err:
        parse_identifier(IdType.PASSPORT, "E1")
    assert err.value.code == "subject.invalid_document"


def test_organizations_match_by_uscc_and_persons_never__SUB_2() -> None:
    check_kind_and_identifier(SubjectKind.LEGAL_PERSON, Identifier(IdType.USCC, REAL_USCC))
    with pytest.raises(InvalidInput) as err:
        check_kind_and_identifier(SubjectKind.LEGAL_PERSON, Identifier(IdType.RIC, REAL_RIC))
    assert err.value.code == "subject.identifier_kind_mismatch"
    with pytest.raises(InvalidInput):
        check_kind_and_identifier(SubjectKind.NATURAL_PERSON, Identifier(IdType.USCC, REAL_USCC))


def test_personal_numbers_are_masked_for_display() -> None:
    masked = Identifier(IdType.RIC, REAL_RIC).masked()
    assert masked == "1101************2X"
    assert REAL_RIC not in masked
    assert Identifier(IdType.USCC, REAL_USCC).masked() == REAL_USCC


@given(st.text(max_size=30))
def test_normalise_never_crashes_and_is_idempotent(raw: str) -> None:
    once = normalise_code(raw)
    assert normalise_code(once) == once


def test_a_refused_personal_number_is_not_repeated_nor_completed__DIS_3() -> None:
    """An error about a resident ID or another personal document neither repeats the
    number nor says which check character would be right (an unauthenticated caller
    could otherwise complete or confirm someone's number)."""
    wrong = REAL_RIC[:17] + ("0" if REAL_RIC[17] != "0" else "1")
    for id_type, number in (
        (IdType.RIC, wrong),
        (IdType.RIC, REAL_RIC[:16]),
        (IdType.RIC, REAL_RIC[:6] + "19991399" + REAL_RIC[14:]),
        (IdType.PASSPORT, "E1234567?"),
        (IdType.HK_MACAO_PERMIT, wrong),
    ):
        with pytest.raises(InvalidInput) as refused:
            parse_identifier(id_type, number)
        message = str(refused.value)
        assert number not in message and number[:10] not in message, message
        assert "expected" not in message and REAL_RIC[17] not in message.split()[-1]


def test_a_resident_id_names_a_province__SUB_2() -> None:
    """A number with region 000000 and a valid check character was accepted (a tryout's
    finding); a province-level code, a residence permit's 81-83 or a foreigner's 9 then a
    province are numbers that can be issued."""
    for body in ("41010519900101123", "81000019900101123", "91100019900101123"):
        assert validate_ric(demo_ric(body)) == demo_ric(body)
    for body in ("00000019900101123", "99000019900101123", "72010519900101123"):
        with pytest.raises(InvalidInput) as refused:
            validate_ric(demo_ric(body))
        assert refused.value.code == "subject.invalid_ric" and "province" in refused.value.message
