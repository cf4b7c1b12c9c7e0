"""Refuse an oversized request body before reading it all (pure ASGI, streaming-safe)."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from creditreg.api.errors import error_body
from creditreg.api.responses import JSON


class _TooLarge(Exception):
    pass


class BodySizeLimit:
    """413 `request.too_large` when Content-Length, or the bytes actually sent, exceed `limit`."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                if not value.isdigit() or int(value) > self.limit:
                    await self._refuse(scope, receive, send)
                    return
                # The server never reads past Content-Length: nothing more to watch.
                await self.app(scope, receive, send)
                return
        # No Content-Length (chunked): count the bytes as they arrive.
        seen = 0
        started = False
        too_large = False
        refused = False

        async def counting_receive() -> Message:
            nonlocal seen, too_large
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    too_large = True
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started, refused
            if too_large:
                # The framework caught the overflow while parsing the body and answers
                # its own 400; the caller is told what happened instead (issue 9).
                if not refused and not started:
                    refused = True
                    await self._refuse(scope, receive, send)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started and not refused:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        body: dict[str, Any] = error_body(
            "request.too_large", f"the request body is larger than {self.limit} bytes"
        )
        await JSON(body, status_code=413, headers={"Connection": "close"})(scope, receive, send)
