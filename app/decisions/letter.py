"""The decision letter (beslutsbrev) sent to the applicant, as printable HTML and as PDF.

The wording is composed once, in :func:`_compose`, and both formats only lay it out: the HTML
is what is stored with the decision and the PDF is what is attached to the case, so they must
never say different things.
"""

import io
import re
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from babel.dates import format_date
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app.core.identifiers import format_org_number
from app.core.money import format_money
from app.core.templates import templates
from app.decisions.models import DecisionOutcome

# The letter is Swedish whatever the user interface locale is set to.
LOCALE = "sv_SE"


@dataclass(frozen=True)
class LetterContent:
    """Everything a decision letter says, gathered by the caller from the case."""

    area_name: str
    reference: str
    title: str
    applicant_name: str
    organisation_number: str | None  # normalised, 10 digits
    contact_name: str
    umbrella_name: str | None  # set for småstöd paid from an umbrella project
    decided_by: str
    decided_by_name: str
    outcome: DecisionOutcome
    requested_ore: int
    amount_ore: int | None  # None when rejected
    motivation: str
    decided_on: date
    project_start: date | None
    project_end: date | None
    conditions: tuple[str, ...]
    appeal_text: str


@dataclass(frozen=True)
class _Letter:
    """The letter's final wording, ready to lay out."""

    document_title: str
    area_name: str
    date: str
    reference: str
    applicant_name: str
    contact_name: str
    heading: str
    facts: tuple[tuple[str, str], ...]
    decision_sentence: str
    motivation_lines: tuple[str, ...]
    period: str | None
    conditions: tuple[str, ...]
    payment_paragraphs: tuple[str, ...]
    appeal_lines: tuple[str, ...]
    decided_by_name: str
    decided_by: str


_PAYMENT_PARAGRAPHS = (
    "Ni begär utbetalning via länken som ni har fått från oss i e-post.",
    "Bifoga kvitton eller fakturor med betalningsbevis för projektets kostnader, "
    "och en kort slutrapport om vad ni har genomfört.",
    "Stödet betalas ut när vi har granskat redovisningen, med högst det beviljade beloppet.",
)


# Control characters (a pasted NUL, a tab, a form feed) would print as boxes in the PDF and
# make the HTML invalid; they are spaces as far as the letter is concerned.
_CONTROL_RE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def _line(text: str) -> str:
    """Single-line user text with control characters and runs of whitespace collapsed."""
    return " ".join(_CONTROL_RE.sub(" ", text).split())


def _lines(text: str) -> tuple[str, ...]:
    """Multi-line user text as its lines, without leading or trailing blank lines."""
    for separator in ("\r\n", "\r", "\x85", "\u2028", "\u2029"):
        text = text.replace(separator, "\n")
    text = _CONTROL_RE.sub(" ", text).strip()
    return tuple(line.rstrip() for line in text.split("\n"))


def _long_date(value: date) -> str:
    return format_date(value, "d MMMM y", locale=LOCALE)


def _subject(decided_by: str, area_name: str) -> str:
    """Who "beviljar": "Leaderkontoret (delegationsbeslut)" reads as "Leaderkontoret"."""
    return re.sub(r"\s*\(.*\)\s*$", "", decided_by).strip() or area_name


def _period(start: date | None, end: date | None) -> str | None:
    if start and end:
        return f"{_long_date(start)} – {_long_date(end)}"
    if start:
        return f"Från och med {_long_date(start)}"
    if end:
        return f"Till och med {_long_date(end)}"
    return None


