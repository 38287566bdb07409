"""Case handling rules without HTTP: checklists and their pre-checks, notes, scoring and decision
proposals, the office's guarded transitions, the agenda batch and optimistic locking."""

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import Application, ApplicationKind, ApplicationStatus
from app.areas.models import SelectionCriterion
from app.audit.models import AuditEvent
from app.casework import checklists
from app.casework import service as casework
from app.casework.models import Verdict
from app.casework.service import CaseError, StaleCase
from app.organisations.models import LegalForm
from tests.factories import AreaSetup, make_application, make_small_grant_case

OFFICE = frozenset({"handler"})


def answer_all(db: Session, area: AreaSetup, application: Application, **verdicts: str) -> None:
    raw = {}
    for item in checklists.items_for(application):
        raw[f"verdict_{item.key}"] = verdicts.get(item.key, "yes")
        raw[f"comment_{item.key}"] = "Fel." if verdicts.get(item.key) == "no" else ""
    assert casework.save_checklist(db, area.actor, application, raw).ok


def propose(db: Session, area: AreaSetup, application: Application, **raw: str) -> None:
    proposal, result = casework.propose_decision(
        db, area.actor, application, {"outcome": "approve", "motivation": "Bra.", **raw}
    )
    assert proposal is not None, result.errors


def events(db: Session, application: Application, action: str) -> list[AuditEvent]:
    return list(
        db.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "application",
                AuditEvent.entity_id == application.id,
                AuditEvent.action == action,
            )
        )
    )


def prechecks(application: Application) -> dict[str, bool | None]:
    return {
        row.item.key: row.pre_check.passed if row.pre_check else None
        for row in checklists.rows_for(application, [])
    }


def test_a_complete_small_grant_passes_every_system_precheck(db, area: AreaSetup) -> None:
    case = make_small_grant_case(db, area)
    assert prechecks(case) == {
        "contact": True, "description": True, "budget_balanced": True, "attachments": True,
        "legal_form": True, "grant_limits": True, "volunteer_match": True,
        "project_length": True, "costs_after_receipt": True,
        # judged by the handler alone
        "public_benefit": None, "no_double_funding": None,
    }  # fmt: skip


def test_prechecks_catch_what_breaks_the_umbrellas_rules(db, area: AreaSetup) -> None:
    area.umbrella.required_attachments = ["Budget"]
    area.organisation.legal_form = LegalForm.LIMITED_COMPANY
    case = make_small_grant_case(db, area, requested_kr=60_000)  # above the 50 000 maximum
    case.project_start = date(2026, 10, 1)  # before the application came in (2 Nov)
    case.project_end = date(2027, 6, 1)  # eight months, the call allows six
    case.financing_lines[1].volunteer_hours = 10  # far below 50 % of the grant
    case.financing_lines[1].amount_ore = 10 * area.period.volunteer_rate_adult_ore
    db.flush()
    failed = {key for key, passed in prechecks(case).items() if passed is False}
    assert failed == {
        "attachments", "legal_form", "grant_limits", "volunteer_match", "project_length",
        "costs_after_receipt", "budget_balanced",
    }  # fmt: skip
    rows = {row.item.key: row for row in checklists.rows_for(case, [])}
    assert rows["attachments"].pre_check.note == "Saknas: Budget."
    assert rows["grant_limits"].suggested is Verdict.NO


def test_leader_projects_get_their_own_checklist(db, area: AreaSetup) -> None:
    project = make_application(db, area, kind=ApplicationKind.LEADER_PROJECT)
    keys = {item.key for item in checklists.items_for(project)}
    assert "cofinancing_confirmed" in keys
    assert not keys & {"attachments", "legal_form", "grant_limits", "volunteer_match"}


