"""The handler's case page over HTTP: who may see it, its forms (errors beside the fields, typed
values kept, optimistic locking), a decision under delegation with its letter, payments and
closing, the agenda batch, and what the applicant's own page does not show."""

import re
import secrets
from datetime import date, timedelta
from html import unescape

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applicants import service as applicants
from app.applications.models import Application, ApplicationStatus
from app.areas.models import SelectionCriterion
from app.auth.models import Role
from app.casework import checklists
from app.casework import service as casework
from app.casework.models import CaseNote, ChecklistAnswer
from app.config import Settings
from app.core.clock import local_today
from app.decisions import service as decisions
from app.decisions.models import Decision, DecisionOutcome
from app.payments import service as payments
from app.payments.models import ClaimStatus, Payment, PaymentKind
from tests.factories import AreaSetup, make_application, make_small_grant_case
from tests.http import login, post_form
from tests.test_casework import answer_all, propose

OFFICE = frozenset({"handler"})
STALE = "Ärendet har ändrats av någon annan — ladda om sidan."
SECTIONS = (
    "Kontroll av ansökan",
    "Poängförslag",
    "Beslutsförslag",
    "Interna anteckningar",
    "Händelser",
)


# --- helpers ---


def text_of(response: Response) -> str:
    """The page's text as a reader sees it (tags dropped, entities and spaces normalised)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.text, flags=re.DOTALL)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " ").split())


def textarea(response: Response, element_id: str) -> str:
    match = re.search(rf'<textarea id="{element_id}"[^>]*>(.*?)</textarea>', response.text, re.S)
    assert match, f"no textarea #{element_id}"
    return unescape(match.group(1))


def error_beside(response: Response, name: str) -> str:
    """The error message drawn next to a field (``<form>_<field>-error``)."""
    match = re.search(rf'<p class="error-message" id="{name}-error">(.*?)</p>', response.text)
    assert match, f"no error beside {name}"
    return unescape(match.group(1))


def version_on(client: TestClient, case: Application) -> str:
    """The case version the page's forms carry, as a browser would post it."""
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    return re.search(r'name="version" value="(\d+)"', page.text).group(1)


def post_case(client: TestClient, case: Application, path: str, data: dict[str, str]) -> Response:
    """Post one of the case page's forms with the version the page shows right now."""
    return post_form(
        client,
        f"/cases/{case.id}/{path}",
        {"version": version_on(client, case), **data},
        follow_redirects=False,
    )


def all_yes(case: Application) -> dict[str, str]:
    return {f"verdict_{item.key}": "yes" for item in checklists.items_for(case)}


def reload(db: Session, case: Application) -> Application:
    db.expire_all()
    return db.get(Application, case.id)


def decide(db: Session, settings: Settings, area: AreaSetup, case: Application) -> None:
    """A case approved under delegation, through the services."""
    answer_all(db, area, case)
    propose(db, area, case)
    casework.transition(db, area.actor, case, "ready_for_decision", OFFICE)
    decision, result = decisions.decide_under_delegation(
        db,
        settings,
        area.actor,
        case,
        {"outcome": "approve", "motivation": "Bra."},
        roles=OFFICE,
        today=local_today(),
    )
    assert decision is not None, result.errors
    db.commit()


@pytest.fixture
def case(db: Session, area: AreaSetup) -> Application:
    application = make_small_grant_case(db, area)
    db.commit()
    return application


# --- who sees the case page ---


@pytest.mark.parametrize("role", [Role.HANDLER, Role.MANAGER])
def test_the_case_page_shows_its_sections_to_the_office(
    client: TestClient, area: AreaSetup, case: Application, role: Role
) -> None:
    login(client, area.users[role].email)
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    text = text_of(page)
    assert f"{case.reference} · Krisberedskap i byn" in text
    for section in SECTIONS:
        assert section in text
    assert "Börja handläggning" not in text  # already in review
    assert "Klar för beslut" in text


