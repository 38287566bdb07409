"""``python -m app serve``: the production web server, uvicorn workers that each listen on a
socket of their own.

Why not ``uvicorn --workers N``: its workers share one listening socket, and the worker that
happens to be awake accepts every connection waiting at that moment. Keep-alive clients (a
proxy's upstream pool, the benchmark's 16 connections) then stay on one worker while the other
idles; measured here, all 16 connections landed on one of two workers in 3 trials out of 5, and
the queue page served 55 instead of 105 requests/s (docs/benchmarks.md). With ``SO_REUSEPORT``
each worker has its own socket on the same port and the kernel spreads new connections over
them by a hash of the client's address and port, as nginx's ``reuseport`` does.

The supervisor starts the workers, replaces one that dies, and on SIGTERM or SIGINT asks each to
shut down gracefully (uvicorn finishes the requests in flight). A worker that dies within its
first seconds means the server cannot start (a port taken, an import error): the supervisor then
stops everything and exits with status 1 rather than restarting it in a loop.
"""

import gc
import logging
import multiprocessing
import signal
import socket
import threading
import time
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn
from sqlalchemy.orm import configure_mappers
from uvicorn.config import LOGGING_CONFIG

from app.ops.logs import LOG_CONFIG

logger = logging.getLogger("app.serve")

# A worker that exits sooner than this after its start failed to start: no restart loop.
START_GRACE_SECONDS = 10.0
# How long a worker may take to finish its requests after SIGTERM before it is killed.
SHUTDOWN_SECONDS = 30.0


@dataclass(frozen=True)
class ServeOptions:
    """What the command line chose; plain values, because each worker is a spawned process."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    proxy_headers: bool = False
    json_logs: bool = False
    app: str = "app.main:create_app"


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound with SO_REUSEPORT, so that every worker can bind the same port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def uvicorn_config(options: ServeOptions) -> uvicorn.Config:
    return uvicorn.Config(
        options.app, factory=True, host=options.host, port=options.port,
        http="httptools", loop="uvloop", proxy_headers=options.proxy_headers,
        # The app writes its own access line without the client's address (app/ops/logs.py).
        access_log=False,
        log_config=str(LOG_CONFIG) if options.json_logs else LOGGING_CONFIG,
        timeout_graceful_shutdown=int(SHUTDOWN_SECONDS),
    )  # fmt: skip


def load_and_freeze(config: uvicorn.Config) -> None:
    """Build the app, then hide what exists now from the garbage collector.

    The modules, the app, its routes and the ORM's mappers (about 200 000 objects) live as long
    as the process. Left in the collector's oldest generation, every full collection scanned them
    all: a 75 ms pause for each request in flight on that worker, a few times a minute under
    load. Frozen, a full collection takes about 5 ms. Objects made by requests are collected as
    before."""
    config.load()
    configure_mappers()
    gc.collect()
    gc.freeze()


def run_worker(options: ServeOptions) -> None:
    """One worker process: its own socket, one uvicorn server, until SIGTERM."""
    config = uvicorn_config(options)
    load_and_freeze(config)
    sock = listening_socket(options.host, options.port)
    uvicorn.Server(config).run(sockets=[sock])


class Supervisor:
    """Keeps ``options.workers`` worker processes running until told to stop."""

    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        self.stopping = threading.Event()
        self._context = multiprocessing.get_context("spawn")
        self._workers: list[tuple[BaseProcess, float]] = []

    def _start(self) -> tuple[BaseProcess, float]:
        process = self._context.Process(target=run_worker, args=(self.options,), daemon=False)
        process.start()
        return process, time.monotonic()

    def _stop(self, _signum: int, _frame: FrameType | None) -> None:
        self.stopping.set()

    def run(self) -> int:
        """Serve until SIGTERM/SIGINT (exit status 0) or until a worker fails to start (1)."""
        # Fail at once, in this process and with a readable message, when the port is taken.
        listening_socket(self.options.host, self.options.port).close()
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        logger.info(
            "starting %d workers on %s:%d", self.options.workers, self.options.host,
            self.options.port,
        )  # fmt: skip
        self._workers = [self._start() for _ in range(self.options.workers)]
        status = 0
        while not self.stopping.wait(0.5):
            status = self._replace_dead()
            if status:
                break
        self._shut_down()
        return status

    def _replace_dead(self) -> int:
        for index, (process, started) in enumerate(self._workers):
            if process.is_alive():
                continue
            if time.monotonic() - started < START_GRACE_SECONDS:
                logger.error(
                    "worker %s exited during start-up (exit code %s); stopping the server",
                    process.pid, process.exitcode,
                )  # fmt: skip
                return 1
            logger.warning(
                "worker %s exited (exit code %s); starting another", process.pid,
                process.exitcode,
            )  # fmt: skip
            self._workers[index] = self._start()
        return 0

    def _shut_down(self) -> None:
        for process, _started in self._workers:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn's graceful shutdown
        deadline = time.monotonic() + SHUTDOWN_SECONDS + 5
        for process, _started in self._workers:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                logger.warning("worker %s did not stop in time; killing it", process.pid)
                process.kill()
                process.join()
