"""LAG meeting pages over HTTP: who may do what, and the rules' refusals shown on the page.

Each refusal is checked as the user meets it: the exact Swedish reason on the page that comes
back (400), and nothing saved. The rules themselves are tested in tests/unit and through the
service in tests/test_meetings.py."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.applications.models import Application, ApplicationKind, ApplicationStatus
from app.auth.models import Role, User, UserRole
from app.casework.models import DecisionProposal, ProposedOutcome
from app.config import Settings
from app.core.clock import local_today
from app.main import create_app
from app.meetings import service
from app.meetings.models import (
    AgendaItem,
    ConflictDeclaration,
    ItemOutcome,
    ItemScore,
    Meeting,
    MeetingStatus,
    MinutesCorrection,
    Vote,
    VoteChoice,
)
from tests.factories import (
    AreaSetup,
    make_application,
    make_board,
    make_small_grant_case,
    password_hash,
)
from tests.http import login, post_form
from tests.test_case_pages import text_of
from tests.test_meetings import ALL_ORDINARY, criteria

OFFICE = frozenset({"handler"})
MEETINGS = "/board/meetings"
SECRET = "Föreningens ekonomi är svag; kassören har avgått."  # the handler's internal assessment


# --- Set-up through the services; the action under test goes over HTTP ---


@pytest.fixture
def board(db: Session, area: AreaSetup):
    members = make_board(db, area)
    db.commit()
    return members


@pytest.fixture
def chair(client: TestClient, area: AreaSetup, board) -> TestClient:
    """The test client, logged in as the chair (Maria Ordförande)."""
    assert login(client, area.users[Role.LAG_CHAIR].email).status_code == 303
    return client


def _device(settings: Settings, session_factory) -> TestClient:
    app = create_app(settings)
    app.state.session_factory = session_factory
    return TestClient(app, base_url="http://testserver")


@pytest.fixture
def member(settings: Settings, session_factory, area: AreaSetup, board) -> Iterator[TestClient]:
    """A second device: the LAG member "public1" (Per Kommun, offentlig sektor)."""
    with _device(settings, session_factory) as device:
        assert login(device, area.users[Role.LAG_MEMBER].email).status_code == 303
        yield device


@pytest.fixture
def meeting(db: Session, area: AreaSetup, board) -> Meeting:
    created, result = service.create_meeting(
        db, area.actor, area.area.id,
        {"held_on": str(local_today()), "starts_at": "18:00",
         "place": "Bygdegården, Forssjö"},
        today=local_today(),
    )  # fmt: skip
    assert created is not None, result.errors
    db.commit()
    return created


def url(meeting: Meeting, rest: str = "") -> str:
    return f"{MEETINGS}/{meeting.id}{rest}"


def ready(db: Session, area: AreaSetup, requested_kr: int = 40_000, **kwargs) -> Application:
    """A småstöd above the office's 30 000 kr delegation: the LAG decides it."""
    return make_small_grant_case(db, area, requested_kr=requested_kr,
                                 status=ApplicationStatus.READY_FOR_DECISION, **kwargs)  # fmt: skip


def on_agenda(db: Session, area: AreaSetup, meeting: Meeting,
              *applications: Application) -> list[AgendaItem]:  # fmt: skip
    items = [service.add_application(db, area.actor, meeting, a, OFFICE) for a in applications]
    db.commit()
    return items


def start(db: Session, area: AreaSetup, meeting: Meeting, board, *present: str) -> None:
    """Attendance (the members named present, everyone else absent), then open the meeting."""
    service.record_attendance(db, area.actor, meeting, {board[k].id for k in present})
    service.open_meeting(db, area.actor, meeting, today=meeting.held_on)
    db.commit()


def vote(db: Session, area: AreaSetup, item: AgendaItem, board, choices: dict[str, str]) -> None:
    """Votes recorded for the given members (key → "for"/"against"/"abstain")."""
    for key, choice in choices.items():
        service.cast_vote(db, area.actor, item, board[key], choice)
    db.commit()


def everyone_votes(db, area, item, board, choice: str = "for") -> None:
    by_id = {m.id: key for key, m in board.items()}
    voters = [by_id[seat.member_id] for seat in service.who_decides(db, item).voters]
    vote(db, area, item, board, dict.fromkeys(voters, choice))


def refused(response: Response, message: str) -> str:
    """The page came back with the refusal (400) and the exact reason on it."""
    page = text_of(response)
    assert response.status_code == 400, page[:800]
    assert message in page, page[:2000]
    return page


