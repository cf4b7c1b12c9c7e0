"""audit keyed: the chain becomes an HMAC chain, anchored in signed checkpoints

Issue 9, defect 7. From this revision on every audit event's hash is an HMAC-SHA256 under
the install's audit key, which lives outside the database. The events already stored keep
their plain SHA-256 hashes: checkpoint 1 (`start`), signed under the key, records the
head of that unkeyed chain, and verification checks the events up to it with SHA-256 and
the rest with HMAC. The key is handed over by `creditreg db upgrade` (Alembic's
config.attributes["audit_key"]); without it this revision refuses to run, since an
unsigned start could be moved by anyone who can write to the database.

Downgrading drops the checkpoints; the events written under the key stay, and the
unkeyed verification of the older code reports them as broken.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25 09:00:00
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import context, op

from creditreg.domain.kernel.audit import GENESIS_HASH, ChainKey
from creditreg.domain.kernel.checkpoints import CheckpointKind, new_checkpoint
from creditreg.store.kernel import guards

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# The same constant as store.kernel.queries.CHAIN_LOCK: nothing appends while the start
# of the keyed chain is taken.
CHAIN_LOCK = 7_301_2026


def upgrade() -> None:
    key = context.config.attributes.get("audit_key")
    if not isinstance(key, ChainKey):
        raise RuntimeError(
            "migration 0012 signs the audit chain's head with the audit key: run it "
            "through 'creditreg db upgrade' (or creditreg.store.migrate.upgrade(engine, "
            "audit_key=...))"
        )
    op.create_table(
        "audit_checkpoint",
        sa.Column("number", ID, nullable=False, autoincrement=False),
        sa.Column("seq", ID, nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_audit_checkpoint")),
    )
    bind = op.get_bind()
    guards.install(bind, ("audit_checkpoint",))
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK})
    head = bind.execute(
        sa.text("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1")
    ).first()
    now = context.config.attributes.get("now") or datetime.now(UTC)
    start = new_checkpoint(
        key,
        number=1,
        seq=int(head[0]) if head else 0,
        head_hash=str(head[1]) if head else GENESIS_HASH,
        created_at=now.isoformat(),
        kind=CheckpointKind.START,
        actor="migration 0012",
    )
    bind.execute(
        sa.text(
            "INSERT INTO audit_checkpoint (number, seq, head_hash, created_at, kind, actor,"
            " key_id, signature) VALUES (:number, :seq, :head_hash, :created_at, :kind,"
            " :actor, :key_id, :signature)"
        ),
        start.as_dict(),
    )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoint_no_truncate ON audit_checkpoint")
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoint_no_change ON audit_checkpoint")
        op.execute("DROP FUNCTION IF EXISTS audit_checkpoint_append_only()")
    op.drop_table("audit_checkpoint")
