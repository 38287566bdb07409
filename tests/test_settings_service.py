"""The area's settings through the service: each change validated and audited old → new, and
refused with the reason when money or decisions already depend on the figure."""

import threading
from datetime import date

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.applicants import messages
from app.applications.models import Application, ApplicationKind, ApplicationStatus
from app.areas.models import ActionArea, Area, BasicCondition, ProgrammePeriod, SelectionCriterion
from app.audit.models import AuditEvent
from app.board.rules import DecisionRules
from app.board.service import composition
from app.casework import checklists
from app.casework.models import ScoreProposal
from app.ledger.models import LedgerEntry, LedgerKind
from app.ledger.service import BudgetError, action_area_balance, period_balance, record_entry
from app.meetings import minutes
from app.meetings import service as meetings
from app.meetings.models import Meeting, MeetingStatus
from app.settings import service
from tests.factories import (
    KR,
    AreaSetup,
    make_application,
    make_area,
    make_board,
    make_small_grant_case,
)


def area_form(**changes: str) -> dict[str, str]:
    return {
        "decision_within_days": "30",
        "retention_months": "120",
        "quorum_percent": "50",
        "balance_limit_percent": "49",
        "reason": "",
        **changes,
    }


def period_form(period: ProgrammePeriod, **changes: str) -> dict[str, str]:
    return {**service.period_values(period), "reason": "", **changes}


def last_event(db: Session, entity_type: str) -> AuditEvent:
    return db.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == entity_type)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).one()


def events(db: Session) -> int:
    return len(db.scalars(select(AuditEvent.id)).all())


def criterion(db: Session, area: AreaSetup, name: str = "Förankring", weight: int = 60):
    made, result = service.save_criterion(
        db,
        area.actor,
        area.period,
        {"name": name, "description": "", "weight": str(weight), "max_points": "10"},
    )
    assert made is not None, result.errors
    return made


def score(db: Session, area: AreaSetup, scored: SelectionCriterion, **kwargs) -> Application:
    """A Leader project in the area's action area with the handler's points on ``scored``."""
    project = make_application(db, area, **kwargs)
    db.add(
        ScoreProposal(
            area_id=area.area.id,
            application_id=project.id,
            criterion_id=scored.id,
            points=7,
            justification="Bra.",
        )
    )
    db.flush()
    return project


def in_progress(db: Session, area: AreaSetup) -> Meeting:
    meeting = Meeting(
        area_id=area.area.id,
        held_on=date(2026, 12, 10),
        place="Bygdegården",
        status=MeetingStatus.OPEN,
    )
    db.add(meeting)
    db.flush()
    return meeting


# --- The area's rules ---


def test_the_areas_rules_change_with_an_audit_event_old_to_new(db, area: AreaSetup) -> None:
    result = service.save_area(
        db,
        area.actor,
        area.area,
        area_form(decision_within_days="14", quorum_percent="60", reason="Nya stadgar 2026"),
    )
    assert result.ok
    assert (area.area.decision_within_days, area.area.quorum_percent) == (14, 60)
    event = last_event(db, "area")
    assert event.changes == {"decision_within_days": [30, 14], "quorum_percent": [50, 60]}
    assert event.reason == "Nya stadgar 2026" and event.actor_label == "Test"

    before = events(db)
    assert service.save_area(db, area.actor, area.area, service.area_values(area.area)).ok
    assert events(db) == before  # nothing changed, nothing recorded


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("decision_within_days", "0", "Ange ett heltal från 1 till 365."),
        ("decision_within_days", "366", "Ange ett heltal från 1 till 365."),
        ("decision_within_days", "tio", "Ange ett heltal från 1 till 365."),
        ("retention_months", "0", "Ange ett heltal från 1 till 240."),
        ("retention_months", "241", "Ange ett heltal från 1 till 240."),
        ("quorum_percent", "49", "Ange ett heltal från 50 till 99."),  # must stay "more than half"
        ("quorum_percent", "100", "Ange ett heltal från 50 till 99."),
        ("balance_limit_percent", "33", "Ange ett heltal från 34 till 50."),
        ("balance_limit_percent", "51", "Ange ett heltal från 34 till 50."),
    ],
)
def test_the_areas_rules_stay_in_their_ranges(db, area: AreaSetup, field, value, message) -> None:
    result = service.save_area(db, area.actor, area.area, area_form(**{field: value}))
    assert result.errors == {field: message}
    assert result.raw[field] == value  # what was typed is kept for the form
    assert getattr(area.area, field) == int(area_form()[field])


