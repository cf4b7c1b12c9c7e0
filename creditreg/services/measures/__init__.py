"""The measures context's use cases."""
