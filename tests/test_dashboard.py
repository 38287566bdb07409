"""The budget dashboard against hand-computed figures on a fixed data set: commitments,
a reservation, a release at closing, partial payments, a rejection, the pipeline, a nearly full
pot and one final report. The same figures come out of the API."""

import io
import threading
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.applications.models import Application, ApplicationKind, ApplicationStatus
from app.areas.models import ProgrammePeriod
from app.auth.models import Role
from app.dashboard import service
from app.dashboard.models import OperationActivity, OperationGoal
from app.db import read_only
from app.demo.seed import load_demo
from app.ledger.models import LedgerEntry, LedgerKind, LedgerTotal
from app.ledger.service import record_entry
from app.reports.models import FinalReport
from tests.factories import KR, AreaSetup, make_application, make_area
from tests.http import login

TODAY = date(2025, 1, 1)


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


@pytest.fixture
def figures(db: Session, area: AreaSetup) -> AreaSetup:
    def case(kind=ApplicationKind.LEADER_PROJECT, **kwargs):
        return make_application(db, area, kind=kind, **kwargs)

    def entry(application, kind, kr, day, released=None):
        record_entry(db, area.actor, period=area.period, kind=kind, amount_ore=kr * KR,
                     reason="Fast data", application=application, released_kind=released,
                     recorded_at=at(day))  # fmt: skip

    a = case(requested_kr=1_200_000, status=ApplicationStatus.PAYMENT)
    a.granted_ore, a.decided_at = 1_000_000 * KR, at("2024-03-15")
    entry(a, LedgerKind.COMMITMENT, 1_000_000, "2024-03-15")
    entry(a, LedgerKind.PAYMENT, 400_000, "2024-09-10")
    b = case(requested_kr=300_000, status=ApplicationStatus.PRIORITISED)
    entry(b, LedgerKind.RESERVATION, 300_000, "2024-11-20")
    c = case(requested_kr=200_000, status=ApplicationStatus.CLOSED)
    c.granted_ore, c.decided_at = 200_000 * KR, at("2025-01-05")
    entry(c, LedgerKind.COMMITMENT, 200_000, "2025-01-05")
    entry(c, LedgerKind.RELEASE, 50_000, "2025-06-01", released=LedgerKind.COMMITMENT)
    # Half a million kronor of the allocation goes back to the authority.
    record_entry(db, area.actor, period=area.period, kind=LedgerKind.ADJUSTMENT,
                 amount_ore=500_000 * KR, reason="Återförd tilldelning",
                 recorded_at=at("2024-12-01"))  # fmt: skip
    d = case(requested_kr=100_000, status=ApplicationStatus.REJECTED)
    d.decided_at = at("2024-05-01")
    case(requested_kr=500_000, status=ApplicationStatus.SUBMITTED)  # pipeline
    case(ApplicationKind.SMALL_GRANT, requested_kr=40_000, status=ApplicationStatus.IN_REVIEW)
    pot = case(ApplicationKind.SMALL_GRANT, requested_kr=460_000, status=ApplicationStatus.APPROVED)
    entry(pot, LedgerKind.COMMITMENT, 460_000, "2024-06-01")  # 92 % of the 500 000 kr pot
    db.add(FinalReport(
        area_id=area.area.id, application_id=a.id, summary="Klart", participants_women=10,
        participants_men=8, volunteer_hours=100, new_activities=2, jobs_created_hundredths=150,
        businesses_started=1,
    ))  # fmt: skip
    db.commit()
    return area


