"""The rights context's use cases."""
