"""Umbrella projects and their calls (utlysningar)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.areas.models import Area
from app.ledger.service import pot_balance
from app.umbrellas.models import UmbrellaProject


@dataclass(frozen=True)
class OpenCall:
    umbrella: UmbrellaProject
    area_name: str  # one deployment may host several Leader areas
    remaining_ore: int


def open_calls(session: Session, now: datetime) -> list[OpenCall]:
    """Calls open right now, soonest deadline first, with what is left in each pot."""
    rows = session.execute(
        select(UmbrellaProject, Area.name)
        .join(Area, Area.id == UmbrellaProject.area_id)
        .options(joinedload(UmbrellaProject.action_area))
        .where(UmbrellaProject.call_opens_at <= now, UmbrellaProject.call_closes_at > now)
        .order_by(Area.name, UmbrellaProject.call_closes_at)
    )
    return [
        OpenCall(umbrella, area_name, max(pot_balance(session, umbrella).remaining_ore, 0))
        for umbrella, area_name in rows
    ]