def decide(client: TestClient, item: AgendaItem, form: dict[str, str], **kwargs) -> Response:
    return post_form(client, f"{MEETINGS}/{item.meeting_id}/items/{item.id}/decision", form,
                     **kwargs)  # fmt: skip


def fresh(db: Session, row):
    """``row`` as the database has it now (the app committed in sessions of its own)."""
    db.expire_all()
    return db.get(type(row), row.id)


def count(db: Session, model, *where) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model).where(*where))


def assert_undecided(db: Session, item: AgendaItem) -> None:
    after = fresh(db, item)
    assert (after.decided_at, after.outcome, after.amount_ore, after.motivation) == (
        None, None, None, "",
    )  # fmt: skip
    assert after.meeting.status is MeetingStatus.OPEN


APPROVE = {"outcome": "approved", "amount": "40 000", "motivation": "Stärker beredskapen."}


# --- Planning, running and refusing ---


def test_the_chair_plans_and_runs_a_meeting_that_refuses_an_unbalanced_decision(
    db: Session, client: TestClient, area: AreaSetup
) -> None:
    board = make_board(db, area)
    case = make_small_grant_case(db, area, requested_kr=40_000,
                                 status=ApplicationStatus.READY_FOR_DECISION)  # fmt: skip
    db.commit()
    login(client, area.users[Role.LAG_CHAIR].email)
    planned = {"held_on": str(local_today()), "starts_at": "18:00",
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


# --- Planning and the agenda ---


@pytest.mark.parametrize(
    ("held_on", "starts_at", "place", "field", "message"),
    [
        (-1, "18:00", "Bygdegården", "held_on", "Ett nytt möte kan inte ligga bakåt i tiden."),
        ("", "18:00", "Bygdegården", "held_on", "Ange mötesdag."),
        ("3/12", "18:00", "Bygdegården", "held_on",
         "Ange datumet som ÅÅÅÅ-MM-DD, t.ex. 2027-03-15."),
        (7, "25:00", "Bygdegården", "starts_at", "Ange tiden som TT:MM, t.ex. 18:00."),
        (7, "18.00", "Bygdegården", "starts_at", "Ange tiden som TT:MM, t.ex. 18:00."),
        (7, "18:00", "   ", "place", "Ange plats eller möteslänk."),
    ],
)  # fmt: skip
def test_planning_a_meeting_is_refused_with_the_reason(
    db: Session, chair: TestClient, area: AreaSetup, held_on, starts_at, place, field, message
) -> None:
    if isinstance(held_on, int):
        held_on = str(local_today() + timedelta(days=held_on))
    form = {"held_on": held_on, "starts_at": starts_at, "place": place}
    response = post_form(chair, MEETINGS, form)
    refused(response, message)
    assert f'<p class="error-message" id="{field}-error">' in response.text  # by its field
    assert f'value="{starts_at}"' in response.text  # what was typed is kept
    assert count(db, Meeting, Meeting.area_id == area.area.id) == 0


def test_only_a_case_ready_for_decision_goes_on_the_agenda(
    db: Session, chair: TestClient, area: AreaSetup, other_area: AreaSetup, meeting: Meeting
) -> None:
    early = make_small_grant_case(db, area, title="Tidig")  # still under handläggning
    foreign = make_small_grant_case(db, other_area, status=ApplicationStatus.READY_FOR_DECISION)
    elsewhere = ready(db, area, title="Redan uppsatt")
    other, _ = service.create_meeting(
        db, area.actor, area.area.id,
        {"held_on": str(local_today() + timedelta(days=14)), "place": "Skolan"},
        today=local_today(),
    )  # fmt: skip
    service.add_application(db, area.actor, other, elsewhere, OFFICE)
    db.commit()
    add = url(meeting, "/items")
    refused(
        post_form(chair, add, {"application": str(early.id)}),
        f"{early.reference} är inte klart för beslut (status ”under handläggning”).",
    )
    refused(post_form(chair, add, {"application": str(foreign.id)}), "Välj ett ärende.")
    refused(
        post_form(chair, add, {"application": str(elsewhere.id)}),
        f"{elsewhere.reference} står redan på ett möte som inte är avslutat.",
    )
    refused(post_form(chair, add, {"title": "  ", "notes": "Budgetläget"}), "Ange en rubrik.")
    assert count(db, AgendaItem, AgendaItem.meeting_id == meeting.id) == 0
    assert fresh(db, early).status is ApplicationStatus.IN_REVIEW
    assert fresh(db, foreign).status is ApplicationStatus.READY_FOR_DECISION


def test_the_cases_to_put_on_the_agenda_are_the_longest_waiting_with_a_count_of_the_rest(
    db: Session, client: TestClient, area: AreaSetup, board, meeting: Meeting
) -> None:
    """Issue 8: an area can have hundreds of cases ready for decision; the list is bounded."""
    received = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    waiting = []
    for n in range(53):
        application = ready(db, area, title=f"Väntar {n}")
        application.submitted_at = received - timedelta(days=n)  # the last made is the oldest
        waiting.append(application)
    on_agenda(db, area, meeting, waiting[-1])
    shown = re.compile(r'<select id="item-application" name="application">(.*?)</select>', re.S)

    assert login(client, area.users[Role.HANDLER].email).status_code == 303
    page = client.get(url(meeting))
    options = [int(i) for i in re.findall(r'<option value="(\d+)"', shown.search(page.text)[1])]
    # The 50 oldest not on this meeting, oldest first: the two newest wait in the queue.
    assert options == [a.id for a in reversed(waiting[2:-1])]
    assert "Ytterligare 2 ärenden väntar: se kön, klara för beslut" in text_of(page)
    assert 'href="/cases?status=ready_for_decision"' in page.text

    assert login(client, area.users[Role.LAG_CHAIR].email).status_code == 303
    page = client.get(url(meeting))
    assert "Ytterligare 2 ärenden väntar." in text_of(page)
    assert "/cases?" not in page.text  # the queue is the office's


def test_the_meeting_does_not_open_without_attendance(
    db: Session, chair: TestClient, meeting: Meeting
) -> None:
    refused(post_form(chair, url(meeting, "/open"), {}), "Registrera närvaron innan mötet öppnas.")
    assert fresh(db, meeting).status is MeetingStatus.PLANNED


# --- Deciding ---


def test_a_decision_without_quorum_is_refused(db, chair, area, board, meeting) -> None:
    [item] = on_agenda(db, area, meeting, ready(db, area))
    start(db, area, meeting, board, "chair", "public1", "business1", "civil2")
    everyone_votes(db, area, item, board)
    refused(decide(chair, item, APPROVE),
            "Beslutet kan inte fattas: styrelsen är inte beslutför – 4 av 9 ordinarie platser "
            "är företrädda, minst 5 krävs.")  # fmt: skip
    assert_undecided(db, item)


def test_a_decision_waits_until_everyone_taking_part_has_voted(
    db, chair, area, board, meeting
) -> None:
    [item] = on_agenda(db, area, meeting, ready(db, area))
    start(db, area, meeting, board, *ALL_ORDINARY)
    vote(db, area, item, board, {"chair": "for", "public2": "for"})
    refused(decide(chair, item, APPROVE),
            "Alla som deltar har inte röstat: Lena Ideell, Ahmed Ideell, Per Kommun, Olle Kommun, "
            "Sara Företag, Jonas Handel, Eva Turism")  # fmt: skip
    assert_undecided(db, item)


def test_a_decision_without_majority_is_refused(db, chair, area, board, meeting) -> None:
    [item] = on_agenda(db, area, meeting, ready(db, area))
    start(db, area, meeting, board, *ALL_ORDINARY)
    everyone_votes(db, area, item, board, "against")
    vote(db, area, item, board, {"chair": "for", "civil2": "abstain"})
    refused(decide(chair, item, APPROVE), "Förslaget har inte majoritet: 1 ja, 7 nej.")
    rejection = {"outcome": "rejected", "motivation": "Inte i linje med strategin."}
    refused(decide(chair, item, rejection), "Förslaget har inte majoritet: 1 ja, 7 nej.")
    assert_undecided(db, item)


def test_an_amount_that_does_not_fit_the_pot_is_refused(db, chair, area, board, meeting) -> None:
    area.umbrella.pot_ore = 60_000_00
    first, second = on_agenda(db, area, meeting, ready(db, area), ready(db, area, title="Två"))
    start(db, area, meeting, board, *ALL_ORDINARY)
    everyone_votes(db, area, first, board)
    everyone_votes(db, area, second, board)
    assert decide(chair, first, APPROVE, follow_redirects=False).status_code == 303
    refused(decide(chair, second, APPROVE),
            "Beloppet 40 000 kr ryms inte: potten Beredskap har 20 000 kr kvar efter LAG:s "
            "beslut som ännu inte är justerade.")  # fmt: skip
    assert_undecided(db, second)
    assert fresh(db, first).outcome is ItemOutcome.APPROVED


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"amount": "40 000", "motivation": "Bra."}, "Välj ett beslut."),
        ({"outcome": "approved", "amount": "40 000"}, "Skriv en motivering."),
        ({"outcome": "approved", "motivation": "Bra."}, "Ange beloppet."),
        ({"outcome": "approved", "amount": "39 000", "motivation": "Bra."},
         "Beviljas ger det sökta beloppet, 40 000 kr."),
        ({"outcome": "partly_approved", "amount": "40 000", "motivation": "Bra."},
         "Beloppet ska vara lägre än det sökta, 40 000 kr."),
        ({"outcome": "partly_approved", "amount": "5 000", "motivation": "Bra."},
         "Stöd ur Beredskap är minst 10 000 kr och högst 50 000 kr."),
        ({"outcome": "rejected", "amount": "40 000", "motivation": "Nej."},
         "Inget belopp vid det här beslutet; lämna fältet tomt."),
    ],
)  # fmt: skip
def test_the_decision_form_is_checked(db, chair, area, board, meeting, form, message) -> None:
    [item] = on_agenda(db, area, meeting, ready(db, area))
    start(db, area, meeting, board, *ALL_ORDINARY)
    everyone_votes(db, area, item, board)
    response = decide(chair, item, form)
    refused(response, message)
    assert "Uppgifterna sparades inte." in text_of(response)
    assert_undecided(db, item)


