"""Anonymisation after the retention period: which cases are due, what a dry run lists, and a
real run on a closed case after which no personal value is left anywhere in the database while
the budget figures are byte for byte what they were."""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import JSON, String, Text, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.applicants import service as applicants
from app.applications.models import Application, ApplicationStatus
from app.attachments.models import Attachment
from app.attachments.service import path_of, store
from app.audit.models import AuditEvent
from app.auth.models import Role
from app.auth.service import actor_for
from app.casework import service as casework
from app.config import Settings
from app.core.clock import local_today
from app.decisions import service as decisions
from app.ledger.models import LedgerEntry, LedgerTotal
from app.models import Base
from app.organisations.models import LegalForm, Organisation
from app.payments import service as payments
from app.privacy.anonymise import PLACEHOLDER, Run, anonymise, find_due, retention_cutoff
from app.reports import service as reports
from tests import files
from tests.factories import KR, AreaSetup, make_area, make_small_grant_case
from tests.http import login
from tests.test_applicants import BUDGET, PROJECT
from tests.test_casework import answer_all

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
TODAY = date(2026, 11, 24)
OFFICE = frozenset({"handler"})
# A sole trader: the firm's name, number and account are the owner's personal data.
APPLICANT = {
    "name": "Ingrid Testbergs Vävstuga",
    "legal_form": "enskild_firma",
    "org_number": "790101-2380",
    "bankgiro": "5050-1055",
    "plusgiro": "",
    "street_address": "Testbergsvägen 7",
    "postal_code": "642 91",
    "city": "Stjärnhov",
    "contact_name": "Ingrid Testberg",
    "contact_email": "ingrid.testberg@exempel.se",
    "contact_phone": "070-555 12 34",
}
# Everything that identifies her, in every form the system writes it, and what she wrote about
# someone else.
PERSONAL_VALUES = (
    "Ingrid Testberg", "ingrid.testberg@exempel.se", "070-555 12 34", "7901012380",
    "790101-2380", "Testbergsvägen", "50501055", "budget-ingrid.pdf",
    "kvitto-ingrid.pdf", "Sven på 070-999 88 77",
)  # fmt: skip


def _actor(area: AreaSetup):
    return actor_for(area.users[Role.HANDLER])


def closed_case(db: Session, settings: Settings, area: AreaSetup) -> Application:
    """A småstöd through the real services from the applicant's form to closing: komplettering
    with an answer, a note, a decision with its letter and e-mail, a claim with a receipt, the
    payment, the final report."""
    area.umbrella.eligible_legal_forms = [LegalForm.SOLE_TRADER.value]
    area.umbrella.delegation_limit_ore = 50_000 * KR
    case = applicants.start_draft(db, area.umbrella, NOW)
    db.flush()
    for step, values in (("organisation", APPLICANT), ("project", PROJECT), ("budget", BUDGET)):
        applicants.save_step(case, step, values)
    applicant = applicants.applicant_actor(case)

    def attach(label: str, filename: str) -> None:
        store(db, applicant, application=case, label=label, filename=filename,
              data=files.pdf(), storage_dir=settings.attachments_dir,
              max_bytes=settings.max_attachment_bytes)  # fmt: skip

    attach("Budget", "budget-ingrid.pdf")
    context = applicants.Context(area.umbrella, area.period, TODAY)
    assert applicants.submit(db, case, context, consent=True, now=NOW)
    applicants.issue_link(db, settings, case, NOW)
    handler = _actor(area)
    request = applicants.request_information(
        db, settings, handler, case, roles=OFFICE, message="Hej Ingrid Testberg! Offerten?",
        deadline=TODAY + timedelta(days=14), today=TODAY,
    )  # fmt: skip
    applicants.answer_information_request(
        db, case, request.id, answer="Bifogad. Fråga annars min man Sven på 070-999 88 77.",
        today=TODAY, now=NOW,
    )  # fmt: skip
    casework.add_note(db, handler, case, "Ringde Ingrid Testberg på 070-555 12 34: allt klart.")
    answer_all(db, area, case)
    proposal, result = casework.propose_decision(
        db, handler, case, {"outcome": "approve", "motivation": "Bifall till Ingrid Testberg."}
    )
    assert proposal is not None, result.errors
    casework.transition(db, handler, case, "ready_for_decision", OFFICE)
    decision, result = decisions.decide_under_delegation(
        db, settings, handler, case,
        {"outcome": "approve", "motivation": "Ingrid Testbergs vävstuga stärker bygden."},
        roles=OFFICE, today=TODAY,
    )  # fmt: skip
    assert decision is not None, result.errors
    attach(payments.RECEIPT_LABEL, "kvitto-ingrid.pdf")
    claim, result = payments.submit_claim(db, applicant, case, {
        "kind": "final", "amount": "40 000", "actual_costs": "41 000",
        "description": "Vävstol, kvitto från Ingrid Testberg", "form_token": "slut"})  # fmt: skip
    assert claim is not None, result.errors
    payment, result = payments.register_payment(
        db, settings, handler, case, {"amount": "40 000", "paid_on": local_today().isoformat()},
        roles=OFFICE, today=local_today(), claim_id=claim.id,
    )  # fmt: skip
    assert payment is not None, result.errors
    report, result = reports.submit_report(db, applicant, case, {
        "summary": "Ingrid Testberg höll tre kurser.", "participants_women": "12",
        "participants_men": "9", "volunteer_hours": "60", "new_activities": "1",
        "jobs_created": "0"})  # fmt: skip
    assert report is not None, result.errors
    payments.close_case(db, handler, case, roles=OFFICE, reason="")
    assert case.status is ApplicationStatus.CLOSED
    return case


