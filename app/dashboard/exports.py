"""Exports for the board and the annual report: the ledger, the applications and the result
indicators, as CSV (Excel-friendly) or XLSX. Rows are read in pages by key, so an export of a
million ledger entries never holds them all in memory; money is written as exact kronor."""

import csv
import io
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.applications.models import Application
from app.areas.models import ActionArea, ProgrammePeriod
from app.core.i18n import in_swedish
from app.core.spreadsheet import cell_text
from app.dashboard.service import Dashboard
from app.ledger.models import LedgerEntry, LedgerKind
from app.umbrellas.models import UmbrellaProject

PAGE = 2000
Row = list[Any]


def kronor(ore: int | None) -> Decimal | None:
    return None if ore is None else Decimal(ore) / 100


@in_swedish
def ledger_rows(session: Session, period: ProgrammePeriod) -> Iterator[Row]:
    yield ["Datum", "Slag", "Frigjort slag", "Belopp (kr)", "Insatsområde", "Pott",
           "Diarienummer", "Skäl"]  # fmt: skip
    area, pot, case = aliased(ActionArea), aliased(UmbrellaProject), aliased(Application)
    last = 0
    while True:
        page = session.execute(
            select(LedgerEntry, area.name, pot.name, case.reference)
            .outerjoin(area, LedgerEntry.action_area_id == area.id)
            .outerjoin(pot, LedgerEntry.umbrella_project_id == pot.id)
            .outerjoin(case, LedgerEntry.application_id == case.id)
            .where(LedgerEntry.period_id == period.id, LedgerEntry.id > last)
            .order_by(LedgerEntry.id)
            .limit(PAGE)
        ).all()
        for entry, area_name, pot_name, reference in page:
            released = LedgerKind(entry.released_kind).label if entry.released_kind else ""
            yield [entry.recorded_at.date().isoformat(), entry.kind.label, released,
                   kronor(entry.amount_ore), area_name or "", pot_name or "", reference or "",
                   entry.reason]  # fmt: skip
        if len(page) < PAGE:
            return
        last = page[-1][0].id


@in_swedish
def application_rows(session: Session, period: ProgrammePeriod) -> Iterator[Row]:
    yield ["Diarienummer", "Titel", "Typ", "Status", "Insatsområde", "Sökt (kr)",
           "Beviljat (kr)", "Inkom", "Beslutad"]  # fmt: skip
    last = 0
    while True:
        page = session.execute(
            select(Application, ActionArea.name)
            .join(ActionArea, Application.action_area_id == ActionArea.id)
            .where(
                ActionArea.period_id == period.id,
                Application.reference.is_not(None),
                Application.id > last,
            )
            .order_by(Application.id)
            .limit(PAGE)
        ).all()
        for a, area_name in page:
            yield [a.reference, a.title, a.kind.label, a.status.label, area_name,
                   kronor(a.requested_ore), kronor(a.granted_ore),
                   a.submitted_at.date().isoformat() if a.submitted_at else "",
                   a.decided_at.date().isoformat() if a.decided_at else ""]  # fmt: skip
        if len(page) < PAGE:
            return
        last = page[-1][0].id


@in_swedish
def indicator_rows(dashboard: Dashboard) -> Iterator[Row]:
    names = {line.id: line.name for line in dashboard.overview.action_areas}
    yield ["Insatsområde", "Slutredovisningar", "Deltagare kvinnor", "Deltagare män",
           "Ideella timmar", "Nya aktiviteter", "Nya jobb (årsarbeten)", "Nya företag"]  # fmt: skip
    for area_id, i in sorted(dashboard.indicators.items()):
        yield [names.get(area_id, str(area_id)), i.reports, i.participants_women,
               i.participants_men, i.volunteer_hours, i.new_activities, i.jobs_fte,
               i.businesses_started]  # fmt: skip


def _csv_value(value: Any) -> Any:
    # Swedish Excel reads "1234,50" as a number.
    return str(value).replace(".", ",") if isinstance(value, Decimal) else cell_text(value)


@in_swedish
def as_csv(rows: Iterator[Row]) -> Iterator[str]:
    """Semicolon-separated UTF-8 with a byte-order mark, streamed a page at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    buffer.write("\ufeff")
    for number, row in enumerate(rows, 1):
        writer.writerow([_csv_value(value) for value in row])
        if number % PAGE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


@in_swedish
def as_xlsx(rows: Iterator[Row], title: str) -> bytes:
    """A workbook written row by row (openpyxl's write-only mode keeps memory flat)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    for row in rows:
        sheet.append([cell_text(value) for value in row])
    with tempfile.TemporaryFile() as spool:
        book.save(spool)
        spool.seek(0)
        return spool.read()
