"""The measures context's tables (SQLAlchemy Core): the public catalog of measures
(MEA-1, Art 29) and the memoranda of cooperation that oblige units to apply them
(MEA-2, Op(12))."""

from __future__ import annotations

import sqlalchemy as sa

from creditreg.store.base import ID, UTCDateTime, metadata

# MEA-1, Art 29: what is done, to whom (the trigger), by whom (measure_unit), on what basis.
measure = sa.Table(
    "measure",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("code", sa.String(40), nullable=False, unique=True),
    sa.Column("kind", sa.String(20), nullable=False),  # incentive / punishment
    # red_list / untrustworthy_record / blacklist / key_scrutiny
    sa.Column("trigger", sa.String(30), nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("content_en", sa.Text, nullable=False),
    sa.Column("legal_basis", sa.Text, nullable=False),
    # MEA-6, Art 31: the least severity a fact needs for the measure to apply.
    sa.Column("min_severity", sa.String(20), nullable=False),
    # MEA-7, Op(13): a green-channel facilitation measure for red-listed subjects.
    sa.Column("facilitation", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("status", sa.String(20), nullable=False),  # active / withdrawn
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

measure_move = sa.Table(
    "measure_move",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("measure_id", ID, sa.ForeignKey("measure.id"), nullable=False, index=True),
    sa.Column("from_status", sa.String(20), nullable=True),
    sa.Column("to_status", sa.String(20), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("at", UTCDateTime, nullable=False),
)

# Art 29: the implementing units of a measure.
measure_unit = sa.Table(
    "measure_unit",
    metadata,
    sa.Column("measure_id", ID, sa.ForeignKey("measure.id"), primary_key=True),
    sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), primary_key=True, index=True),
)

# MEA-2, Op(12): a memorandum of cooperation, versioned by code.
memorandum = sa.Table(
    "memorandum",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("code", sa.String(40), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    # draft / in_force / superseded / ended
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("effective_from", sa.Date, nullable=False),
    sa.Column("effective_until", sa.Date, nullable=True),
    # A published draft enters into force on its date (the sweep); an unpublished one never.
    sa.Column("published_at", UTCDateTime, nullable=True),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("code", "version"),
    sa.Index("ix_memorandum_status", "status", "effective_from"),
)

memorandum_move = sa.Table(
    "memorandum_move",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("memorandum_id", ID, sa.ForeignKey("memorandum.id"), nullable=False, index=True),
    sa.Column("from_status", sa.String(20), nullable=True),
    sa.Column("to_status", sa.String(20), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("at", UTCDateTime, nullable=False),
)

memorandum_signatory = sa.Table(
    "memorandum_signatory",
    metadata,
    sa.Column("memorandum_id", ID, sa.ForeignKey("memorandum.id"), primary_key=True),
    sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), primary_key=True),
)

# Op(12): (list trigger, field) -> measure, implemented by a unit. field NULL: every field.
memorandum_item = sa.Table(
    "memorandum_item",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("memorandum_id", ID, sa.ForeignKey("memorandum.id"), nullable=False, index=True),
    sa.Column("trigger", sa.String(30), nullable=False),
    sa.Column("field", sa.String(40), nullable=True),
    sa.Column("measure_id", ID, sa.ForeignKey("measure.id"), nullable=False, index=True),
    sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=False),
    sa.Index("ix_memorandum_item_unit", "unit_id", "trigger"),
)
