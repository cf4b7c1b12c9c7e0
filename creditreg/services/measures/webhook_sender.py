"""The webhook sender (issue 11; MEA-5, LST-9): a sweep step that POSTs the due
deliveries, signed as the Standard Webhooks specification says (webhook-id,
webhook-timestamp, webhook-signature: HMAC-SHA256 over id, timestamp and body, made by the
`standardwebhooks` package that receivers verify with), and moves each one: delivered on a
2xx answer; else retried 10 s, 20 s, 40 s ... at most an hour apart, for 24 hours; then
dead, visible in the delivery log until redelivered.

The HTTP calls are made outside any transaction (a slow receiver never holds the write
lock), to several endpoints at once, and a receiver that fails waits for the next pass
(`_send_due`); each outcome is one guarded transition. The webhook-id is the delivery's, the same
on every retry, so that a receiver can drop duplicates (at-least-once).
"""

from __future__ import annotations

import ipaddress
import json
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import sqlalchemy as sa
from standardwebhooks import Webhook

from creditreg.domain.errors import Conflict, InvalidInput
from creditreg.domain.measures.webhooks import (
    DELIVERY,
    DeliveryStatus,
    EndpointStatus,
    check_url,
    next_attempt,
    public_address,
)
from creditreg.services.context import Context
from creditreg.services.kernel.sweep import StepRun, SweepSteps
from creditreg.store.measures import webhook_queries as queries
from creditreg.store.measures.webhook_tables import unit_notice, webhook_delivery, webhook_endpoint

# Deliveries one pass sends at most (the rest wait for the next pass, a minute later),
# endpoints called at once, and the time after which a pass starts no more POSTs.
BATCH = 200
SENDERS = 8
PASS_SECONDS = 30.0
ACTOR = "system:webhooks"


def register_sweep_steps(steps: SweepSteps) -> None:
    """After the notices are made (70), before the query register's retention (90)."""
    steps.register("webhook_deliveries", _send_due, order=75)


@dataclass(frozen=True)
class Attempt:
    """What one POST came to: a status code, or an error (a timeout, a refused connection).
    `local`: decided without calling out (the endpoint removed, its URL now refused), so
    the endpoint's next deliveries may still be tried in the same pass."""

    status_code: int | None
    error: str | None
    local: bool = False

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def message(
    row: Any, now: datetime, signed_at: datetime | None = None
) -> tuple[str, dict[str, str]]:
    """The body and headers of one delivery (Standard Webhooks: `type`, `timestamp`,
    `data`; the webhook-* headers). The body's timestamp is when the event occurred (the
    notice's creation), so that every retry of one `webhook-id` sends the same body; `now`
    is the platform's time, `signed_at` the wall-clock time of the signature, which the
    receiver checks against its own clock (default: `now`)."""
    created = row.notice_created_at.astimezone(UTC).isoformat()
    body = json.dumps(
        {
            "type": f"unit_notice.{row.kind}",
            "timestamp": created,
            "data": {
                "notice_id": row.notice_id,
                "unit_id": row.unit_id,
                "kind": row.kind,
                "object_type": row.object_type,
                "object_id": row.object_id,
                "message": row.message,
                "data": row.data,
                "created_at": created,
            },
        },
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )
    msg_id = f"msg_delivery_{row.id}"
    # The library reads the time as UTC whatever its zone says: give it UTC.
    at = (signed_at or now).astimezone(UTC)
    return body, {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(row.secret).sign(msg_id, at, body),
    }


TIMED_OUT = "timeout: no answer in time"


def post(
    client: httpx.Client,
    url: str,
    body: str,
    headers: dict[str, str],
    extensions: dict[str, Any] | None = None,
    limit: float | None = None,
) -> Attempt:
    """One POST; never raises for the receiver's faults. `limit`: the seconds the whole
    exchange may take (httpx's timeout bounds each read only: a receiver sending a header
    line a second would hold it for ever); past it the client is closed under it. The
    answer's body is never read."""
    expired = threading.Event()
    timer = None
    if limit is not None:

        def expire() -> None:
            expired.set()
            client.close()

        timer = threading.Timer(limit, expire)
        timer.daemon = True
        timer.start()
    try:
        with client.stream(
            "POST", url, content=body.encode(), headers=headers, extensions=extensions
        ) as answer:
            status = answer.status_code
    except httpx.TimeoutException:
        return Attempt(None, TIMED_OUT)
    except Exception as exc:
        if expired.is_set():  # closed under the exchange: it took too long
            return Attempt(None, TIMED_OUT)
        if isinstance(exc, httpx.HTTPError | httpx.InvalidURL):
            return Attempt(None, f"{type(exc).__name__}: {exc}"[:500])
        raise
    finally:
        if timer is not None:
            timer.cancel()
    return Attempt(status, None if 200 <= status < 300 else f"HTTP {status}")


