"""Health and readiness probes, request ids and the JSON log lines."""

import io
import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.config import Settings
from app.main import create_app
from app.ops.logs import JsonFormatter, current_request_id
from app.ops.service import expected_revisions
from tests.smtp import free_port

LogLines = Callable[[], list[dict]]


@pytest.fixture
def log_lines() -> Iterator[LogLines]:
    """Every record logged during the test, as the JSON formatter writes it (parsed back)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@contextmanager
def _started(settings: Settings, database_url: str) -> Iterator[TestClient]:
    """The app started as in production, with an engine of its own on ``database_url``."""
    app = create_app(settings.model_copy(update={"database_url": database_url}))
    with TestClient(app, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def database_down(settings: Settings) -> Iterator[TestClient]:
    """On a PostgreSQL port nobody serves."""
    with _started(settings, f"postgresql+psycopg://bygdestod@127.0.0.1:{free_port()}/x") as client:
        yield client


def _access_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "app.access"]


# --- Probes ---


def test_healthz_answers_without_the_database(database_down: TestClient) -> None:
    response = database_down.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["cache-control"] == "no-store"


def test_readyz_is_unavailable_when_the_database_is_down(database_down: TestClient) -> None:
    response = database_down.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reason": "database unreachable"}


def test_readyz_is_ready_at_the_newest_schema(client: TestClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "database": "ok",
        "revision": ",".join(sorted(expected_revisions())),
    }


def test_readyz_waits_for_the_migration(client: TestClient, connection) -> None:
    # The database one revision behind (the test's transaction is rolled back afterwards).
    connection.execute(text("UPDATE alembic_version SET version_num = 'c0ffee000000'"))

    response = client.get("/readyz")

    assert response.status_code == 503
    head = ",".join(sorted(expected_revisions()))
    assert response.json() == {
        "status": "unavailable",
        "reason": f"schema at c0ffee000000, code expects {head}",
    }


def test_readyz_on_a_database_never_migrated(settings: Settings, tmp_path: Path) -> None:
    with _started(settings, f"sqlite:///{tmp_path / 'empty.db'}") as client:
        response = client.get("/readyz")

    assert response.status_code == 503
    head = ",".join(sorted(expected_revisions()))
    assert response.json()["reason"] == f"schema at none, code expects {head}"


def test_probes_are_not_part_of_the_api_schema(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert not {"/healthz", "/readyz"} & set(paths)


# --- Request ids ---


def test_a_sane_incoming_request_id_is_kept(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42:1"})
    assert response.headers["X-Request-ID"] == "lb-7f3a.42:1"


@pytest.mark.parametrize("sent", [None, "", "a" * 65, "två ord", "x\u2028y", "id;drop"])
def test_otherwise_a_new_request_id_is_made(client: TestClient, sent: str | None) -> None:
    headers = {} if sent is None else {"X-Request-ID": sent.encode()}
    first = client.get("/healthz", headers=headers).headers["X-Request-ID"]
    second = client.get("/healthz", headers=headers).headers["X-Request-ID"]

    assert len(first) == 32 and int(first, 16) >= 0
    assert first != second


def test_pages_and_refusals_carry_the_request_id_too(client: TestClient) -> None:
    assert client.get("/").headers["X-Request-ID"]
    assert client.get("/cases", follow_redirects=False).headers["X-Request-ID"]
    assert client.get("/no-such-page").headers["X-Request-ID"]


# --- Log lines ---


def test_every_line_of_a_request_carries_its_id(database_down: TestClient, log_lines) -> None:
    database_down.get("/readyz", headers={"X-Request-ID": "probe-1"})

    lines = log_lines()
    warning = next(line for line in lines if line["logger"] == "app.ops.service")
    # Logged from the worker thread a sync route runs in, and still with the request's id.
    assert warning["level"] == "WARNING"
    assert warning["request_id"] == "probe-1"
    assert warning["message"].startswith("readiness check: database unreachable")
    [access] = _access_lines(lines)
    assert access["request_id"] == "probe-1"
    assert access["level"] == "INFO"
    assert access["message"] == "GET /readyz 503"
    assert (access["method"], access["path"], access["status"]) == ("GET", "/readyz", 503)
    assert isinstance(access["duration_ms"], float) and access["duration_ms"] >= 0
    assert access["timestamp"].endswith("+00:00")


def test_the_access_line_leaves_out_personal_data_and_link_tokens(
    client: TestClient, log_lines
) -> None:
    client.get("/cases?q=anna.svensson@example.se", follow_redirects=False)
    client.get("/a/hemligtoken123/review")
    client.get("/set-password/hemliginbjudan456")

    # (The test client itself logs the whole URL, as "httpx".)
    logged = json.dumps([line for line in log_lines() if line["logger"].startswith("app")])
    searched, linked, invited = _access_lines(log_lines())
    assert searched["path"] == "/cases"
    assert linked["path"] == "/a/{token}/review"
    assert invited["path"] == "/set-password/{invitation}"
    assert "anna" not in logged
    assert "hemligtoken123" not in logged
    assert "hemliginbjudan456" not in logged


def test_a_server_error_is_logged_and_answered_with_the_request_id(
    settings: Settings, session_factory, log_lines
) -> None:
    app = create_app(settings)
    app.state.session_factory = session_factory

    def boom() -> None:
        raise RuntimeError("trasig")

    app.add_api_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom", headers={"X-Request-ID": "fel-1"})

    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "fel-1"
    lines = log_lines()
    error = next(line for line in lines if line["logger"] == "app.main")
    assert error["level"] == "ERROR"
    assert error["request_id"] == "fel-1"
    assert "RuntimeError: trasig" in error["exception"]
    [access] = _access_lines(lines)
    assert (access["status"], access["request_id"]) == (500, "fel-1")


def test_lines_outside_a_request_have_no_request_id() -> None:
    assert current_request_id() is None
    try:
        raise ValueError("ingen förfrågan")
    except ValueError:
        record = logging.LogRecord(
            "app.email.service", logging.ERROR, __file__, 1, "utkorgen: %s", ("fel",),
            sys.exc_info(),
        )  # fmt: skip
    line = json.loads(JsonFormatter().format(record))

    assert line["request_id"] is None
    assert line["message"] == "utkorgen: fel"
    assert line["exception"].endswith("ValueError: ingen förfrågan")
