"""Privacy rules (PRI-1..3; Art 45, Art 46, Op(11))."""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from stdnum.cn import ric as stdnum_ric

from creditreg.domain.errors import InvalidInput
from creditreg.domain.kernel.codes import validate_uscc


class DataCategory(StrEnum):
    """Categories of personal data a template field may declare (Art 45)."""

    # Never collected (Art 45 para 2).
    RELIGIOUS_FAITH = "religious_faith"
    GENETICS = "genetics"
    FINGERPRINTS = "fingerprints"
    BLOOD_TYPE = "blood_type"
    ILLNESS = "illness"
    MEDICAL_HISTORY = "medical_history"
    # Only with written consent after a warning of the consequences (Art 45 para 2).
    INCOME = "income"
    SAVINGS = "savings"
    SECURITIES = "securities"
    COMMERCIAL_INSURANCE = "commercial_insurance"
    REAL_ESTATE = "real_estate"
    TAX_AMOUNT = "tax_amount"


FORBIDDEN = frozenset(
    {
        DataCategory.RELIGIOUS_FAITH,
        DataCategory.GENETICS,
        DataCategory.FINGERPRINTS,
        DataCategory.BLOOD_TYPE,
        DataCategory.ILLNESS,
        DataCategory.MEDICAL_HISTORY,
    }
)
NEEDS_WRITTEN_CONSENT = frozenset(set(DataCategory) - FORBIDDEN)

# Words that give a forbidden category away in a field's name or label, so that a
# template cannot smuggle one in under an innocent category (Art 45, Art 46).
_FORBIDDEN_WORDS = {
    DataCategory.RELIGIOUS_FAITH: ("religion", "religious", "faith", "宗教", "信仰"),
    DataCategory.GENETICS: ("genetic", "gene", "dna", "基因", "遗传"),
    DataCategory.FINGERPRINTS: ("fingerprint", "指纹"),
    DataCategory.BLOOD_TYPE: ("blood_type", "bloodtype", "blood type", "血型"),
    DataCategory.ILLNESS: ("illness", "disease", "diagnosis", "疾病", "病情"),
    DataCategory.MEDICAL_HISTORY: ("medical_history", "medical history", "病史", "病历"),
}

# The warning a subject must be shown before consenting to these categories (Art 45).
CONSENT_WARNING = (
    "提供收入、存款、有价证券、商业保险、不动产和纳税数额等信息，可能对您产生不利后果，"
    "包括被用于评价您的信用状况。 Providing income, savings, securities, commercial "
    "insurance, real estate or tax amounts may have negative consequences for you, including "
    "their use in assessing your credit."
)


def forbidden_category_in(name: str, label: str) -> DataCategory | None:
    """The forbidden category a field's name or label reveals, if any."""
    text = f"{name} {label}".lower()
    for category, words in _FORBIDDEN_WORDS.items():
        if any(word in text for word in words):
            return category
    return None


def check_field_allowed(name: str, label: str, category: DataCategory | None) -> None:
    """PRI-2: refuse a template field that would collect a forbidden category."""
    found = category if category in FORBIDDEN else forbidden_category_in(name, label)
    if found is not None:
        raise InvalidInput(
            "privacy.forbidden_category",
            f"field {name!r} would collect {found.value.replace('_', ' ')}, which is never "
            "collected (Art 45)",
            field=name,
            category=found.value,
        )


def mask_personal_number(number: str) -> str:
    """Op(11): a personal document number as it may be published."""
    if len(number) <= 4:
        return "*" * len(number)
    keep = 4 if len(number) >= 15 else 2
    return number[:keep] + "*" * (len(number) - keep - 2) + number[-2:]


