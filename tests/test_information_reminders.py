"""Reminders before a komplettering's deadline: who gets one, once, and that it really arrives."""

import re
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from babel.dates import format_date
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import cli as cli_module
from app.applicants import service
from app.applicants.reminders import information_reminder_job, send_information_reminders
from app.applications.models import (
    Application,
    ApplicationKind,
    InformationRequest,
)
from app.applications.service import allocate_reference
from app.applications.workflow import OFFICE
from app.audit.models import AuditEvent
from app.config import Settings
from app.core.clock import local_today
from app.db import utcnow
from app.email.models import OutboxMessage
from app.email.service import OutboxWorker, PeriodicJob, send_pending
from tests.factories import AreaSetup, make_application, make_area
from tests.smtp import smtp_server

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
TODAY = date(2026, 11, 24)
DEADLINE = date(2026, 12, 3)  # with the default of 3 days, reminders are due from 30 November
QUESTION = "Skicka offerten för reservaggregatet."


def awaiting(
    db: Session,
    settings: Settings,
    setup: AreaSetup,
    *,
    deadline: date = DEADLINE,
    today: date = TODAY,
    kind: ApplicationKind = ApplicationKind.SMALL_GRANT,
) -> tuple[Application, InformationRequest]:
    """A received småstöd application whose handler has asked for a komplettering."""
    application = make_application(
        db, setup, kind=kind, title="Reservkraft till bygdegården", requested_kr=40_000
    )
    application.reference = allocate_reference(db, setup.area.id, kind, 2026)
    application.contact_name = "Eva Ek"
    application.contact_email = "eva@example.se"
    application.submitted_at = NOW
    request = service.request_information(
        db, settings, setup.actor, application, roles=OFFICE, message=QUESTION,
        deadline=deadline, today=today,
    )  # fmt: skip
    return application, request


def reminders(db: Session) -> list[OutboxMessage]:
    return list(
        db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "information_reminder")
            .order_by(OutboxMessage.id)
        )
    )


def run(db: Session, settings: Settings, today: date) -> int:
    return send_information_reminders(db, settings, today=today, now=NOW)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 29), 0),  # four days left: too early
        (date(2026, 11, 30), 1),  # three days left
        (DEADLINE, 1),  # the last day to answer
        (DEADLINE + timedelta(days=1), 0),  # too late: a reminder would only confuse
    ],
)
def test_a_reminder_is_queued_only_within_the_last_days(
    db: Session, area: AreaSetup, settings: Settings, today: date, expected: int
) -> None:
    _, request = awaiting(db, settings, area)
    assert run(db, settings, today) == expected
    assert len(reminders(db)) == expected
    assert request.reminder_sent_at == (NOW if expected else None)


def test_the_number_of_days_is_a_setting(db: Session, area: AreaSetup, settings: Settings) -> None:
    awaiting(db, settings, area)
    assert run(db, settings, TODAY) == 0
    ten_days = settings.model_copy(update={"information_reminder_days": 10})
    assert run(db, ten_days, TODAY) == 1


def test_each_request_is_reminded_only_once(
    db: Session, area: AreaSetup, settings: Settings
) -> None:
    _, request = awaiting(db, settings, area)
    assert run(db, settings, date(2026, 11, 30)) == 1
    db.commit()
    assert run(db, settings, date(2026, 11, 30)) == 0
    assert run(db, settings, date(2026, 12, 2)) == 0
    db.refresh(request)
    assert request.reminder_sent_at == NOW
    assert len(reminders(db)) == 1


def test_answered_withdrawn_and_leader_project_cases_get_no_reminder(
    db: Session, area: AreaSetup, settings: Settings
) -> None:
    answered, answered_request = awaiting(db, settings, area)
    service.answer_information_request(
        db, answered, answered_request.id, answer="Offerten är bifogad.", today=TODAY, now=NOW
    )
    withdrawn, _ = awaiting(db, settings, area)
    service.withdraw(db, withdrawn, "Vi hann inte", NOW)
    # A Leader project's komplettering goes through Jordbruksverket's e-service, not here.
    with pytest.raises(service.JourneyError, match="gäller inte leaderprojekt"):
        awaiting(db, settings, area, kind=ApplicationKind.LEADER_PROJECT)
    assert run(db, settings, date(2026, 11, 30)) == 0
    assert reminders(db) == []


