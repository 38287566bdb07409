"""Application rules that do not depend on the workflow: numbering, lookup, listing."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload

from app.applications.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    ReferenceCounter,
)
from app.audit import service as audit
from app.audit.service import Actor
from app.db import utcnow


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


def get_in_area(session: Session, area_id: int, application_id: int) -> Application | None:
    """An application, but only if it belongs to ``area_id`` (other areas' look missing)."""
    return session.scalar(
        select(Application)
        .options(
            joinedload(Application.organisation),
            joinedload(Application.action_area),
            joinedload(Application.umbrella_project),
        )
        .where(Application.id == application_id, Application.area_id == area_id)
    )


@dataclass(frozen=True)
class ApplicationFilter:
    status: ApplicationStatus | None = None
    kind: ApplicationKind | None = None


@dataclass(frozen=True)
class Page:
    items: list[Application]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _filtered(area_id: int, filters: ApplicationFilter) -> Select[tuple[Application]]:
    query = select(Application).where(Application.area_id == area_id)
    if filters.status is not None:
        query = query.where(Application.status == filters.status)
    if filters.kind is not None:
        query = query.where(Application.kind == filters.kind)
    return query


def list_in_area(
    session: Session, area_id: int, filters: ApplicationFilter, page: int = 1, per_page: int = 50
) -> Page:
    """One page of an area's applications, newest received first (drafts last)."""
    query = _filtered(area_id, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(
        query.options(joinedload(Application.organisation), joinedload(Application.action_area))
        .order_by(Application.submitted_at.desc().nulls_last(), Application.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return Page(items=list(items), total=total, page=page, per_page=per_page)


def counts_by_status(session: Session, area_id: int) -> dict[ApplicationStatus, int]:
    rows = session.execute(
        select(Application.status, func.count())
        .where(Application.area_id == area_id)
        .group_by(Application.status)
    )
    return {ApplicationStatus(status): count for status, count in rows}


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