# DIS-3, Op(11): identifier-shaped text inside published free text (facts, grounds,
# notes). An 18-character resident ID or residence-permit number (GB 11643 check or a
# birth date inside), a 15-digit legacy ID number (a plausible birth date inside) and a
# mainland mobile number (+86 or not) are masked, also when written in groups ("110105
# 19491001 0023", "138-0013-8000", "138.0013.8000") or after letters ("ID110105..."); an
# organization's USCC, which is public, is not.
#
# A *run* is digits in groups, one or two separators (space, tab, hyphen, dash, dot)
# between groups. A number is sought as whole groups of a run: the grouping a writer
# chose bounds the number, so a date or amount beside it is neither masked nor mistaken
# for part of it, and no digit of the number is left out of the mask.
_RUN = re.compile(r"(?<![0-9])[0-9]+(?:[ \t.\-\u2013\u2014]{1,2}[0-9]+)*[Xx]?(?![0-9])")
_GROUP = re.compile(r"[0-9]+[Xx]?")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def _gb11643_valid(code: str) -> bool:
    try:
        return stdnum_ric.calc_check_digit(code[:17]) == code[17].upper()
    except (ValueError, KeyError):
        return False


def _birth_date_inside(code: str) -> bool:
    """Characters 7-14 read as a birth date (1900-2099): an ID number, even mistyped."""
    year, month, day = int(code[6:10]), int(code[10:12]), int(code[12:14])
    return 1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31


def _mask18(code: str, strong: bool) -> str | None:
    if _birth_date_inside(code):
        # The stricter reading (seeds/README): a number with a birth date inside is
        # masked even when its check character is wrong (a typo does not make it less
        # personal), and even when it also passes as a USCC (about one number in 31
        # does): an organization's code is rarely all digits with a date in that place.
        return mask_personal_number(code)
    if strong or not _gb11643_valid(code):
        return None
    with contextlib.suppress(InvalidInput):
        validate_uscc(code)
        return None  # a valid USCC: an organization's public code
    return mask_personal_number(code)


def _mask_number(groups: list[str], strong: bool) -> str | None:
    """The masked form of the number these whole groups write, or None. `strong`: only a
    number its own content marks (a birth date inside, a mobile number's shape), not one
    that merely passes a check character (one 18-digit window in 11 does by chance)."""
    code = "".join(groups)
    if code[-1] in "Xx" and len(code) != 18:
        # A letter after the number ("…0023x", "ID 110105194910010023X号"): the number
        # without it, the letter left as written.
        inner = _mask_number([*groups[:-1], groups[-1][:-1]], strong)
        return None if inner is None else inner + code[-1]
    if len(code) == 18:
        return _mask18(code, strong)
    if len(code) == 15:  # a legacy ID number: a plausible birth month and day (yymmdd)
        month, day = int(code[8:10]), int(code[10:12])
        return mask_personal_number(code) if 1 <= month <= 12 and 1 <= day <= 31 else None
    country = ""
    if len(code) == 13 and len(groups) == 1 and code.startswith("86"):
        country, code = "86", code[2:]  # after the country code, written together
    # In groups, a mobile number is written 3-4-4 or so: "13 500 000 000" is money.
    grouped_as_mobile = len(groups) == 1 or (
        len(groups[0]) >= 3 and all(len(g) >= 4 for g in groups[1:])
    )
    if len(code) == 11 and _MOBILE.fullmatch(code) and grouped_as_mobile:
        return country + mask_personal_number(code)
    return None


def _spans(folded: str) -> list[tuple[int, int, str]]:
    """(start, end, masked number) of each personal number in `folded`, in order. In each
    run, numbers its content marks are taken first (the longest from each group: 18 > 15
    > 11 digits), then, among the groups left, those a check character alone marks."""
    found: list[tuple[int, int, str]] = []
    for run in _RUN.finditer(folded):
        groups = [(g.start(), g.end(), g.group()) for g in _GROUP.finditer(run.group())]
        taken = [False] * len(groups)
        for strong in (True, False):
            i = 0
            while i < len(groups):
                best: tuple[int, str] | None = None
                length = 0
                for j in range(i, len(groups)):
                    if taken[j]:
                        break
                    length += len(groups[j][2].rstrip("Xx"))  # a letter after: not counted
                    if length > 18:
                        break
                    masked = _mask_number([g[2] for g in groups[i : j + 1]], strong)
                    if masked is not None:
                        best = (j, masked)
                if best is None:
                    i += 1
                    continue
                j, masked = best
                found.append((run.start() + groups[i][0], run.start() + groups[j][1], masked))
                taken[i : j + 1] = [True] * (j + 1 - i)
                i = j + 1
    return sorted(found)


_ANY_DIGIT = re.compile(r"\d")  # any decimal digit, ASCII, full-width or another script's


