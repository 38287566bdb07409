"""The decision letter: what it says in HTML and PDF, and that applicant text cannot break it."""

import dataclasses
import io
import re
from datetime import date
from html import unescape

import pytest
from pypdf import PdfReader

from app.decisions.letter import LetterContent, letter_html, letter_pdf
from app.decisions.models import DecisionOutcome

APPROVED = LetterContent(
    area_name="Leader Södermanland",
    reference="SMÅ-2026-0042",
    title="Hjärtstartare till bygdegården",
    applicant_name="Ekbackens byalag",
    organisation_number="8024567890",
    contact_name="Karin Ek",
    umbrella_name="Beredskap",
    decided_by="Leaderkontoret (delegationsbeslut)",
    decided_by_name="Hanna Handläggare",
    outcome=DecisionOutcome.APPROVED,
    requested_ore=2_500_000,
    amount_ore=2_500_000,
    motivation="Projektet stärker bygdens beredskap.\nDet är väl förankrat i byn.",
    decided_on=date(2026, 11, 24),
    project_start=date(2026, 12, 1),
    project_end=date(2027, 6, 30),
    conditions=("Hjärtstartaren ska vara tillgänglig dygnet runt.", "Skylta med EU-flaggan."),
    appeal_text="Beslutet kan inte överklagas.",
)
PARTLY = dataclasses.replace(
    APPROVED, outcome=DecisionOutcome.PARTLY_APPROVED, requested_ore=4_000_000
)
REJECTED = dataclasses.replace(
    APPROVED,
    outcome=DecisionOutcome.REJECTED,
    amount_ore=None,
    motivation="Ansökan ligger utanför strategin.",
)
LEADER_PROJECT = dataclasses.replace(
    APPROVED,
    umbrella_name=None,
    decided_by="LAG-styrelsen",
    requested_ore=48_000_000,
    amount_ore=48_000_000,
)


def _plain(text: str) -> str:
    # Amounts use no-break spaces, and layout may break lines anywhere: compare words only.
    return " ".join(text.replace("\u00a0", " ").split())


def html_text(content: LetterContent) -> str:
    """The HTML letter's visible text, roughly as a reader sees it."""
    html = re.sub(r"<style>.*?</style>", " ", letter_html(content), flags=re.DOTALL)
    return _plain(unescape(re.sub(r"<[^>]+>", " ", html)))


def pdf_text(content: LetterContent) -> str:
    reader = PdfReader(io.BytesIO(letter_pdf(content)))
    return _plain(" ".join(page.extract_text() for page in reader.pages))


def test_html_is_a_standalone_swedish_document():
    html = letter_html(APPROVED)
    assert html.lstrip().startswith("<!doctype html>")
    assert '<html lang="sv">' in html
    assert '<meta charset="utf-8">' in html
    assert "<title>Beslut SMÅ-2026-0042</title>" in html
    assert "@media print" in html


@pytest.mark.parametrize("render", [html_text, pdf_text], ids=["html", "pdf"])
def test_approved_smastod_letter(render):
    text = render(APPROVED)
    for expected in (
        "Beslut om småstöd",
        "Leader Södermanland",
        "24 november 2026",
        "SMÅ-2026-0042",
        "Ekbackens byalag",
        "802456-7890",
        "Karin Ek",
        "Hjärtstartare till bygdegården",
        "Sökt belopp",
        "Leaderkontoret beviljar er 25 000 kr i småstöd ur Beredskap.",
        "Motivering",
        "Projektet stärker bygdens beredskap.",
        "1 december 2026 – 30 juni 2027",
        "Hjärtstartaren ska vara tillgänglig dygnet runt.",
        "Skylta med EU-flaggan.",
        "länken",
        "kvitton",
        "slutrapport",
        "Beslutet kan inte överklagas.",
        "Hanna Handläggare",
        "Leaderkontoret (delegationsbeslut)",
    ):
        assert expected in text


@pytest.mark.parametrize("render", [html_text, pdf_text], ids=["html", "pdf"])
def test_leader_project_letter_has_no_umbrella(render):
    text = render(LEADER_PROJECT)
    assert "Beslut om stöd" in text
    assert "LAG-styrelsen beviljar er 480 000 kr i stöd." in text
    assert "Paraplyprojekt" not in text
    assert "Beredskap" not in text


