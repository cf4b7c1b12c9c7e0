"""creditreg: a credit-information sharing platform (see README)."""

__version__ = "0.1.0"