def test_a_leader_project_is_prioritised_only_past_the_basic_conditions_and_the_threshold(
    db, chair, area, board, meeting
) -> None:
    one, two = criteria(db, area)
    project = make_application(db, area, kind=ApplicationKind.LEADER_PROJECT,
                               status=ApplicationStatus.READY_FOR_DECISION)  # fmt: skip
    project.reference, project.applicant_name = "PRJ-2026-0050", area.organisation.name
    [item] = on_agenda(db, area, meeting, project)
    start(db, area, meeting, board, *ALL_ORDINARY)
    everyone_votes(db, area, item, board)

    def joint(first: int, second: int, basic: str) -> None:
        scored = post_form(chair, url(meeting, f"/items/{item.id}/scores"), {
            "joint": "1",
            f"points_{one.id}": str(first), f"justification_{one.id}": "Bred förankring.",
            f"points_{two.id}": str(second), f"justification_{two.id}": "Nytt arbetssätt.",
            **{f"basic_{c.key}": basic for c in area.period.basic_conditions},
        }, follow_redirects=False)  # fmt: skip
        assert scored.status_code == 303

    prioritise = {"outcome": "prioritised", "amount": "100 000", "motivation": "Bra."}
    rule = ("Ett Leaderprojekt prioriteras först när alla grundkrav är uppfyllda och poängen når "
            "gränsen 650")  # fmt: skip
    joint(8, 6, "no")  # 8×60 + 6×40 = 720 points, but a basic condition is not met
    page = refused(decide(chair, item, prioritise), f"{rule} (nu 720,0).")
    assert "grundkraven är inte besvarade med ja" in page
    joint(6, 6, "yes")  # 600 < 650
    refused(decide(chair, item, prioritise), f"{rule} (nu 600,0).")
    assert_undecided(db, item)
    joint(7, 6, "yes")  # 660: now it may be prioritised
    assert decide(chair, item, prioritise, follow_redirects=False).status_code == 303
    assert fresh(db, item).outcome is ItemOutcome.PRIORITISED