def due_day(area: AreaSetup) -> date:
    """A day after the retention period of a case closed today."""
    area.area.retention_months = 12
    return local_today() + timedelta(days=400)


def run(db: Session, settings: Settings, area: AreaSetup, today: date, *, dry_run: bool,
        only: set[int] | None = None) -> Run:  # fmt: skip
    return anonymise(db, Base.metadata, area.actor, area.area, today,
                     storage_dir=settings.attachments_dir, dry_run=dry_run, only=only)  # fmt: skip


def text_cells(db: Session) -> list[tuple[str, str, str]]:
    """Every text and JSON value in every table: (table, column, text)."""
    cells = []
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
        if not columns:
            continue
        for row in db.execute(select(*columns)):
            for column, value in zip(columns, row, strict=True):
                if isinstance(value, dict | list):
                    value = json.dumps(value, ensure_ascii=False)
                if value is not None:
                    cells.append((table.name, column.name, str(value)))
    return cells


def test_closed_case_keeps_no_personal_value_and_every_figure(
    client: TestClient, db: Session, settings: Settings, area: AreaSetup
) -> None:
    case = closed_case(db, settings, area)
    attachments = db.scalars(select(Attachment).where(Attachment.application_id == case.id))
    files_before = [path_of(a, settings.attachments_dir) for a in attachments]
    today = due_day(area)
    db.commit()
    # Every value is somewhere before (the scan would find it).
    before = text_cells(db)
    for value in PERSONAL_VALUES:
        assert any(value.lower() in cell.lower() for _, _, cell in before), value
    assert len(files_before) == 3 and all(path.is_file() for path in files_before)
    assert login(client, area.users[Role.MANAGER].email).status_code == 303
    trail = db.execute(select(AuditEvent.id, AuditEvent.occurred_at, AuditEvent.actor_user_id,
                              AuditEvent.entity_type, AuditEvent.entity_id,
                              AuditEvent.action).order_by(AuditEvent.id)).all()  # fmt: skip
    figures = [client.get(url).content for url in
               ("/api/v1/dashboard", "/budget/export/ledger.csv", "/budget/export/indicators.csv",
                "/budget/export/applications.csv")]  # fmt: skip
    ledger = db.execute(select(LedgerEntry.__table__).order_by(LedgerEntry.id)).all()
    totals = db.execute(select(LedgerTotal.__table__).order_by(LedgerTotal.id)).all()

    done = run(db, settings, area, today, dry_run=False)
    db.commit()
    for path in done.files:
        path.unlink()

    assert [c.reference for c in done.cases] == [case.reference]
    leaks = [(table, column, cell) for table, column, cell in text_cells(db)
             for value in PERSONAL_VALUES if value.lower() in cell.lower()]  # fmt: skip
    assert leaks == []
    assert not any(path.exists() for path in files_before)
    # The figures, the ledger and the trail's structure are as they were.
    assert [client.get(url).content for url in
            ("/api/v1/dashboard", "/budget/export/ledger.csv", "/budget/export/indicators.csv",
             "/budget/export/applications.csv")] == figures  # fmt: skip
    assert db.execute(select(LedgerEntry.__table__).order_by(LedgerEntry.id)).all() == ledger
    assert db.execute(select(LedgerTotal.__table__).order_by(LedgerTotal.id)).all() == totals
    after = db.execute(select(AuditEvent.id, AuditEvent.occurred_at, AuditEvent.actor_user_id,
                              AuditEvent.entity_type, AuditEvent.entity_id,
                              AuditEvent.action).order_by(AuditEvent.id)).all()  # fmt: skip
    assert after[: len(trail)] == trail
    assert [(e.entity_type, e.action) for e in after[len(trail):]] == [
        ("application", "anonymise"), ("area", "anonymise")]  # fmt: skip
    # What stays readable: amounts, status, the case's texts without her.
    db.expire_all()
    kept = db.get_one(Application, case.id)
    assert (kept.status, kept.granted_ore, kept.requested_ore) == (
        ApplicationStatus.CLOSED, 40_000 * KR, 40_000 * KR)  # fmt: skip
    assert kept.anonymised_at is not None and kept.title == PROJECT["title"]
    assert (kept.contact_name, kept.contact_email, kept.contact_phone) == (PLACEHOLDER, "", "")
    organisation = db.get_one(Organisation, kept.organisation_id)
    assert organisation.org_number == f"0000{organisation.id:06d}"
    assert organisation.name == PLACEHOLDER and organisation.bankgiro is None