def test_cases_outside_the_area_drafts_and_unknown_ids_are_not_found(
    db: Session, handler: TestClient, other_area: AreaSetup
) -> None:
    foreign = make_small_grant_case(db, other_area)
    draft = make_application(db, other_area, status=ApplicationStatus.DRAFT)
    db.commit()
    assert draft.reference is None
    for case_id in (foreign.id, draft.id, 999_999):
        assert handler.get(f"/cases/{case_id}").status_code == 404
    # Nor can a form reach a foreign case.
    refused = post_form(
        handler, f"/cases/{foreign.id}/notes", {"version": str(foreign.version), "body": "Hej"}
    )
    assert refused.status_code == 404
    assert casework.notes_for(db, foreign) == []


def test_a_draft_in_the_own_area_is_not_found_either(
    db: Session, handler: TestClient, area: AreaSetup
) -> None:
    draft = make_application(db, area, status=ApplicationStatus.DRAFT)
    db.commit()
    assert handler.get(f"/cases/{draft.id}").status_code == 404


def test_a_lag_member_may_not_open_a_case(
    client: TestClient, area: AreaSetup, case: Application
) -> None:
    login(client, area.users[Role.LAG_MEMBER].email)
    assert client.get(f"/cases/{case.id}").status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client: TestClient, case: Application) -> None:
    response = client.get(f"/cases/{case.id}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/cases/{case.id}"


# --- notes ---


def test_a_note_is_saved_shown_to_staff_and_never_to_the_applicant(
    db: Session, handler: TestClient, settings: Settings, case: Application
) -> None:
    response = post_case(handler, case, "notes", {"body": "Ringde ordföranden om offerten."})
    assert response.status_code == 303
    assert response.headers["location"] == f"/cases/{case.id}#notes"
    page = handler.get(response.headers["location"])
    assert "Anteckningen är sparad." in text_of(page)
    assert "Ringde ordföranden om offerten." in text_of(page)
    assert [n.body for n in casework.notes_for(db, case)] == ["Ringde ordföranden om offerten."]

    token = applicants.issue_link(db, settings, case)
    db.commit()
    applicant = handler.get(f"/a/{token}")
    assert applicant.status_code == 200
    assert case.reference in text_of(applicant)
    assert "Ringde ordföranden" not in applicant.text
    assert "Intern anteckning" not in applicant.text


def test_an_empty_note_is_refused_beside_the_field(
    db: Session, handler: TestClient, case: Application
) -> None:
    response = post_case(handler, case, "notes", {"body": "   "})
    assert response.status_code == 400
    assert error_beside(response, "notes_body") == "Skriv en anteckning."
    assert 'aria-describedby="notes_body-error"' in response.text
    assert casework.notes_for(db, case) == []


# --- the checklist ---


def test_a_no_without_a_comment_is_refused_and_the_typed_answers_are_kept(
    db: Session, handler: TestClient, case: Application
) -> None:
    typed = {
        **all_yes(case),
        "verdict_contact": "no",
        "comment_contact": "",
        "verdict_public_benefit": "not_applicable",
        "comment_budget_balanced": "Stämmer med offerten.",
    }
    response = post_case(handler, case, "checklist", typed)
    assert response.status_code == 400
    assert error_beside(response, "checklist_comment_contact") == "Skriv vad som inte är uppfyllt."
    # What was typed is still there: the "no", the other verdicts and the comment.
    for key, value in (
        ("contact", "no"),
        ("description", "yes"),
        ("public_benefit", "not_applicable"),
    ):
        assert re.search(rf'name="verdict_{key}" value="{value}" checked', response.text), (
            f"{key} lost its {value}"
        )
    assert textarea(response, "comment_budget_balanced") == "Stämmer med offerten."
    # ... and nothing was saved.
    assert casework.answers_for(db, case) == []

    typed["comment_contact"] = "Telefonnummer saknas."
    assert post_case(handler, case, "checklist", typed).status_code == 303
    answers = {a.item: a for a in db.scalars(select(ChecklistAnswer))}
    assert answers["contact"].verdict.value == "no"
    assert answers["contact"].comment == "Telefonnummer saknas."
    assert len(answers) == len(checklists.items_for(case))


# --- optimistic locking ---


def test_a_form_from_an_old_view_is_refused_and_keeps_the_typed_text(
    db: Session, handler: TestClient, area: AreaSetup, case: Application
) -> None:
    seen = version_on(handler, case)
    # A colleague saves something after the page was drawn.
    casework.add_note(db, area.actor, case, "Kollegans anteckning.")
    db.commit()
    response = post_form(
        handler,
        f"/cases/{case.id}/notes",
        {"version": seen, "body": "Min anteckning."},
        follow_redirects=False,
    )
    assert response.status_code == 409
    assert re.search(rf'<p class="alert" role="alert" id="case-alert">{STALE}</p>', response.text)
    assert textarea(response, "note-body") == "Min anteckning."
    # The colleague's change is on the page; ours was not saved.
    assert "Kollegans anteckning." in text_of(response)
    assert [n.body for n in db.scalars(select(CaseNote))] == ["Kollegans anteckning."]
    # A version from the page as it is now goes through.
    assert post_case(handler, case, "notes", {"body": "Min anteckning."}).status_code == 303


# --- a decision under delegation ---


def test_a_small_grant_is_decided_under_delegation_through_the_forms(
    db: Session, handler: TestClient, case: Application
) -> None:
    assert post_case(handler, case, "checklist", all_yes(case)).status_code == 303
    refused = post_case(handler, case, "transition", {"name": "ready_for_decision"})
    assert refused.status_code == 400
    assert "Skriv ett beslutsförslag först." in text_of(refused)
    proposal = post_case(
        handler,
        case,
        "proposal",
        {"outcome": "approve", "amount": "", "motivation": "Stärker byn."},
    )
    assert proposal.status_code == 303
    ready = post_case(handler, case, "transition", {"name": "ready_for_decision"})
    assert ready.status_code == 303
    assert reload(db, case).status is ApplicationStatus.READY_FOR_DECISION

    page = handler.get(f"/cases/{case.id}")
    assert f'action="/cases/{case.id}/decision"' in page.text
    assert "Fatta beslut" in text_of(page)
    response = post_case(
        handler,
        case,
        "decision",
        {"outcome": "approve", "amount": "", "motivation": "Beviljas i sin helhet."},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/cases/{case.id}#decision"

    case = reload(db, case)
    assert case.status is ApplicationStatus.APPROVED
    assert case.granted_ore == 20_000_00
    [decision] = db.scalars(select(Decision).where(Decision.application_id == case.id))
    assert decision.outcome is DecisionOutcome.APPROVED
    page = handler.get(response.headers["location"])
    text = text_of(page)
    assert "Beslutet är fattat och skickat till sökanden." in text
    assert "Beviljat 20 000 kr – Leaderkontoret (delegationsbeslut)" in text
    assert "Beviljas i sin helhet." in text
    letter_url = f"/cases/{case.id}/decisions/{decision.id}"
    assert f'href="{letter_url}">Beslutsbrevet</a>' in page.text
    assert f'action="/cases/{case.id}/decision"' not in page.text  # decided once

    letter = handler.get(letter_url)
    assert letter.status_code == 200
    assert letter.headers["content-type"].startswith("text/html")
    assert case.reference in letter.text
    assert handler.get(f"/cases/{case.id}/decisions/{decision.id + 1000}").status_code == 404


def test_above_the_delegation_limit_the_page_refuses_instead_of_offering_a_decision(
    db: Session, handler: TestClient, area: AreaSetup
) -> None:
    case = make_small_grant_case(
        db, area, requested_kr=40_000, status=ApplicationStatus.READY_FOR_DECISION
    )
    db.commit()
    page = handler.get(f"/cases/{case.id}")
    text = text_of(page)
    assert (
        "Sökt belopp 40 000 kr är över delegationsgränsen 30 000 kr. Ärendet ska beslutas "
        "av LAG-styrelsen: sätt upp det på ett LAG-möte."
    ) in text
    assert f'action="/cases/{case.id}/decision"' not in page.text
    assert "Fatta beslut" not in text
    # Posting the decision anyway is refused with the same reason.
    response = post_case(handler, case, "decision", {"outcome": "approve", "motivation": "Bra."})
    assert response.status_code == 400
    assert "över delegationsgränsen" in text_of(response)
    assert reload(db, case).status is ApplicationStatus.READY_FOR_DECISION
    assert db.scalars(select(Decision)).all() == []


# --- payment and closing ---


def test_a_claim_is_paid_and_the_case_closed_through_the_forms(
    db: Session, handler: TestClient, settings: Settings, area: AreaSetup, case: Application
) -> None:
    decide(db, settings, area, case)
    raw = {
        "kind": "partial",
        "amount": "12 000",
        "actual_costs": "15 000",
        "description": "Reservkraft",
        "form_token": secrets.token_hex(8),
    }
    claim, result = payments.submit_claim(db, applicants.applicant_actor(case), case, raw)
    assert claim is not None, result.errors
    db.commit()

    page = handler.get(f"/cases/{case.id}")
    assert "Delutbetalning 12 000 kr – Inkommen" in text_of(page)
    too_much = post_case(
        handler,
        case,
        "payments",
        {"claim": str(claim.id), "amount": "13 000", "paid_on": local_today().isoformat()},
    )
    assert too_much.status_code == 400
    assert error_beside(too_much, f"claim{claim.id}_amount").startswith("Högst det begärda")

    paid = post_case(
        handler,
        case,
        "payments",
        {
            "claim": str(claim.id),
            "amount": "12 000",
            "paid_on": local_today().isoformat(),
            "comment": "",
        },
    )
    assert paid.status_code == 303
    assert paid.headers["location"] == f"/cases/{case.id}#claim{claim.id}"
    db.expire_all()
    assert claim.status is ClaimStatus.PAID
    [payment] = db.scalars(select(Payment).where(Payment.application_id == case.id))
    assert (payment.kind, payment.amount_ore, payment.claim_id) == (
        PaymentKind.PARTIAL,
        12_000_00,
        claim.id,
    )
    assert reload(db, case).status is ApplicationStatus.PAYMENT
    text = text_of(handler.get(paid.headers["location"]))
    assert "Delutbetalning 12 000 kr – Utbetald" in text
    assert "Utbetalt 12 000 kr" in text

    # No final report: closing needs a reason.
    refused = post_case(handler, case, "close", {"reason": ""})
    assert refused.status_code == 400
    assert "Slutredovisningen saknas" in text_of(refused)
    closed = post_case(handler, case, "close", {"reason": "Projektet blev mindre än planerat."})
    assert closed.status_code == 303
    assert reload(db, case).status is ApplicationStatus.CLOSED
    text = text_of(handler.get(closed.headers["location"]))
    assert "Ärendet är avslutat." in text
    assert "Avslutad" in text
    assert "Ärendet avslutades; 8 000 kr frigjordes" in text
    assert f'action="/cases/{case.id}/close"' not in handler.get(f"/cases/{case.id}").text


# --- the agenda batch from the queue ---


def test_the_agenda_batch_with_a_case_not_ready_changes_nothing(
    db: Session, handler: TestClient, area: AreaSetup
) -> None:
    ready = make_small_grant_case(
        db, area, title="Klar", status=ApplicationStatus.READY_FOR_DECISION
    )
    early = make_small_grant_case(db, area, title="Tidig")
    db.commit()
    response = post_form(
        handler,
        "/cases/agenda",
        {"ids": f"{ready.id}\n{early.id}", "return_query": "status=ready_for_decision"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/cases?status=ready_for_decision"
    page = handler.get(response.headers["location"])
    assert re.search(
        r'<p class="alert" role="alert">Bara ärenden som är klara för beslut[^<]*'
        + early.reference,
        page.text,
    )
    assert reload(db, ready).status is ApplicationStatus.READY_FOR_DECISION
    assert reload(db, early).status is ApplicationStatus.IN_REVIEW

    moved = post_form(handler, "/cases/agenda", {"ids": str(ready.id)}, follow_redirects=False)
    assert moved.status_code == 303
    assert "1 ärenden är uppsatta för LAG-möte." in text_of(handler.get(moved.headers["location"]))
    assert reload(db, ready).status is ApplicationStatus.ON_AGENDA


# --- what the applicant sees of the case log ---


def test_the_applicants_timeline_shows_the_decision_but_none_of_the_internal_work(
    db: Session, handler: TestClient, settings: Settings, area: AreaSetup
) -> None:
    db.add(
        SelectionCriterion(
            area_id=area.area.id,
            period_id=area.period.id,
            position=1,
            name="Lokal förankring",
            weight=100,
            max_points=10,
        )
    )
    case = make_small_grant_case(db, area, status=ApplicationStatus.SUBMITTED)
    db.commit()
    db.refresh(area.period)
    criterion = area.period.criteria[0]
    handler_user = area.users[Role.HANDLER]

    assert post_case(handler, case, "transition", {"name": "start_review"}).status_code == 303
    assert post_case(handler, case, "assign", {"handler": str(handler_user.id)}).status_code == 303
    assert post_case(handler, case, "notes", {"body": "Hemlig anteckning."}).status_code == 303
    assert post_case(handler, case, "checklist", all_yes(case)).status_code == 303
    scores = {f"points_{criterion.id}": "8", f"justification_{criterion.id}": "Väl förankrat."}
    assert post_case(handler, case, "scores", scores).status_code == 303
    assert (
        post_case(
            handler, case, "proposal", {"outcome": "approve", "motivation": "Internt förslag."}
        ).status_code
        == 303
    )
    assert post_case(handler, case, "transition", {"name": "ready_for_decision"}).status_code == 303
    assert (
        post_case(
            handler, case, "decision", {"outcome": "approve", "motivation": "Beviljas."}
        ).status_code
        == 303
    )

    staff = text_of(handler.get(f"/cases/{case.id}"))
    internal = (
        f"Tilldelad {handler_user.full_name}",
        "Intern anteckning",
        "Kontrollpunkter besvarade",
        "Poängförslag: 800 av 1000 poäng",
        "Beslutsförslag: bevilja",
    )
    for entry in internal:
        assert entry in staff  # the office's own log has them

    token = applicants.issue_link(db, settings, case)
    db.commit()
    applicant = handler.get(f"/a/{token}")
    assert applicant.status_code == 200
    timeline = text_of(applicant).split("Händelser", 1)[1]
    for entry in (*internal, "Hemlig anteckning", "Internt förslag", "Väl förankrat"):
        assert entry not in applicant.text
    assert "Börja handläggning" in timeline
    assert "Klar för beslut" in timeline
    assert "Beviljat: 20 000 kr (Leaderkontoret (delegationsbeslut))" in timeline
    assert "Beviljad" in text_of(applicant)  # the status


def test_the_komplettering_form_refuses_a_past_deadline_beside_the_field(
    db: Session, handler: TestClient, case: Application
) -> None:
    response = post_case(
        handler,
        case,
        "information-requests",
        {
            "message": "Skicka offerten.",
            "deadline": (local_today() - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert (
        error_beside(response, "komplettering_deadline") == "Sista svarsdag måste vara efter i dag."
    )
    assert textarea(response, "komplettering-message") == "Skicka offerten."
    assert reload(db, case).status is ApplicationStatus.IN_REVIEW

    deadline = (local_today() + timedelta(days=10)).isoformat()
    sent = post_case(
        handler, case, "information-requests", {"message": "Skicka offerten.", "deadline": deadline}
    )
    assert sent.status_code == 303
    assert reload(db, case).status is ApplicationStatus.AWAITING_INFORMATION
    assert date.fromisoformat(deadline) == case.information_requests[0].deadline


def test_a_rejected_case_closes_through_the_form_with_nothing_to_release(
    db: Session, area: AreaSetup, handler: TestClient
) -> None:
    rejected = make_small_grant_case(db, area, title="Avslagen", status=ApplicationStatus.REJECTED)
    db.commit()
    closed = post_case(handler, rejected, "close", {"reason": ""})
    assert closed.status_code == 303
    assert reload(db, rejected).status is ApplicationStatus.CLOSED
    assert "Ärendet avslutades" in text_of(handler.get(closed.headers["location"]))
