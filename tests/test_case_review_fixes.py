"""Holes found by an independent review of case handling, each pinned by a test: stale views of
payments, closing granted and funding cases, the komplettering dead end, the authority's amount,
the locked assessment, unbounded ids and control characters."""

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.applications.models import ApplicationKind, ApplicationStatus
from app.casework import service as casework
from app.casework.models import CaseNote
from app.casework.service import CaseError
from app.decisions import service as decisions
from app.ledger.models import LedgerKind
from app.ledger.service import application_balance, pot_balance, record_entry
from app.payments import service as payments
from tests.factories import KR, AreaSetup, make_application, make_small_grant_case
from tests.test_case_pages import error_beside, post_case, reload, text_of
from tests.test_casework import answer_all, propose
from tests.test_decisions import prioritised_project
from tests.test_office_payments import claim

OFFICE = frozenset({"handler"})
TODAY = date(2026, 11, 24)


def granted(db: Session, area: AreaSetup, kr: int = 20_000, **kwargs):
    application = make_small_grant_case(db, area, requested_kr=kr,
                                        status=ApplicationStatus.APPROVED, **kwargs)  # fmt: skip
    application.granted_ore = kr * KR
    record_entry(db, area.actor, period=area.period, kind=LedgerKind.COMMITMENT,
                 amount_ore=kr * KR, reason="Beslut", application=application)  # fmt: skip
    db.flush()
    return application


def test_a_payment_from_a_stale_view_is_refused(
    db: Session, area: AreaSetup, handler: TestClient
) -> None:
    case = granted(db, area)
    db.commit()
    page = handler.get(f"/cases/{case.id}")
    seen = page.text.split('name="version" value="')[1].split('"')[0]
    advance = {"amount": "1 000", "paid_on": TODAY.isoformat()}
    assert post_case(handler, case, "payments", advance).status_code == 303
    again = handler.post(
        f"/cases/{case.id}/payments",
        data={"version": seen, "amount": "1 000", "paid_on": TODAY.isoformat(),
              "csrf_token": handler.cookies["bygd_csrf"]},
    )  # fmt: skip
    assert again.status_code == 409
    assert "Ärendet har ändrats av någon annan — ladda om sidan." in text_of(again)
    assert application_balance(db, reload(db, case)).paid_ore == 1_000 * KR


def test_a_granted_case_never_used_can_be_closed(db: Session, area: AreaSetup) -> None:
    case = granted(db, area)
    with pytest.raises(CaseError, match="Slutredovisningen saknas"):
        payments.close_case(db, area.actor, case, roles=OFFICE, reason="")
    released = payments.close_case(db, area.actor, case, roles=OFFICE,
                                   reason="Föreningen avstår från stödet.")  # fmt: skip
    assert released == 20_000 * KR and case.status is ApplicationStatus.CLOSED


def test_a_pots_funding_project_stays_open_while_its_small_grants_are(
    db: Session, area: AreaSetup
) -> None:
    funding = make_application(db, area, kind=ApplicationKind.LEADER_PROJECT,
                               requested_kr=500_000, status=ApplicationStatus.PAYMENT)  # fmt: skip
    funding.reference = "PRJ-2025-0009"
    record_entry(db, area.actor, period=area.period, kind=LedgerKind.COMMITMENT,
                 amount_ore=500_000 * KR, reason="Paraply", application=funding)  # fmt: skip
    area.umbrella.funding_application_id = funding.id
    small = granted(db, area)
    with pytest.raises(CaseError, match=f"småstöd ur potten är öppna: {small.reference}"):
        payments.close_case(db, area.actor, funding, roles=OFFICE, reason="Klart.")
    payments.close_case(db, area.actor, small, roles=OFFICE, reason="Avstår.")
    assert payments.close_case(db, area.actor, funding, roles=OFFICE, reason="Klart.") == (
        500_000 * KR
    )
    assert pot_balance(db, area.umbrella).limit_ore == 0