def _compose(content: LetterContent) -> _Letter:
    granted = content.outcome is not DecisionOutcome.REJECTED
    # Mirrors the decisions table's CHECK constraint: a letter without its amount must not go out.
    if granted != (content.amount_ore is not None):
        raise ValueError("amount_ore must be set exactly when the application is granted")

    area_name = _line(content.area_name)
    reference = _line(content.reference)
    applicant_name = _line(content.applicant_name)
    umbrella_name = _line(content.umbrella_name or "")
    decided_by = _line(content.decided_by)

    subject = _subject(decided_by, area_name)
    kind = "småstöd" if umbrella_name else "stöd"
    source = f" ur {umbrella_name}" if umbrella_name else ""
    requested = format_money(content.requested_ore)
    if content.amount_ore is None:
        sentence = f"{subject} avslår er ansökan."
    elif content.outcome is DecisionOutcome.PARTLY_APPROVED:
        sentence = (
            f"{subject} beviljar delvis er ansökan: ni får {format_money(content.amount_ore)} "
            f"av sökta {requested} i {kind}{source}."
        )
    else:
        sentence = f"{subject} beviljar er {format_money(content.amount_ore)} i {kind}{source}."

    facts: list[tuple[str, str]] = [("Sökande", applicant_name)]
    if content.organisation_number:
        facts.append(("Organisationsnummer", format_org_number(content.organisation_number)))
    facts.append(("Projekt", _line(content.title)))
    if umbrella_name:
        facts.append(("Paraplyprojekt", umbrella_name))
    facts.append(("Sökt belopp", requested))
    if content.amount_ore is not None:
        facts.append(("Beviljat belopp", format_money(content.amount_ore)))
    facts.append(("Beslut", content.outcome.label))

    # Conditions are one-liners; stray line breaks from a textarea carry no meaning.
    conditions = tuple(filter(None, map(_line, content.conditions)))
    return _Letter(
        document_title=f"Beslut {reference}",
        area_name=area_name,
        date=_long_date(content.decided_on),
        reference=reference,
        applicant_name=applicant_name,
        contact_name=_line(content.contact_name),
        heading=f"Beslut om {kind}",
        facts=tuple(facts),
        decision_sentence=sentence,
        motivation_lines=_lines(content.motivation),
        period=_period(content.project_start, content.project_end) if granted else None,
        conditions=conditions if granted else (),
        payment_paragraphs=_PAYMENT_PARAGRAPHS if granted else (),
        appeal_lines=_lines(content.appeal_text),
        decided_by_name=_line(content.decided_by_name),
        decided_by=decided_by,
    )


def letter_html(content: LetterContent) -> str:
    """The letter as a standalone, printable HTML document (autoescaped)."""
    template = templates.env.get_template("decisions/letter.html")
    return template.render(letter=_compose(content))


# --- PDF ---------------------------------------------------------------------------------

# Characters that the standard PDF fonts (WinAnsi, i.e. cp1252) lack but that have an obvious
# stand-in; everything else outside cp1252 becomes "?" rather than failing the whole letter.
_PDF_SUBSTITUTES = str.maketrans(
    {
        "\u202f": "\u00a0",  # narrow no-break space (Babel, word processors)
        "\u2007": "\u00a0",
        "\u2009": " ",
        "\u2010": "-",
        "\u2011": "-",
        "\u2212": "-",
        "\u200b": None,  # zero-width space
        "\ufeff": None,
    }
)


def _pdf_safe(text: str) -> str:
    return text.translate(_PDF_SUBSTITUTES).encode("cp1252", errors="replace").decode("cp1252")


def _markup(text: str) -> str:
    """Text as Paragraph markup: cp1252-safe and escaped, since Paragraph parses tags."""
    return escape(_pdf_safe(text))


def _markup_lines(lines: tuple[str, ...]) -> str:
    return "<br/>".join(map(_markup, lines))


_BASE = ParagraphStyle("body", fontName="Helvetica", fontSize=10.5, leading=14, spaceAfter=5)
_BOLD = ParagraphStyle("bold", parent=_BASE, fontName="Helvetica-Bold")
_AREA = ParagraphStyle("area", parent=_BOLD, fontSize=14, leading=17)
_META = ParagraphStyle("meta", parent=_BASE, alignment=TA_RIGHT, spaceAfter=0)
_H1 = ParagraphStyle("h1", parent=_BOLD, fontSize=16, leading=20, spaceBefore=6, spaceAfter=10)
_H2 = ParagraphStyle("h2", parent=_BOLD, fontSize=12, leading=15, spaceBefore=8, spaceAfter=3)
_CELL = ParagraphStyle("cell", parent=_BASE, spaceAfter=0)
_CELL_LABEL = ParagraphStyle("cell_label", parent=_CELL, fontName="Helvetica-Bold")
_BULLET = ParagraphStyle("bullet", parent=_BASE, leftIndent=12, bulletIndent=2, spaceAfter=2)

