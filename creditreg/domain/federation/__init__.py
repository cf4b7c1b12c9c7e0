"""The federation context's pure rules."""
