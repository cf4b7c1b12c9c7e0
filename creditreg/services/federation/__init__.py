"""The federation context's use cases."""
