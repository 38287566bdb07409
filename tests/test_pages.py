"""The application shell: error pages in Swedish, API docs, optimistic locking."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.applications.models import Application
from app.auth.models import Role
from tests.factories import AreaSetup, make_application
from tests.http import login


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
