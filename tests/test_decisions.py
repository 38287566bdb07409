"""Decisions: småstöd under delegation (with letter, e-mail and commitment), the authority's
decision on a Leader project, and the proof that many simultaneous approvals never over-commit
one pot."""

import io
import threading
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.applications.models import Application, ApplicationKind, ApplicationStatus
from app.attachments.models import Attachment
from app.attachments.service import path_of
from app.casework.service import CaseError
from app.decisions import service as decisions
from app.decisions.models import Decision, DecisionBody, DecisionOutcome
from app.email.models import OutboxMessage
from app.email.service import send_pending
from app.ledger.models import LedgerEntry, LedgerKind
from app.ledger.service import application_balance, pot_balance, record_entry
from app.umbrellas.models import DecisionBody as PotDecisionBody
from app.umbrellas.models import UmbrellaProject
from tests.factories import KR, AreaSetup, make_application, make_area, make_small_grant_case
from tests.smtp import RecordingHandler, smtp_server
from tests.test_casework import answer_all

OFFICE = frozenset({"handler"})
TODAY = date(2026, 11, 24)


def ready_case(db: Session, area: AreaSetup, **kwargs) -> Application:
    case = make_small_grant_case(db, area, **kwargs)
    answer_all(db, area, case)
    case.status = ApplicationStatus.READY_FOR_DECISION
    db.flush()
    return case


def decide(db, settings, area, case, **raw: str):
    return decisions.decide_under_delegation(
        db, settings, area.actor, case, {"outcome": "approve", "motivation": "Väl förankrat.",
                                         **raw}, roles=OFFICE, today=TODAY,
    )  # fmt: skip


def test_approval_commits_the_grant_and_sends_the_letter(db, settings, area: AreaSetup) -> None:
    case = ready_case(db, area)
    decision, result = decide(db, settings, area, case)
    assert result.ok and decision is not None
    assert (decision.body, decision.outcome, decision.amount_ore) == (
        DecisionBody.OFFICE,
        DecisionOutcome.APPROVED,
        20_000 * KR,
    )
    assert case.status is ApplicationStatus.APPROVED
    assert case.granted_ore == 20_000 * KR and case.decided_at is not None
    assert application_balance(db, case).committed_ore == 20_000 * KR
    assert pot_balance(db, area.umbrella).committed_ore == 20_000 * KR
    # The letter: HTML kept with the decision, the PDF stored with the case.
    assert case.reference in decision.letter_html and "Väl förankrat." in decision.letter_html
    pdf = db.get(Attachment, decision.letter_attachment_id)
    assert (pdf.label, pdf.content_type, pdf.application_id) == ("Beslut", "application/pdf",
                                                                 case.id)  # fmt: skip
    text = PdfReader(path_of(pdf, settings.attachments_dir)).pages[0].extract_text()
    assert case.reference in text and "20 000 kr" in text.replace("\xa0", " ")
    # The e-mail carries the PDF and a link to the case.
    mail = db.scalar(select(OutboxMessage).where(OutboxMessage.application_id == case.id))
    assert (mail.kind, mail.to_address, mail.attachment_id) == ("decision", "eva@example.se",
                                                                pdf.id)  # fmt: skip
    assert f"{settings.public_base_url}/a/" in mail.body_text


def test_partial_approval_and_rejection(db, settings, area: AreaSetup) -> None:
    partly = ready_case(db, area)
    decision, _ = decide(db, settings, area, partly, outcome="approve_partly", amount="12 500")
    assert partly.status is ApplicationStatus.PARTLY_APPROVED
    assert decision.amount_ore == application_balance(db, partly).committed_ore == 12_500 * KR

    rejected = ready_case(db, area, title="Avslås")
    decision, _ = decide(db, settings, area, rejected, outcome="reject",
                         motivation="Ligger utanför strategin.")  # fmt: skip
    assert rejected.status is ApplicationStatus.REJECTED
    assert decision.amount_ore is None and rejected.granted_ore is None
    assert db.scalar(select(func.count()).where(LedgerEntry.application_id == rejected.id)) == 0
    assert "avslår" in decision.letter_html


