"""LAG meeting pages over HTTP: who may do what, and the rules' refusals shown on the page."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import ApplicationStatus
from app.auth.models import Role
from app.board.models import BoardMember
from app.core.clock import local_today
from app.meetings.models import Meeting, MeetingStatus
from tests.factories import AreaSetup, make_board, make_small_grant_case
from tests.http import login, post_form
from tests.test_case_pages import text_of


def test_the_chair_plans_and_runs_a_meeting_that_refuses_an_unbalanced_decision(
    db: Session, client: TestClient, area: AreaSetup
) -> None:
    board = make_board(db, area)
    case = make_small_grant_case(db, area, requested_kr=40_000,
                                 status=ApplicationStatus.READY_FOR_DECISION)  # fmt: skip
    db.commit()
    login(client, area.users[Role.LAG_CHAIR].email)
    planned = {"held_on": str(local_today() + timedelta(days=7)), "starts_at": "18:00",
               "place": "Bygdegården"}  # fmt: skip
    created = post_form(client, "/board/meetings", planned, follow_redirects=False)
    assert created.status_code == 303
    meeting_url = created.headers["location"]
    added = post_form(client, f"{meeting_url}/items", {"application": str(case.id)},
                      follow_redirects=False)  # fmt: skip
    assert added.status_code == 303, text_of(added)[:600]
    present = " ".join(str(board[k].id) for k in ("public1", "public2", "public3", "business1",
                                                   "chair"))  # fmt: skip
    assert post_form(client, f"{meeting_url}/attendance", {"present": present},
                     follow_redirects=False).status_code == 303  # fmt: skip
    assert post_form(client, f"{meeting_url}/open", {}, follow_redirects=False).status_code == 303
    page = client.get(meeting_url)
    assert page.status_code == 200
    assert "offentlig sektor har 3 av 5 röster (60 %)" in text_of(page)
    meeting = db.get(Meeting, int(meeting_url.rsplit("/", 1)[1]))
    item = meeting.items[0]
    decision = {"outcome": "approved", "amount": "40 000", "motivation": "Bra."}
    refused = post_form(client, f"{meeting_url}/items/{item.id}/decision", decision)
    assert refused.status_code == 400
    assert ("Beslutet kan inte fattas: offentlig sektor har 3 av 5 röster (60 %)."
            in text_of(refused))  # fmt: skip
    panel = client.get(f"{meeting_url}/items/{item.id}/panel")
    assert panel.status_code == 200 and 'hx-trigger="every 3s"' in panel.text
    db.refresh(meeting)
    assert meeting.status is MeetingStatus.OPEN and meeting.items[0].decided_at is None


def test_a_member_may_not_run_the_meeting(db: Session, client: TestClient, area) -> None:
    make_board(db, area)
    db.commit()
    login(client, area.users[Role.LAG_MEMBER].email)
    assert client.get("/board/meetings").status_code == 200
    refused = post_form(client, "/board/meetings", {"held_on": str(local_today()), "place": "X"},
                        follow_redirects=False)  # fmt: skip
    assert refused.status_code == 403


def test_the_manager_keeps_the_member_register(db: Session, client: TestClient, area) -> None:
    board = make_board(db, area)
    db.commit()
    login(client, area.users[Role.MANAGER].email)
    refused = post_form(client, "/board/members", {
        "full_name": "Ny Ersättare", "sector": "public", "role": "member",
        "term_start": "2026-01-01", "term_end": "2025-12-31",
        "substitute_for": str(board["public1"].id),
    })  # fmt: skip
    assert refused.status_code == 400
    text = text_of(refused)
    assert "Mandatet kan inte sluta innan det börjar." in text
    assert "Bara en ersättare ersätter en ledamot." in text
    assert 'value="Ny Ersättare"' in refused.text  # what was typed is kept
    added = post_form(client, "/board/members", {
        "full_name": "Ny Ersättare", "sector": "public", "role": "substitute",
        "term_start": "2026-01-01", "substitute_for": str(board["public1"].id),
    }, follow_redirects=False)  # fmt: skip
    assert added.status_code == 303
    member = db.scalar(select(BoardMember).where(BoardMember.full_name == "Ny Ersättare"))
    assert member.substitute_for_id == board["public1"].id
    ended = post_form(client, f"/board/members/{board['public3'].id}/end",
                      {"last_day": "2026-06-30"}, follow_redirects=False)  # fmt: skip
    assert ended.status_code == 303
    db.refresh(board["public3"])
    assert board["public3"].term_end.isoformat() == "2026-06-30"
    client.cookies.clear()
    login(client, area.users[Role.LAG_MEMBER].email)
    assert post_form(client, "/board/members", {}, follow_redirects=False).status_code == 403
