"""Alembic environment: runs on the engine handed over in config.attributes."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy.engine import Connection, Engine

from creditreg.store.schema import metadata

config = context.config
engine: Engine = config.attributes["engine"]

sqlite = engine.dialect.name == "sqlite"


def _driver(connection: Connection) -> Any:
    """The DB-API connection under `connection` (a PRAGMA run there begins nothing)."""
    driver = connection.connection.driver_connection
    assert driver is not None
    return driver


with engine.connect() as connection:
    if sqlite:
        # A table rebuilt in batch mode is dropped and made again: with its rows still
        # referenced, SQLite refuses the drop while foreign keys are enforced. They are
        # off for the migration (only outside a transaction can they be turned off), and
        # checked whole before it counts.
        _driver(connection).execute("PRAGMA foreign_keys=OFF")
    try:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
        connection.commit()
    finally:
        if sqlite:
            _driver(connection).execute("PRAGMA foreign_keys=ON")
