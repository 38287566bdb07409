"""The production processes, started as a service manager starts them: ``python -m app ...`` in
a fresh process against a real database (and a real SMTP server for the outbox worker)."""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select

from app.cli import SEND_BATCH
from app.config import PROJECT_ROOT
from app.db import make_engine, make_session_factory
from app.email.models import OutboxMessage
from app.email.service import enqueue
from app.ops.service import expected_revisions
from tests import databases
from tests.smtp import SmtpServer, smtp_server


def _env(database_url: str, **settings: str) -> dict[str, str]:
    env = {**os.environ, "BYGD_DATABASE_URL": database_url}
    env.update({f"BYGD_{name.upper()}": value for name, value in settings.items()})
    return env


def _app(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _start(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "app", *args],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    with databases.throwaway_database(tmp_path) as url:
        databases.migrate(url)
        yield url


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


def _queue(url: str, count: int) -> None:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        for number in range(count):
            enqueue(session, to=f"sokande{number}@example.se", subject="Kvitto",
                    body="Vi har tagit emot er ansökan.", kind="receipt")  # fmt: skip
        session.commit()
    engine.dispose()


def _unsent(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
        )
    engine.dispose()
    return count or 0


def test_send_mail_once_sends_everything_due_and_exits(database: str, smtp: SmtpServer) -> None:
    # More than one round of the sender, so that --once has to go round again.
    _queue(database, SEND_BATCH + 1)
    env = _env(database, smtp_host=smtp.host, smtp_port=str(smtp.port))

    first = _app("send-mail", "--once", env=env)

    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == (
        f"Utkorgen: {SEND_BATCH + 1} skickade, 0 misslyckades (försöks igen senare)."
    )
    assert len(smtp.handler.received) == SEND_BATCH + 1
    assert _unsent(database) == 0
    again = _app("send-mail", "--once", env=env)
    assert again.stdout.strip() == "Utkorgen: 0 skickade, 0 misslyckades (försöks igen senare)."
    assert len(smtp.handler.received) == SEND_BATCH + 1


def test_send_mail_runs_as_a_worker_until_sigterm(database: str, smtp: SmtpServer) -> None:
    _queue(database, 1)
    env = _env(database, smtp_host=smtp.host, smtp_port=str(smtp.port), mail_poll_seconds="0.2")
    worker = _start("send-mail", env=env)
    try:
        deadline = time.monotonic() + 60
        while not smtp.handler.received and time.monotonic() < deadline:
            time.sleep(0.1)
        assert smtp.handler.received, "the worker sent nothing"
        _queue(database, 1)  # found at a later poll
        while len(smtp.handler.received) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(smtp.handler.received) == 2
        worker.send_signal(signal.SIGTERM)
        stdout, stderr = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0, stderr
    assert "Skickar e-post från utkorgen" in stdout


def test_migrate_logs_json_lines(tmp_path: Path) -> None:
    with databases.throwaway_database(tmp_path) as url:
        result = _app("migrate", env=_env(url, log_format="json"))

    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert lines, "migrate logged nothing"
    assert {line["level"] for line in lines} == {"INFO"}
    assert any(line["message"].startswith("Running upgrade") for line in lines)
    assert all(line["logger"].startswith("alembic") for line in lines)


def test_replicas_starting_together_migrate_once(tmp_path: Path) -> None:
    """Every container runs ``migrate`` on start; two at once must both succeed."""
    with databases.throwaway_database(tmp_path) as url:
        env = _env(url)
        started = [_start("migrate", env=env) for _ in range(2)]
        errors = [process.communicate(timeout=180)[1] for process in started]
        assert [process.returncode for process in started] == [0, 0], errors
        engine = make_engine(url)
        with engine.connect() as connection:
            heads = MigrationContext.configure(connection).get_current_heads()
        engine.dispose()
    assert frozenset(heads) == expected_revisions()