# --- Jäv ---


def test_a_member_with_jav_can_neither_vote_nor_score(
    db, chair, member, area, board, meeting
) -> None:
    one, _ = criteria(db, area)
    [item] = on_agenda(db, area, meeting, ready(db, area))
    start(db, area, meeting, board, *ALL_ORDINARY)
    conflicts, votes = (
        url(meeting, f"/items/{item.id}/conflicts"),
        url(meeting, f"/items/{item.id}/votes"),
    )
    assert post_form(member, votes, {"choice": "for"}, follow_redirects=False).status_code == 303
    refused(
        post_form(member, conflicts, {"reason": " "}),
        "Ange varför (t.ex. styrelseledamot i den sökande föreningen).",
    )
    assert count(db, ConflictDeclaration, ConflictDeclaration.item_id == item.id) == 0
    declared = post_form(member, conflicts, {"reason": "Sitter i föreningens styrelse."},
                         follow_redirects=False)  # fmt: skip
    assert declared.status_code == 303
    assert count(db, Vote, Vote.item_id == item.id) == 0  # the vote cast before no longer counts

    refused(
        post_form(member, votes, {"choice": "for"}),
        "Per Kommun deltar inte i beslutet i den här punkten.",
    )
    refused(
        post_form(chair, votes, {"member": str(board["public1"].id), "choice": "for"}),
        "Per Kommun deltar inte i beslutet i den här punkten.",
    )
    refused(post_form(member, url(meeting, f"/items/{item.id}/scores"),
                      {f"points_{one.id}": "7", f"justification_{one.id}": "Bra."}),
            "Per Kommun har anmält jäv och får inte poängsätta ärendet.")  # fmt: skip
    refused(
        post_form(member, conflicts, {"reason": "Igen."}),
        "Per Kommun har redan anmält jäv i punkten.",
    )
    assert count(db, Vote, Vote.item_id == item.id) == 0
    assert count(db, ItemScore, ItemScore.item_id == item.id) == 0
    assert count(db, ConflictDeclaration, ConflictDeclaration.item_id == item.id) == 1
    # The chair's live panel shows that the member left the item (no substitute is here).
    panel = text_of(chair.get(url(meeting, f"/items/{item.id}/panel")))
    assert "Deltar i beslutet (8):" in panel and "Deltar inte: Per Kommun" in panel
    assert "Per Kommun (offentlig sektor)" not in panel


