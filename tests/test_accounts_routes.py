"""Staff accounts over HTTP: the users page and its actions, area isolation, the login's second
step, the account page, the set-password link (also through a real SMTP server) and areas."""

import re
import time
from html import unescape
from urllib.parse import urlsplit

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.dependencies import SESSION_COOKIE
from app.auth.models import Role, User, UserRole
from app.auth.routes import PENDING_COOKIE, SECOND_STEP
from app.config import Settings
from app.email.models import OutboxMessage
from app.email.service import send_pending
from tests.factories import PASSWORD, TOTP_SECRET, AreaSetup
from tests.http import login, post_form
from tests.smtp import RecordingHandler, smtp_server

NEW_PASSWORD = "en lång mening som lösenord"


@pytest.fixture
def admin(client: TestClient, area: AreaSetup) -> TestClient:
    assert login(client, area.users[Role.ADMIN].email).status_code == 303
    return client


def mail_to(db: Session, address: str) -> OutboxMessage:
    return db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.to_address == address)
        .order_by(OutboxMessage.id.desc())
    ).first()


def link_path(text: str) -> str:
    match = re.search(r"https?://\S+(/set-password/\S+)", text)
    assert match, text
    return urlsplit(match[0]).path


def field_error(page: str, name: str) -> str:
    match = re.search(rf'<p class="error-message" id="{name}-error">([^<]*)</p>', page)
    assert match, f"no error beside {name}"
    return unescape(match[1])


# --- The users page ---


def test_the_admin_sees_and_manages_only_the_own_areas_users(
    admin: TestClient, area: AreaSetup, other_area: AreaSetup
) -> None:
    page = admin.get("/admin/users")
    assert page.status_code == 200
    assert area.users[Role.HANDLER].email in page.text
    assert "grannbygd" not in page.text
    assert f'href="/admin/users/{area.users[Role.HANDLER].id}"' in page.text
    theirs = other_area.users[Role.HANDLER].id
    assert admin.get(f"/admin/users/{theirs}").status_code == 404
    for action in ("roles", "deactivate", "reactivate", "password", "sessions", "two-factor"):
        response = post_form(admin, f"/admin/users/{theirs}/{action}", {"roles": "admin"})
        assert response.status_code == 404, action
    assert other_area.users[Role.HANDLER].is_active


def test_an_admin_of_another_area_gets_404_for_our_users(
    client: TestClient, db: Session, area: AreaSetup, other_area: AreaSetup
) -> None:
    login(client, other_area.users[Role.ADMIN].email)
    ours = area.users[Role.LAG_MEMBER]
    assert client.get(f"/admin/users/{ours.id}").status_code == 404
    assert post_form(client, f"/admin/users/{ours.id}/deactivate", {}).status_code == 404
    db.refresh(ours)
    assert ours.is_active
    assert ours.email not in client.get("/admin/users").text


def test_an_invitation_with_errors_keeps_what_was_typed(admin: TestClient) -> None:
    response = post_form(
        admin, "/admin/users/new", {"full_name": "Nina Ny", "email": "nina@", "roles": ""}
    )
    assert response.status_code == 400
    assert 'value="Nina Ny"' in response.text
    assert 'value="nina@"' in response.text
    assert field_error(response.text, "email") == (
        "Ange en giltig e-postadress, t.ex. namn@forening.se."
    )
    assert field_error(response.text, "roles") == "Välj minst en roll."
    assert 'id="error-summary"' in response.text


