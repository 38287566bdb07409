"""Decision (beslut): what was decided on an application, by whom, why, with its letter."""

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.db import Base, Money, UTCDateTime, enum_column_type, utcnow
from app.privacy.declaration import CASE_TEXT, GENERATED, STAFF_NAME


class DecisionBody(enum.StrEnum):
    """Who made the decision (beslutsfattare)."""

    OFFICE = "office"  # kansliet under delegation
    LAG = "lag"  # LAG-styrelsen
    AUTHORITY = "authority"  # Jordbruksverket's formal decision on a Leader project

    @property
    def label(self) -> str:
        return _(DECISION_BODY_LABELS[self.value])


DECISION_BODY_LABELS = {
    "office": N_("Leaderkontoret (delegationsbeslut)"),
    "lag": N_("LAG-styrelsen"),
    "authority": N_("Jordbruksverket"),
}


class DecisionOutcome(enum.StrEnum):
    APPROVED = "approved"
    PARTLY_APPROVED = "partly_approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return _(DECISION_OUTCOME_LABELS[self.value])


DECISION_OUTCOME_LABELS = {
    "approved": N_("Beviljat"),
    "partly_approved": N_("Delvis beviljat"),
    "rejected": N_("Avslag"),
}


class Decision(Base):
    """One decision on an application. Never changed once made: a new decision is a new row.

    ``letter_html`` is the decision letter as sent; its PDF is an attachment of the case
    (``letter_attachment_id``) so it is downloadable by staff and the applicant alike.
    """

    __tablename__ = "decisions"
    __table_args__ = (
        Index("ix_decisions_application", "application_id", "decided_at"),
        CheckConstraint("(outcome = 'rejected') = (amount_ore IS NULL)", name="amount_iff_granted"),
        CheckConstraint("amount_ore IS NULL OR amount_ore > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    body: Mapped[DecisionBody] = mapped_column(enum_column_type(DecisionBody, "decision_maker"))
    outcome: Mapped[DecisionOutcome] = mapped_column(
        enum_column_type(DecisionOutcome, "decision_outcome")
    )
    amount_ore: Mapped[int | None] = mapped_column(Money)
    motivation: Mapped[str] = mapped_column(Text, info=CASE_TEXT)
    # The day the decision was made (for the authority: the date on its decision).
    decided_on: Mapped[date] = mapped_column(Date)
    # The authority's own reference for its decision, if any.
    external_reference: Mapped[str | None] = mapped_column(String(60), info=GENERATED)
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_name: Mapped[str] = mapped_column(String(200), info=STAFF_NAME)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    letter_html: Mapped[str | None] = mapped_column(Text, info=CASE_TEXT)
    letter_attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
