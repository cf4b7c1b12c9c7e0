"""An objection's materials recognised by their content (OBJ-1, Art 41): a whole PDF, JPEG
or PNG, not its first bytes alone; what real writers add after a file's end is kept."""

from __future__ import annotations

import pytest

from creditreg.domain.rights.attachments import detect
from tests.objection_helpers import JPEG, PDF, PNG

BARE_PNG = b"\x89PNG\r\n\x1a\n"
# The PNG's header chunk with a checksum that does not match it, around nothing.
BAD_HEADER_PNG = (
    BARE_PNG
    + b"\x00\x00\x00\rIHDR"
    + b"\x00" * 13
    + b"\x00" * 4
    + b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PNG, "image/png"),
        (PNG + b"\n", "image/png"),  # a writer's trailing newline
        (JPEG, "image/jpeg"),
        (JPEG + b"\x00" * 5000, "image/jpeg"),  # a phone's motion photo: a video after it
        (PDF, "application/pdf"),
        (PDF + b"\n" * 3, "application/pdf"),
        (BARE_PNG, None),
        (BAD_HEADER_PNG, None),
        (PNG[:40], None),  # cut short
        (b"\xff\xd8\xff" + b"\x00" * 20 + b"\xff\xd9", None),  # no segment after the start
        (b"%PDF-1.4", None),
        (b"<!doctype html>", None),
    ],
)
def test_a_file_is_known_by_its_whole_content__OBJ_1(content: bytes, kind: str | None) -> None:
    assert detect(content) == kind
