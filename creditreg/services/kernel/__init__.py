"""The kernel context's use cases."""
