"""Values for CSV files people open in a spreadsheet (CWE-1236, formula injection)."""

from __future__ import annotations

from typing import Any

# A cell beginning with one of these is read as a formula by spreadsheet programs.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_csv_cell(value: Any) -> str:
    """A value for a CSV a person will open in a spreadsheet: no formula runs (a leading
    apostrophe makes it text); None is an empty cell."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in _FORMULA_STARTS else text