def test_a_no_needs_a_comment_and_answers_are_audited(db, area: AreaSetup) -> None:
    case = make_small_grant_case(db, area)
    result = casework.save_checklist(db, area.actor, case, {"verdict_contact": "no"})
    assert result.errors == {"comment_contact": "Skriv vad som inte är uppfyllt."}
    result = casework.save_checklist(db, area.actor, case, {"verdict_contact": "maybe"})
    assert result.errors == {"verdict_contact": "Välj ja, nej eller ej tillämpligt."}
    assert casework.answers_for(db, case) == []

    version = case.version
    assert casework.save_checklist(
        db, area.actor, case, {"verdict_contact": "no", "comment_contact": "Telefon saknas."}
    ).ok
    db.flush()
    assert case.version == version + 1  # a checklist answer is a change of the case
    [event] = events(db, case, "checklist")
    assert event.changes == {"contact": [None, "no"]}
    # Saving the same answers again changes nothing and logs nothing.
    casework.save_checklist(
        db, area.actor, case, {"verdict_contact": "no", "comment_contact": "Telefon saknas."}
    )
    assert len(events(db, case, "checklist")) == 1


def test_ready_for_decision_needs_every_check_and_a_proposal(db, area: AreaSetup) -> None:
    case = make_small_grant_case(db, area)
    with pytest.raises(CaseError, match="Besvara alla kontrollpunkter först"):
        casework.transition(db, area.actor, case, "ready_for_decision", OFFICE)
    answer_all(db, area, case)
    with pytest.raises(CaseError, match="Skriv ett beslutsförslag först"):
        casework.transition(db, area.actor, case, "ready_for_decision", OFFICE)
    propose(db, area, case)
    casework.transition(db, area.actor, case, "ready_for_decision", OFFICE)
    assert case.status is ApplicationStatus.READY_FOR_DECISION


def test_a_leader_project_also_needs_a_scoring_proposal(db, area: AreaSetup) -> None:
    db.add(SelectionCriterion(area_id=area.area.id, period_id=area.period.id, position=1,
                              name="Lokal förankring", weight=100, max_points=10))  # fmt: skip
    project = make_application(db, area, kind=ApplicationKind.LEADER_PROJECT,
                               status=ApplicationStatus.IN_REVIEW)  # fmt: skip
    project.reference = "PRJ-2026-0001"
    db.refresh(area.period)
    answer_all(db, area, project)
    propose(db, area, project)
    with pytest.raises(CaseError, match="Föreslå poäng"):
        casework.transition(db, area.actor, project, "ready_for_decision", OFFICE)


def test_the_office_transitions_keep_the_workflows_rules(db, area: AreaSetup) -> None:
    case = make_small_grant_case(db, area, status=ApplicationStatus.SUBMITTED)
    with pytest.raises(CaseError, match="går inte när ansökan har status ”inkommen”"):
        casework.transition(db, area.actor, case, "reopen", OFFICE, reason="x")
    with pytest.raises(CaseError, match="eget formulär"):
        casework.transition(db, area.actor, case, "approve", OFFICE)
    with pytest.raises(CaseError, match="Ange ett skäl"):
        casework.transition(db, area.actor, case, "withdraw", OFFICE)
    with pytest.raises(CaseError, match="behörighet"):
        casework.transition(db, area.actor, case, "start_review", frozenset({"lag_member"}))
    casework.transition(db, area.actor, case, "start_review", OFFICE)
    assert case.status is ApplicationStatus.IN_REVIEW
    casework.transition(db, area.actor, case, "withdraw", OFFICE, reason="Sökanden ringde.")
    assert case.status is ApplicationStatus.WITHDRAWN
    [event] = events(db, case, "withdraw")
    assert event.reason == "Sökanden ringde."
    assert event.changes == {"status": ["in_review", "withdrawn"]}