def test_the_database_refuses_a_balance_limit_that_lets_one_group_rule(db, area) -> None:
    with pytest.raises(IntegrityError), db.begin_nested():
        db.execute(update(Area).where(Area.id == area.area.id).values(balance_limit_percent=51))


def test_the_board_rules_stay_while_a_meeting_waits_for_its_minutes(db, area) -> None:
    meeting = in_progress(db, area)
    result = service.save_area(
        db,
        area.actor,
        area.area,
        area_form(quorum_percent="60", balance_limit_percent="40", decision_within_days="14"),
    )
    refusal = (
        "Beslutsreglerna kan inte ändras medan LAG-mötet 10 december 2026 pågår eller väntar på "
        "justering."
    )
    assert result.errors == {"quorum_percent": refusal, "balance_limit_percent": refusal}
    assert area.area.decision_within_days == 30  # nothing of the form is applied

    assert service.save_area(db, area.actor, area.area, area_form(decision_within_days="14")).ok
    meeting.status = MeetingStatus.ADJUSTED
    assert service.save_area(db, area.actor, area.area, area_form(quorum_percent="60")).ok


def test_the_board_decides_by_the_areas_quorum_and_balance(db, area: AreaSetup) -> None:
    board = make_board(db, area)  # nine ordinary seats, three per sector
    meeting, _result = meetings.create_meeting(
        db,
        area.actor,
        area.area.id,
        {"held_on": "2026-12-03", "place": "Bygdegården"},
        today=date(2026, 11, 24),
    )
    item = meetings.add_free_item(db, area.actor, meeting, "Budgetläget", "")
    present = ("chair", "civil2", "public1", "public2", "business1")
    meetings.record_attendance(db, area.actor, meeting, {board[k].id for k in present})
    assert meetings.who_decides(db, item).quorum_needed == 5  # more than half of nine
    assert meetings.who_decides(db, item).quorate

    area.area.quorum_percent = 60  # more than 60 % of nine: six
    who = meetings.who_decides(db, item)
    assert (who.quorum_needed, who.quorate) == (6, False)
    assert who.rules == DecisionRules(quorum_percent=60, balance_limit_percent=49)

    area.area.balance_limit_percent = 40  # two of five votes is 40 %: not more
    assert meetings.who_decides(db, item).dominant == ()
    area.area.balance_limit_percent = 34
    dominant = meetings.who_decides(db, item).dominant
    assert sorted(sector.value for sector in dominant) == ["civil_society", "public"]
    assert composition(db, area.area.id, date(2026, 12, 3)).rules == DecisionRules(60, 34)


def test_a_decision_keeps_the_limit_it_was_taken_under_for_the_minutes(db, area) -> None:
    board = make_board(db, area)
    meeting, _result = meetings.create_meeting(
        db,
        area.actor,
        area.area.id,
        {"held_on": "2026-12-03", "place": "Bygdegården"},
        today=date(2026, 11, 24),
    )
    case = make_small_grant_case(
        db, area, requested_kr=40_000, status=ApplicationStatus.READY_FOR_DECISION
    )
    item = meetings.add_application(db, area.actor, meeting, case, frozenset({"handler"}))
    ordinary = [m for m in board.values() if m.role.is_ordinary]
    meetings.record_attendance(db, area.actor, meeting, {m.id for m in ordinary})
    meetings.open_meeting(db, area.actor, meeting, today=meeting.held_on)
    area.area.balance_limit_percent = 40
    for member in ordinary:
        meetings.cast_vote(db, area.actor, item, member, "for")
    decided = meetings.decide_item(
        db, area.actor, item, {"outcome": "approved", "amount": "40 000", "motivation": "Bra."}
    )
    assert decided.ok, decided.errors
    assert item.participation["balance_limit_percent"] == 40
    lines = minutes._participation_lines(item, {m.id: m.full_name for m in board.values()})
    assert lines[-1] == "Ingen intressegrupp hade mer än 40\u00a0% av rösterna."


