"""The measures context's tables and queries."""