def test_scoring_is_weighted_and_judged_against_the_action_areas_threshold(
    db, area: AreaSetup
) -> None:
    for position, (name, weight) in enumerate((("Förankring", 60), ("Innovation", 40)), 1):
        db.add(
            SelectionCriterion(
                area_id=area.area.id,
                period_id=area.period.id,
                position=position,
                name=name,
                weight=weight,
                max_points=10,
            )
        )
    area.action_area.pass_threshold_points = 700  # overrides the period's 650
    db.flush()
    db.refresh(area.period)
    case = make_small_grant_case(db, area)
    first, second = (c.id for c in area.period.criteria)

    result = casework.save_scores(db, area.actor, case, {
        f"points_{first}": "11", f"justification_{first}": "x",
        f"points_{second}": "7",
    })  # fmt: skip
    assert result.errors == {
        f"points_{first}": "Ange ett heltal från 0 till 10.",
        f"justification_{second}": "Motivera poängen.",
    }
    assert casework.save_scores(db, area.actor, case, {
        f"points_{first}": "8", f"justification_{first}": "Stark förankring.",
        f"points_{second}": "5", f"justification_{second}": "Beprövat.",
    }).ok  # fmt: skip
    scoring = casework.scoring_for(db, case)
    assert (scoring.total, scoring.maximum, scoring.threshold) == (8 * 60 + 5 * 40, 1000, 700)
    assert scoring.complete and not scoring.passes  # 680 < 700
    [event] = events(db, case, "scoring")
    assert event.summary == "Poängförslag: 680 av 1000 poäng (gräns 700)"


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({"outcome": "approve", "amount": "15 000"}, "amount", "Bevilja ger det sökta beloppet"),
        ({"outcome": "approve_partly", "amount": "20 000"}, "amount", "lägre än det sökta"),
        ({"outcome": "approve_partly"}, "amount", "Ange det belopp som beviljas."),
        ({"outcome": "reject", "amount": "1 000"}, "amount", "Vid avslag beviljas inget"),
        ({"outcome": "approve", "motivation": " "}, "motivation", "Skriv en motivering."),
        ({"outcome": "godkänn"}, "outcome", "Välj bevilja, bevilja delvis eller avslå."),
        ({"outcome": "approve", "amount": "-5"}, "amount", ""),
    ],
)
def test_a_decision_proposal_must_add_up(db, area: AreaSetup, raw, field, message) -> None:
    case = make_small_grant_case(db, area)
    proposal, result = casework.propose_decision(
        db, area.actor, case, {"motivation": "Bra projekt.", **raw}
    )
    assert proposal is None
    assert message in result.errors[field]


def test_proposals_are_kept_and_the_newest_counts(db, area: AreaSetup) -> None:
    case = make_small_grant_case(db, area)
    propose(db, area, case)
    propose(db, area, case, outcome="approve_partly", amount="15 000", motivation="Lägre.")
    current = casework.current_proposal(db, case)
    assert (current.outcome.value, current.amount_ore) == ("approve_partly", 15_000_00)
    assert len(events(db, case, "decision_proposed")) == 2


def test_notes_are_internal_audited_and_bounded(db, area: AreaSetup) -> None:
    case = make_small_grant_case(db, area)
    with pytest.raises(CaseError, match="Skriv en anteckning"):
        casework.add_note(db, area.actor, case, "   ")
    with pytest.raises(CaseError, match="Högst 10000 tecken"):
        casework.add_note(db, area.actor, case, "x" * 10_001)
    casework.add_note(db, area.actor, case, "Ringde ordföranden, allt klart.")
    casework.add_note(db, area.actor, case, "Andra anteckningen.")
    db.flush()
    assert [n.body for n in casework.notes_for(db, case)] == [
        "Andra anteckningen.",
        "Ringde ordföranden, allt klart.",
    ]
    # The log says a note was written, not what it says.
    assert {e.summary for e in events(db, case, "note")} == {"Intern anteckning"}


def test_a_change_from_an_old_view_of_the_case_is_refused(db, area: AreaSetup) -> None:
    case = make_small_grant_case(db, area)
    seen = case.version
    casework.ensure_current(case, str(seen))
    casework.add_note(db, area.actor, case, "En kollega hann före.")
    db.flush()
    for stale in (str(seen), "", None, "abc"):
        with pytest.raises(StaleCase) as refused:
            casework.ensure_current(case, stale)
        assert refused.value.message == "Ärendet har ändrats av någon annan — ladda om sidan."


