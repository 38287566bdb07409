"""Two languages: every message is in the English catalogue, no template or refusal escapes
it, pages never mix the languages, and formatting follows the chosen language while documents
with legal weight stay Swedish."""

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import Application, ApplicationStatus
from app.areas.models import Area
from app.config import PROJECT_ROOT
from app.core import formatting, i18n
from app.core.i18n import LANGUAGE_COOKIE, gettext, use_language
from app.core.money import InvalidAmount, format_kronor_input, format_money, parse_kronor
from app.core.templates import templates
from app.demo.seed import DEMO_LOGINS, load_demo
from app.meetings.models import Meeting
from tests.http import login, post_form

CATALOGUE = PROJECT_ROOT / "app" / "locale" / "en" / "LC_MESSAGES" / "messages.po"
# Swedish on purpose: documents with legal weight (see docs/i18n.md).
SWEDISH_DOCUMENTS = {
    "templates/decisions/letter.html",
    "templates/meetings/minutes.html",
}
SWEDISH_MODULES = {
    "app/cli.py",
    "app/decisions/letter.py",
    "app/meetings/minutes.py",
    "app/dashboard/pdf.py",
    "app/dashboard/exports.py",
}
DEMO_PASSWORD = "demo-lösenord"
EXTRACT = [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg"]


def _read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _messages(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def _singular(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _strings(message: Message) -> tuple[str, ...]:
    return (message.string,) if isinstance(message.string, str) else tuple(message.string)


_PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|\{[a-z_]+\}")


# -- The catalogue ---------------------------------------------------------------------------


def test_every_message_has_an_english_translation() -> None:
    messages = _messages(_read_catalogue(CATALOGUE))
    assert len(messages) > 500, "the English catalogue looks empty"
    untranslated = [_singular(m) for m in messages if not all(_strings(m)) or m.fuzzy]
    assert not untranslated, f"untranslated in {CATALOGUE.name}: {untranslated}"


def test_translations_keep_every_placeholder() -> None:
    broken = []
    for message in _messages(_read_catalogue(CATALOGUE)):
        ids = (message.id,) if isinstance(message.id, str) else message.id
        for form, string in enumerate(_strings(message)):
            expected = set(_PLACEHOLDER.findall(ids[min(form, len(ids) - 1)]))
            found = set(_PLACEHOLDER.findall(string))
            if len(ids) > 1:  # a singular may or may not spell out its count
                expected -= {"%(count)s", "{count}"}
                found -= {"%(count)s", "{count}"}
            if found != expected:
                broken.append((_singular(message), string))
    assert not broken


def test_catalogue_holds_exactly_the_messages_in_the_code(tmp_path: Path) -> None:
    """`make catalogs` merges new messages; this catches a catalogue committed without them."""
    template = tmp_path / "messages.pot"
    subprocess.run(
        [*EXTRACT, "-o", str(template), "--no-wrap", "app", "templates"],
        cwd=PROJECT_ROOT,
        check=True,
    )
    in_code = {_singular(m) for m in _messages(_read_catalogue(template))}
    in_catalogue = {_singular(m) for m in _messages(_read_catalogue(CATALOGUE))}
    assert sorted(in_code - in_catalogue) == [], "run `make catalogs` and translate"
    assert sorted(in_catalogue - in_code) == [], "obsolete messages in the catalogue"


def test_compiled_catalogue_is_used() -> None:
    with use_language("en"):
        assert gettext("Logga ut") == "Log out"
    assert gettext("Logga ut") == "Logga ut"


# -- Nothing escapes the catalogue -----------------------------------------------------------

# Text a template may show as is: the product's name.
_UNTRANSLATED_NAMES = {"Bygdestöd"}
_ATTRIBUTE_LIST = re.compile(r'\s*(?:[\w:-]+="[^"<>]*"\s*)+')
# Attributes that people read or hear.
_TEXT_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder", "hx-confirm", "data-confirm"}


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        submit = tag == "input" and dict(attrs).get("type") in ("submit", "button")
        for name, value in attrs:
            if value and (name in _TEXT_ATTRIBUTES or (name == "value" and submit)):
                self.texts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        # A macro may assemble a tag's attributes apart from the tag ('id="…" name="…"').
        if not self._skip and not _ATTRIBUTE_LIST.fullmatch(data):
            self.texts.append(data)


def _letters(texts: list[str]) -> list[str]:
    words = (word for text in texts for word in re.findall(r"[^\W\d_][\w.-]*", text))
    return [word for word in words if word not in _UNTRANSLATED_NAMES]


def _template_files() -> Iterator[str]:
    for path in sorted((PROJECT_ROOT / "templates").rglob("*.html")):
        name = str(path.relative_to(PROJECT_ROOT))
        if name not in SWEDISH_DOCUMENTS:
            yield name


@pytest.mark.parametrize("name", list(_template_files()))
def test_templates_show_no_unmarked_text(name: str) -> None:
    source = (PROJECT_ROOT / name).read_text()
    # Translated blocks and everything Jinja computes are out of scope; what is left is the
    # literal text of the page.
    source = re.sub(r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}", "", source, flags=re.S)
    source = re.sub(r"{{.*?}}|{%.*?%}|{#.*?#}", "", source, flags=re.S)
    collector = _TextCollector()
    collector.feed(source)
    assert _letters(collector.texts) == []


# Calls whose text reaches the user: refusals, form errors, flash messages, field labels.
_INTERNAL_ERRORS = {
    "ValueError",
    "TypeError",
    "RuntimeError",
    "KeyError",
    "LookupError",
    "AssertionError",
    "NotImplementedError",
}
_MARKERS = {"_", "N_", "gettext", "ngettext"}


def _callee(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _shows_text(node: ast.Call) -> bool:
    name = _callee(node)
    if name in _INTERNAL_ERRORS:
        return False
    return name.endswith(("Error", "Refused", "Exception", "Case")) or name in {
        "flash",
        "FieldSpec",
    }


def _prose(text: str) -> bool:
    """Words with a space between them: a sentence or a label, not a code or a field name."""
    return bool(re.search(r"[^\W\d_]{2,}", text)) and " " in text.strip()


def _unmarked(node: ast.AST) -> bool:
    """A literal text (not a call to the catalogue, and not only a format of one)."""
    if isinstance(node, ast.JoinedStr):  # an f-string: judged by its literal parts
        return _prose(
            "".join(str(part.value) for part in node.values if isinstance(part, ast.Constant))
        )
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _prose(node.value)
    if isinstance(node, ast.BinOp):
        return _unmarked(node.left) or _unmarked(node.right)
    return False


def _python_files() -> Iterator[str]:
    for path in sorted((PROJECT_ROOT / "app").rglob("*.py")):
        name = str(path.relative_to(PROJECT_ROOT))
        if name in SWEDISH_MODULES or name.endswith("/messages.py") or "/demo/" in name:
            continue
        yield name


def test_messages_shown_to_users_go_through_the_catalogue() -> None:
    found = []
    for name in _python_files():
        tree = ast.parse((PROJECT_ROOT / name).read_text())
        for node in ast.walk(tree):
            texts: list[ast.AST] = []
            if isinstance(node, ast.Call) and _shows_text(node) and _callee(node) not in _MARKERS:
                texts = [*node.args, *(k.value for k in node.keywords if k.arg != "name")]
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Subscript) and "errors" in ast.unparse(t.value)
                for t in node.targets
            ):
                texts = [node.value]
            found += [f"{name}:{text.lineno}" for text in texts if _unmarked(text)]
    assert found == []


# -- Pages -----------------------------------------------------------------------------------


class _VisibleText(_TextCollector):
    def text(self) -> str:
        return " ".join(" ".join(self.texts).split())


def _visible(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return parser.text()


def _phrases(language: str) -> set[str]:
    """Sentences of the other language that must not appear on a page in ``language``: the
    Swedish messages on English pages, the English translations on Swedish ones. Short ones are
    left out, since a single word may well be a name typed by a user."""
    phrases = set()
    for message in _messages(_read_catalogue(CATALOGUE)):
        swedish, english = _singular(message), _strings(message)[0]
        other = swedish if language == "en" else english
        if swedish != english and len(other.split()) >= 3 and not _PLACEHOLDER.search(other):
            phrases.add(" ".join(other.replace("%%", "%").split()))
    return phrases


@pytest.fixture
def demo(db: Session) -> Session:
    load_demo(db, DEMO_PASSWORD)
    return db


def _pages_for_role(db: Session, role: str) -> list[str]:
    case = db.scalar(
        select(Application.id)
        .where(Application.reference.is_not(None))
        .order_by(Application.id)
        .limit(1)
    )
    meeting = db.scalar(select(Meeting.id).order_by(Meeting.held_on.desc()).limit(1))
    staff = {
        "handler": ["/cases", f"/cases/{case}", "/organisations", "/cases/new-project"],
        "manager": ["/budget", "/umbrellas", "/board", "/cases"],
        "lag_chair": ["/board", "/board/meetings", f"/board/meetings/{meeting}"],
        "lag_member": ["/board", f"/board/meetings/{meeting}", "/budget"],
    }
    return staff[role]


@pytest.mark.parametrize("language", ["en", "sv"])
def test_pages_speak_one_language(client: TestClient, demo: Session, language: str) -> None:
    phrases = _phrases(language)
    client.cookies.set(LANGUAGE_COOKIE, language)
    open_call = re.search(r'href="(/calls/[0-9]+)"', client.get("/").text)
    assert open_call, "the demo has an open call"
    mixed = {}
    visited = 0
    for url in ["/", open_call[1], "/login", "/privacy"]:
        page = client.get(url)
        assert page.status_code == 200, url
        assert f'<html lang="{language}">' in page.text
        mixed[url] = sorted(p for p in phrases if p in _visible(page.text))
        visited += 1
    for demo_login in DEMO_LOGINS:
        if demo_login.role.value not in ("handler", "manager", "lag_chair", "lag_member"):
            continue
        login(client, demo_login.email, DEMO_PASSWORD)
        for url in _pages_for_role(demo, demo_login.role.value):
            page = client.get(url)
            assert page.status_code == 200, url
            mixed[f"{demo_login.role.value} {url}"] = sorted(
                p for p in phrases if p in _visible(page.text)
            )
            visited += 1
        post_form(client, "/logout", {})
    assert visited >= 15
    assert {url: found for url, found in mixed.items() if found} == {}


def test_the_switch_is_remembered_and_only_returns_to_this_site(client: TestClient) -> None:
    assert '<html lang="sv">' in client.get("/login").text
    response = post_form(
        client, "/language", {"language": "en", "next": "/login"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert "max-age=31536000" in response.headers["set-cookie"].lower()
    page = client.get("/login")
    assert '<html lang="en">' in page.text
    assert "Log in" in page.text
    # The other language is offered in its own name, marked as Swedish for screen readers.
    assert 'lang="sv"' in page.text and "Svenska" in page.text

    for elsewhere in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = post_form(
            client, "/language", {"language": "sv", "next": elsewhere}, follow_redirects=False
        )
        assert response.headers["location"] == "/"
    refused = post_form(client, "/language", {"language": "de", "next": "/"})
    assert refused.status_code == 400


def test_refusals_follow_the_language(client: TestClient) -> None:
    client.cookies.set(LANGUAGE_COOKIE, "en")
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert "Page not found" in missing.text and "Sidan finns inte" not in missing.text
    api = client.get("/api/v1/me")
    assert api.status_code == 401
    assert api.json() == {"detail": "You need to log in."}


# -- Formatting ------------------------------------------------------------------------------


def test_money_dates_and_numbers_follow_the_language() -> None:
    from datetime import date
    from decimal import Decimal

    assert format_money(1_250_000) == "12\u00a0500\u00a0kr"
    assert format_kronor_input(1_250_050) == "12500,50"
    assert formatting.percent(Decimal("12.1")) == "12,1 %"
    with use_language("en"):
        assert str(i18n.format_locale()) == "en_GB"
        assert format_money(1_250_000) == "SEK\u00a012,500"
        assert format_money(1_250_050) == "SEK\u00a012,500.50"
        assert format_kronor_input(1_250_050) == "12500.50"
        assert formatting.percent(Decimal("12.1")) == "12.1%"
        assert formatting.long_date(date(2026, 11, 25)) == "25 November 2026"


def test_amounts_are_read_as_the_language_writes_them() -> None:
    with use_language("en"):
        assert parse_kronor("12,500.50") == 1_250_050
        assert parse_kronor("12,500") == 1_250_000
        assert parse_kronor("12500.5") == 1_250_050
        assert parse_kronor(format_kronor_input(1_250_050)) == 1_250_050
        with pytest.raises(InvalidAmount, match="at most two decimals"):
            parse_kronor("12,500.505")
    # In Swedish a comma is the decimal mark: "12,500" is three decimals, never 12 500 kr.
    with pytest.raises(InvalidAmount, match="högst två decimaler"):
        parse_kronor("12,500")
    assert parse_kronor("12 500,50") == 1_250_050


def test_documents_stay_swedish_in_an_english_request(demo: Session) -> None:
    from app.dashboard import exports
    from app.decisions.messages import decision as decision_mail
    from app.decisions.models import Decision, DecisionOutcome

    application = demo.scalars(
        select(Application).where(Application.reference.is_not(None))
    ).first()
    decided = Decision(outcome=DecisionOutcome.APPROVED, amount_ore=1_250_000)
    with use_language("en"):
        subject, body = decision_mail(application, decided, "http://example/a/x")
        period = demo.scalars(select(Area)).one().periods[0]
        rows = list(exports.application_rows(demo, period))
    assert subject.startswith("Beslut om er ansökan")
    assert "kr" in body and "SEK" not in body
    statuses = {ApplicationStatus(s).label for s in ApplicationStatus}
    assert any(cell in statuses for row in rows for cell in row)


def test_template_gettext_translates_escapes_and_formats_as_jinja_does() -> None:
    page = templates.env.from_string(
        '{{ _("Sök") }} | {{ _("%(name)s: 100 %%", name=name) }} | {% trans %}Sök{% endtrans %}'
    )
    assert page.render(name="<b>") == "Sök | &lt;b&gt;: 100 % | Sök"
    with use_language("en"):
        assert page.render(name="x").startswith(f"{gettext('Sök')} | x: 100 % | ")
