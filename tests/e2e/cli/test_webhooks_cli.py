"""`creditreg webhooks` (issue 11, part 6; MEA-5, LST-9): a unit's endpoints,
subscriptions and delivery log from the command line, on SQLite and PostgreSQL; refusals
are one line with their code and exit code."""

from __future__ import annotations

import pytest

from tests.conftest import DbTarget
from tests.e2e.cli.test_lists_cli import cli


def test_webhooks_from_the_command_line__MEA_5_LST_9(
    db: DbTarget, demo_data: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = cli(
        db, "webhooks", "endpoints", "add", "ftp://hooks.example.com/", "--unit", "4"
    )
    assert code == 2 and "[webhook.bad_url]" in err
    code, _, err = cli(db, "webhooks", "endpoints", "add", "http://127.0.0.1:9/hook", "--unit", "4")
    assert code == 2 and "[webhook.host_not_allowed]" in err
    code, _, err = cli(db, "webhooks", "endpoints", "add", "https://hooks.example.com/")
    assert code == 2 and "[webhook.no_unit]" in err
    monkeypatch.setenv("CREDITREG_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1")
    code, out, err = cli(
        db, "webhooks", "endpoints", "add", "http://127.0.0.1:9/hook", "--unit", "4"
    )
    assert code == 0, err
    assert out.startswith("endpoint 1 (unit 4): http://127.0.0.1:9/hook active")
    assert "secret (shown once): whsec_" in out
    code, out, _ = cli(db, "webhooks", "endpoints", "list", "--unit", "4")
    assert code == 0 and out.count("endpoint ") == 1 and "whsec_" not in out
    code, out, err = cli(
        db, "webhooks", "subscriptions", "add", "--field", "taxation", "--list-type",
        "blacklist", "--unit", "4",
    )  # fmt: skip
    assert code == 0, err
    assert out.strip() == "subscription 1 (unit 4): designation in taxation, blacklist"
    code, _, err = cli(db, "webhooks", "subscriptions", "add", "--field", "x", "--unit", "4")
    assert code == 2 and "[webhook_subscription.unknown_field]" in err
    code, out, _ = cli(db, "webhooks", "subscriptions", "list")  # the operator: every unit's
    assert code == 0 and "subscription 1 (unit 4)" in out
    code, out, _ = cli(db, "webhooks", "subscriptions", "remove", "1", "--unit", "4")
    assert code == 0 and out.startswith("removed subscription 1")
    code, out, _ = cli(db, "webhooks", "deliveries", "list", "--status", "dead", "--unit", "4")
    assert code == 0 and out == ""
    code, _, err = cli(db, "webhooks", "deliveries", "list", "--status", "lost")
    assert code == 2 and "[webhook_delivery.bad_status]" in err
    code, _, err = cli(db, "webhooks", "deliveries", "redeliver", "5", "--unit", "4")
    assert code == 3 and "[webhook_delivery.not_found]" in err
    # Naming the endpoint to send it to (the delivery's own removed, MEA-5): an id.
    code, _, err = cli(
        db, "webhooks", "deliveries", "redeliver", "5", "--unit", "4", "--endpoint", "1"
    )
    assert code == 3 and "[webhook_delivery.not_found]" in err
    code, _, err = cli(db, "webhooks", "deliveries", "redeliver", "5", "--endpoint", "0")
    assert code == 2 and "--endpoint" in err
    code, out, _ = cli(db, "webhooks", "endpoints", "remove", "1", "--unit", "4")
    assert code == 0 and out.strip().endswith("disabled")
    code, _, err = cli(db, "webhooks", "endpoints", "remove", "1", "--unit", "4")
    assert code == 4 and "[webhook_endpoint.illegal_transition]" in err
