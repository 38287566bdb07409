"""Fixtures: one migrated database per run (SQLite or PostgreSQL), a rolled-back transaction
per test, and an HTTP client whose requests share that transaction."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from app.auth.models import Role
from app.config import Settings
from app.db import make_engine, make_session_factory
from app.main import create_app
from tests import databases
from tests.factories import AreaSetup, make_area
from tests.http import login


def pytest_report_header() -> str:
    return f"database: {databases.target()}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with databases.throwaway_database(tmp_path_factory.mktemp("db")) as url:
        databases.migrate(url)
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def committed_factory(tmp_path):
    """Sessions on a fresh database of their own, for tests that need real commits seen by
    other connections (concurrency). Slower: a migration per test, so use sparingly."""
    with databases.throwaway_database(tmp_path) as url:
        databases.migrate(url)
        engine = make_engine(url)
        yield make_session_factory(engine)
        engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test: commits made by
    the code under test only release savepoints, so tests never see each other's data."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def session_factory(connection: Connection):
    return make_session_factory(connection, join_transaction_mode="create_savepoint")


@pytest.fixture
def db(session_factory) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        environment="test",
        login_max_failures=5,
        secret_key="k" * 48,
        attachments_dir=tmp_path / "attachments",
        mail_sender_enabled=False,
    )


@pytest.fixture
def client(settings: Settings, session_factory) -> Iterator[TestClient]:
    app = create_app(settings)
    app.state.session_factory = session_factory
    with TestClient(app, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def area(db: Session) -> AreaSetup:
    setup = make_area(db, "testbygd")
    db.commit()
    return setup


@pytest.fixture
def other_area(db: Session) -> AreaSetup:
    # Different figures from ``area`` so that a leak between areas shows in the numbers.
    setup = make_area(db, "grannbygd", allocation_kr=20_000_000, frame_kr=6_000_000)
    db.commit()
    return setup


@pytest.fixture
def handler(client: TestClient, area: AreaSetup) -> TestClient:
    """The test client, logged in as ``area``'s case handler."""
    assert login(client, area.users[Role.HANDLER].email).status_code == 303
    return client
