"""Run the Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from creditreg.domain.kernel.audit import ChainKey
from creditreg.store.kernel import guards

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic Config that runs on `engine`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(
    engine: Engine,
    revision: str = "head",
    *,
    audit_key: ChainKey | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Migrate the database to `revision` (default: the newest).

    Migration 0012 signs the start of the keyed audit chain, so it needs the install's
    `audit_key` (and takes `now` for the signed time). At the head, the triggers that keep
    the audit tables append-only are then put back if one was dropped, disabled or
    changed (SEC-3), also when there was nothing to migrate; returns their names."""
    config = alembic_config(engine)
    config.attributes["audit_key"] = audit_key
    config.attributes["now"] = now
    command.upgrade(config, revision)
    if revision != "head":
        return []
    with engine.begin() as conn:
        return guards.install(conn)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database back to `revision`."""
    command.downgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    """The newest revision the code knows."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()
