"""Structured logs: one JSON object per line, each carrying the id of the request it belongs to.

``RequestLogMiddleware`` gives every request an id (the proxy's ``X-Request-ID`` when it is a
sane token, else a new one), keeps it in a context variable so that every line logged while the
request runs carries it, returns it in the response's ``X-Request-ID`` header and writes one
access line when the request is done. Nothing personal is logged: no query strings (search
terms, e-mail addresses), no bodies, no client addresses, and magic-link tokens are masked.

``configure_logging`` switches the process to JSON lines on stderr (``BYGD_LOG_FORMAT=json``);
with the default ``text`` it leaves logging as it was, so ``make run`` looks as it always did.
"""

import json
import logging
import logging.config
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOG_CONFIG = Path(__file__).with_name("logging.json")
REQUEST_ID_HEADER = "X-Request-ID"
# Accepted from the proxy as is; anything else (too long, odd characters) is replaced, so a
# client cannot inject text into the logs.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# What an access line (or any line given these as ``extra``) adds to the standard fields.
EXTRA_FIELDS = ("method", "path", "status", "duration_ms")

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
access_log = logging.getLogger("app.access")


def current_request_id() -> str | None:
    """The id of the request being served (None outside a request, e.g. in the outbox sender)."""
    return _request_id.get()


class JsonFormatter(logging.Formatter):
    """One JSON object per record: timestamp (UTC), level, logger, message, request id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": current_request_id(),
        }
        for name in EXTRA_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(log_format: str) -> None:
    """Send every log line of the process as JSON to stderr, at INFO (``logging.json``, which is
    also uvicorn's ``--log-config`` in production, so that its supervisor process logs JSON too).

    Uvicorn's own access line is silenced: ``app.access`` replaces it, without the client's
    address. Called by the app factory and the command line; calling it again changes nothing.
    """
    if log_format == "json":
        logging.config.dictConfig(json.loads(LOG_CONFIG.read_text()))


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            return candidate if _SANE_REQUEST_ID.fullmatch(candidate) else None
    return None


def loggable_path(scope: Scope) -> str:
    """The path without its query string, every path parameter but a record id replaced by its
    name (the router has put the matched parameters into the scope by then).

    Ids are kept, as they say which case was served; anything else may be a secret (an
    applicant's magic link, a set-password invitation), so no list of secret names has to be
    kept up to date as routes are added."""
    path: str = scope["path"]
    for name, value in (scope.get("path_params") or {}).items():
        if value and not str(value).isdigit():
            path = path.replace(str(value), "{" + name + "}")
    return path


class RequestLogMiddleware:
    """Request id in, request id out, and one access line per request (pure ASGI, outermost)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or uuid.uuid4().hex
        # Not reset afterwards: the server-error handler runs outside this middleware (in the
        # same task) and logs with the id too. Each request runs in a task of its own, so the
        # value does not reach the next request.
        _request_id.set(request_id)
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before it answers

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                header = (REQUEST_ID_HEADER.lower().encode(), request_id.encode())
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            method, path = scope["method"], loggable_path(scope)
            access_log.info(
                "%s %s %d",
                method,
                path,
                status,
                extra={
                    "method": method,
                    "path": path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
