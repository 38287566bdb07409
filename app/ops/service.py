"""Readiness: can this process serve requests right now?

A process is ready when its database answers and holds the schema this code was written for.
During a rolling upgrade the new code starts before (or while) ``python -m app migrate`` runs;
until the schema is at the newest revision the proxy should keep sending traffic elsewhere.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.config import PROJECT_ROOT
from app.db import make_engine, read_only

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Readiness:
    """A readiness probe's answer: ``reason`` says why not, ``revision`` where the schema is."""

    ready: bool
    reason: str | None = None
    revision: str | None = None


@lru_cache(maxsize=1)
def expected_revisions() -> frozenset[str]:
    """The head revision(s) of the migrations shipped with this code (read once per process)."""
    script = ScriptDirectory.from_config(Config(str(PROJECT_ROOT / "alembic.ini")))
    return frozenset(script.get_heads())


def _names(revisions: frozenset[str]) -> str:
    return ",".join(sorted(revisions)) or "none"


def _database_revisions(session: Session) -> frozenset[str]:
    # Read directly rather than through Alembic's MigrationContext, which logs two INFO lines
    # each time: a probe every few seconds would fill the log.
    if not inspect(session.connection()).has_table("alembic_version"):
        return frozenset()
    return frozenset(session.scalars(text("SELECT version_num FROM alembic_version")))


def check_readiness(session: Session) -> Readiness:
    """Run ``SELECT 1`` and compare the database's Alembic revision with the code's."""
    try:
        # A reader's transaction: on SQLite a probe must not take the single write lock.
        read_only(session)
        session.execute(text("SELECT 1"))
        current = _database_revisions(session)
    except SQLAlchemyError as exc:
        logger.warning("readiness check: database unreachable: %s", exc)
        return Readiness(ready=False, reason="database unreachable")
    expected = expected_revisions()
    if current != expected:
        return Readiness(
            ready=False,
            reason=f"schema at {_names(current)}, code expects {_names(expected)}",
            revision=_names(current),
        )
    return Readiness(ready=True, revision=_names(current))


# Any fixed number: every Bygdestöd migration on one PostgreSQL server takes the same lock.
MIGRATION_LOCK_KEY = 0x6279_6764_0001


@contextmanager
def migration_lock(database_url: str) -> Iterator[None]:
    """Hold a PostgreSQL advisory lock for the block, so that replicas starting together run
    the migrations one after the other (the later ones find the schema at head and do nothing).

    SQLite needs none: every migration transaction starts with BEGIN IMMEDIATE, which already
    lets one writer in at a time.
    """
    if not database_url.startswith("postgresql"):
        yield
        return
    engine = make_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
    finally:
        engine.dispose()
