"""Registering an organisation: every identifier validated, Swedish messages next to the field,
what the user typed kept, the per-field HTMX check agreeing with the full check."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.organisations.models import Organisation
from tests.factories import AreaSetup
from tests.http import login, post_form

VALID = {
    "name": "Stjärnhovs IF",
    "legal_form": "ideell_forening",
    "org_number": "817604-5527",
    "bankgiro": "5050-1055",
    "plusgiro": "",
    "street_address": "Idrottsvägen 1",
    "postal_code": "64050",
    "city": "Björnlunda",
    "contact_name": "Lisa Ek",
    "contact_email": "Lisa.Ek@Example.se",
    "contact_phone": "070-123 45 67",
}


def _message_next_to(html: str, field: str) -> str | None:
    """The error text rendered inside the field's own block, linked by aria-describedby."""
    block = re.search(rf'<div class="field[^"]*" id="field-{field}">(.*?)</div>', html, re.S)
    assert block, f"no field {field}"
    match = re.search(rf'<p class="error-message" id="{field}-error">(.*?)</p>', block.group(1))
    if match:
        assert 'aria-describedby="' in block.group(1) and f"{field}-error" in block.group(1)
    return match.group(1) if match else None


@pytest.fixture
def handler(client: TestClient, area: AreaSetup) -> TestClient:
    login(client, area.users[Role.HANDLER].email)
    return client


def test_register_a_valid_organisation(handler: TestClient, db: Session, area: AreaSetup) -> None:
    response = post_form(handler, "/organisations/new", VALID, follow_redirects=False)
    assert response.status_code == 303
    saved = db.scalar(select(Organisation).where(Organisation.name == "Stjärnhovs IF"))
    assert saved is not None
    assert (saved.org_number, saved.bankgiro, saved.plusgiro) == ("8176045527", "50501055", None)
    assert (saved.postal_code, saved.contact_email) == ("640 50", "Lisa.Ek@example.se")
    page = handler.get(response.headers["location"])
    assert "Stjärnhovs IF är registrerad." in page.text
    assert "817604-5527" in page.text
    event = db.scalar(select(AuditEvent).where(AuditEvent.entity_type == "organisation"))
    assert event.summary == "Registrerade Stjärnhovs IF (817604-5527)"
    assert event.actor_user_id == area.users[Role.HANDLER].id


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        (
            "org_number",
            "817604-5528",
            "Organisationsnumret är inte giltigt – kontrollsiffran stämmer inte.",
        ),
        (
            "org_number",
            "81760A-5527",
            "Organisationsnumret får bara innehålla siffror och bindestreck.",
        ),
        ("org_number", "817604-552", "Organisationsnumret ska ha 10 siffror (NNNNNN-NNNN)."),
        ("org_number", "", "Ange organisationsnummer."),
        ("bankgiro", "5050-1056", "Bankgironumret är inte giltigt – kontrollsiffran stämmer inte."),
        (
            "bankgiro",
            "505-10",
            "Bankgironumret ska ha 7 eller 8 siffror (NNN-NNNN eller NNNN-NNNN).",
        ),
        ("bankgiro", "5050-10X5", "Bankgironumret får bara innehålla siffror och bindestreck."),
        (
            "plusgiro",
            "90 20 03-2",
            "Plusgironumret är inte giltigt – kontrollsiffran stämmer inte.",
        ),
        ("plusgiro", "123456789", "Plusgironumret ska ha 2–8 siffror (t.ex. 123456-7)."),
        (
            "contact_email",
            "lisa.example.se",
            "Ange en giltig e-postadress, t.ex. namn@forening.se.",
        ),
        ("postal_code", "6405", "Postnumret ska ha fem siffror, t.ex. 642 37."),
        ("name", "  ", "Ange organisationens namn."),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_kept(
    handler: TestClient, db: Session, area: AreaSetup, field: str, typed: str, message: str
) -> None:
    # Plusgiro is tested on its own: with a bankgiro as well, it would be refused for that.
    data = {**VALID, **({"bankgiro": ""} if field == "plusgiro" else {}), field: typed}
    response = post_form(handler, "/organisations/new", data)
    assert response.status_code == 400
    assert _message_next_to(response.text, field) == message
    # Everything typed comes back, the bad value included.
    for value in data.values():
        if value.strip():
            assert (
                f'value="{value}"' in response.text or f'value="{value}" selected' in response.text
            )
    assert db.scalar(select(Organisation).where(Organisation.name == data["name"])) is None

    # The check as the user leaves the field says the same thing.
    partial = post_form(handler, f"/organisations/validate?field={field}", data)
    assert partial.status_code == 200
    assert _message_next_to(partial.text, field) == message


def test_field_check_clears_once_the_value_is_right(handler: TestClient) -> None:
    partial = post_form(handler, "/organisations/validate?field=org_number", VALID)
    assert _message_next_to(partial.text, "org_number") is None
    assert 'value="817604-5527"' in partial.text


def test_sole_trader_uses_a_personnummer(handler: TestClient, db: Session) -> None:
    data = {
        **VALID,
        "legal_form": "enskild_firma",
        "name": "Ekens snickeri",
        "org_number": "811228-9874",
    }
    response = post_form(handler, "/organisations/new", data, follow_redirects=False)
    assert response.status_code == 303
    assert (
        db.scalar(select(Organisation.org_number).where(Organisation.name == "Ekens snickeri"))
        == "8112289874"
    )
    # A personnummer is sensitive personal data: the list shows only the date part.
    listing = handler.get("/organisations").text
    assert "811228-****" in listing
    assert "9874" not in listing
    as_company = post_form(handler, "/organisations/new", {**data, "legal_form": "aktiebolag"})
    assert _message_next_to(as_company.text, "org_number") == (
        "Det här ser ut som ett personnummer, inte ett organisationsnummer."
    )


def test_control_characters_are_refused_next_to_the_field(handler: TestClient) -> None:
    response = post_form(handler, "/organisations/new", {**VALID, "name": "Stjärn\x00hov"})
    assert response.status_code == 400
    assert _message_next_to(response.text, "name") == "Fältet innehåller otillåtna tecken."


def test_chosen_legal_form_is_kept(handler: TestClient) -> None:
    response = post_form(
        handler, "/organisations/new", {**VALID, "legal_form": "aktiebolag", "name": ""}
    )
    assert '<option value="aktiebolag" selected>' in response.text
    assert '<option value="ideell_forening" selected>' not in response.text


def test_bankgiro_and_plusgiro_are_exclusive(handler: TestClient) -> None:
    response = post_form(handler, "/organisations/new", {**VALID, "plusgiro": "90 20 03-3"})
    assert _message_next_to(response.text, "plusgiro") == (
        "Ange antingen bankgiro eller plusgiro, inte båda."
    )


def test_an_organisation_is_registered_once_per_area(handler: TestClient, area: AreaSetup) -> None:
    # The area fixture already holds 802002-4280 (Byaföreningen i testbygd).
    response = post_form(
        handler, "/organisations/new", {**VALID, "name": "Dubblett", "org_number": "8020024280"}
    )
    assert _message_next_to(response.text, "org_number") == (
        "802002-4280 är redan registrerat för Byaföreningen i testbygd."
    )


def test_error_summary_links_to_each_field(handler: TestClient) -> None:
    response = post_form(handler, "/organisations/new", {**VALID, "org_number": "1", "name": ""})
    assert "Formuläret har 2 fel." in response.text
    assert 'href="#org_number"' in response.text and 'href="#name"' in response.text