@pytest.mark.parametrize("render", [html_text, pdf_text], ids=["html", "pdf"])
def test_partly_approved_states_granted_and_requested_amounts(render):
    text = render(PARTLY)
    assert (
        "Leaderkontoret beviljar delvis er ansökan: ni får 25 000 kr av sökta 40 000 kr "
        "i småstöd ur Beredskap." in text
    )
    assert "Delvis beviljat" in text


@pytest.mark.parametrize("render", [html_text, pdf_text], ids=["html", "pdf"])
def test_rejected_letter_has_no_grant(render):
    text = render(REJECTED)
    assert "Leaderkontoret avslår er ansökan." in text
    assert "Ansökan ligger utanför strategin." in text
    assert "Sökt belopp 25 000 kr" in text
    assert "Beslutet kan inte överklagas." in text
    for absent in (
        "Beviljat belopp",
        "beviljar",
        "Villkor",
        "Skylta med EU-flaggan",
        "utbetalning",
    ):
        assert absent not in text
    assert "Projektperiod" not in text


def test_amount_must_match_the_outcome():
    with pytest.raises(ValueError):
        letter_html(dataclasses.replace(APPROVED, amount_ore=None))
    with pytest.raises(ValueError):
        letter_pdf(dataclasses.replace(REJECTED, amount_ore=100))


HOSTILE = '<script>alert(1)</script> & "citat" &amp; <b>fet</b>'


def test_html_escapes_user_text():
    html = letter_html(
        dataclasses.replace(APPROVED, motivation=HOSTILE, applicant_name="<i>AB</i> & Co")
    )
    assert "<script>" not in html
    assert "<b>fet</b>" not in html
    assert "<i>AB</i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; " in html
    assert "&amp;amp;" in html
    assert "&lt;i&gt;AB&lt;/i&gt; &amp; Co" in html


def test_pdf_shows_user_markup_literally():
    content = dataclasses.replace(
        APPROVED,
        motivation=HOSTILE,
        applicant_name="<i>AB</i> & Co",
        conditions=("Villkor <br/> med & tecken",),
    )
    text = pdf_text(content)
    assert HOSTILE in text
    assert "<i>AB</i> & Co" in text
    assert "Villkor <br/> med & tecken" in text


def test_swedish_typography_survives_in_the_pdf():
    content = dataclasses.replace(
        APPROVED, motivation="Åsa och Örjan säger “bra” – é, ä och ö.", title="Årets café"
    )
    text = pdf_text(content)
    assert "Åsa och Örjan säger “bra” – é, ä och ö." in text
    assert "Årets café" in text


def test_text_outside_the_pdf_fonts_does_not_crash():
    content = dataclasses.replace(
        APPROVED,
        motivation="Bra 😀 Привет\u202fok\x00slut",
        applicant_name="Клуб 🚀",
        reference="SMÅ-2026-0042 ✓",
    )
    data = letter_pdf(content)
    text = pdf_text(content)
    assert data.startswith(b"%PDF")
    assert "Bra ? ??????" in text
    assert "slut" in text
    # The HTML is UTF-8 and keeps the characters as they are.
    html = letter_html(content)
    assert "Bra 😀 Привет" in html
    assert "\x00" not in html


def test_motivation_line_breaks_are_kept():
    content = dataclasses.replace(APPROVED, motivation="Första raden\r\nAndra raden\n\nTredje")
    html = letter_html(content)
    assert re.search(r"Första raden<br>\s*Andra raden<br>\s*<br>\s*Tredje", html)

    reader = PdfReader(io.BytesIO(letter_pdf(content)))
    lines = [line.strip() for line in reader.pages[0].extract_text().splitlines()]
    assert lines.index("Andra raden") == lines.index("Första raden") + 1
    assert "Tredje" in lines


def test_pdf_is_a4_with_metadata_and_stable_output():
    data = letter_pdf(APPROVED)
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title == "Beslut SMÅ-2026-0042"
    assert reader.metadata.author == "Leader Södermanland"
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(width), round(height)) == (595, 842)
    assert letter_pdf(APPROVED) == data


def test_long_letter_flows_over_pages():
    content = dataclasses.replace(APPROVED, motivation="\n".join(["Lång motivering."] * 200))
    reader = PdfReader(io.BytesIO(letter_pdf(content)))
    assert len(reader.pages) > 1
    assert "Hanna Handläggare" in reader.pages[-1].extract_text()
    assert "Sida 2" in reader.pages[1].extract_text()
