"""An umbrella project (paraplyprojekt): a funded Leader project that hands out småstöd."""

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.areas.models import ActionArea
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.db import Base, Money, UTCDateTime, enum_column_type
from app.privacy.declaration import STRUCTURE


class DecisionBody(enum.StrEnum):
    """Who decides småstöd from this pot (beslutsorgan)."""

    OFFICE = "office"  # kansliet, under delegation up to the limit
    PRESIDIUM = "presidium"  # styrelsens presidium
    COMMITTEE = "committee"  # ett utskott
    LAG = "lag"  # LAG-styrelsen

    @property
    def label(self) -> str:
        return _(DECISION_BODY_LABELS[self])


DECISION_BODY_LABELS = {
    DecisionBody.OFFICE: N_("Kansliet (delegation)"),
    DecisionBody.PRESIDIUM: N_("Presidiet"),
    DecisionBody.COMMITTEE: N_("Utskott"),
    DecisionBody.LAG: N_("LAG-styrelsen"),
}


class UmbrellaProject(Base):
    """The pot and the common rules for its småstöd: limits per grant, the volunteer-work match,
    the call window, eligible legal forms and who decides up to which amount."""

    __tablename__ = "umbrella_projects"
    __table_args__ = (
        UniqueConstraint("area_id", "name"),
        CheckConstraint("pot_ore >= 0", name="pot_non_negative"),
        CheckConstraint("min_grant_ore >= 0", name="min_grant_non_negative"),
        CheckConstraint("max_grant_ore >= min_grant_ore", name="grant_limits_ordered"),
        CheckConstraint("max_grant_ore <= pot_ore", name="max_grant_within_pot"),
        CheckConstraint("delegation_limit_ore >= 0", name="delegation_limit_non_negative"),
        CheckConstraint(
            "volunteer_match_percent BETWEEN 0 AND 1000", name="volunteer_match_percent_range"
        ),
        CheckConstraint("max_project_months > 0", name="max_project_months_positive"),
        CheckConstraint("call_closes_at > call_opens_at", name="call_window_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    action_area_id: Mapped[int] = mapped_column(ForeignKey("action_areas.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), info=STRUCTURE)
    description: Mapped[str] = mapped_column(Text, default="", info=STRUCTURE)
    pot_ore: Mapped[int] = mapped_column(Money)
    min_grant_ore: Mapped[int] = mapped_column(Money)
    max_grant_ore: Mapped[int] = mapped_column(Money)
    # Ideellt arbete required, as a percentage of the grant (100 = at least equal to the grant).
    volunteer_match_percent: Mapped[int] = mapped_column(Integer)
    max_project_months: Mapped[int] = mapped_column(Integer)
    call_opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    call_closes_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # Configuration read as a whole, never filtered on in queries: JSON lists are enough.
    eligible_legal_forms: Mapped[list[str]] = mapped_column(JSON, default=list, info=STRUCTURE)
    required_attachments: Mapped[list[str]] = mapped_column(JSON, default=list, info=STRUCTURE)
    decision_body: Mapped[DecisionBody] = mapped_column(
        enum_column_type(DecisionBody, "decision_body")
    )
    # The office may decide up to this amount; above it the application goes to the LAG.
    delegation_limit_ore: Mapped[int] = mapped_column(Money)
    # The umbrella is itself a Leader project: what is committed to it caps what the pot can
    # grant. Empty only for an umbrella funded outside Bygdestöd. (use_alter: the two tables
    # refer to each other.)
    funding_application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", use_alter=True), unique=True
    )

    action_area: Mapped[ActionArea] = relationship()
