"""LAG meetings through the services: the agenda, attendance, jäv, votes, the refusal of a
decision the rules do not allow, and the adjusted minutes that carry the decisions out."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import Application, ApplicationKind, ApplicationStatus
from app.areas.models import SelectionCriterion
from app.audit.models import AuditEvent
from app.audit.service import Actor
from app.auth.models import Role
from app.board.models import BoardMember
from app.board.service import add_member
from app.casework.service import CaseError
from app.decisions.models import Decision, DecisionBody
from app.email.models import OutboxMessage
from app.ledger.service import application_balance
from app.meetings import service
from app.meetings.models import AgendaItem, ItemOutcome, Meeting, MeetingStatus
from tests.factories import (
    AreaSetup,
    make_application,
    make_area,
    make_board,
    make_small_grant_case,
)

OFFICE = frozenset({"handler"})
TODAY = date(2026, 11, 24)


@pytest.fixture
def board(db: Session, area: AreaSetup):
    return make_board(db, area)


@pytest.fixture
def meeting(db: Session, area: AreaSetup, board) -> Meeting:
    created, result = service.create_meeting(
        db, area.actor, area.area.id,
        {"held_on": "2026-12-03", "starts_at": "18:00", "place": "Bygdegården, Forssjö"},
        today=TODAY,
    )  # fmt: skip
    assert created is not None, result.errors
    return created


def ready(db: Session, area: AreaSetup, requested_kr: int = 40_000, **kwargs) -> Application:
    """A småstöd above the office's 30 000 kr delegation: the LAG decides it."""
    return make_small_grant_case(db, area, requested_kr=requested_kr,
                                 status=ApplicationStatus.READY_FOR_DECISION, **kwargs)  # fmt: skip


def criteria(db: Session, area: AreaSetup) -> list[SelectionCriterion]:
    made = [
        SelectionCriterion(area_id=area.area.id, period_id=area.period.id, position=n,
                           name=name, weight=weight, max_points=10)
        for n, (name, weight) in enumerate((("Förankring", 60), ("Innovation", 40)), 1)
    ]  # fmt: skip
    db.add_all(made)
    db.flush()
    db.refresh(area.period)
    return made


def joint_score(db, area, item, first: int, second: int, basic: str = "yes"):
    one, two = area.period.criteria
    raw = {f"points_{one.id}": str(first), f"justification_{one.id}": "Bred förankring.",
           f"points_{two.id}": str(second), f"justification_{two.id}": "Nytt arbetssätt.",
           **{f"basic_{c.key}": basic for c in area.period.basic_conditions}}  # fmt: skip
    return service.score_item(db, area.actor, item, None, raw)


def attend(db, area, meeting, board, *keys: str) -> None:
    service.record_attendance(db, area.actor, meeting, {board[k].id for k in keys})


ALL_ORDINARY = ("chair", "civil2", "civil3", "public1", "public2", "public3", "business1",
                "business2", "business3")  # fmt: skip


def vote_all(db, area, item, board, choice: str = "for") -> None:
    for seat in service.who_decides(db, item).voters:
        member = next(m for m in board.values() if m.id == seat.member_id)
        service.cast_vote(db, area.actor, item, member, choice)


def approve(db, area, item, amount: str = "40 000", **raw: str):
    return service.decide_item(db, area.actor, item, {
        "outcome": "approved", "amount": amount, "motivation": "Stärker beredskapen.", **raw,
    })  # fmt: skip


def test_a_new_meeting_is_checked(db: Session, area: AreaSetup) -> None:
    meeting, result = service.create_meeting(
        db, area.actor, area.area.id, {"held_on": "2026-11-01", "starts_at": "25:00"},
        today=TODAY,
    )  # fmt: skip
    assert meeting is None
    assert result.errors == {
        "held_on": "Ett nytt möte kan inte ligga bakåt i tiden.",
        "place": "Ange plats eller möteslänk.",
        "starts_at": "Ange tiden som TT:MM, t.ex. 18:00.",
    }


