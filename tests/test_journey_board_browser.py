"""The LAG board's journey in a real browser: the main paths of both board roles, each with a
login of its own. The chair (LAG-ordförande) plans a meeting, puts two småstöd above the office's
delegation on the agenda, records attendance (too many from one sector) and opens the meeting; a
member (LAG-ledamot) opens the meeting from the board page and declares jäv from their own
device; the chair records the board's joint scores and the votes, the member votes from their own
page and the chair's live panel shows it; the decision is refused for imbalance, the chair fixes
the attendance, the decision is accepted; the meeting is closed with two adjusters, the minutes
adjusted and opened, the applicant gets the decision letter by e-mail and the case is approved in
the database."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from app.applications.models import Application, ApplicationStatus
from app.areas.models import SelectionCriterion
from app.auth.models import Role
from app.board.rules import format_share
from app.casework.models import DecisionProposal, ProposedOutcome
from app.config import Settings
from app.core.clock import local_today
from app.decisions.models import Decision, DecisionBody
from app.meetings.models import AgendaItem, ItemOutcome, Meeting, MeetingStatus
from tests.browser import chromium, committed_database, live_server, served_settings, step, wait_for
from tests.factories import PASSWORD, make_area, make_board, make_small_grant_case
from tests.smtp import Received, RecordingHandler, smtp_server

RESERVKRAFT = "Reservkraft till bygdegården"
HJARTSTARTARE = "Hjärtstartare i byn"
SECRET = "Föreningens ekonomi är svag; kassören har avgått."  # the handler's internal assessment


@pytest.fixture
def journey_db(tmp_path: Path):
    """A committed database of its own: an area with selection criteria, its LAG (nine ordinary
    members and three substitutes; the chair and Per Kommun have logins) and two småstöd of
    40 000 and 35 000 kr, above the office's 30 000 kr delegation, ready for decision."""
    with committed_database(tmp_path) as (url, factory):
        with factory() as db:
            setup = make_area(db, "lagbygd")
            board = make_board(db, setup)
            db.add_all([
                SelectionCriterion(area_id=setup.area.id, period_id=setup.period.id,
                                   position=n, name=name, weight=weight, max_points=10)
                for n, (name, weight) in enumerate((("Förankring", 60), ("Innovation", 40)), 1)
            ])  # fmt: skip
            first = make_small_grant_case(db, setup, requested_kr=40_000, title=RESERVKRAFT,
                                          status=ApplicationStatus.READY_FOR_DECISION)  # fmt: skip
            second = make_small_grant_case(db, setup, requested_kr=35_000, title=HJARTSTARTARE,
                                           status=ApplicationStatus.READY_FOR_DECISION)  # fmt: skip
            db.add(DecisionProposal(
                area_id=setup.area.id, application_id=first.id, outcome=ProposedOutcome.APPROVE,
                amount_ore=first.requested_ore, motivation=SECRET, proposed_by_name="Handläggare",
            ))  # fmt: skip
            db.commit()
            members = {key: member.id for key, member in board.items()}
            cases = {RESERVKRAFT: (first.id, first.reference),
                     HJARTSTARTARE: (second.id, second.reference)}  # fmt: skip
        yield url, factory, setup, members, cases


def _log_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button:has-text('Logga in')")
    page.wait_for_url(f"{base}/board")


def _submit(page: Page, button: Locator, notice: str) -> None:
    """Press a meeting button and wait for the page that comes back with its notice."""
    with page.expect_navigation():
        button.click()
    expect(page.locator("main > p.notice[role=status]")).to_have_text(notice)


def _refused(page: Page, button: Locator, alert: str) -> None:
    """Press a button and wait for the page that says why it was refused."""
    with page.expect_navigation():
        button.click()
    expect(page.locator("#meeting-alert")).to_have_text(alert)


def _record_votes(page: Page, item: Locator, member_ids: list[int]) -> None:
    """The chair records, one by one, the votes of members without a device of their own."""
    for member_id in member_ids:
        form = item.locator("form.vote:has(select[name=member])")
        form.locator("select[name=member]").select_option(str(member_id))
        _submit(page, form.get_by_role("button", name="Ja", exact=True),
                "Rösten är registrerad.")  # fmt: skip


