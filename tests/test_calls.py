"""Managers set up and change calls; the rules of a call are checked before anything is saved."""

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import ApplicationKind
from app.audit.models import AuditEvent
from app.auth.models import Role
from app.ledger.models import LedgerKind
from app.ledger.service import record_entry
from app.umbrellas.models import DecisionBody, UmbrellaProject
from tests.factories import AreaSetup, make_application
from tests.http import login, post_form


def _call(area: AreaSetup, **changes: str) -> dict[str, str]:
    return {
        "name": "Bo och leva",
        "action_area_id": str(area.action_area.id),
        "description": "Småstöd till mötesplatser i bygden.",
        "pot": "1 000 000",
        "min_grant": "10 000",
        "max_grant": "40 000",
        "volunteer_match_percent": "50",
        "max_project_months": "6",
        "call_opens_on": "2026-09-01",
        "call_closes_on": "2027-03-31",
        "eligible_legal_forms": ["ideell_forening", "ekonomisk_forening"],
        "required_attachments": "Budget\nStyrelsebeslut\nBudget",
        "decision_body": "office",
        "delegation_limit": "30 000",
        **changes,
    }


def test_a_manager_creates_a_call(client: TestClient, db: Session, area: AreaSetup) -> None:
    login(client, area.users[Role.MANAGER].email)
    response = post_form(client, "/umbrellas/new", _call(area), follow_redirects=False)
    assert response.status_code == 303
    call = db.scalar(select(UmbrellaProject).where(UmbrellaProject.name == "Bo och leva"))
    assert (call.pot_ore, call.min_grant_ore, call.max_grant_ore) == (
        100_000_000,
        1_000_000,
        4_000_000,
    )
    assert call.eligible_legal_forms == ["ideell_forening", "ekonomisk_forening"]
    assert call.required_attachments == ["Budget", "Styrelsebeslut"]
    assert call.decision_body is DecisionBody.OFFICE
    # Swedish time: open from midnight on the first day to midnight after the last.
    assert call.call_opens_at == datetime(2026, 8, 31, 22, tzinfo=UTC)
    assert call.call_closes_at == datetime(2027, 3, 31, 22, tzinfo=UTC)
    listing = client.get("/umbrellas").text
    assert "Utlysningen Bo och leva är sparad." in listing
    assert "1\xa0000\xa0000\xa0kr" in listing
    assert "31 mars 2027 kl. 23:59" in client.get(f"/calls/{call.id}").text


def test_bad_settings_are_explained_and_kept(client: TestClient, area: AreaSetup) -> None:
    login(client, area.users[Role.MANAGER].email)
    response = post_form(
        client, "/umbrellas/new",
        _call(area, min_grant="50 000", call_closes_on="2026-08-01", eligible_legal_forms=[]),
    )  # fmt: skip
    assert response.status_code == 400
    for message in (
        "Minsta stöd kan inte vara större än högsta stöd.",
        "Sista ansökningsdag kan inte vara före öppningsdagen.",
        "Välj minst en juridisk form som får söka.",
    ):
        assert message in response.text
    assert 'value="50 000"' in response.text and 'value="2026-08-01"' in response.text


def test_a_pot_cannot_shrink_below_what_is_granted(
    client: TestClient, db: Session, area: AreaSetup
) -> None:
    grant = make_application(db, area, kind=ApplicationKind.SMALL_GRANT)
    record_entry(db, area.actor, period=area.period, kind=LedgerKind.COMMITMENT,
                 amount_ore=45_000_00, reason="Beslut", application=grant)  # fmt: skip
    db.commit()
    login(client, area.users[Role.MANAGER].email)
    edit = client.get(f"/umbrellas/{area.umbrella.id}/edit")
    assert 'value="500000"' in edit.text  # the current pot, ready to edit
    response = post_form(
        client, f"/umbrellas/{area.umbrella.id}/edit",
        _call(area, name="Beredskap", pot="40 000", max_grant="40 000", min_grant="10 000"),
    )  # fmt: skip
    assert response.status_code == 400
    assert "Potten kan inte bli mindre än det som redan är beviljat ur den (45\xa0000\xa0kr)." in (
        response.text
    )
    ok = post_form(
        client, f"/umbrellas/{area.umbrella.id}/edit",
        _call(area, name="Beredskap", pot="600 000"), follow_redirects=False,
    )  # fmt: skip
    assert ok.status_code == 303
    event = db.scalar(
        select(AuditEvent).where(AuditEvent.entity_type == "umbrella_project",
                                 AuditEvent.action == "update")
    )  # fmt: skip
    assert event.changes["pot_ore"] == [50_000_000, 60_000_000]


def test_other_areas_calls_cannot_be_edited(
    client: TestClient, area: AreaSetup, other_area: AreaSetup
) -> None:
    login(client, area.users[Role.MANAGER].email)
    assert client.get(f"/umbrellas/{other_area.umbrella.id}/edit").status_code == 404
    response = post_form(
        client, f"/umbrellas/{other_area.umbrella.id}/edit", _call(area, name="Kapat")
    )
    assert response.status_code == 404
    # ...nor given an action area of another area.
    stolen = post_form(
        client, "/umbrellas/new", _call(area, action_area_id=str(other_area.action_area.id))
    )
    assert "Välj ett insatsområde i den aktuella programperioden." in stolen.text


def test_public_start_page_links_open_calls(client: TestClient, area: AreaSetup) -> None:
    assert f'href="/calls/{area.umbrella.id}"' in client.get("/").text
