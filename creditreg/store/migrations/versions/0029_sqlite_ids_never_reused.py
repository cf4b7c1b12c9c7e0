"""sqlite_ids_never_reused: ids told outside the platform are never given twice on SQLite

SEC-2, SEC-3: SQLite gives a new row the highest id plus one, so once the rows with the
highest ids were deleted (the register's two-year purge, a notice or an objection erased
with an entry deleted in error) the next row took an id already told to someone: a check's
`check_id` held by an implementing unit named another read, and the apology for an erased
written notice took the number printed on that notice. These tables now keep SQLite's
AUTOINCREMENT sequence (rebuilt, rows and indexes kept: copying the rows starts the
sequence at the highest id alive); PostgreSQL's sequences never reuse an id, and its
tables are left as they are.

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-25 05:00:00
"""

from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

TABLES = (
    "query_register",
    "subject_notice",
    "unit_notice",
    "notification",
    "objection",
    "reconsideration",
    "measure_feedback",
    "red_list_feedback",
    "webhook_delivery",
    "webhook_subscription",
    "list_notice",
    "restoration_application",
)


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TABLES:
        with op.batch_alter_table(
            name, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
