"""Reading an area's programme set-up, always within one area."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.areas.models import ProgrammePeriod


def current_period(session: Session, area_id: int, today: date) -> ProgrammePeriod | None:
    """The period that covers ``today``, or else the most recent one that has started."""
    return session.scalar(
        select(ProgrammePeriod)
        .where(ProgrammePeriod.area_id == area_id, ProgrammePeriod.starts_on <= today)
        .order_by((ProgrammePeriod.ends_on >= today).desc(), ProgrammePeriod.starts_on.desc())
        .limit(1)
    )