def test_the_rules_count_exactly() -> None:
    assert DecisionRules(quorum_percent=50).quorum_needed(10) == 6
    assert DecisionRules(quorum_percent=66).quorum_needed(9) == 6  # about two thirds
    assert DecisionRules(balance_limit_percent=49).dominates(25, 51)  # 49.02 %
    assert not DecisionRules(balance_limit_percent=40).dominates(2, 5)


def test_the_applicant_is_told_the_areas_decision_time(db, area: AreaSetup) -> None:
    area.area.decision_within_days = 21
    case = make_small_grant_case(db, area)
    case.reference, case.contact_name = "SMÅ-2026-0001", "Eva Ek"
    _subject, body = messages.receipt(case, "https://bygdestod.example/a/abc")
    assert "Ni får besked om beslutet inom 21 dagar." in body


# --- The programme period ---


def test_the_periods_figures_change_with_an_audit_event(db, area: AreaSetup) -> None:
    result = service.save_period(
        db,
        area.actor,
        area.period,
        period_form(
            area.period,
            uptake_target_percent="80",
            volunteer_rate_adult_kr="350",
            advance_cap_kr="200 000",
            reason="Nya riktlinjer",
        ),
    )
    assert result.ok, result.errors
    assert area.period.volunteer_rate_adult_ore == 350 * KR
    assert last_event(db, "programme_period").changes == {
        "uptake_target_percent": [75, 80],
        "volunteer_rate_adult_ore": [340 * KR, 350 * KR],
        "advance_cap_ore": [250_000 * KR, 200_000 * KR],
    }


def test_the_periods_figures_are_checked(db, area: AreaSetup) -> None:
    result = service.save_period(
        db,
        area.actor,
        area.period,
        period_form(
            area.period,
            uptake_target_date="2028-01-31",
            volunteer_rate_youth_kr="0",
            advance_cap_percent="101",
            uptake_target_percent="0",
        ),
    )
    assert result.errors == {
        "uptake_target_date": "Datumet måste ligga inom programperioden (2023-01-01–2027-12-31).",
        "volunteer_rate_youth_kr": "Beloppet måste vara större än 0 kr.",
        "advance_cap_percent": "Ange ett heltal från 0 till 100.",
        "uptake_target_percent": "Ange ett heltal från 1 till 100.",
    }


def test_the_threshold_stays_once_applications_are_scored_against_it(db, area) -> None:
    score(db, area, criterion(db, area))
    result = service.save_period(
        db, area.actor, area.period, period_form(area.period, pass_threshold_points="600")
    )
    assert result.errors == {
        "pass_threshold_points": "Poänggränsen kan inte ändras: ansökningar i Bo & Leva har redan "
        "poängsatts mot den."
    }
    # An action area with a threshold of its own does not use the period's.
    area.action_area.pass_threshold_points = 650
    assert service.save_period(
        db, area.actor, area.period, period_form(area.period, pass_threshold_points="600")
    ).ok


def test_the_allocation_changes_by_new_ledger_entries(db, area: AreaSetup) -> None:
    raised = service.change_allocation(
        db, area.actor, area.period, {"allocation_kr": "12 000 000", "reason": "Tillskott"}
    )
    assert raised.ok
    lowered = service.change_allocation(
        db, area.actor, area.period, {"allocation_kr": "11000000", "reason": "Återförda"}
    )
    assert lowered.ok
    entries = db.scalars(
        select(LedgerEntry).where(LedgerEntry.period_id == area.period.id).order_by(LedgerEntry.id)
    ).all()
    assert [(e.kind, e.amount_ore, e.reason) for e in entries] == [
        (LedgerKind.ALLOCATION, 10_000_000 * KR, "Tilldelning"),
        (LedgerKind.ALLOCATION, 2_000_000 * KR, "Tillskott"),
        (LedgerKind.ADJUSTMENT, 1_000_000 * KR, "Återförda"),
    ]
    assert period_balance(db, area.period).limit_ore == 11_000_000 * KR
    event = last_event(db, "programme_period")
    assert event.changes == {"allocation_ore": [12_000_000 * KR, 11_000_000 * KR]}
    assert event.reason == "Återförda"


