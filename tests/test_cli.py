"""`make run`'s own steps, as a new user runs them: the command line in a fresh process."""

import os
import subprocess
import sys
from pathlib import Path

from app.config import PROJECT_ROOT


def _app(*args: str, database: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BYGD_DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_migrate_load_demo_twice_and_print_logins(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    assert _app("migrate", database=database).returncode == 0
    first = _app("load-demo", database=database)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "Demodata inläst."
    second = _app("load-demo", database=database)
    assert second.stdout.strip() == "Demodata fanns redan; inget ändrat."
    logins = _app("logins", database=database)
    assert "handlaggare@demo.bygdestod.se" in logins.stdout
    assert "admin@demo.bygdestod.se" in logins.stdout
