"""Umbrella projects and their calls (utlysningar)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.ledger.service import pot_balance
from app.umbrellas.models import UmbrellaProject


@dataclass(frozen=True)
class OpenCall:
    umbrella: UmbrellaProject
    remaining_ore: int


def open_calls(session: Session, now: datetime) -> list[OpenCall]:
    """Calls open right now, soonest deadline first, with what is left in each pot."""
    umbrellas = session.scalars(
        select(UmbrellaProject)
        .options(joinedload(UmbrellaProject.action_area))
        .where(UmbrellaProject.call_opens_at <= now, UmbrellaProject.call_closes_at > now)
        .order_by(UmbrellaProject.call_closes_at)
    )
    return [
        OpenCall(umbrella, max(pot_balance(session, umbrella).remaining_ore, 0))
        for umbrella in umbrellas
    ]