def test_a_member_with_jav_does_not_see_the_handlers_proposal(
    db, settings, session_factory, member, area, board, meeting
) -> None:
    case = ready(db, area)
    db.add(DecisionProposal(area_id=area.area.id, application_id=case.id,
                            outcome=ProposedOutcome.APPROVE, amount_ore=case.requested_ore,
                            motivation=SECRET, proposed_by_name="Handläggare"))  # fmt: skip
    colleague = User(
        area_id=area.area.id,
        email="ahmed@testbygd.test",
        full_name="Ahmed Ideell",
        password_hash=password_hash(),
        role_links=[UserRole(role=Role.LAG_MEMBER)],
    )
    db.add(colleague)
    db.flush()
    board["civil3"].user_id = colleague.id
    [item] = on_agenda(db, area, meeting, case)
    assert SECRET in text_of(member.get(url(meeting)))  # before jäv the member sees it

    declared = post_form(member, url(meeting, f"/items/{item.id}/conflicts"),
                         {"reason": "Min bror är kassör i föreningen."},
                         follow_redirects=False)  # fmt: skip
    assert declared.status_code == 303
    page = text_of(member.get(url(meeting)))
    assert "Du har anmält jäv i ärendet och deltar inte i handläggningen." in page
    assert SECRET not in page and "Handläggarens förslag" not in page
    assert SECRET not in text_of(member.get(url(meeting, f"/items/{item.id}/panel")))
    with _device(settings, session_factory) as other:
        assert login(other, colleague.email).status_code == 303
        seen = text_of(other.get(url(meeting)))
    assert f"Handläggarens förslag: Bevilja 40 000 kr – {SECRET}" in seen
    assert "Du har anmält jäv" not in seen


# --- Closing, adjusting, correcting ---


def test_closing_needs_every_case_decided_and_two_adjusters(
    db, chair, area, board, meeting
) -> None:
    [item] = on_agenda(db, area, meeting, ready(db, area))
    start(db, area, meeting, board, *ALL_ORDINARY)
    close = url(meeting, "/close")
    adjusters = {"adjuster_one": str(board["civil2"].id), "adjuster_two": str(board["public2"].id)}
    refused(
        post_form(chair, close, adjusters),
        f"Besluta om alla ärenden först (bordlägg eller lyft det som ska vänta): {item.title}.",
    )
    everyone_votes(db, area, item, board)
    assert decide(chair, item, APPROVE, follow_redirects=False).status_code == 303
    twice = {"adjuster_one": str(board["civil2"].id), "adjuster_two": str(board["civil2"].id)}
    refused(post_form(chair, close, twice), "Välj två olika justerare bland de närvarande.")
    absent = {**adjusters, "adjuster_two": str(board["civil_sub"].id)}
    refused(post_form(chair, close, absent), "Välj två olika justerare bland de närvarande.")
    refused(
        post_form(chair, close, {"adjuster_one": str(board["civil2"].id)}),
        "Välj två olika justerare bland de närvarande.",
    )
    after = fresh(db, meeting)
    assert after.status is MeetingStatus.OPEN and after.closed_at is None
    assert (after.adjuster_one_id, after.adjuster_two_id) == (None, None)


