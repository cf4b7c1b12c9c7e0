"""subject accounts: accounts and sessions (access); activation codes, bindings and the
subjects' notices (rights). Issue 10, part 1.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "subject_account",
        sa.Column("id", ID, nullable=False),
        sa.Column("subject_id", ID, nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_account")),
        sa.UniqueConstraint("username", name=op.f("uq_subject_account_username")),
    )
    op.create_index(
        op.f("ix_subject_account_subject_id"), "subject_account", ["subject_id"], unique=False
    )
    op.create_table(
        "subject_session",
        sa.Column("id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("expires_at", AT, nullable=False),
        sa.Column("revoked_at", AT, nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["subject_account.id"],
            name=op.f("fk_subject_session_account_id_subject_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_subject_session_token_hash")),
    )
    op.create_index(
        op.f("ix_subject_session_account_id"), "subject_session", ["account_id"], unique=False
    )
    op.create_table(
        "subject_notice",
        sa.Column("id", ID, nullable=False),
        sa.Column("subject_id", ID, nullable=False),
        sa.Column("unit_id", ID, nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("source_type", sa.String(length=40), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("owner_type", sa.String(length=40), nullable=False),
        sa.Column("owner_id", sa.String(length=64), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("read_at", AT, nullable=True),
        sa.Column("delivered_on", sa.Date(), nullable=True),
        sa.Column("delivered_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subject.id"], name=op.f("fk_subject_notice_subject_id_subject")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_subject_notice_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_notice")),
        sa.UniqueConstraint(
            "source_type", "source_id", name=op.f("uq_subject_notice_source_type_source_id")
        ),
    )
    op.create_index("ix_subject_notice_inbox", "subject_notice", ["subject_id", "id"])
    op.create_index("ix_subject_notice_owner", "subject_notice", ["owner_type", "owner_id"])
    op.create_index(op.f("ix_subject_notice_unit_id"), "subject_notice", ["unit_id"])
    op.create_table(
        "activation_code",
        sa.Column("id", ID, nullable=False),
        sa.Column("subject_id", ID, nullable=False),
        sa.Column("prefix", sa.String(length=8), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("notice_id", ID, nullable=True),
        sa.Column("holder_role", sa.String(length=30), nullable=True),
        sa.Column("holder_name", sa.String(length=200), nullable=True),
        sa.Column("document_type", sa.String(length=40), nullable=True),
        sa.Column("document_masked", sa.String(length=40), nullable=True),
        sa.Column("authorization_letter", sa.String(length=200), nullable=True),
        sa.Column("checked_by", sa.String(length=200), nullable=True),
        sa.Column("checked_on", sa.Date(), nullable=True),
        sa.Column("issued_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("expires_at", AT, nullable=False),
        sa.Column("used_at", AT, nullable=True),
        sa.Column("superseded_at", AT, nullable=True),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subject.id"], name=op.f("fk_activation_code_subject_id_subject")
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["subject_notice.id"],
            name=op.f("fk_activation_code_notice_id_subject_notice"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activation_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_activation_code_code_hash")),
    )
    op.create_index(op.f("ix_activation_code_subject_id"), "activation_code", ["subject_id"])
    op.create_index(op.f("ix_activation_code_notice_id"), "activation_code", ["notice_id"])
    op.create_table(
        "account_binding",
        sa.Column("id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("subject_id", ID, nullable=False),
        sa.Column("code_id", ID, nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("holder_role", sa.String(length=30), nullable=False),
        sa.Column("holder_name", sa.String(length=200), nullable=True),
        sa.Column("document_type", sa.String(length=40), nullable=True),
        sa.Column("document_masked", sa.String(length=40), nullable=True),
        sa.Column("authorization_letter", sa.String(length=200), nullable=True),
        sa.Column("checked_by", sa.String(length=200), nullable=True),
        sa.Column("checked_on", sa.Date(), nullable=True),
        sa.Column("bound_at", AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["subject_account.id"],
            name=op.f("fk_account_binding_account_id_subject_account"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subject.id"], name=op.f("fk_account_binding_subject_id_subject")
        ),
        sa.ForeignKeyConstraint(
            ["code_id"],
            ["activation_code.id"],
            name=op.f("fk_account_binding_code_id_activation_code"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_binding")),
        sa.UniqueConstraint("account_id", name=op.f("uq_account_binding_account_id")),
        sa.UniqueConstraint("code_id", name=op.f("uq_account_binding_code_id")),
    )
    op.create_index(op.f("ix_account_binding_subject_id"), "account_binding", ["subject_id"])


def downgrade() -> None:
    op.drop_table("account_binding")
    op.drop_table("activation_code")
    op.drop_table("subject_notice")
    op.drop_table("subject_session")
    op.drop_table("subject_account")
