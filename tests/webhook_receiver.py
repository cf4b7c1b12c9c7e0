"""A webhook receiver on loopback for the tests (issue 11): a tiny threaded http.server
that records each request and answers as told (200, 500, or slowly), and can be stopped
and started again on the same port (a receiver that is down). Signatures are verified the
way a unit would, with `standardwebhooks.Webhook(secret).verify(...)`, its clock set to
the platform's injected time (the tests' clock is not the wall clock)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from unittest import mock

import standardwebhooks.webhooks as swh
from standardwebhooks import Webhook


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    peer: int = 0  # the client's port: one per connection


class Receiver:
    """Where the platform POSTs; `status` and `delay` say how it answers."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.status = 200
        self.delay = 0.0
        # Called before answering (e.g. a barrier another receiver also waits on); an
        # exception it raises makes the answer a 500.
        self.hold: Callable[[], None] | None = None
        # Keep connections open between requests (HTTP/1.1), as many receivers do.
        self.keep_alive = False
        # Send the answer's header lines this many seconds apart, 20 of them.
        self.trickle = 0.0
        self._server: ThreadingHTTPServer | None = None
        self.port = 0
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            @property  # type: ignore[override]
            def protocol_version(self) -> str:
                return "HTTP/1.1" if receiver.keep_alive else "HTTP/1.0"

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                receiver.requests.append(
                    Received(
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        body,
                        self.client_address[1],
                    )
                )
                if receiver.delay:
                    time.sleep(receiver.delay)
                status = receiver.status
                if receiver.hold is not None:
                    try:
                        receiver.hold()
                    except Exception:
                        status = 500
                try:
                    if receiver.trickle:
                        self.send_response(status)
                        for i in range(20):
                            time.sleep(receiver.trickle)
                            self.send_header(f"x-slow-{i}", "1")
                            self.flush_headers()
                        self.send_header("content-length", "0")
                        self.end_headers()
                        return
                    self.send_response(status)
                    self.send_header("content-length", "0")
                    self.end_headers()
                except OSError:  # the platform gave up waiting (a timeout test)
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Down: connections to the port are refused until `start`."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@contextmanager
def receivers_clock(at: datetime) -> Iterator[None]:
    """The receiver's clock reads `at` (its 5-minute tolerance is checked against it)."""

    class At(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return at.astimezone(tz or UTC)

    with mock.patch.object(swh, "datetime", At):
        yield


def verify(secret: str, request: Received, at: datetime | None = None) -> Any:
    """The body as a unit's receiver reads it: verified, or WebhookVerificationError. The
    platform signs with its wall clock (also under a moved test clock), so the receiver
    checks against its own real time unless `at` sets it."""
    if at is None:
        return Webhook(secret).verify(request.body, request.headers)
    with receivers_clock(at):
        return Webhook(secret).verify(request.body, request.headers)
