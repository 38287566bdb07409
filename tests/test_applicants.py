"""The applicant's journey for småstöd: rules per step, drafts, links, submission, withdrawal."""

import re
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.applicants import service
from app.applicants.models import ApplicantLink
from app.applicants.schemas import STEPS
from app.applications.models import Application, ApplicationStatus, FinancingKind
from app.applications.workflow import OFFICE
from app.attachments.service import store
from app.audit.models import AuditEvent
from app.audit.service import Actor
from app.auth.models import Role
from app.email.models import OutboxMessage
from app.organisations.models import Organisation
from tests import files
from tests.factories import AreaSetup, make_application, make_area
from tests.http import csrf_token, login, post_form

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
TODAY = date(2026, 11, 24)

ORGANISATION = {
    "name": "Stjärnhovs bygdegårdsförening",
    "legal_form": "ideell_forening",
    "org_number": "817604-5527",
    "bankgiro": "5050-1055",
    "plusgiro": "",
    "street_address": "Bygdevägen 2",
    "postal_code": "642 91",
    "city": "Stjärnhov",
    "contact_name": "Eva Ek",
    "contact_email": "eva@example.se",
    "contact_phone": "070-111 22 33",
}
PROJECT = {
    "title": "Reservkraft till bygdegården",
    "description": "Vi köper ett reservaggregat så att bygdegården kan vara värmestuga vid kris.",
    "expected_results": "En värmestuga för 200 hushåll, två övningar per år.",
    "project_start": "2026-12-01",
    "project_end": "2027-04-30",
}
# 40 000 kr in costs = 40 000 kr support; 60 volunteer hours × 340 kr = 20 400 kr ≥ 50 %.
BUDGET = {
    "cost_1_description": "Reservaggregat",
    "cost_1_amount": "32 000",
    "cost_2_description": "Installation",
    "cost_2_amount": "8000",
    "leader_support": "40 000",
    "volunteer_hours_adult": "60",
    "volunteer_women": "4",
    "volunteer_men": "3",
}


@pytest.fixture
def context(area: AreaSetup) -> service.Context:
    return service.Context(area.umbrella, area.period, TODAY)


@pytest.fixture
def draft(db: Session, area: AreaSetup) -> Application:
    application = service.start_draft(db, area.umbrella, NOW)
    db.flush()
    return application


def _fill(application: Application, **overrides: dict[str, str]) -> None:
    for step, values in (("organisation", ORGANISATION), ("project", PROJECT), ("budget", BUDGET)):
        service.save_step(application, step, {**values, **overrides.get(step, {})})


# --- Rules ------------------------------------------------------------------------------------


def test_a_closed_call_takes_no_new_drafts(db: Session, area: AreaSetup) -> None:
    with pytest.raises(service.JourneyError, match="är stängd"):
        service.start_draft(db, area.umbrella, area.umbrella.call_closes_at)
    with pytest.raises(service.JourneyError, match="har inte öppnat"):
        service.start_draft(db, area.umbrella, area.umbrella.call_opens_at - timedelta(seconds=1))


