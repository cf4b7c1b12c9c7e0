"""Refuse text no store can hold, before any route sees it (pure ASGI).

PostgreSQL's text columns cannot hold the NUL character (U+0000), and no UTF-8 encoder
takes an unpaired surrogate ("\\ud800" in JSON): either, let through to a statement or a
digest, failed as a 500 deep inside a service (a hostile tester's finding). They are
refused here, once for every route: 422 `request.bad_character`, nothing read further.

- the path and the query string (percent-decoded);
- a JSON body (application/json or application/*+json), read whole as the framework
  would: only a body whose bytes could hold one (`\\u0000`, a surrogate's escape, a raw
  NUL) is decoded again to look.
A multipart form's fields are the services' to check (the uploads refuse control
characters in their rows)."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote_to_bytes

import orjson
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from creditreg.api.errors import error_body
from creditreg.api.responses import JSON, json_media_type
from creditreg.domain.kernel.codes import unstorable_text
from creditreg.web.not_found import page_wanted, render_bad_input

_SUSPECT = re.compile(rb"\\u0000|\\u[dD][89a-fA-F][0-9a-fA-F]{2}|\x00")


def _json_type(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return json_media_type(value)
    return False


def _body_refused(body: bytes) -> bool:
    if not _SUSPECT.search(body):
        return False
    try:
        return unstorable_text(orjson.loads(body))  # orjson refuses unpaired surrogates
    except (orjson.JSONDecodeError, RecursionError):
        pass
    try:
        return unstorable_text(json.loads(body))  # the standard library reads them
    except (ValueError, RecursionError):
        return False  # not JSON at all: the route's own 422


class TextGuard:
    """422 `request.bad_character` for a NUL or an unpaired surrogate in the path, the
    query or a JSON body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if unstorable_text(scope.get("path", "")) or b"\x00" in unquote_to_bytes(
            scope.get("query_string", b"")
        ):
            await self._refuse(scope, receive, send, "the path or the query")
            return
        if not _json_type(scope):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
        if _body_refused(body):
            await self._refuse(scope, receive, send, "the body")
            return
        replay = iter(messages)

        async def replayed() -> Message:
            for message in replay:
                return message
            return await receive()

        await self.app(scope, replayed, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, where: str) -> None:
        if page_wanted(scope):
            page = HTMLResponse(render_bad_input(), status_code=422)
            await page(scope, receive, send)
            return
        body = error_body(
            "request.bad_character",
            f"{where} holds a NUL character (U+0000) or an unpaired surrogate, which no "
            "text may contain",
        )
        await JSON(body, status_code=422)(scope, receive, send)