def test_corrections_and_adjustment_wait_for_their_turn(db, chair, area, board, meeting) -> None:
    start(db, area, meeting, board, *ALL_ORDINARY)
    refused(
        post_form(chair, url(meeting, "/corrections"), {"text": "Rätt stavning: Forssjö."}),
        "Det går inte när mötet har status ”pågår”.",
    )
    refused(
        post_form(chair, url(meeting, "/adjust"), {}), "Det går inte när mötet har status ”pågår”."
    )
    assert count(db, MinutesCorrection, MinutesCorrection.meeting_id == meeting.id) == 0
    after = fresh(db, meeting)
    assert after.status is MeetingStatus.OPEN and after.minutes_html is None
    assert chair.get(url(meeting, "/minutes")).status_code == 404
    assert chair.get(url(meeting, "/minutes.pdf")).status_code == 404


# --- Who may do what ---


def test_a_member_reads_the_meeting_and_acts_only_for_themselves(
    db, member, area, board, meeting
) -> None:
    [item] = on_agenda(db, area, meeting, ready(db, area))
    start(db, area, meeting, board, *ALL_ORDINARY)
    page = member.get(url(meeting))
    assert page.status_code == 200
    assert item.title in text_of(page) and "Min röst:" in text_of(page)
    for action in ("/attendance", f"/items/{item.id}/decision", "/close"):
        assert f'action="{url(meeting, action)}"' not in page.text
    assert member.get(url(meeting, f"/items/{item.id}/panel")).status_code == 200

    # Whoever the form names, a member's vote and jäv are their own.
    votes = url(meeting, f"/items/{item.id}/votes")
    other = str(board["public2"].id)
    assert post_form(member, votes, {"member": other, "choice": "against"},
                     follow_redirects=False).status_code == 303  # fmt: skip
    db.expire_all()
    assert {(v.member_id, v.choice) for v in db.scalars(select(Vote))} == {
        (board["public1"].id, VoteChoice.AGAINST)
    }
    assert post_form(member, url(meeting, f"/items/{item.id}/conflicts"),
                     {"member": other, "reason": "Jävig."},
                     follow_redirects=False).status_code == 303  # fmt: skip
    db.expire_all()
    assert [c.member_id for c in db.scalars(select(ConflictDeclaration))] == [board["public1"].id]

    joint = {"joint": "1", **{f"basic_{c.key}": "yes" for c in area.period.basic_conditions}}
    refused(
        post_form(member, url(meeting, f"/items/{item.id}/scores"), joint),
        "Bara ordföranden eller sekreteraren registrerar styrelsens gemensamma poäng.",
    )
    forbidden = {
        f"/items/{item.id}/decision": APPROVE,
        "/attendance": {"present": " ".join(str(m.id) for m in board.values())},
        "/open": {},
        "/items": {"title": "Övrigt"},
        "/close": {"adjuster_one": str(board["civil2"].id),
                   "adjuster_two": str(board["public2"].id)},
        "/adjust": {},
        "/corrections": {"text": "Rättelse"},
    }  # fmt: skip
    for action, form in forbidden.items():
        response = post_form(member, url(meeting, action), form, follow_redirects=False)
        assert response.status_code == 403, action
    assert post_form(member, MEETINGS, {"held_on": str(local_today()), "place": "X"},
                     follow_redirects=False).status_code == 403  # fmt: skip
    after = fresh(db, meeting)
    assert after.status is MeetingStatus.OPEN and len(after.items) == 1
    assert after.items[0].decided_at is None and after.items[0].basic_conditions is None
    assert sum(service.attendance(db, after).values()) == len(ALL_ORDINARY)


def test_another_areas_meeting_is_not_found(db, chair, area, other_area, board, meeting) -> None:
    theirs, _ = service.create_meeting(
        db, other_area.actor, other_area.area.id,
        {"held_on": str(local_today()), "place": "Grannbygdens hus"},
        today=local_today(),
    )  # fmt: skip
    foreign = service.add_free_item(db, other_area.actor, theirs, "Information", "")
    [mine] = on_agenda(db, area, meeting, ready(db, area))
    for path in ("", "/minutes", "/minutes.pdf", f"/items/{foreign.id}/panel"):
        assert chair.get(url(theirs, path)).status_code == 404, path
    # Nor is another meeting's item reached through this meeting's address.
    assert chair.get(url(meeting, f"/items/{foreign.id}/panel")).status_code == 404
    assert chair.get(url(theirs, f"/items/{mine.id}/panel")).status_code == 404
    for path, form in (
        ("/attendance", {"present": ""}),
        ("/open", {}),
        ("/items", {"title": "Inbrytning"}),
        (f"/items/{foreign.id}/conflicts", {"reason": "X", "member": str(board["civil2"].id)}),
        (f"/items/{foreign.id}/decision", APPROVE),
        ("/close", {}),
        ("/corrections", {"text": "X"}),
    ):
        assert post_form(chair, url(theirs, path), form).status_code == 404, path
    after = fresh(db, theirs)
    assert after.status is MeetingStatus.PLANNED and len(after.items) == 1
    assert service.attendance(db, after) == {}
    assert count(db, ConflictDeclaration) == 0


