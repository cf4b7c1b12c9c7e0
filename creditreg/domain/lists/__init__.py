"""The lists context's pure rules."""
