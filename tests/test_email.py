"""The outbox and its sender, against a real SMTP server on 127.0.0.1."""

import threading
import time
from collections import Counter
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from app.db import utcnow
from app.email.models import OutboxMessage
from app.email.service import OutboxWorker, SendReport, enqueue, send_pending
from tests.smtp import RecordingHandler, free_port, silent_server, smtp_server

SUBJECT = "Kvitto: ansökan om småstöd till Ängsö bygdegård"
BODY = "Hej!\n\nVi har tagit emot er ansökan. Välkommen åter — hälsningar från Leaderkontoret.\n"


@pytest.fixture
def smtp():
    with smtp_server(RecordingHandler(reject=frozenset({"avvisad@example.se"}))) as server:
        yield server


@pytest.fixture
def mail_settings(settings, smtp):
    return settings.model_copy(
        update={"smtp_host": smtp.host, "smtp_port": smtp.port, "smtp_timeout_seconds": 5}
    )


@pytest.fixture
def down_settings(mail_settings):
    return mail_settings.model_copy(update={"smtp_port": free_port()})


def queue(session, to="sokande@example.se"):
    return enqueue(session, to=to, subject=SUBJECT, body=BODY, kind="receipt")


def test_a_queued_message_is_delivered_intact(db, session_factory, mail_settings, smtp):
    message = queue(db)
    db.commit()

    report = send_pending(session_factory, mail_settings)

    assert report == SendReport(sent=1, failed=0)
    [received] = smtp.handler.received
    assert received.mail_from == "noreply@bygdestod.local"
    assert received.rcpt_tos == ["sokande@example.se"]
    mail = received.message
    assert mail["To"] == "sokande@example.se"
    assert mail["From"].addresses[0].display_name == "Bygdestöd"
    assert mail["From"].addresses[0].addr_spec == "noreply@bygdestod.local"
    assert mail["Subject"] == SUBJECT
    assert mail["Message-ID"].endswith("@bygdestod.local>")
    assert parsedate_to_datetime(mail["Date"]) == message.created_at.replace(microsecond=0)
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content_charset() == "utf-8"
    # SMTP carries lines ending in CRLF; the text itself must come through unchanged.
    assert mail.get_content().replace("\r\n", "\n") == BODY
    db.refresh(message)
    assert message.sent_at is not None
    assert message.attempts == 1
    assert message.last_error is None


def test_nothing_is_sent_unless_the_callers_transaction_commits(
    committed_factory, mail_settings, smtp
):
    with committed_factory() as session:
        queue(session, to="aterkallad@example.se")
        session.flush()
        session.rollback()
        queue(session, to="bekraftad@example.se")
        session.commit()

    assert send_pending(committed_factory, mail_settings) == SendReport(sent=1, failed=0)
    assert smtp.handler.recipients() == ["bekraftad@example.se"]


def test_a_message_waits_out_a_server_outage_and_is_never_lost(
    db, session_factory, mail_settings, down_settings, smtp
):
    first, second = queue(db, to="forsta@example.se"), queue(db, to="andra@example.se")
    db.commit()
    start = utcnow()

    assert send_pending(session_factory, down_settings, now=start) == SendReport(0, 2)
    for message in (first, second):
        db.refresh(message)
        assert message.sent_at is None
        assert message.attempts == 1
        assert message.last_error
        assert message.send_after == start + timedelta(minutes=1)

    # The server is back, but the retry is not due yet.
    early = start + timedelta(seconds=59)
    assert send_pending(session_factory, mail_settings, now=early) == SendReport(0, 0)
    assert smtp.handler.received == []

    later = start + timedelta(minutes=1)
    assert send_pending(session_factory, mail_settings, now=later) == SendReport(2, 0)
    assert smtp.handler.recipients() == ["forsta@example.se", "andra@example.se"]
    db.refresh(first)
    assert (first.sent_at, first.attempts, first.last_error) == (later, 2, None)


