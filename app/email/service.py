"""The outbox: mail is queued in the caller's transaction and sent later over real SMTP.

Queuing in the same transaction as the change it reports means a rolled-back change sends
nothing and a committed one always has its message. Sending happens outside requests, one message
per short transaction, so a slow or absent SMTP server never breaks a page and a message is only
marked sent once the server has taken it. Failures are retried with a growing delay, never dropped.
"""

import contextlib
import logging
import smtplib
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.attachments.models import Attachment
from app.attachments.service import path_of
from app.config import Settings
from app.db import utcnow
from app.email.models import OutboxMessage

logger = logging.getLogger(__name__)

# Delay before the next try, by the number of attempts made so far; the last one repeats.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)

# The server refused this one message; the connection is still good for the next one.
_REJECTIONS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,
)


@dataclass(frozen=True)
class SendReport:
    """What one ``send_pending`` call did (failed messages stay queued for a retry)."""

    sent: int
    failed: int


def enqueue(
    session: Session,
    *,
    to: str,
    subject: str,
    body: str,
    kind: str,
    area_id: int | None = None,
    application_id: int | None = None,
    attachment_id: int | None = None,
) -> OutboxMessage:
    """Queue a message in the caller's session; it is sent only once the caller commits."""
    now = utcnow()
    # Set here rather than left to column defaults so the object is complete before a flush.
    message = OutboxMessage(
        area_id=area_id,
        application_id=application_id,
        kind=kind,
        to_address=to,
        subject=subject,
        body_text=body,
        attachment_id=attachment_id,
        created_at=now,
        send_after=now,
        attempts=0,
    )
    session.add(message)
    return message


def build_message(
    settings: Settings, outbox_message: OutboxMessage, attachment: Attachment | None = None
) -> EmailMessage:
    """The MIME message for an outbox row, with its stored file attached if it has one.

    Date is when the message was queued (when the reported event happened), not when a retry
    finally got through. The body is quoted-printable so that it is 7-bit clean for any relay.
    The file is read from storage at sending time; if it is missing, sending fails and is
    retried like any other failure rather than going out without it.
    """
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = outbox_message.to_address
    message["Subject"] = outbox_message.subject
    message["Date"] = format_datetime(outbox_message.created_at)
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2]
    message["Message-ID"] = make_msgid(domain=domain or None)
    message.set_content(outbox_message.body_text, charset="utf-8", cte="quoted-printable")
    if attachment is not None:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            path_of(attachment, settings.attachments_dir).read_bytes(),
            maintype=maintype,
            subtype=subtype,
            filename=attachment.original_filename,
        )
    return message


# A claimed message is left alone by other senders for this long; if the sender dies while
# talking to the server, the message becomes due again afterwards (sent at least once).
CLAIM_LEASE = timedelta(minutes=10)