def _due(ctx: Context, now: datetime) -> list[Any]:
    """At most BATCH due deliveries, taken in turns across endpoints (every endpoint's
    oldest before any endpoint's second ...), so that an endpoint with a backlog never
    keeps the other units' notices waiting."""
    turn = (
        sa.func.row_number()
        .over(
            partition_by=webhook_delivery.c.endpoint_id,
            order_by=webhook_delivery.c.id,  # an endpoint's notices in their order
        )
        .label("turn")
    )
    due = (
        sa.select(webhook_delivery.c.id, turn)
        .where(
            webhook_delivery.c.status.in_(
                [DeliveryStatus.PENDING.value, DeliveryStatus.RETRYING.value]
            ),
            webhook_delivery.c.next_attempt_at <= now,
        )
        .subquery()
    )
    with ctx.db.read() as conn:
        return list(
            conn.execute(
                sa.select(
                    webhook_delivery.c.id,
                    webhook_delivery.c.status,
                    webhook_delivery.c.attempts,
                    webhook_delivery.c.window_from,
                    webhook_delivery.c.notice_id,
                    webhook_delivery.c.unit_id,
                    webhook_delivery.c.endpoint_id,
                    webhook_endpoint.c.url,
                    webhook_endpoint.c.secret,
                    webhook_endpoint.c.status.label("endpoint_status"),
                    unit_notice.c.kind,
                    unit_notice.c.object_type,
                    unit_notice.c.object_id,
                    unit_notice.c.message,
                    unit_notice.c.data,
                    unit_notice.c.created_at.label("notice_created_at"),
                )
                .join(due, due.c.id == webhook_delivery.c.id)
                .join(webhook_endpoint, webhook_endpoint.c.id == webhook_delivery.c.endpoint_id)
                .join(unit_notice, unit_notice.c.id == webhook_delivery.c.notice_id)
                .order_by(due.c.turn, webhook_delivery.c.id)
                .limit(BATCH)
            ).all()
        )


def _send_due(run: StepRun) -> None:
    """The due deliveries, endpoints in parallel (SENDERS at a time), each endpoint's in
    order on a client of its own (a connection, its TLS check and its cookies never serve
    another endpoint's name). An endpoint whose receiver fails once in a pass gets nothing
    more in that pass: its other deliveries wait, untouched, for the next one. An exchange
    takes at most the webhook timeout in all, and no POST starts once the pass has run
    PASS_SECONDS. So a receiver that hangs or trickles costs a pass one timeout, whatever
    its backlog, and never holds up the other units' notices or the steps after this one."""
    ctx = run.ctx
    due = _due(ctx, ctx.now())
    if not due:
        return
    queues: dict[int, list[Any]] = {}
    for row in due:
        queues.setdefault(int(row.endpoint_id), []).append(row)
    started = ctx.wall_clock.now()

    def send(queue: list[Any]) -> list[tuple[Any, Attempt]]:
        sent: list[tuple[Any, Attempt]] = []
        client = _client(ctx)
        try:
            for row in queue:
                if (ctx.wall_clock.now() - started).total_seconds() >= PASS_SECONDS:
                    break  # the next pass goes on from here
                if client.is_closed:  # closed by a time limit that came as it answered
                    client = _client(ctx)
                try:
                    attempt = _attempt(ctx, client, row)
                except Exception as exc:  # a failed attempt, never a failed pass
                    attempt = Attempt(None, f"{type(exc).__name__}: {exc}"[:500])
                sent.append((row, attempt))
                if not (attempt.ok or attempt.local):
                    break
        finally:
            client.close()
        return sent

    with ThreadPoolExecutor(max_workers=SENDERS, thread_name_prefix="webhooks") as pool:
        # Outcomes are written here, one endpoint's as soon as its POSTs are done.
        for done in as_completed([pool.submit(send, q) for q in queues.values()]):
            for row, attempt in done.result():
                with run.write() as conn:
                    _record(conn, ctx, row, attempt, run)


def _client(ctx: Context) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(ctx.webhook_timeout_seconds),
        follow_redirects=False,
        trust_env=False,
    )


Resolver = Callable[[str, int | None], list[str]]


def _resolve(host: str, port: int | None) -> list[str]:
    return [
        str(info[4][0]) for info in socket.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    ]


