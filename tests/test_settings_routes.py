"""The settings pages over HTTP: the manager's overview and forms, with refusals next to the
field, what was typed kept, and saved changes back on the overview."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applicants import service as applicants
from app.areas.models import SelectionCriterion
from app.audit.models import AuditEvent
from app.auth.models import Role
from app.config import Settings
from app.ledger.models import LedgerKind
from app.ledger.service import record_entry
from tests.factories import KR, AreaSetup, make_application, make_small_grant_case
from tests.http import login, post_form


@pytest.fixture
def manager(client: TestClient, area: AreaSetup) -> TestClient:
    assert login(client, area.users[Role.MANAGER].email).status_code == 303
    return client


def field_error(html: str, name: str) -> str:
    found = re.search(rf'<p class="error-message" id="{name}-error">([^<]*)</p>', html)
    assert found, f"no error next to {name}"
    return found[1]


def test_the_overview_shows_every_part(manager: TestClient, db: Session, area) -> None:
    db.add(
        SelectionCriterion(
            area_id=area.area.id,
            period_id=area.period.id,
            position=1,
            name="Förankring",
            weight=60,
            max_points=10,
        )
    )
    db.commit()
    page = manager.get("/settings")
    assert page.status_code == 200
    text = page.text
    assert "Inställningar för Leader Testbygd" in text
    assert '<a href="/settings" aria-current="page">Inställningar</a>' in text
    assert "Fler än 50 % av de ordinarie platserna deltar" in text
    assert "10\xa0000\xa0000\xa0kr" in text  # the allocation
    assert 'href="/settings/action-areas/' in text and "Bo &amp; Leva" in text
    assert "Förankring" in text and "600" in text  # weight × max points
    assert "Projektet följer Leadermetoden" in text
    # The frame (4 Mkr) is less than the allocation (10 Mkr): a warning, not a refusal.
    assert "Insatsområdenas ramar är tillsammans 4\xa0000\xa0000\xa0kr" in text


def test_a_saved_change_returns_to_the_overview(manager: TestClient, db: Session, area) -> None:
    response = post_form(
        manager,
        "/settings/area",
        {
            "decision_within_days": "14",
            "retention_months": "84",
            "quorum_percent": "50",
            "balance_limit_percent": "49",
            "reason": "Styrelsebeslut 2026-11-20",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/settings#area"
    page = manager.get("/settings")
    assert "Inställningarna är sparade." in page.text
    assert "Inom 14 dagar från att ansökan kom in" in page.text
    event = db.scalars(select(AuditEvent).where(AuditEvent.entity_type == "area")).one()
    assert event.changes == {"decision_within_days": [30, 14], "retention_months": [120, 84]}
    assert event.actor_label == area.users[Role.MANAGER].full_name


def test_bad_input_comes_back_next_to_the_field_as_typed(manager: TestClient, area) -> None:
    response = post_form(
        manager,
        "/settings/period",
        {
            "uptake_target_percent": "75",
            "uptake_target_date": "2026-12-31",
            "pass_threshold_points": "sexhundra",
            "volunteer_rate_adult_kr": "340",
            "volunteer_rate_youth_kr": "77",
            "advance_cap_percent": "50",
            "advance_cap_kr": "250 000",
        },
    )
    assert response.status_code == 400
    assert field_error(response.text, "pass_threshold_points") == (
        "Ange ett heltal från 0 till 100000."
    )
    assert 'value="sexhundra"' in response.text
    assert "Formuläret har 1 fel." in response.text


def test_a_refusal_says_why_next_to_the_field(manager: TestClient, db: Session, area) -> None:
    project = make_application(db, area, requested_kr=2_000_000)
    record_entry(
        db,
        area.actor,
        period=area.period,
        kind=LedgerKind.COMMITMENT,
        amount_ore=2_000_000 * KR,
        reason="Beslut",
        application=project,
    )
    db.commit()
    url = f"/settings/action-areas/{area.action_area.id}"
    form = manager.get(url)
    assert form.status_code == 200 and 'value="4000000"' in form.text
    response = post_form(
        manager,
        url,
        {"name": "Bo & Leva", "budget_frame_kr": "1 000 000", "pass_threshold_points": ""},
    )
    assert response.status_code == 400
    assert field_error(response.text, "budget_frame_kr") == (
        "Ramen kan inte bli lägre än det som redan är reserverat och beviljat i insatsområdet "
        "(2\xa0000\xa0000\xa0kr)."
    )
    assert 'value="1 000 000"' in response.text
    removed = post_form(manager, url + "/remove", {})
    assert removed.status_code == 400
    assert "Insatsområdet Bo &amp; Leva kan inte tas bort" in removed.text


def test_the_allocation_form_records_a_ledger_entry(manager: TestClient, db, area) -> None:
    assert 'value="10000000"' in manager.get("/settings/allocation").text
    missing = post_form(manager, "/settings/allocation", {"allocation_kr": "12000000"})
    assert field_error(missing.text, "reason") == "Ange ett skäl."
    saved = post_form(
        manager,
        "/settings/allocation",
        {"allocation_kr": "12 000 000", "reason": "Tillskott från Jordbruksverket"},
        follow_redirects=False,
    )
    assert saved.headers["location"] == "/settings#period"
    assert "12\xa0000\xa0000\xa0kr" in manager.get("/settings").text


def test_criteria_and_conditions_are_added_moved_and_changed(manager: TestClient, db, area):
    for name in ("Förankring", "Innovation"):
        added = post_form(
            manager,
            "/settings/criteria/new",
            {"name": name, "description": "", "weight": "50", "max_points": "10"},
            follow_redirects=False,
        )
        assert added.status_code == 303
    second = db.scalars(
        select(SelectionCriterion).where(SelectionCriterion.name == "Innovation")
    ).one()
    moved = post_form(
        manager, f"/settings/criteria/{second.id}/move", {"direction": "up"}, follow_redirects=False
    )
    assert moved.headers["location"] == "/settings#criteria"
    db.expire_all()
    assert [c.name for c in area.period.criteria] == ["Innovation", "Förankring"]

    added = post_form(
        manager,
        "/settings/basic-conditions/new",
        {"text": "Projektet har en plan för spridning"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    db.expire_all()
    condition = area.period.basic_conditions[-1]
    assert condition.active and condition.key == "grundkrav_1"
    edit = manager.get(f"/settings/basic-conditions/{condition.id}")
    assert 'name="active" value="yes" checked' in edit.text
    retired = post_form(
        manager,
        f"/settings/basic-conditions/{condition.id}",
        {"text": condition.text, "reason": "Ingår i strategin"},
        follow_redirects=False,
    )
    assert retired.status_code == 303
    db.expire_all()
    assert not condition.active


def test_the_applicant_sees_when_to_expect_a_decision(
    client: TestClient, db: Session, area: AreaSetup, settings: Settings
) -> None:
    area.area.decision_within_days = 21
    case = make_small_grant_case(db, area)
    token = applicants.issue_link(db, settings, case)
    db.commit()
    page = client.get(f"/a/{token}")
    assert page.status_code == 200
    assert "Inom 21 dagar från att ansökan kom in" in page.text