def test_a_dry_run_lists_and_changes_nothing(
    db: Session, settings: Settings, area: AreaSetup
) -> None:
    case = closed_case(db, settings, area)
    today = due_day(area)
    db.commit()
    cells = text_cells(db)
    events = db.scalar(select(func.count()).select_from(AuditEvent))
    dry = run(db, settings, area, today, dry_run=True)
    assert [(c.reference, c.application_id) for c in dry.cases] == [(case.reference, case.id)]
    assert dry.cases[0].fields > 20 and len(dry.cases[0].files) == 3
    assert text_cells(db) == cells
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == events
    assert all(path.is_file() for path in dry.files)
    # The real run does what the dry run said.
    real = run(db, settings, area, today, dry_run=False)
    assert [(c.fields, c.records, c.files) for c in real.cases] == [
        (c.fields, c.records, c.files) for c in dry.cases
    ]
    assert run(db, settings, area, today, dry_run=True).cases == []  # done once


def _finished(db: Session, area: AreaSetup, status: ApplicationStatus, at: datetime,
              **kwargs) -> Application:  # fmt: skip
    case = make_small_grant_case(db, area, status=status, **kwargs)
    case.status_changed_at = at
    db.flush()
    return case


def test_only_finished_cases_past_retention_are_due(db: Session, area: AreaSetup) -> None:
    area.area.retention_months = 12
    today = date(2027, 3, 31)
    cutoff = retention_cutoff(today, 12)
    assert cutoff.date() == date(2026, 3, 31) and cutoff.utcoffset() == timedelta(hours=2)
    assert retention_cutoff(date(2027, 2, 28), 1).date() == date(2027, 1, 28)
    assert retention_cutoff(date(2027, 3, 31), 1).date() == date(2027, 2, 28)  # no 31 Feb
    long_ago = cutoff - timedelta(minutes=1)
    closed = _finished(db, area, ApplicationStatus.CLOSED, long_ago, title="Stängt")
    withdrawn = _finished(db, area, ApplicationStatus.WITHDRAWN, long_ago, title="Återtaget")
    _finished(db, area, ApplicationStatus.CLOSED, cutoff + timedelta(minutes=1), title="Nyss")
    _finished(db, area, ApplicationStatus.PAYMENT, long_ago, title="Pågår")  # never finished
    _finished(db, area, ApplicationStatus.REJECTED, long_ago, title="Avslaget ej avslutat")
    done = _finished(db, area, ApplicationStatus.CLOSED, long_ago, title="Redan klart")
    done.anonymised_at = NOW
    other = make_area(db, "grannbygd")
    other.area.retention_months = 12
    _finished(db, other, ApplicationStatus.CLOSED, long_ago, title="Grannens")
    db.flush()
    assert [a.id for a in find_due(db, area.area, today)] == [closed.id, withdrawn.id]