def test_an_invitation_is_mailed(admin: TestClient, db: Session, area: AreaSetup) -> None:
    response = post_form(
        admin, "/admin/users/new",
        {"full_name": "Nina Ny", "email": "Nina@Example.se", "roles": ["handler", "lag_member"]},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/users"
    page = admin.get("/admin/users").text
    assert "Inbjudan är skickad till nina@example.se." in page
    assert "Inbjuden, inget lösenord än" in page
    invited = db.scalar(select(User).where(User.email == "nina@example.se"))
    assert invited.area_id == area.area.id
    assert invited.roles == {Role.HANDLER, Role.LAG_MEMBER}
    assert mail_to(db, "nina@example.se").subject == "Inbjudan till Bygdestöd för Leader Testbygd"


def test_a_manager_invites_but_does_not_administer(
    client: TestClient, db: Session, area: AreaSetup
) -> None:
    login(client, area.users[Role.MANAGER].email)
    page = client.get("/admin/users")
    assert page.status_code == 200
    assert 'href="/admin/users/' not in page.text.replace('href="/admin/users/new"', "")
    form = client.get("/admin/users/new").text
    assert 'value="handler"' in form and 'value="admin"' not in form
    invitation = {"full_name": "Nina", "email": "nina@example.se", "roles": "admin"}
    refused = post_form(client, "/admin/users/new", invitation)
    assert refused.status_code == 400
    assert field_error(refused.text, "roles") == "Välj bland rollerna i listan."
    member = area.users[Role.LAG_MEMBER].id
    assert client.get(f"/admin/users/{member}").status_code == 403
    assert post_form(client, f"/admin/users/{member}/deactivate", {}).status_code == 403


def test_roles_are_changed_and_the_last_admin_is_kept(
    admin: TestClient, db: Session, area: AreaSetup
) -> None:
    handler, me = area.users[Role.HANDLER], area.users[Role.ADMIN]
    response = post_form(
        admin, f"/admin/users/{handler.id}/roles",
        {"roles": ["handler", "manager"], "reason": "Vikarierar"}, follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    assert (
        "Rollerna för Handläggare testbygd är sparade."
        in admin.get(response.headers["location"]).text
    )
    db.expire_all()
    assert handler.roles == {Role.HANDLER, Role.MANAGER}

    refused = post_form(
        admin, f"/admin/users/{me.id}/roles", {"roles": "manager", "reason": "Prov"}
    )
    assert refused.status_code == 400
    assert field_error(refused.text, "roles") == "Du kan inte ta bort din egen administratörsroll."
    assert 'value="Prov"' in refused.text
    db.expire_all()
    assert Role.ADMIN in me.roles


def test_deactivation_logs_the_user_out_at_once(
    admin: TestClient, settings: Settings, session_factory, area: AreaSetup
) -> None:
    member = area.users[Role.LAG_MEMBER]
    with TestClient(admin.app, base_url="http://testserver") as theirs:
        login(theirs, member.email)
        assert theirs.get("/board").status_code == 200
        response = post_form(
            admin, f"/admin/users/{member.id}/deactivate", {"reason": "Avgått"},
            follow_redirects=False,
        )  # fmt: skip
        assert response.status_code == 303
        assert theirs.get("/board", follow_redirects=False).status_code == 303
        assert login(theirs, member.email).status_code == 400
    page = admin.get(f"/admin/users/{member.id}").text
    assert "Inaktiverad" in page and "Aktivera kontot igen" in page


def test_refusals_are_shown_beside_the_action(admin: TestClient, area: AreaSetup) -> None:
    me = area.users[Role.ADMIN]
    response = post_form(admin, f"/admin/users/{me.id}/deactivate", {"reason": "Prov"})
    assert response.status_code == 400
    assert field_error(response.text, "deactivate") == "Du kan inte inaktivera ditt eget konto."
    long = post_form(admin, f"/admin/users/{me.id}/sessions", {"reason": "x" * 501})
    assert field_error(long.text, "sessions") == "Högst 500 tecken."


def test_resetting_a_password_mails_a_link_that_works_once(
    admin: TestClient, client: TestClient, db: Session, area: AreaSetup
) -> None:
    chair = area.users[Role.LAG_CHAIR]
    chair.email = "maria@example.se"
    db.commit()
    response = post_form(admin, f"/admin/users/{chair.id}/password", {}, follow_redirects=False)
    assert response.status_code == 303
    path = link_path(mail_to(db, "maria@example.se").body_text)
    post_form(admin, "/logout", {})

    page = client.get(path)
    assert page.status_code == 200
    assert "maria@example.se" in page.text
    short = post_form(client, path, {"password": "kort", "confirm": "kort"})
    assert short.status_code == 400
    assert field_error(short.text, "password") == "Lösenordet måste ha minst 12 tecken."
    assert 'value="kort"' not in short.text  # passwords are never sent back
    done = post_form(
        client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, follow_redirects=False
    )
    assert done.headers["location"] == "/login"
    assert "Ditt lösenord är sparat." in client.get("/login").text
    used = client.get(path)
    assert used.status_code == 404
    assert "Länken fungerar inte längre" in used.text
    assert login(client, chair.email, PASSWORD).status_code == 400
    assert login(client, chair.email, NEW_PASSWORD).status_code == 303


# --- Two-factor login ---


def test_an_admin_without_two_factor_is_sent_to_set_it_up(
    client: TestClient, db: Session, area: AreaSetup
) -> None:
    admin = area.users[Role.ADMIN]
    admin.totp_secret = None
    db.commit()
    assert login(client, admin.email).status_code == 303  # the password is enough to log in
    response = client.get("/admin/users", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/account?next=/admin/users"
    page = client.get(response.headers["location"])
    assert "Administratörer måste logga in med tvåstegsverifiering." in page.text
    secret = re.search(r'<code class="nowrap">([A-Z2-7 ]+)</code>', page.text)[1].replace(" ", "")
    setup = re.search(r'name="setup" value="([^"]+)"', page.text)[1]

    wrong = post_form(client, "/account/two-factor",
                      {"setup": setup, "next": "/admin/users", "code": "12"})  # fmt: skip
    assert wrong.status_code == 400
    assert field_error(wrong.text, "code").startswith("Koden stämmer inte.")
    assert secret.replace(" ", "") in wrong.text.replace(" ", "")  # the same key, not a new one
    done = post_form(
        client, "/account/two-factor",
        {"setup": setup, "next": "/admin/users", "code": pyotp.TOTP(secret).now()},
        follow_redirects=False,
    )  # fmt: skip
    assert done.headers["location"] == "/admin/users"
    assert client.get("/admin/users").status_code == 200
    db.expire_all()
    assert admin.totp_secret == secret


def test_the_second_step_of_a_login(client: TestClient, area: AreaSetup) -> None:
    admin = area.users[Role.ADMIN]
    credentials = {"email": admin.email, "password": PASSWORD, "next": "/admin/users/new"}
    first = post_form(client, "/login", credentials, follow_redirects=False)
    assert first.headers["location"] == SECOND_STEP
    assert SESSION_COOKIE not in client.cookies  # not logged in yet
    assert client.get("/admin/users", follow_redirects=False).status_code == 303
    form = client.get(SECOND_STEP)
    assert form.status_code == 200
    assert 'autocomplete="one-time-code"' in form.text
    wrong = post_form(client, SECOND_STEP, {"code": "abc"})
    assert wrong.status_code == 400
    assert field_error(wrong.text, "code") == "Fel kod. Skriv koden som appen visar just nu."
    code = pyotp.TOTP(TOTP_SECRET).now()
    done = post_form(client, SECOND_STEP, {"code": code}, follow_redirects=False)
    assert done.headers["location"] == "/admin/users/new"
    assert SESSION_COOKIE in client.cookies
    assert PENDING_COOKIE not in client.cookies

    # The same code does not log in again.
    client.cookies.clear()
    post_form(client, "/login", {"email": admin.email, "password": PASSWORD})
    again = post_form(client, SECOND_STEP, {"code": code})
    assert again.status_code == 400


def test_no_page_of_any_role_works_for_an_admin_without_two_factor(
    client: TestClient, db: Session, area: AreaSetup
) -> None:
    """Settings and personal data need no admin role; an administrator holding the role they
    do need must still switch on the second factor first."""
    admin = area.users[Role.ADMIN]
    admin.totp_secret = None
    admin.role_links.extend(UserRole(role=role) for role in (Role.MANAGER, Role.HANDLER))
    db.commit()
    assert login(client, admin.email).status_code == 303
    for path in ("/settings", "/personal-data/subject", "/personal-data/anonymise", "/cases"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"] == f"/account?next={path}"
    before = area.area.decision_within_days
    saved = post_form(client, "/settings/area", {"decision_within_days": str(before + 1)},
                      follow_redirects=False)  # fmt: skip
    assert saved.headers["location"] == "/account"
    db.refresh(area.area)
    assert area.area.decision_within_days == before
    api = client.get("/api/v1/applications")
    assert api.status_code == 403
    assert "tvåstegsverifiering" in api.json()["detail"]
    assert client.get("/account").status_code == 200  # where it is switched on


def test_without_a_password_step_there_is_no_second(client: TestClient, area: AreaSetup) -> None:
    client.cookies.set(PENDING_COOKIE, "forfalskad", path="/login")
    code = pyotp.TOTP(TOTP_SECRET).now()
    response = post_form(client, SECOND_STEP, {"code": code}, follow_redirects=False)
    assert response.headers["location"] == "/login"
    assert "Inloggningen avbröts eller tog för lång tid." in client.get("/login").text
    assert SESSION_COOKIE not in client.cookies


def test_staff_switch_two_factor_on_and_off_themselves(
    client: TestClient, db: Session, area: AreaSetup
) -> None:
    member = area.users[Role.LAG_MEMBER]
    login(client, member.email)
    page = client.get("/account")
    assert "Mitt konto" in page.text and 'src="data:image/svg+xml;base64,' in page.text
    secret = re.search(r'<code class="nowrap">([A-Z2-7 ]+)</code>', page.text)[1].replace(" ", "")
    setup = re.search(r'name="setup" value="([^"]+)"', page.text)[1]
    step = int(time.time()) // 30
    post_form(client, "/account/two-factor",
              {"setup": setup, "code": pyotp.TOTP(secret).at(step * 30)})  # fmt: skip
    assert "Tvåstegsverifiering är på sedan" in client.get("/account").text
    # The code that switched it on does not switch it off; the next one does.
    reused = post_form(client, "/account/two-factor/disable",
                       {"code": pyotp.TOTP(secret).at(step * 30)})  # fmt: skip
    assert reused.status_code == 400
    assert field_error(reused.text, "code").startswith("Koden stämmer inte.")
    next_code = pyotp.TOTP(secret).at(step * 30 + 30)
    done = post_form(
        client, "/account/two-factor/disable", {"code": next_code}, follow_redirects=False
    )
    assert done.status_code == 303
    db.expire_all()
    assert not member.two_factor_enabled


# --- The invitation through real SMTP ---


def test_the_invitation_email_arrives_with_a_working_link(
    admin: TestClient, client: TestClient, db: Session, session_factory, settings: Settings
) -> None:
    post_form(admin, "/admin/users/new",
              {"full_name": "Nina Ny", "email": "nina@example.se", "roles": "handler"})  # fmt: skip
    post_form(admin, "/logout", {})
    with smtp_server(RecordingHandler()) as smtp:
        mail_settings = settings.model_copy(update={"smtp_host": smtp.host, "smtp_port": smtp.port})
        assert send_pending(session_factory, mail_settings).sent == 1
    [received] = smtp.handler.received
    assert received.rcpt_tos == ["nina@example.se"]
    assert received.message["Subject"] == "Inbjudan till Bygdestöd för Leader Testbygd"
    body = received.message.get_body(("plain",)).get_content()
    assert body.startswith("Hej Nina Ny!")
    assert f"{settings.public_base_url}/set-password/" in body
    path = link_path(body)
    assert client.get(path).status_code == 200
    post_form(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    response = login(client, "nina@example.se", NEW_PASSWORD)
    assert response.headers["location"] == "/cases"


# --- Leader areas ---


def test_a_deployment_admin_creates_an_area_that_works(
    admin: TestClient, client: TestClient, db: Session, area: AreaSetup
) -> None:
    assert admin.get("/admin/areas").status_code == 403  # an area's admin is not enough
    area.users[Role.ADMIN].is_deployment_admin = True
    db.commit()
    assert "Leader Testbygd" in admin.get("/admin/areas").text
    form = {"code": "Väster", "name": "Leader Västernorrland", "manager_name": "Åsa Ås",
            "manager_email": "asa@example.se", "allocation": "41 000 000"}  # fmt: skip
    refused = post_form(admin, "/admin/areas/new", form)
    assert refused.status_code == 400
    assert 'value="Väster"' in refused.text
    assert field_error(refused.text, "code").startswith("Koden får bara ha små bokstäver")
    created = post_form(admin, "/admin/areas/new", {**form, "code": "vasternorrland"},
                        follow_redirects=False)  # fmt: skip
    assert created.headers["location"] == "/admin/areas"
    assert "Leaderområdet Leader Västernorrland är skapat och Åsa Ås har fått en inbjudan." in (
        admin.get("/admin/areas").text
    )

    # The new manager sets a password and logs in. As the area's administrator too, Åsa must
    # set up two-factor login before any page works; then she finds the budget and only her
    # own area's users.
    post_form(admin, "/logout", {})
    path = link_path(mail_to(db, "asa@example.se").body_text)
    post_form(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    response = login(client, "asa@example.se", NEW_PASSWORD)
    assert response.headers["location"] == "/budget"
    assert client.get("/budget", follow_redirects=False).headers["location"] == (
        "/account?next=/budget"
    )
    asa = db.scalar(select(User).where(User.email == "asa@example.se"))
    asa.totp_secret = TOTP_SECRET
    db.commit()
    budget = client.get("/budget")
    assert budget.status_code == 200
    assert "41\xa0000\xa0000" in budget.text
    users = client.get("/admin/users").text
    assert "asa@example.se" in users and "testbygd" not in users.lower()


def test_only_deployment_admins_see_areas(client: TestClient, area: AreaSetup) -> None:
    for role in Role:
        client.cookies.clear()
        login(client, area.users[role].email)
        assert client.get("/admin/areas").status_code == 403, role
        assert post_form(client, "/admin/areas/new", {}).status_code == 403, role