@pytest.mark.parametrize(
    ("step", "changes", "field", "message"),
    [
        ("organisation", {"org_number": "817604-5528"}, "org_number",
         "Organisationsnumret är inte giltigt – kontrollsiffran stämmer inte."),
        ("organisation", {"legal_form": "aktiebolag", "org_number": "556036-0793"}, "legal_form",
         "Aktiebolag kan inte söka småstöd ur Beredskap. Det kan: ideell förening."),
        ("organisation", {"bankgiro": ""}, "bankgiro",
         "Ange bankgiro eller plusgiro, så att stödet kan betalas ut."),
        ("project", {"project_start": "2026-11-23"}, "project_start",
         "Projektet kan inte starta före ansökningsdagen: kostnader räknas först från den dag "
         "ansökan kommer in."),
        ("project", {"project_end": "2026-11-30"}, "project_end",
         "Slutdatumet kan inte vara före startdatumet."),
        ("project", {"project_end": "2027-06-02"}, "project_end",
         "Projektet får pågå i högst 6 månader."),
        ("project", {"title": "x" * 10_000}, "title", "Högst 200 tecken."),
        ("budget", {"leader_support": "60 000", "cost_1_amount": "52 000"}, "leader_support",
         "Ni kan söka mellan 10\xa0000\xa0kr och 50\xa0000\xa0kr ur Beredskap."),
        ("budget", {"leader_support": "5000", "cost_1_amount": "0", "cost_2_amount": "5000"},
         "leader_support", "Ni kan söka mellan 10\xa0000\xa0kr och 50\xa0000\xa0kr ur Beredskap."),
        ("budget", {"volunteer_hours_adult": "58"}, "volunteer_hours_adult",
         "Det ideella arbetet är värt 19\xa0720\xa0kr. Det behöver vara värt minst 20\xa0000\xa0kr "
         "(50 % av stödet)."),
        ("budget", {"volunteer_women": "0", "volunteer_men": ""}, "volunteer_women",
         "Ange hur många kvinnor och män som arbetar ideellt."),
        ("budget", {"cost_2_amount": "9000"}, "totals",
         "Kostnaderna (41\xa0000\xa0kr) och finansieringen (40\xa0000\xa0kr) måste vara lika "
         "stora. Det saknas finansiering för 1\xa0000\xa0kr."),
        ("budget", {"cost_2_description": ""}, "cost_2_description", "Skriv vad kostnaden gäller."),
        ("budget", {"leader_support": "tolv tusen"}, "leader_support",
         "Ange beloppet i kronor, t.ex. 12 500 eller 12 500,50."),
    ],
)  # fmt: skip
def test_each_rule_is_explained_on_its_field(
    context: service.Context, step: str, changes: dict, field: str, message: str
) -> None:
    base = {"organisation": ORGANISATION, "project": PROJECT, "budget": BUDGET}[step]
    result = service.check_step(step, {**base, **changes}, context)
    assert result.errors.get(field) == message, result.errors
    if field != "totals":
        assert service.field_error(step, {**base, **changes}, field, context) == message


@pytest.mark.parametrize("step", ["organisation", "project", "budget"])
def test_the_example_application_passes_every_step(context: service.Context, step: str) -> None:
    base = {"organisation": ORGANISATION, "project": PROJECT, "budget": BUDGET}[step]
    assert service.check_step(step, base, context).errors == {}


def test_budget_totals_are_exact_ore(context: service.Context) -> None:
    result = service.check_step(
        "budget", {**BUDGET, "volunteer_hours_youth": "3", "public_cofinancing": "0,50"}, context
    )
    totals = service.budget_totals(result.cleaned, context.period)
    assert totals.volunteer_ore == 60 * 34_000 + 3 * 7_700
    assert totals.cash_financing_ore == 4_000_050
    assert isinstance(totals.total_costs_ore, int)


# --- Drafts and submission ----------------------------------------------------------------------


def test_drafts_keep_exactly_what_was_typed(draft: Application) -> None:
    service.save_step(draft, "project", {**PROJECT, "project_end": "i vår", "unknown": "x"})
    assert service.draft_values(draft, "project")["project_end"] == "i vår"
    assert "unknown" not in service.draft_values(draft, "project")


def test_submit_turns_the_draft_into_a_received_application(
    db: Session, draft: Application, context: service.Context
) -> None:
    _fill(draft)
    assert service.submit(db, draft, context, consent=True, now=NOW) is True
    assert draft.status is ApplicationStatus.SUBMITTED
    assert draft.reference == "SMÅ-2026-0001"
    assert (draft.requested_ore, draft.title, draft.project_start) == (
        4_000_000, "Reservkraft till bygdegården", date(2026, 12, 1),
    )  # fmt: skip
    assert draft.total_costs_ore == draft.total_financing_ore == 4_000_000 + 60 * 34_000
    volunteer = [
        line for line in draft.financing_lines if line.kind is FinancingKind.VOLUNTEER_WORK
    ]
    assert [(v.volunteer_hours, v.volunteer_women, v.volunteer_men) for v in volunteer] == [
        (60, 4, 3)
    ]
    assert (draft.consent_at, draft.consent_text_version) == (NOW, service.CONSENT_TEXT_VERSION)
    assert draft.draft_form is None
    organisation = db.scalar(select(Organisation).where(Organisation.org_number == "8176045527"))
    assert organisation is not None and organisation.bankgiro == "50501055"


