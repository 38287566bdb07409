"""WCAG 2.1 AA in a real browser: axe-core checks every main page of every role, with forms in
their error states too, and the public form and the handler's queue are used with the keyboard
alone. Swedish public-sector services must meet WCAG 2.1 AA (lagen om tillgänglighet till
digital offentlig service).

One database (the demo area), one live server and one Chromium serve the whole module."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Browser, BrowserContext, FilePayload, Page, expect
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from app.applicants import service as applicants
from app.applications.models import Application, InformationRequest
from app.auth.models import Role
from app.auth.routes import SECOND_STEP
from app.config import PROJECT_ROOT, Settings
from app.core.clock import local_today
from app.db import utcnow
from app.demo.seed import DEMO_LOGINS, DEMO_TOTP_SECRET, load_demo
from app.meetings.models import Meeting
from app.umbrellas.models import UmbrellaProject
from tests.browser import chromium, committed_database, live_server, step
from tests.factories import PASSWORD

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Beyond those tags: WCAG 2.1 still has 4.1.1 Parsing (axe files its rules as obsolete, after
# WCAG 2.2), and screen-reader users find their way by landmarks and headings (1.3.1, 2.4.1).
EXTRA_RULES = ["duplicate-id", "duplicate-id-active", "landmark-one-main", "page-has-heading-one",
               "region", "heading-order"]  # fmt: skip
EMAILS = {login.role: login.email for login in DEMO_LOGINS}
AWAITING = "Radiokommunikation vid avbrott"  # a demo småstöd waiting for komplettering
APPROVED = "Nödvattenstation Forssjö"  # a demo småstöd granted and not yet paid
IN_REVIEW = "Boulebana vid bygdegården"
LEADER_PROJECT = "Lokal livsmedelshubb"
ATTACHMENT: FilePayload = {"name": "offert.pdf", "mimeType": "application/pdf",
                           "buffer": b"%PDF-1.4\n%%EOF\n"}  # fmt: skip


@dataclass(frozen=True)
class Site:
    base: str
    browser: Browser
    factory: sessionmaker[Session]
    settings: Settings
    ids: dict[str, int]  # demo records by title
    links: dict[str, str]  # the applicant's magic links by case title


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo area on a live server. Deadlines and the call window are moved relative to today,
    so the forms they govern are on the pages whatever day the suite runs."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make assets` (npm ci).")
    tmp = tmp_path_factory.mktemp("a11y")
    with committed_database(tmp) as (url, factory):
        settings = Settings(
            environment="test", database_url=url, secret_key="k" * 48,
            attachments_dir=tmp / "attachments", mail_sender_enabled=False,
        )  # fmt: skip
        today = local_today()
        with factory() as db:
            load_demo(db, PASSWORD)
            db.execute(update(InformationRequest).values(deadline=today + timedelta(days=10)))
            db.execute(
                update(UmbrellaProject)
                .where(UmbrellaProject.name == "Beredskap")
                .values(call_closes_at=utcnow() + timedelta(days=365))
            )
            db.execute(update(Meeting).values(held_on=today))  # it can be opened today
            ids = {a.title: a.id for a in db.scalars(select(Application))}
            ids |= {f"umbrella:{u.name}": u.id for u in db.scalars(select(UmbrellaProject))}
            ids["meeting"] = db.scalar(select(Meeting.id))
            links = {
                title: applicants.issue_link(db, settings, db.get(Application, ids[title]))
                for title in (AWAITING, APPROVED)
            }
            db.commit()
        with chromium() as browser, live_server(settings) as base:
            yield Site(base, browser, factory, settings, ids, links)


class Audit:
    """Runs axe on pages and gathers every violation, so one run shows all that must be fixed."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.failures: list[str] = []

    def check(self, label: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        # Content in closed <details> must meet the rules too.
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true })")
        result: dict[str, Any] = page.evaluate(
            """([tags, rules]) => axe.run(document, {
                runOnly: {type: 'tag', values: tags},
                rules: Object.fromEntries(rules.map(rule => [rule, {enabled: true}])),
                resultTypes: ['violations']})""",
            [WCAG_21_AA, EXTRA_RULES],
        )
        for violation in result["violations"]:
            targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:8])
            self.failures.append(
                f"{label} ({page.url}): {violation['id']} [{violation['impact']}] "
                f"{violation['help']} -> {targets}"
            )

    def assert_clean(self) -> None:
        assert not self.failures, "WCAG 2.1 AA violations:\n" + "\n".join(self.failures)


