"""Reminding applicants that a komplettering's deadline is near.

Many applicants are volunteers who read the request once and forget it; one reminder a few days
before the deadline saves the handler a lapsed case. The job runs from the command line
(``python -m app send-reminders``) and periodically in the web process's outbox sender, possibly
in several processes at once: each request is claimed with a conditional UPDATE, so it is
reminded at most once.
"""

from datetime import date, datetime, timedelta

from babel.dates import format_date
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from app.applicants import messages
from app.applicants.service import issue_link
from app.applications.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    InformationRequest,
)
from app.audit import service as audit
from app.audit.service import Actor
from app.config import Settings
from app.core.clock import local_today
from app.db import utcnow
from app.email.service import PeriodicJob, enqueue

SYSTEM = "Systemet"


def send_information_reminders(
    session: Session, settings: Settings, *, today: date, now: datetime
) -> int:
    """Queue one reminder for every unanswered komplettering whose deadline (still ahead, or
    today) is at most ``settings.information_reminder_days`` days away; returns how many.

    The claim, the new link, the e-mail and the audit event are added to the caller's
    transaction, which the caller commits: a rolled-back run leaves nothing claimed.
    """
    last_day = today + timedelta(days=settings.information_reminder_days)
    candidates = session.execute(
        select(InformationRequest, Application)
        .join(InformationRequest.application)
        .where(
            InformationRequest.answered_at.is_(None),
            InformationRequest.reminder_sent_at.is_(None),
            InformationRequest.deadline >= today,
            InformationRequest.deadline <= last_day,
            Application.status == ApplicationStatus.AWAITING_INFORMATION,
            # Only småstöd have applicant pages to link to.
            Application.kind == ApplicationKind.SMALL_GRANT,
            Application.contact_email != "",
        )
        .order_by(InformationRequest.id)
    ).all()
    queued = 0
    for request, application in candidates:
        if not _claim(session, request, now):
            continue  # another run got there first (or the applicant has just answered)
        token = issue_link(session, settings, application, now)
        subject, body = messages.information_reminder(
            application, request, f"{settings.public_base_url}/a/{token}"
        )
        enqueue(
            session, to=application.contact_email, subject=subject, body=body,
            kind="information_reminder", area_id=application.area_id,
            application_id=application.id,
        )  # fmt: skip
        audit.record(
            session,
            Actor(label=SYSTEM, area_id=application.area_id),
            entity_type="application",
            entity_id=application.id,
            action="information_reminder",
            summary="Sökanden påmindes om kompletteringen, svar senast "
            + format_date(request.deadline, "d MMMM y", locale="sv_SE"),
        )
        queued += 1
    return queued


def _claim(session: Session, request: InformationRequest, now: datetime) -> bool:
    """Mark the request as reminded unless someone already has; True when this call did it.

    Of two simultaneous runs, PostgreSQL makes the second UPDATE wait for the first one's commit
    and then re-check the condition (SQLite lets only one writer in at a time), so exactly one
    of them sees a row count of 1.
    """
    result = session.execute(
        update(InformationRequest)
        .where(
            InformationRequest.id == request.id,
            InformationRequest.reminder_sent_at.is_(None),
            InformationRequest.answered_at.is_(None),
        )
        .values(reminder_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    # The row already holds the value; keep the loaded object in step without another UPDATE.
    set_committed_value(request, "reminder_sent_at", now)
    return True


def run_information_reminders(session_factory: sessionmaker[Session], settings: Settings) -> int:
    """One run for the current Swedish date, in a transaction of its own."""
    with session_factory() as session, session.begin():
        return send_information_reminders(session, settings, today=local_today(), now=utcnow())


# Reminders are per day, so hourly is plenty; a restart runs the job at once anyway.
REMINDER_INTERVAL = timedelta(hours=1)


def information_reminder_job(
    session_factory: sessionmaker[Session], settings: Settings
) -> PeriodicJob:
    """The reminder run as a periodic job for the web process's outbox sender."""
    return PeriodicJob(
        name="information reminders",
        every=REMINDER_INTERVAL,
        run=lambda: run_information_reminders(session_factory, settings),
    )
