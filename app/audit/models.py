"""AuditEvent: one state change, append-only like the ledger."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.i18n import N_
from app.db import Base, UTCDateTime, utcnow
from app.privacy.declaration import (
    GENERATED,
    Category,
    Method,
    Purpose,
    Subject,
    personal,
)

# What happened, in words and values: the applicant's details are removed when the case is
# anonymised; who did what, when, to which record, stays.
EVENT_TEXT = personal(Category.FREE_TEXT, Subject.APPLICANT, Purpose.ACCOUNTABILITY, Method.SCRUB)


class AuditEvent(Base):
    """Who (a user, or a labelled actor such as an applicant), when, which entity, what, why."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_entity", "area_id", "entity_type", "entity_id", "occurred_at"),
        Index("ix_audit_events_area_occurred_at", "area_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Nullable only for events before an area is known (e.g. a failed login for an unknown user).
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Kept as text so the log stays readable even without the user row (e.g. "Sökande").
    actor_label: Mapped[str] = mapped_column(
        String(200),
        info=personal(
            Category.NAME, Subject.STAFF, Purpose.ACCOUNTABILITY, Method.SCRUB,
            note=N_("Personalens namn står kvar; en sökande står som ”Sökande”."),
        ),
    )  # fmt: skip
    entity_type: Mapped[str] = mapped_column(String(50), info=GENERATED)
    entity_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(50), info=GENERATED)
    summary: Mapped[str] = mapped_column(Text, info=EVENT_TEXT)
    # Field-level before/after values, e.g. {"status": ["submitted", "in_review"]}.
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON, info=EVENT_TEXT)
    reason: Mapped[str | None] = mapped_column(Text, info=EVENT_TEXT)
    # The one change the log allows (the database enforces it): the texts above scrubbed of a
    # case's personal data when the case is anonymised, once, with the columns that give the
    # event its place in the trail unchanged.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
