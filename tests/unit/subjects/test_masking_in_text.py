"""DIS-3, Op(11): personal numbers inside published free text are masked, whatever digits
they are written in; an organization's USCC, which is public, is left as it is."""

from __future__ import annotations

from creditreg.domain.privacy import mask_identifiers_in_text, mask_known

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
    # A longer run of digits is not an identifier; named as an account or a card, it is a
    # person's or a company's own (Op(11): privacy and commercial secrets): all but its
    # last four digits are masked.
    assert mask_identifiers_in_text(f"编号1{RIC}") == f"编号1{RIC}"
    assert mask_identifiers_in_text(f"账号1{RIC}") == "账号" + "*" * 15 + RIC[-4:]
    assert mask_identifiers_in_text("卡号6222 0212 3456 7890 123") == "卡号**** **** **** ***0 123"
    # Dates, times and amounts stay.
    text = "2026-03-01 12:00:00 罚款 1 234 567 元，〔2026〕123号"
    assert mask_identifiers_in_text(text) == text


def test_numbers_in_groups_after_letters_or_with_a_country_code_are_masked__DIS_3() -> None:
    text = (
        "110105 19491001 0027；110105-19491001-0027；ID110105194910010027；"
        "手机+8613900139000；+86 139 0013 9000；138 0013 8000；138-0013-8000；"
        "旧证410105 900101 007；身份证　110105　19491001　0027"  # ideographic spaces
    )
    masked = mask_identifiers_in_text(text)
    assert masked == (
        "1101************27；1101************27；ID1101************27；"
        "手机+8613*******00；+86 13*******00；13*******00；13*******00；"
        "旧证4101*********07；身份证　1101************27"
    )


def test_a_number_is_sought_as_whole_groups_so_nothing_beside_it_leaks_in__DIS_3() -> None:
    """A date or a number written before a grouped ID number is neither masked nor taken
    for part of it, so no digit of the ID is left out of the mask; amounts and dates in
    groups are left alone."""
    assert mask_identifiers_in_text("于2024-01-15 110105 19491001 0023") == (
        "于2024-01-15 1101************23"
    )
    assert mask_identifiers_in_text("No. 1949 110105 19491001 0023") == (
        "No. 1949 1101************23"
    )
    for text in ("金额 13 500 000 000 元", "2021-01-01 2021-01-02 2021-01-03", "IP 10.0.0.1"):
        assert mask_identifiers_in_text(text) == text
    # Dots, dashes, tabs and doubled spaces between groups.
    assert mask_identifiers_in_text("138.0013.8000；110105\u201319491001\u20130027") == (
        "13*******00；1101************27"
    )
    assert mask_identifiers_in_text("tel 138  0013  8000\t110105\t19491001\t0027") == (
        "tel 13*******00\t1101************27"
    )


def test_a_birth_date_inside_is_personal_even_if_it_reads_as_a_uscc__DIS_3() -> None:
    """410105198001010818 has a wrong GB 11643 check character but passes the USCC
    check; with a birth date where an ID number has one, it is masked (a typo of an ID
    number is no less personal)."""
    for number in ("410105198001010818", "410105198001010906", "410105198001011052"):
        assert mask_identifiers_in_text(f"配偶{number}") == f"配偶4101************{number[-2:]}"


def test_a_number_followed_by_a_letter_is_masked_the_letter_kept__DIS_3() -> None:
    """An ID typed straight before a word ("…0027x光") was left whole: the trailing letter
    made the run 19 characters long."""
    assert mask_identifiers_in_text(f"证号{RIC}x号") == "证号1101************27x号"
    assert mask_identifiers_in_text(f"abc{RIC}xyz") == "abc1101************27xyz"


def test_a_known_number_is_masked_in_any_shape_and_case__DIS_3() -> None:
    """A passport number no shape rule finds is masked where the subject information names
    it: any case, full-width; and characters that grow when upper-cased ("ß", "ﬃ") do not
    shift what is masked."""
    text = "护照号E98765432，又作e98765432；Ｅ９８７６５４３２"
    assert mask_known(text, ["E98765432"]) == "护照号E9*****32，又作E9*****32；E9*****32"
    assert mask_known("ﬃﬃﬃ ß E98765432", ["E98765432"]) == "ﬃﬃﬃ ß E9*****32"
    assert mask_known("no number here", ["E98765432", ""]) == "no number here"


def test_contact_details_are_masked_in_text__DIS_3() -> None:
    """Op(11): landlines keep their area code and last four digits, e-mail addresses their
    first character and domain, home addresses their region; dates and money are left."""
    assert mask_identifiers_in_text("座机0371-65551234；电话(010)87654321转8") == (
        "座机0371-****1234；电话(010)****4321转8"
    )
    assert mask_identifiers_in_text("联系电话０３７１－６５５５１２３４") == "联系电话0371-****1234"
    assert mask_identifiers_in_text("邮箱zhao.li@example.com.cn。") == "邮箱z***@example.com.cn。"
    assert mask_identifiers_in_text("住址郑州市金水区花园路1号3单元502室；罚款") == (
        "住址郑州市金水区****；罚款"
    )
    assert mask_identifiers_in_text("住所：河南省郑州市金水区花园路1号") == (
        "住所：河南省郑州市金水区****"
    )
    assert mask_identifiers_in_text("家住洛阳市老城区") == "家住洛阳市老城区"  # a region only
    for kept in ("2026-03-02罚款50000元", "决定书豫市监罚〔2026〕012号", "住址不详"):
        assert mask_identifiers_in_text(kept) == kept


def test_numbers_named_as_telephones_or_accounts_are_masked__DIS_3() -> None:
    """Close variants a verification found in clear: a landline split in groups, a local
    number without its area code, an account, an instant-messaging id; an address in
    another script keeps nothing of itself."""
    text = "座机0371 6555 1234；值班电话65551234；开户账号6222021234567890123；QQ号123456789"
    assert mask_identifiers_in_text(text) == (
        "座机0371 **** 1234；值班电话****1234；开户账号***************0123；QQ号*****6789"
    )
    assert mask_identifiers_in_text("地址: Flat 5, 12 Garden Road").startswith("地址: ****")
