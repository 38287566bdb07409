"""The operation plan (verksamhetsplan): strategic goals with activities and counted targets,
and the progress staff register against them, shown beside the money."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.i18n import N_
from app.db import Base, UTCDateTime, utcnow
from app.privacy.declaration import STAFF_NAME, STRUCTURE, not_personal


class OperationGoal(Base):
    """A strategic goal of the year (strategiskt mål), e.g. "Bidra till bättre beredskap"."""

    __tablename__ = "operation_goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300), info=STRUCTURE)

    activities: Mapped[list["OperationActivity"]] = relationship(
        back_populates="goal", order_by="OperationActivity.position"
    )


class OperationActivity(Base):
    """An activity towards a goal; counted ones have a target ("Genomföra 17 workshops")."""

    __tablename__ = "operation_activities"
    __table_args__ = (
        CheckConstraint("target_count IS NULL OR target_count > 0", name="target_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("operation_goals.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300), info=STRUCTURE)
    target_count: Mapped[int | None] = mapped_column(Integer)
    # "workshops", "träffar"
    unit: Mapped[str] = mapped_column(String(60), default="", info=STRUCTURE)

    goal: Mapped[OperationGoal] = relationship(back_populates="activities")


class ActivityProgress(Base):
    """Progress registered by staff: how many were done, when, with a note."""

    __tablename__ = "activity_progress"
    __table_args__ = (CheckConstraint("count > 0", name="count_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("operation_activities.id"), index=True)
    count: Mapped[int] = mapped_column(Integer)
    done_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(
        Text, default="", info=not_personal(N_("Vad som gjorts i en aktivitet; inga personer."))
    )
    recorded_by_name: Mapped[str] = mapped_column(String(200), info=STAFF_NAME)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    activity: Mapped[OperationActivity] = relationship()
