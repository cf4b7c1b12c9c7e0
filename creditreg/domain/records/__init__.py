"""The records context's pure rules."""
