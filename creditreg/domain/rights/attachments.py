"""An objection's materials (Art 41: "provide relevant supplementary materials"): PDF,
JPEG or PNG, recognised by their content, not by their name. A file whose name or
declared type says one thing and whose bytes say another is refused (a renamed HTML page
is not a PDF), so that nothing is ever served back as something it is not."""

from __future__ import annotations

import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from creditreg.domain.errors import InvalidInput

# The signatures (magic bytes) of the three types accepted, and each type's names.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
ALLOWED = "PDF, JPEG or PNG"
# Declared types that say nothing (browsers and clients send them for any file).
UNDECLARED = frozenset({"", "application/octet-stream", "binary/octet-stream"})
NAME_MAX = 200


@dataclass(frozen=True, slots=True)
class Attachment:
    """A checked attachment: its safe name, detected type, size and bytes."""

    filename: str
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


# What a whole file of each type also holds, beyond its first bytes: a PNG's header chunk
# first, with its checksum, and its end chunk (near the end: a writer may add a newline);
# a JPEG's first segment marker and, after it, an end-of-image marker (a phone's "motion
# photo" appends a video after it); a PDF's end-of-file line near its end.
_TAIL = 1024
_JPEG_SEGMENTS = frozenset({0xC0, 0xC1, 0xC2, 0xC4, 0xDB, 0xDD, 0xFE, *range(0xE0, 0xF0)})


def _whole(kind: str, content: bytes) -> bool:
    if kind == "image/png":
        header = content[8:33]  # length, "IHDR", 13 bytes of data, CRC
        return (
            len(header) == 25
            and header[:8] == b"\x00\x00\x00\rIHDR"
            and zlib.crc32(header[4:21]) == int.from_bytes(header[21:25], "big")
            and b"IEND\xaeB`\x82" in content[-_TAIL:]
        )
    if kind == "image/jpeg":
        return (
            len(content) > 6
            and content[3] in _JPEG_SEGMENTS
            and int.from_bytes(content[4:6], "big") >= 2
            and content.rfind(b"\xff\xd9") > 5
        )
    return b"%%EOF" in content[-_TAIL:]


def detect(content: bytes) -> str | None:
    """The type the bytes are, by their signature and the structure a whole file of that
    type has (a file that is only a signature, or cut short, is none), or None when not
    one allowed."""
    for magic, kind in SIGNATURES:
        if content.startswith(magic):
            return kind if _whole(kind, content) else None
    return None


def safe_filename(raw: str) -> str:
    """The file's own name, without any directory, control character or quote (it goes
    into a Content-Disposition header), at most 200 characters."""
    name = PureWindowsPath(PurePosixPath(raw or "").name).name
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C" and c not in '"\\;')
    return name.strip()[:NAME_MAX] or "attachment"


def check(raw_name: str, declared_type: str | None, content: bytes, max_bytes: int) -> Attachment:
    """An attachment as received, or the reason it is refused (nothing is stored)."""
    name = safe_filename(raw_name)
    if len(content) > max_bytes:
        raise InvalidInput(
            "objection.attachment_too_large",
            f"{name} has more than {max_bytes} bytes (CREDITREG_OBJECTION_ATTACHMENT_MAX_BYTES)",
        )
    if not content:
        raise InvalidInput("objection.attachment_empty", f"{name} is empty")
    detected = detect(content)
    if detected is None:
        raise InvalidInput(
            "objection.attachment_type_not_allowed",
            f"{name} is not a whole {ALLOWED} file (by its content); only these are accepted",
        )
    suffix = PurePosixPath(name.lower()).suffix
    named = EXTENSIONS.get(suffix)
    declared = (declared_type or "").split(";")[0].strip().lower()
    if (suffix and named != detected) or (declared not in UNDECLARED and declared != detected):
        raise InvalidInput(
            "objection.attachment_type_mismatch",
            f"{name} is named or declared as {named or declared or suffix}, but its content "
            f"is {detected}: a renamed file is refused",
        )
    return Attachment(name, detected, content)


def check_count(existing: int, adding: int, max_files: int) -> None:
    """At most `max_files` per objection (CREDITREG_OBJECTION_ATTACHMENT_MAX_FILES)."""
    if existing + adding > max_files:
        raise InvalidInput(
            "objection.too_many_attachments",
            f"an objection carries at most {max_files} attachments "
            f"({existing} stored, {adding} sent)",
        )
