"""Notices to units and their webhooks (MEA-5, LST-9; issue 11)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from creditreg.api.schemas.common import In, Open, Out, Timestamp


class WebhookEndpointIn(In):
    """A URL the unit's notices are POSTed to (Standard Webhooks)."""

    url: str = Field(
        max_length=2000,
        description="http(s); a loopback, private or local host only where the operator "
        "allows it (CREDITREG_WEBHOOK_ALLOWED_HOSTS)",
    )


class WebhookEndpoint(Out):
    """A registered endpoint; removed ones stay, disabled, for the delivery log."""

    id: int
    unit_id: int
    url: str
    status: Literal["active", "disabled"]
    created_at: Timestamp
    disabled_at: Timestamp | None


class NewWebhookEndpoint(WebhookEndpoint):
    """The endpoint just registered, with its signing secret: shown this once."""

    secret: str = Field(
        description="`whsec_` + base64 key: verify each request's webhook-signature with it "
        "(e.g. `standardwebhooks.Webhook(secret).verify(body, headers)`)"
    )


class WebhookSubscriptionIn(In):
    """LST-9: be told of new designations (in a field, of a list type, or every one)."""

    kind: Literal["designation"] = "designation"
    field: str | None = Field(default=None, max_length=40, description="a field code; none: all")
    list_type: Literal["red_list", "blacklist", "key_scrutiny", "big_data_warning"] | None = None


class WebhookSubscription(Out):
    id: int
    unit_id: int
    kind: Literal["designation"]
    field: str | None
    list_type: str | None
    created_at: Timestamp


class WebhookDeliveryMove(Out):
    from_status: str | None
    to_status: str
    action: str
    status_code: int | None = Field(description="the receiver's answer to this attempt")
    note: str | None = Field(description="why an attempt failed (timeout, refused, HTTP 500)")
    at: Timestamp


class WebhookDelivery(Out):
    """One notice POSTed to one endpoint: its attempts and where it stands."""

    id: int
    notice_id: int
    notice_kind: str
    endpoint_id: int
    url: str
    unit_id: int
    status: Literal["pending", "delivered", "retrying", "dead"]
    attempts: int
    next_attempt_at: Timestamp | None = Field(description="the next retry (none: not due)")
    last_attempt_at: Timestamp | None
    last_status_code: int | None
    last_error: str | None
    created_at: Timestamp
    history: list[WebhookDeliveryMove]


class UnitNoticeData(Open):
    """A notice's facts: ids, list, field, dates (never a subject's name or number). The
    keys below are those of the notices the platform sends today; newer kinds add theirs."""

    entry_id: int | None = Field(default=None, description="the list entry it is about")
    list_type: str | None = None
    field: str | None = None
    subject_id: int | None = None
    designated_on: str | None = Field(default=None, description="a designation's date")
    ended_on: str | None = Field(default=None, description="a stop notice: when it ended")
    reason: str | None = Field(
        default=None,
        description="a stop notice: why the entry ended (expiry, restoration, "
        "standard_changed, deleted_in_error ...)",
    )
    suspended_on: str | None = Field(
        default=None, description="a suspend notice: from when the entry's measures pause"
    )
    resumed_on: str | None = Field(
        default=None, description="a resume notice: from when they apply again"
    )
    event: int | None = Field(default=None, description="the outbox position it came from")


class UnitNotice(Out):
    """What a unit was told: a stop notice (MEA-5), a suspend or resume notice while an
    objection to an entry it applies is decided (OBJ-6), or a designation it subscribed
    to (`kind`: stop, suspend, resume, designation)."""

    id: int
    unit_id: int
    kind: str
    object_type: str
    object_id: str
    message: str
    data: UnitNoticeData
    created_at: Timestamp
