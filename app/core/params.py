"""Bounded request parameters: out-of-range input gets a 422, never a database overflow."""

from typing import Annotated

from fastapi import Path, Query

PageNumber = Annotated[int, Query(ge=1, le=100_000, description="Sidnummer, från 1")]
# 32-bit: PostgreSQL's integer primary keys; anything larger cannot exist.
RecordId = Annotated[int, Path(ge=1, le=2_147_483_647)]