def resolved(
    url: str, allowed: frozenset[str], resolve: Resolver = _resolve
) -> tuple[list[str] | None, str | None]:
    """Where to connect for a URL whose host is a *name*: (its addresses, None), or (None,
    why it must not be called now): the name does not resolve, or resolves to a loopback,
    private, link-local, multicast or otherwise non-public address (a public-looking name
    pointing into the platform's network) and the operator did not allow it. (None, None)
    for an address written as a literal, judged by `check_url`. The POST goes to these
    addresses, in turn until one connects (`pinned`), so the name cannot point elsewhere
    between this check and the connection (DNS rebinding)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        ipaddress.ip_address(host)
        return None, None
    except ValueError:
        pass
    try:
        addresses = resolve(host, parts.port)
    except OSError as exc:
        return None, f"cannot resolve {host}: {exc}"[:500]
    if not addresses:
        return None, f"cannot resolve {host}: no address"
    if host not in allowed:
        for raw in addresses:
            if not public_address(ipaddress.ip_address(raw.split("%", 1)[0])):
                return None, (
                    f"webhook.host_not_allowed: {host} resolves to {raw}, not a public address"
                )
    return list(dict.fromkeys(raw.split("%", 1)[0] for raw in addresses)), None


def resolves_inside(url: str, allowed: frozenset[str], resolve: Resolver = _resolve) -> str | None:
    """Why a URL must not be called now, or None (`resolved`)."""
    return resolved(url, allowed, resolve)[1]


def pinned(url: str, address: str) -> tuple[str, dict[str, str], dict[str, Any]]:
    """`url` with its host replaced by `address`, the Host header naming the host as
    written, and (for https) the name the TLS handshake presents and the certificate is
    checked against."""
    parts = urlsplit(url)
    literal = f"[{address}]" if ":" in address else address
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    host = parts.netloc.rsplit("@", 1)[-1]
    extensions: dict[str, Any] = (
        {"sni_hostname": parts.hostname} if parts.scheme.lower() == "https" else {}
    )
    return urlunsplit(parts._replace(netloc=netloc)), {"host": host}, extensions


def _attempt(ctx: Context, client: httpx.Client, row: Any) -> Attempt:
    if row.endpoint_status != EndpointStatus.ACTIVE.value:
        return Attempt(None, "endpoint removed", local=True)
    try:
        # The operator may have narrowed the allowed hosts since the URL was registered.
        url = check_url(row.url, ctx.webhook_allowed_hosts)
    except InvalidInput as exc:
        return Attempt(None, f"{exc.code}: {exc}"[:500], local=True)
    addresses, why = resolved(url, ctx.webhook_allowed_hosts, _resolve)
    if why is not None:
        return Attempt(None, why)
    body, headers = message(row, ctx.now(), ctx.wall_clock.now())
    limit = ctx.webhook_timeout_seconds
    if addresses is None:  # an address written as a literal
        return post(client, url, body, headers, limit=limit)
    attempt = Attempt(None, "no address")
    for address in addresses:  # the next address only when this one did not connect
        target, host, extensions = pinned(url, address)
        attempt = post(client, target, body, {**headers, **host}, extensions, limit=limit)
        if not (attempt.error or "").startswith("ConnectError"):
            break
    return attempt


def _record(conn: sa.Connection, ctx: Context, row: Any, attempt: Attempt, run: StepRun) -> None:
    """The attempt's outcome as the delivery's one transition (lost to a concurrent
    redelivery: that one stands)."""
    now = ctx.now()
    attempts = row.attempts + 1
    window_from = row.window_from
    if attempt.ok:
        action, retry_at = "deliver", None
    elif row.endpoint_status != EndpointStatus.ACTIVE.value:
        action, retry_at = "give_up", None
    else:
        retry_at = next_attempt(window_from, attempts, now)
        action = "fail" if retry_at is not None else "give_up"
    after = DELIVERY.next(row.status, action)
    try:
        queries.move_delivery(
            conn,
            row.id,
            before=row.status,
            after=after,
            action=action,
            actor=ACTOR,
            now=now,
            status_code=attempt.status_code,
            note=attempt.error,
            attempts=attempts,
            next_attempt_at=retry_at,
            last_attempt_at=now,
            last_status_code=attempt.status_code,
            last_error=attempt.error,
        )
    except Conflict:
        return
    run.add(
        {"deliver": "webhooks_delivered", "fail": "webhooks_retrying"}.get(action, "webhooks_dead")
    )
