"""Staff login, sessions, CSRF, throttling, role checks and area isolation over real HTTP."""

import contextlib
import threading
from datetime import date
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.auth.csrf import CSRF_COOKIE
from app.auth.dependencies import SESSION_COOKIE
from app.auth.models import LoginAttempt, Role, UserRole
from app.auth.service import LoginError, authenticate, handlers_in_area
from app.board.models import BoardMember, BoardRole, Sector
from app.core.navigation import SECTIONS, start_path
from tests.factories import AreaSetup, make_application, make_area
from tests.http import login, post_form


def test_login_lands_on_the_roles_start_page(client: TestClient, area: AreaSetup) -> None:
    for role, user in area.users.items():
        client.cookies.delete(SESSION_COOKIE)
        response = login(client, user.email)
        assert response.status_code == 303, role
        assert response.headers["location"] == start_path(user)
        page = client.get(response.headers["location"])
        assert page.status_code == 200
        assert user.full_name in page.text


def test_session_cookie_is_httponly_and_lax(client: TestClient, area: AreaSetup) -> None:
    response = login(client, area.users[Role.HANDLER].email)
    cookie = response.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # only when BYGD_COOKIE_SECURE is set


def test_wrong_password_keeps_the_email_and_says_why(client: TestClient, area: AreaSetup) -> None:
    email = area.users[Role.HANDLER].email
    response = login(client, email, "fel lösenord")
    assert response.status_code == 400
    assert "Fel e-postadress eller lösenord." in response.text
    assert f'value="{email}"' in response.text
    assert SESSION_COOKIE not in client.cookies


def test_unknown_user_gets_the_same_message(client: TestClient, area: AreaSetup) -> None:
    response = login(client, "ingen@example.se")
    assert response.status_code == 400
    assert "Fel e-postadress eller lösenord." in response.text


def test_login_is_throttled_after_repeated_failures(client: TestClient, area: AreaSetup) -> None:
    email = area.users[Role.MANAGER].email
    for _ in range(5):
        assert login(client, email, "gissning").status_code == 400
    response = login(client, email)  # the right password, but locked
    assert response.status_code == 400
    assert "För många misslyckade inloggningsförsök. Vänta 15 minuter" in response.text
    # Another account from the same client is not locked by one account's failures.
    assert login(client, area.users[Role.HANDLER].email).status_code == 303


def test_deactivated_user_cannot_log_in(client: TestClient, db: Session, area: AreaSetup) -> None:
    user = area.users[Role.HANDLER]
    user.is_active = False
    db.commit()
    assert login(client, user.email).status_code == 400


def test_post_without_csrf_token_is_refused(client: TestClient, area: AreaSetup) -> None:
    client.get("/login")
    response = client.post(
        "/login", data={"email": area.users[Role.HANDLER].email, "password": "x"}
    )
    assert response.status_code == 403
    assert "Formuläret har gått ut" in response.text


def test_post_with_a_forged_csrf_token_is_refused(client: TestClient, area: AreaSetup) -> None:
    client.get("/login")
    response = client.post("/logout", data={"csrf_token": "förfalskad"})
    assert response.status_code == 403


def test_htmx_header_token_is_accepted(client: TestClient, area: AreaSetup) -> None:
    login(client, area.users[Role.HANDLER].email)
    response = client.post(
        "/logout",
        headers={"X-CSRF-Token": client.cookies[CSRF_COOKIE]},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_logout_ends_the_session_server_side(client: TestClient, area: AreaSetup) -> None:
    login(client, area.users[Role.HANDLER].email)
    stolen = client.cookies[SESSION_COOKIE]
    response = post_form(client, "/logout", {}, follow_redirects=False)
    assert response.headers["location"] == "/login"
    assert "Du är utloggad." in client.get("/login").text
    assert "Du är utloggad." not in client.get("/login").text  # shown once
    client.cookies.set(SESSION_COOKIE, stolen)
    assert client.get("/api/v1/me").status_code == 401


def test_login_and_logout_are_audited(client: TestClient, db: Session, area: AreaSetup) -> None:
    user = area.users[Role.LAG_CHAIR]
    login(client, user.email)
    post_form(client, "/logout", {})
    actions = db.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.entity_type == "user", AuditEvent.entity_id == user.id)
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["login", "logout"]


