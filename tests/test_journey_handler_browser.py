"""The handler's journey in a real browser, with the applicant's side through the e-mails a real
SMTP server receives: queue → search → open the case → start review → komplettering answered
through the e-mailed link → checklist → proposal → ready → approve under delegation (letter and
PDF by e-mail) → the applicant claims a payment → the payment is registered → the case closed."""

import re
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.applications.models import Application, ApplicationStatus
from app.auth.models import Role
from app.casework import checklists
from app.config import Settings
from app.core.clock import local_today
from app.payments.models import ClaimStatus, Payment, PaymentClaim
from tests.browser import (
    chromium,
    committed_database,
    live_server,
    served_settings,
    step,
    wait_for,
)
from tests.factories import PASSWORD, make_area, make_small_grant_case
from tests.smtp import Received, RecordingHandler, smtp_server

T = TypeVar("T")
TITLE = "Krisberedskap i byn"


@pytest.fixture
def journey_db(tmp_path: Path):
    """A database of its own, committed, so the live server's connections see the data: an area
    with two submitted småstöd (the search must pick the right one)."""
    with committed_database(tmp_path) as (url, factory):
        with factory() as db:
            setup = make_area(db, "webbygd")
            make_small_grant_case(db, setup, title="Hjärtstartare till bygdegården",
                                  status=ApplicationStatus.SUBMITTED)  # fmt: skip
            case = make_small_grant_case(db, setup, title=TITLE,
                                         status=ApplicationStatus.SUBMITTED)  # fmt: skip
            db.commit()
            case_id, reference = case.id, case.reference
        yield url, factory, setup, case_id, reference


def _mail(handler: RecordingHandler, subject_start: str) -> Received:
    return wait_for(
        lambda: next(
            (r for r in handler.received if r.message["Subject"].startswith(subject_start)), None
        )
    )


def _link(received: Received) -> str:
    body = received.message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://\S+/a/\S+", body).group(0)


def _submit(page: Page, button: str, notice: str) -> None:
    """Press a case-page button and wait for the page that comes back with its notice."""
    with page.expect_navigation():
        page.click(button)
    expect(page.locator("main > p.notice[role=status]")).to_have_text(notice)


