"""The decision letter (beslutsbrev) sent to the applicant, as printable HTML and as PDF.

The wording is composed once, in :func:`_compose`, and both formats only lay it out: the HTML
is what is stored with the decision and the PDF is what is attached to the case, so they must
never say different things.
"""

import re
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from babel.dates import format_date
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from app.core import pdf
from app.core.i18n import in_swedish
from app.core.identifiers import format_org_number
from app.core.money import format_money
from app.core.pdf import markup, markup_lines, one_line, section, text_lines
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

    area_name = one_line(content.area_name)
    reference = one_line(content.reference)
    applicant_name = one_line(content.applicant_name)
    umbrella_name = one_line(content.umbrella_name or "")
    decided_by = one_line(content.decided_by)

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
    facts.append(("Projekt", one_line(content.title)))
    if umbrella_name:
        facts.append(("Paraplyprojekt", umbrella_name))
    facts.append(("Sökt belopp", requested))
    if content.amount_ore is not None:
        facts.append(("Beviljat belopp", format_money(content.amount_ore)))
    facts.append(("Beslut", content.outcome.label))

    # Conditions are one-liners; stray line breaks from a textarea carry no meaning.
    conditions = tuple(filter(None, map(one_line, content.conditions)))
    return _Letter(
        document_title=f"Beslut {reference}",
        area_name=area_name,
        date=_long_date(content.decided_on),
        reference=reference,
        applicant_name=applicant_name,
        contact_name=one_line(content.contact_name),
        heading=f"Beslut om {kind}",
        facts=tuple(facts),
        decision_sentence=sentence,
        motivation_lines=text_lines(content.motivation),
        period=_period(content.project_start, content.project_end) if granted else None,
        conditions=conditions if granted else (),
        payment_paragraphs=_PAYMENT_PARAGRAPHS if granted else (),
        appeal_lines=text_lines(content.appeal_text),
        decided_by_name=one_line(content.decided_by_name),
        decided_by=decided_by,
    )


@in_swedish
def letter_html(content: LetterContent) -> str:
    """The letter as a standalone, printable HTML document (autoescaped)."""
    template = templates.env.get_template("decisions/letter.html")
    return template.render(letter=_compose(content))


# --- PDF ---------------------------------------------------------------------------------


@in_swedish
def letter_pdf(content: LetterContent) -> bytes:
    """The letter as an A4 PDF with the same wording as :func:`letter_html`."""
    letter = _compose(content)
    width = pdf.CONTENT_WIDTH

    letterhead = Table(
        [
            [
                Paragraph(markup(letter.area_name), pdf.AREA),
                Paragraph(
                    f"<b>Datum</b> {markup(letter.date)}<br/>"
                    f"<b>Diarienummer</b> {markup(letter.reference)}",
                    pdf.META,
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
            [Paragraph(escape(label), pdf.CELL_LABEL), Paragraph(markup(value), pdf.CELL)]
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
            f"{markup(letter.applicant_name)}<br/>Att: {markup(letter.contact_name)}", pdf.BASE
        ),
        Spacer(1, 8 * mm),
        Paragraph(escape(letter.heading), pdf.H1),
        facts,
        *section("Beslut", Paragraph(markup(letter.decision_sentence), pdf.BOLD)),
        *section("Motivering", Paragraph(markup_lines(letter.motivation_lines), pdf.BASE)),
    ]
    if letter.period:
        story += section("Projektperiod", Paragraph(markup(letter.period), pdf.BASE))
    if letter.conditions:
        story += section(
            "Villkor för stödet",
            *(Paragraph(markup(c), pdf.BULLET, bulletText="–") for c in letter.conditions),
        )
    if letter.payment_paragraphs:
        story += section(
            "Så begär ni utbetalning",
            *(Paragraph(escape(p), pdf.BASE) for p in letter.payment_paragraphs),
        )
    story += section("Överklagande", Paragraph(markup_lines(letter.appeal_lines), pdf.BASE))
    story.append(
        KeepTogether(
            [
                Spacer(1, 10 * mm),
                Paragraph(markup(letter.area_name), pdf.BASE),
                Paragraph(
                    f"{markup(letter.decided_by_name)}<br/>{markup(letter.decided_by)}", pdf.BASE
                ),
            ]
        )
    )

    return pdf.build(
        letter.document_title,
        letter.area_name,
        letter.heading,
        story,
        footer=f"{letter.area_name} · Dnr {letter.reference}",
    )
