"""Demo data: seed data for `make run`, not use cases."""
