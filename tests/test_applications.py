"""Reference numbers and the applications API."""

from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import ApplicationKind, ApplicationStatus, InformationRequest
from app.applications.service import allocate_reference
from app.audit.models import AuditEvent
from app.auth.models import Role
from tests.factories import AreaSetup, make_application
from tests.http import login, post_form

NOW = datetime.now(UTC)


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
    assert bad.json()["detail"] == "Ogiltigt filter."


def test_cases_page_filters_by_status(client: TestClient, db: Session, area: AreaSetup) -> None:
    make_application(db, area, title="Inkommen ansökan", status=ApplicationStatus.SUBMITTED)
    make_application(db, area, title="Granskas nu", status=ApplicationStatus.IN_REVIEW)
    db.commit()
    login(client, area.users[Role.MANAGER].email)
    page = client.get("/cases", params={"status": "in_review"})
    assert "Granskas nu" in page.text
    assert "Inkommen ansökan" not in page.text


@pytest.fixture
def queue(db: Session, area: AreaSetup, other_area: AreaSetup) -> AreaSetup:
    handler = area.users[Role.HANDLER]
    small, project, st = (
        ApplicationKind.SMALL_GRANT,
        ApplicationKind.LEADER_PROJECT,
        ApplicationStatus,
    )
    rows = [
        ("SMÅ-2026-0001", "Boulebana", small, st.SUBMITTED, 30_000, None, 1),
        ("SMÅ-2026-0002", "Reservkraft", small, st.AWAITING_INFORMATION, 45_000, handler, 20),
        ("PRJ-2026-0001", "Fiber till byn", project, st.IN_REVIEW, 900_000, handler, 5),
        ("PRJ-2026-0002", "Mötesplats", project, st.SUBMITTED, 500_000, None, 40),
    ]
    for reference, title, kind, status, kr, assigned, age in rows:
        application = make_application(
            db, area, kind=kind, title=title, requested_kr=kr, status=status
        )
        application.reference = reference
        application.assigned_handler_id = assigned.id if assigned else None
        application.submitted_at = NOW - timedelta(days=age)
        application.status_changed_at = NOW - timedelta(days=age)
        if status is ApplicationStatus.AWAITING_INFORMATION:
            db.add(InformationRequest(area_id=area.area.id, application_id=application.id,
                                      message="Offert?", deadline=date(2026, 1, 1)))  # fmt: skip
    make_application(db, other_area, title="Grannens boulebana")
    db.commit()
    return area


@pytest.mark.parametrize(
    ("params", "titles"),
    [
        ({}, ["Boulebana", "Fiber till byn", "Reservkraft", "Mötesplats"]),
        ({"status": "submitted"}, ["Boulebana", "Mötesplats"]),
        ({"kind": "leader_project", "sort": "amount"}, ["Fiber till byn", "Mötesplats"]),
        ({"mine": "true"}, ["Fiber till byn", "Reservkraft"]),
        ({"overdue": "true"}, ["Reservkraft"]),
        ({"days": "10", "sort": "waiting"}, ["Mötesplats", "Reservkraft"]),
        ({"q": "boule"}, ["Boulebana"]),
        ({"q": "prj-2026-0002"}, ["Mötesplats"]),
        ({"q": "802002-4280", "sort": "reference"},
         ["Fiber till byn", "Mötesplats", "Boulebana", "Reservkraft"]),
        ({"status": "", "kind": "", "umbrella": "", "days": "", "q": "100%_"}, []),
        ({"status": "", "kind": "", "umbrella": "", "action_area": "", "handler": "", "days": ""},
         ["Boulebana", "Fiber till byn", "Reservkraft", "Mötesplats"]),
    ],
)  # fmt: skip
def test_queue_filters_search_and_sort(
    client: TestClient, queue: AreaSetup, params: dict, titles: list[str]
) -> None:
    login(client, queue.users[Role.HANDLER].email)
    body = client.get("/api/v1/applications", params=params).json()
    assert [item["title"] for item in body["items"]] == titles
    page = client.get("/cases", params=params)
    assert page.status_code == 200
    assert "Grannens boulebana" not in page.text


