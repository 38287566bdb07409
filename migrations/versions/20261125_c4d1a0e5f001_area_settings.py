"""area settings (issue 10). The area's own settings.

Revision ID: c4d1a0e5f001
Revises: bbc7dde5fc12
Create Date: 2026-11-25 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "c4d1a0e5f001"
down_revision: str | None = "bbc7dde5fc12"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("areas") as batch:
        batch.add_column(
            sa.Column("decision_within_days", sa.Integer(), nullable=False, server_default="30")
        )
        batch.add_column(
            sa.Column("retention_months", sa.Integer(), nullable=False, server_default="120")
        )


def downgrade() -> None:
    with op.batch_alter_table("areas") as batch:
        batch.drop_column("retention_months")
        batch.drop_column("decision_within_days")
