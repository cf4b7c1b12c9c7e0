"""JSON responses rendered with orjson (fast for large bodies, dates as ISO 8601)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse


class JSON(JSONResponse):
    """application/json rendered by orjson.

    A JSONResponse subclass on purpose: FastAPI documents a route's response model only for
    JSON response classes, and describes any other class's body as a bare string.
    """

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def json_media_type(content_type: bytes) -> bool:
    """Whether a Content-Type names JSON (application/json or application/*+json), as
    FastAPI decides to decode a body."""
    kind = content_type.split(b";", 1)[0].strip().lower()
    return kind == b"application/json" or (
        kind.startswith(b"application/") and kind.endswith(b"+json")
    )