def test_only_cases_ready_for_decision_go_on_the_agenda(db, area, meeting, other_area) -> None:
    case = ready(db, area)
    item = service.add_application(db, area.actor, meeting, case, OFFICE)
    assert case.status is ApplicationStatus.ON_AGENDA and item.position == 1
    with pytest.raises(CaseError, match="står redan på ett möte"):
        service.add_application(db, area.actor, meeting, case, OFFICE)
    early = make_small_grant_case(db, area, title="Tidig")
    with pytest.raises(CaseError, match="är inte klart för beslut"):
        service.add_application(db, area.actor, meeting, early, OFFICE)
    foreign = make_small_grant_case(db, other_area, status=ApplicationStatus.READY_FOR_DECISION)
    with pytest.raises(CaseError, match="annat Leaderområde"):
        service.add_application(db, area.actor, meeting, foreign, OFFICE)
    free = service.add_free_item(db, area.actor, meeting, "Information om budgetläget", "")
    assert free.position == 2


def test_the_meeting_opens_only_with_attendance(db, area, meeting, board) -> None:
    with pytest.raises(CaseError, match="Registrera närvaron"):
        service.open_meeting(db, area.actor, meeting, today=meeting.held_on)
    attend(db, area, meeting, board, *ALL_ORDINARY)
    service.open_meeting(db, area.actor, meeting, today=meeting.held_on)
    assert meeting.status is MeetingStatus.OPEN


def test_a_decision_is_refused_without_quorum(db, area, meeting, board) -> None:
    item = service.add_application(db, area.actor, meeting, ready(db, area), OFFICE)
    attend(db, area, meeting, board, "chair", "public1", "business1", "civil2")
    service.open_meeting(db, area.actor, meeting, today=meeting.held_on)
    with pytest.raises(CaseError) as refused:
        approve(db, area, item)
    assert refused.value.message.startswith(
        "Beslutet kan inte fattas: styrelsen är inte beslutför – 4 av 9 ordinarie platser är "
        "företrädda, minst 5 krävs."
    )
    assert item.decided_at is None


def test_a_decision_is_refused_for_imbalance_and_allowed_once_attendance_is_fixed(
    db, area, meeting, board
) -> None:
    item = service.add_application(db, area.actor, meeting, ready(db, area), OFFICE)
    attend(db, area, meeting, board, "public1", "public2", "public3", "business1", "chair")
    service.open_meeting(db, area.actor, meeting, today=meeting.held_on)
    with pytest.raises(CaseError) as refused:
        approve(db, area, item)
    assert refused.value.message == (
        "Beslutet kan inte fattas: offentlig sektor har 3 av 5 röster (60\u00a0%)."
    )
    attend(db, area, meeting, board, "public1", "public2", "public3", "business1", "chair",
           "civil2", "business2")  # fmt: skip
    vote_all(db, area, item, board)
    assert approve(db, area, item).ok
    assert (item.outcome, item.amount_ore, item.votes_for) == (ItemOutcome.APPROVED,
                                                               40_000_00, 7)  # fmt: skip
    assert len(item.participation["voters"]) == 7


def test_jav_takes_a_member_out_and_a_substitute_in(db, area, meeting, board) -> None:
    item = service.add_application(db, area.actor, meeting, ready(db, area), OFFICE)
    attend(db, area, meeting, board, *ALL_ORDINARY, "civil_sub")
    service.declare_conflict(db, area.actor, item, board["civil2"], "Sitter i föreningens styrelse")
    with pytest.raises(CaseError, match="redan anmält jäv"):
        service.declare_conflict(db, area.actor, item, board["civil2"], "Igen")
    service.open_meeting(db, area.actor, meeting, today=meeting.held_on)
    who = service.who_decides(db, item)
    voter_ids = {seat.member_id for seat in who.voters}
    assert board["civil2"].id not in voter_ids and board["civil_sub"].id in voter_ids
    assert who.stand_ins == {board["civil_sub"].id: board["civil2"].id}
    with pytest.raises(CaseError, match="Lena Ideell deltar inte i beslutet"):
        service.cast_vote(db, area.actor, item, board["civil2"], "for")
    assert service.has_conflict(db, item.application_id, board["civil2"])
    assert not service.has_conflict(db, item.application_id, board["civil3"])


def test_the_votes_must_be_in_and_carry_the_decision(db, area, meeting, board) -> None:
    item = service.add_application(db, area.actor, meeting, ready(db, area), OFFICE)
    attend(db, area, meeting, board, *ALL_ORDINARY)
    service.open_meeting(db, area.actor, meeting, today=meeting.held_on)
    service.cast_vote(db, area.actor, item, board["chair"], "for")
    result = approve(db, area, item)
    assert result.errors["votes"].startswith("Alla som deltar har inte röstat: ")
    vote_all(db, area, item, board, "against")
    service.cast_vote(db, area.actor, item, board["chair"], "for")
    assert approve(db, area, item).errors["votes"] == "Förslaget har inte majoritet: 1 ja, 8 nej."
    rejected = service.decide_item(db, area.actor, item, {
        "outcome": "rejected", "motivation": "Inte i linje med strategin.",
    })  # fmt: skip
    assert rejected.errors["votes"] == "Förslaget har inte majoritet: 1 ja, 8 nej."


