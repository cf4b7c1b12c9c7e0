"""`python -m creditreg` is the `creditreg` command."""

from creditreg.cli.main import main

main()
