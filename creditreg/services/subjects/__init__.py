"""The subjects context's use cases."""
