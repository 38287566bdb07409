"""personal data (issue 10): the access log, and anonymisation of closed cases.

The audit log stays append-only with one exception, enforced here by the database: an event
may be updated once, to scrub a case's personal data from its texts, and only when the update
sets ``anonymised_at`` and leaves who, when, which record and which action as they were.

Revision ID: c4d1a0e5f003
Revises: c4d1a0e5f002
Create Date: 2026-11-25 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "c4d1a0e5f003"
down_revision: str | None = "c4d1a0e5f002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns that place an event in the trail; a scrub must leave them alone.
_FIXED = ("id", "area_id", "occurred_at", "actor_user_id", "entity_type", "entity_id", "action")


def _scrub_only(same: str) -> str:
    """The condition under which an UPDATE of an audit event is allowed (``same``: the
    dialect's NULL-safe equality)."""
    fixed = " AND ".join(f"NEW.{column} {same} OLD.{column}" for column in _FIXED)
    return f"OLD.anonymised_at IS NULL AND NEW.anonymised_at IS NOT NULL AND {fixed}"


def upgrade() -> None:
    op.create_table(
        "personal_data_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "view_case", "open_document", "export_case_list", "search", "export_json",
                "export_pdf", name="access_action", native_enum=False, create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("subject_hash", sa.String(length=64), nullable=True),
        sa.Column("matches", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"],
            name=op.f("fk_personal_data_access_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_personal_data_access_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_personal_data_access_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_data_access")),
    )
    op.create_index("ix_personal_data_access_area_at", "personal_data_access", ["area_id", "at"])
    op.create_index("ix_personal_data_access_user_at", "personal_data_access", ["user_id", "at"])
    # Plain ADD COLUMN on both databases: SQLite keeps the table (and its triggers) as it is.
    op.add_column("applications", sa.Column("anonymised_at", sa.DateTime(timezone=True)))
    op.add_column("audit_events", sa.Column("anonymised_at", sa.DateTime(timezone=True)))

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION guard_audit_event() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            f" IF TG_OP = 'UPDATE' AND {_scrub_only('IS NOT DISTINCT FROM')} THEN RETURN NEW;"
            " END IF; RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
        )
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events"
            " FOR EACH ROW EXECUTE FUNCTION guard_audit_event()"
        )
        return
    op.execute("DROP TRIGGER audit_events_no_update")
    op.execute(
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events"
        f" WHEN NOT ({_scrub_only('IS')})"
        " BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
    )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events"
            " FOR EACH ROW EXECUTE FUNCTION refuse_change()"
        )
        op.execute("DROP FUNCTION guard_audit_event()")
    else:
        # Dropping a column rebuilds the table on SQLite, which would lose its triggers.
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute("DROP TRIGGER audit_events_no_delete")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("anonymised_at")
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("anonymised_at")
    if not postgres:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{event.lower()} BEFORE {event} ON audit_events"
                " BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
            )
    op.drop_index("ix_personal_data_access_user_at", table_name="personal_data_access")
    op.drop_index("ix_personal_data_access_area_at", table_name="personal_data_access")
    op.drop_table("personal_data_access")
