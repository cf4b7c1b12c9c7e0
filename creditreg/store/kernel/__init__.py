"""The kernel context's tables and queries."""
