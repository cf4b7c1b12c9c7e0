"""The records context's tables and queries."""
