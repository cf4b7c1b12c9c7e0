"""DIS-3, Op(11): personal numbers inside published free text are masked, whatever digits
they are written in; an organization's USCC, which is public, is left as it is."""

from __future__ import annotations

from creditreg.domain.privacy import mask_identifiers_in_text

RIC = "110105194910010027"  # a resident ID with a valid GB 11643 check character
WIDE = {ord(c): ord(c) + 0xFEE0 for c in "0123456789Xx"}  # full-width, as IMEs type them


def test_ascii_numbers_are_masked__DIS_3() -> None:
    text = f"身份证号{RIC}，电话13812345678，旧证410105900101007。"
    assert mask_identifiers_in_text(text) == (
        "身份证号1101************27，电话13*******78，旧证4101*********07。"
    )


def test_full_width_and_other_scripts_digits_are_masked_too__DIS_3() -> None:
    text = f"身份证号{RIC.translate(WIDE)}，电话{'13812345678'.translate(WIDE)}。"
    assert mask_identifiers_in_text(text) == "身份证号1101************27，电话13*******78。"
    # Mixed: half the digits full-width, an X check character full-width.
    mixed = "11010519" + "491001002".translate(WIDE) + "Ｘ"
    assert "*" in mask_identifiers_in_text(f"证件{mixed}")
    arabic_indic = "١٣٨١٢٣٤٥٦٧٨"  # 13812345678 in Arabic-Indic digits
    assert mask_identifiers_in_text(f"tel {arabic_indic}") == "tel 13*******78"


def test_what_is_not_personal_is_left_as_written__DIS_3() -> None:
    uscc = "91350100M000100Y43"
    for text in (
        f"企业{uscc}",
        f"企业{uscc.translate(WIDE)}",
        "罚款５０００元，编号２０２６０３０１",
        "no digits at all",
        "连续三年守信",
    ):
        assert mask_identifiers_in_text(text) == text
    # A number inside a longer run of letters and digits is not an identifier.
    assert mask_identifiers_in_text(f"Ａ{RIC.translate(WIDE)}") == f"Ａ{RIC.translate(WIDE)}"
