"""The records context's use cases."""
