"""A real SMTP server for tests (aiosmtpd on 127.0.0.1) that records what it is handed.

Tests then check the message as a mail client would see it, after a real SMTP conversation,
rather than what our code meant to send.
"""

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class RecordingHandler:
    """Accepts everything except the addresses in ``reject`` (550), and records each delivery.

    ``delay`` slows every DATA down a little, to widen the window for races in concurrency tests.
    """

    reject: frozenset[str] = frozenset()
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.reject:
            return "550 5.1.1 Mottagaren finns inte"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        return [rcpt for received in self.received for rcpt in received.rcpt_tos]


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    handler: RecordingHandler


def free_port() -> int:
    """A port nothing listens on (the OS picked it and it has just been released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def smtp_server(
    handler: RecordingHandler | None = None, *, login: tuple[str, str] | None = None
) -> Iterator[SmtpServer]:
    """Run an SMTP server for the duration of the block.

    With ``login`` the server offers AUTH over plain SMTP (this is a test) and accepts only that
    user name and password.
    """
    handler = handler or RecordingHandler()
    options: dict[str, Any] = {}
    if login is not None:

        def authenticator(
            server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
        ) -> AuthResult:
            ok = (
                isinstance(auth_data, LoginPassword)
                and (
                    auth_data.login.decode(),
                    auth_data.password.decode(),
                )
                == login
            )
            return AuthResult(success=ok, handled=False)  # not handled: the server replies 535

        options = {"authenticator": authenticator, "auth_require_tls": False}
    controller = Controller(
        handler, hostname="127.0.0.1", port=free_port(), server_hostname="smtp.test", **options
    )
    controller.start()
    try:
        yield SmtpServer(controller.hostname, controller.port, handler)
    finally:
        controller.stop()


@contextlib.contextmanager
def silent_server() -> Iterator[tuple[int, list[socket.socket]]]:
    """A hung mail server: accepts connections and never says a word.

    Yields its port and the connections accepted so far.
    """
    accepted: list[socket.socket] = []
    done = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.02)  # so that the thread notices ``done``

    def accept() -> None:
        while not done.is_set():
            with contextlib.suppress(TimeoutError):
                accepted.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], accepted
    finally:
        done.set()
        thread.join()
        listener.close()
        for connection in accepted:
            connection.close()
