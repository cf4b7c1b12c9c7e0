"""The rights context's tables and queries."""
