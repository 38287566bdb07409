"""Writing cells for Excel and LibreOffice safely: every export goes through ``cell_text``."""

from typing import Any

# Text an applicant typed must never become a formula in a spreadsheet (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