def test_submit_twice_changes_nothing(db: Session, draft: Application, context) -> None:
    _fill(draft)
    assert service.submit(db, draft, context, consent=True, now=NOW) is True
    assert service.submit(db, draft, context, consent=True, now=NOW + timedelta(seconds=1)) is False
    assert draft.reference == "SMÅ-2026-0001"
    assert db.scalar(select(func.count()).select_from(Application)) == 1


def test_incomplete_or_unconsented_drafts_are_not_submitted(
    db: Session, draft: Application, context: service.Context
) -> None:
    _fill(draft, budget={"leader_support": "70 000"})
    with pytest.raises(service.Incomplete) as refused:
        service.submit(db, draft, context, consent=False, now=NOW)
    assert set(refused.value.failing) == {"budget", "review"}
    assert "consent" in refused.value.failing["review"].errors
    assert draft.status is ApplicationStatus.DRAFT
    assert draft.reference is None


def test_withdrawal(db: Session, draft: Application, context: service.Context) -> None:
    _fill(draft)
    service.submit(db, draft, context, consent=True, now=NOW)
    service.withdraw(db, draft, "Vi fick pengar från kommunen i stället.", NOW)
    assert draft.status is ApplicationStatus.WITHDRAWN
    with pytest.raises(service.JourneyError):
        service.withdraw(db, draft, "", NOW)


# --- Links ----------------------------------------------------------------------------------


def test_links_are_signed_expiring_and_revocable(
    db: Session,
    settings,
    draft: Application,
) -> None:
    token = service.issue_link(db, settings, draft, now=NOW)
    assert service.resolve_link(db, settings, token, now=NOW) is draft
    tampered = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    assert service.resolve_link(db, settings, tampered, now=NOW) is None
    later = NOW + timedelta(days=settings.applicant_link_days, seconds=1)
    assert service.resolve_link(db, settings, token, now=later) is None
    service.revoke_links(db, draft, now=NOW)
    assert service.resolve_link(db, settings, token, now=NOW) is None
    other_key = settings.model_copy(update={"secret_key": SecretStr("z" * 48)})
    fresh = service.issue_link(db, settings, draft, now=NOW)
    assert service.resolve_link(db, other_key, fresh, now=NOW) is None


# --- Over HTTP --------------------------------------------------------------------------------


def _start(client: TestClient, area: AreaSetup) -> str:
    response = post_form(client, f"/calls/{area.umbrella.id}/start", {}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["referrer-policy"] == "no-referrer"
    match = re.fullmatch(r"/a/([^/]+)/organisation", response.headers["location"])
    assert match
    return match.group(1)


def test_the_whole_form_over_http(client: TestClient, db: Session, area: AreaSetup) -> None:
    assert "Börja ansökan" in client.get(f"/calls/{area.umbrella.id}").text
    token = _start(client, area)

    wrong = post_form(
        client, f"/a/{token}/organisation", {**ORGANISATION, "org_number": "817604-5528"}
    )
    assert wrong.status_code == 400
    assert "Organisationsnumret är inte giltigt – kontrollsiffran stämmer inte." in wrong.text
    assert (
        'value="817604-5528"' in wrong.text
        and 'value="Stjärnhovs bygdegårdsförening"' in wrong.text
    )

    for step, values, following in (
        ("organisation", ORGANISATION, "project"),
        ("project", PROJECT, "budget"),
        ("budget", BUDGET, "attachments"),
    ):
        response = post_form(client, f"/a/{token}/{step}", values, follow_redirects=False)
        assert response.headers["location"] == f"/a/{token}/{following}", response.text[-3000:]

    review = client.get(f"/a/{token}/review")
    assert "Reservkraft till bygdegården" in review.text
    unconsented = post_form(client, f"/a/{token}/submit", {})
    assert unconsented.status_code == 400
    assert "Ni behöver ta del av hur vi behandlar personuppgifter" in unconsented.text

    first = post_form(client, f"/a/{token}/submit", {"consent": "yes"}, follow_redirects=False)
    again = post_form(client, f"/a/{token}/submit", {"consent": "yes"}, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    status = client.get(first.headers["location"])
    assert "Tack! Ansökan har kommit in och fått nummer SMÅ-2026-0001." in status.text
    assert "Inkommen" in status.text
    receipts = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "receipt")).all()
    assert len(receipts) == 1
    assert receipts[0].to_address == "eva@example.se"
    assert "SMÅ-2026-0001" in receipts[0].subject
    assert f"/a/{token}" in receipts[0].body_text
    assert db.scalar(select(func.count()).select_from(Application)) == 1