class _Folding(dict[int, int]):
    """`str.translate`'s table (filled as characters are met): a decimal digit of any
    script to its ASCII digit, a full-width ASCII character (Ａ, ｘ, ０ ...) to its ASCII
    character; every other character unchanged. One character for one, so that what the
    patterns find in the folded text is at the same place in the text."""

    def __missing__(self, point: int) -> int:
        char = chr(point)
        if char.isdecimal():
            folded = ord("0") + unicodedata.decimal(char)
        elif 0xFF01 <= point <= 0xFF5E:
            folded = point - 0xFEE0
        elif char.isspace() or point in _INVISIBLE:  # an ideographic, a zero-width space ...
            folded = ord(" ")
        elif point > 0xFFFF:
            raise LookupError(point)  # unchanged, and not kept: the table stays small
        else:
            folded = point
        self[point] = folded
        return folded


_FOLDING = _Folding()
# Zero-width characters typed (or pasted) inside a number: read as the space they hide.
_INVISIBLE = frozenset({0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF})


def mask_identifiers_in_text(text: str) -> str:
    """`text` with every personal identifier-shaped number masked (DIS-3), written in
    ASCII or in full-width (or another script's) digits: the number is found in the text
    with its digits folded to ASCII, and replaced by its masked ASCII form. Contact details
    are personal too (Op(11)): a landline number keeps its area code and last four digits,
    an e-mail address its first character and its domain, a home address its region."""
    if not may_hold_personal(text):
        return text
    folded = text if text.isascii() else text.translate(_FOLDING)
    # Contact details first: a number a word names as an account or a telephone is masked
    # as one whole, not in pieces a shape rule finds inside it.
    spans = _contact_spans(folded)
    for number in _spans(folded) if _ANY_DIGIT.search(text) else []:
        if not any(s < number[1] and number[0] < e for s, e, _ in spans):
            spans.append(number)
    if not spans:
        return text
    out: list[str] = []
    at = 0
    for start, end, masked in sorted(spans):
        out += (text[at:start], masked)
        at = end
    out.append(text[at:])
    return "".join(out)


def may_hold_personal(text: str) -> bool:
    """Whether `text` may hold something `mask_identifiers_in_text` masks (a digit, an
    e-mail's "@", a word that introduces an address): most text holds none, and is left
    as it is without a closer look."""
    return bool(
        _ANY_DIGIT.search(text) or "@" in text or "＠" in text or _ADDRESS_WORD.search(text)
    )


# Contact details (Op(11)), sought in the folded text (digits and full-width forms ASCII).
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
# A landline: a 3- or 4-digit area code from 0 (in brackets or not), then 7 or 8 digits,
# written together or split 3-4 / 4-4.
_LANDLINE = re.compile(
    r"(?<![0-9])(\(0[1-9][0-9]{1,2}\)|0[1-9][0-9]{1,2})([ \-–—]?)"
    r"([0-9]{3,4}[ \-]?[0-9]{4})(?![0-9])"
)
# A number a word names as a telephone, an account or an instant-messaging id, without an
# area code ("值班电话65551234", "开户账号6222…", "QQ号123456789"): all but its last four.
_NAMED_NUMBER = re.compile(
    r"(?:电话|座机|传真|联系方式|账号|帐号|卡号|银行卡|QQ|qq|微信)号?(?:码|为|是)?[：: ]*"
    r"([0-9][0-9 \-]{4,30}[0-9])(?![0-9])"
)
_ADDRESS_WORD = re.compile("住址|地址|住所|居住地|户籍地|家住|现住")
_ADDRESS = re.compile(
    "(?:住址|地址|住所|居住地|户籍地|家住|现住)(?:为|是|在)?[：: ]*([^；;。，,、\n\t）)]{2,80})"
)
# What an address keeps: through its county-level unit (区, 县, 旗) within its first
# twelve characters, else through its last city (市) there, else its first three characters
# (郑州市金水区花园路1号 -> 郑州市金水区****).
_COUNTY = re.compile("^.{0,11}?(?:区|县|旗)")
_CITY = re.compile("^.{0,11}市")


