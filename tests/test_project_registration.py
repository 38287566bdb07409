"""The office registers a Leader project from the applicant's e-service documents: the whole
form validated with Swedish messages per field, the budget balanced to the öre, the organisation
reused or registered, and the application received through the workflow with its audit trail."""

import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.applications.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    FinancingKind,
)
from app.applications.workflow import TransitionRefused
from app.audit.models import AuditEvent
from app.auth.models import Role
from app.auth.service import actor_for
from app.core.money import format_money
from app.organisations.models import LegalForm, Organisation
from app.projects.service import register_project
from tests.factories import KR, AreaSetup
from tests.http import login, post_form

TODAY = date(2026, 11, 10)
OFFICE = frozenset({Role.HANDLER.value})


def _valid(area: AreaSetup, **changes: str) -> dict[str, str]:
    # 700 000 + 200 000 + 31 999,50 + 200 h × 340 kr (68 000) = 999 999,50 kr.
    return {
        "title": "Besöksnäring i Sörmlandsbygden",
        "description": "Vi tar fram vandringsleder och ett gemensamt bokningssystem.",
        "expected_results": "Fem nya besöksmål och ett nätverk för företagen.",
        "action_area": str(area.action_area.id),
        "received_on": "2026-11-02",
        "project_start": "2027-01-01",
        "project_end": "2028-06-30",
        "national_case_number": "2026-1234",
        "org_number": "817604-5527",
        "applicant_name": "Stjärnhovs IF",
        "legal_form": "ideell_forening",
        "contact_name": "Lisa Ek",
        "contact_email": "lisa.ek@example.se",
        "contact_phone": "070-123 45 67",
        "total_costs": "999 999,50",
        "leader_support": "700 000",
        "public_cofinancing": "200 000",
        "private_money": "31 999,50",
        "volunteer_hours": "200",
        "volunteer_women": "3",
        "volunteer_men": "2",
        **changes,
    }


def _register(db: Session, area: AreaSetup, raw: dict[str, str], roles: frozenset[str] = OFFICE):
    handler = area.users[Role.HANDLER]
    return register_project(db, actor_for(handler), handler.area_id, raw, roles=roles, today=TODAY)


def _applications(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Application)) or 0


# --- Service ---


def test_a_valid_registration_creates_a_received_leader_project(
    db: Session, area: AreaSetup
) -> None:
    application, result = _register(db, area, _valid(area))

    assert result.ok, result.errors
    assert application is not None
    assert application.kind is ApplicationKind.LEADER_PROJECT
    assert application.status is ApplicationStatus.SUBMITTED
    assert re.fullmatch(r"PRJ-2026-\d{4}", application.reference or "")
    assert application.submitted_at is not None
    assert application.national_case_number == "2026-1234"
    assert application.action_area_id == area.action_area.id
    assert (application.project_start, application.project_end) == (
        date(2027, 1, 1),
        date(2028, 6, 30),
    )
    assert application.requested_ore == 700_000 * KR
    assert (application.applicant_name, application.contact_email) == (
        "Stjärnhovs IF",
        "lisa.ek@example.se",
    )

    financing = {line.kind: line for line in application.financing_lines}
    assert financing[FinancingKind.LEADER_SUPPORT].amount_ore == 700_000 * KR
    assert financing[FinancingKind.PUBLIC_COFINANCING].amount_ore == 200_000 * KR
    assert financing[FinancingKind.PRIVATE_MONEY].amount_ore == 3_199_950
    volunteer = financing[FinancingKind.VOLUNTEER_WORK]
    rate = area.period.volunteer_rate_adult_ore
    assert (volunteer.volunteer_hours, volunteer.volunteer_rate_ore) == (200, rate)
    assert volunteer.amount_ore == 200 * rate == 6_800_000
    assert (volunteer.volunteer_women, volunteer.volunteer_men) == (3, 2)
    assert application.total_costs_ore == application.total_financing_ore == 99_999_950
    assert all(isinstance(line.amount_ore, int) for line in application.cost_lines)

    organisation = application.organisation
    assert organisation is not None
    assert (organisation.org_number, organisation.legal_form) == (
        "8176045527",
        LegalForm.NON_PROFIT_ASSOCIATION,
    )

    handler_id = area.users[Role.HANDLER].id
    registered_org = db.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_type == "organisation", AuditEvent.entity_id == organisation.id
        )
    )
    assert registered_org is not None and registered_org.action == "register"
    event = db.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_type == "application",
            AuditEvent.entity_id == application.id,
            AuditEvent.action == "register",
        )
    )
    assert event is not None
    assert event.actor_user_id == handler_id
    assert event.changes == {"status": ["draft", "submitted"]}
    assert application.reference in event.summary and "2026-1234" in event.summary