def test_html_is_shown_escaped(client: TestClient, area: AreaSetup) -> None:
    token = _start(client, area)
    script = "<script>alert('x')</script>"
    post_form(client, f"/a/{token}/project", {**PROJECT, "title": script, "action": "save"})
    page = client.get(f"/a/{token}/project").text
    assert script not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page


def test_field_check_saves_the_draft(client: TestClient, db: Session, area: AreaSetup) -> None:
    token = _start(client, area)
    response = post_form(
        client, f"/a/{token}/validate?step=budget&field=leader_support",
        {**BUDGET, "leader_support": "90 000"},
    )  # fmt: skip
    assert "Ni kan söka mellan 10\xa0000\xa0kr och 50\xa0000\xa0kr ur Beredskap." in response.text
    application = db.scalar(
        select(Application).where(Application.status == ApplicationStatus.DRAFT)
    )
    assert service.draft_values(application, "budget")["leader_support"] == "90 000"


@pytest.mark.parametrize("make_token", ["tampered", "expired", "revoked", "garbage"])
def test_bad_links_show_a_clear_message(
    client: TestClient,
    db: Session,
    area: AreaSetup,
    settings,
    make_token: str,
) -> None:
    application = service.start_draft(db, area.umbrella, NOW)
    token = service.issue_link(db, settings, application, now=datetime.now(UTC))
    link = db.scalars(select(ApplicantLink)).one()
    if make_token == "tampered":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif make_token == "expired":
        link.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    elif make_token == "revoked":
        link.revoked_at = datetime.now(UTC)
    else:
        token = "inte-en-länk"
    db.commit()
    response = client.get(f"/a/{token}/organisation")
    assert response.status_code == 404
    assert "Länken fungerar inte." in response.text
    assert '<a href="/links">Be om en ny länk</a>' in response.text


def test_closed_call_page_says_so(client: TestClient, db: Session, area: AreaSetup) -> None:
    area.umbrella.call_closes_at = datetime.now(UTC) - timedelta(days=1)
    area.umbrella.call_opens_at = datetime.now(UTC) - timedelta(days=30)
    db.commit()
    assert "Börja ansökan" not in client.get(f"/calls/{area.umbrella.id}").text
    response = post_form(client, f"/calls/{area.umbrella.id}/start", {})
    assert response.status_code == 400
    assert "Utlysningen Beredskap är stängd." in response.text


def test_required_attachments_over_http(
    client: TestClient, db: Session, area: AreaSetup, settings
) -> None:
    area.umbrella.required_attachments = ["Budget", "Styrelsebeslut"]
    db.commit()
    token = _start(client, area)
    for step, values in (("organisation", ORGANISATION), ("project", PROJECT), ("budget", BUDGET)):
        post_form(client, f"/a/{token}/{step}", values)
    refused = post_form(client, f"/a/{token}/submit", {"consent": "yes"})
    assert refused.status_code == 400
    assert "Bifoga också: budget, styrelsebeslut." in refused.text

    def upload(label: str, name: str, data: bytes):
        return client.post(
            f"/a/{token}/attachments",
            data={"label": label, "csrf_token": csrf_token(client)},
            files={"file": (name, data)},
            follow_redirects=False,
        )

    disguised = upload("Budget", "budget.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    assert disguised.status_code == 400
    assert "Filen är inte den filtyp som namnet anger." in disguised.text
    assert upload("Budget", "../../budget.pdf", files.pdf()).status_code == 303
    assert upload("Styrelsebeslut", "beslut.png", files.png()).status_code == 303
    page = client.get(f"/a/{token}/attachments").text
    assert "Alla bilagor som krävs finns med." in page
    stored = sorted((settings.attachments_dir).iterdir())
    assert len(stored) == 2 and all(re.fullmatch(r"[0-9a-f]{32}", p.name) for p in stored)

    application = db.scalar(
        select(Application).where(Application.status == ApplicationStatus.DRAFT)
    )
    budget = next(a for a in application.attachments if a.label == "Budget")
    download = client.get(f"/a/{token}/attachments/{budget.id}")
    assert download.content == files.pdf()
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert ".." not in budget.original_filename

    other_token = _start(client, area)
    assert client.get(f"/a/{other_token}/attachments/{budget.id}").status_code == 404

    submitted = post_form(client, f"/a/{token}/submit", {"consent": "yes"}, follow_redirects=False)
    assert submitted.status_code == 303
    # Once submitted, attachments can no longer be removed.
    assert post_form(client, f"/a/{token}/attachments/{budget.id}/delete", {}).status_code == 404


def test_a_new_link_can_be_requested_without_revealing_anything(
    client: TestClient, db: Session, area: AreaSetup
) -> None:
    application = service.start_draft(db, area.umbrella, NOW)
    _fill(application)
    service.submit(db, application, service.Context(area.umbrella, area.period, TODAY),
                   consent=True, now=NOW)  # fmt: skip
    db.commit()
    known = post_form(client, "/links", {"email": "EVA@example.se"})
    unknown = post_form(client, "/links", {"email": "okand@example.se"})
    assert "har vi skickat en ny länk dit" in known.text
    assert "har vi skickat en ny länk dit" in unknown.text
    mails = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "magic_link")).all()
    assert [m.to_address for m in mails] == ["eva@example.se"]
    token = re.search(r"/a/(\S+)", mails[0].body_text).group(1)
    assert "SMÅ-2026-0001" in client.get(f"/a/{token}").text
    for _ in range(5):
        post_form(client, "/links", {"email": "eva@example.se"})
    links_sent = select(func.count()).where(OutboxMessage.kind == "magic_link")
    assert db.scalar(links_sent) == service.LINK_MAILS_PER_HOUR
    bad = post_form(client, "/links", {"email": "inte en adress"})
    assert bad.status_code == 400
    assert "Ange en giltig e-postadress" in bad.text


