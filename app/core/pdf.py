"""Shared groundwork for the printable documents the app produces (decision letters, minutes).

Each document composes its wording once and lays it out both as HTML and as PDF; this module
holds what the layouts have in common: cleaning user text, making it safe for the standard PDF
fonts and for reportlab's Paragraph markup, one set of paragraph styles, and :func:`build`, which
gives every PDF the same A4 page, footer and reproducible bytes.
"""

import io
import re
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate

# --- Text ----------------------------------------------------------------------------------

# Control characters (a pasted NUL, a tab, a form feed) would print as boxes in the PDF and
# make the HTML invalid; they are spaces as far as a document is concerned.
_CONTROL_RE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def one_line(text: str) -> str:
    """Single-line user text with control characters and runs of whitespace collapsed."""
    return " ".join(_CONTROL_RE.sub(" ", text).split())


def text_lines(text: str) -> tuple[str, ...]:
    """Multi-line user text as its lines, without leading or trailing blank lines."""
    for separator in ("\r\n", "\r", "\x85", "\u2028", "\u2029"):
        text = text.replace(separator, "\n")
    text = _CONTROL_RE.sub(" ", text).strip()
    return tuple(line.rstrip() for line in text.split("\n"))


# Characters that the standard PDF fonts (WinAnsi, i.e. cp1252) lack but that have an obvious
# stand-in; everything else outside cp1252 becomes "?" rather than failing the whole document.
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


def pdf_safe(text: str) -> str:
    """Text the built-in Helvetica can draw: cp1252, with look-alikes or "?" for the rest."""
    return text.translate(_PDF_SUBSTITUTES).encode("cp1252", errors="replace").decode("cp1252")


def markup(text: str) -> str:
    """Text as Paragraph markup: cp1252-safe and escaped, since Paragraph parses tags."""
    return escape(pdf_safe(text))


def markup_lines(lines: Iterable[str]) -> str:
    """Several lines as one Paragraph's markup, each escaped, joined by line breaks."""
    return "<br/>".join(map(markup, lines))


# --- Styles --------------------------------------------------------------------------------

BASE = ParagraphStyle("body", fontName="Helvetica", fontSize=10.5, leading=14, spaceAfter=5)
BOLD = ParagraphStyle("bold", parent=BASE, fontName="Helvetica-Bold")
AREA = ParagraphStyle("area", parent=BOLD, fontSize=14, leading=17)
META = ParagraphStyle("meta", parent=BASE, alignment=TA_RIGHT, spaceAfter=0)
H1 = ParagraphStyle("h1", parent=BOLD, fontSize=16, leading=20, spaceBefore=6, spaceAfter=10)
H2 = ParagraphStyle("h2", parent=BOLD, fontSize=12, leading=15, spaceBefore=8, spaceAfter=3)
CELL = ParagraphStyle("cell", parent=BASE, spaceAfter=0)
CELL_LABEL = ParagraphStyle("cell_label", parent=CELL, fontName="Helvetica-Bold")
BULLET = ParagraphStyle("bullet", parent=BASE, leftIndent=12, bulletIndent=2, spaceAfter=2)

MARGIN = 20 * mm
# The width between the left and right margins, for tables that span the page.
CONTENT_WIDTH = A4[0] - 2 * MARGIN


def section(title: str, *body: Flowable) -> list[Flowable]:
    """A heading followed by its body, kept with the body's start so it is never alone at a
    page foot."""
    heading = Paragraph(escape(title), H2)
    return [KeepTogether([heading, body[0]]), *body[1:]] if body else [heading]


# --- The document --------------------------------------------------------------------------


def build(
    title: str, author: str, subject: str, flowables: Sequence[Flowable], *, footer: str = ""
) -> bytes:
    """Lay the flowables out on A4 pages with the app's margins and a footer on every page
    (``footer`` on the left, "Sida n" on the right).

    The creation date and document id are fixed, so the same content always gives the same
    bytes: a stored document can be compared with a fresh rendering.
    """
    footer_text = pdf_safe(footer)

    def draw_footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8.5)
        canvas.drawString(MARGIN, 12 * mm, footer_text)
        canvas.drawRightString(A4[0] - MARGIN, 12 * mm, f"Sida {doc.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 5 * mm,
        title=title,
        author=author,
        subject=subject,
        creator="Bygdestöd",
        lang="sv",
        invariant=True,
    )
    # platypus consumes the list it is given; keep the caller's intact.
    doc.build(list(flowables), onFirstPage=draw_footer, onLaterPages=draw_footer)
    return buffer.getvalue()
