"""The data subject access extract (registerutdrag): JSON for machines, PDF for people. Both are
Swedish documents, whatever the language of the staff member who made them."""

import html
import json
import re
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from app.core import pdf
from app.core.formatting import date_time
from app.core.i18n import gettext as _
from app.core.i18n import in_swedish
from app.core.pdf import markup, markup_lines, section, text_lines
from app.privacy.service import FoundRecord

FORMAT = "bygdestod-registerutdrag/1"
INTRO = (
    "Utdraget visar de personuppgifter om dig som finns i Bygdestöd: varje post som nämner "
    "dig och övriga uppgifter i de ärenden där du är sökande eller kontaktperson, med "
    "ändamålet och den rättsliga grunden för varje uppgift. Bifogade filer ingår inte i "
    "utdraget; de lämnas ut separat."
)


@in_swedish
def as_json(records: list[FoundRecord], area_name: str, term: str, made_at: datetime) -> bytes:
    document = {
        "format": FORMAT,
        "område": area_name,
        "framtaget": made_at.isoformat(),
        "sökbegrepp": term,
        "poster": [
            {
                "tabell": record.table,
                "beskrivning": _(record.label),
                "post": record.record_id,
                "ärende": record.reference,
                "nämner_den_sökta": sorted(record.matched),
                "uppgifter": [
                    {
                        "kolumn": name,
                        "kategori": data.category.label,
                        "ändamål": data.purpose.label,
                        "rättslig_grund": data.legal_basis.label,
                        "värde": value,
                    }
                    for name, data, value in record.fields
                ],
            }
            for record in records
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


_TAG = re.compile(r"<[^>]+>")


def _readable(value: str) -> tuple[str, ...]:
    """A stored value as lines to read: a stored letter or minutes without its HTML."""
    if _TAG.search(value):
        value = html.unescape(_TAG.sub("\n", value))
    return tuple(line for line in text_lines(value) if line.strip())


@in_swedish
def as_pdf(records: list[FoundRecord], area_name: str, term: str, made_at: datetime) -> bytes:
    width = pdf.CONTENT_WIDTH
    story: list[Flowable] = [
        Paragraph(markup(area_name), pdf.AREA),
        Paragraph("Registerutdrag", pdf.H1),
        Paragraph(
            f"<b>Sökbegrepp</b> {markup(term)}<br/><b>Framtaget</b> {markup(date_time(made_at))}",
            pdf.BASE,
        ),
        Paragraph(escape(INTRO), pdf.BASE),
    ]
    if not records:
        story.append(Paragraph("Inga uppgifter hittades.", pdf.BOLD))
    for record in records:
        heading = f"{_(record.label)} – post {record.record_id}"
        if record.reference:
            heading += f", ärende {record.reference}"
        rows = [
            [
                Paragraph(f"{escape(data.category.label)}<br/><font size=8>{escape(name)}</font>",
                          pdf.CELL_LABEL),
                Paragraph(markup_lines(_readable(value)), pdf.CELL),
            ]
            for name, data, value in record.fields
        ]  # fmt: skip
        table = Table(rows, colWidths=[55 * mm, width - 55 * mm], hAlign="LEFT", splitInRow=1)
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 0)]))  # fmt: skip
        story += section(heading, table)
    return pdf.build("Registerutdrag", area_name, "Registerutdrag", story,
                     footer=f"{area_name} · Registerutdrag")  # fmt: skip
