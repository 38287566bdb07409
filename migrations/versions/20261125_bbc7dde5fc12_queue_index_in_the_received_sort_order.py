"""An index in the queue's default sort order ("Senast inkomna": submitted_at DESC NULLS LAST,
id DESC), so that a page of the queue reads 50 index entries instead of sorting the whole area.

PostgreSQL puts NULLs first in a DESC index unless told otherwise; SQLite rejects NULLS LAST in
an index but already puts NULLs last in DESC order, so both indexes serve the same ORDER BY.

Revision ID: bbc7dde5fc12
Revises: 106b9e0d5fed
Create Date: 2026-11-25 03:20:53.062255
"""

from collections.abc import Sequence

from alembic import op


revision: str = "bbc7dde5fc12"
down_revision: str | None = "106b9e0d5fed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    nulls_last = " NULLS LAST" if op.get_bind().dialect.name == "postgresql" else ""
    op.execute(
        "CREATE INDEX ix_applications_area_received ON applications"
        f" (area_id, submitted_at DESC{nulls_last}, id DESC)"
    )


def downgrade() -> None:
    op.drop_index("ix_applications_area_received", table_name="applications")
