"""The schema comes from Alembic alone: it upgrades, downgrades and matches the models."""

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, Enum, inspect

from app.db import make_engine
from app.models import Base
from tests import databases


@pytest.fixture
def fresh_url(tmp_path: Path):
    with databases.throwaway_database(tmp_path) as url:
        yield url


def test_upgrade_downgrade_upgrade(fresh_url: str) -> None:
    config = databases.alembic_config(fresh_url)
    command.upgrade(config, "head")
    engine = make_engine(fresh_url)
    assert {"applications", "ledger_entries", "audit_events"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()

    command.downgrade(config, "base")
    engine = make_engine(fresh_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()

    command.upgrade(config, "head")
    engine = make_engine(fresh_url)
    assert "ledger_entries" in inspect(engine).get_table_names()
    engine.dispose()


def test_check_constraints_match_the_models(engine) -> None:
    """Autogenerate does not compare CHECK constraints, so compare their names ourselves."""
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        declared = {
            constraint.name
            for constraint in table.constraints
            if isinstance(constraint, CheckConstraint)
        }
        declared |= {
            f"ck_{table.name}_{column.type.name}"
            for column in table.columns
            if isinstance(column.type, Enum)
        }
        reflected = {check["name"] for check in inspector.get_check_constraints(table.name)}
        assert reflected == declared, table.name


def test_models_and_migrations_agree(engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "render_as_batch": engine.dialect.name == "sqlite"},
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
