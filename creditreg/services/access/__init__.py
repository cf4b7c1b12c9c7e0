"""The access context's use cases."""
