"""``python -m app serve``, the production server, run as a service manager runs it: every worker
listens on a socket of its own and connections are spread over them, a worker that dies is
replaced, one that cannot start stops the server, and SIGTERM stops everything.

Which worker holds a connection is read from /proc (Linux, where the service runs): the worker's
file descriptors name socket inodes, and /proc/net/tcp gives each inode its ports."""

import gc
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from app.config import PROJECT_ROOT
from app.ops.serve import START_GRACE_SECONDS, ServeOptions, load_and_freeze, uvicorn_config
from tests.smtp import free_port

LISTEN, ESTABLISHED = "0A", "01"
T = TypeVar("T")


def _env(tmp_path: Path) -> dict[str, str]:
    # /healthz needs no database, so an empty SQLite file will do.
    return {
        **os.environ, "BYGD_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "BYGD_ENVIRONMENT": "production", "BYGD_SECRET_KEY": "s" * 48,
        "BYGD_COOKIE_SECURE": "true", "BYGD_MAIL_SENDER_ENABLED": "false",
    }  # fmt: skip


@contextmanager
def serving(tmp_path: Path, port: int, *args: str) -> Iterator[subprocess.Popen[str]]:
    command = [sys.executable, "-m", "app", "serve", "--port", str(port), *args]
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=_env(tmp_path), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        process.communicate(timeout=60)


def _tcp_sockets(port: int) -> list[tuple[str, int, int]]:
    """(state, remote port, inode) of every IPv4 TCP socket whose local port is ``port``."""
    rows = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        if local_port == port:
            rows.append((fields[3], int(fields[2].split(":")[1], 16), int(fields[9])))
    return rows


def _socket_inodes(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def _workers(supervisor: subprocess.Popen[str], port: int) -> dict[int, set[int]]:
    """Each worker's pid and the inodes of its listening sockets on ``port``."""
    children = Path(f"/proc/{supervisor.pid}/task/{supervisor.pid}/children").read_text().split()
    listening = {inode for state, _, inode in _tcp_sockets(port) if state == LISTEN}
    workers = {}
    for pid in map(int, children):
        try:
            mine = _socket_inodes(pid) & listening
        except FileNotFoundError:  # exited meanwhile
            continue
        if mine:
            workers[pid] = mine
    return workers


def _wait_for(condition: Callable[[], T | None], what: str, timeout: float = 60) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def _ready(supervisor: subprocess.Popen[str], port: int, count: int) -> dict[int, set[int]]:
    def ready() -> dict[int, set[int]] | None:
        assert supervisor.poll() is None, supervisor.communicate()[0]
        workers = _workers(supervisor, port)
        return workers if len(workers) == count else None

    return _wait_for(ready, f"{count} listening workers")


def _healthz(port: int) -> int:
    return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code


def test_each_worker_has_its_own_socket_and_connections_are_spread(tmp_path: Path) -> None:
    port = free_port()
    with serving(tmp_path, port, "--workers", "2") as supervisor:
        workers = _ready(supervisor, port, 2)
        [first], [second] = workers.values()
        assert first != second  # two sockets, not one shared (uvicorn --workers shares one)

        # 32 keep-alive connections opened at once, as a proxy's pool does. With one shared
        # socket they often all land on one worker; with a socket each, the kernel's hash
        # leaves a worker without any of them once in 2**31 runs.
        connections = []
        for _ in range(32):
            client = socket.create_connection(("127.0.0.1", port))
            client.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            connections.append(client)
        for client in connections:
            assert client.recv(65536).startswith(b"HTTP/1.1 200")
        served = {inode: remote for state, remote, inode in _tcp_sockets(port)
                  if state == ESTABLISHED}  # fmt: skip
        ours = {client.getsockname()[1] for client in connections}
        per_worker = {
            pid: len({served[i] for i in _socket_inodes(pid) if i in served} & ours)
            for pid in workers
        }
        for client in connections:
            client.close()
        assert sum(per_worker.values()) == 32
        assert all(count > 0 for count in per_worker.values()), per_worker


def test_a_worker_that_dies_is_replaced(tmp_path: Path) -> None:
    port = free_port()
    with serving(tmp_path, port, "--workers", "2") as supervisor:
        workers = _ready(supervisor, port, 2)
        time.sleep(START_GRACE_SECONDS)  # younger, its death would count as a failed start
        victim, survivor = sorted(workers)
        os.kill(victim, signal.SIGKILL)
        gone = workers[victim]
        _wait_for(lambda: not gone & {inode for *_, inode in _tcp_sockets(port)}, "its socket")
        assert _healthz(port) == 200  # the other worker goes on serving meanwhile
        replaced = _wait_for(
            lambda: (w := _workers(supervisor, port)) and len(w) == 2 and victim not in w and w,
            "a new worker",
        )
        assert survivor in replaced
        assert _healthz(port) == 200
        supervisor.send_signal(signal.SIGTERM)
        output = supervisor.communicate(timeout=60)[0]
    assert supervisor.returncode == 0, output
    assert f"worker {victim} exited (exit code -9); starting another" in output
    assert not any(Path(f"/proc/{pid}").exists() for pid in replaced)


def test_sigterm_stops_every_worker_gracefully(tmp_path: Path) -> None:
    port = free_port()
    with serving(tmp_path, port, "--workers", "3") as supervisor:
        workers = _ready(supervisor, port, 3)
        assert _healthz(port) == 200
        supervisor.send_signal(signal.SIGTERM)
        output = supervisor.communicate(timeout=60)[0]
    assert supervisor.returncode == 0, output
    assert output.count("Application shutdown complete.") == 3  # each worker's lifespan ended
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    with pytest.raises(httpx.ConnectError):
        _healthz(port)


def test_a_worker_that_cannot_start_stops_the_server(tmp_path: Path) -> None:
    port = free_port()
    with serving(tmp_path, port, "--app", "app.no_such_module:create_app") as supervisor:
        output = supervisor.communicate(timeout=START_GRACE_SECONDS + 60)[0]
    assert supervisor.returncode == 1, output
    assert "exited during start-up" in output
    assert "starting another" not in output  # no restart loop


def test_a_worker_freezes_what_it_built_before_serving() -> None:
    """The app, its modules and mappers leave the collector's view, so that a full collection
    does not scan them on every run (a ~75 ms pause per worker otherwise)."""
    config = uvicorn_config(ServeOptions(port=free_port()))
    gc.unfreeze()
    try:
        load_and_freeze(config)
        frozen = gc.get_freeze_count()
        assert config.loaded and frozen > 50_000
        gc.collect()
        assert len(gc.get_objects()) < frozen  # what the collector still scans
    finally:
        gc.unfreeze()


def test_a_port_in_use_is_refused_at_once(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with serving(tmp_path, port) as supervisor:
            output = supervisor.communicate(timeout=60)[0]
    assert supervisor.returncode == 1
    assert f"Kan inte lyssna på 127.0.0.1:{port}" in output
    assert "Traceback" not in output