def test_amounts_and_room_in_the_pot(db, area, meeting, board) -> None:
    area.umbrella.pot_ore = 60_000_00
    first = service.add_application(db, area.actor, meeting, ready(db, area), OFFICE)
    second = service.add_application(db, area.actor, meeting, ready(db, area, title="Två"),
                                     OFFICE)  # fmt: skip
    attend(db, area, meeting, board, *ALL_ORDINARY)
    service.open_meeting(db, area.actor, meeting, today=meeting.held_on)
    vote_all(db, area, first, board)
    assert (
        approve(db, area, first, amount="39 000")
        .errors["amount"]
        .startswith("Beviljas ger det sökta beloppet")
    )
    assert approve(db, area, first).ok
    vote_all(db, area, second, board)
    refused = approve(db, area, second)
    assert refused.errors["amount"] == (
        "Beloppet 40\u00a0000\u00a0kr ryms inte: potten Beredskap har 20\u00a0000\u00a0kr kvar "
        "efter LAG:s beslut som ännu inte är justerade."
    )
    assert service.decide_item(db, area.actor, second, {
        "outcome": "partly_approved", "amount": "20 000", "motivation": "Det som ryms.",
    }).ok  # fmt: skip


def test_closing_needs_every_case_decided_and_two_adjusters(db, area, meeting, board) -> None:
    item = service.add_application(db, area.actor, meeting, ready(db, area), OFFICE)
    attend(db, area, meeting, board, *ALL_ORDINARY)
    service.open_meeting(db, area.actor, meeting, today=meeting.held_on)
    with pytest.raises(CaseError, match="Besluta om alla ärenden först"):
        service.close_meeting(db, area.actor, meeting, [board["civil2"].id, board["public2"].id])
    vote_all(db, area, item, board)
    approve(db, area, item)
    with pytest.raises(CaseError, match="två olika justerare"):
        service.close_meeting(db, area.actor, meeting, [board["civil2"].id, board["civil2"].id])
    with pytest.raises(CaseError, match="två olika justerare"):  # the substitute is not here
        service.close_meeting(db, area.actor, meeting, [board["civil2"].id,
                                                        board["civil_sub"].id])  # fmt: skip
    service.close_meeting(db, area.actor, meeting, [board["civil2"].id, board["public2"].id])
    assert meeting.status is MeetingStatus.CLOSED


def test_adjusting_the_minutes_carries_the_decisions_out(
    db, settings, area, meeting, board
) -> None:
    small = ready(db, area)
    project = make_application(
        db, area, kind=ApplicationKind.LEADER_PROJECT, requested_kr=900_000,
        status=ApplicationStatus.READY_FOR_DECISION,
    )  # fmt: skip
    project.reference = "PRJ-2026-0042"
    project.contact_email, project.contact_name = "projekt@example.se", "Kim Projekt"
    later = ready(db, area, title="Väntar")
    items = [service.add_application(db, area.actor, meeting, a, OFFICE)
             for a in (small, project, later)]  # fmt: skip
    criteria(db, area)
    assert joint_score(db, area, items[1], 8, 6).ok  # 8×60 + 6×40 = 720 ≥ 650
    attend(db, area, meeting, board, *ALL_ORDINARY)
    service.open_meeting(db, area.actor, meeting, today=meeting.held_on)
    for item in items:
        vote_all(db, area, item, board)
    assert approve(db, area, items[0]).ok
    assert service.decide_item(db, area.actor, items[1], {
        "outcome": "prioritised", "amount": "850 000", "motivation": "Når 720 poäng.",
    }).ok  # fmt: skip
    assert service.decide_item(db, area.actor, items[2], {
        "outcome": "postponed", "motivation": "Offert saknas.",
    }).ok  # fmt: skip
    # Nothing takes effect before the minutes are adjusted.
    assert small.status is ApplicationStatus.ON_AGENDA
    assert application_balance(db, small).committed_ore == 0
    service.close_meeting(db, area.actor, meeting, [board["civil2"].id, board["public2"].id])

    done = service.adjust_minutes(db, settings, area.actor, meeting)
    assert (done.reserved_ore, done.committed_ore) == (850_000_00, 40_000_00)
    assert small.status is ApplicationStatus.APPROVED
    assert application_balance(db, small).committed_ore == 40_000_00
    assert project.status is ApplicationStatus.PRIORITISED
    assert application_balance(db, project).reserved_ore == 850_000_00
    assert later.status is ApplicationStatus.READY_FOR_DECISION
    told = {m.application_id: m.kind for m in db.scalars(select(OutboxMessage))}
    assert told == {small.id: "decision", project.id: "board_outcome", later.id: "board_outcome"}
    decision = db.scalar(select(Decision).where(Decision.application_id == small.id))
    assert decision.body is DecisionBody.LAG and decision.letter_attachment_id is not None
    assert meeting.status is MeetingStatus.ADJUSTED
    assert meeting.minutes_pdf.startswith(b"%PDF") and "§ 1" in meeting.minutes_html
    assert "720,0 poäng av gränsen 650; alla grundkrav uppfyllda." in meeting.minutes_html
    with pytest.raises(CaseError, match="status ”protokollet justerat”"):
        service.add_free_item(db, area.actor, meeting, "För sent", "")
    service.add_correction(db, area.actor, meeting, "Rätt stavning: Forssjö.")
    assert [c.text for c in service.corrections(db, meeting)] == ["Rätt stavning: Forssjö."]


