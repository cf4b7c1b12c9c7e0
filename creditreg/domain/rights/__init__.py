"""The rights context's pure rules."""