def test_handler_journey_in_chromium(journey_db, settings: Settings) -> None:
    url, factory, setup, case_id, reference = journey_db
    handler_user = setup.users[Role.HANDLER]
    inbox = RecordingHandler()
    with smtp_server(inbox) as smtp, chromium() as browser:
        app_settings = served_settings(settings, url, smtp)
        with live_server(app_settings) as base:
            staff = browser.new_context(viewport={"width": 1280, "height": 900})
            page = staff.new_page()
            badge = page.locator(".case-status .badge")
            with step(page, "handler logs in"):
                page.goto(base + "/login")
                page.fill("#email", handler_user.email)
                page.fill("#password", PASSWORD)
                with page.expect_navigation():
                    page.click("button:has-text('Logga in')")
                page.wait_for_url(f"{base}/cases")
                expect(page.locator("h1")).to_have_text("Ärenden")
                expect(page.locator("#queue .queue-summary")).to_contain_text("2 ärenden")
            with step(page, "search the queue by reference"):
                page.fill("#q", reference)
                expect(page.locator("#queue .queue-summary")).to_contain_text("1 ärenden")
                row = page.locator("#queue tbody tr")
                expect(row).to_have_count(1)
                expect(row).to_contain_text(reference)
                page.wait_for_url(re.compile(r"/cases\?.*q="))  # htmx keeps the URL in step
                with page.expect_navigation():
                    row.get_by_role("link", name=TITLE).click()
                page.wait_for_url(f"{base}/cases/{case_id}")
                expect(page.locator("h1")).to_have_text(f"{reference} · {TITLE}")
                expect(badge).to_have_text("Inkommen")
            with step(page, "start review"):
                _submit(page, "#status button:has-text('Börja handläggning')",
                        "Klart: börja handläggning.")  # fmt: skip
                expect(badge).to_have_text("Under handläggning")
            with step(page, "request komplettering"):
                deadline = local_today() + timedelta(days=10)
                page.fill("#komplettering-message", "Skicka offerten på reservkraften.")
                page.fill("#komplettering-deadline", deadline.isoformat())
                _submit(page, "button:has-text('Begär komplettering')",
                        "Begäran om komplettering är skickad till sökanden.")  # fmt: skip
                expect(badge).to_have_text("Väntar på komplettering")
                expect(page.locator("#komplettering")).to_contain_text("Inte besvarad.")

            applicant = browser.new_context().new_page()  # another device, no staff login
            with step(applicant, "applicant answers through the e-mailed link"):
                question = _mail(inbox, f"Vi behöver komplettering av ansökan {reference}")
                assert question.rcpt_tos == ["eva@example.se"]
                assert "Skicka offerten på reservkraften." in question.message.get_content()
                applicant.goto(_link(question))
                expect(applicant.locator("main")).to_contain_text(
                    "Skicka offerten på reservkraften."
                )
                applicant.fill("textarea[name=answer]", "Offerten kommer från Elfirman i Flen.")
                with applicant.expect_navigation():
                    applicant.click("text=Skicka svaret")
                applicant.wait_for_selector("text=Tack! Ert svar har skickats")

            with step(page, "handler sees the answer"):
                page.reload()
                expect(badge).to_have_text("Under handläggning")
                expect(page.locator("#komplettering")).to_contain_text(
                    "Offerten kommer från Elfirman i Flen."
                )
            with step(page, "answer the checklist"):
                with factory() as db:
                    keys = [i.key for i in checklists.items_for(db.get(Application, case_id))]
                for key in keys:
                    page.check(f"input[name=verdict_{key}][value=yes]")
                _submit(page, "button:has-text('Spara kontroll')",
                        "Kontrollpunkterna är sparade.")  # fmt: skip
                for key in keys:
                    expect(page.locator(f"input[name=verdict_{key}][value=yes]")).to_be_checked()
            with step(page, "write a decision proposal"):
                proposal = page.locator("form[action$='/proposal']")
                proposal.locator("input[name=outcome][value=approve]").check()
                page.fill("#proposal-motivation", "Projektet stärker byns beredskap.")
                _submit(page, "button:has-text('Spara beslutsförslag')",
                        "Beslutsförslaget är sparat.")  # fmt: skip
                expect(page.locator("#proposal")).to_contain_text("Nuvarande förslag")
            with step(page, "ready for decision"):
                _submit(page, "#status button:has-text('Klar för beslut')",
                        "Klart: klar för beslut.")  # fmt: skip
                expect(badge).to_have_text("Klar för beslut")
            with step(page, "approve under delegation"):
                decision_form = page.locator("form[action$='/decision']")
                # The form starts from the proposal; the handler confirms and writes the reason.
                expect(decision_form.locator("input[name=outcome][value=approve]")).to_be_checked()
                decision_form.locator("input[name=outcome][value=approve]").check()
                page.fill("#decision-motivation", "Beviljas: projektet stärker byns beredskap.")
                _submit(page, "button:has-text('Fatta beslut')",
                        "Beslutet är fattat och skickat till sökanden.")  # fmt: skip
                expect(badge).to_have_text("Beviljad")
                decision = page.locator("#decision .decision")
                expect(decision).to_contain_text("Beviljat 20 000 kr")
                expect(decision).to_contain_text("Beviljas: projektet stärker byns beredskap.")
                letter_link = decision.get_by_role("link", name="Beslutsbrevet")
                expect(letter_link).to_be_visible()
                expect(page.locator("form[action$='/decision']")).to_have_count(0)
            with step(page, "open the decision letter"):
                letter = staff.new_page()  # the same login
                letter.goto(base + letter_link.get_attribute("href"))
                expect(letter.locator("body")).to_contain_text(reference)
                expect(letter.locator("body")).to_contain_text("Beviljat")
                letter.close()

            with step(applicant, "decision e-mail with the PDF letter"):
                mail = _mail(inbox, f"Beslut om er ansökan {reference}")
                assert mail.rcpt_tos == ["eva@example.se"]
                [pdf] = list(mail.message.iter_attachments())
                assert pdf.get_content_type() == "application/pdf"
                assert pdf.get_filename() == f"beslut-{reference}.pdf"
                assert pdf.get_content().startswith(b"%PDF")
            with step(applicant, "applicant claims a payment"):
                applicant.goto(_link(mail))
                expect(applicant.locator("main")).to_contain_text("Beviljad")
                applicant.select_option("#kind", "partial")
                applicant.fill("#amount", "20 000")
                applicant.fill("#actual_costs", "24 500")
                applicant.fill("#description", "Reservaggregatet är köpt och installerat.")
                with applicant.expect_navigation():
                    applicant.click("button:has-text('Begär utbetalning')")
                applicant.wait_for_selector("text=Tack! Begäran om utbetalning har kommit in.")

            with step(page, "register the payment"):
                page.reload()
                expect(badge).to_have_text("Utbetalning pågår")
                claim = page.locator("#payments .claim")
                expect(claim.locator("h3")).to_have_text("Delutbetalning 20 000 kr – Inkommen")
                expect(claim.locator("input[name=amount]")).to_have_value("20000")
                _submit(page, "#payments button:has-text('Registrera utbetalning')",
                        "Utbetalningen är registrerad och sökanden har fått besked.")  # fmt: skip
                expect(claim.locator("h3")).to_have_text("Delutbetalning 20 000 kr – Utbetald")
            with step(page, "close the case"):
                page.fill("#closing-reason", "Slutredovisningen lämnas muntligt på LAG-mötet.")
                _submit(page, "#closing button[type=submit]", "Ärendet är avslutat.")
                expect(badge).to_have_text("Avslutad")
                expect(page.locator("#closing")).to_have_count(0)
            with step(applicant, "payment e-mail"):
                paid = _mail(inbox, f"Utbetalning för {reference}")
                assert paid.rcpt_tos == ["eva@example.se"]

    with factory() as db:
        application = db.get(Application, case_id)
        assert application.status is ApplicationStatus.CLOSED
        assert application.granted_ore == 20_000_00
        [request] = application.information_requests
        assert request.answer_text == "Offerten kommer från Elfirman i Flen."
        [payment] = db.scalars(select(Payment).where(Payment.application_id == case_id))
        assert payment.amount_ore == 20_000_00
        assert db.get(PaymentClaim, payment.claim_id).status is ClaimStatus.PAID