def test_the_office_decides_only_within_its_delegation(db, settings, area: AreaSetup) -> None:
    above = ready_case(db, area, requested_kr=35_000)  # the limit is 30 000
    with pytest.raises(CaseError, match="över delegationsgränsen 30\xa0000\xa0kr") as refused:
        decide(db, settings, area, above)
    assert "LAG-möte" in refused.value.message
    # Not even a lower amount: the request itself is above the limit.
    with pytest.raises(CaseError, match="delegationsgränsen"):
        decide(db, settings, area, above, outcome="approve_partly", amount="20 000")

    area.umbrella.decision_body = PotDecisionBody.LAG
    within = ready_case(db, area, title="Inom gränsen")
    with pytest.raises(CaseError, match="beslutas av lag-styrelsen"):
        decide(db, settings, area, within)
    assert within.status is ApplicationStatus.READY_FOR_DECISION


def test_guards_before_a_decision(db, settings, area: AreaSetup) -> None:
    in_review = make_small_grant_case(db, area)
    with pytest.raises(CaseError, match="går inte när ansökan har status ”under handläggning”"):
        decide(db, settings, area, in_review)

    failed = make_small_grant_case(db, area, title="Fel form")
    answer_all(db, area, failed, legal_form="no")
    failed.status = ApplicationStatus.READY_FOR_DECISION
    with pytest.raises(CaseError, match="kontrollpunkten ”Sökanden är en stödberättigad"):
        decide(db, settings, area, failed)
    decision, _ = decide(db, settings, area, failed, outcome="reject", motivation="Fel form.")
    assert decision.outcome is DecisionOutcome.REJECTED  # rejecting is still possible

    small = ready_case(db, area, title="För lite")
    _, result = decide(db, settings, area, small, outcome="approve_partly", amount="5 000")
    assert result.errors["amount"] == (
        "Stöd ur Beredskap är minst 10\xa0000\xa0kr och högst 50\xa0000\xa0kr."
    )
    assert small.status is ApplicationStatus.READY_FOR_DECISION


def test_an_approval_that_does_not_fit_the_pot_is_refused(db, settings, area: AreaSetup) -> None:
    filler = make_application(db, area, kind=ApplicationKind.SMALL_GRANT,
                              status=ApplicationStatus.APPROVED)  # fmt: skip
    record_entry(db, area.actor, period=area.period, kind=LedgerKind.COMMITMENT,
                 amount_ore=490_000 * KR, reason="Tidigare", application=filler)  # fmt: skip
    case = ready_case(db, area)
    with pytest.raises(CaseError) as refused:
        decide(db, settings, area, case)
    assert refused.value.message == (
        "Beloppet 20\xa0000\xa0kr ryms inte: potten Beredskap har 10\xa0000\xa0kr kvar."
    )


