"""The office's side of payments: advances within the cap, paying and rejecting claims, never
more than committed, and closing a case, which releases what was not paid."""

import secrets
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applicants import service as applicants
from app.applications.models import Application, ApplicationKind, ApplicationStatus
from app.attachments.service import store
from app.casework.service import CaseError
from app.email.models import OutboxMessage
from app.ledger.models import LedgerEntry, LedgerKind
from app.ledger.service import application_balance, pot_balance, record_entry
from app.payments import service as payments
from app.payments.models import ClaimStatus, PaymentKind
from app.reports import service as reports
from tests import files
from tests.factories import KR, AreaSetup, make_application, make_small_grant_case

OFFICE = frozenset({"handler"})
TODAY = date(2026, 11, 24)


@pytest.fixture
def granted(db: Session, area: AreaSetup) -> Application:
    """A 40 000 kr småstöd, approved and committed."""
    application = make_small_grant_case(db, area, requested_kr=40_000,
                                        status=ApplicationStatus.APPROVED)  # fmt: skip
    application.granted_ore = 40_000 * KR
    record_entry(db, area.actor, period=area.period, kind=LedgerKind.COMMITMENT,
                 amount_ore=40_000 * KR, reason="Beslut", application=application)  # fmt: skip
    db.flush()
    return application


def claim(db: Session, application: Application, **values: str):
    raw = {"kind": "partial", "amount": "10 000", "actual_costs": "12 000",
           "description": "Inköp", "form_token": secrets.token_hex(8), **values}  # fmt: skip
    made, result = payments.submit_claim(
        db, applicants.applicant_actor(application), application, raw
    )
    assert made is not None, result.errors
    return made


def pay(db, settings, area, application, claim_id=None, **raw: str):
    return payments.register_payment(
        db, settings, area.actor, application, {"amount": "10 000", "paid_on": "2026-11-20", **raw},
        roles=OFFICE, today=TODAY, claim_id=claim_id,
    )  # fmt: skip


def test_an_advance_is_capped_by_share_and_amount(db, settings, area, granted) -> None:
    assert payments.advance_room_ore(db, granted) == 20_000 * KR  # 50 % of 40 000 kr
    area.period.advance_cap_ore = 15_000 * KR
    assert payments.advance_room_ore(db, granted) == 15_000 * KR  # the kronor cap bites first
    payment, result = pay(db, settings, area, granted, amount="15 000,01")
    assert payment is None
    assert result.errors["amount"] == "Förskottet kan vara högst 15\xa0000\xa0kr."
    payment, result = pay(db, settings, area, granted, amount="12 000")
    assert payment.kind is PaymentKind.ADVANCE and payment.claim_id is None
    assert payments.advance_room_ore(db, granted) == 3_000 * KR
    assert granted.status is ApplicationStatus.PAYMENT
    assert application_balance(db, granted).paid_ore == 12_000 * KR


def test_paying_a_claim(db, settings, area, granted) -> None:
    made = claim(db, granted, amount="10 000")
    payment, result = pay(db, settings, area, granted, made.id, amount="10 000,01")
    assert result.errors["amount"] == "Högst det begärda beloppet, 10\xa0000\xa0kr."
    payment, result = pay(db, settings, area, granted, made.id, amount="8 000")
    assert result.errors == {"comment": "Skriv varför mindre än det begärda beloppet betalas ut."}
    payment, result = pay(db, settings, area, granted, made.id, paid_on="2026-12-01")
    assert result.errors == {"paid_on": "Utbetalningsdagen kan inte vara i framtiden."}

    payment, result = pay(db, settings, area, granted, made.id, amount="8 000",
                          comment="Moms är inte stödberättigande.")  # fmt: skip
    assert result.ok
    assert (payment.kind, payment.amount_ore) == (PaymentKind.PARTIAL, 8_000 * KR)
    assert payment.claim_id == made.id
    assert made.status is ClaimStatus.PAID
    assert application_balance(db, granted).paid_ore == 8_000 * KR
    entry = db.get(LedgerEntry, payment.ledger_entry_id)
    assert entry.kind is LedgerKind.PAYMENT and "Moms" in entry.reason
    mail = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "payment")).one()
    assert "Vi har betalat ut 8\xa0000\xa0kr (delutbetalning)" in mail.body_text
    assert "Moms är inte stödberättigande." in mail.body_text
    with pytest.raises(CaseError, match="redan behandlad"):
        pay(db, settings, area, granted, made.id)


