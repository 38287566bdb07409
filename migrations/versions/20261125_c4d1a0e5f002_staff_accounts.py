"""staff accounts (issue 10). Placeholder until filled in: no schema change yet.

Revision ID: c4d1a0e5f002
Revises: c4d1a0e5f001
Create Date: 2026-11-25 05:00:00
"""

from collections.abc import Sequence


revision: str = "c4d1a0e5f002"
down_revision: str | None = "c4d1a0e5f001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
