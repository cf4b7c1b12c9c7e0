"""Storage: SQLAlchemy 2.0 Core tables, engine set-up, unit of work, Alembic migrations."""
