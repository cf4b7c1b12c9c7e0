"""The webhook rules (issue 11; MEA-5, LST-9): which URLs a unit may register, the retry
schedule, and every move of the delivery lifecycle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from creditreg.domain.errors import Conflict, InvalidInput
from creditreg.domain.measures.webhooks import (
    DELIVERY,
    ENDPOINT,
    RETRY_WINDOW,
    DeliveryStatus,
    EndpointStatus,
    allowed_hosts,
    check_field,
    check_url,
    next_attempt,
    retry_after,
)
from creditreg.services.measures.webhook_sender import pinned, resolved, resolves_inside

NONE: frozenset[str] = frozenset()


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://hooks.example.com/x", "webhook.bad_url"),
        ("file:///etc/passwd", "webhook.bad_url"),
        ("javascript:alert(1)", "webhook.bad_url"),
        ("hooks.example.com/x", "webhook.bad_url"),
        ("http://", "webhook.bad_url"),
        ("https://user:pw@hooks.example.com/", "webhook.bad_url"),
        ("http://hooks.example.com:0/", "webhook.bad_url"),
        ("http://hooks.example.com:99999/", "webhook.bad_url"),
        ("http://2130706433/", "webhook.bad_url"),  # 127.0.0.1 as a number
        ("http://0x7f.1/", "webhook.bad_url"),
        ("http://127.1/", "webhook.bad_url"),
        ("http://intranet/", "webhook.bad_url"),  # a bare name: not public
        ("http://" + "a" * 2000 + ".com/", "webhook.bad_url"),
        ("http://localhost/", "webhook.host_not_allowed"),
        ("http://LOCALHOST:8080/hook", "webhook.host_not_allowed"),
        ("http://api.localhost/", "webhook.host_not_allowed"),
        ("http://127.0.0.1/", "webhook.host_not_allowed"),
        ("http://127.9.9.9:8000/", "webhook.host_not_allowed"),
        ("http://10.0.0.1/", "webhook.host_not_allowed"),
        ("http://172.16.5.4/", "webhook.host_not_allowed"),
        ("http://192.168.1.1/", "webhook.host_not_allowed"),
        ("http://169.254.169.254/latest/meta-data", "webhook.host_not_allowed"),
        ("http://0.0.0.0/", "webhook.host_not_allowed"),
        ("http://[::1]/", "webhook.host_not_allowed"),
        ("http://[fd00::1]/", "webhook.host_not_allowed"),
        ("http://[::ffff:127.0.0.1]/", "webhook.host_not_allowed"),
        ("http://224.0.0.1/x", "webhook.host_not_allowed"),  # multicast
        ("http://[ff02::1]/x", "webhook.host_not_allowed"),
        ("http://[64:ff9b::a00:1]/x", "webhook.host_not_allowed"),  # NAT64 to 10.0.0.1
        ("http://[2002:a00:1::1]/x", "webhook.host_not_allowed"),  # 6to4 from 10.0.0.1
        ("http://localhost.localdomain/x", "webhook.host_not_allowed"),
        ("http://box.localdomain/x", "webhook.host_not_allowed"),
        # A line break would be a header injected into the platform's request.
        ("http://hooks.example.com/poison\r\nX: y", "webhook.bad_url"),
        ("http://hooks.example.com/a b", "webhook.bad_url"),
        ("http://hooks.example.com/\x00", "webhook.bad_url"),
        ("http://hooks.example.com/\x7f", "webhook.bad_url"),
    ],
)
def test_urls_that_are_not_http_or_point_inside_are_refused__MEA_5(url: str, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_url(url, NONE)
    assert refused.value.code == code


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/credit",
        "http://hooks.example.com:8443/a?b=c",
        "https://8.8.8.8/hook",
        "https://[2001:4860:4860::8888]/hook",
    ],
)
def test_public_urls_are_accepted__MEA_5(url: str) -> None:
    assert check_url(url, NONE) == url


def test_the_operator_allows_named_hosts__MEA_5() -> None:
    allowed = allowed_hosts(" 127.0.0.1, LocalHost ,[::1],")
    assert allowed == {"127.0.0.1", "localhost", "::1"}
    for url in ("http://127.0.0.1:8123/hook", "http://localhost/x", "http://[::1]:9/"):
        assert check_url(url, allowed) == url
    with pytest.raises(InvalidInput):
        check_url("http://10.0.0.1/", allowed)  # only what is listed
    with pytest.raises(InvalidInput):
        check_url("ftp://127.0.0.1/", allowed)  # listed hosts still speak http(s)


def test_retries_double_from_10_seconds_to_an_hour_for_24_hours__MEA_5() -> None:
    assert [retry_after(n).total_seconds() for n in range(1, 12)] == [
        10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600,
    ]  # fmt: skip
    with pytest.raises(ValueError):
        retry_after(0)
    start = datetime(2026, 3, 2, 1, tzinfo=UTC)
    at, attempts, outage_survived = start, 0, False
    while True:
        attempts += 1
        following = next_attempt(start, attempts, at)
        if following is None:
            break
        outage_survived |= following - start > timedelta(hours=1)
        at = following
    assert outage_survived and at <= start + RETRY_WINDOW
    assert 25 <= attempts <= 40


def test_every_delivery_move_is_in_the_table_or_refused__MEA_5() -> None:
    allowed = {
        ("pending", "deliver"): "delivered",
        ("pending", "fail"): "retrying",
        ("pending", "give_up"): "dead",
        ("retrying", "deliver"): "delivered",
        ("retrying", "fail"): "retrying",
        ("retrying", "give_up"): "dead",
        ("retrying", "redeliver"): "pending",
        ("delivered", "redeliver"): "pending",
        ("dead", "redeliver"): "pending",
    }
    for status in DeliveryStatus:
        for action in ("deliver", "fail", "give_up", "redeliver"):
            if (status.value, action) in allowed:
                assert DELIVERY.next(status, action) == allowed[(status.value, action)]
            else:
                with pytest.raises(Conflict) as refused:
                    DELIVERY.next(status, action)
                assert refused.value.code == "webhook_delivery.illegal_transition"
    assert ENDPOINT.next(EndpointStatus.ACTIVE, "disable") == "disabled"
    with pytest.raises(Conflict):
        ENDPOINT.next(EndpointStatus.DISABLED, "disable")


def test_a_subscription_names_a_known_field__LST_9() -> None:
    assert check_field(None) is None
    assert check_field("taxation") == "taxation"
    with pytest.raises(InvalidInput) as refused:
        check_field("astrology")
    assert refused.value.code == "webhook_subscription.unknown_field"


def test_a_name_resolving_inside_the_network_is_not_called__MEA_5() -> None:
    """A public-looking name (e.g. a wildcard DNS service) that resolves to loopback,
    private or link-local addresses is refused at send time, like the literal would be;
    one that does not resolve is a failed attempt (retried); allowed hosts are called."""
    table = {
        "127.0.0.1.nip.io": ["127.0.0.1"],
        "metadata.example": ["169.254.169.254"],
        "mixed.example": ["93.184.216.34", "10.0.0.5"],
        "v6.example": ["::1"],
        "multicast.example": ["224.0.0.251"],
        "nat64.example": ["64:ff9b::a00:1"],  # 10.0.0.1 behind a NAT64 translator
        "6to4.example": ["2002:a00:1::1"],
        "public.example": ["93.184.216.34", "2606:2800:220:1::1"],
    }

    def resolve(host: str, port: int | None) -> list[str]:
        if host not in table:
            raise OSError("no such host")
        return table[host]

    for host in (
        "127.0.0.1.nip.io", "metadata.example", "mixed.example", "v6.example", "multicast.example",
        "nat64.example", "6to4.example",
    ):  # fmt: skip
        why = resolves_inside(f"https://{host}/hook", frozenset(), resolve)
        assert why is not None and "not a public address" in why, host
    assert resolves_inside("https://public.example/hook", frozenset(), resolve) is None
    assert "cannot resolve" in str(resolves_inside("https://gone.example/", frozenset(), resolve))
    assert (
        resolves_inside("https://127.0.0.1.nip.io/", frozenset({"127.0.0.1.nip.io"}), resolve)
        is None
    )
    assert resolves_inside("http://127.0.0.1:8080/", frozenset({"127.0.0.1"}), resolve) is None


def test_the_post_goes_to_the_address_that_was_checked__MEA_5() -> None:
    """DNS rebinding: the name is resolved once, judged, and the connection made to that
    address, the Host header and the TLS name still the name as written."""

    def resolve(host: str, port: int | None) -> list[str]:
        return {"hooks.example": ["93.184.216.34"], "v6.example": ["2606:2800:220:1::1"]}[host]

    assert resolved("https://hooks.example/hook", frozenset(), resolve) == (["93.184.216.34"], None)
    assert resolved("https://93.184.216.34/hook", frozenset(), resolve) == (None, None)
    url, host, extensions = pinned("https://hooks.example:8443/hook?a=1", "93.184.216.34")
    assert url == "https://93.184.216.34:8443/hook?a=1"
    assert host == {"host": "hooks.example:8443"}
    assert extensions == {"sni_hostname": "hooks.example"}
    url, host, extensions = pinned("http://v6.example/x", "2606:2800:220:1::1")
    assert (url, host, extensions) == ("http://[2606:2800:220:1::1]/x", {"host": "v6.example"}, {})
