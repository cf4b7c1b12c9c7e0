"""The fuzzer in the suite (issue 9): schemathesis over the ASGI app, in process, on
SQLite with the demo data. Every operation, none excluded, with each demo unit's token
and without one; deterministic (derandomized, 25 examples an operation) so that CI sees
what a developer saw. Checks: no server error, every status documented, every answer
matching its documented schema and media type. SEC-1, ING-1, DIS-5."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from creditreg.api.app import create_app
from creditreg.bootstrap import build_context
from creditreg.clock import FixedClock
from creditreg.config import Settings
from creditreg.demo import dataset as demo
from creditreg.store.migrate import upgrade
from tests.conftest import T0, audit_key

TOKENS = ("platform", "provider", "designator", "implementer", None)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]


@pytest.fixture(scope="module")
def fuzzed_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The API over its own demo-loaded SQLite database, for one module's fuzzing."""
    path: Path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    settings_ = Settings(
        database_url=f"sqlite:///{path}",
        embedded_worker=False,
        audit_checkpoint_file=path.with_suffix(".checkpoints.jsonl"),
    )
    ctx = build_context(settings_, clock=FixedClock(T0))
    upgrade(ctx.db.engine, audit_key=audit_key())
    demo.load(ctx)
    yield schemathesis.openapi.from_asgi("/openapi.json", create_app(ctx, settings_))
    ctx.db.dispose()


@pytest.mark.parametrize("key", TOKENS, ids=lambda k: k or "no-token")
def test_every_operation_answers_as_documented__SEC_1(
    fuzzed_schema: schemathesis.BaseSchema, key: str | None
) -> None:
    """Every operation, with this caller; failures are collected, then reported at once."""
    headers = {"Authorization": f"Bearer {demo.token_for(key)}"} if key else {}
    failures: list[str] = []
    operations = [result.ok() for result in fuzzed_schema.get_all_operations()]
    assert len(operations) > 50  # every operation, none excluded
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            fuzz()
        except Exception as exc:  # collected: one run reports every failing operation
            failures.append(f"{operation.label}: {str(exc)[:600]}")
    assert failures == []
