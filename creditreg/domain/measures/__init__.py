"""The measures context's pure rules."""
