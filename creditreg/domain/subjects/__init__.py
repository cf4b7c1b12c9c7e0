"""The subjects context's pure rules."""
