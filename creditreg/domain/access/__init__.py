"""The access context's pure rules."""
