"""The production set-up as far as it can be checked without Docker (which cannot run on the
project's machines): the Dockerfile's instructions, and the production guide against the code."""

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app.config import PROJECT_ROOT, Settings
from tests import databases
from tests.smtp import free_port

DOCKERFILE = PROJECT_ROOT / "Dockerfile"
GUIDE = PROJECT_ROOT / "docs" / "production.md"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str


def _instructions(path: Path) -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined and comments left out."""
    logical: list[str] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    assert not pending, "the Dockerfile ends in a line continuation"
    return [Instruction(*[*line.split(None, 1), ""][:2]) for line in logical]


def _final_stage() -> list[Instruction]:
    instructions = _instructions(DOCKERFILE)
    last_from = max(i for i, each in enumerate(instructions) if each.keyword == "FROM")
    return instructions[last_from:]


def _exec_form(arguments: str) -> list[str]:
    return json.loads(arguments)


def _command() -> str:
    [cmd] = [each for each in _final_stage() if each.keyword == "CMD"]
    shell, flag, script = _exec_form(cmd.arguments)
    assert (shell, flag) == ("sh", "-c")
    return script


def _ignored() -> set[str]:
    lines = (PROJECT_ROOT / ".dockerignore").read_text().splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def test_the_image_is_python_311_slim() -> None:
    base = _final_stage()[0].arguments
    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", base), base


def test_the_service_runs_as_a_numeric_non_root_user() -> None:
    [user] = [each.arguments for each in _final_stage() if each.keyword == "USER"]
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) > 0  # numeric, so that runAsNonRoot can verify it


def test_the_pinned_lock_is_installed() -> None:
    runs = " ".join(each.arguments for each in _final_stage() if each.keyword == "RUN")
    assert "pip install --no-cache-dir -r requirements.lock" in runs
    assert "pybabel compile -d app/locale -l en" in runs
    assert (PROJECT_ROOT / "app/locale/en/LC_MESSAGES/messages.po").is_file()


def test_every_copied_file_is_in_the_repository_and_not_docker_ignored() -> None:
    ignored = _ignored()
    for each in _instructions(DOCKERFILE):
        if each.keyword != "COPY" or each.arguments.startswith("--from="):
            continue
        *sources, _destination = shlex.split(each.arguments)
        for source in sources:
            assert (PROJECT_ROOT / source).exists(), f"COPY {source}: not in the repository"
            assert source not in ignored, f"COPY {source}: excluded by .dockerignore"


def test_secrets_and_local_state_stay_out_of_the_build_context() -> None:
    assert {".env", "var", ".venv", "node_modules", "*.db"} <= _ignored()


def test_htmx_comes_from_the_same_pinned_package_as_in_make() -> None:
    """The image builds static/vendor/htmx.min.js (not committed) as ``make assets`` does."""
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    source = "node_modules/htmx.org/dist/htmx.min.js"
    assert f"cp {source} $@" in makefile
    assets = next(each for each in _instructions(DOCKERFILE) if each.keyword == "RUN")
    assert f"cp {source} static/vendor/" in assets.arguments
    lock = json.loads((PROJECT_ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/htmx.org"]["integrity"].startswith("sha512-")
    assert any(
        each.keyword == "COPY" and each.arguments.endswith("/build/static/vendor ./static/vendor")
        for each in _final_stage()
    )


def test_the_container_migrates_then_execs_the_server_behind_a_proxy() -> None:
    script = _command()
    migrate, _, serve = script.partition(" && ")
    assert migrate == "python -m app migrate"
    server = shlex.split(serve)
    assert server[:5] == ["exec", "python", "-m", "app", "serve"]
    assert "--proxy-headers" in server
    assert "--workers" not in server  # WEB_CONCURRENCY in the image's environment decides
    port = server[server.index("--port") + 1]
    exposed = [each.arguments for each in _final_stage() if each.keyword == "EXPOSE"]
    assert exposed == [port]


def test_the_health_check_asks_healthz_on_the_served_port() -> None:
    [check] = [each.arguments for each in _final_stage() if each.keyword == "HEALTHCHECK"]
    port = shlex.split(_command().partition(" && ")[2])
    port = port[port.index("--port") + 1]
    assert f"http://127.0.0.1:{port}/healthz" in check


def _image_env() -> dict[str, str]:
    envs = [each.arguments for each in _final_stage() if each.keyword == "ENV"]
    words = shlex.split(" ".join(envs))
    return dict(word.split("=", 1) for word in words)


def test_production_defaults_in_the_image() -> None:
    env = _image_env()
    assert env["BYGD_ENVIRONMENT"] == "production"
    assert env["BYGD_LOG_FORMAT"] == "json"


def _wait_until_ready(base_url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail("the server never became ready")


def test_the_container_command_serves_here_and_logs_only_json(tmp_path: Path) -> None:
    """The image's command and environment, run without Docker: it migrates a fresh database,
    serves with two workers (WEB_CONCURRENCY), and every line it writes, the supervisor's
    included, is JSON."""
    port = free_port()
    script = _command().replace("--host 0.0.0.0 --port 8000", f"--host 127.0.0.1 --port {port}")
    assert f"--port {port}" in script
    with databases.throwaway_database(tmp_path) as url:
        env = {
            **os.environ,
            **_image_env(),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "BYGD_DATABASE_URL": url,
            "BYGD_SECRET_KEY": "s" * 48,
            "BYGD_COOKIE_SECURE": "true",
            "BYGD_MAIL_SENDER_ENABLED": "false",
            "BYGD_ATTACHMENTS_DIR": str(tmp_path / "attachments"),
        }
        server = subprocess.Popen(
            ["/bin/sh", "-c", script], cwd=PROJECT_ROOT, env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            _wait_until_ready(f"http://127.0.0.1:{port}", server)
            response = httpx.get(
                f"http://127.0.0.1:{port}/healthz", headers={"X-Request-ID": "docker-1"}
            )
            assert response.headers["X-Request-ID"] == "docker-1"
        finally:
            server.send_signal(signal.SIGTERM)
            output = server.communicate(timeout=60)[0]

    assert server.returncode == 0, output
    lines = [json.loads(line) for line in output.splitlines()]
    loggers = {line["logger"] for line in lines}
    assert {"alembic.runtime.migration", "app.serve", "uvicorn.error", "app.access"} <= loggers
    [started] = [line for line in lines if line["logger"] == "app.serve"]
    assert started["message"] == f"starting 2 workers on 127.0.0.1:{port}"
    assert "uvicorn.access" not in loggers  # it would log the client's address
    [health] = [line for line in lines if line.get("path") == "/healthz"]
    assert (health["status"], health["request_id"]) == (200, "docker-1")


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_the_production_guide_documents_every_setting(name: str) -> None:
    assert f"`BYGD_{name.upper()}`" in GUIDE.read_text(), f"BYGD_{name.upper()} is not documented"


def test_the_readme_links_the_production_guide() -> None:
    assert "(docs/production.md)" in (PROJECT_ROOT / "README.md").read_text()
