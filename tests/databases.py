"""Real test databases: a SQLite file or a throwaway PostgreSQL database, migrated by Alembic.

``BYGD_TEST_DATABASE`` chooses: ``sqlite`` (default) or a PostgreSQL URL whose server is used to
create (and afterwards drop) a database with a random name, so runs never share state.
"""

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.config import PROJECT_ROOT


def target() -> str:
    return os.environ.get("BYGD_TEST_DATABASE", "sqlite")


def is_postgres() -> bool:
    return target().startswith("postgresql")


@contextmanager
def throwaway_database(tmp_dir: Path) -> Iterator[str]:
    """Yield the URL of a new, empty database of the configured kind; remove it afterwards."""
    name = f"bygdestod_test_{secrets.token_hex(6)}"
    if not is_postgres():
        path = tmp_dir / f"{name}.db"
        yield f"sqlite:///{path}"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    admin_url = make_url(target())
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def alembic_config(url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["url"] = url
    config.attributes["configure_logger"] = False
    return config


def migrate(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)
