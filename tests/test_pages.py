"""The application shell: error pages in Swedish, API docs, optimistic locking."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.applications.models import Application
from app.auth.dependencies import CurrentUser, DbSession
from app.auth.models import Role
from tests.factories import AreaSetup, make_application
from tests.http import login, post_form


@pytest.fixture
def failing_client(client: TestClient) -> TestClient:
    def boom() -> None:
        raise RuntimeError("simulated failure")

    client.app.add_api_route("/boom", boom)
    client.app.add_api_route("/api/v1/boom", boom)
    return TestClient(client.app, raise_server_exceptions=False)


def test_unexpected_errors_get_a_swedish_page_and_no_details(failing_client: TestClient) -> None:
    response = failing_client.get("/boom")
    assert response.status_code == 500
    assert "Något gick fel" in response.text
    assert "simulated failure" not in response.text
    api = failing_client.get("/api/v1/boom")
    assert api.status_code == 500
    assert api.json() == {
        "detail": "Ett oväntat fel inträffade. Felet är loggat; försök igen om en stund."
    }


def test_error_page_keeps_the_logged_in_header(client: TestClient, area: AreaSetup) -> None:
    login(client, area.users[Role.HANDLER].email)
    response = client.get("/finns-inte")
    assert response.status_code == 404
    assert "Logga ut" in response.text
    assert area.users[Role.HANDLER].full_name in response.text


def test_api_is_documented(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/applications", "/api/v1/budget", "/api/v1/me"} <= set(schema["paths"])
    assert client.get("/docs").status_code == 200


def test_stale_application_write_is_refused(
    session_factory,
    db: Session,
    area: AreaSetup,
) -> None:
    application = make_application(db, area)
    db.commit()
    with session_factory() as other:
        theirs = other.get(Application, application.id)
        application.title = "Min ändring"
        db.commit()
        theirs.title = "Deras ändring"
        with pytest.raises(StaleDataError):
            other.commit()
    assert application.version == 2


def test_a_forged_flash_cookie_shows_nothing(client: TestClient) -> None:
    client.cookies.set("bygd_flash", "WyJhbGVydCIsICJCZXRhbGEgdGlsbCBtaWcifQ.fake")
    page = client.get("/login")
    assert page.status_code == 200
    assert 'role="alert"' not in page.text


def test_error_page_after_a_failed_database_write(
    client: TestClient, area: AreaSetup, settings
) -> None:
    """The request's session is rolled back and closed before the 500 page is drawn; the page
    must still render in Swedish with the user's header."""

    def broken_write(session: DbSession, user: CurrentUser) -> None:
        session.execute(text("INSERT INTO areas (code, name) VALUES (NULL, NULL)"))

    client.app.add_api_route("/broken-write", broken_write)
    login(client, area.users[Role.MANAGER].email)
    failing = TestClient(client.app, raise_server_exceptions=False, cookies=client.cookies)
    response = failing.get("/broken-write")
    assert response.status_code == 500
    assert "Något gick fel" in response.text
    assert area.users[Role.MANAGER].full_name in response.text


@pytest.mark.parametrize(
    "url",
    [
        "/cases?page=99999999999999999999",
        "/api/v1/applications?page=9223372036854775807",
        "/api/v1/applications/2147483648",
        "/api/v1/applications/99999999999999999999999",
    ],
)
def test_out_of_range_numbers_are_refused_not_crashed(
    client: TestClient, area: AreaSetup, url: str
) -> None:
    login(client, area.users[Role.HANDLER].email)
    assert client.get(url).status_code == 422


def test_public_start_page_lists_open_calls(client: TestClient, area: AreaSetup) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "Beredskap" in page.text
    assert "500\xa0000\xa0kr" in page.text  # nothing granted from the pot yet
    assert "Logga in (personal)" in page.text
    login(client, area.users[Role.HANDLER].email)
    assert "Logga ut" in client.get("/").text


def test_htmx_request_without_a_session_redirects_the_whole_page(client: TestClient) -> None:
    response = post_form(
        client,
        "/organisations/validate?field=name",
        {"name": "x"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/organisations/new"},
    )
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=/organisations/new"
    assert response.text == ""


def test_oversized_bodies_are_refused_before_reading(client: TestClient, settings) -> None:
    limit = settings.max_attachment_bytes + 1024 * 1024
    response = client.post("/links", content=b"x" * 10, headers={"Content-Length": str(limit + 1)})
    assert response.status_code == 413
    assert "för stort" in response.text