def test_the_dashboard_matches_the_hand_computed_figures(db: Session, figures) -> None:
    d = service.dashboard(db, figures.period, TODAY)
    total = d.overview.total
    assert (total.limit_ore, total.reserved_ore, total.committed_ore, total.paid_ore) == (
        9_500_000 * KR, 300_000 * KR, 1_150_000 * KR, 400_000 * KR,
    )  # fmt: skip
    assert d.released_ore == 50_000 * KR
    # 1 150 000 / 9 500 000 = 12,105 %; with the reservation 1 450 000 / 9 500 000 = 15,263 %.
    assert (d.uptake_percent, d.uptake_with_reservations_percent) == (Decimal("12.1"),
                                                                      Decimal("15.3"))  # fmt: skip
    # Target: 75 % of 9,5 Mkr by 2026-12-31, a straight line from 2023-01-01 (1 460 days).
    assert d.target.amount_ore == 712_500_000
    assert d.target.expected_today_ore == 712_500_000 * 731 // 1460 == 356_738_013
    assert d.target.months_left == 24
    assert d.target.per_month_ore == 24_895_834  # ⌈(712 500 000 − 115 000 000) / 24⌉
    assert d.verdict == "at_risk"
    # Pipeline and forecast: 500 000 kr of Leader projects undecided (the småstöd is paid from
    # its pot); 1 200 000 of 1 500 000 kr granted so far; the reservation counts in full.
    assert d.pipeline.by_action_area == {figures.action_area.id: 500_000 * KR}
    assert d.pipeline.approval_rate == Fraction(4, 5)
    assert d.forecast_ore == (1_150_000 + 300_000 + 400_000) * KR
    assert [(p.month, p.committed_ore, p.paid_ore) for p in d.burn_up] == [
        ("2024-03", 1_000_000 * KR, 0),
        ("2024-09", 1_000_000 * KR, 400_000 * KR),
        ("2025-01", 1_200_000 * KR, 400_000 * KR),
        ("2025-06", 1_150_000 * KR, 400_000 * KR),
    ]
    assert [w.text for w in d.warnings] == ["Potten Beredskap har använt 92,0 % av sin budget."]
    indicators = d.indicators[figures.action_area.id]
    assert (indicators.reports, indicators.participants_women, indicators.jobs_fte) == (
        1,
        10,
        Decimal("1.5"),
    )


def test_unpaid_grants_are_flagged_in_the_periods_last_year(db: Session, figures) -> None:
    d = service.dashboard(db, figures.period, date(2027, 6, 1))
    assert any("slutar inom ett år" in w.text for w in d.warnings)
    assert d.target.months_left == 0 and d.verdict == "missed"


def test_the_page_and_the_api_show_the_same_figures(
    db: Session, client: TestClient, figures
) -> None:
    login(client, figures.users[Role.MANAGER].email)
    page = client.get("/budget")
    assert page.status_code == 200
    assert "<svg" in page.text and "Beviljat och utbetalt per månad" in page.text
    assert "Potten Beredskap har använt 92,0 % av sin budget." in page.text
    api = client.get("/api/v1/dashboard")
    assert api.status_code == 200, api.text[:300]
    data = api.json()
    assert data["total"]["committed_ore"] == 1_150_000 * KR
    assert data["released_ore"] == 50_000 * KR
    assert data["pipeline"] == [{"action_area_id": figures.action_area.id,
                                 "undecided_ore": 500_000 * KR}]  # fmt: skip
    assert data["approval_rate_percent"] == "80.0"
    assert "/api/v1/dashboard" in client.get("/api/v1/openapi.json").json()["paths"]


def test_exports_in_csv_and_excel(db: Session, client: TestClient, figures) -> None:
    login(client, figures.users[Role.MANAGER].email)
    ledger_csv = client.get("/budget/export/ledger.csv")
    assert ledger_csv.status_code == 200
    lines = ledger_csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Datum;Slag;Frigjort slag;Belopp (kr)")
    assert "2025-06-01;Frigjort;Beviljat;50000;Bo & Leva;;;Fast data" in lines
    book = load_workbook(io.BytesIO(client.get("/budget/export/applications.xlsx").content))
    rows = list(book.active.values)
    assert rows[0][:4] == ("Diarienummer", "Titel", "Typ", "Status")
    indicators = client.get("/budget/export/indicators.csv").content.decode("utf-8-sig")
    assert "Bo & Leva;1;10;8;100;2;1,5;1" in indicators
    assert client.get("/budget/export/secrets.csv").status_code == 404
    page = client.get("/budget")
    assert f'href="/cases?action_area={figures.action_area.id}"' in page.text