def test_the_allocation_never_drops_below_what_is_used(db, area: AreaSetup) -> None:
    project = make_application(db, area, requested_kr=3_000_000)
    record_entry(
        db,
        area.actor,
        period=area.period,
        kind=LedgerKind.RESERVATION,
        amount_ore=3_000_000 * KR,
        reason="LAG",
        application=project,
    )
    result = service.change_allocation(
        db, area.actor, area.period, {"allocation_kr": "2 999 999", "reason": "Minskning"}
    )
    assert result.errors == {
        "allocation_kr": "Tilldelningen kan inte bli lägre än det som redan är reserverat och "
        "beviljat (3\xa0000\xa0000\xa0kr)."
    }
    same = service.change_allocation(
        db, area.actor, area.period, {"allocation_kr": "10000000", "reason": "Samma"}
    )
    assert same.errors == {"allocation_kr": "Tilldelningen är redan 10\xa0000\xa0000\xa0kr."}
    unexplained = service.change_allocation(
        db, area.actor, area.period, {"allocation_kr": "9000000", "reason": " "}
    )
    assert unexplained.errors == {"reason": "Ange ett skäl."}
    assert service.change_allocation(
        db, area.actor, area.period, {"allocation_kr": "3000000", "reason": "Minskning"}
    ).ok


# --- Action areas ---


def frame_form(action_area: ActionArea, **changes: str) -> dict[str, str]:
    return {**service.action_area_values(action_area), "reason": "", **changes}


def test_a_frame_never_drops_below_what_is_reserved_and_committed(db, area) -> None:
    project = make_application(db, area, requested_kr=1_500_000)
    record_entry(
        db,
        area.actor,
        period=area.period,
        kind=LedgerKind.COMMITMENT,
        amount_ore=1_500_000 * KR,
        reason="Beslut",
        application=project,
    )
    _same, result = service.save_action_area(
        db,
        area.actor,
        area.period,
        frame_form(area.action_area, budget_frame_kr="1499999"),
        area.action_area,
    )
    assert result.errors == {
        "budget_frame_kr": "Ramen kan inte bli lägre än det som redan är reserverat och beviljat i "
        "insatsområdet (1\xa0500\xa0000\xa0kr)."
    }
    assert area.action_area.budget_frame_ore == 4_000_000 * KR
    _same, result = service.save_action_area(
        db,
        area.actor,
        area.period,
        frame_form(area.action_area, budget_frame_kr="1500000", reason="Omfördelning"),
        area.action_area,
    )
    assert result.ok
    event = last_event(db, "action_area")
    assert event.changes == {"budget_frame_ore": [4_000_000 * KR, 1_500_000 * KR]}
    assert event.reason == "Omfördelning"


def test_a_new_action_area_needs_its_own_code(db, area: AreaSetup) -> None:
    raw = {
        "code": "1",
        "name": "Innovation",
        "budget_frame_kr": "1000000",
        "pass_threshold_points": "",
    }
    added, result = service.save_action_area(db, area.actor, area.period, raw)
    assert added is None
    assert result.errors == {"code": "Det finns redan ett insatsområde med den koden."}
    added, result = service.save_action_area(db, area.actor, area.period, {**raw, "code": "2a"})
    assert added is not None and added.pass_threshold_points is None
    assert [a.code for a in area.period.action_areas] == ["1", "2a"]
    assert last_event(db, "action_area").action == "created"


def test_an_action_areas_threshold_stays_once_its_applications_are_scored(db, area) -> None:
    score(db, area, criterion(db, area))
    _same, result = service.save_action_area(
        db,
        area.actor,
        area.period,
        frame_form(area.action_area, pass_threshold_points="700"),
        area.action_area,
    )
    assert result.errors == {
        "pass_threshold_points": "Poänggränsen kan inte ändras: ansökningar i insatsområdet har "
        "redan poängsatts."
    }
    # The same threshold written out is no change.
    _same, result = service.save_action_area(
        db,
        area.actor,
        area.period,
        frame_form(area.action_area, pass_threshold_points="650", name="Bo och leva"),
        area.action_area,
    )
    assert result.ok and area.action_area.name == "Bo och leva"