def _context(site: Site, width: int = 1280, height: int = 900) -> BrowserContext:
    """A browser context with axe loaded into every page it opens."""
    context = site.browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(10_000)
    context.add_init_script(path=AXE)
    return context


def _log_in(site: Site, role: Role) -> tuple[BrowserContext, Page]:
    context = _context(site)
    page = context.new_page()
    page.goto(site.base + "/login")
    page.fill("#email", EMAILS[role])
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    if page.url.endswith(SECOND_STEP):  # the administrator's code from the authenticator app
        page.fill("#code", pyotp.TOTP(DEMO_TOTP_SECRET).now())
        with page.expect_navigation():
            page.click("button[type=submit].primary")
    return context, page


def _submit(page: Page, button: str) -> None:
    with page.expect_navigation():
        page.click(button)


def test_public_pages_and_application_form(site: Site) -> None:
    context = _context(site, 400, 860)  # a phone
    page = context.new_page()
    audit = Audit(page)
    with step(page, "a11y public pages"):
        for path, label in (("/", "start page"), ("/privacy", "privacy"), ("/links", "new link")):
            page.goto(site.base + path)
            audit.check(label)
        _submit(page, "form[action='/links'] button[type=submit]")
        expect(page.locator("#email-error")).to_be_visible()
        audit.check("new link, empty e-mail")
        page.goto(f"{site.base}/calls/{site.ids['umbrella:Beredskap']}")
        audit.check("call")
    with step(page, "a11y application form"):
        _submit(page, "text=Börja ansökan")
        page.fill("#org_number", "817604-5528")
        page.press("#org_number", "Tab")  # checked on the server as the field is left
        expect(page.locator("#org_number-error")).to_be_visible()
        audit.check("form step organisation, inline error")
        for name in ("organisation", "project", "budget"):
            page.goto(f"{page.url.rsplit('/', 1)[0]}/{name}")
            audit.check(f"form step {name}")
            _submit(page, "button.primary[value=next]")
            expect(page.locator("#error-summary")).to_be_visible()
            audit.check(f"form step {name}, submitted empty")
        page.goto(f"{page.url.rsplit('/', 1)[0]}/attachments")
        audit.check("form step attachments")
        _submit(page, "form[enctype] button[type=submit]")
        audit.check("form step attachments, no file")
        page.set_input_files("#file", files=[ATTACHMENT])
        _submit(page, "form[enctype] button[type=submit]")
        audit.check("form step attachments, one uploaded")
        page.goto(f"{page.url.rsplit('/', 1)[0]}/review")
        audit.check("form step review")
        _submit(page, "text=Skicka in ansökan")
        audit.check("form step review, submitted without consent")
    with step(page, "a11y applicant status pages"):
        page.goto(f"{site.base}/a/{site.links[AWAITING]}")
        audit.check("status page with komplettering")
        _submit(page, "text=Skicka svaret")
        expect(page.locator("#answer-error")).to_be_visible()
        audit.check("status page, empty answer")
        page.goto(f"{site.base}/a/{site.links[APPROVED]}")
        audit.check("status page with payment claim")
        _submit(page, "text=Begär utbetalning")
        audit.check("status page, empty claim")
        page.goto(f"{site.base}/a/not-a-valid-link")
        audit.check("status page, broken link")
    with step(page, "a11y login and errors"):
        page.goto(site.base + "/login")
        audit.check("login")
        page.fill("#email", EMAILS[Role.HANDLER])
        page.fill("#password", "fel lösenord")
        _submit(page, "button[type=submit].primary")
        audit.check("login, wrong password")
        page.goto(site.base + "/finns-inte")
        audit.check("404")
    context.close()
    audit.assert_clean()