# --- Komplettering ---------------------------------------------------------------------------


@pytest.fixture
def received(db: Session, draft: Application, context: service.Context) -> Application:
    _fill(draft)
    service.submit(db, draft, context, consent=True, now=NOW)
    return draft


def test_information_request_and_answer(
    db: Session, area: AreaSetup, received: Application, settings
) -> None:
    handler = Actor(label="Karin", user_id=area.users[Role.HANDLER].id, area_id=area.area.id)
    request = service.request_information(
        db, settings, handler, received, roles=OFFICE, message="Skicka offerten.",
        deadline=TODAY + timedelta(days=14), today=TODAY,
    )  # fmt: skip
    assert received.status is ApplicationStatus.AWAITING_INFORMATION
    mail = db.scalar(select(OutboxMessage).where(OutboxMessage.kind == "information_request"))
    assert mail.to_address == "eva@example.se"
    assert "Skicka offerten." in mail.body_text and "/a/" in mail.body_text
    with pytest.raises(service.JourneyError, match=r"Skriv ett svar\."):
        service.answer_information_request(
            db, received, request.id, answer=" ", today=TODAY, now=NOW
        )
    service.answer_information_request(
        db, received, request.id, answer="Offerten är bifogad.", today=TODAY, now=NOW
    )
    assert received.status is ApplicationStatus.IN_REVIEW
    assert (request.answer_text, request.answered_at) == ("Offerten är bifogad.", NOW)
    with pytest.raises(service.JourneyError, match="väntar inte på komplettering"):
        service.answer_information_request(
            db, received, request.id, answer="Igen", today=TODAY, now=NOW
        )


def test_answers_after_the_deadline_are_refused(
    db: Session, area: AreaSetup, received: Application, settings
) -> None:
    with pytest.raises(service.JourneyError, match="efter i dag"):
        service.request_information(
            db,
            settings,
            area.actor,
            received,
            roles=OFFICE,
            message="x",
            deadline=TODAY,
            today=TODAY,
        )
    request = service.request_information(
        db, settings, area.actor, received, roles=OFFICE, message="Skicka offerten.",
        deadline=TODAY + timedelta(days=1), today=TODAY,
    )  # fmt: skip
    with pytest.raises(service.JourneyError, match="Tiden för att svara har gått ut"):
        service.answer_information_request(
            db, received, request.id, answer="Sent svar", today=TODAY + timedelta(days=2), now=NOW
        )
    assert received.status is ApplicationStatus.AWAITING_INFORMATION


