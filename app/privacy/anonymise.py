"""Anonymisation of finished cases once the area's retention period has passed.

A case is finished when it is closed or withdrawn (nothing leads out of either state), so the
moment it entered that state (``status_changed_at``) is when it finished. Retention is counted
from there in whole months (``Area.retention_months``).

What happens to each column is declared on the column (``app.privacy.declaration``): the case's
records are found through their links to the application, and each declared column is cleared,
replaced, or scrubbed of the values that identify the applicant (names, e-mail addresses, phone
numbers, addresses, a sole trader's personnummer and account, file names) wherever the case's
texts copied them, including the audit log's summaries. Amounts, dates, statuses, decisions,
indicators and the ledger are not touched, so every figure stays as it was; the audit trail keeps
its structure (who, when, which record, what action). Uploaded files are deleted: they are the
applicant's documents (receipts, statutes, minutes of an association) and cannot be scrubbed;
what is known about them (type, size, checksum) stays.

The organisation is anonymised with its last case: while another case still uses it, its
contact details are still needed. A dry run plans exactly what a real run would change and
changes nothing.
"""

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import escape
from sqlalchemy import MetaData, String, Table, func, select, update
from sqlalchemy.orm import Session

from app.applications.models import Application, ApplicationStatus
from app.areas.models import Area
from app.attachments.models import Attachment
from app.attachments.service import path_of
from app.audit import service as audit
from app.audit.models import AuditEvent
from app.audit.service import Actor
from app.config import get_settings
from app.core.identifiers import format_bankgiro, format_org_number, format_plusgiro
from app.db import utcnow
from app.ledger.models import LedgerEntry
from app.organisations.models import LegalForm, Organisation
from app.privacy.declaration import Category, Method, PersonalData, Subject, personal_columns
from app.privacy.service import APPLICANT_SUBJECTS, case_clause, record_key

PLACEHOLDER = "[anonymiserad]"
FINISHED = (ApplicationStatus.CLOSED, ApplicationStatus.WITHDRAWN)
# Shorter values ("AB", a two-letter town) would scrub ordinary words.
_MIN_SCRUBBED = 3
# The columns the run itself sets; not counted as anonymised data.
_BOOKKEEPING = frozenset({"anonymised_at", "version"})


def retention_cutoff(today: date, months: int) -> datetime:
    """Cases that finished before this moment finished more than ``months`` months before
    ``today`` (local midnight; the 31st counts back to the month's last day)."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    day = min(today.day, calendar.monthrange(year, month + 1)[1])
    zone = ZoneInfo(get_settings().timezone)
    return datetime.combine(date(year, month + 1, day), time(), tzinfo=zone)


def find_due(session: Session, area: Area, today: date) -> list[Application]:
    """The area's finished cases whose retention period has passed and that still hold their
    personal data, oldest first."""
    cutoff = retention_cutoff(today, area.retention_months)
    return list(
        session.scalars(
            select(Application)
            .where(
                Application.area_id == area.id,
                Application.status.in_(FINISHED),
                Application.status_changed_at < cutoff,
                Application.anonymised_at.is_(None),
            )
            .order_by(Application.status_changed_at, Application.id)
        )
    )


@dataclass(frozen=True)
class Change:
    """New values for some columns of one record."""

    table: Table
    key: Any
    values: dict[str, Any]

    @property
    def fields(self) -> int:
        return len(self.values.keys() - _BOOKKEEPING)


@dataclass
class CasePlan:
    """What anonymising one case changes."""

    application_id: int
    reference: str
    finished_at: datetime
    changes: list[Change] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def fields(self) -> int:
        return sum(change.fields for change in self.changes)

    @property
    def records(self) -> int:
        return sum(1 for change in self.changes if change.fields)


@dataclass(frozen=True)
class Run:
    """A run's cases; ``files`` are to be deleted once the transaction has committed."""

    dry_run: bool
    cases: list[CasePlan]

    @property
    def files(self) -> list[Path]:
        return [path for case in self.cases for path in case.files]