def test_next_parameter_cannot_redirect_off_site(client: TestClient, area: AreaSetup) -> None:
    response = post_form(
        client,
        "/login",
        {
            "email": area.users[Role.HANDLER].email,
            "password": "correct horse battery staple",
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/cases"


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.path)
@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_its_sections_and_no_others(
    client: TestClient, area: AreaSetup, role: Role, section
) -> None:
    login(client, area.users[role].email)
    response = client.get(section.path)
    if role in section.roles:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "Du har inte behörighet till den här sidan." in response.text


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.path)
def test_anonymous_visitors_are_sent_to_login(client: TestClient, section) -> None:
    response = client.get(section.path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={quote(section.path)}"


def test_api_needs_a_session(client: TestClient) -> None:
    response = client.get("/api/v1/applications")
    assert response.status_code == 401
    assert response.json() == {"detail": "Inloggning krävs."}


def test_a_user_never_sees_another_areas_applications(
    client: TestClient, db: Session, area: AreaSetup, other_area: AreaSetup
) -> None:
    ours = make_application(db, area, title="Vår ansökan")
    theirs = make_application(db, other_area, title="Grannarnas ansökan")
    db.commit()
    login(client, area.users[Role.HANDLER].email)

    listed = client.get("/api/v1/applications").json()
    assert [item["id"] for item in listed["items"]] == [ours.id]
    assert client.get(f"/api/v1/applications/{ours.id}").status_code == 200
    assert client.get(f"/api/v1/applications/{theirs.id}").status_code == 404
    page = client.get("/cases")
    assert "Vår ansökan" in page.text
    assert "Grannarnas ansökan" not in page.text
    budget = client.get("/api/v1/budget").json()
    assert budget["total"]["limit_ore"] == 10_000_000 * 100  # the neighbour has 20 000 000 kr
    assert [line["balance"]["limit_ore"] for line in budget["action_areas"]] == [4_000_000 * 100]


def test_handlers_in_area_are_the_areas_handlers_by_name(
    db: Session, area: AreaSetup, other_area: AreaSetup
) -> None:
    handler, manager = area.users[Role.HANDLER], area.users[Role.MANAGER]
    manager.role_links.append(UserRole(role=Role.HANDLER))  # a small office: one person, two roles
    db.flush()

    expected = sorted([handler, manager], key=lambda user: user.full_name)
    assert handlers_in_area(db, area.area.id) == expected


def test_error_pages_are_in_swedish(client: TestClient) -> None:
    response = client.get("/finns-inte")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.text
    assert '<html lang="sv">' in response.text


def test_parallel_guesses_are_counted_one_by_one(committed_factory, settings) -> None:
    """A burst of wrong passwords at once must not slip past the limit of five."""
    with committed_factory() as db:
        setup = make_area(db, "brute")
        email = setup.users[Role.HANDLER].email
        db.commit()
    barrier = threading.Barrier(12, timeout=30)

    def guess(number: int) -> None:
        with committed_factory() as db:
            barrier.wait()
            with contextlib.suppress(LoginError):
                authenticate(
                    db,
                    settings,
                    email=email,
                    password=f"gissning {number}",
                    client_address=f"10.0.0.{number}",
                )
            db.commit()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with committed_factory() as db:
        checked = db.scalar(
            select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email == email)
        )
    assert checked == 5


def test_junk_in_the_login_form_is_just_a_failed_login(client: TestClient, area: AreaSetup) -> None:
    for email in ("a\x00b@example.se", "x" * 400 + "@example.se"):
        response = login(client, email)
        assert response.status_code == 400
        assert "Fel e-postadress eller lösenord." in response.text


@pytest.mark.parametrize(
    "path",
    ["/organisations", "/api/v1/organisations", "/board", "/admin/users", "/cases", "/budget"],
)
def test_pages_show_only_the_users_own_area(
    client: TestClient, db: Session, area: AreaSetup, other_area: AreaSetup, path: str
) -> None:
    """Every area-scoped page, viewed by a user who holds all roles, shows nothing of the
    neighbouring area (its organisation, users and figures have distinctive names)."""
    everything = area.users[Role.ADMIN]
    everything.role_links = [UserRole(role=role) for role in Role]
    make_application(db, other_area, title="Grannarnas ansökan")
    db.add(
        BoardMember(
            area_id=other_area.area.id,
            full_name="Granne Grannesson",
            sector=Sector.PUBLIC,
            role=BoardRole.MEMBER,
            term_start=date(2020, 1, 1),
        )
    )
    db.commit()
    login(client, everything.email)
    response = client.get(path)
    assert response.status_code == 200
    assert "grannbygd" not in response.text.lower()
    for foreign in ("Grannarnas ansökan", "Granne Grannesson", "20\xa0000\xa0000"):
        assert foreign not in response.text