def test_a_project_is_prioritised_only_past_the_basic_conditions_and_the_threshold(
    db, area, meeting, board
) -> None:
    criteria(db, area)
    project = make_application(db, area, kind=ApplicationKind.LEADER_PROJECT,
                               status=ApplicationStatus.READY_FOR_DECISION)  # fmt: skip
    project.reference = "PRJ-2026-0050"
    item = service.add_application(db, area.actor, meeting, project, OFFICE)
    attend(db, area, meeting, board, *ALL_ORDINARY)
    service.open_meeting(db, area.actor, meeting, today=meeting.held_on)
    vote_all(db, area, item, board)
    prioritise = {"outcome": "prioritised", "amount": "100 000", "motivation": "Bra."}
    assert joint_score(db, area, item, 8, 6, basic="no").ok
    assert (
        "alla grundkrav" in service.decide_item(db, area.actor, item, prioritise).errors["outcome"]
    )
    assert joint_score(db, area, item, 6, 6).ok  # 600 < 650
    refused = service.decide_item(db, area.actor, item, prioritise)
    assert refused.errors["outcome"].endswith("poängen når gränsen 650 (nu 600,0).")
    assert joint_score(db, area, item, 7, 6).ok  # 660
    assert service.decide_item(db, area.actor, item, prioritise).ok


def test_members_score_unless_they_have_jav_and_the_board_ranks_competitors(
    db, area, meeting, board
) -> None:
    one, two = criteria(db, area)
    first = service.add_application(db, area.actor, meeting, ready(db, area), OFFICE)
    second = service.add_application(db, area.actor, meeting, ready(db, area, title="Två"),
                                     OFFICE)  # fmt: skip
    service.declare_conflict(db, area.actor, first, board["civil3"], "Jävig")
    attend(db, area, meeting, board, *ALL_ORDINARY[:-1])  # Eva Turism is away
    with pytest.raises(CaseError, match="Eva Turism deltar inte i ärendet"):
        service.score_item(db, area.actor, first, board["business3"], {})
    with pytest.raises(CaseError, match="har anmält jäv och får inte poängsätta"):
        service.score_item(db, area.actor, first, board["civil3"], {})
    for member, points in ((board["chair"], "9"), (board["public1"], "6")):
        assert service.score_item(db, area.actor, first, member, {
            f"points_{one.id}": points, f"justification_{one.id}": "Motiverat.",
            f"points_{two.id}": "5", f"justification_{two.id}": "Motiverat.",
        }).ok  # fmt: skip
    refused = service.score_item(db, area.actor, first, board["chair"],
                                 {f"points_{one.id}": "11"})  # fmt: skip
    assert refused.errors == {f"points_{one.id}": "Ange ett heltal från 0 till 10."}
    scoring = service.board_scoring(db, first)
    assert scoring.total == Decimal("7.5") * 60 + 5 * 40  # the members' mean: 650
    assert joint_score(db, area, second, 9, 9).ok  # 900
    assert service.ranking(db, meeting) == {second.id: 1, first.id: 2}


