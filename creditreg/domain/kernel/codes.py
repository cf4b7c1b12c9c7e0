"""Codes every context checks: the Unified Social Credit Code (GB 32100-2015), which
identifies units as well as organizations, the normal form of a typed code, and names.

Kept in the kernel so that access (units) and subjects (organizations) share one check.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from operator import mul

from creditreg.domain.errors import InvalidInput

# GB 32100-2015: the 31 characters a USCC may use (no I, O, Z, S, V) and the check weights.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Registration department, organization category, 6-digit division code, 9-char body, check.
_USCC_SHAPE = re.compile(r"[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}")
_SPACE = re.compile(r"\s+")


def normalise_code(raw: str) -> str:
    """Trim, fold full-width to half-width (NFKC), upper-case and drop inner white space."""
    # Repeat to a fixpoint: upper-casing and dropping the space NFKC makes of some
    # characters (e.g. U+00B4) can each leave a string that normalises further.
    code = raw
    for _ in range(4):
        folded = _SPACE.sub("", unicodedata.normalize("NFKC", code).upper())
        if folded == code:
            break
        code = folded
    return code


def uscc_check_character(body: str) -> str:
    """GB 32100-2015 check character for the first 17 characters of a USCC."""
    if len(body) != 17:
        raise ValueError("the check character covers exactly 17 characters")
    total = sum(map(mul, map(_USCC_VALUE.__getitem__, body), _USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


@lru_cache(maxsize=4096)
def validate_uscc(raw: str) -> str:
    """Return the normalised USCC or raise `subject.invalid_uscc`.

    Written here rather than taken from stdnum.cn.uscc, which rejects codes whose first
    characters are letters (registration departments A, N, Y exist) and costs ~19 µs a
    code; the tests check this function against stdnum on every code stdnum accepts.
    Memoised: a bulk file repeats its authorities' codes on every row (errors are not
    cached; the exception is raised again).
    """
    # Plain upper-case ASCII of the right shape needs no normalising (NFKC is the identity).
    code = raw if _USCC_SHAPE.fullmatch(raw) else normalise_code(raw)
    if len(code) != 18:
        raise InvalidInput(
            "subject.invalid_uscc", f"a USCC has 18 characters, {code!r} has {len(code)}"
        )
    if not _USCC_SHAPE.fullmatch(code):
        raise InvalidInput(
            "subject.invalid_uscc",
            f"{code!r} is not a USCC: {_wrong_characters(code)} (GB 32100-2015: characters "
            f"3-8 are digits, all are from {USCC_ALPHABET})",
        )
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise InvalidInput(
            "subject.invalid_uscc",
            f"USCC {code!r} has a wrong check character: {code[17]!r}, expected {expected!r}",
        )
    return code


def _wrong_characters(code: str) -> str:
    """Which characters break the USCC's shape, by position (1-based)."""
    wrong = []
    for i, c in enumerate(code, start=1):
        if 3 <= i <= 8 and not c.isdigit():
            wrong.append(f"character {i} {c!r} is not a digit")
        elif c not in _USCC_VALUE:
            wrong.append(f"character {i} {c!r} is not used in a USCC")
    return "; ".join(wrong) or "its shape is wrong"


# Control characters no text the platform keeps may hold (tabs and line breaks are text);
# PostgreSQL refuses a NUL in text outright. The bidirectional embeddings, overrides and
# isolates too: typed into a note or grounds, they showed "反转" as "转反" on a public page
# (the marks U+200E and U+200F, which only say a direction, stay allowed).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# What shows nothing when printed: white space, the invisible format characters (a
# zero-width space or joiner, a word joiner, a byte-order mark, a soft hyphen, the
# Mongolian vowel separator), the Hangul and Braille fillers, the combining grapheme joiner,
# variation selectors and tag characters.
_INVISIBLE = re.compile(
    "[\\s\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2060-\u2064"
    "\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]+"
)


def shows_nothing(text: str) -> bool:
    """Whether `text` prints as nothing at all: grounds or a reason made of spaces and
    zero-width characters says nothing (it marked a published entry "under objection")."""
    return not _INVISIBLE.sub("", text)


def validate_name(raw: str) -> str:
    """A subject's name: trimmed, NFC, 1-200 characters."""
    name = unicodedata.normalize("NFC", raw).strip()
    if not name or len(name) > 200:
        raise InvalidInput("subject.invalid_name", "a name has 1 to 200 characters")
    # isprintable() is False for every control character: check characters only then.
    if not name.isprintable() and any(unicodedata.category(c) == "Cc" for c in name):
        raise InvalidInput("subject.invalid_name", "a name holds no control characters")
    return name


# What no store holds: PostgreSQL's text refuses the NUL character, and no UTF-8 encoder
# takes an unpaired surrogate (JSON's "\ud800").
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_text(value: object) -> bool:
    """Whether a decoded value (text, or lists and mappings of them, keys included) holds
    a NUL or an unpaired surrogate anywhere. Iterative: a value nested a thousand deep (as
    JSON parsers allow) is walked without the interpreter's recursion limit."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _UNSTORABLE.search(item) is not None:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
