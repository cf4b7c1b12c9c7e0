"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL.

SQLite: a database migrated once per session is copied for each test.
PostgreSQL (CREDITREG_TEST_PG_URL, default postgresql://postgres@127.0.0.1:5432/test): each
test migrates its own schema, named after the session, dropped at the end.
With CI=true a PostgreSQL or browser test that cannot run fails; elsewhere it is skipped
and the run ends with a loud warning.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from creditreg.bootstrap import build_context
from creditreg.clock import CST, FixedClock
from creditreg.config import Settings
from creditreg.services.context import Context
from creditreg.store.engine import make_engine
from creditreg.store.migrate import upgrade

PG_URL = os.environ.get("CREDITREG_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SESSION = uuid.uuid4().hex[:8]
# The tests' default "now": a Monday, 09:00 China Standard Time.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=CST)

_unavailable: list[str] = []


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """argon2's cheapest profile in tests: the same code path, a fraction of the cost."""
    from argon2 import PasswordHasher, profiles

    from creditreg.services.access import access

    default = access._hasher
    access._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    yield
    access._hasher = default


def unavailable(what: str) -> None:
    """Fail in CI; elsewhere skip, and remember to warn loudly at the end."""
    if IN_CI:
        pytest.fail(f"{what} (CI=true: this test must run)", pytrace=False)
    _unavailable.append(what)
    pytest.skip(what)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _unavailable:
        reasons = sorted(set(_unavailable))
        terminalreporter.write_sep("!", "TESTS SKIPPED BECAUSE SOMETHING IS MISSING", red=True)
        for reason in reasons:
            terminalreporter.write_line(f"  {reason}", red=True)
        terminalreporter.write_line(
            f"  {len(_unavailable)} test(s) did not run; with CI=true they fail.", red=True
        )


_pg_state: dict[str, Any] = {}


def pg_admin_engine() -> sa.Engine | None:
    if "engine" not in _pg_state:
        engine = make_engine(PG_URL)
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("select 1"))
            _pg_state["engine"] = engine
        except sa.exc.OperationalError as exc:
            _pg_state["engine"] = None
            _pg_state["error"] = str(exc.orig).strip().splitlines()[0]
    engine = _pg_state["engine"]
    return engine if isinstance(engine, sa.Engine) else None


@pytest.fixture(scope="session", autouse=True)
def _drop_session_schemas() -> Iterator[None]:
    yield
    engine = _pg_state.get("engine")
    if isinstance(engine, sa.Engine):
        with engine.connect() as conn:
            names = list(
                conn.execute(
                    sa.text("select nspname from pg_namespace where nspname like :p"),
                    {"p": f"crt_{SESSION}_%"},
                ).scalars()
            )
        for name in names:  # leftovers only: each test drops its own schema
            _drop_schema(engine, name)
        engine.dispose()


def _drop_schema(engine: sa.Engine, name: str) -> None:
    # One transaction per schema: dropping them all at once runs out of lock slots.
    with engine.begin() as conn:
        conn.execute(sa.text(f'drop schema if exists "{name}" cascade'))


@dataclass(frozen=True)
class DbTarget:
    """Where a test's database lives."""

    backend: str
    url: str
    schema: str | None

    def settings(self, **extra: Any) -> Settings:
        return Settings(database_url=self.url, database_schema=self.schema, **extra)

    def env(self) -> dict[str, str]:
        env = {"CREDITREG_DATABASE_URL": self.url}
        if self.schema:
            env["CREDITREG_DATABASE_SCHEMA"] = self.schema
        return env


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def _new_target(backend: str, tmp_path: Path, template: Path) -> DbTarget:
    if backend == "sqlite":
        path = tmp_path / "creditreg.db"
        shutil.copy(template, path)
        return DbTarget("sqlite", f"sqlite:///{path}", None)
    admin = pg_admin_engine()
    if admin is None:
        unavailable(f"PostgreSQL unreachable at {PG_URL}: {_pg_state.get('error')}")
    assert admin is not None
    schema = f"crt_{SESSION}_{uuid.uuid4().hex[:8]}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'create schema "{schema}"'))
    engine = make_engine(PG_URL, schema)
    upgrade(engine)
    engine.dispose()
    return DbTarget("postgresql", PG_URL, schema)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[DbTarget]:
    """A migrated, empty database: each test runs once on SQLite and once on PostgreSQL."""
    target = _new_target(request.param, tmp_path, sqlite_template)
    yield target
    admin = pg_admin_engine()
    if target.schema and admin is not None:
        _drop_schema(admin, target.schema)


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: Path) -> DbTarget:
    """A migrated, empty SQLite database (for tests about SQLite itself)."""
    return _new_target("sqlite", tmp_path, sqlite_template)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def ctx(db: DbTarget, clock: FixedClock) -> Iterator[Context]:
    context = build_context(db.settings(), clock=clock)
    yield context
    context.db.dispose()
