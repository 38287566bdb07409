"""The manager's (verksamhetsledare's) journey in a real browser: log in → the budget dashboard
and its figures → drill down from an action area to the applications behind it → register
progress on the operation plan (first a mistake, shown next to the field, then a correct
value) → download the ledger export → the calls (/umbrellas) → the board's member register,
where a new substitute is registered."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.applications.models import ApplicationStatus
from app.auth.models import Role
from app.board.models import BoardMember
from app.config import Settings
from app.core.clock import local_today
from app.core.money import format_money
from app.dashboard.models import ActivityProgress, OperationActivity, OperationGoal
from app.ledger.models import LedgerKind
from app.ledger.service import record_entry
from tests.browser import chromium, committed_database, live_server, step
from tests.factories import (
    KR,
    PASSWORD,
    make_application,
    make_area,
    make_board,
    make_small_grant_case,
)

ACTIVITY = "Idéverkstäder för bygder som är intresserade"


def _kr(kronor: int) -> str:
    return format_money(kronor * KR, "sv")


@pytest.fixture
def journey_db(tmp_path: Path):
    """An area of 10 Mkr with a LAG and an operation plan for this year; in its action area
    "Bo & Leva" a Leader project granted 2.5 Mkr, a småstöd granted 25 000 kr from the
    Beredskap pot and a småstöd of 20 000 kr waiting for a decision."""
    with committed_database(tmp_path) as (url, factory):
        with factory() as db:
            setup = make_area(db, "ledbygd")
            make_board(db, setup)
            granted = make_small_grant_case(db, setup, requested_kr=25_000, title="Hjärtstartare",
                                            status=ApplicationStatus.APPROVED)  # fmt: skip
            project = make_application(db, setup, requested_kr=2_500_000,
                                       status=ApplicationStatus.APPROVED)  # fmt: skip
            for application in (project, granted):
                record_entry(db, setup.actor, period=setup.period, kind=LedgerKind.COMMITMENT,
                             amount_ore=application.requested_ore, reason="Beslut om stöd",
                             application=application)  # fmt: skip
            make_small_grant_case(db, setup, title="Reservkraft i byn",
                                  status=ApplicationStatus.SUBMITTED)  # fmt: skip
            goal = OperationGoal(area_id=setup.area.id, year=local_today().year, position=1,
                                 title="Upparbeta 75 % av de tilldelade projektmedlen")  # fmt: skip
            activity = OperationActivity(goal=goal, position=1, title=ACTIVITY, target_count=4,
                                         unit="idéverkstäder")  # fmt: skip
            db.add_all([goal, activity])
            db.commit()
            activity_id = activity.id
        yield url, factory, setup, activity_id


def _log_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button:has-text('Logga in')")


def _kpi(page: Page, label: str):
    return page.locator(".kpi").filter(has=page.locator(".kpi-label", has_text=label))


def test_manager_journey_in_chromium(journey_db, settings: Settings) -> None:
    url, factory, setup, activity_id = journey_db
    with (
        chromium() as browser,
        live_server(settings.model_copy(update={"database_url": url})) as base,
    ):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        page = context.new_page()
        with step(page, "manager logs in and lands on the budget"):
            _log_in(page, base, setup.users[Role.MANAGER].email)
            page.wait_for_url(f"{base}/budget")
            expect(page.locator("h1")).to_have_text("Budget och upparbetning 2023–2027")
            expect(_kpi(page, "Tilldelat")).to_contain_text(_kr(10_000_000))
            expect(_kpi(page, "Beviljat")).to_contain_text(_kr(2_500_000))
            expect(_kpi(page, "Kvar")).to_contain_text(_kr(7_500_000))
            expect(page.locator("#verdict")).to_contain_text("Upparbetningen är 25,0 %")
            areas = page.locator("table", has=page.locator("caption", has_text="insatsområde"))
            row = areas.locator("tbody tr", has_text="Bo & Leva")
            expect(row).to_contain_text(_kr(2_500_000))  # beviljat
            expect(row).to_contain_text(_kr(1_500_000))  # kvar of the 4 Mkr frame
        with step(page, "drill down to the applications behind the figures"):
            with page.expect_navigation():
                row.get_by_role("link", name="Bo & Leva").click()
            expect(page.locator("h1")).to_have_text("Ärenden")
            expect(page.locator("#action_area option:checked")).to_have_text("Bo & Leva")
            expect(page.locator("#queue .queue-summary")).to_contain_text("3 ärenden")
            expect(page.locator("#queue tbody")).to_contain_text("Mötesplats i bygden")
            expect(page.locator("#queue tbody")).to_contain_text("Hjärtstartare")
            expect(page.locator("#queue tbody")).to_contain_text("Reservkraft i byn")
        with step(page, "register progress with a mistake first"):
            page.get_by_role("navigation", name="Huvudmeny").get_by_role(
                "link", name="Budget"
            ).click()
            page.wait_for_url(f"{base}/budget")
            count = page.get_by_label(f"Antal: {ACTIVITY}")
            count.fill("två")
            form = page.locator(f"form[action='/budget/plan/{activity_id}']")
            with page.expect_navigation():
                form.get_by_role("button", name="Registrera").click()
            error = page.locator(f"#a{activity_id}_count-error")
            expect(error).to_be_visible()
            expect(count).to_have_attribute("aria-invalid", "true")
            expect(count).to_have_attribute("aria-describedby", f"a{activity_id}_count-error")
            expect(count).to_have_value("två")  # what was typed is kept
        with step(page, "register progress correctly"):
            count.fill("2")
            page.get_by_label("Anteckning").fill("Forssjö och Bettna")
            with page.expect_navigation():
                form.get_by_role("button", name="Registrera").click()
            expect(page.locator("main > p.notice[role=status]")).to_have_text(
                "Uppföljningen är registrerad."
            )
            activity_row = page.locator("#plan tbody tr", has_text=ACTIVITY)
            expect(activity_row.locator("td").nth(0)).to_have_text("2 idéverkstäder")
            expect(error).to_have_count(0)
        with step(page, "download the ledger"):
            with page.expect_download() as download:
                page.locator(".exports a[href='/budget/export/ledger.csv']").click()
            assert download.value.suggested_filename == "ledger-2023-2027.csv"
            ledger = Path(download.value.path()).read_text(encoding="utf-8-sig")
            assert "Tilldelning" in ledger and "Beslut om stöd" in ledger
        with step(page, "open the calls"):
            page.get_by_role("link", name="Utlysningar").click()
            page.wait_for_url(f"{base}/umbrellas")
            expect(page.locator("h1")).to_have_text("Utlysningar av småstöd")
            call = page.locator("tbody tr", has_text="Beredskap")
            expect(call).to_contain_text(_kr(500_000))  # the pot
            expect(call).to_contain_text(_kr(25_000))  # granted from it
        with step(page, "the board's member register"):
            page.get_by_role("link", name="LAG-styrelsen").click()
            page.wait_for_url(f"{base}/board")
            expect(page.locator("h1")).to_have_text("LAG-styrelsen")
            members = page.locator("section[aria-labelledby=members-heading] tbody")
            expect(members.locator("tr")).to_have_count(12)
            expect(page.locator("section[aria-labelledby=balance-heading]")).to_contain_text(
                "Ingen intressegrupp har mer än 49 %"
            )
        with step(page, "register a new substitute"):
            new = page.locator("#new-member")
            new.get_by_label("Namn").fill("Lisa Nyström")
            new.get_by_label("Företräder").fill("Hembygdsförbundet")
            new.get_by_label("Intressegrupp").select_option(label="Ideell sektor")
            new.get_by_label("Roll").select_option(label="Ersättare")
            new.get_by_label("Mandat från").fill(local_today().isoformat())
            with page.expect_navigation():
                new.get_by_role("button", name="Registrera").click()
            expect(members.locator("tr", has_text="Lisa Nyström")).to_contain_text("Ersättare")
        context.close()

    with factory() as db:
        [progress] = db.scalars(select(ActivityProgress)).all()
        assert (progress.activity_id, progress.count) == (activity_id, 2)
        assert progress.note == "Forssjö och Bettna"
        assert db.scalar(select(BoardMember).where(BoardMember.full_name == "Lisa Nyström"))