def test_queue_pages_counts_and_partial_updates(client: TestClient, queue: AreaSetup) -> None:
    login(client, queue.users[Role.MANAGER].email)
    first = client.get("/api/v1/applications", params={"per_page": 3, "sort": "reference"}).json()
    second = client.get(
        "/api/v1/applications", params={"per_page": 3, "page": 2, "sort": "reference"}
    ).json()
    assert first["total"] == 4 and len(first["items"]) == 3 and len(second["items"]) == 1
    partial = client.get(
        "/cases", params={"kind": "smastod"}, headers={"HX-Request": "true", "HX-Target": "queue"}
    )
    assert "<html" not in partial.text  # only the results, not the page
    assert "2 ärenden" in partial.text
    assert 'Inkommen <span class="count">1</span>' in partial.text
    assert client.get("/cases", params={"status": "påhittad"}).status_code == 422


def test_queue_exports_the_selection_as_csv(client: TestClient, queue: AreaSetup) -> None:
    login(client, queue.users[Role.HANDLER].email)
    response = client.get("/cases/export.csv", params={"kind": "smastod", "sort": "reference"})
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Diarienummer;Titel;Sökande")
    assert lines[1].startswith("SMÅ-2026-0001;Boulebana;")
    assert ";30000;" in lines[1]
    assert len(lines) == 3


def test_batch_assignment_is_audited_and_stays_in_the_area(
    client: TestClient, db: Session, queue: AreaSetup, other_area: AreaSetup
) -> None:
    login(client, queue.users[Role.MANAGER].email)
    handler = queue.users[Role.HANDLER]
    unassigned = client.get("/api/v1/applications", params={"q": "SMÅ-2026-0001"}).json()
    ids = [unassigned["items"][0]["id"]]
    mötesplats = client.get("/api/v1/applications", params={"q": "Mötesplats"}).json()
    ids.append(mötesplats["items"][0]["id"])
    response = post_form(
        client, "/cases/assign", {"ids": ids, "handler": handler.id, "return_query": "sort=amount"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.headers["location"] == "/cases?sort=amount"
    assert "2 ärenden tilldelades handläggare testbygd" in client.get("/cases").text.lower()
    mine = client.get("/api/v1/applications", params={"handler": handler.id}).json()
    assert {item["id"] for item in mine["items"]} >= set(ids)
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "assigned")).all()
    assert len(events) == 2
    assert events[0].changes == {"assigned_handler": [None, handler.full_name]}

    theirs = make_application(db, other_area, title="Grannens")
    db.commit()
    foreign = post_form(client, "/cases/assign", {"ids": [theirs.id], "handler": handler.id})
    assert foreign.status_code == 404
    not_a_handler = post_form(
        client, "/cases/assign", {"ids": ids[:1], "handler": queue.users[Role.LAG_MEMBER].id}
    )
    assert "Ärenden kan bara tilldelas en aktiv handläggare i området." in not_a_handler.text
    # An id that names nobody is refused, not read as "take the cases back".
    unknown = post_form(client, "/cases/assign", {"ids": ids[:1], "handler": 999_999_999})
    assert "Ärenden kan bara tilldelas en aktiv handläggare i området." in unknown.text
    still_mine = client.get("/api/v1/applications", params={"handler": handler.id}).json()
    assert ids[0] in {item["id"] for item in still_mine["items"]}


def test_search_ignores_case_beyond_ascii(client: TestClient, queue: AreaSetup) -> None:
    login(client, queue.users[Role.HANDLER].email)
    for needle in ("små-2026-0001", "SMÅ-2026-0001", "BOULEBANA"):
        body = client.get("/api/v1/applications", params={"q": needle}).json()
        assert [item["title"] for item in body["items"]] == ["Boulebana"], needle