def test_the_operation_plan_beside_the_money(db: Session, client: TestClient, area) -> None:
    goal = OperationGoal(area_id=area.area.id, year=2026, position=3,
                         title="Fortsätta arbetet mot en bättre beredskap")  # fmt: skip
    workshops = OperationActivity(goal=goal, position=1, title="Genomföra workshops",
                                  target_count=17, unit="workshops")  # fmt: skip
    db.add_all([goal, workshops])
    db.commit()
    today = date(2026, 11, 24)
    wrong = {"count": "0", "done_on": "2026-12-24"}
    result = service.register_progress(db, area.actor, area.area.id, workshops.id, wrong,
                                       today=today)  # fmt: skip
    assert result.errors == {"count": "Ange hur många, minst 1.",
                             "done_on": "Det kan inte vara gjort i framtiden."}  # fmt: skip
    for count in ("6", "5"):
        assert service.register_progress(db, area.actor, area.area.id, workshops.id,
                                         {"count": count, "done_on": "2026-10-01"},
                                         today=today).ok  # fmt: skip
    [status] = service.operation_plan(db, area.area.id, 2026)
    assert (status.activities[0].done, status.activities[0].share_percent) == (11, Decimal("64.7"))
    assert service.plan_year(db, area.area.id, date(2027, 2, 1)) == 2026  # until 2027's exists
    with pytest.raises(LookupError):
        service.register_progress(db, area.actor, area.area.id + 999, workshops.id, {},
                                  today=today)  # fmt: skip
    db.commit()
    login(client, area.users[Role.MANAGER].email)
    refused = client.post(f"/budget/plan/{workshops.id}",
                          data={"count": "x", "done_on": "2026-10-01",
                                "csrf_token": client.cookies["bygd_csrf"]})  # fmt: skip
    assert refused.status_code == 400 and "Ange ett heltal" in refused.text


def test_the_dashboard_as_a_pdf_for_the_board(db: Session, client: TestClient, figures) -> None:
    login(client, figures.users[Role.MANAGER].email)
    response = client.get("/budget/dashboard.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")
    assert "Budget och upparbetning 2023–2027" in text
    assert "1 150 000 kr" in text and "Potten Beredskap har använt 92,0 %" in text


def test_the_running_totals_agree_with_the_ledger(db: Session) -> None:
    """The trigger-kept totals are what budgets and the dashboard read: after the demo area's
    history (allocations, reservations, commitments, releases, payments, pots) they must equal
    the ledger's own sums, key by key."""
    load_demo(db, "lösenord")
    db.flush()
    expected: Counter = Counter()
    for e in db.scalars(select(LedgerEntry)):
        month = e.recorded_at.astimezone(UTC).strftime("%Y-%m")
        key = (e.period_id, e.action_area_id or 0, e.umbrella_project_id or 0, e.kind.value,
               e.released_kind or "", month)  # fmt: skip
        expected[key] += e.amount_ore
    totals = {
        (t.period_id, t.action_area_id, t.umbrella_project_id, t.kind, t.released_kind,
         t.month): t.amount_ore
        for t in db.scalars(select(LedgerTotal))
    }  # fmt: skip
    assert totals == dict(expected) and len(totals) > 10


def test_a_long_export_does_not_hold_the_write_lock(committed_factory) -> None:
    """While an export reads (here: a transaction kept open), a decision can still be written."""
    with committed_factory() as db:
        setup = make_area(db, "export")
        db.commit()
        period_id, actor = setup.period.id, setup.actor
    reader = committed_factory()
    read_only(reader)
    assert reader.scalar(select(func.count()).select_from(LedgerEntry)) == 1  # snapshot open
    done = threading.Event()

    def write() -> None:
        with committed_factory() as db:
            record_entry(db, actor, period=db.get(ProgrammePeriod, period_id),
                         kind=LedgerKind.ALLOCATION, amount_ore=KR, reason="Tillägg")  # fmt: skip
            db.commit()
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    writer.join(timeout=10)
    assert done.is_set()
    reader.close()


def test_exports_never_carry_a_formula(db: Session, client: TestClient, figures) -> None:
    application = db.scalars(select(Application)).first()
    application.reference, application.title = "PRJ-2024-0001", '=HYPERLINK("http://x","Klicka")'
    db.commit()
    login(client, figures.users[Role.MANAGER].email)
    text = client.get("/budget/export/applications.csv").content.decode("utf-8-sig")
    assert ';\'=HYPERLINK("http://x";' in text.replace('""', '"') or "'=HYPERLINK" in text
    sheet = load_workbook(io.BytesIO(client.get("/budget/export/applications.xlsx").content)).active
    title = sheet.cell(row=2, column=2)
    assert title.data_type == "s" and title.value.startswith("'=HYPERLINK")