def test_retries_back_off_and_never_give_up(db, session_factory, down_settings):
    message = queue(db)
    db.commit()
    now = utcnow()
    delays = []
    for _ in range(7):
        assert send_pending(session_factory, down_settings, now=now) == SendReport(0, 1)
        db.refresh(message)
        delays.append(message.send_after - now)
        now = message.send_after

    minutes = [delay / timedelta(minutes=1) for delay in delays]
    assert minutes == [1, 5, 30, 120, 360, 360, 360]
    assert message.attempts == 7
    assert message.sent_at is None


def test_a_refused_message_fails_alone(db, session_factory, mail_settings, smtp):
    queue(db, to="forsta@example.se")
    rejected = queue(db, to="avvisad@example.se")
    # The email package itself cannot build this one (an IndexError deep inside).
    malformed = queue(db, to="trasig@")
    queue(db, to="sista@example.se")
    db.commit()

    assert send_pending(session_factory, mail_settings) == SendReport(sent=2, failed=2)
    assert smtp.handler.recipients() == ["forsta@example.se", "sista@example.se"]
    for message in (rejected, malformed):
        db.refresh(message)
        assert (message.sent_at, message.attempts) == (None, 1)
        assert message.last_error
    assert rejected.last_error.startswith("550 ")
    assert "Mottagaren finns inte" in rejected.last_error


def test_a_hung_server_times_out_once_per_batch(db, session_factory, settings):
    messages = [queue(db, to=f"mottagare{n}@example.se") for n in range(3)]
    db.commit()
    with silent_server() as (port, connections):
        hung = settings.model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_timeout_seconds": 0.2}
        )
        assert send_pending(session_factory, hung) == SendReport(sent=0, failed=3)
        # One wait for the greeting, not one per message.
        assert len(connections) == 1
    for message in messages:
        db.refresh(message)
        assert message.sent_at is None
        assert "timed out" in message.last_error


def test_login_uses_the_configured_credentials(db, session_factory, settings):
    with smtp_server(login=("bygd", "hemligt")) as server:
        base = settings.model_copy(update={"smtp_host": server.host, "smtp_port": server.port})
        wrong = base.model_copy(update={"smtp_username": "bygd", "smtp_password": SecretStr("fel")})
        right = base.model_copy(
            update={"smtp_username": "bygd", "smtp_password": SecretStr("hemligt")}
        )
        message = queue(db)
        db.commit()

        assert send_pending(session_factory, wrong) == SendReport(sent=0, failed=1)
        db.refresh(message)
        assert message.last_error.startswith("535 ")
        later = message.send_after
        assert send_pending(session_factory, right, now=later) == SendReport(sent=1, failed=0)
        assert server.handler.recipients() == ["sokande@example.se"]


def test_concurrent_senders_deliver_each_message_exactly_once(committed_factory, mail_settings):
    handler = RecordingHandler(delay=0.005)
    with smtp_server(handler) as server:
        settings = mail_settings.model_copy(update={"smtp_port": server.port})
        addresses = [f"mottagare{n}@example.se" for n in range(20)]
        with committed_factory() as session:
            for address in addresses:
                queue(session, to=address)
            session.commit()

        barrier = threading.Barrier(2)
        reports = []

        def sender():
            barrier.wait()
            reports.append(send_pending(committed_factory, settings))

        threads = [threading.Thread(target=sender) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)

    assert Counter(handler.recipients()) == Counter(addresses)
    assert sum(report.sent for report in reports) == 20
    with committed_factory() as session:
        unsent = session.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)))
        assert unsent.all() == []


def test_worker_sends_when_woken_survives_errors_and_stops_promptly(
    committed_factory, mail_settings, smtp
):
    calls = 0

    def flaky_factory():
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database unavailable")
        return committed_factory()

    # A long poll: only wake() can get the message out within the test.
    worker = OutboxWorker(flaky_factory, mail_settings.model_copy(update={"mail_poll_seconds": 60}))
    worker.start()
    try:
        with committed_factory() as session:
            queue(session)
            session.commit()
        worker.wake()
        deadline = time.monotonic() + 5
        while not smtp.handler.received and time.monotonic() < deadline:
            time.sleep(0.01)
        assert smtp.handler.recipients() == ["sokande@example.se"]
        assert calls > 1
    finally:
        started = time.monotonic()
        worker.stop()
        assert time.monotonic() - started < 1
    assert "outbox-sender" not in [thread.name for thread in threading.enumerate()]
