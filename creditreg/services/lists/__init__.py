"""The lists context's use cases."""
