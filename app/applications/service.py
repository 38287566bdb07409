"""Application rules that do not depend on the workflow: numbering, lookup, listing."""

import enum
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, defer, joinedload, lazyload, load_only

from app.applications.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    InformationRequest,
    ReferenceCounter,
)
from app.areas.models import ActionArea
from app.audit import service as audit
from app.audit.service import Actor
from app.auth.models import Role, User
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.db import utcnow
from app.organisations.models import Organisation


def allocate_reference(session: Session, area_id: int, kind: ApplicationKind, year: int) -> str:
    """The next reference number, e.g. ``SMÅ-2026-0042``: gap-free per area, kind and year.

    A single upsert increments the counter, so two applications received at the same moment
    can never get the same number (the row lock or SQLite's write lock orders them).
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(ReferenceCounter)
        .values(area_id=area_id, prefix=kind.reference_prefix, year=year, last_value=1)
        .on_conflict_do_update(
            index_elements=["area_id", "prefix", "year"],
            set_={"last_value": ReferenceCounter.last_value + 1},
        )
        .returning(ReferenceCounter.last_value)
    )
    number = session.execute(statement).scalar_one()
    return f"{kind.reference_prefix}-{year}-{number:04d}"


def lock(session: Session, application: Application) -> None:
    """Re-read the application under a row lock so that one change at a time is made to it
    (e.g. two claims sent at once). Only the applications row is locked: PostgreSQL refuses
    FOR UPDATE on the nullable side of the outer joins a page may have loaded it with."""
    session.flush()
    session.refresh(application, with_for_update={"of": Application})


def get_in_area(session: Session, area_id: int, application_id: int) -> Application | None:
    """An application, but only if it belongs to ``area_id`` (other areas' look missing)."""
    return session.scalar(
        select(Application)
        .options(
            joinedload(Application.organisation),
            # The period too: the case page's scoring and checklist read its rules.
            joinedload(Application.action_area).joinedload(ActionArea.period),
            joinedload(Application.umbrella_project),
        )
        .where(Application.id == application_id, Application.area_id == area_id)
    )


class QueueSort(enum.StrEnum):
    RECEIVED = "received"  # newest received first
    WAITING = "waiting"  # longest in its current status first
    AMOUNT = "amount"  # largest amount sought first
    REFERENCE = "reference"

    @property
    def label(self) -> str:
        return _(SORT_LABELS[self.value])


SORT_LABELS = {
    "received": N_("Senast inkomna"),
    "waiting": N_("Längst i status"),
    "amount": N_("Största belopp"),
    "reference": N_("Diarienummer"),
}


_ORDER = {
    QueueSort.RECEIVED: (Application.submitted_at.desc().nulls_last(), Application.id.desc()),
    QueueSort.WAITING: (Application.status_changed_at.asc(), Application.id.asc()),
    QueueSort.AMOUNT: (Application.requested_ore.desc(), Application.id.desc()),
    QueueSort.REFERENCE: (Application.reference.asc().nulls_last(), Application.id.asc()),
}


@dataclass(frozen=True)
class ApplicationFilter:
    """The handler's queue filters; every one maps to an indexed column or a bounded subquery."""

    status: ApplicationStatus | None = None
    kind: ApplicationKind | None = None
    umbrella_project_id: int | None = None
    action_area_id: int | None = None
    handler_id: int | None = None
    # Only cases with an unanswered komplettering whose last day is before this date.
    overdue_before: date | None = None
    # Only cases that have been in their status since before this moment.
    in_status_since: datetime | None = None
    text: str = ""
    sort: QueueSort = QueueSort.RECEIVED


@dataclass(frozen=True)
class Page:
    items: list[Application]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _filtered(
    area_id: int, filters: ApplicationFilter, *, with_status: bool = True
) -> Select[tuple[Application]]:
    query = select(Application).where(Application.area_id == area_id)
    if with_status and filters.status is not None:
        query = query.where(Application.status == filters.status)
    for column, value in (
        (Application.kind, filters.kind),
        (Application.umbrella_project_id, filters.umbrella_project_id),
        (Application.action_area_id, filters.action_area_id),
        (Application.assigned_handler_id, filters.handler_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.overdue_before is not None:
        query = query.where(
            select(InformationRequest.id)
            .where(
                InformationRequest.application_id == Application.id,
                InformationRequest.answered_at.is_(None),
                InformationRequest.deadline < filters.overdue_before,
            )
            .exists()
        )
    if filters.in_status_since is not None:
        query = query.where(Application.status_changed_at < filters.in_status_since)
    if text := filters.text.strip():
        query = query.where(_matches(text, area_id))
    return query


def _matches(text: str, area_id: int) -> ColumnElement[bool]:
    """Free text over reference, title, applicant and organisationsnummer (with or without
    the hyphen), case-insensitive. The organisation subqueries search only the area's own
    register (an application always names its own area's organisation), not every area's."""
    needle = text.lower()
    digits = "".join(ch for ch in text if ch.isdigit())
    conditions = [
        func.lower(Application.reference).contains(needle, autoescape=True),
        func.lower(Application.title).contains(needle, autoescape=True),
        func.lower(Application.applicant_name).contains(needle, autoescape=True),
        Application.organisation_id.in_(
            select(Organisation.id).where(
                Organisation.area_id == area_id,
                func.lower(Organisation.name).contains(needle, autoescape=True),
            )
        ),
    ]
    if len(digits) >= 6:
        conditions.append(
            Application.organisation_id.in_(
                select(Organisation.id).where(
                    Organisation.area_id == area_id,
                    Organisation.org_number.contains(digits, autoescape=True),
                )
            )
        )
    return or_(*conditions)


def list_in_area(
    session: Session,
    area_id: int,
    filters: ApplicationFilter,
    page: int = 1,
    per_page: int = 50,
    *,
    counts: dict[ApplicationStatus, int] | None = None,
) -> Page:
    """One page of an area's applications, filtered and sorted as asked.

    ``counts``, when the caller has them from ``counts_by_status`` with the same filters, give
    the total without another scan: those counts apply every filter but the status, so the
    total is their sum, or the status's own count under a status filter."""
    query = _filtered(area_id, filters)
    if counts is None:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    elif filters.status is None:
        total = sum(counts.values())
    else:
        total = counts.get(filters.status, 0)
    order = _ORDER[filters.sort]
    # The page's ids first, then only those rows with their joined data: joined in the paging
    # query itself, the joins would also run for every row skipped by OFFSET.
    ids = (
        query.with_only_columns(Application.id)
        .order_by(*order)
        .offset((page - 1) * per_page)
        .limit(per_page)
        .subquery()
    )
    items = session.scalars(
        select(Application)
        .join(ids, ids.c.id == Application.id)
        .options(
            # What a row shows and no more: the long texts stay in the database, and of the
            # organisation and the handler only the name is read (a User otherwise brings its
            # area and roles along: a join and another query per page).
            defer(Application.description),
            defer(Application.expected_results),
            joinedload(Application.organisation).load_only(Organisation.name),
            joinedload(Application.assigned_handler).options(
                load_only(User.full_name), lazyload(User.area), lazyload(User.role_links)
            ),
        )
        .order_by(*order)
    )
    return Page(items=list(items), total=total, page=page, per_page=per_page)


def counts_by_status(
    session: Session, area_id: int, filters: ApplicationFilter | None = None
) -> dict[ApplicationStatus, int]:
    """How many cases per status, under every filter except the status itself."""
    # Grouped directly, not over a subquery of whole rows, whose 34 columns SQLAlchemy would
    # wrap one by one on every request.
    matching = _filtered(area_id, filters or ApplicationFilter(), with_status=False)
    rows = session.execute(
        matching.with_only_columns(Application.status, func.count()).group_by(Application.status)
    )
    return {ApplicationStatus(status): count for status, count in rows}


def touch(application: Application, now: datetime | None = None) -> None:
    """Record that the case changed. The row is updated, so its version moves on and a save
    made from an older view of the case is refused (optimistic locking) — also for changes
    kept in other tables, such as a payment or a note."""
    application.updated_at = now or utcnow()


def change_status(
    session: Session,
    actor: Actor,
    application: Application,
    status: ApplicationStatus,
    *,
    action: str,
    summary: str,
    reason: str | None = None,
    now: datetime | None = None,
) -> None:
    """Move an application to ``status`` with its audit event (who, when, from, to, why).

    The one place a status changes, so no change can skip the log. (Which transitions are
    allowed is the workflow's business, defined with case handling.)
    """
    before = application.status
    application.status = status
    touch(application, now)
    if status is not before:
        application.status_changed_at = now or utcnow()
    audit.record(
        session,
        actor,
        area_id=application.area_id,
        entity_type="application",
        entity_id=application.id,
        action=action,
        summary=summary,
        changes={"status": [before.value, status.value]} if status is not before else None,
        reason=reason,
    )


class AssignmentError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


NOT_A_HANDLER = N_("Ärenden kan bara tilldelas en aktiv handläggare i området.")


def assign(
    session: Session,
    actor: Actor,
    applications: list[Application],
    handler: User | None,
) -> int:
    """Give cases to a handler (or take them back with None); each change is audited.
    Returns how many cases changed hands."""
    if handler is not None and (
        handler.area_id != actor.area_id
        or not handler.is_active
        or Role.HANDLER not in handler.roles
    ):
        raise AssignmentError(_(NOT_A_HANDLER))
    changed = 0
    for application in applications:
        before = application.assigned_handler
        if before is handler or (before and handler and before.id == handler.id):
            continue
        application.assigned_handler = handler
        changed += 1
        audit.record(
            session,
            actor,
            area_id=application.area_id,
            entity_type="application",
            entity_id=application.id,
            action="assigned",
            summary=f"Tilldelad {handler.full_name}" if handler else "Tilldelningen togs bort",
            changes={
                "assigned_handler": [
                    before.full_name if before else None,
                    handler.full_name if handler else None,
                ]
            },
        )
    return changed


def in_area_by_ids(session: Session, area_id: int, ids: list[int]) -> list[Application]:
    """The applications with these ids, all of them in ``area_id`` — or none (a foreign or
    unknown id makes the whole selection invalid rather than silently shorter)."""
    found = list(
        session.scalars(
            select(Application).where(Application.area_id == area_id, Application.id.in_(ids))
        )
    )
    return found if len(found) == len(set(ids)) else []
