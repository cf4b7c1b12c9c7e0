"""The subjects context's tables and queries."""
