"""The board's composition: who serves today, and whether the seats alone break the balance.

Per-item quorum and the 49 % rule after jäv belong to the meeting feature; this only checks the
standing composition, which must already keep every interest group at or below the limit.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.board.models import BoardMember, BoardRole, Sector

# The share of votes no interest group may exceed (configurable per area in a later issue).
BALANCE_LIMIT_PERCENT = Decimal(49)


@dataclass(frozen=True)
class Composition:
    members: list[BoardMember]
    ordinary_by_sector: dict[Sector, int]

    @property
    def ordinary_total(self) -> int:
        return sum(self.ordinary_by_sector.values())

    def share_percent(self, sector: Sector) -> Decimal:
        if not self.ordinary_total:
            return Decimal(0)
        return (Decimal(self.ordinary_by_sector[sector]) * 100 / self.ordinary_total).quantize(
            Decimal("0.1")
        )

    @property
    def dominant_sectors(self) -> list[Sector]:
        """Sectors holding more than the limit of the ordinary seats (compared exactly, not on
        the rounded share: 25 of 51 is 49.02 %, which breaks the rule)."""
        return [
            sector
            for sector in Sector
            if self.ordinary_by_sector[sector] * 100 > BALANCE_LIMIT_PERCENT * self.ordinary_total
        ]


def composition(session: Session, area_id: int, today: date) -> Composition:
    members = [
        member
        for member in session.scalars(
            select(BoardMember)
            .where(BoardMember.area_id == area_id)
            .order_by(BoardMember.sector, BoardMember.full_name)
        )
        if member.serves_on(today)
    ]
    counts = dict.fromkeys(Sector, 0)
    for member in members:
        if member.role is not BoardRole.SUBSTITUTE:
            counts[member.sector] += 1
    return Composition(members=members, ordinary_by_sector=counts)
