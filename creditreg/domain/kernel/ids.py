"""Ids are 64-bit (BIGINT): a larger number names nothing and is refused as input, never
handed to a database (SQLite overflows on it; issue 9, defect 1)."""

from __future__ import annotations

MAX_ID = 2**63 - 1
# Versions of catalog items and standards are 32-bit.
MAX_VERSION = 2**31 - 1