def test_handler_pages(site: Site) -> None:
    context, page = _log_in(site, Role.HANDLER)
    audit = Audit(page)
    with step(page, "a11y handler queue"):
        audit.check("queue")
        page.fill("#q", "Bered")
        expect(page.locator("#queue .queue-summary")).not_to_contain_text("27")
        page.select_option("#kind", "smastod")
        page.wait_for_url("**kind=smastod**")
        audit.check("queue, searched and filtered")
        page.goto(site.base + "/cases?status=awaiting_information&overdue=true")
        audit.check("queue, nothing matches")
    with step(page, "a11y handler case pages"):
        # One case in each state that brings its own forms: assessment, decision, payment, and
        # the Leader project's registration of Jordbruksverket's number.
        for title in (IN_REVIEW, "Fiber till sista gården", APPROVED, LEADER_PROJECT):
            page.goto(f"{site.base}/cases/{site.ids[title]}")
            audit.check(f"case {title}")
        page.goto(f"{site.base}/cases/{site.ids[IN_REVIEW]}")
        page.fill("#komplettering-deadline", "")
        _submit(page, "button:has-text('Begär komplettering')")
        expect(page.locator("#error-summary")).to_be_visible()
        audit.check("case, komplettering without message")
    with step(page, "a11y handler other pages"):
        for path in ("/cases/new-project", "/organisations", "/organisations/new"):
            audit.check(path)
        page.goto(site.base + "/cases/new-project")
        _submit(page, "main button[type=submit].primary")
        audit.check("new project, submitted empty")
        page.goto(site.base + "/organisations/new")
        _submit(page, "main button[type=submit].primary")
        audit.check("new organisation, submitted empty")
        page.goto(site.base + "/umbrellas")
        audit.check("403 calls for a handler")
    context.close()
    audit.assert_clean()


def test_manager_pages(site: Site) -> None:
    context, page = _log_in(site, Role.MANAGER)
    audit = Audit(page)
    with step(page, "a11y manager pages"):
        audit.check("budget")
        first_count = page.locator("#plan input[name=count]").first
        first_count.fill("många")
        _submit(page, "#plan form button[type=submit] >> nth=0")
        audit.check("budget, progress with an error")
        edit_call = f"/umbrellas/{site.ids['umbrella:Beredskap']}/edit"
        for path in ("/umbrellas", "/umbrellas/new", edit_call, "/board"):
            page.goto(site.base + path)
            audit.check(path)
        page.goto(site.base + "/umbrellas/new")
        _submit(page, "main button[type=submit].primary")
        audit.check("new call, submitted empty")
        page.goto(site.base + "/board")
        _submit(page, "#new-member button[type=submit]")
        audit.check("board, new member submitted empty")
    context.close()
    audit.assert_clean()


def test_chair_and_member_pages(site: Site) -> None:
    meeting = f"{site.base}/board/meetings/{site.ids['meeting']}"
    context, page = _log_in(site, Role.LAG_CHAIR)
    audit = Audit(page)
    with step(page, "a11y chair pages"):
        audit.check("board")
        page.goto(site.base + "/board/meetings")
        audit.check("meetings")
        _submit(page, "#new-meeting button[type=submit]")
        audit.check("meetings, planned empty")
        page.goto(meeting)
        audit.check("planned meeting")
        page.locator("#attendance input[name=present]").evaluate_all(
            "boxes => boxes.forEach(box => { box.checked = true })"
        )
        _submit(page, "#attendance button:has-text('Spara närvaro')")
        _submit(page, "#attendance button:has-text('Öppna mötet')")
        audit.check("open meeting")
        _submit(page, "form[action$='/decision'] button[type=submit]")
        audit.check("open meeting, decision without outcome")
    member_context, member = _log_in(site, Role.LAG_MEMBER)
    member_audit = Audit(member)
    with step(member, "a11y member pages"):
        member_audit.check("board")
        member.goto(meeting)
        member_audit.check("open meeting")
        member.goto(site.base + "/umbrellas")
        member_audit.check("403 calls for a member")
    context.close()
    member_context.close()
    audit.assert_clean()
    member_audit.assert_clean()


def test_admin_pages(site: Site) -> None:
    context, page = _log_in(site, Role.ADMIN)
    audit = Audit(page)
    with step(page, "a11y admin pages"):
        audit.check("users")
        page.goto(site.base + "/admin/users/new")
        _submit(page, "button[type=submit].primary")
        audit.check("invitation with errors")
        page.goto(site.base + "/admin/users")
        with page.expect_navigation():
            page.click("text=Johan Ek")
        audit.check("a user")
        _submit(page, "#deactivate-heading ~ form button")
        audit.check("a user, deactivated")
        _submit(page, "#reactivate-heading ~ form button")  # the member logs in below
        page.goto(site.base + "/account")
        audit.check("my account with two-factor login")
        page.goto(site.base + "/admin/areas/new")
        _submit(page, "button[type=submit].primary")
        audit.check("new area with errors")
    context.close()
    member_context, member = _log_in(site, Role.LAG_MEMBER)
    member_audit = Audit(member)
    with step(member, "a11y account without two-factor login"):
        member.goto(site.base + "/account")
        _submit(member, "form[action='/account/two-factor'] button")
        member_audit.check("two-factor set-up with an error")
    member_context.close()
    audit.assert_clean()
    member_audit.assert_clean()


