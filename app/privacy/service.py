"""Personal data: the register drawn from the declarations, the access log, and the data
subject access search (registerutdrag). Rules only, no HTTP; every query is scoped to one area.
"""

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, ColumnElement, MetaData, Table, Text, cast, func, or_, select
from sqlalchemy.orm import Session, joinedload

from app.applications.models import Application
from app.audit import service as audit
from app.audit.service import Actor
from app.auth.models import User
from app.config import get_settings
from app.core.forms import FieldError
from app.core.i18n import DEFAULT_LANGUAGE, N_, use_language
from app.core.i18n import gettext as _
from app.privacy.declaration import (
    TABLE_LABELS,
    Category,
    Method,
    PersonalData,
    Subject,
    personal_columns,
)
from app.privacy.models import AccessAction, PersonalDataAccess

# --- The register ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterGroup:
    """One table's personal data, as the register page shows it."""

    table: str
    label: str  # marked with N_
    columns: list[tuple[str, PersonalData]]


def register(metadata: MetaData) -> list[RegisterGroup]:
    """Every declared column holding personal data, by table, in the register's order."""
    order = list(TABLE_LABELS)
    groups = [
        RegisterGroup(table.name, TABLE_LABELS[table.name], list(columns.items()))
        for table in metadata.sorted_tables
        if (columns := personal_columns(table))
    ]
    return sorted(groups, key=lambda group: order.index(group.table))


def retention_text(data: PersonalData, retention_months: int) -> str:
    """How long the column's data is kept, in the interface language."""
    if data.method is Method.KEEP:
        return _(data.note)
    return _("Anonymiseras {months} månader efter att ärendet avslutats: {method}.").format(
        months=retention_months, method=data.method.label.lower()
    )


# --- Where a record belongs ------------------------------------------------------------------


def area_clause(table: Table, area_id: int) -> ColumnElement[bool] | None:
    """Restricts ``table`` to one area: by its own ``area_id``, or through the first record it
    refers to that has one. None for a table that belongs to no area (login attempts)."""
    if "area_id" in table.c:
        return table.c.area_id == area_id
    for key in sorted(table.foreign_keys, key=lambda key: key.parent.name):
        target = key.column.table
        if "area_id" in target.c:
            return table.c[key.parent.name].in_(
                select(key.column).where(target.c.area_id == area_id)
            )
    return None


def case_clause(table: Table, application_ids: list[int]) -> ColumnElement[bool] | None:
    """Restricts ``table`` to the records of these cases: the case itself, the records naming
    it, or the records of those (a LAG member's score on the case's agenda item). None for a
    table that holds no case's records."""
    if table.name == "applications":
        return table.c.id.in_(application_ids)
    if "application_id" in table.c:
        return table.c.application_id.in_(application_ids)
    for key in sorted(table.foreign_keys, key=lambda key: key.parent.name):
        target = key.column.table
        if "application_id" in target.c and target.name != "applications":
            return table.c[key.parent.name].in_(
                select(key.column).where(target.c.application_id.in_(application_ids))
            )
    return None


def text_of(value: Any) -> str:
    """A stored value as text: JSON as JSON (with its letters as they are), None as empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


# --- The access log --------------------------------------------------------------------------


def subject_hash(key: str, term: str) -> str:
    """The keyed hash under which the log remembers a search term: the same person searched
    for the same way gives the same hash, and the log alone names nobody."""
    message = f"personal-data-subject:{normalise(term)}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def log_access(
    session: Session,
    user: User,
    action: AccessAction,
    *,
    application_id: int | None = None,
    subject: str | None = None,
    matches: int | None = None,
) -> None:
    """One row in the access log (``subject``: the keyed hash of a search term, never the
    term). One INSERT, in the caller's transaction."""
    session.add(
        PersonalDataAccess(
            area_id=user.area_id, user_id=user.id, action=action, application_id=application_id,
            subject_hash=subject, matches=matches,
        )
    )  # fmt: skip


@dataclass(frozen=True)
class AccessFilter:
    user_id: int | None = None
    since: date | None = None
    until: date | None = None  # inclusive
    subject: str | None = None  # a keyed hash (see ``subject_hash``)


@dataclass(frozen=True)
class AccessPage:
    items: list[PersonalDataAccess]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=ZoneInfo(get_settings().timezone))