def anonymise(
    session: Session,
    metadata: MetaData,
    actor: Actor,
    area: Area,
    today: date,
    *,
    storage_dir: Path,
    dry_run: bool,
    only: set[int] | None = None,
    now: datetime | None = None,
) -> Run:
    """Anonymise every case of the area that is due (``find_due``), or with ``dry_run`` only
    say what would be changed. ``only``: of the due cases, just these (those a person saw in
    the dry run and confirmed). A real run records an audit event per case and one for the run;
    the caller commits, then deletes ``Run.files``."""
    now = now or utcnow()
    session.flush()
    cases: list[CasePlan] = []
    done: set[int] = set()
    for application in find_due(session, area, today):
        if only is not None and application.id not in only:
            continue
        done.add(application.id)
        cases.append(_plan(session, metadata, application, done, storage_dir, now))
    if dry_run or not cases:
        return Run(dry_run, cases)
    for case in cases:
        for change in case.changes:
            values = dict(change.values)
            if "version" in change.table.c:  # a form drawn before the run is now stale
                values["version"] = change.table.c.version + 1
            key = change.table.primary_key.columns[0]
            session.execute(update(change.table).where(key == change.key).values(**values))
    session.expire_all()  # the ORM's copies of the rows are out of date
    for case in cases:
        audit.record(
            session, actor, area_id=area.id, entity_type="application",
            entity_id=case.application_id, action="anonymise",
            summary=f"Personuppgifterna i ärendet {case.reference} anonymiserades: "
            f"{case.fields} uppgifter i {case.records} poster, {len(case.files)} filer raderade",
        )  # fmt: skip
    audit.record(
        session, actor, area_id=area.id, entity_type="area", entity_id=area.id,
        action="anonymise",
        summary=f"Anonymisering efter gallringsfristen ({area.retention_months} månader): "
        f"{len(cases)} {'ärende' if len(cases) == 1 else 'ärenden'}",
    )  # fmt: skip
    session.flush()
    return Run(dry_run, cases)


Rows = list[tuple[Table, Any, dict[str, PersonalData]]]


def _plan(
    session: Session,
    metadata: MetaData,
    application: Application,
    done: set[int],
    storage_dir: Path,
    now: datetime,
) -> CasePlan:
    organisation = application.organisation
    sole_trader = organisation is None or organisation.legal_form is LegalForm.SOLE_TRADER

    def applies(data: PersonalData) -> bool:
        """Whether anonymisation changes the column in this case."""
        return data.method is not Method.KEEP and (
            data.subject is not Subject.SOLE_TRADER or sole_trader
        )

    rows: Rows = []
    for table in metadata.sorted_tables:
        columns = {n: d for n, d in personal_columns(table).items() if applies(d)}
        clause = case_clause(table, [application.id])
        if table.name not in ("organisations", "audit_events") and columns and clause is not None:
            rows += [(table, row, columns) for row in session.execute(select(table).where(clause))]
    organisations: Rows = []
    entities: dict[str, list[int]] = {"application": [application.id]}
    if organisation is not None:
        table = Organisation.__table__
        row = session.execute(select(table).where(table.c.id == organisation.id)).one()
        columns = {n: d for n, d in personal_columns(table).items() if applies(d)}
        organisations.append((table, row, columns))
        if not _still_used(session, organisation, done):
            rows.append((table, row, columns))
            entities["organisation"] = [organisation.id]
    entities["attachment"] = _ids(session, Attachment, application.id)
    entities["ledger_entry"] = _ids(session, LedgerEntry, application.id)

    scrub = _scrubber(_identifying(rows + organisations))
    plan = CasePlan(application.id, application.reference or "", application.status_changed_at)
    for table, row, columns in rows:
        values = _anonymised(table, row, columns, scrub)
        if table.name == "applications":
            values["anonymised_at"] = now
        if values:
            plan.changes.append(Change(table, record_key(table, row), values))
    plan.changes += _audit_changes(session, entities, scrub, now)
    attachments = session.scalars(
        select(Attachment).where(Attachment.application_id == application.id)
    )
    plan.files = [path for a in attachments if (path := path_of(a, storage_dir)).is_file()]
    return plan