def test_each_open_request_of_each_area_is_reminded(
    db: Session, area: AreaSetup, other_area: AreaSetup, settings: Settings
) -> None:
    first, _ = awaiting(db, settings, area)
    second, _ = awaiting(db, settings, other_area)
    # A second question to the same applicant, with its own (later) deadline.
    db.add(
        InformationRequest(
            area_id=area.area.id, application=first, message="Och styrelseprotokollet?",
            deadline=DEADLINE + timedelta(days=7),
        )
    )  # fmt: skip
    assert run(db, settings, date(2026, 11, 30)) == 2
    assert [(m.application_id, m.area_id) for m in reminders(db)] == [
        (first.id, area.area.id),
        (second.id, other_area.area.id),
    ]


def test_the_reminder_names_the_deadline_and_its_link_works(
    client: TestClient, db: Session, area: AreaSetup, settings: Settings
) -> None:
    # Real dates: the link must not have expired when the page is opened.
    today = local_today()
    application, _ = awaiting(db, settings, area, deadline=today + timedelta(days=2), today=today)
    assert send_information_reminders(db, settings, today=today, now=utcnow()) == 1
    db.commit()
    [mail] = reminders(db)
    deadline = format_date(today + timedelta(days=2), "d MMMM y", locale="sv_SE")
    assert mail.to_address == "eva@example.se"
    assert mail.application_id == application.id
    assert mail.subject == (
        f"Påminnelse: komplettering av ansökan {application.reference} senast {deadline}"
    )
    assert QUESTION in mail.body_text
    assert f"Svara senast {deadline} via länken:" in mail.body_text
    link = re.search(r"http://127\.0\.0\.1:8000(/a/\S+)", mail.body_text).group(1)
    page = client.get(link)
    assert page.status_code == 200
    assert application.reference in page.text
    assert QUESTION in page.text


def test_the_subject_and_text_in_full(db: Session, area: AreaSetup, settings: Settings) -> None:
    application, _ = awaiting(db, settings, area)
    run(db, settings, date(2026, 11, 30))
    [mail] = reminders(db)
    assert mail.subject == (
        f"Påminnelse: komplettering av ansökan {application.reference} senast 3 december 2026"
    )
    assert mail.body_text.startswith(
        "Hej Eva Ek!\n\nVi väntar fortfarande på er komplettering av ansökan "
        f"{application.reference} (Reservkraft till bygdegården). Vi frågade:\n\n{QUESTION}\n\n"
        "Svara senast 3 december 2026 via länken:\nhttp://127.0.0.1:8000/a/"
    )


def test_the_reminder_is_in_the_audit_log(db: Session, area: AreaSetup, settings: Settings) -> None:
    application, _ = awaiting(db, settings, area)
    run(db, settings, date(2026, 11, 30))
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "information_reminder"))
    assert (event.entity_type, event.entity_id, event.area_id) == (
        "application",
        application.id,
        area.area.id,
    )
    assert (event.actor_label, event.actor_user_id) == ("Systemet", None)
    assert event.summary == "Sökanden påmindes om kompletteringen, svar senast 3 december 2026"


def test_the_reminder_goes_out_over_smtp(
    db: Session, session_factory, area: AreaSetup, settings: Settings
) -> None:
    application, _ = awaiting(db, settings, area)
    run(db, settings, date(2026, 11, 30))
    db.commit()
    with smtp_server() as smtp:
        mail_settings = settings.model_copy(
            update={"smtp_host": smtp.host, "smtp_port": smtp.port, "smtp_timeout_seconds": 5}
        )
        report = send_pending(session_factory, mail_settings)
    assert report.failed == 0
    [received] = [r for r in smtp.handler.received if r.message["Subject"].startswith("Påminnelse")]
    assert received.rcpt_tos == ["eva@example.se"]
    assert received.message["Subject"] == (
        f"Påminnelse: komplettering av ansökan {application.reference} senast 3 december 2026"
    )
    body = received.message.get_content()
    assert "Svara senast 3 december 2026 via länken:" in body
    assert QUESTION in body
    [sent] = reminders(db)
    db.refresh(sent)
    assert sent.sent_at is not None