def test_no_payment_beyond_what_is_committed(db, settings, area, granted) -> None:
    pay(db, settings, area, granted, amount="20 000")  # the advance
    first = claim(db, granted, amount="20 000", actual_costs="45 000")
    assert pay(db, settings, area, granted, first.id, amount="20 000")[1].ok
    assert application_balance(db, granted).unpaid_ore == 0
    # The ledger is the last word even if a claim somehow got through.
    assert payments.claimable_ore(db, granted) == 0


def test_rejecting_a_claim_tells_the_applicant(db, settings, area, granted) -> None:
    made = claim(db, granted)
    with pytest.raises(CaseError, match="Skriv varför"):
        payments.reject_claim(db, settings, area.actor, granted, made.id, " ")
    payments.reject_claim(db, settings, area.actor, granted, made.id, "Kvitton saknas.")
    assert made.status is ClaimStatus.REJECTED
    mail = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "payment")).one()
    assert "Skäl: Kvitton saknas." in mail.body_text
    assert payments.claimable_ore(db, granted) == 40_000 * KR  # the applicant may claim again


def test_another_cases_claim_cannot_be_paid(db, settings, area, granted) -> None:
    other = make_small_grant_case(db, area, title="Annan", status=ApplicationStatus.APPROVED)
    record_entry(db, area.actor, period=area.period, kind=LedgerKind.COMMITMENT,
                 amount_ore=20_000 * KR, reason="Beslut", application=other)  # fmt: skip
    foreign = claim(db, other)
    with pytest.raises(CaseError, match="finns inte"):
        pay(db, settings, area, granted, foreign.id)


def test_closing_releases_what_was_not_paid(db, settings, area, granted, tmp_path) -> None:
    made = claim(db, granted, amount="10 000")
    with pytest.raises(CaseError, match="inte är behandlad"):
        payments.close_case(db, area.actor, granted, roles=OFFICE, reason="")
    pay(db, settings, area, granted, made.id)
    with pytest.raises(CaseError, match="Slutredovisningen saknas"):
        payments.close_case(db, area.actor, granted, roles=OFFICE, reason="")
    before = pot_balance(db, area.umbrella)

    released = payments.close_case(db, area.actor, granted, roles=OFFICE,
                                   reason="Projektet avbröts efter första etappen.")  # fmt: skip
    assert released == 30_000 * KR
    assert granted.status is ApplicationStatus.CLOSED
    held = application_balance(db, granted)
    assert (held.committed_ore, held.paid_ore, held.unpaid_ore) == (10_000 * KR, 10_000 * KR, 0)
    after = pot_balance(db, area.umbrella)
    assert after.remaining_ore - before.remaining_ore == 30_000 * KR  # back in the pot


def test_closing_after_the_final_report(db, settings, area, granted, tmp_path) -> None:
    store(db, area.actor, application=granted, label=payments.RECEIPT_LABEL,
          filename="kvitto.pdf", data=files.pdf(), storage_dir=tmp_path,
          max_bytes=10**7)  # fmt: skip
    final = claim(db, granted, kind="final", amount="40 000", actual_costs="41 000")
    pay(db, settings, area, granted, final.id, amount="40 000")
    report, result = reports.submit_report(
        db, applicants.applicant_actor(granted), granted,
        {"summary": "Övningen hölls.", "participants_women": "12", "participants_men": "9",
         "volunteer_hours": "60", "new_activities": "1", "jobs_created": "0"},
    )  # fmt: skip
    assert report is not None, result.errors
    assert granted.status is ApplicationStatus.FINAL_REPORT
    assert payments.close_case(db, area.actor, granted, roles=OFFICE, reason="") == 0
    assert granted.status is ApplicationStatus.CLOSED


def test_a_rejected_case_closes_without_money(db, settings, area) -> None:
    rejected = make_application(db, area, kind=ApplicationKind.SMALL_GRANT,
                                status=ApplicationStatus.REJECTED)  # fmt: skip
    assert payments.close_case(db, area.actor, rejected, roles=OFFICE, reason="") == 0
    assert rejected.status is ApplicationStatus.CLOSED
    with pytest.raises(CaseError, match="Utbetalning kan bara registreras"):
        pay(db, settings, area, rejected)
