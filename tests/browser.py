"""Real browser journeys: the app as a real uvicorn server on a free loopback port, a real SMTP
server, and Debian's Chromium driven by Playwright. A failing step leaves a screenshot and the
page's HTML under test-artifacts/."""

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy.orm import Session, sessionmaker

from app.config import PROJECT_ROOT, Settings
from app.db import make_engine, make_session_factory
from app.main import create_app
from tests import databases
from tests.smtp import SmtpServer, free_port

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
# Without these Chromium tries to reach Google's services, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def live_server(settings: Settings) -> Iterator[str]:
    """Serve the app for the duration of the block; yields its base URL."""
    port = free_port()
    settings = settings.model_copy(update={"public_base_url": f"http://127.0.0.1:{port}"})
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield settings.public_base_url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run `make test` (it installs Debian's chromium).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def step(page: Page, name: str) -> Iterator[None]:
    """A named step of a journey; on failure its screenshot and HTML are kept for the reader."""
    try:
        yield
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        page.screenshot(path=str(ARTIFACTS / f"{slug}.png"), full_page=True)
        (ARTIFACTS / f"{slug}.html").write_text(page.content(), encoding="utf-8")
        raise


T = TypeVar("T")


def wait_for(predicate: Callable[[], T | None], seconds: float = 15) -> T:
    """Poll something outside the browser (e.g. the SMTP server's inbox) until it holds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.1)
    pytest.fail("timed out waiting")


@contextmanager
def committed_database(tmp_path: Path) -> Iterator[tuple[str, sessionmaker[Session]]]:
    """A migrated database of its own whose commits the live server's connections see."""
    with databases.throwaway_database(tmp_path) as url:
        databases.migrate(url)
        engine = make_engine(url)
        yield url, make_session_factory(engine)
        engine.dispose()


def served_settings(settings: Settings, url: str, smtp: SmtpServer) -> Settings:
    """The test settings for a live server on ``url`` that sends its mail to ``smtp`` at once."""
    return settings.model_copy(
        update={
            "database_url": url,
            "smtp_host": smtp.host,
            "smtp_port": smtp.port,
            "mail_sender_enabled": True,
            "mail_poll_seconds": 0.5,
        }
    )