def _committed_case(factory, settings: Settings, code: str, today: date) -> int:
    with factory() as session:
        setup = make_area(session, code)
        _, request = awaiting(
            session, settings, setup, deadline=today + timedelta(days=1), today=today
        )
        session.commit()
        return request.id


def test_two_runs_at_once_send_one_reminder(committed_factory, settings: Settings) -> None:
    """Two processes (two web workers, or the command during a web worker's run)."""
    request_id = _committed_case(committed_factory, settings, "samtidigt", TODAY)
    results: list[int] = []

    def second_run() -> None:
        with committed_factory() as session:
            results.append(send_information_reminders(session, settings, today=TODAY, now=NOW))
            session.commit()

    with committed_factory() as first:
        results.append(send_information_reminders(first, settings, today=TODAY, now=NOW))
        # The second run reads the request as unclaimed (PostgreSQL) and then waits for the
        # first one's lock, or waits for SQLite's write lock before it reads anything.
        thread = threading.Thread(target=second_run)
        thread.start()
        time.sleep(0.3)
        first.commit()
    thread.join(30)
    assert results == [1, 0]
    with committed_factory() as session:
        assert session.get_one(InformationRequest, request_id).reminder_sent_at == NOW
        assert len(reminders(session)) == 1


def test_the_command_line(committed_factory, settings: Settings, monkeypatch) -> None:
    today = local_today()
    _committed_case(committed_factory, settings, "kommando", today)
    url = committed_factory.kw["bind"].url.render_as_string(hide_password=False)
    monkeypatch.setattr(
        cli_module, "get_settings", lambda: settings.model_copy(update={"database_url": url})
    )
    runner = CliRunner()
    first = runner.invoke(cli_module.cli, ["send-reminders"])
    assert first.exit_code == 0, first.output
    assert first.output == "1 påminnelse om komplettering lades i utkorgen.\n"
    again = runner.invoke(cli_module.cli, ["send-reminders"])
    assert again.output == "Inga påminnelser om komplettering behövde skickas.\n"
    with committed_factory() as session:
        [mail] = reminders(session)
        assert mail.to_address == "eva@example.se"


def test_the_web_process_sends_reminders_from_its_outbox_thread(
    committed_factory, settings: Settings
) -> None:
    _committed_case(committed_factory, settings, "webben", local_today())
    runs: list[int] = []
    counting = PeriodicJob("räknare", timedelta(hours=1), lambda: runs.append(1))
    with smtp_server() as smtp:
        mail_settings = settings.model_copy(
            update={
                "smtp_host": smtp.host,
                "smtp_port": smtp.port,
                "smtp_timeout_seconds": 5,
                "mail_poll_seconds": 60,
            }
        )
        worker = OutboxWorker(
            committed_factory,
            mail_settings,
            periodic=[information_reminder_job(committed_factory, mail_settings), counting],
        )
        worker.start()
        try:
            deadline = time.monotonic() + 10
            while len(smtp.handler.received) < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            worker.wake()  # a wake sends mail but does not rerun an hourly job
            time.sleep(0.2)
        finally:
            worker.stop()
    subjects = sorted(r.message["Subject"] for r in smtp.handler.received)
    assert len(subjects) == 2  # the komplettering itself and the reminder
    assert subjects[0].startswith("Påminnelse: komplettering av ansökan SMÅ-")
    assert subjects[1].startswith("Vi behöver komplettering av ansökan SMÅ-")
    assert runs == [1]
    with committed_factory() as session:
        assert session.scalar(select(func.count()).where(OutboxMessage.sent_at.is_(None))) == 0
