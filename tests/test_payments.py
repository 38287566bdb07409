"""After the grant: payment claims capped by the ledger, receipts for the final payment, and
one final report with counted indicators."""

import secrets

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.applicants import service as applicants
from app.applications.models import Application, ApplicationKind, ApplicationStatus
from app.attachments.service import store
from app.ledger.models import LedgerKind
from app.ledger.service import record_entry
from app.payments import service as payments
from app.payments.models import ClaimKind
from app.reports import service as reports
from tests import files
from tests.factories import AreaSetup, make_application
from tests.http import csrf_token, post_form


@pytest.fixture
def granted(db: Session, area: AreaSetup) -> Application:
    application = make_application(
        db, area, kind=ApplicationKind.SMALL_GRANT, requested_kr=40_000,
        status=ApplicationStatus.APPROVED,
    )  # fmt: skip
    application.contact_email = "eva@example.se"
    record_entry(db, area.actor, period=area.period, kind=LedgerKind.COMMITMENT,
                 amount_ore=40_000_00, reason="Beslut", application=application)  # fmt: skip
    db.flush()
    return application


def _claim(db: Session, application: Application, **values: str):
    raw = {"kind": "partial", "amount": "10 000", "actual_costs": "40 000",
           "description": "Inköp", "form_token": secrets.token_hex(8), **values}  # fmt: skip
    return payments.submit_claim(db, applicants.applicant_actor(application), application, raw)


def test_claims_are_capped_by_what_is_committed_and_not_yet_claimed(
    db: Session, granted: Application
) -> None:
    claim, _ = _claim(db, granted, amount="25 000")
    assert claim is not None and claim.kind is ClaimKind.PARTIAL
    assert granted.status is ApplicationStatus.PAYMENT
    assert payments.claimable_ore(db, granted) == 15_000_00
    refused, result = _claim(db, granted, amount="15 000,01")
    assert refused is None
    assert result.errors["amount"] == "Ni kan begära högst 15\xa0000\xa0kr."


def test_final_payment_needs_receipts(
    db: Session, area: AreaSetup, granted: Application, tmp_path
) -> None:
    claim, result = _claim(db, granted, kind="final", amount="40 000")
    assert claim is None
    assert result.errors["receipts"].startswith("Ladda upp kvitton")
    store(
        db, applicants.applicant_actor(granted), application=granted, label="Kvitto",
        filename="kvitto.pdf", data=files.pdf(), storage_dir=tmp_path, max_bytes=10**6,
    )  # fmt: skip
    db.refresh(granted)
    claim, _ = _claim(db, granted, kind="final", amount="40 000")
    assert claim is not None
    assert not payments.can_claim(db, granted)  # nothing after the final payment


def test_claims_only_for_granted_applications(db: Session, area: AreaSetup) -> None:
    waiting = make_application(db, area, status=ApplicationStatus.IN_REVIEW)
    claim, result = _claim(db, waiting)
    assert claim is None
    assert result.errors["amount"] == "Utbetalning kan inte begäras för ansökan just nu."


def test_final_report_once_with_exact_indicators(db: Session, granted: Application) -> None:
    actor = applicants.applicant_actor(granted)
    raw = {"summary": "Aggregatet är på plats.", "participants_women": "12",
           "participants_men": "9", "volunteer_hours": "64", "new_activities": "2",
           "jobs_created": "0,25", "businesses_started": "0"}  # fmt: skip
    _, bad = reports.submit_report(db, actor, granted, {**raw, "jobs_created": "0,125"})
    assert bad.errors["jobs_created"].startswith("Ange antal heltidstjänster med högst två")
    report, _ = reports.submit_report(db, actor, granted, raw)
    assert report.jobs_created_hundredths == 25
    assert (report.participants_women, report.participants_men) == (12, 9)
    assert granted.status is ApplicationStatus.FINAL_REPORT
    again, result = reports.submit_report(db, actor, granted, raw)
    assert again is None and "kan inte lämnas" in result.errors["summary"]
    # The final payment can still be claimed with the report in.
    assert payments.can_claim(db, granted)


def test_claim_and_report_over_http(
    client: TestClient, db: Session, settings, granted: Application
) -> None:
    granted.reference = "SMÅ-2026-0009"
    token = applicants.issue_link(db, settings, granted)
    db.commit()
    page = client.get(f"/a/{token}").text
    assert "Ni kan begära upp till <strong>40\xa0000\xa0kr</strong>" in page
    too_much = post_form(
        client, f"/a/{token}/claims",
        {"kind": "partial", "amount": "50 000", "actual_costs": "50 000", "form_token": "f1"},
    )  # fmt: skip
    assert too_much.status_code == 400
    assert "Ni kan begära högst 40\xa0000\xa0kr." in too_much.text
    assert 'value="50 000"' in too_much.text
    receipt = client.post(
        f"/a/{token}/receipts", data={"csrf_token": csrf_token(client)},
        files={"file": ("kvitto.png", files.png())}, follow_redirects=False,
    )  # fmt: skip
    assert receipt.status_code == 303
    final = {"kind": "final", "amount": "40 000", "actual_costs": "41 200", "form_token": "f2"}
    ok = post_form(client, f"/a/{token}/claims", final, follow_redirects=False)
    again = post_form(client, f"/a/{token}/claims", final, follow_redirects=False)
    assert ok.status_code == again.status_code == 303
    assert len(payments.claims_for(db, granted)) == 1
    page = client.get(f"/a/{token}").text
    assert "Tack! Begäran om utbetalning har kommit in." in page
    assert "Slutbetalning" in page
    report = post_form(client, f"/a/{token}/report", {"summary": "", "participants_women": "x"})
    assert report.status_code == 400
    assert "Beskriv vad projektet har gjort." in report.text
    assert "Ange ett heltal, t.ex. 40." in report.text


def test_a_claim_cannot_exceed_the_actual_costs(db: Session, granted: Application) -> None:
    claim, result = _claim(db, granted, amount="5 000", actual_costs="0")
    assert claim is None
    assert result.errors["amount"] == "Ni kan inte begära mer än de faktiska kostnaderna."


def test_jobs_must_be_a_real_number(db: Session, granted: Application) -> None:
    _, result = reports.submit_report(
        db, applicants.applicant_actor(granted), granted,
        {"summary": "Klart", "jobs_created": "NaN"},
    )  # fmt: skip
    assert result.errors["jobs_created"].startswith("Ange antal heltidstjänster")
