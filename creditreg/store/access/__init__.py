"""The access context's tables and queries."""