def test_the_office_takes_a_case_back_from_komplettering(db: Session, area: AreaSetup) -> None:
    case = make_small_grant_case(db, area, status=ApplicationStatus.AWAITING_INFORMATION)
    with pytest.raises(CaseError, match="Ange ett skäl"):
        casework.transition(db, area.actor, case, "information_received", OFFICE)
    casework.transition(db, area.actor, case, "information_received", OFFICE,
                        reason="Svaret kom med posten.")  # fmt: skip
    assert case.status is ApplicationStatus.IN_REVIEW


def test_the_authority_grants_at_most_what_the_lag_prioritised(db: Session, area) -> None:
    project = prioritised_project(db, area, 800_000)
    for outcome, amount, message in (
        ("partly_approved", "900 000", "lägre än det LAG prioriterade"),
        ("partly_approved", "800 000", "lägre än det LAG prioriterade"),
        ("approved", "700 000", "Beviljat ska vara det LAG prioriterade"),
    ):
        _, result = decisions.register_authority_decision(
            db, area.actor, project,
            {"outcome": outcome, "amount": amount, "decided_on": "2026-11-20"},
            roles=OFFICE, today=TODAY,
        )  # fmt: skip
        assert message in result.errors["amount"]
    assert application_balance(db, project).reserved_ore == 800_000 * KR


def test_the_assessment_is_locked_once_ready_for_decision(db: Session, area: AreaSetup) -> None:
    case = make_small_grant_case(db, area)
    answer_all(db, area, case)
    propose(db, area, case)
    casework.transition(db, area.actor, case, "ready_for_decision", OFFICE)
    for change in (
        lambda: casework.save_checklist(db, area.actor, case, {"verdict_contact": "no"}),
        lambda: casework.save_scores(db, area.actor, case, {}),
        lambda: propose(db, area, case, outcome="reject"),
    ):
        with pytest.raises(CaseError, match="välj ”Tillbaka till handläggning” först"):
            change()
    casework.transition(db, area.actor, case, "reopen", OFFICE, reason="Ny uppgift.")
    propose(db, area, case, outcome="reject", motivation="Ny uppgift ändrar bedömningen.")


def test_typed_comments_are_never_dropped(db: Session, area: AreaSetup) -> None:
    case = make_small_grant_case(db, area)
    result = casework.save_checklist(db, area.actor, case, {"comment_contact": "Kolla numret."})
    assert result.errors == {"verdict_contact": "Välj en bedömning till kommentaren."}


def test_huge_ids_and_control_characters_are_refused_not_crashed(
    db: Session, area: AreaSetup, handler: TestClient
) -> None:
    case = granted(db, area)
    db.commit()
    huge = "9" * 20
    assert post_case(handler, case, "assign", {"handler": huge}).status_code == 400
    assert post_case(handler, case, "payments", {"claim": huge}).status_code == 404
    agenda = handler.post(
        "/cases/agenda", data={"ids": huge, "csrf_token": handler.cookies["bygd_csrf"]}
    )
    assert agenda.status_code == 422
    refused = post_case(handler, case, "notes", {"body": "a\x00b"})
    assert refused.status_code == 400
    assert error_beside(refused, "notes_body") == "Fältet innehåller otillåtna tecken."
    assert db.query(CaseNote).count() == 0


def test_a_claim_paid_cannot_then_be_rejected(db: Session, settings, area: AreaSetup) -> None:
    case = granted(db, area)
    made = claim(db, case, amount="5 000")
    payments.register_payment(db, settings, area.actor, case,
                              {"amount": "5 000", "paid_on": "2026-11-24"}, roles=OFFICE,
                              today=TODAY, claim_id=made.id)  # fmt: skip
    with pytest.raises(CaseError, match="redan behandlad"):
        payments.reject_claim(db, settings, area.actor, case, made.id, "Fel.")