# --- Keyboard only -------------------------------------------------------------------------

# What a sighted keyboard user sees of the focused element: an outline or a box-shadow, and how
# it contrasts (WCAG 1.4.11: at least 3:1) with what is just outside the element.
FOCUS_INDICATOR = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== 'none';
  const rgb = value => (value.match(/[\\d.]+/g) || []).map(Number);
  const opaque = value => { const c = rgb(value); return c.length === 3 || c[3] > 0.5; };
  const luminance = ([r, g, b]) => [r, g, b].map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const box = el.getBoundingClientRect();
  const x = Math.max(0, box.left - parseFloat(style.outlineOffset || 0) - 2);
  const behind = document.elementsFromPoint(x, box.top + box.height / 2)
    .find(other => other !== el && !el.contains(other));
  let background = 'rgb(255, 255, 255)';
  for (let node = behind; node; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    if (opaque(colour)) { background = colour; break; }
  }
  const [a, b] = [luminance(rgb(style.outlineColor)), luminance(rgb(background))];
  return {
    element: el.outerHTML.slice(0, 120),
    visible: outline || shadow,
    contrast: outline ? (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) : null,
  };
}"""


def _assert_focus_visible(page: Page) -> None:
    indicator = page.evaluate(FOCUS_INDICATOR)
    assert indicator["visible"], f"no visible focus on {indicator['element']}"
    if indicator["contrast"] is not None:
        assert indicator["contrast"] >= 3, f"focus outline hard to see: {indicator}"


def _focused(page: Page, selector: str) -> bool:
    return page.evaluate("selector => document.activeElement.matches(selector)", selector)


def _tab_to(page: Page, selector: str, limit: int = 80) -> int:
    """Press Tab until the focused element matches; every element on the way must show its
    focus. Returns the number of presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        _assert_focus_visible(page)
        if _focused(page, selector):
            return presses
    pytest.fail(f"{selector} not reached with Tab from {page.url}")


def _skip_to_main(page: Page) -> None:
    """The first Tab on a page reaches the skip link, which takes focus to the content."""
    page.keyboard.press("Tab")
    assert _focused(page, "a.skip-link"), "the skip link is not the first stop"
    assert page.locator("a.skip-link").bounding_box()["x"] >= 0, "the skip link stays hidden"
    _assert_focus_visible(page)
    page.keyboard.press("Enter")
    assert _focused(page, "main#main")


def _fill_form_by_keyboard(page: Page, values: dict[str, str]) -> None:
    """Tab through the form's fields one by one, in the order they are shown, typing values."""
    fields = page.locator("form.application-form .field :is(input, select, textarea)")
    ids: list[str] = fields.evaluate_all("els => els.map(e => e.id)")
    tops: list[float] = fields.evaluate_all("els => els.map(e => e.getBoundingClientRect().top)")
    assert tops == sorted(tops), "fields are not laid out in source order"
    _tab_to(page, f"#{ids[0]}")
    for field_id in ids:
        assert _focused(page, f"#{field_id}"), f"Tab skipped to another field than #{field_id}"
        if field_id in values:
            value = values[field_id]
            if page.locator(f"#{field_id}").get_attribute("type") == "date":
                # Chromium's date field takes month, day and year, whatever the page language.
                year, month, day = value.split("-")
                value = month + day + year
            page.keyboard.type(value)
            expect(page.locator(f"#{field_id}")).to_have_value(values[field_id])
        while _focused(page, f"#{field_id}"):  # a date field has a stop per part
            page.keyboard.press("Tab")
        _assert_focus_visible(page)


def _press_enter_and_wait(page: Page, url_glob: str) -> None:
    with page.expect_navigation(url=url_glob):
        page.keyboard.press("Enter")