def test_references_count_up_per_registration(db: Session, area: AreaSetup) -> None:
    first, _ = _register(db, area, _valid(area, national_case_number=""))
    second, _ = _register(db, area, _valid(area, national_case_number=""))
    assert first and second
    assert first.reference == "PRJ-2026-0001" and second.reference == "PRJ-2026-0002"
    assert first.national_case_number is None


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        ("1 000 000", f"Det saknas finansiering för {format_money(50)}."),
        ("990 000", f"Finansieringen är {format_money(999_950)} större än kostnaderna."),
    ],
)
def test_an_unbalanced_budget_is_refused_with_the_difference(
    db: Session, area: AreaSetup, total: str, expected: str
) -> None:
    application, result = _register(db, area, _valid(area, total_costs=total))

    assert application is None
    message = result.errors["total_costs"]
    assert message.startswith("Kostnaderna (") and "måste vara lika stora" in message
    assert format_money(99_999_950) in message  # the financing
    assert message.endswith(expected)
    assert _applications(db) == 0


def test_an_organisation_number_with_a_wrong_check_digit_is_refused(
    db: Session, area: AreaSetup
) -> None:
    application, result = _register(db, area, _valid(area, org_number="817604-5528"))

    assert application is None
    assert result.errors == {
        "org_number": "Organisationsnumret är inte giltigt – kontrollsiffran stämmer inte."
    }
    assert result.raw["org_number"] == "817604-5528"


def test_a_sole_trader_gives_a_personnummer(db: Session, area: AreaSetup) -> None:
    raw = _valid(area, legal_form="enskild_firma", org_number="811218-9876")
    application, result = _register(db, area, raw)
    assert result.ok, result.errors
    assert application and application.organisation
    assert application.organisation.org_number == "8112189876"


def test_an_end_before_the_start_is_refused(db: Session, area: AreaSetup) -> None:
    application, result = _register(
        db, area, _valid(area, project_start="2027-06-01", project_end="2027-05-31")
    )
    assert application is None
    assert result.errors == {"project_end": "Slutdatumet kan inte vara före startdatumet."}


def test_every_missing_field_gets_its_own_message(db: Session, area: AreaSetup) -> None:
    application, result = _register(db, area, {})
    assert application is None
    assert set(result.errors) == {
        "title", "description", "expected_results", "action_area", "received_on", "project_start",
        "project_end", "org_number", "applicant_name", "legal_form", "contact_name",
        "contact_email", "total_costs", "leader_support",
    }  # fmt: skip
    assert result.errors["org_number"] == "Ange organisationsnummer."


def test_volunteer_hours_need_the_count_of_women_and_men(db: Session, area: AreaSetup) -> None:
    _, result = _register(db, area, _valid(area, volunteer_women="", volunteer_men=""))
    assert result.errors == {
        "volunteer_women": "Ange hur många kvinnor och män som gör det ideella arbetet."
    }


def test_an_existing_organisation_is_reused_not_duplicated(db: Session, area: AreaSetup) -> None:
    existing = area.organisation
    raw = _valid(area, org_number="802002-4280", applicant_name="Byaföreningen (ny stavning)")

    application, result = _register(db, area, raw)

    assert result.ok, result.errors
    assert application is not None
    assert application.organisation_id == existing.id
    count = db.scalar(
        select(func.count())
        .select_from(Organisation)
        .where(Organisation.area_id == area.area.id, Organisation.org_number == "8020024280")
    )
    assert count == 1
    assert existing.name == "Byaföreningen i testbygd"  # the register is not rewritten
    assert application.applicant_name == "Byaföreningen (ny stavning)"
    assert db.scalar(select(AuditEvent).where(AuditEvent.entity_type == "organisation")) is None
    flagged = db.scalar(select(AuditEvent).where(AuditEvent.action == "organisation_differs"))
    assert flagged is not None and flagged.entity_id == application.id
    assert "namn" in flagged.summary


def test_an_action_area_of_another_area_is_refused(
    db: Session, area: AreaSetup, other_area: AreaSetup
) -> None:
    raw = _valid(area, action_area=str(other_area.action_area.id))
    application, result = _register(db, area, raw)
    assert application is None
    assert result.errors == {"action_area": "Välj ett av områdets insatsområden."}