def test_anonymous_visitors_are_sent_to_log_in(client: TestClient, meeting: Meeting) -> None:
    for path in ("", "/minutes", "/minutes.pdf"):
        response = client.get(url(meeting, path), follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={url(meeting, path)}"
    assert client.get(MEETINGS, follow_redirects=False).headers["location"] == (
        f"/login?next={MEETINGS}"
    )
    # The live panel, polled by htmx, sends the whole page to the login instead.
    polled = client.get(url(meeting, "/items/1/panel"),
                        headers={"HX-Request": "true",
                                 "HX-Current-URL": f"http://testserver{url(meeting)}"})  # fmt: skip
    assert polled.status_code == 401
    assert polled.headers["HX-Redirect"] == f"/login?next={url(meeting)}"
    posted = post_form(client, url(meeting, "/attendance"), {"present": ""},
                       follow_redirects=False)  # fmt: skip
    assert posted.status_code == 303 and posted.headers["location"].startswith("/login?next=")


# --- The whole meeting ---


def test_a_meeting_from_attendance_to_adjusted_minutes(db, chair, member, area, board) -> None:
    case = ready(db, area)
    db.commit()
    planned = {"held_on": str(local_today()), "starts_at": "18:00",
               "place": "Bygdegården, Forssjö", "secretary_name": "Eva Sekreterare"}  # fmt: skip
    created = post_form(chair, MEETINGS, planned, follow_redirects=False)
    assert created.status_code == 303
    meeting_url = created.headers["location"]
    meeting = db.get(Meeting, int(meeting_url.rsplit("/", 1)[1]))
    assert post_form(chair, f"{meeting_url}/items", {"application": str(case.id)},
                     follow_redirects=False).status_code == 303  # fmt: skip
    assert fresh(db, case).status is ApplicationStatus.ON_AGENDA
    [item] = fresh(db, meeting).items

    present = " ".join(str(board[k].id) for k in (*ALL_ORDINARY, "business_sub"))
    assert post_form(chair, f"{meeting_url}/attendance", {"present": present},
                     follow_redirects=False).status_code == 303  # fmt: skip
    assert post_form(chair, f"{meeting_url}/open", {},
                     follow_redirects=False).status_code == 303  # fmt: skip
    # Every ordinary member is here, so the substitute does not take part.
    panel = text_of(chair.get(f"{meeting_url}/items/{item.id}/panel"))
    assert "Deltar i beslutet (9):" in panel and "Deltar inte: Bo Ersättare" in panel
    assert "Beslut kan fattas: styrelsen är beslutför" in panel

    votes = f"{meeting_url}/items/{item.id}/votes"
    for key in ALL_ORDINARY:
        if key != "public1":  # the chair records the votes of those without a device
            choice = "against" if key == "business3" else "for"
            recorded = post_form(chair, votes, {"member": str(board[key].id), "choice": choice},
                                 follow_redirects=False)  # fmt: skip
            assert recorded.status_code == 303, key
    assert "väntar på Per Kommun" in text_of(chair.get(f"{meeting_url}/items/{item.id}/panel"))
    own = post_form(member, votes, {"choice": "for"}, follow_redirects=False)
    assert own.status_code == 303
    assert "Röster: 8 ja, 1 nej, 0 avstår" in text_of(
        chair.get(f"{meeting_url}/items/{item.id}/panel")
    )

    # Eva Turism leaves: Bo Ersättare steps in, and her vote no longer counts.
    present = " ".join(str(board[k].id) for k in (*ALL_ORDINARY, "business_sub")
                       if k != "business3")  # fmt: skip
    assert post_form(chair, f"{meeting_url}/attendance", {"present": present},
                     follow_redirects=False).status_code == 303  # fmt: skip
    panel = text_of(chair.get(f"{meeting_url}/items/{item.id}/panel"))
    assert "Bo Ersättare (näringsliv, ersätter)" in panel
    assert "Röster: 8 ja, 0 nej, 0 avstår · väntar på Bo Ersättare" in panel
    refused(decide(chair, item, APPROVE), "Alla som deltar har inte röstat: Bo Ersättare")
    assert post_form(chair, votes, {"member": str(board["business_sub"].id), "choice": "for"},
                     follow_redirects=False).status_code == 303  # fmt: skip

    decided = decide(chair, item, {**APPROVE, "reservations": "Olle Kommun reserverar sig."},
                     follow_redirects=False)  # fmt: skip
    assert decided.status_code == 303
    page = text_of(chair.get(meeting_url))
    assert ("Beslut: Beviljas 40 000 kr (9 ja, 0 nej, 0 avstår) – gäller när protokollet är "
            "justerat.") in page  # fmt: skip
    after = fresh(db, item)
    assert (after.outcome, after.amount_ore, after.votes_for, after.votes_against) == (
        ItemOutcome.APPROVED, 40_000_00, 9, 0,
    )  # fmt: skip
    assert board["business3"].id not in {v["id"] for v in after.participation["voters"]}

    adjusters = {"adjuster_one": str(board["civil2"].id), "adjuster_two": str(board["public2"].id)}
    assert post_form(chair, f"{meeting_url}/close", adjusters,
                     follow_redirects=False).status_code == 303  # fmt: skip
    assert fresh(db, meeting).status is MeetingStatus.CLOSED
    assert fresh(db, case).status is ApplicationStatus.ON_AGENDA  # not before adjustment
    adjusted = post_form(chair, f"{meeting_url}/adjust", {}, follow_redirects=False)
    assert adjusted.status_code == 303
    assert fresh(db, case).status is ApplicationStatus.APPROVED
    assert fresh(db, case).granted_ore == 40_000_00
    assert fresh(db, meeting).status is MeetingStatus.ADJUSTED

    minutes = chair.get(f"{meeting_url}/minutes")
    assert minutes.status_code == 200 and minutes.headers["content-type"].startswith("text/html")
    text = text_of(minutes)
    assert "Protokoll fört vid LAG-styrelsens sammanträde" in text
    assert f"{case.reference} {case.title}" in text and "Beviljas med 40 000 kr." in text
    assert "Bo Ersättare tjänstgjorde som ersättare för Eva Turism." in text
    assert "Justerare Lena Ideell Karin Region" in text
    assert "Olle Kommun reserverar sig." in text
    pdf = member.get(f"{meeting_url}/minutes.pdf")  # members read the minutes too
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    # The adjusted minutes are locked: a correction is added next to them.
    corrections = f"{meeting_url}/corrections"
    refused(post_form(chair, corrections, {"text": " "}), "Skriv rättelsen.")
    assert post_form(chair, corrections, {"text": "Mötet hölls i Forssjö bygdegård."},
                     follow_redirects=False).status_code == 303  # fmt: skip
    page = text_of(member.get(meeting_url))
    assert "Mötet hölls i Forssjö bygdegård." in page and "Rättelse" in page
    assert chair.get(f"{meeting_url}/minutes").text == minutes.text
    refused(
        post_form(chair, f"{meeting_url}/attendance", {"present": present}),
        "Det går inte när mötet har status ”protokollet justerat”.",
    )


def test_jav_declared_at_an_earlier_meeting_still_hides_the_proposal(
    db, settings, member, area, board, meeting
) -> None:
    """A postponed case comes back at the next meeting: the member who declared jäv on it
    still does not see the handler's internal assessment."""
    case = ready(db, area)
    db.add(DecisionProposal(area_id=area.area.id, application_id=case.id,
                            outcome=ProposedOutcome.APPROVE, amount_ore=case.requested_ore,
                            motivation=SECRET, proposed_by_name="Handläggare"))  # fmt: skip
    [first] = on_agenda(db, area, meeting, case)
    service.declare_conflict(db, area.actor, first, board["public1"], "Min bror är kassör.")
    start(db, area, meeting, board, *ALL_ORDINARY)
    everyone_votes(db, area, first, board)
    postponed = service.decide_item(
        db, area.actor, first, {"outcome": "postponed", "motivation": "Offert saknas."}
    )
    assert postponed.ok
    service.close_meeting(db, area.actor, meeting, [board["civil2"].id, board["public2"].id])
    service.adjust_minutes(db, settings, area.actor, meeting)
    assert case.status is ApplicationStatus.READY_FOR_DECISION
    later, _ = service.create_meeting(
        db, area.actor, area.area.id,
        {"held_on": str(local_today() + timedelta(days=30)), "place": "Skolan"},
        today=local_today(),
    )  # fmt: skip
    on_agenda(db, area, later, case)
    page = text_of(member.get(url(later)))
    assert case.title in page
    assert SECRET not in page
