"""The demo area loads once, obeys the budget rules and puts uptake near 60 %."""

from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.applications.models import Application, ApplicationStatus
from app.areas.models import Area
from app.auth.models import Role
from app.board.models import Sector
from app.board.service import composition
from app.demo.seed import AREA_CODE, DEMO_LOGINS, load_demo
from app.ledger.models import LedgerEntry
from app.ledger.service import overview
from tests.http import login

DEMO_PASSWORD = "demo-lösenord"


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_demo_loads_once(db: Session) -> None:
    assert load_demo(db, DEMO_PASSWORD) is True
    counts = (_count(db, Area), _count(db, Application), _count(db, LedgerEntry))
    assert load_demo(db, DEMO_PASSWORD) is False
    assert (_count(db, Area), _count(db, Application), _count(db, LedgerEntry)) == counts


def test_demo_budget_matches_the_plan(db: Session) -> None:
    load_demo(db, DEMO_PASSWORD)
    area = db.scalar(select(Area).where(Area.code == AREA_CODE))
    budget = overview(db, area.periods[0])
    assert budget.total.limit_ore == 42_000_000_00
    assert budget.total.uptake_percent == Decimal("60.0")
    assert [line.name for line in budget.action_areas] == [
        "Ett hållbart näringsliv",
        "Innovativa lösningar",
        "Bo & Leva",
    ]
    assert all(line.balance.remaining_ore >= 0 for line in budget.action_areas + budget.pots)
    assert {line.name for line in budget.pots} == {
        "Beredskap",
        "Bo och leva",
        "Ett hållbart näringsliv",
    }
    statuses = set(db.scalars(select(Application.status)))
    assert {
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.APPROVED,
        ApplicationStatus.AWAITING_INFORMATION,
        ApplicationStatus.DRAFT,
    } <= statuses


def test_demo_board_has_all_sectors_in_balance(db: Session) -> None:
    load_demo(db, DEMO_PASSWORD)
    area = db.scalar(select(Area).where(Area.code == AREA_CODE))
    board = composition(db, area.id, area.periods[0].uptake_target_date)
    assert all(board.ordinary_by_sector[sector] == 3 for sector in Sector)
    assert board.dominant_sectors == []


def test_every_demo_login_works(client: TestClient, db: Session) -> None:
    load_demo(db, DEMO_PASSWORD)
    db.commit()
    assert {login_.role for login_ in DEMO_LOGINS} == set(Role)
    for demo in DEMO_LOGINS:
        client.cookies.clear()
        response = login(client, demo.email, DEMO_PASSWORD)
        assert response.status_code == 303, demo.email
        assert client.get(response.headers["location"]).status_code == 200


def test_the_handler_can_open_every_received_demo_case(client: TestClient, db: Session) -> None:
    load_demo(db, DEMO_PASSWORD)
    db.commit()
    login(client, "handlaggare@demo.bygdestod.se", DEMO_PASSWORD)
    received = db.scalars(select(Application).where(Application.reference.is_not(None))).all()
    assert len(received) > 20
    for application in received:
        page = client.get(f"/cases/{application.id}")
        assert page.status_code == 200, application.reference
        assert application.reference in page.text
