"""The documented backup works: ``pg_dump --format=custom`` of a database with the demo area,
``pg_restore`` into a fresh database, and every row, the schema revision, the sequences and the
ledger's append-only guard come back (docs/production.md, "Backups")."""

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app.db import make_engine, make_session_factory
from app.demo.seed import load_demo
from app.models import Base
from app.ops.service import check_readiness
from tests import databases

pytestmark = pytest.mark.skipif(
    not databases.is_postgres(),
    reason="pg_dump/pg_restore back up PostgreSQL; a SQLite file is copied with sqlite3 .backup",
)


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as the PostgreSQL client tools take it (no ``+psycopg``)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(*command: str) -> None:
    tool = shutil.which(command[0])
    assert tool, f"{command[0]} is missing: install the PostgreSQL client (postgresql-client)"
    result = subprocess.run(
        [tool, *command[1:]], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr


def _snapshot(engine: Engine) -> dict[str, object]:
    """Row counts of every table, the Alembic revision and every sequence's position."""
    with engine.connect() as connection:
        counts = {
            table.name: connection.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        }
        revision = connection.scalars(text("SELECT version_num FROM alembic_version")).all()
        sequences = connection.execute(
            text("SELECT sequencename, last_value FROM pg_sequences ORDER BY sequencename")
        ).all()
    return {"counts": counts, "revision": revision, "sequences": sequences}


def test_a_dump_restores_into_a_fresh_database(tmp_path: Path) -> None:
    dump = tmp_path / "bygdestod.dump"
    with (
        databases.throwaway_database(tmp_path) as source_url,
        databases.throwaway_database(tmp_path) as restored_url,
    ):
        databases.migrate(source_url)
        source = make_engine(source_url)
        restored = make_engine(restored_url)
        try:
            with make_session_factory(source)() as session:
                assert load_demo(session, "demo-lösenord")
                session.commit()

            _run("pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _libpq(source_url))
            _run("pg_restore", "--no-owner", "--exit-on-error", "--single-transaction",
                 f"--dbname={_libpq(restored_url)}", str(dump))  # fmt: skip

            before, after = _snapshot(source), _snapshot(restored)
            assert after == before
            assert before["counts"]["applications"] > 0 and before["counts"]["ledger_entries"] > 0
            with make_session_factory(restored)() as session:
                assert check_readiness(session).ready
            # The triggers came back too: the ledger is still append-only.
            with restored.connect() as connection, pytest.raises(DBAPIError, match="append-only"):
                connection.execute(text("DELETE FROM ledger_entries"))
        finally:
            source.dispose()
            restored.dispose()
