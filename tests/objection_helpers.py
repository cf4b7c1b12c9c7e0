"""Filing objections over HTTP (multipart) in tests, and the smallest files of each type."""

from __future__ import annotations

import base64
from typing import Any

from fastapi.testclient import TestClient

# The smallest bytes each type is recognised by (its signature), and some body.
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
# A whole 1x1 PNG, and a JPEG's frame: start and end of image around its segments.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64 + b"\xff\xd9"
HTML = b"<!doctype html><script>alert(document.cookie)</script>"


def file_objection(
    api: TestClient,
    headers: dict[str, str] | None,
    target_type: str,
    target_id: int,
    grounds: str = "处罚决定已被撤销",
    files: list[tuple[str, bytes, str]] | None = None,
) -> Any:
    """POST /api/v1/objections as multipart: the form fields and (name, bytes, type) files."""
    return api.post(
        "/api/v1/objections",
        headers=headers or {},
        data={"target_type": target_type, "target_id": str(target_id), "grounds": grounds},
        files=[("files", f) for f in files or []] or None,
    )
