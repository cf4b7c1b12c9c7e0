"""Headers every response carries (pure ASGI): what a browser may do with a page, and that
nothing answered to a caller who identified itself is kept by a cache.

- `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` and
  `X-Frame-Options: DENY` on everything;
- a Content-Security-Policy on HTML pages: their own origin only (the portal loads nothing
  from elsewhere and runs no script; the Swagger UI under /docs runs its own);
- `Cache-Control: no-store` on every answer to a request with credentials (a bearer token
  or a cookie): credit reports, printed notices with activation codes, self-inquiries and
  every unit's read are personal information (Op(24)), never to be kept by a browser or
  a proxy. A route that set its own Cache-Control keeps it."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
_PAGE_POLICY = (
    b"default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
_DOCS_POLICY = (
    b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'"
)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        credentials = any(name in (b"authorization", b"cookie") for name, _ in scope["headers"])
        docs = scope["path"].startswith("/docs")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in _ALWAYS if n not in names]
                kind = next((v for n, v in headers if n.lower() == b"content-type"), b"")
                if kind.startswith(b"text/html") and b"content-security-policy" not in names:
                    policy = _DOCS_POLICY if docs else _PAGE_POLICY
                    headers.append((b"content-security-policy", policy))
                if credentials and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