def test_the_decision_email_arrives_with_the_pdf(db, session_factory, settings, area) -> None:
    case = ready_case(db, area)
    decide(db, settings, area, case)
    db.commit()
    with smtp_server(RecordingHandler()) as smtp:
        mail_settings = settings.model_copy(update={"smtp_host": smtp.host,
                                                    "smtp_port": smtp.port})  # fmt: skip
        assert send_pending(session_factory, mail_settings).sent >= 1
    [received] = [r for r in smtp.handler.received if "Beslut" in r.message["Subject"]]
    assert received.rcpt_tos == ["eva@example.se"]
    assert received.message["Subject"] == f"Beslut om er ansökan {case.reference}"
    body = received.message.get_body(("plain",)).get_content()
    assert "Er ansökan har beviljats: 20\xa0000\xa0kr." in body
    [pdf] = list(received.message.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == f"beslut-{case.reference}.pdf"
    text = PdfReader(io.BytesIO(pdf.get_content())).pages[0].extract_text()
    assert case.reference in text


def prioritised_project(db: Session, area: AreaSetup, kr: int) -> Application:
    """A Leader project the LAG has prioritised: its amount is reserved, not yet committed."""
    project = make_application(db, area, kind=ApplicationKind.LEADER_PROJECT, requested_kr=kr,
                               status=ApplicationStatus.PRIORITISED)  # fmt: skip
    project.reference = f"PRJ-2026-{project.id:04d}"
    record_entry(db, area.actor, period=area.period, kind=LedgerKind.RESERVATION,
                 amount_ore=kr * KR, reason="LAG prioriterade", application=project)  # fmt: skip
    return project


def test_the_authority_decision_turns_the_reservation_into_a_commitment(
    db, area: AreaSetup
) -> None:
    project = prioritised_project(db, area, 800_000)
    raw = {"outcome": "partly_approved", "amount": "750 000", "decided_on": "2026-11-20",
           "external_reference": "JV 2026-1234"}  # fmt: skip
    decision, result = decisions.register_authority_decision(
        db, area.actor, project, raw, roles=OFFICE, today=TODAY
    )
    assert result.ok, result.errors
    assert (decision.body, decision.external_reference) == (DecisionBody.AUTHORITY, "JV 2026-1234")
    assert project.status is ApplicationStatus.PARTLY_APPROVED
    held = application_balance(db, project)
    assert (held.reserved_ore, held.committed_ore) == (0, 750_000 * KR)


def test_an_authority_rejection_releases_the_reservation(db, area: AreaSetup) -> None:
    project = prioritised_project(db, area, 100_000)
    bad = {"outcome": "rejected", "amount": "5", "decided_on": "2026-12-24"}
    _, result = decisions.register_authority_decision(db, area.actor, project, bad, roles=OFFICE,
                                                      today=TODAY)  # fmt: skip
    assert set(result.errors) == {"amount", "decided_on"}
    _, result = decisions.register_authority_decision(
        db, area.actor, project, {"outcome": "rejected", "decided_on": "2026-11-20"},
        roles=OFFICE, today=TODAY,
    )  # fmt: skip
    assert result.ok
    assert project.status is ApplicationStatus.REJECTED
    assert application_balance(db, project).reserved_ore == 0


@pytest.mark.parametrize("handlers", [8])
def test_many_simultaneous_approvals_never_over_commit_one_pot(
    committed_factory, settings, handlers: int
) -> None:
    """Eight handlers approve eight 20 000 kr grants at the same moment from a 100 000 kr pot:
    exactly five succeed, three are told the pot is full, and the ledger agrees."""
    with committed_factory() as db:
        setup = make_area(db, "samtidig", pot_kr=100_000)
        ids = [ready_case(db, setup, title=f"Projekt {n}").id for n in range(handlers)]
        db.commit()
    barrier = threading.Barrier(handlers, timeout=60)
    outcomes: list[str] = []

    def approve(application_id: int) -> None:
        with committed_factory() as db:
            application = db.get(Application, application_id)
            assert application.umbrella_project and application.action_area.period.area
            # End the reading transaction (on SQLite it holds the write lock) so that every
            # thread reaches the starting line before any of them decides.
            db.commit()
            barrier.wait()
            try:
                decide(db, settings, setup, application)
                db.commit()
                outcomes.append("approved")
            except CaseError as exc:
                db.rollback()
                outcomes.append(exc.message)

    threads = [threading.Thread(target=approve, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("approved") == 5
    refusals = [o for o in outcomes if o != "approved"]
    assert len(refusals) == 3
    assert all(
        o.startswith("Beloppet 20\xa0000\xa0kr ryms inte: potten Beredskap") for o in refusals
    )
    with committed_factory() as db:
        pot = pot_balance(db, db.get(UmbrellaProject, setup.umbrella.id))
        approved = db.scalars(
            select(Application).where(Application.id.in_(ids),
                                      Application.status == ApplicationStatus.APPROVED)
        ).all()  # fmt: skip
        decided = db.scalar(select(func.count()).select_from(Decision)) or 0
        letters = db.scalar(select(func.count()).where(Attachment.label == "Beslut")) or 0
    assert pot.committed_ore == 100_000 * KR == pot.limit_ore
    assert pot.remaining_ore == 0
    assert len(approved) == decided == letters == 5


def test_two_handlers_deciding_the_same_case_at_once_make_one_decision(
    committed_factory, settings
) -> None:
    """Both see the case ready for decision; one decision is made, the other is refused (the
    workflow or the version check), and the grant is committed once."""
    with committed_factory() as db:
        setup = make_area(db, "tvahandlaggare")
        case_id = ready_case(db, setup).id
        db.commit()
    barrier = threading.Barrier(2, timeout=60)
    outcomes: list[str] = []

    def approve() -> None:
        with committed_factory() as db:
            application = db.get(Application, case_id)
            assert application.umbrella_project and application.action_area.period.area
            db.commit()
            barrier.wait()
            try:
                decide(db, settings, setup, application)
                db.commit()
                outcomes.append("approved")
            except (CaseError, StaleDataError):
                db.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["approved", "refused"]
    with committed_factory() as db:
        application = db.get(Application, case_id)
        assert application_balance(db, application).committed_ore == 20_000 * KR
        assert db.scalar(select(func.count()).select_from(Decision)) == 1