def test_application_form_by_keyboard_only(site: Site) -> None:
    context = site.browser.new_context(viewport={"width": 400, "height": 860}, locale="sv-SE")
    context.set_default_timeout(10_000)
    page = context.new_page()
    start = local_today() + timedelta(days=7)
    with step(page, "keyboard: open the call"):
        page.goto(f"{site.base}/calls/{site.ids['umbrella:Beredskap']}")
        _skip_to_main(page)
        _tab_to(page, "form[action$='/start'] button")
        _press_enter_and_wait(page, "**/organisation")
    with step(page, "keyboard: organisation"):
        _skip_to_main(page)
        _fill_form_by_keyboard(page, {
            "name": "Sparreholms skytteförening", "org_number": "817604-5527",
            "bankgiro": "5050-1055", "contact_name": "Eva Ek", "contact_email": "eva@example.se",
        })  # fmt: skip
        expect(page.locator("#org_number-error")).to_have_count(0)
        assert _focused(page, "button[value=save]"), "after the fields comes Spara utkast"
        _tab_to(page, "button.primary[value=next]")
        _press_enter_and_wait(page, "**/project")
    with step(page, "keyboard: project"):
        _skip_to_main(page)
        _fill_form_by_keyboard(page, {
            "title": "Skyttestuga som värmestuga", "description": "Reservkraft till stugan.",
            "expected_results": "En värmestuga vid kris.", "project_start": start.isoformat(),
            "project_end": (start + timedelta(days=90)).isoformat(),
        })  # fmt: skip
        _tab_to(page, "button.primary[value=next]")
        _press_enter_and_wait(page, "**/budget")
    with step(page, "keyboard: budget"):
        _skip_to_main(page)
        _fill_form_by_keyboard(page, {
            "cost_1_description": "Reservaggregat", "cost_1_amount": "40000",
            "leader_support": "40000", "volunteer_hours_adult": "60", "volunteer_women": "4",
            "volunteer_men": "3",
        })  # fmt: skip
        _tab_to(page, "button.primary[value=next]")
        _press_enter_and_wait(page, "**/attachments")
    with step(page, "keyboard: attachments"):
        # The file dialog is the operating system's, not the page's: the test hands the file to
        # the focused field as the dialog would (Chromium opens a dialog from Enter on the field,
        # but not reliably more than once a page in headless runs).
        for _ in range(3):  # each required attachment; the list offers the next one missing
            _skip_to_main(page)
            _tab_to(page, "#file")
            page.set_input_files("#file", files=[ATTACHMENT])
            _tab_to(page, "form[enctype] button[type=submit]")
            _press_enter_and_wait(page, "**/attachments")
        expect(page.locator("#required")).to_contain_text("Alla bilagor som krävs finns med.")
        _skip_to_main(page)
        _tab_to(page, "a.button.primary")
        _press_enter_and_wait(page, "**/review")
    with step(page, "keyboard: review and submit"):
        _skip_to_main(page)
        _tab_to(page, "#consent")
        page.keyboard.press("Space")
        expect(page.locator("#consent")).to_be_checked()
        _tab_to(page, "form.submit-form button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.locator("main")).to_contain_text("Tack! Ansökan har kommit in")
    context.close()


def test_handler_queue_by_keyboard_only(site: Site) -> None:
    context = _context(site)
    page = context.new_page()
    with step(page, "keyboard: log in"):
        page.goto(site.base + "/login")
        _skip_to_main(page)
        _tab_to(page, "#email")
        page.keyboard.type(EMAILS[Role.HANDLER])
        page.keyboard.press("Tab")
        assert _focused(page, "#password")
        page.keyboard.type(PASSWORD)
        _press_enter_and_wait(page, "**/cases")
    with step(page, "keyboard: search the queue"):
        _skip_to_main(page)
        assert _tab_to(page, "#q") <= 2, "the search comes right after the page's first link"
        page.keyboard.type(IN_REVIEW)
        expect(page.locator("#queue tbody tr")).to_have_count(1)
        expect(page.locator("#queue .queue-summary")).to_contain_text("1 ärenden")
    with step(page, "keyboard: open the case"):
        _tab_to(page, "#queue tbody a")
        page.keyboard.press("Shift+Tab")
        assert _focused(page, "#queue tbody input[name=ids]"), "Shift+Tab goes back a stop"
        page.keyboard.press("Tab")
        _press_enter_and_wait(page, f"**/cases/{site.ids[IN_REVIEW]}")
        expect(page.locator("h1")).to_contain_text(IN_REVIEW)
    context.close()