def access_log(
    session: Session, area_id: int, filters: AccessFilter, page: int = 1, per_page: int = 50
) -> AccessPage:
    """The area's access log, newest first, one page at a time."""
    query = select(PersonalDataAccess).where(PersonalDataAccess.area_id == area_id)
    if filters.user_id is not None:
        query = query.where(PersonalDataAccess.user_id == filters.user_id)
    if filters.since is not None:
        query = query.where(PersonalDataAccess.at >= _local_midnight(filters.since))
    if filters.until is not None:
        following = date.fromordinal(filters.until.toordinal() + 1)
        query = query.where(PersonalDataAccess.at < _local_midnight(following))
    if filters.subject is not None:
        query = query.where(PersonalDataAccess.subject_hash == filters.subject)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(
        query.options(
            joinedload(PersonalDataAccess.user), joinedload(PersonalDataAccess.application)
        )
        .order_by(PersonalDataAccess.at.desc(), PersonalDataAccess.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return AccessPage(list(items), total, page, per_page)


# --- Data subject access ---------------------------------------------------------------------

MIN_TERM = 3
MAX_TERM = 254
TERM_TOO_SHORT = N_("Skriv minst tre tecken: en e-postadress, ett namn eller ett personnummer.")

# What a search by name or by e-mail address matches besides the columns of that very kind
# (a personnummer matches identifiers, and a search's keyed hash the access log's).
_BY_NAME = frozenset({Category.NAME, Category.FREE_TEXT, Category.FILE_NAME})
_BY_EMAIL = frozenset({Category.FREE_TEXT, Category.FILE_NAME})
# Whose data in a case belongs to its applicant (and so to the applicant's extract).
APPLICANT_SUBJECTS = frozenset({Subject.CONTACT, Subject.SOLE_TRADER, Subject.APPLICANT})


def normalise(term: str) -> str:
    return " ".join(term.split()).lower()


def check_term(term: str) -> str:
    """The search term, normalised, or ``FieldError`` with what is wrong with it."""
    needle = normalise(term)
    if len(needle) < MIN_TERM:
        raise FieldError(TERM_TOO_SHORT)
    if len(needle) > MAX_TERM:
        raise FieldError(_("Högst {max_length} tecken.").format(max_length=MAX_TERM))
    return needle


def _digits(needle: str) -> str | None:
    """A personnummer or organisationsnummer as stored (ten digits), if the term is one."""
    digits = needle.replace("-", "").replace(" ", "").replace("+", "")
    if digits.isdigit() and len(digits) in (10, 12):
        return digits[-10:]
    return None


@dataclass(frozen=True)
class FoundRecord:
    """A record holding the subject's personal data: the values of its personal columns."""

    table: str
    record_id: Any
    application_id: int | None
    reference: str | None
    fields: tuple[tuple[str, PersonalData, str], ...]  # column, declaration, value
    matched: frozenset[str]  # the columns naming the subject; empty: part of the subject's case

    @property
    def label(self) -> str:
        return TABLE_LABELS[self.table]


class _Matcher:
    """One search term, asked of a column in SQL and again of a fetched value in Python (to
    show which columns named the subject)."""

    def __init__(self, needle: str, subject: str) -> None:
        self.needle = needle
        self.subject = subject
        self.email = "@" in needle
        self.digits = _digits(needle)
        # JSON is stored with its non-ASCII letters escaped ("\u00e5").
        self.escaped = json.dumps(needle)[1:-1]

    def sql(self, table: Table, name: str, data: PersonalData) -> ColumnElement[bool] | None:
        column = table.c[name]
        if data.category is Category.PSEUDONYM:
            return column == self.subject
        if data.category is Category.IDENTIFIER:
            return column == self.digits if self.digits else None
        if data.category is Category.EMAIL:
            return func.lower(column) == self.needle if self.email else None
        if data.category not in (_BY_EMAIL if self.email else _BY_NAME):
            return None
        if isinstance(column.type, JSON):
            text = func.lower(cast(column, Text))
            return or_(
                text.contains(self.needle, autoescape=True),
                text.contains(self.escaped, autoescape=True),
            )
        return func.lower(column).contains(self.needle, autoescape=True)

    def names(self, data: PersonalData, value: str) -> bool:
        if data.category is Category.PSEUDONYM:
            return value == self.subject
        if data.category is Category.IDENTIFIER:
            return value == self.digits
        if data.category is Category.EMAIL:
            return self.email and value.lower() == self.needle
        return data.category in (_BY_EMAIL if self.email else _BY_NAME) and (
            self.needle in normalise(value)
        )


def _searchable(metadata: MetaData) -> Iterator[tuple[Table, dict[str, PersonalData]]]:
    order = list(TABLE_LABELS)
    tables = [table for table in metadata.sorted_tables if personal_columns(table)]
    for table in sorted(tables, key=lambda table: order.index(table.name)):
        yield table, personal_columns(table)


def _record(table: Table, row: Any, columns: dict[str, PersonalData], matcher: _Matcher | None,
            references: dict[int, str | None]) -> FoundRecord:  # fmt: skip
    fields = tuple(
        (name, data, text_of(getattr(row, name)))
        for name, data in columns.items()
        if text_of(getattr(row, name))
    )
    matched = frozenset(
        name for name, data, value in fields if matcher is not None and matcher.names(data, value)
    )
    case_id = _case_of(table, row)
    reference = references.get(case_id) if case_id else None
    return FoundRecord(table.name, record_key(table, row), case_id, reference, fields, matched)


def record_key(table: Table, row: Any) -> Any:
    """The row's primary key (every table holding personal data has a single-column one)."""
    return getattr(row, table.primary_key.columns[0].name)


def _case_of(table: Table, row: Any) -> int | None:
    return row.id if table.name == "applications" else getattr(row, "application_id", None)


def find_subject(
    session: Session, metadata: MetaData, area_id: int, term: str, key: str
) -> list[FoundRecord]:
    """Every record of the area that names the subject (``term``: an e-mail address, a name or
    a personnummer), and every other record of the cases where the subject is the applicant or
    its contact. ``term`` must have passed ``check_term``."""
    matcher = _Matcher(normalise(term), subject_hash(key, term))
    hits: list[tuple[Table, Any, dict[str, PersonalData]]] = []
    cases: set[int] = set()
    for table, columns in _searchable(metadata):
        scope = area_clause(table, area_id)
        conditions = [
            condition
            for name, data in columns.items()
            if (condition := matcher.sql(table, name, data)) is not None
        ]
        if scope is None or not conditions:
            continue
        for row in session.execute(select(table).where(scope, or_(*conditions))):
            hits.append((table, row, columns))
            if table.name == "applications" and any(
                data.subject in (Subject.CONTACT, Subject.SOLE_TRADER)
                and matcher.names(data, text_of(getattr(row, name)))
                for name, data in columns.items()
            ):
                cases.add(row.id)
    seen = {(table.name, record_key(table, row)) for table, row, _ in hits}
    related: list[tuple[Table, Any, dict[str, PersonalData]]] = []
    if cases:
        for table, columns in _searchable(metadata):
            own = {n: d for n, d in columns.items() if d.subject in APPLICANT_SUBJECTS}
            clause = case_clause(table, sorted(cases)) if own else None
            scope = area_clause(table, area_id)
            if clause is None or scope is None:
                continue
            for row in session.execute(select(table).where(clause, scope)):
                if (table.name, record_key(table, row)) not in seen:
                    related.append((table, row, own))
    references = _references(session, area_id, hits + related)
    found = [_record(table, row, columns, matcher, references) for table, row, columns in hits]
    found += [_record(table, row, columns, None, references) for table, row, columns in related]
    return [record for record in found if record.fields]


def _references(
    session: Session, area_id: int, rows: list[tuple[Table, Any, dict[str, PersonalData]]]
) -> dict[int, str | None]:
    """The case reference (diarienummer) of every case the rows belong to, in one query."""
    ids = {_case_of(table, row) for table, row, _ in rows} - {None}
    if not ids:
        return {}
    return dict(
        session.execute(
            select(Application.id, Application.reference).where(
                Application.area_id == area_id, Application.id.in_(ids)
            )
        ).all()
    )


def record_subject_access(
    session: Session,
    user: User,
    actor: Actor,
    action: AccessAction,
    subject: str,
    matches: int,
) -> None:
    """A search or an export, in the access log and (being a disclosure) the audit log; the
    audit log gets how many records, not whose."""
    log_access(session, user, action, subject=subject, matches=matches)
    with use_language(DEFAULT_LANGUAGE):  # the audit log is a record, written in Swedish
        summary = f"{action.label}: {matches} {'post' if matches == 1 else 'poster'}"
    audit.record(session, actor, entity_type="personal_data", entity_id=None, action=action.value,
                 summary=summary)  # fmt: skip