def test_the_organisation_goes_with_its_last_case(
    db: Session, settings: Settings, area: AreaSetup
) -> None:
    """An association (not a person): its name and number stay; its contact details and address
    go once no case that keeps its data names it."""
    organisation = area.organisation
    organisation.contact_name, organisation.contact_email = "Per Kassör", "per@example.se"
    organisation.street_address = "Föreningsvägen 1"
    area.area.retention_months = 12
    old = datetime(2024, 1, 10, tzinfo=UTC)
    first = _finished(db, area, ApplicationStatus.CLOSED, old, title="Först")
    second = _finished(db, area, ApplicationStatus.CLOSED, old + timedelta(days=200),
                       title="Sedan")  # fmt: skip
    assert first.organisation_id == second.organisation_id == organisation.id
    run(db, settings, area, date(2025, 3, 1), dry_run=False)
    db.expire_all()
    assert organisation.contact_email == "per@example.se"  # the second case still needs it
    assert db.get_one(Application, first.id).contact_email == ""
    run(db, settings, area, date(2026, 3, 1), dry_run=False)
    db.expire_all()
    assert (organisation.contact_name, organisation.contact_email,
            organisation.street_address) == (PLACEHOLDER, "", "")  # fmt: skip
    assert organisation.name == "Byaföreningen i testbygd"
    assert organisation.org_number == "8020024280"
    # The association's name in the case is not personal data either.
    assert db.get_one(Application, second.id).applicant_name == organisation.name


def test_only_the_confirmed_cases_are_anonymised(
    db: Session, settings: Settings, area: AreaSetup
) -> None:
    area.area.retention_months = 12
    old = datetime(2024, 1, 10, tzinfo=UTC)
    first = _finished(db, area, ApplicationStatus.CLOSED, old, title="Först")
    second = _finished(db, area, ApplicationStatus.CLOSED, old, title="Sedan")
    done = run(db, settings, area, date(2026, 3, 1), dry_run=False, only={second.id})
    assert [case.application_id for case in done.cases] == [second.id]
    assert [a.id for a in find_due(db, area.area, date(2026, 3, 1))] == [first.id]


# --- The audit log's one exception -----------------------------------------------------------


def _event(db: Session, area: AreaSetup) -> int:
    event = AuditEvent(area_id=area.area.id, actor_label="Sökande", entity_type="application",
                       entity_id=1, action="submit", summary="Eva Ek sökte")  # fmt: skip
    db.add(event)
    db.flush()
    return event.id


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET summary = 'ändrad' WHERE id = :id",
        "UPDATE audit_events SET summary = 'x', anonymised_at = :now, action = 'y' WHERE id = :id",
        "UPDATE audit_events SET anonymised_at = :now, occurred_at = :now WHERE id = :id",
        "DELETE FROM audit_events WHERE id = :id",
    ],
)
def test_the_audit_log_refuses_anything_but_a_scrub(
    db: Session, area: AreaSetup, statement: str
) -> None:
    event = _event(db, area)
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(text(statement).bindparams(id=event, now=NOW) if ":now" in statement
                   else text(statement).bindparams(id=event))  # fmt: skip


def test_the_audit_log_allows_one_scrub(db: Session, area: AreaSetup) -> None:
    event = _event(db, area)
    scrub = "UPDATE audit_events SET summary = :summary, anonymised_at = :now WHERE id = :id"
    db.execute(text(scrub), {"summary": "[anonymiserad] sökte", "now": NOW, "id": event})
    assert db.scalar(select(AuditEvent.summary).where(AuditEvent.id == event)) == (
        "[anonymiserad] sökte"
    )
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(text(scrub), {"summary": "igen", "now": NOW, "id": event})


def test_files_are_listed_only_when_they_exist(
    db: Session, settings: Settings, area: AreaSetup, tmp_path: Path
) -> None:
    case = closed_case(db, settings, area)
    today = due_day(area)
    gone = db.scalars(select(Attachment).where(Attachment.application_id == case.id)).first()
    path_of(gone, settings.attachments_dir).unlink()
    assert len(run(db, settings, area, today, dry_run=True).files) == 2
