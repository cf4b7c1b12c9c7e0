"""Command-line interface (Typer), one group per area."""
