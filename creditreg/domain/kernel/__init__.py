"""The kernel context's pure rules."""