def test_jav_follows_the_case_to_a_later_meeting_and_keeps_the_chair_out(
    db, settings, area, meeting, board
) -> None:
    case = ready(db, area)
    first = service.add_application(db, area.actor, meeting, case, OFFICE)
    service.declare_conflict(db, area.actor, first, board["chair"], "Ordförande i föreningen")
    attend(db, area, meeting, board, *ALL_ORDINARY)
    service.open_meeting(db, area.actor, meeting, today=meeting.held_on)
    chair = Actor("Maria Ordförande", user_id=area.users[Role.LAG_CHAIR].id, area_id=area.area.id)
    with pytest.raises(CaseError, match="Du har anmält jäv i punkten och kan inte leda den"):
        service.decide_item(db, chair, first, {"outcome": "postponed", "motivation": "x"})
    vote_all(db, area, first, board)
    assert service.decide_item(db, area.actor, first, {  # the secretary records it
        "outcome": "postponed", "motivation": "Offert saknas.",
    }).ok  # fmt: skip
    service.close_meeting(db, area.actor, meeting, [board["civil2"].id, board["public2"].id])
    service.adjust_minutes(db, settings, area.actor, meeting)
    later, _ = service.create_meeting(db, area.actor, area.area.id,
                                      {"held_on": "2027-01-14", "place": "Kommunhuset"},
                                      today=TODAY)  # fmt: skip
    again = service.add_application(db, area.actor, later, case, OFFICE)
    assert [c.member_id for c in service.conflicts(db, again)] == [board["chair"].id]


def make_area_for_votes(db: Session) -> tuple[int, int, list[int]]:
    """An open meeting of the full board with one case on the agenda, committed."""
    setup = make_area(db, "rostning")
    board = make_board(db, setup)
    meeting, _ = service.create_meeting(db, setup.actor, setup.area.id,
                                        {"held_on": "2026-12-03", "place": "Bygdegården"},
                                        today=TODAY)  # fmt: skip
    item = service.add_application(db, setup.actor, meeting, ready(db, setup), OFFICE)
    attend(db, setup, meeting, board, *ALL_ORDINARY)
    service.open_meeting(db, setup.actor, meeting, today=meeting.held_on)
    return meeting.id, item.id, [board[key].id for key in ALL_ORDINARY]


