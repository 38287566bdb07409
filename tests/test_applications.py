"""Reference numbers and the applications API."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.applications.models import ApplicationKind, ApplicationStatus
from app.applications.service import allocate_reference
from app.auth.models import Role
from tests.factories import AreaSetup, make_application
from tests.http import login


def test_references_count_per_kind_and_year(
    db: Session, area: AreaSetup, other_area: AreaSetup
) -> None:
    small, project = ApplicationKind.SMALL_GRANT, ApplicationKind.LEADER_PROJECT
    assert allocate_reference(db, area.area.id, small, 2026) == "SMÅ-2026-0001"
    assert allocate_reference(db, area.area.id, small, 2026) == "SMÅ-2026-0002"
    assert allocate_reference(db, area.area.id, project, 2026) == "PRJ-2026-0001"
    assert allocate_reference(db, area.area.id, small, 2027) == "SMÅ-2027-0001"
    assert allocate_reference(db, other_area.area.id, small, 2026) == "SMÅ-2026-0001"


def test_api_lists_and_filters_in_integer_ore(
    client: TestClient, db: Session, area: AreaSetup
) -> None:
    make_application(db, area, title="A", requested_kr=12_500, status=ApplicationStatus.SUBMITTED)
    make_application(db, area, title="B", status=ApplicationStatus.IN_REVIEW)
    db.commit()
    login(client, area.users[Role.HANDLER].email)
    body = client.get("/api/v1/applications", params={"status": "submitted"}).json()
    assert body["total"] == 1
    assert body["items"][0]["title"] == "A"
    assert body["items"][0]["requested_ore"] == 1_250_000
    bad = client.get("/api/v1/applications", params={"status": "påhittad"})
    assert bad.status_code == 422
    assert bad.json()["detail"] == "Uppgifterna kunde inte tas emot."


def test_cases_page_filters_by_status(client: TestClient, db: Session, area: AreaSetup) -> None:
    make_application(db, area, title="Inkommen ansökan", status=ApplicationStatus.SUBMITTED)
    make_application(db, area, title="Granskas nu", status=ApplicationStatus.IN_REVIEW)
    db.commit()
    login(client, area.users[Role.MANAGER].email)
    page = client.get("/cases", params={"status": "in_review"})
    assert "Granskas nu" in page.text
    assert "Inkommen ansökan" not in page.text
