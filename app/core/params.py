"""Bounded request parameters: out-of-range input gets a 422, never a database overflow."""

from typing import Annotated

from fastapi import Path, Query

PageNumber = Annotated[int, Query(ge=1, le=100_000, description="Sidnummer, från 1")]
# 32-bit: PostgreSQL's integer primary keys; anything larger cannot exist.
MAX_RECORD_ID = 2_147_483_647
RecordId = Annotated[int, Path(ge=1, le=MAX_RECORD_ID)]


def parse_record_id(value: str) -> int:
    """A record id posted in a form; ``ValueError`` for anything that cannot be one (so a huge
    number never reaches the database, whose integer keys would overflow)."""
    value = value.strip()
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_RECORD_ID:
        raise ValueError(value)
    return int(value)
