"""Notices to implementing units and their delivery by webhook (MEA-5, LST-9; issue 11).

A notice is a fact (no status). A webhook delivery of one notice to one endpoint is a
lifecycle:

pending --deliver--> delivered          (the receiver answered 2xx)
pending --fail--> retrying --fail--> retrying   (an error, a timeout, a non-2xx answer)
retrying --deliver--> delivered
pending|retrying --give_up--> dead      (the last retry inside the 24-hour window failed)
delivered|retrying|dead --redeliver--> pending  (on the unit's request)

An endpoint is active until its unit removes it (active --disable--> disabled); its rows
stay, so the delivery log keeps saying where each notice went.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from creditreg.domain.errors import InvalidInput
from creditreg.domain.fields import FIELDS
from creditreg.domain.kernel.lifecycle import Lifecycle


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    RETRYING = "retrying"
    DEAD = "dead"


class EndpointStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


class SubscriptionKind(StrEnum):
    """What a unit may subscribe to (stop notices need no subscription: MEA-5)."""

    DESIGNATION = "designation"  # LST-9: a new entry designated in a field / list


D = DeliveryStatus
DELIVERY = Lifecycle(
    "webhook_delivery",
    {
        (D.PENDING, "deliver"): D.DELIVERED,
        (D.PENDING, "fail"): D.RETRYING,
        (D.PENDING, "give_up"): D.DEAD,
        (D.RETRYING, "deliver"): D.DELIVERED,
        (D.RETRYING, "fail"): D.RETRYING,
        (D.RETRYING, "give_up"): D.DEAD,
        (D.RETRYING, "redeliver"): D.PENDING,
        (D.DELIVERED, "redeliver"): D.PENDING,
        (D.DEAD, "redeliver"): D.PENDING,
    },
)

ENDPOINT = Lifecycle(
    "webhook_endpoint",
    {(EndpointStatus.ACTIVE, "disable"): EndpointStatus.DISABLED},
)

# Issue 11: retries 10 s doubling to a 1-hour cap, for 24 hours (an hour's outage is
# survived: by then the interval is at most an hour, and 20-odd tries are left).
FIRST_RETRY = timedelta(seconds=10)
MAX_INTERVAL = timedelta(hours=1)
RETRY_WINDOW = timedelta(hours=24)


def retry_after(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 10 s, 20 s, 40 s ... at most 1 h."""
    if attempts < 1:
        raise ValueError("a retry follows at least one attempt")
    # 2**9 * 10 s > 1 h: no need to compute larger powers.
    return min(FIRST_RETRY * (1 << min(attempts - 1, 9)), MAX_INTERVAL)


def next_attempt(window_from: datetime, attempts: int, now: datetime) -> datetime | None:
    """When to try again after the `attempts`-th failure at `now`, or None when that would
    fall outside the 24 hours from `window_from` (the delivery is then dead)."""
    at = now + retry_after(attempts)
    return at if at <= window_from + RETRY_WINDOW else None


URL_MAX = 2000
_HOST = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")


# IPv6 prefixes that carry an IPv4 address to reach behind them (NAT64, 6to4): "global"
# by Python's reading, yet a way to a private IPv4 address.
_CARRYING_IPV4 = tuple(
    ipaddress.ip_network(n) for n in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16")
)


def public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A public unicast address the platform may call: global, not multicast, and not an
    IPv6 form of an IPv4 address behind a translator."""
    if not address.is_global or address.is_multicast:
        return False
    return not (address.version == 6 and any(address in n for n in _CARRYING_IPV4))


def allowed_hosts(raw: str | Iterable[str]) -> frozenset[str]:
    """The operator's list of hosts allowed besides public ones (comma-separated text or
    names), lower-case, IPv6 without brackets."""
    names = raw.split(",") if isinstance(raw, str) else list(raw)
    return frozenset(n.strip().lower().strip("[]") for n in names if n.strip())


def check_url(raw: str, allowed: frozenset[str]) -> str:
    """A webhook URL the platform may POST to: http(s), a host, no credentials in it, and
    a host that is public or that the operator allowed (CREDITREG_WEBHOOK_ALLOWED_HOSTS).

    Loopback, private, link-local and other non-public IP literals and `localhost` are
    refused unless allowed: a unit must not make the platform call into its own network.
    Names are checked as written (the platform does no DNS lookup here)."""
    url = raw.strip()
    if not url or len(url) > URL_MAX:
        raise InvalidInput("webhook.bad_url", f"a webhook URL has 1 to {URL_MAX} characters")
    if any(c.isspace() or not c.isprintable() for c in url):
        # A space, a line break or a control character: no HTTP client sends it as is,
        # and a line break in a request line would be a header injected by a unit.
        raise InvalidInput(
            "webhook.bad_url",
            "a webhook URL has no spaces or control characters (percent-encode them)",
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidInput("webhook.bad_url", f"not a URL: {exc}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidInput(
            "webhook.bad_url", f"a webhook URL is http or https, not {parts.scheme or 'none'!r}"
        )
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("webhook.bad_url", "a webhook URL carries no user name or password")
    host = (parts.hostname or "").lower()
    if not host:
        raise InvalidInput("webhook.bad_url", "a webhook URL names a host")
    if port == 0:
        raise InvalidInput("webhook.bad_url", "port 0 is not a port")
    if parts.fragment:
        raise InvalidInput("webhook.bad_url", "a webhook URL has no #fragment")
    if host in allowed:
        return url
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None:
        if not public_address(address):
            raise InvalidInput(
                "webhook.host_not_allowed",
                f"{host} is not a public address; the operator allows it by listing it in "
                "CREDITREG_WEBHOOK_ALLOWED_HOSTS",
            )
        return url
    if host in ("localhost", "localhost.localdomain") or host.endswith(
        (".localhost", ".local", ".localdomain", ".internal")
    ):
        raise InvalidInput(
            "webhook.host_not_allowed",
            f"{host} is a local name; the operator allows it by listing it in "
            "CREDITREG_WEBHOOK_ALLOWED_HOSTS",
        )
    if host.rsplit(".", 1)[-1][:1].isdigit():
        # "2130706433", "127.1", "0x7f.1": resolvers read these as addresses; no top-level
        # domain starts with a digit.
        raise InvalidInput("webhook.bad_url", f"{host} is neither a dotted address nor a name")
    if not _HOST.fullmatch(host) or "." not in host:
        raise InvalidInput("webhook.bad_url", f"{host} is not a public host name")
    return url


def check_field(code: str | None) -> str | None:
    """A subscription's field (None: every field)."""
    if code is None:
        return None
    if code not in FIELDS:
        raise InvalidInput(
            "webhook_subscription.unknown_field",
            f"{code!r} is not a field; the fields are {', '.join(FIELDS)}",
        )
    return code