def test_only_an_unused_action_area_can_be_removed(db, area: AreaSetup) -> None:
    with pytest.raises(service.SettingsRefused, match="Bo & Leva kan inte tas bort"):
        service.remove_action_area(db, area.actor, area.action_area)
    spare, _result = service.save_action_area(
        db,
        area.actor,
        area.period,
        {"code": "9", "name": "Felinlagt", "budget_frame_kr": "0", "pass_threshold_points": ""},
    )
    service.remove_action_area(db, area.actor, spare, "Lades in av misstag")
    assert [a.code for a in area.period.action_areas] == ["1"]
    event = last_event(db, "action_area")
    assert (event.action, event.reason) == ("removed", "Lades in av misstag")


def test_a_frame_lowered_while_a_decision_is_taken_never_over_commits(committed_factory) -> None:
    """The settings change and the decision take the same lock, so whichever comes second sees
    what the first did: never both."""
    with committed_factory() as db:
        setup = make_area(db, "samtidig", frame_kr=4_000_000)
        project_id = make_application(db, setup, requested_kr=3_000_000).id
        db.commit()
    barrier = threading.Barrier(2, timeout=30)
    outcomes: dict[str, str] = {}

    def decide() -> None:
        with committed_factory() as db:
            project = db.get(Application, project_id)
            period = db.get(ProgrammePeriod, setup.period.id)
            assert project.action_area.budget_frame_ore  # loaded before the other one acts
            db.commit()
            barrier.wait()
            try:
                record_entry(
                    db,
                    setup.actor,
                    period=period,
                    kind=LedgerKind.COMMITMENT,
                    amount_ore=3_000_000 * KR,
                    reason="Beslut",
                    application=project,
                )
                db.commit()
                outcomes["decision"] = "ok"
            except BudgetError:
                db.rollback()
                outcomes["decision"] = "refused"

    def lower() -> None:
        with committed_factory() as db:
            action_area = db.get(ActionArea, setup.action_area.id)
            raw = frame_form(action_area, budget_frame_kr="2000000")
            db.commit()
            barrier.wait()
            _same, result = service.save_action_area(
                db, setup.actor, action_area.period, raw, action_area
            )
            if result.ok:
                db.commit()
            else:
                db.rollback()
            outcomes["frame"] = "ok" if result.ok else "refused"

    threads = [threading.Thread(target=decide), threading.Thread(target=lower)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["ok", "refused"], outcomes
    with committed_factory() as db:
        balance = action_area_balance(db, db.get(ActionArea, setup.action_area.id))
    assert balance.committed_ore <= balance.limit_ore


# --- Selection criteria ---


def criterion_form(made: SelectionCriterion, **changes: str) -> dict[str, str]:
    return {**service.criterion_values(made), "reason": "", **changes}


def test_criteria_are_added_changed_and_removed_before_scoring(db, area: AreaSetup) -> None:
    first, second = criterion(db, area), criterion(db, area, "Innovation", 40)
    assert [(c.position, c.name) for c in area.period.criteria] == [
        (1, "Förankring"),
        (2, "Innovation"),
    ]
    _duplicate, result = service.save_criterion(
        db, area.actor, area.period, criterion_form(second, name="Förankring"), second
    )
    assert result.errors == {"name": "Det finns redan ett urvalskriterium med det namnet."}
    _same, result = service.save_criterion(
        db, area.actor, area.period, criterion_form(second, weight="0"), second
    )
    assert result.errors == {"weight": "Ange ett heltal från 1 till 1000."}
    assert service.save_criterion(
        db, area.actor, area.period, criterion_form(second, weight="45"), second
    )[1].ok
    assert last_event(db, "selection_criterion").changes == {"weight": [40, 45]}
    service.remove_criterion(db, area.actor, first)
    assert [c.name for c in area.period.criteria] == ["Innovation"]


def test_the_scale_is_locked_once_applications_are_scored(db, area: AreaSetup) -> None:
    scored = criterion(db, area)
    score(db, area, scored)
    locked = (
        "Poängskalan är låst: ansökningar har redan poängsatts under programperioden, så kriterier "
        "kan inte läggas till eller tas bort och vikt och högsta poäng kan inte ändras."
    )
    added, result = service.save_criterion(
        db,
        area.actor,
        area.period,
        {"name": "Innovation", "description": "", "weight": "40", "max_points": "10"},
    )
    assert added is None and result.errors == {service.FORM: locked}
    _same, result = service.save_criterion(
        db, area.actor, area.period, criterion_form(scored, weight="50", max_points="5"), scored
    )
    assert result.errors == {"weight": locked, "max_points": locked}
    with pytest.raises(service.SettingsRefused, match="Poängskalan är låst"):
        service.remove_criterion(db, area.actor, scored)
    # Words may still be improved.
    _same, result = service.save_criterion(
        db,
        area.actor,
        area.period,
        criterion_form(scored, name="Lokal förankring", description="Stöd från bygden."),
        scored,
    )
    assert result.ok and scored.name == "Lokal förankring"


def test_the_board_scoring_is_locked_too(db, area: AreaSetup) -> None:
    """Scores the LAG gave at a meeting lock the scale like the handler's proposals."""
    scored = criterion(db, area)
    project = make_application(db, area)
    meeting, _result = meetings.create_meeting(
        db,
        area.actor,
        area.area.id,
        {"held_on": "2026-12-03", "place": "Bygdegården"},
        today=date(2026, 11, 24),
    )
    item = meetings.add_free_item(db, area.actor, meeting, "Projektet", "")
    item.application_id = project.id
    db.flush()
    db.expire(item, ["application"])
    assert not service.scored_action_area_ids(db, area.period)
    result = meetings.score_item(
        db,
        area.actor,
        item,
        None,
        {f"points_{scored.id}": "8", f"justification_{scored.id}": "Bred förankring."},
    )
    assert result.ok, result.errors
    assert service.scored_action_area_ids(db, area.period) == {area.action_area.id}


def test_criteria_move_up_and_down_with_one_audit_event(db, area: AreaSetup) -> None:
    first, second, third = (criterion(db, area, name, 10) for name in ("A", "B", "C"))
    service.move(db, area.actor, third, "up")
    assert [c.name for c in area.period.criteria] == ["A", "C", "B"]
    assert last_event(db, "programme_period").changes == {
        str(third.id): [3, 2],
        str(second.id): [2, 3],
    }
    before = events(db)
    service.move(db, area.actor, first, "up")  # already first
    service.move(db, area.actor, first, "sideways")
    assert events(db) == before


# --- Basic conditions ---


def test_basic_conditions_are_asked_by_the_handler_and_the_board(db, area: AreaSetup) -> None:
    added, result = service.save_condition(
        db,
        area.actor,
        area.period,
        {"text": "Projektet har en plan för spridning", "reason": "Ny strategi"},
    )
    assert result.ok and added is not None
    assert (added.key, added.active, added.position) == ("grundkrav_1", True, 4)
    project = make_application(db, area, kind=ApplicationKind.LEADER_PROJECT)
    keys = [item.key for item in checklists.items_for(project)]
    assert keys[-4:] == ["basic_strategy", "basic_leader_method", "basic_area", "basic_grundkrav_1"]
    small = make_small_grant_case(db, area)
    assert not any(
        key.startswith("basic_") for key in (item.key for item in checklists.items_for(small))
    )

    _same, result = service.save_condition(
        db, area.actor, area.period, {"text": added.text, "active": ""}, added
    )
    assert result.ok
    assert last_event(db, "basic_condition").changes == {"active": [True, False]}
    assert "basic_grundkrav_1" not in [item.key for item in checklists.items_for(project)]
    assert [c.key for c in area.period.active_basic_conditions] == [
        "strategy",
        "leader_method",
        "area",
    ]


def test_basic_conditions_stay_while_a_meeting_waits_for_its_minutes(db, area) -> None:
    in_progress(db, area)
    condition = area.period.basic_conditions[0]
    _same, result = service.save_condition(
        db, area.actor, area.period, {"text": "Ny lydelse", "active": "yes"}, condition
    )
    assert result.errors == {
        service.FORM: "Grundkraven kan inte ändras medan LAG-mötet 10 december 2026 pågår eller "
        "väntar på justering."
    }
    assert condition.text == "Projektet bidrar till målen i områdets strategi"
    added, result = service.save_condition(db, area.actor, area.period, {"text": "Nytt krav"})
    assert added is None and service.FORM in result.errors
    assert (
        len(
            db.scalars(
                select(BasicCondition).where(BasicCondition.period_id == area.period.id)
            ).all()
        )
        == 3
    )
