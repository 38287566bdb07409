"""area settings (issue 10). The area's own settings: what the applicant is told, retention, the
statutes' quorum and balance rule, and the basic conditions (grundkrav) per programme period.

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

# The basic conditions the code asked every period before they became settings (Leader
# Södermanland's); existing periods keep them, under the same keys as the answers already given.
EARLIER_BASIC_CONDITIONS = (
    ("strategy", "Projektet bidrar till målen i områdets strategi"),
    ("leader_method", "Projektet följer Leadermetoden (lokalt, underifrån, samverkan)"),
    ("area", "Projektet genomförs i och gynnar Leaderområdet"),
)


# Each new column of areas with its range. Added with plain ALTER TABLE, which both databases
# take in place: a batch rebuild of areas on SQLite would drop a table that every other table
# references, which its foreign-key check refuses once there is data.
AREA_COLUMNS = (
    ("decision_within_days", 30, 1, 365),
    ("retention_months", 120, 1, 240),
    ("quorum_percent", 50, 50, 99),
    ("balance_limit_percent", 49, 34, 50),
)


def upgrade() -> None:
    for column, default, low, high in AREA_COLUMNS:
        op.execute(
            f"ALTER TABLE areas ADD COLUMN {column} INTEGER DEFAULT {default} NOT NULL "
            f"CONSTRAINT ck_areas_{column}_range CHECK ({column} BETWEEN {low} AND {high})"
        )

    basic_conditions = op.create_table(
        "basic_conditions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_basic_conditions_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["programme_periods.id"],
            name=op.f("fk_basic_conditions_period_id_programme_periods"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_basic_conditions")),
        sa.UniqueConstraint("period_id", "key", name=op.f("uq_basic_conditions_period_id_key")),
    )
    with op.batch_alter_table("basic_conditions") as batch:
        batch.create_index(batch.f("ix_basic_conditions_area_id"), ["area_id"], unique=False)
        batch.create_index(batch.f("ix_basic_conditions_period_id"), ["period_id"], unique=False)

    periods = op.get_bind().execute(sa.text("SELECT id, area_id FROM programme_periods")).all()
    op.bulk_insert(
        basic_conditions,
        [
            dict(area_id=area_id, period_id=period_id, key=key, position=position, text=text,
                 active=True)
            for period_id, area_id in periods
            for position, (key, text) in enumerate(EARLIER_BASIC_CONDITIONS, 1)
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("basic_conditions") as batch:
        batch.drop_index(batch.f("ix_basic_conditions_period_id"))
        batch.drop_index(batch.f("ix_basic_conditions_area_id"))
    op.drop_table("basic_conditions")
    for column, *_range in reversed(AREA_COLUMNS):
        op.execute(f"ALTER TABLE areas DROP COLUMN {column}")  # its CHECK goes with it