def test_the_agenda_batch_moves_all_or_nothing(db, area: AreaSetup) -> None:
    ready = [make_small_grant_case(db, area, status=ApplicationStatus.READY_FOR_DECISION)
             for _ in range(2)]  # fmt: skip
    early = make_small_grant_case(db, area, title="Tidig", status=ApplicationStatus.IN_REVIEW)
    with pytest.raises(CaseError, match=early.reference):
        casework.put_on_agenda(db, area.actor, [*ready, early], OFFICE)
    assert {a.status for a in ready} == {ApplicationStatus.READY_FOR_DECISION}
    casework.put_on_agenda(db, area.actor, ready, OFFICE)
    assert {a.status for a in ready} == {ApplicationStatus.ON_AGENDA}


def test_the_timeline_joins_events_attachments_money_and_mail(db, area: AreaSetup) -> None:
    from app.email.service import enqueue

    case = make_small_grant_case(db, area)
    casework.add_note(db, area.actor, case, "Anteckning.")
    enqueue(db, to="eva@example.se", subject="Hej", body="Text", kind="test",
            area_id=area.area.id, application_id=case.id)  # fmt: skip
    db.flush()
    texts = [entry.text for entry in casework.timeline(db, case)]
    assert "Intern anteckning" in texts
    assert "E-post till eva@example.se: ”Hej” (ej skickat ännu)" in texts


def test_the_timeline_has_the_cases_own_attachment_and_ledger_events_and_no_others(
    db, area: AreaSetup, other_area: AreaSetup
) -> None:
    """The timeline is three selects (the case, its attachments, its ledger entries): each
    must bring only this case's events, in the area, newest first."""
    from datetime import UTC, datetime, timedelta

    from app.attachments.models import Attachment
    from app.ledger.models import LedgerEntry, LedgerKind

    case, other = make_small_grant_case(db, area), make_small_grant_case(db, area)
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    minutes = iter(range(1000))

    def event(entity_type: str, entity_id: int, summary: str, area_id: int | None = None) -> None:
        db.add(AuditEvent(
            area_id=area_id or area.area.id, actor_label="Handläggare", entity_type=entity_type,
            entity_id=entity_id, action="test", summary=summary,
            occurred_at=start + timedelta(minutes=next(minutes)),
        ))  # fmt: skip

    for application, name in ((case, "case"), (other, "other")):
        attachment = Attachment(
            area_id=area.area.id, application_id=application.id, label="Kvitto",
            original_filename=f"{name}.pdf", stored_name=f"tl-{name}-{application.id:020d}",
            content_type="application/pdf", size_bytes=100, sha256="0" * 64, uploaded_by="Sökande",
        )  # fmt: skip
        entry = LedgerEntry(
            area_id=area.area.id, period_id=area.period.id, kind=LedgerKind.COMMITMENT,
            amount_ore=1000, action_area_id=area.action_area.id,
            umbrella_project_id=application.umbrella_project_id, application_id=application.id,
            reason="Test",
        )  # fmt: skip
        db.add_all([attachment, entry])
        db.flush()
        event("application", application.id, f"{name}: application")
        event("attachment", attachment.id, f"{name}: attachment")
        event("ledger_entry", entry.id, f"{name}: ledger")
        # The same entity ids under another type or in another area are not this case's.
        event("case_note", application.id, f"{name}: other type")
        event("attachment", attachment.id, f"{name}: other area", other_area.area.id)
    db.flush()

    texts = [entry.text for entry in casework.timeline(db, case) if entry.kind == "event"]
    ours = [text for text in texts if text.startswith(("case:", "other:"))]
    assert ours == ["case: ledger", "case: attachment", "case: application"]
