"""The lists context's tables and queries."""
