"""The standing composition check compares shares exactly, not after rounding."""

from app.board.models import Sector
from app.board.service import Composition


def test_a_share_just_over_49_percent_breaks_the_rule() -> None:
    board = Composition(
        members=[],
        ordinary_by_sector={Sector.PUBLIC: 25, Sector.BUSINESS: 13, Sector.CIVIL_SOCIETY: 13},
    )
    assert str(board.share_percent(Sector.PUBLIC)) == "49.0"  # 49.02 %, rounded for display
    assert board.dominant_sectors == [Sector.PUBLIC]


def test_exactly_49_percent_is_allowed() -> None:
    board = Composition(
        members=[],
        ordinary_by_sector={Sector.PUBLIC: 49, Sector.BUSINESS: 26, Sector.CIVIL_SOCIETY: 25},
    )
    assert board.dominant_sectors == []
