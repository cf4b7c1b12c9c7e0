"""The corrections' tables (OBJ-5; Op(23), Art 66): what was corrected and how, the
apology and the public clarification as stored facts, and compensation claims with every
move of their lifecycle."""

from __future__ import annotations

import sqlalchemy as sa

from creditreg.store.base import ID, UTCDateTime, metadata

# One row per item found to be made in error. The item itself may be gone (an entry is
# deleted and not kept, Op(20)): the target is an id, not a foreign key.
correction = sa.Table(
    "correction",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("target_type", sa.String(20), nullable=False),  # record / list_entry
    sa.Column("target_id", ID, nullable=False),
    sa.Column("subject_id", ID, sa.ForeignKey("subject.id"), nullable=False, index=True),
    # The unit that made the error and apologizes: the designating or providing unit.
    sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=True, index=True),
    sa.Column("list_type", sa.String(20), nullable=True),
    sa.Column("standard_code", sa.String(40), nullable=True),
    sa.Column("matter", sa.String(300), nullable=False),
    sa.Column("done", sa.String(20), nullable=False),  # deleted / withdrawn / returned
    sa.Column("error", sa.Text, nullable=False),
    sa.Column("objection_id", ID, sa.ForeignKey("objection.id"), nullable=True),
    sa.Column("apology_notice_id", ID, sa.ForeignKey("subject_notice.id"), nullable=True),
    # The reputation-restoring notice, as published: on which channels, from and until.
    sa.Column("public_channels", sa.JSON, nullable=False),
    sa.Column("public_name", sa.String(200), nullable=True),
    sa.Column("public_from", sa.Date, nullable=True),
    sa.Column("public_until", sa.Date, nullable=True),
    # Op(23): incentives a red-listed subject received in error, to be reclaimed.
    sa.Column("reclaim", sa.JSON, nullable=False),
    sa.Column("corrected_on", sa.Date, nullable=False),
    sa.Column("made_by", sa.String(100), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_correction_target", "target_type", "target_id"),
    sa.Index("ix_correction_public", "public_until"),
)

compensation_claim = sa.Table(
    "compensation_claim",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("correction_id", ID, sa.ForeignKey("correction.id"), nullable=False, index=True),
    sa.Column("subject_id", ID, sa.ForeignKey("subject.id"), nullable=False, index=True),
    sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=True, index=True),
    sa.Column("amount_claimed_fen", sa.BigInteger, nullable=False),
    sa.Column("grounds", sa.Text, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("claimed_on", sa.Date, nullable=False),
    sa.Column("claimed_by", sa.String(100), nullable=False),
    sa.Column("amount_granted_fen", sa.BigInteger, nullable=True),
    sa.Column("decision_reason", sa.Text, nullable=True),
    sa.Column("decided_on", sa.Date, nullable=True),
    sa.Column("decided_by", sa.String(100), nullable=True),
    sa.Column("paid_on", sa.Date, nullable=True),
    sa.Column("payment_reference", sa.String(100), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

compensation_claim_move = sa.Table(
    "compensation_claim_move",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("claim_id", ID, sa.ForeignKey("compensation_claim.id"), nullable=False, index=True),
    sa.Column("from_status", sa.String(20), nullable=True),
    sa.Column("to_status", sa.String(20), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("at", UTCDateTime, nullable=False),
)
