"""The federation context's tables and queries."""
