"""Alembic environment: runs on the engine handed over in config.attributes."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Engine

from creditreg.store.schema import metadata

config = context.config
engine: Engine = config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
        render_as_batch=engine.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
