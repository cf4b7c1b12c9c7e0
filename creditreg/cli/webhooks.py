"""`creditreg webhooks`: a unit's webhook endpoints, its subscriptions to designations and
the delivery log (MEA-5, LST-9; issue 11). `--unit` acts for the unit; without it the
operator reads every unit's."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from creditreg.cli.base import acting, app, context, id_argument, id_option, run
from creditreg.services.measures import unit_notices, webhooks
from creditreg.services.measures.webhooks import DeliveryView, EndpointView, SubscriptionView

webhooks_app = typer.Typer(
    help="Webhook endpoints, subscriptions and deliveries of a unit (MEA-5, LST-9).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
endpoints_app = typer.Typer(
    help="Where a unit's notices are POSTed.", no_args_is_help=True, rich_markup_mode=None
)
subscriptions_app = typer.Typer(
    help="Designations a unit is told of.", no_args_is_help=True, rich_markup_mode=None
)
deliveries_app = typer.Typer(
    help="The delivery log, and redelivery.", no_args_is_help=True, rich_markup_mode=None
)
webhooks_app.add_typer(endpoints_app, name="endpoints")
webhooks_app.add_typer(subscriptions_app, name="subscriptions")
webhooks_app.add_typer(deliveries_app, name="deliveries")
app.add_typer(webhooks_app, name="webhooks")

ForUnit = Annotated[int | None, id_option("--unit", help="act for this unit")]


def _endpoint_line(e: EndpointView) -> str:
    return f"endpoint {e['id']} (unit {e['unit_id']}): {e['url']} {e['status']}"


def _subscription_line(s: SubscriptionView) -> str:
    return (
        f"subscription {s['id']} (unit {s['unit_id']}): {s['kind']} in "
        f"{s['field'] or 'every field'}, {s['list_type'] or 'every list'}"
    )


def _delivery_line(d: DeliveryView) -> str:
    answer = f", last answer {d['last_status_code']}" if d["last_status_code"] else ""
    error = f", last error: {d['last_error']}" if d["last_error"] else ""
    due = f", next try {d['next_attempt_at']}" if d["next_attempt_at"] else ""
    return (
        f"delivery {d['id']}: notice {d['notice_id']} ({d['notice_kind']}) to {d['url']}: "
        f"{d['status']} after {d['attempts']} attempt(s){answer}{error}{due}"
    )


@endpoints_app.command("add")
def add_endpoint(
    url: Annotated[str, typer.Argument(help="http(s) URL")], unit: ForUnit = None
) -> None:
    """Register an endpoint; prints its signing secret once."""
    ctx = context()
    made = run(lambda: webhooks.add_endpoint(ctx, acting(ctx, unit), url))
    typer.echo(_endpoint_line(made))
    typer.echo(f"secret (shown once): {made['secret']}")


@endpoints_app.command("list")
def list_endpoints(unit: ForUnit = None) -> None:
    """The endpoints, removed ones included."""
    ctx = context()
    for e in run(lambda: webhooks.endpoints(ctx, acting(ctx, unit))):
        typer.echo(_endpoint_line(e))


@endpoints_app.command("remove")
def remove_endpoint(
    endpoint_id: Annotated[int, id_argument("the endpoint")], unit: ForUnit = None
) -> None:
    """Stop POSTing to an endpoint."""
    ctx = context()
    typer.echo(
        _endpoint_line(run(lambda: webhooks.remove_endpoint(ctx, acting(ctx, unit), endpoint_id)))
    )


@subscriptions_app.command("add")
def subscribe(
    field: Annotated[str | None, typer.Option(help="a field code (default: every field)")] = None,
    list_type: Annotated[
        Literal["red_list", "blacklist", "key_scrutiny", "big_data_warning"] | None,
        typer.Option(help="one list (default: every list)"),
    ] = None,
    unit: ForUnit = None,
) -> None:
    """Be told of new designations (LST-9)."""
    ctx = context()
    made = run(
        lambda: webhooks.subscribe(
            ctx, acting(ctx, unit), kind="designation", field=field, list_type=list_type
        )
    )
    typer.echo(_subscription_line(made))


@subscriptions_app.command("list")
def list_subscriptions(unit: ForUnit = None) -> None:
    """The subscriptions."""
    ctx = context()
    for s in run(lambda: webhooks.subscriptions(ctx, acting(ctx, unit))):
        typer.echo(_subscription_line(s))


@subscriptions_app.command("remove")
def unsubscribe(
    subscription_id: Annotated[int, id_argument("the subscription")], unit: ForUnit = None
) -> None:
    """End a subscription."""
    ctx = context()
    gone = run(lambda: webhooks.unsubscribe(ctx, acting(ctx, unit), subscription_id))
    typer.echo(f"removed {_subscription_line(gone)}")


@deliveries_app.command("list")
def list_deliveries(
    status: Annotated[str | None, typer.Option(help="pending, delivered, retrying or dead")] = None,
    unit: ForUnit = None,
) -> None:
    """The delivery log, newest first."""
    ctx = context()
    for d in run(lambda: webhooks.deliveries(ctx, acting(ctx, unit), status=status)):
        typer.echo(_delivery_line(d))


@deliveries_app.command("redeliver")
def redeliver(
    delivery_id: Annotated[int, id_argument("the delivery")],
    unit: ForUnit = None,
    endpoint: Annotated[
        int | None,
        id_option("--endpoint", help="send it to this endpoint of the unit's (its own removed)"),
    ] = None,
) -> None:
    """Queue a delivery again (24 hours of retries from now), under the same webhook-id;
    if its endpoint was removed, to --endpoint or the unit's one active endpoint."""
    ctx = context()
    who = acting(ctx, unit)
    typer.echo(_delivery_line(run(lambda: webhooks.redeliver(ctx, who, delivery_id, endpoint))))


@webhooks_app.command("notices")
def notices(
    unit: ForUnit = None,
    kind: Annotated[str | None, typer.Option(help="stop or designation")] = None,
    after: Annotated[int, typer.Option(min=0, help="only those after this notice id")] = 0,
) -> None:
    """The notices a unit was told (MEA-5 stop notices, LST-9 designations), oldest first;
    without --unit, every unit's."""
    ctx = context()
    for n in run(
        lambda: unit_notices.listing(ctx, acting(ctx, unit), kind=kind, after=after, limit=1000)
    ):
        typer.echo(
            f"notice {n['id']} to unit {n['unit_id']}: {n['kind']} {n['object_type']} "
            f"{n['object_id']} ({n['created_at']}): {n['message']}"
        )
