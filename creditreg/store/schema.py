"""The one MetaData with every context's tables. The migrations under store/migrations
create exactly these; a test compares the two so that they never drift apart."""

from __future__ import annotations

from creditreg.store.access import query_register as query_register_tables
from creditreg.store.access import tables as access_tables
from creditreg.store.base import metadata
from creditreg.store.kernel import tables as kernel_tables
from creditreg.store.lists import tables as lists_tables
from creditreg.store.measures import feedback_tables as measure_feedback_tables
from creditreg.store.measures import tables as measures_tables
from creditreg.store.measures import webhook_tables
from creditreg.store.records import tables as records_tables
from creditreg.store.rights import correction_tables, objection_tables
from creditreg.store.rights import reports as reports_tables
from creditreg.store.rights import tables as rights_tables
from creditreg.store.subjects import tables as subjects_tables

# Importing a context's tables registers them on the one MetaData.
CONTEXT_TABLES = (
    kernel_tables,
    access_tables,
    query_register_tables,
    subjects_tables,
    records_tables,
    lists_tables,
    measure_feedback_tables,
    objection_tables,
    correction_tables,
    rights_tables,
    reports_tables,
    measures_tables,
    webhook_tables,
)

__all__ = ["CONTEXT_TABLES", "metadata"]
