"""HEAD answered as GET without its body (pure ASGI).

HTTP requires HEAD wherever GET is served (RFC 9110 9.3.2): the same status and headers,
no content. FastAPI routes declare GET alone, so every HEAD was a 405, the portal's pages
and the public lists included, which link checkers and caches ask with HEAD. A HEAD is
run as the GET it stands for (a read it makes is registered as the GET's would be) and
only its body is dropped; Content-Length stays what the GET would send."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
            else:
                await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