def test_komplettering_over_http(
    client: TestClient, db: Session, area: AreaSetup, settings, received: Application
) -> None:
    request = service.request_information(
        db, settings, area.actor, received, roles=OFFICE, message="Vilka offerter har ni tagit in?",
        deadline=date.today() + timedelta(days=14), today=date.today(),
    )  # fmt: skip
    token = service.issue_link(db, settings, received)
    db.commit()
    page = client.get(f"/a/{token}")
    assert "Vi behöver komplettering" in page.text
    assert "Vilka offerter har ni tagit in?" in page.text
    empty = post_form(client, f"/a/{token}/requests/{request.id}", {"answer": ""})
    assert empty.status_code == 400
    assert "Skriv ett svar." in empty.text
    answered = client.post(
        f"/a/{token}/requests/{request.id}",
        data={"answer": "Två offerter, se bilagan.", "csrf_token": csrf_token(client)},
        files={"file": ("offert.pdf", files.pdf())},
        follow_redirects=False,
    )
    assert answered.status_code == 303
    page = client.get(f"/a/{token}").text
    assert "Tack! Ert svar har skickats till handläggaren." in page
    assert "Två offerter, se bilagan." in page
    assert "Komplettering: " in page and "offert.pdf" in page
    db.refresh(received)
    assert received.status is ApplicationStatus.IN_REVIEW


def test_simultaneous_submits_create_one_application(committed_factory) -> None:
    """Two browsers (or a double click) submitting the same draft at the same moment."""
    with committed_factory() as db:
        setup = make_area(db, "dubbelklick")
        draft = service.start_draft(db, setup.umbrella, NOW)
        _fill(draft)
        db.commit()
        draft_id = draft.id
    barrier = threading.Barrier(2, timeout=30)
    outcomes: list[bool] = []

    def submit() -> None:
        with committed_factory() as db:
            application = db.get(Application, draft_id)
            context = service.Context(
                application.umbrella_project, application.action_area.period, TODAY
            )
            db.commit()  # end the reading transaction before the race starts
            barrier.wait()
            outcomes.append(service.submit(db, application, context, consent=True, now=NOW))
            db.commit()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False, True]
    with committed_factory() as db:
        references = db.scalars(select(Application.reference)).all()
    assert references == ["SMÅ-2026-0001"]


def test_a_late_field_check_does_not_overwrite_newer_values(draft: Application) -> None:
    service.save_step(draft, "project", PROJECT)
    # A check for the title, sent while the dates were still empty, arrives last.
    service.save_field(draft, "project", "title", "Reservkraft")
    values = service.draft_values(draft, "project")
    assert values["title"] == "Reservkraft"
    assert values["project_start"] == PROJECT["project_start"]


def test_html_in_every_text_field_is_shown_escaped(client: TestClient, area: AreaSetup) -> None:
    token = _start(client, area)
    script = "<script>alert(1)</script>"
    for step in STEPS:
        values = {spec.name: script for spec in step.fields if spec.type in ("text", "textarea")}
        if values:
            post_form(client, f"/a/{token}/{step.name}", {**values, "action": "save"})
    for page in ("organisation", "project", "budget", "review"):
        html = client.get(f"/a/{token}/{page}").text
        assert "<script>alert(1)" not in html, page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, page


def test_staff_download_attachments_of_their_own_area_only(
    client: TestClient, db: Session, area: AreaSetup, other_area: AreaSetup, settings
) -> None:
    mine = service.start_draft(db, area.umbrella, NOW)
    theirs = service.start_draft(db, other_area.umbrella, NOW)
    stored = [
        store(db, service.applicant_actor(app), application=app, label="Budget",
              filename="budget.pdf", data=files.pdf(), storage_dir=settings.attachments_dir,
              max_bytes=10**6)
        for app in (mine, theirs)
    ]  # fmt: skip
    db.commit()
    assert client.get(f"/attachments/{stored[0].id}", follow_redirects=False).status_code == 303
    login(client, area.users[Role.HANDLER].email)
    response = client.get(f"/attachments/{stored[0].id}")
    assert response.content == files.pdf()
    assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get(f"/attachments/{stored[1].id}").status_code == 404


