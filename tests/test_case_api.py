"""The office's status changes through the JSON API: the same workflow, guards and optimistic
locking as the case page, with refusals explained in Swedish."""

from fastapi.testclient import TestClient

from app.applications.models import ApplicationStatus
from app.auth.models import Role
from tests.factories import AreaSetup, make_small_grant_case
from tests.http import csrf_token, login


def transition(client: TestClient, application_id: int, **body):
    return client.post(
        f"/api/v1/applications/{application_id}/transitions",
        json=body,
        headers={"X-CSRF-Token": csrf_token(client)},
    )


def test_a_transition_through_the_api(db, client, area: AreaSetup) -> None:
    case = make_small_grant_case(db, area, status=ApplicationStatus.SUBMITTED)
    db.commit()
    login(client, area.users[Role.HANDLER].email)
    response = transition(client, case.id, name="start_review", version=case.version)
    assert response.status_code == 200
    assert response.json()["status"] == "in_review"
    assert response.json()["version"] == case.version + 1


def test_refusals_say_why_in_swedish(db, client, area: AreaSetup) -> None:
    case = make_small_grant_case(db, area, status=ApplicationStatus.SUBMITTED)
    db.commit()
    login(client, area.users[Role.HANDLER].email)
    refused = transition(client, case.id, name="ready_for_decision", version=case.version)
    assert refused.status_code == 409
    assert refused.json() == {
        "detail": "”Klar för beslut” går inte när ansökan har status ”inkommen”."
    }
    stale = transition(client, case.id, name="start_review", version=case.version - 1)
    assert stale.status_code == 409
    assert stale.json() == {"detail": "Ärendet har ändrats av någon annan — ladda om sidan."}
    guarded = transition(client, case.id, name="withdraw", version=case.version)
    assert guarded.json() == {"detail": "Ange ett skäl."}
    db.refresh(case)
    assert case.status is ApplicationStatus.SUBMITTED


def test_only_the_office_of_the_same_area(db, client, area, other_area) -> None:
    case = make_small_grant_case(db, area, status=ApplicationStatus.SUBMITTED)
    db.commit()
    login(client, other_area.users[Role.HANDLER].email)
    assert transition(client, case.id, name="start_review", version=1).status_code == 404
    client.cookies.clear()
    login(client, area.users[Role.LAG_MEMBER].email)
    assert transition(client, case.id, name="start_review", version=1).status_code == 403