def _region(place: str) -> str:
    found = _COUNTY.match(place) or _CITY.match(place)
    if found:
        return found.group()
    # No county or city named: a Chinese address keeps its first three characters (most
    # often its province or city), any other keeps nothing ("Flat 5, 12 Garden Road").
    return place[:3] if all("\u4e00" <= c <= "\u9fff" for c in place[:3]) else ""


def _last_four(number: str) -> str:
    """A number with every digit but its last four starred, its separators kept."""
    digits = sum(c.isdigit() for c in number)
    out, seen = [], 0
    for c in number:
        if c.isdigit():
            seen += 1
            out.append(c if seen > digits - 4 else "*")
        else:
            out.append(c)
    return "".join(out)


def _contact_spans(folded: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    # A number a word names, whole, before the shapes found inside it.
    for m in _NAMED_NUMBER.finditer(folded):
        if _MOBILE.fullmatch(re.sub(r"\D", "", m.group(1))) or _LANDLINE.fullmatch(m.group(1)):
            continue  # a mobile or a landline keeps its own mask (13*******78, 0371-****1234)
        found.append((m.start(1), m.end(1), _last_four(m.group(1))))
    for m in _LANDLINE.finditer(folded):
        local = m.group(3)
        found.append((m.start(), m.end(), m.group(1) + m.group(2) + _last_four(local)))
    for m in _EMAIL.finditer(folded):
        found.append((m.start(), m.end(), m.group(1)[0] + "***@" + m.group(2)))
    for m in _ADDRESS.finditer(folded):
        place = m.group(1)
        kept = _region(place)
        if len(kept) < len(place):
            found.append((m.start(1), m.end(1), kept + "****"))
    # Overlaps (an address that quotes a phone): the first found stands.
    out: list[tuple[int, int, str]] = []
    for span in found:
        if not any(s < span[1] and span[0] < e for s, e, _ in out):
            out.append(span)
    return out


# What may stand between the characters of a known number as it is written.
_INSIDE = "[ \t.\\-\u2010-\u2015\u200b-\u200d\u2060\ufeff]{0,2}"


def mask_known(text: str, numbers: Iterable[str]) -> str:
    """`text` with each of `numbers` (personal document numbers the caller knows: the
    subject's own passport or permit, a responsible person's ID) masked wherever it is
    written, in any case, in full-width or in ASCII: a number no shape rule finds (a
    passport "E98765432") is still a personal number (DIS-3, Op(11))."""
    wanted = {n.upper() for n in numbers if n and len(n) >= 5}
    if not wanted:
        return text
    # Folded one character for one (never upper-cased whole: "ß" would become "SS" and
    # shift every place after it); the numbers are sought regardless of ASCII case.
    folded = text if text.isascii() else text.translate(_FOLDING)
    spans: list[tuple[int, int, str]] = []
    for number in sorted(wanted, key=len, reverse=True):
        # Written with spaces, hyphens, dots or invisible characters inside ("E 9876 5432").
        spread = _INSIDE.join(re.escape(c) for c in number)
        for found in re.finditer(spread, folded, re.IGNORECASE | re.ASCII):
            at, end = found.span()
            if not any(s < end and at < e for s, e, _ in spans):
                spans.append((at, end, mask_personal_number(number)))
    out: list[str] = []
    at = 0
    for start, end, masked in sorted(spans):
        out += (text[at:start], masked)
        at = end
    out.append(text[at:])
    return "".join(out)


def mask_published(value: Any, known: Iterable[str] = ()) -> Any:
    """A published value (text, or lists and mappings of them) with identifiers masked:
    those of a personal number's shape, and the `known` personal numbers."""
    numbers = tuple(known)
    if isinstance(value, str):
        return mask_identifiers_in_text(mask_known(value, numbers) if numbers else value)
    if isinstance(value, Mapping):
        return {k: mask_published(v, numbers) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_published(v, numbers) for v in value]
    return value


def mask_person_name(text: str, name: str) -> str:
    """`text` with a natural person's full `name` shown by its first character alone
    ("张三丰" -> "张**") wherever it is written: what a published case may say of the
    person it concerns (DIS-3, Op(11))."""
    name = name.strip()
    if len(name) < 2 or name not in text:
        return text
    return text.replace(name, name[0] + "*" * (len(name) - 1))