def test_an_application_never_rewrites_the_organisation_register(
    db: Session, area: AreaSetup, draft: Application, context: service.Context
) -> None:
    # The area fixture's organisation 802002-4280 has no account; someone applies in its name.
    _fill(draft, organisation={"org_number": "802002-4280", "name": "Byaföreningen (ny kassör)",
                               "bankgiro": "", "plusgiro": "90 20 03-3",
                               "contact_email": "mallory@example.se"})  # fmt: skip
    service.submit(db, draft, context, consent=True, now=NOW)
    register = area.organisation
    db.refresh(register)
    assert (register.name, register.plusgiro, register.contact_email) == (
        "Byaföreningen i testbygd", None, "",
    )  # fmt: skip
    assert (draft.applicant_name, draft.plusgiro) == ("Byaföreningen (ny kassör)", "9020033")
    flagged = db.scalar(select(AuditEvent).where(AuditEvent.action == "organisation_differs"))
    assert flagged.summary == (
        "Uppgifterna i ansökan skiljer sig från organisationsregistret: namn, plusgiro, "
        "e-postadress. Kontrollera dem innan något betalas ut."
    )


def test_an_organisation_registered_at_the_same_moment_is_used_not_a_500(
    db: Session,
    area: AreaSetup,
    draft: Application,
    context: service.Context,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two applications naming the same new organisation, submitted at once: the second
    submission looked before the first committed, so its insert collides with the register."""
    lookups = iter([None])
    real = service._registered
    monkeypatch.setattr(service, "_registered", lambda *args: next(lookups, None) or real(*args))
    _fill(draft, organisation={"org_number": "802002-4280", "name": "Byaföreningen i testbygd"})
    service.submit(db, draft, context, consent=True, now=NOW)
    assert draft.organisation_id == area.organisation.id
    same_number = select(func.count()).where(
        Organisation.org_number == area.organisation.org_number
    )
    assert db.scalar(same_number) == 1


def test_a_withdrawn_application_cannot_be_revived_by_answering(
    db: Session, area: AreaSetup, received: Application, settings
) -> None:
    request = service.request_information(
        db, settings, area.actor, received, roles=OFFICE, message="Offert?",
        deadline=TODAY + timedelta(days=5), today=TODAY,
    )  # fmt: skip
    service.withdraw(db, received, "", NOW)
    with pytest.raises(service.JourneyError, match="väntar inte på komplettering"):
        service.answer_information_request(
            db, received, request.id, answer="Här", today=TODAY, now=NOW
        )
    assert received.status is ApplicationStatus.WITHDRAWN


def test_leader_projects_have_no_applicant_pages(
    client: TestClient, db: Session, area: AreaSetup, settings
) -> None:
    project = make_application(db, area)
    project.contact_email = "projekt@example.se"
    token = service.issue_link(db, settings, project)
    db.commit()
    assert client.get(f"/a/{token}").status_code == 404
    post_form(client, "/links", {"email": "projekt@example.se"})
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_a_requested_link_replaces_the_earlier_ones(
    client: TestClient, db: Session, settings, received: Application
) -> None:
    old = service.issue_link(db, settings, received)
    db.commit()
    post_form(client, "/links", {"email": "eva@example.se"})
    assert client.get(f"/a/{old}").status_code == 404


def test_send_link_is_checked_and_rate_limited(
    client: TestClient, db: Session, area: AreaSetup
) -> None:
    token = _start(client, area)
    two = "a@example.se, b@example.se"
    post_form(
        client, f"/a/{token}/organisation", {**ORGANISATION, "contact_email": two, "action": "save"}
    )
    refused = post_form(client, f"/a/{token}/send-link", {"step": "organisation"})
    assert "Fyll i kontaktpersonens e-postadress först" in refused.text
    post_form(client, f"/a/{token}/organisation", {**ORGANISATION, "action": "save"})
    for _ in range(5):
        post_form(client, f"/a/{token}/send-link", {"step": "organisation"})
    sent = db.scalars(select(OutboxMessage.to_address)).all()
    assert sent == ["eva@example.se"] * service.LINK_MAILS_PER_HOUR


def test_withdrawing_needs_a_confirmation(
    client: TestClient, db: Session, settings, received: Application
) -> None:
    token = service.issue_link(db, settings, received)
    db.commit()
    unconfirmed = post_form(client, f"/a/{token}/withdraw", {"reason": "Ångrar"})
    assert unconfirmed.status_code == 400
    assert "Kryssa i rutan om ni verkligen vill återta ansökan." in unconfirmed.text
    post_form(client, f"/a/{token}/withdraw", {"confirm": "yes"})
    db.refresh(received)
    assert received.status is ApplicationStatus.WITHDRAWN