def test_the_same_e_service_case_cannot_be_registered_twice(db: Session, area: AreaSetup) -> None:
    first, _ = _register(db, area, _valid(area))
    assert first is not None
    second, result = _register(db, area, _valid(area))
    assert second is None
    assert result.errors == {
        "national_case_number": f"Ärendet är redan registrerat som {first.reference}."
    }


def test_only_the_office_may_register(db: Session, area: AreaSetup) -> None:
    with pytest.raises(TransitionRefused):
        _register(db, area, _valid(area), roles=frozenset({Role.LAG_MEMBER.value}))
    assert _applications(db) == 0
    assert db.scalar(select(func.count()).select_from(Organisation)) == 1  # the factory's only


# --- HTTP ---


def _message_next_to(html: str, field: str) -> str | None:
    """The error text rendered inside the field's own block, linked by aria-describedby."""
    block = re.search(rf'<div class="field[^"]*" id="field-{field}">(.*?)</div>', html, re.S)
    assert block, f"no field {field}"
    match = re.search(rf'<p class="error-message" id="{field}-error">(.*?)</p>', block.group(1))
    if match:
        assert f"{field}-error" in block.group(1) and 'aria-invalid="true"' in block.group(1)
    return match.group(1) if match else None


@pytest.fixture
def handler(client: TestClient, area: AreaSetup) -> TestClient:
    login(client, area.users[Role.HANDLER].email)
    return client


def test_the_queue_links_to_the_form_and_the_form_shows_the_action_areas(
    handler: TestClient, area: AreaSetup
) -> None:
    assert 'href="/cases/new-project"' in handler.get("/cases").text
    page = handler.get("/cases/new-project")
    assert page.status_code == 200
    assert "<h1>Registrera Leaderprojekt</h1>" in page.text
    assert f'<option value="{area.action_area.id}">Bo &amp; Leva</option>' in page.text
    assert "340 kr per timme" in page.text.replace("\u00a0", " ")


def test_a_lag_member_may_not_register(client: TestClient, area: AreaSetup) -> None:
    login(client, area.users[Role.LAG_MEMBER].email)
    assert client.get("/cases/new-project").status_code == 403
    response = post_form(client, "/cases/new-project", _valid(area), follow_redirects=False)
    assert response.status_code == 403


def test_invalid_input_is_shown_next_to_its_field_and_kept(
    handler: TestClient, db: Session, area: AreaSetup
) -> None:
    raw = _valid(area, org_number="817604-5528", project_end="2026-12-31", total_costs="1 000 000")
    response = post_form(handler, "/cases/new-project", raw, follow_redirects=False)

    assert response.status_code == 400
    html = response.text
    assert _message_next_to(html, "org_number") == (
        "Organisationsnumret är inte giltigt – kontrollsiffran stämmer inte."
    )
    assert _message_next_to(html, "project_end") == "Slutdatumet kan inte vara före startdatumet."
    assert f"Det saknas finansiering för {format_money(50)}." in (
        _message_next_to(html, "total_costs") or ""
    )
    assert _message_next_to(html, "title") is None
    assert 'value="817604-5528"' in html
    assert 'value="Besöksnäring i Sörmlandsbygden"' in html
    assert "Vi tar fram vandringsleder" in html
    assert 'value="31 999,50"' in html
    assert f'<option value="{area.action_area.id}" selected>' in html
    assert '<option value="ideell_forening" selected>' in html
    assert 'id="error-summary"' in html
    assert _applications(db) == 0


def test_a_valid_registration_redirects_to_the_new_case(
    handler: TestClient, db: Session, area: AreaSetup
) -> None:
    response = post_form(handler, "/cases/new-project", _valid(area), follow_redirects=False)

    assert response.status_code == 303, response.text
    application = db.scalar(select(Application))
    assert application is not None
    assert application.status is ApplicationStatus.SUBMITTED
    assert response.headers["location"] == f"/cases/{application.id}"
    case = handler.get(response.headers["location"])
    assert case.status_code == 200
    assert f"Leaderprojektet {application.reference} är registrerat." in case.text


def test_the_day_it_reached_the_e_service_is_the_day_of_receipt(
    db: Session, area: AreaSetup
) -> None:
    application, result = _register(db, area, _valid(area, received_on="2026-11-02"))
    assert result.ok, result.errors
    assert application.submitted_at.date() == date(2026, 11, 2)
    future = (TODAY + timedelta(days=1)).isoformat()
    _, refused = _register(db, area, _valid(area, received_on=future, national_case_number=""))
    assert refused.errors == {"received_on": "Dagen kan inte vara i framtiden."}
