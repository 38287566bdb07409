"""The applicant's journey in a real browser, with the receipt through a real SMTP server:
open call → form with one mistake → fix it → submit → receipt e-mail → open the magic link →
answer a komplettering."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.applicants import service
from app.applications.models import Application, ApplicationStatus
from app.applications.workflow import OFFICE
from app.config import Settings
from tests.browser import (
    chromium,
    committed_database,
    live_server,
    served_settings,
    step,
    wait_for,
)
from tests.factories import make_area
from tests.smtp import RecordingHandler, smtp_server


@pytest.fixture
def journey_db(tmp_path: Path):
    with committed_database(tmp_path) as (url, factory):
        with factory() as db:
            setup = make_area(db, "webbygd")
            db.commit()
        yield url, factory, setup


def test_applicant_journey_in_chromium(journey_db, settings: Settings) -> None:
    url, factory, setup = journey_db
    handler = RecordingHandler()
    with smtp_server(handler) as smtp, chromium() as browser:
        app_settings = served_settings(settings, url, smtp)
        with live_server(app_settings) as base:
            page = browser.new_page(viewport={"width": 400, "height": 860})  # a phone
            with step(page, "open call"):
                page.goto(base + "/")
                page.click("text=Beredskap")
                page.click("text=Börja ansökan")
                page.wait_for_url("**/organisation")
            with step(page, "organisation with a mistake"):
                page.fill("#name", "Stjärnhovs bygdegårdsförening")
                page.fill("#org_number", "817604-5528")
                page.press("#org_number", "Tab")
                error = page.wait_for_selector("#org_number-error")
                assert "kontrollsiffran stämmer inte" in error.inner_text()
                page.fill("#org_number", "817604-5527")
                page.press("#org_number", "Tab")
                page.wait_for_selector("#org_number-error", state="detached")
                page.fill("#bankgiro", "5050-1055")
                page.fill("#contact_name", "Eva Ek")
                page.fill("#contact_email", "eva@example.se")
                page.click("button.primary[value=next]")
                page.wait_for_url("**/project")
            with step(page, "project"):
                start = date.today() + timedelta(days=7)
                page.fill("#title", "Reservkraft till bygdegården")
                page.fill("#description", "Ett reservaggregat till bygdegården.")
                page.fill("#expected_results", "En värmestuga vid kris.")
                page.fill("#project_start", start.isoformat())
                page.fill("#project_end", (start + timedelta(days=90)).isoformat())
                page.click("button.primary[value=next]")
                page.wait_for_url("**/budget")
            with step(page, "budget"):
                page.fill("#cost_1_description", "Reservaggregat")
                page.fill("#cost_1_amount", "40 000")
                page.fill("#leader_support", "40 000")
                page.fill("#volunteer_hours_adult", "60")
                page.fill("#volunteer_women", "4")
                page.fill("#volunteer_men", "3")
                page.click("button.primary[value=next]")
                page.wait_for_url("**/attachments")
                page.click("text=Nästa")
                page.wait_for_url("**/review")
            with step(page, "submit"):
                page.check("#consent")
                page.click("text=Skicka in ansökan")
                page.wait_for_selector("text=Tack! Ansökan har kommit in")
                assert "SMÅ-" in page.inner_text("main")
            with step(page, "receipt e-mail"):
                receipt = wait_for(lambda: handler.received)[0]
                assert receipt.rcpt_tos == ["eva@example.se"]
                assert receipt.message["Subject"].startswith("Vi har tagit emot er ansökan SMÅ-")
                link = re.search(r"http://\S+/a/\S+", receipt.message.get_content()).group(0)
            with factory() as db:
                application = db.scalar(select(Application))
                service.request_information(
                    db, app_settings, setup.actor, application, roles=OFFICE,
                    message="Skicka gärna en offert.",
                    deadline=date.today() + timedelta(days=10), today=date.today(),
                )  # fmt: skip
                db.commit()
            with step(page, "answer komplettering on another device"):
                other = browser.new_page()
                other.goto(link)
                assert "Skicka gärna en offert." in other.inner_text("main")
                other.fill("textarea[name=answer]", "Offerten kommer från Elfirman i Flen.")
                other.click("text=Skicka svaret")
                other.wait_for_selector("text=Tack! Ert svar har skickats")
    with factory() as db:
        application = db.scalar(select(Application))
        assert application.status is ApplicationStatus.IN_REVIEW
        assert application.information_requests[0].answer_text.startswith("Offerten kommer")