def _audit_changes(
    session: Session, entities: dict[str, list[int]], scrub: re.Pattern[str] | None, now: datetime
) -> list[Change]:
    """The case's audit events (by the kind and id of the record each is about) scrubbed, each
    once: the database refuses a second change to an event."""
    events = AuditEvent.__table__
    columns = personal_columns(events)
    changes = []
    for kind, ids in entities.items():
        if not ids:
            continue
        query = select(events).where(
            events.c.entity_type == kind, events.c.entity_id.in_(ids),
            events.c.anonymised_at.is_(None),
        )  # fmt: skip
        for row in session.execute(query):
            if values := _anonymised(events, row, columns, scrub):
                changes.append(Change(events, row.id, {**values, "anonymised_at": now}))
    return changes


def _ids(session: Session, model: type[Attachment] | type[LedgerEntry], case_id: int) -> list[int]:
    return list(session.scalars(select(model.id).where(model.application_id == case_id)))


def _still_used(session: Session, organisation: Organisation, done: set[int]) -> bool:
    """Whether a case that keeps its personal data (for now) still names the organisation."""
    return bool(
        session.scalar(
            select(func.count())
            .select_from(Application)
            .where(
                Application.organisation_id == organisation.id,
                Application.anonymised_at.is_(None),
                Application.id.not_in(done),
            )
        )
    )


def _identifying(rows: Rows) -> set[str]:
    """The values in these records that identify the applicant on their own, in the forms in
    which the case's texts may have copied them."""
    values: set[str] = set()
    for _table, row, columns in rows:
        for name, data in columns.items():
            value = getattr(row, name)
            if (
                isinstance(value, str)
                and data.identifying
                and data.subject in APPLICANT_SUBJECTS
                and data.category is not Category.FREE_TEXT
                and len(value.strip()) >= _MIN_SCRUBBED
            ):
                values |= set(_forms(data.category, value.strip()))
    return values


def _forms(category: Category, value: str) -> Iterable[str]:
    forms = {value}
    if value.isdigit() and category is Category.IDENTIFIER:
        forms.add(format_org_number(value))
    if value.isdigit() and category is Category.PAYMENT_ACCOUNT:
        forms |= {format_bankgiro(value), format_plusgiro(value)}
    # As a decision letter (HTML) writes them.
    return forms | {str(escape(form)) for form in forms}


def _scrubber(values: set[str]) -> re.Pattern[str] | None:
    if not values:
        return None
    # Longest first, so that "Eva Ek" goes as a whole before "Eva" could.
    alternatives = sorted(values, key=lambda value: (-len(value), value))
    return re.compile("|".join(map(re.escape, alternatives)), re.IGNORECASE)


def _scrubbed(value: Any, pattern: re.Pattern[str] | None) -> Any:
    if pattern is None:
        return value
    if isinstance(value, str):
        return pattern.sub(PLACEHOLDER, value)
    if isinstance(value, dict):
        return {key: _scrubbed(item, pattern) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, pattern) for item in value]
    return value


def _anonymised(
    table: Table, row: Any, columns: dict[str, PersonalData], scrub: re.Pattern[str] | None
) -> dict[str, Any]:
    """The new values of the row's declared columns that anonymisation changes."""
    values: dict[str, Any] = {}
    for name, data in columns.items():
        old = getattr(row, name)
        if old in (None, "") or data.method is Method.KEEP:
            continue
        column = table.c[name]
        if data.method is Method.CLEAR:
            new = None if column.nullable else ""
        elif data.method is Method.REPLACE and data.category is Category.IDENTIFIER:
            # Month 00 and a third digit 0: never a personnummer, never an organisationsnummer.
            new = f"0000{record_key(table, row):06d}"
        elif data.method is Method.REPLACE:
            new = PLACEHOLDER
        else:
            new = _scrubbed(old, scrub)
        length = column.type.length if isinstance(column.type, String) else None
        if isinstance(new, str) and length:
            new = new[:length]
        if new != old:
            values[name] = new
    return values