def _claim(
    session_factory: sessionmaker[Session], now: datetime
) -> tuple[OutboxMessage, Attachment | None] | None:
    """Take the oldest due message and mark it as being sent, in a short transaction of its own
    (``SKIP LOCKED`` lets parallel senders on PostgreSQL pass each other)."""
    with session_factory() as session, session.begin():
        message = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.send_after <= now)
            .order_by(OutboxMessage.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if message is None:
            return None
        message.attempts += 1
        message.send_after = now + CLAIM_LEASE
        session.flush()
        attachment = (
            session.get(Attachment, message.attachment_id) if message.attachment_id else None
        )
        session.expunge_all()  # detached, fully loaded copies to send from
        return message, attachment


def send_pending(
    session_factory: sessionmaker[Session],
    settings: Settings,
    *,
    now: datetime | None = None,
    limit: int = 50,
) -> SendReport:
    """Send up to ``limit`` due messages, oldest first.

    Each message is claimed in one short transaction, handed to the server outside any
    transaction, and its outcome recorded in another; concurrent senders never send the same
    message twice because a claimed message is not due again until its lease has passed.
    """
    now = now or utcnow()
    sent = failed = 0
    with contextlib.closing(_Transport(settings)) as transport:
        for _ in range(limit):
            claimed = _claim(session_factory, now)
            if claimed is None:
                break
            message, attachment = claimed
            # The SMTP conversation happens outside any transaction: a slow server must not hold
            # a row lock, let alone SQLite's single write lock, while it takes its time.
            error = transport.send(message, attachment)
            with session_factory() as session, session.begin():
                # Outbox rows are never deleted, so the claimed row is still there.
                row = session.get_one(OutboxMessage, message.id)
                if error is None:
                    row.sent_at = now
                    row.last_error = None
                    sent += 1
                else:
                    row.last_error = error
                    row.send_after = now + BACKOFF[min(row.attempts, len(BACKOFF)) - 1]
                    failed += 1
                    logger.warning(
                        "outbox message %d (%s) not sent, attempt %d, next try at %s: %s",
                        row.id,
                        row.kind,
                        row.attempts,
                        row.send_after.isoformat(),
                        error,
                    )
    return SendReport(sent=sent, failed=failed)


class _Transport:
    """One SMTP connection for a batch, opened on first use.

    Once the connection fails (or cannot be opened) the same reason is reported for every later
    message of the batch instead of hammering a server that is down; the next batch tries again.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._smtp: smtplib.SMTP | None = None
        self._broken: str | None = None

    def send(self, outbox_message: OutboxMessage, attachment: Attachment | None) -> str | None:
        """Hand one message to the server: ``None`` on success, else a short reason."""
        if self._broken is not None:
            return self._broken
        try:
            mime = build_message(self._settings, outbox_message, attachment)
        except Exception as exc:  # the email package can fail oddly (IndexError for "a@")
            return _describe(exc)
        if self._smtp is None:
            try:
                self._smtp = self._connect()
            except OSError as exc:  # refused, timed out, TLS or login failed: same for all
                self._broken = _describe(exc)
                return self._broken
        try:
            # The envelope goes to the stored address only, whatever the To header parses into.
            self._smtp.send_message(mime, to_addrs=[outbox_message.to_address])
        except _REJECTIONS as exc:
            return _describe(exc)
        except OSError as exc:  # every other SMTPException, disconnects and timeouts
            self._broken = _describe(exc)
            self.close()
            return self._broken
        return None

    def _connect(self) -> smtplib.SMTP:
        settings = self._settings
        context = ssl.create_default_context()
        timeout = settings.smtp_timeout_seconds
        if settings.smtp_security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.smtp_host, settings.smtp_port, timeout=timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
        try:
            if settings.smtp_security == "starttls":
                smtp.starttls(context=context)
            if settings.smtp_username:
                password = settings.smtp_password
                smtp.login(settings.smtp_username, password.get_secret_value() if password else "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError):
                self._smtp.quit()
            self._smtp.close()
            self._smtp = None


def _describe(exc: Exception) -> str:
    """A short, human-readable reason for ``last_error``, with the server's reply if any."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()))
    elif isinstance(exc, smtplib.SMTPResponseException):
        code, reply = exc.smtp_code, exc.smtp_error
    else:
        return f"{type(exc).__name__}: {exc}"[:500]
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return f"{code} {reply}"[:500]


@dataclass(frozen=True)
class PeriodicJob:
    """Work the sender thread also does, at most once per ``every`` (first at start-up).

    It is handed in by the caller (the web app's start-up), so the outbox knows nothing of the
    features whose mail it sends. ``run`` does its own transaction; what it queues goes out in
    the same round.
    """

    name: str
    every: timedelta
    run: Callable[[], object]


class OutboxWorker:
    """Sends the outbox from a daemon thread of the web process.

    It polls every ``mail_poll_seconds``; ``wake()`` (called after committing a change that queued
    mail) sends at once instead of waiting for the next poll. One event serves both waking and
    stopping, so a stop is as prompt as a wake; the ``_stopping`` event tells them apart. Before
    sending it runs any ``periodic`` jobs that are due.
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        settings: Settings,
        periodic: Sequence[PeriodicJob] = (),
    ) -> None:
        self._session_factory = session_factory
        self._settings = settings
        self._periodic = tuple(periodic)
        # When each job is next due (time.monotonic()); all are due at once.
        self._due = [0.0] * len(self._periodic)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-sender", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        """Send now rather than at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 5) -> None:
        """Ask the thread to finish and wait up to ``timeout`` seconds for a send in progress."""
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
            if self._thread.is_alive():
                logger.warning(
                    "outbox sender still busy after %s s; it ends with the process", timeout
                )

    def _run(self) -> None:
        while True:
            # Clear before checking and sending: a wake or stop that arrives from here on keeps the
            # event set, so the wait below returns at once and nothing is missed.
            self._wake.clear()
            if self._stopping.is_set():
                return
            self._run_due_jobs()
            try:
                send_pending(self._session_factory, self._settings)
            except Exception:
                logger.exception("outbox sender failed; retrying at the next poll")
            self._wake.wait(self._settings.mail_poll_seconds)

    def _run_due_jobs(self) -> None:
        for index, job in enumerate(self._periodic):
            started = time.monotonic()
            if started < self._due[index]:
                continue
            # A failing job waits for its next turn too, rather than failing at every poll.
            self._due[index] = started + job.every.total_seconds()
            try:
                job.run()
            except Exception:
                logger.exception("periodic job %r failed; retrying in %s", job.name, job.every)


def wake_sender(app_state: Any) -> None:
    """Ask the web process's sender (if it runs) to look at the outbox now rather than at its
    next poll; called after a request has committed mail."""
    worker = getattr(app_state, "mail_worker", None)
    if worker is not None:
        worker.wake()
