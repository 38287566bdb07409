"""FinalReport: what the project did and achieved, as counted indicators."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.applications.models import Application
from app.db import Base, UTCDateTime, utcnow
from app.privacy.declaration import CASE_TEXT


class FinalReport(Base):
    """Slutredovisning: one per application. Indicators are counts (no personal data); jobs are
    full-time equivalents in hundredths (EU indicator R.37, volunteer work excluded)."""

    __tablename__ = "final_reports"
    __table_args__ = (
        CheckConstraint(
            "participants_women >= 0 AND participants_men >= 0 AND volunteer_hours >= 0"
            " AND new_activities >= 0 AND jobs_created_hundredths >= 0"
            " AND businesses_started >= 0",
            name="indicators_non_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    summary: Mapped[str] = mapped_column(Text, info=CASE_TEXT)
    participants_women: Mapped[int] = mapped_column(Integer)
    participants_men: Mapped[int] = mapped_column(Integer)
    volunteer_hours: Mapped[int] = mapped_column(Integer)
    new_activities: Mapped[int] = mapped_column(Integer)
    jobs_created_hundredths: Mapped[int] = mapped_column(Integer)
    businesses_started: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship()
