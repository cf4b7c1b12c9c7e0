"""The check (核查; MEA-3, SUB-4, Op(12), Op(13), Art 29-35): what an implementing unit
asks inside its own approval, procurement, licensing, funding, honours or hiring workflow.

Pure rules: the purposes a caller may state, the identifiers it may name (normalised as
everywhere, plus the LEI), and the batch form's limits. The reads, the measures and the
registration are the services' (services/measures/check.py reads and registers,
check_answers.py builds the answers).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from creditreg.domain.errors import InvalidInput, parse_enum
from creditreg.domain.subjects.identifiers import (
    IdType,
    parse_id_type,
    parse_identifier,
    validate_lei,
)

BATCH_MAX = 1000  # procurement screening: up to 1,000 identifiers in one request
MAX_NOTE = 200
LEI = "lei"  # looked up by the subject's LEI (subject.lei), not a matching identifier


class CheckPurpose(StrEnum):
    """Why the implementing unit checks (Op(12): the workflows joint measures sit in)."""

    LICENSING = "licensing"  # 行政许可
    PROCUREMENT = "procurement"  # 政府采购
    PUBLIC_RESOURCE_TRADING = "public_resource_trading"  # 公共资源交易
    FUNDING = "funding"  # 财政资金、补贴
    HONOURS = "honours"  # 评优评先、表彰
    HIRING = "hiring"  # 招录、任职
    FINANCING = "financing"  # 融资授信
    MARKET_ACCESS = "market_access"  # 市场准入
    OTHER = "other"  # 其他 (with a note)


# A stated purpose's note: the register's note holds the purpose's name, ": " and the note,
# whole, whatever the purpose (the longest name is public_resource_trading).
NOTE_MAX = MAX_NOTE - max(len(p.value) for p in CheckPurpose) - len(": ")

PURPOSE_LABELS_ZH: dict[CheckPurpose, str] = {
    CheckPurpose.LICENSING: "行政许可",
    CheckPurpose.PROCUREMENT: "政府采购",
    CheckPurpose.PUBLIC_RESOURCE_TRADING: "公共资源交易",
    CheckPurpose.FUNDING: "财政资金或补贴",
    CheckPurpose.HONOURS: "评优评先",
    CheckPurpose.HIRING: "招录任职",
    CheckPurpose.FINANCING: "融资授信",
    CheckPurpose.MARKET_ACCESS: "市场准入",
    CheckPurpose.OTHER: "其他",
}


@dataclass(frozen=True, slots=True)
class StatedPurpose:
    """The purpose of one check, and its note (required for `other`)."""

    purpose: CheckPurpose
    note: str | None = None

    @property
    def register_note(self) -> str:
        """How the query register's note names it: "procurement", "other: <note>"."""
        text = self.purpose.value if self.note is None else f"{self.purpose.value}: {self.note}"
        return text[:MAX_NOTE]


def parse_purpose(raw: str | None, note: str | None = None) -> StatedPurpose:
    """One of CheckPurpose (`check.unknown_purpose`); `other` needs a one-line note."""
    if raw is None or not raw.strip():
        raise InvalidInput(
            "check.unknown_purpose",
            "a check states its purpose: " + ", ".join(p.value for p in CheckPurpose),
        )
    purpose = parse_enum(CheckPurpose, raw.strip().lower(), "check.unknown_purpose")
    clean = note.strip() if note else None
    if clean and (len(clean) > NOTE_MAX or any(ord(c) < 32 for c in clean)):
        raise InvalidInput(
            "check.bad_note", f"a purpose note is one line of at most {NOTE_MAX} characters"
        )
    if purpose is CheckPurpose.OTHER and not clean:
        raise InvalidInput("check.note_required", "the purpose 'other' needs a note saying what")
    return StatedPurpose(purpose, clean or None)


@dataclass(frozen=True, slots=True)
class Key:
    """A normalised identifier to look a subject up by: a matching identifier's type
    (subjects' IdType) and number, or `lei` and an LEI."""

    id_type: str
    number: str


def parse_key(id_type: str, number: str, today: date | None = None) -> Key:
    """The identifier normalised and validated as everywhere (subject.unknown_id_type,
    subject.invalid_uscc, subject.invalid_ric ...); `lei` is checked by ISO 17442."""
    kind = (id_type or "").strip().lower()
    if kind == LEI:
        return Key(LEI, validate_lei(number))
    try:
        known = parse_id_type(kind)
    except InvalidInput:  # the check also takes an LEI: say so
        names = ", ".join([*(t.value for t in IdType), LEI])
        raise InvalidInput(
            "subject.unknown_id_type", f"{id_type!r} is not one of: {names}"
        ) from None
    ident = parse_identifier(known, number, today)
    return Key(ident.type.value, ident.number)


def check_batch_size(n: int) -> None:
    """`check.batch_too_large` beyond BATCH_MAX identifiers (however many more)."""
    if n > BATCH_MAX:
        raise InvalidInput(
            "check.batch_too_large",
            f"a batch check names at most {BATCH_MAX} identifiers, not {n}",
            limit=BATCH_MAX,
        )


def parse_batch(items: Sequence[tuple[str, str]], today: date | None = None) -> list[Key]:
    """A procurement screening: 1 to BATCH_MAX identifiers, none twice (after
    normalisation). The first bad one refuses the whole batch, with its position."""
    if not items:
        raise InvalidInput("check.empty_batch", "a batch check names at least one identifier")
    check_batch_size(len(items))
    keys: list[Key] = []
    seen: dict[Key, int] = {}
    for index, (id_type, number) in enumerate(items):
        try:
            key = parse_key(id_type, number, today)
        except InvalidInput as e:
            e.details["index"] = index
            raise
        if key in seen:
            raise InvalidInput(
                "check.duplicate_identifier",
                f"identifier {index} repeats identifier {seen[key]}",
                index=index,
                first=seen[key],
            )
        seen[key] = index
        keys.append(key)
    return keys


def guess_key(number: str, today: date | None = None) -> Key:
    """An identifier given without its type (the CLI's `creditreg check IDENTIFIER`): the
    one type of USCC, resident ID and LEI it is valid as. A number valid as two (some
    resident IDs pass the USCC's check too) is refused, never guessed: answered as the
    wrong type, a listed person would come back "no such subject: clean"."""
    found: list[Key] = []
    for id_type in ("uscc", "ric", LEI):
        with contextlib.suppress(InvalidInput):
            found.append(parse_key(id_type, number, today))
    if len(found) == 1:
        return found[0]
    if found:
        types = " and ".join(k.id_type for k in found)
        raise InvalidInput(
            "check.ambiguous_identifier",
            f"the number is valid as {types}: name its type (--id-type "
            f"{'|'.join(k.id_type for k in found)})",
        )
    # Why, without the number or a check character (a resident ID is personal).
    length = len(number.strip())
    why = (
        "a check character is wrong for each type it could be"
        if length in (18, 20)
        else f"{length} characters: a USCC and a resident ID have 18, an LEI 20"
    )
    raise InvalidInput(
        "check.unrecognised_identifier",
        f"not a valid USCC, resident ID or LEI ({why}): name its type with --id-type to "
        "be told that type's reason",
    )