def _decide(page: Page, item: Locator, amount: str, motivation: str) -> Locator:
    form = item.locator("form[action$='/decision']")
    form.locator("input[name=outcome][value=approved]").check()
    form.locator("input[name=amount]").fill(amount)
    form.locator("textarea[name=motivation]").fill(motivation)
    return form.get_by_role("button", name="Fatta beslut")


def _mail(handler: RecordingHandler, subject: str) -> Received:
    return wait_for(
        lambda: next((r for r in handler.received if r.message["Subject"] == subject), None)
    )


def test_board_journey_in_chromium(journey_db, settings: Settings) -> None:
    url, factory, setup, members, cases = journey_db
    (first_id, first_ref), (second_id, second_ref) = cases[RESERVKRAFT], cases[HJARTSTARTARE]
    inbox = RecordingHandler()
    with smtp_server(inbox) as smtp, chromium() as browser:
        app_settings = served_settings(settings, url, smtp)
        with live_server(app_settings) as base:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            badge = page.locator(".case-status .badge")
            with step(page, "chair logs in and plans a meeting"):
                _log_in(page, base, setup.users[Role.LAG_CHAIR].email)
                page.goto(base + "/board/meetings")
                expect(page.locator("h1")).to_have_text("LAG-möten")
                page.fill("#held_on", local_today().isoformat())
                page.fill("#starts_at", "18:00")
                page.fill("#place", "Bygdegården, Forssjö")
                page.fill("#secretary_name", "Eva Sekreterare")
                _submit(
                    page, page.get_by_role("button", name="Planera mötet"),
                    "Mötet är planerat. Lägg till ärenden och registrera närvaron.",
                )  # fmt: skip
                page.wait_for_url(re.compile(r"/board/meetings/\d+$"))
                meeting_url = page.url
                meeting_id = int(meeting_url.rsplit("/", 1)[1])
                expect(badge).to_have_text("Planerat")
            with step(page, "chair puts both cases on the agenda"):
                for case_id in (first_id, second_id):
                    page.select_option("#item-application", str(case_id))
                    _submit(page, page.get_by_role("button", name="Lägg till ärendet"),
                            "Punkten är tillagd.")  # fmt: skip
                with factory() as db:
                    item_ids = [i.id for i in db.get(Meeting, meeting_id).items]
                first, second = (page.locator(f"#item-{item_id}") for item_id in item_ids)
                expect(first.locator("h3")).to_have_text(f"§ 1 {first_ref} {RESERVKRAFT}")
                expect(second.locator("h3")).to_have_text(f"§ 2 {second_ref} {HJARTSTARTARE}")
                expect(first).to_contain_text(SECRET)  # the chair has no jäv
            with step(page, "chair records attendance with too many from one sector"):
                for key in ("chair", "public1", "public2", "public3", "public_sub", "business1"):
                    page.check(f"#attendance input[name=present][value='{members[key]}']")
                _submit(page, page.get_by_role("button", name="Spara närvaro"),
                        "Närvaron är registrerad.")  # fmt: skip
                _submit(page, page.get_by_role("button", name="Öppna mötet"), "Mötet är öppnat.")
                expect(badge).to_have_text("Pågår")
                expect(first.locator(".panel")).to_contain_text("Deltar i beslutet (5):")
                expect(first.locator(".panel .alert")).to_have_text(
                    f"Beslutet kan inte fattas: offentlig sektor har 3 av 5 röster "
                    f"({format_share(3, 5)})."
                )

            member = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            mine, mine_second = (member.locator(f"#item-{item_id}") for item_id in item_ids)
            with step(member, "member declares jäv from their own device"):
                _log_in(member, base, setup.users[Role.LAG_MEMBER].email)
                upcoming = member.locator("section[aria-labelledby=meetings-heading]")
                with member.expect_navigation():
                    upcoming.get_by_role("link", name=re.compile("kl. 18:00")).click()
                member.wait_for_url(meeting_url)
                expect(mine).to_contain_text(SECRET)
                expect(member.locator("#attendance form")).to_have_count(0)  # not an organiser
                mine.locator("input[name=reason]").fill("Min bror är kassör i föreningen.")
                _submit(member, mine.get_by_role("button", name="Anmäl jäv"), "Jävet är anmält.")
                expect(mine).to_contain_text(
                    "Du har anmält jäv i ärendet och deltar inte i handläggningen."
                )
                expect(mine).not_to_contain_text(SECRET)
                expect(mine.locator("form.vote")).to_have_count(0)  # no vote on this item
                expect(mine_second.locator("form.vote")).to_contain_text("Min röst:")

            with step(page, "the chair's live panel shows the jäv"):
                # No reload: htmx polls the panel every three seconds.
                expect(first.locator(".panel")).to_contain_text("Deltar inte: Per Kommun",
                                                                timeout=10_000)  # fmt: skip
                expect(first.locator(".panel")).to_contain_text(
                    "Anna Ersättare (offentlig sektor, ersätter)"
                )
                expect(first.locator(".panel .alert")).to_contain_text("3 av 5 röster")
            with step(page, "chair records the board's joint scores"):
                scores = first.locator("form[action$='/scores']")
                expect(scores.locator("input[name=joint]")).to_be_checked()
                for box in scores.locator("input[type=radio][value=yes]").all():
                    box.check()
                with factory() as db:
                    criteria = db.scalars(
                        select(SelectionCriterion.id).order_by(SelectionCriterion.position)
                    ).all()
                for criterion_id, points, why in zip(
                    criteria, ("8", "6"), ("Bred förankring i byn.", "Nytt för bygden."),
                    strict=True,
                ):  # fmt: skip
                    scores.locator(f"input[name=points_{criterion_id}]").fill(points)
                    scores.locator(f"input[name=justification_{criterion_id}]").fill(why)
                _submit(page, scores.get_by_role("button", name="Spara poäng"),
                        "Poängen är sparade.")  # fmt: skip
                expect(first.locator("details.scoring summary")).to_contain_text(
                    "Styrelsens poäng: 720,0 av gränsen 650 · plats 1"
                )
                expect(first).to_contain_text("Jäv: Per Kommun (Min bror är kassör i föreningen.)")
            with step(page, "chair records the votes on the first item"):
                _record_votes(page, first, [members[k] for k in
                                            ("chair", "public2", "public3", "public_sub",
                                             "business1")])  # fmt: skip
                expect(first.locator(".panel")).to_contain_text("Röster: 5 ja, 0 nej, 0 avstår")

            with step(member, "member votes from their own page"):
                _submit(member, mine_second.locator("form.vote").get_by_role("button", name="Ja"),
                        "Rösten är registrerad.")  # fmt: skip
            with step(page, "the chair sees the member's vote arrive"):
                expect(second.locator(".panel")).to_contain_text("Röster: 1 ja, 0 nej, 0 avstår",
                                                                 timeout=10_000)  # fmt: skip

            with step(page, "the decision is refused for imbalance"):
                _refused(page, _decide(page, first, "40 000", "Stärker byns beredskap."),
                         "Beslutet kan inte fattas: offentlig sektor har 3 av 5 röster "
                         f"({format_share(3, 5)}).")  # fmt: skip
                # What was typed is kept for the next try.
                expect(first.locator("textarea[name=motivation]")).to_have_value(
                    "Stärker byns beredskap."
                )
            with step(page, "chair fixes the attendance"):
                for key in ("civil2", "business2"):
                    page.check(f"#attendance input[name=present][value='{members[key]}']")
                _submit(page, page.get_by_role("button", name="Spara närvaro"),
                        "Närvaron är registrerad.")  # fmt: skip
                expect(first.locator(".panel")).to_contain_text("Deltar i beslutet (7):")
                expect(first.locator(".panel")).to_contain_text("Beslut kan fattas")
                expect(first.locator(".panel")).to_contain_text(
                    "Röster: 5 ja, 0 nej, 0 avstår · väntar på Lena Ideell, Jonas Handel"
                )
            with step(page, "the new members vote and the decision is accepted"):
                _record_votes(page, first, [members["civil2"], members["business2"]])
                _submit(page, _decide(page, first, "40 000", "Stärker byns beredskap."),
                        "Beslutet är fattat. Det gäller när protokollet är justerat.")  # fmt: skip
                expect(first).to_contain_text(
                    "Beslut: Beviljas 40 000 kr (7 ja, 0 nej, 0 avstår) – gäller när "
                    "protokollet är justerat."
                )
                expect(first.locator("form[action$='/decision']")).to_have_count(0)
            with step(page, "the second item is decided"):
                _record_votes(page, second, [members[k] for k in
                                             ("chair", "civil2", "public2", "public3",
                                              "business1", "business2")])  # fmt: skip
                _submit(page, _decide(page, second, "35 000", "Hjärtstartare räddar liv."),
                        "Beslutet är fattat. Det gäller när protokollet är justerat.")  # fmt: skip
                expect(second).to_contain_text("Beslut: Beviljas 35 000 kr (7 ja, 0 nej, 0 avstår)")
            with step(page, "chair closes the meeting with two adjusters"):
                page.select_option("#adjuster_one", str(members["civil2"]))
                page.select_option("#adjuster_two", str(members["business2"]))
                _submit(page, page.get_by_role("button", name="Avsluta mötet"),
                        "Mötet är avslutat. Protokollet ska nu justeras.")  # fmt: skip
                expect(badge).to_have_text("Avslutat, väntar på justering")
                expect(page.locator("#minutes")).to_contain_text(
                    "Justerare: Lena Ideell och Jonas Handel."
                )
            with step(page, "the minutes are adjusted"):
                _submit(
                    page, page.get_by_role("button", name="Protokollet är justerat"),
                    "Protokollet är justerat. Besluten gäller och de sökande får besked.",
                )  # fmt: skip
                expect(badge).to_have_text("Protokollet justerat")
                expect(page.locator("#attendance form")).to_have_count(0)
            with step(page, "the minutes open"):
                with page.expect_navigation():
                    page.locator("#minutes").get_by_role("link", name="Protokollet").click()
                page.wait_for_url(f"{meeting_url}/minutes")
                body = page.locator("body")
                expect(page.locator("h1")).to_have_text(
                    "Protokoll fört vid LAG-styrelsens sammanträde"
                )
                expect(body).to_contain_text(
                    "Per Kommun anmälde jäv och deltog inte i handläggningen av ärendet. "
                    "Skäl: Min bror är kassör i föreningen."
                )
                expect(body).to_contain_text(
                    "Anna Ersättare tjänstgjorde som ersättare för Per Kommun."
                )
                expect(body).to_contain_text("Beviljas med 40 000 kr.")
                expect(body).to_contain_text("Beslutet fattades enhälligt med 7 röster för.")

            with step(member, "the applicant gets the decision letter by e-mail"):
                mail = _mail(inbox, f"Beslut om er ansökan {first_ref}")
                assert mail.rcpt_tos == ["eva@example.se"]
                [pdf] = list(mail.message.iter_attachments())
                assert pdf.get_content_type() == "application/pdf"
                assert pdf.get_filename() == f"beslut-{first_ref}.pdf"
                assert pdf.get_content().startswith(b"%PDF")
                _mail(inbox, f"Beslut om er ansökan {second_ref}")

    with factory() as db:
        application = db.get(Application, first_id)
        assert application.status is ApplicationStatus.APPROVED
        assert application.granted_ore == 40_000_00
        assert db.get(Application, second_id).status is ApplicationStatus.APPROVED
        decision = db.scalar(select(Decision).where(Decision.application_id == first_id))
        assert decision.body is DecisionBody.LAG and decision.letter_attachment_id is not None
        meeting = db.get(Meeting, meeting_id)
        assert meeting.status is MeetingStatus.ADJUSTED
        assert meeting.adjuster_one_id == members["civil2"]
        item = db.get(AgendaItem, item_ids[0])
        assert (item.outcome, item.votes_for) == (ItemOutcome.APPROVED, 7)
        assert members["public1"] not in {v["id"] for v in item.participation["voters"]}