_MARGIN = 20 * mm


def _section(title: str, *body: Flowable) -> list[Flowable]:
    # Keep a heading with the start of its text so it never ends up alone at a page foot.
    heading = Paragraph(escape(title), _H2)
    return [KeepTogether([heading, body[0]]), *body[1:]] if body else [heading]


def letter_pdf(content: LetterContent) -> bytes:
    """The letter as an A4 PDF with the same wording as :func:`letter_html`."""
    letter = _compose(content)
    width = A4[0] - 2 * _MARGIN

    letterhead = Table(
        [
            [
                Paragraph(_markup(letter.area_name), _AREA),
                Paragraph(
                    f"<b>Datum</b> {_markup(letter.date)}<br/>"
                    f"<b>Diarienummer</b> {_markup(letter.reference)}",
                    _META,
                ),
            ]
        ],
        colWidths=[width * 0.55, width * 0.45],
    )
    letterhead.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ("LINEBELOW", (0, 0), (-1, 0), 0.75, colors.black),
            ]
        )
    )
    facts = Table(
        [
            [Paragraph(escape(label), _CELL_LABEL), Paragraph(_markup(value), _CELL)]
            for label, value in letter.facts
        ],
        colWidths=[45 * mm, width - 45 * mm],
        hAlign="LEFT",
        # Titles are bounded in the database, but a row taller than a page must not fail the
        # whole letter.
        splitInRow=1,
    )
    facts.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )

    story: list[Flowable] = [
        letterhead,
        Spacer(1, 8 * mm),
        Paragraph(
            f"{_markup(letter.applicant_name)}<br/>Att: {_markup(letter.contact_name)}", _BASE
        ),
        Spacer(1, 8 * mm),
        Paragraph(escape(letter.heading), _H1),
        facts,
        *_section("Beslut", Paragraph(_markup(letter.decision_sentence), _BOLD)),
        *_section("Motivering", Paragraph(_markup_lines(letter.motivation_lines), _BASE)),
    ]
    if letter.period:
        story += _section("Projektperiod", Paragraph(_markup(letter.period), _BASE))
    if letter.conditions:
        story += _section(
            "Villkor för stödet",
            *(Paragraph(_markup(c), _BULLET, bulletText="–") for c in letter.conditions),
        )
    if letter.payment_paragraphs:
        story += _section(
            "Så begär ni utbetalning",
            *(Paragraph(escape(p), _BASE) for p in letter.payment_paragraphs),
        )
    story += _section("Överklagande", Paragraph(_markup_lines(letter.appeal_lines), _BASE))
    story.append(
        KeepTogether(
            [
                Spacer(1, 10 * mm),
                Paragraph(_markup(letter.area_name), _BASE),
                Paragraph(
                    f"{_markup(letter.decided_by_name)}<br/>{_markup(letter.decided_by)}", _BASE
                ),
            ]
        )
    )

    footer = _pdf_safe(f"{letter.area_name} · Dnr {letter.reference}")

    def draw_footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8.5)
        canvas.drawString(_MARGIN, 12 * mm, footer)
        canvas.drawRightString(A4[0] - _MARGIN, 12 * mm, f"Sida {doc.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=_MARGIN + 5 * mm,
        title=letter.document_title,
        author=letter.area_name,
        subject=letter.heading,
        creator="Bygdestöd",
        lang="sv",
        # Fixed creation date and document id: the same decision gives the same bytes.
        invariant=True,
    )
    doc.build(story, onFirstPage=draw_footer, onLaterPages=draw_footer)
    return buffer.getvalue()