def test_members_voting_at_the_same_moment_are_all_counted(committed_factory) -> None:
    """Nine devices vote at once; every vote counts (writes wait for each other per meeting)."""
    with committed_factory() as db:
        setup = make_area_for_votes(db)
        db.commit()
        meeting_id, item_id, members = setup
    barrier = threading.Barrier(len(members), timeout=60)
    errors: list[str] = []

    def vote(member_id: int) -> None:
        with committed_factory() as db:
            meeting = service.get_meeting(db, db.get(BoardMember, member_id).area_id, meeting_id)
            db.commit()
            barrier.wait()
            try:
                meeting = service.get_meeting(db, meeting.area_id, meeting_id, for_change=True)
                item = next(i for i in meeting.items if i.id == item_id)
                service.cast_vote(db, Actor("Ledamot"), item, db.get(BoardMember, member_id),
                                  "for")  # fmt: skip
                db.commit()
            except Exception as exc:
                db.rollback()
                errors.append(repr(exc))

    threads = [threading.Thread(target=vote, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with committed_factory() as db:
        item = db.get(AgendaItem, item_id)
        counted = service.tally(db, item, service.who_decides(db, item))
        assert (counted.votes_for, counted.missing) == (9, [])


def test_the_review_holes_are_closed(db, settings, area, meeting, board, other_area) -> None:
    """Findings of the independent review, one by one."""
    # A meeting opens on its day, not before.
    attend(db, area, meeting, board, *ALL_ORDINARY)
    with pytest.raises(CaseError, match="tidigast på mötesdagen, 2026-12-03"):
        service.open_meeting(db, area.actor, meeting, today=date(2026, 12, 2))
    first = service.add_application(db, area.actor, meeting, ready(db, area), OFFICE)
    withdrawn = service.add_application(db, area.actor, meeting, ready(db, area, title="Åter"),
                                        OFFICE)  # fmt: skip
    blocked = service.add_application(db, area.actor, meeting, ready(db, area, title="Jäv"),
                                      OFFICE)  # fmt: skip
    service.open_meeting(db, area.actor, meeting, today=meeting.held_on)

    # A member's scores stop counting once they declare jäv.
    one, two = criteria(db, area)
    assert service.score_item(db, area.actor, first, board["public1"], {
        f"points_{one.id}": "10", f"justification_{one.id}": "x",
        f"points_{two.id}": "10", f"justification_{two.id}": "x",
    }).ok  # fmt: skip
    assert service.board_scoring(db, first).complete
    service.declare_conflict(db, area.actor, first, board["public1"], "Jävig")
    assert not service.board_scoring(db, first).complete

    # Votes are logged with who registered them; a member's own vote is theirs alone.
    per = Actor("Per Kommun", user_id=area.users[Role.LAG_MEMBER].id, area_id=area.area.id)
    service.cast_vote(db, per, withdrawn, board["public1"], "against")
    with pytest.raises(CaseError, match="Per Kommun har röstat själv"):
        service.cast_vote(db, area.actor, withdrawn, board["public1"], "for")
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "vote")).summary == (
        "Punkt 2: Per Kommun röstade nej"
    )

    # At a tie the chair's vote decides.
    for key in ("chair", "civil2", "civil3", "business1"):
        service.cast_vote(db, area.actor, first, board[key], "for")
    for key in ("public2", "public3", "business2", "business3"):
        service.cast_vote(db, area.actor, first, board[key], "against")
    who = service.who_decides(db, first)
    assert service.carried(db, first, who, service.tally(db, first, who))  # 4–4, chair yes
    assert approve(db, area, first).ok

    # A case withdrawn after the decision lapses at adjustment instead of failing it.
    for key in ALL_ORDINARY:
        if key != "public1":
            service.cast_vote(db, area.actor, withdrawn, board[key], "for")
    assert approve(db, area, withdrawn).ok
    case = withdrawn.application
    case.status = ApplicationStatus.WITHDRAWN

    # An item the board cannot be quorate for is lifted from the agenda.
    for key in ("chair", "civil2", "civil3", "public2", "public3"):
        service.declare_conflict(db, area.actor, blocked, board[key], "Jävig")
    assert service.who_decides(db, blocked).problems
    service.remove_item(db, area.actor, blocked, "Styrelsen kan inte bli beslutför i ärendet")
    assert blocked.application.status is ApplicationStatus.READY_FOR_DECISION

    service.close_meeting(db, area.actor, meeting, [board["civil2"].id, board["public2"].id])
    # A decision can be taken back before adjustment; the meeting reopens for it.
    service.undo_decision(db, area.actor, first, "Fel belopp")
    assert meeting.status is MeetingStatus.OPEN and first.decided_at is None
    assert approve(db, area, first).ok  # the votes still stand
    service.close_meeting(db, area.actor, meeting, [board["civil2"].id, board["public2"].id])
    done = service.adjust_minutes(db, settings, area.actor, meeting)
    assert done.committed_ore == 40_000_00
    assert case.status is ApplicationStatus.WITHDRAWN and withdrawn.effected_at is not None
    # The board's decision is signed by its chair.
    letter = db.scalar(select(Decision).where(Decision.application_id == first.application_id))
    assert letter.decided_by_name == "Maria Ordförande"


def test_room_counts_decisions_of_other_meetings_not_yet_adjusted(db, area, meeting, board) -> None:
    area.umbrella.pot_ore = 60_000_00
    attend(db, area, meeting, board, *ALL_ORDINARY)
    item = service.add_application(db, area.actor, meeting, ready(db, area), OFFICE)
    service.open_meeting(db, area.actor, meeting, today=meeting.held_on)
    vote_all(db, area, item, board)
    assert approve(db, area, item).ok
    extra = {"held_on": "2026-12-03", "place": "Extra"}
    other, _ = service.create_meeting(db, area.actor, area.area.id, extra, today=TODAY)
    attend(db, area, other, board, *ALL_ORDINARY)
    second = service.add_application(db, area.actor, other, ready(db, area, title="Två"), OFFICE)
    service.open_meeting(db, area.actor, other, today=other.held_on)
    vote_all(db, area, second, board)
    assert (
        "20\u00a0000\u00a0kr kvar efter LAG:s beslut" in approve(db, area, second).errors["amount"]
    )


def test_one_login_holds_one_seat_at_a_time(db, area, board) -> None:
    member, result = add_member(db, area.actor, area.area.id, {
        "full_name": "Per Kommun igen", "sector": "public", "role": "substitute",
        "term_start": "2026-01-01", "user": str(area.users[Role.LAG_MEMBER].id),
    })  # fmt: skip
    assert member is None
    assert result.errors["user"] == "Inloggningen hör redan till Per Kommuns plats under mandatet."
