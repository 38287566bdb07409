"""Members of the LAG board, each representing one interest group (sector)."""

import enum
from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.db import Base, enum_column_type
from app.privacy.declaration import Category, Method, Purpose, Subject, not_personal, personal


class Sector(enum.StrEnum):
    """Interest group (intressegrupp). No group may hold more than 49 % of the votes cast."""

    PUBLIC = "public"
    BUSINESS = "business"
    CIVIL_SOCIETY = "civil_society"

    @property
    def label(self) -> str:
        return _(SECTOR_LABELS[self])


SECTOR_LABELS = {
    Sector.PUBLIC: N_("Offentlig sektor"),
    Sector.BUSINESS: N_("Näringsliv"),
    Sector.CIVIL_SOCIETY: N_("Ideell sektor"),
}


class BoardRole(enum.StrEnum):
    CHAIR = "chair"  # ordförande
    VICE_CHAIR = "vice_chair"  # vice ordförande
    MEMBER = "member"  # ordinarie ledamot
    SUBSTITUTE = "substitute"  # ersättare

    @property
    def label(self) -> str:
        return _(BOARD_ROLE_LABELS[self])

    @property
    def is_ordinary(self) -> bool:
        """Chair and vice chair are ordinary members too; substitutes vote only in their stead."""
        return self is not BoardRole.SUBSTITUTE


BOARD_ROLE_LABELS = {
    BoardRole.CHAIR: N_("Ordförande"),
    BoardRole.VICE_CHAIR: N_("Vice ordförande"),
    BoardRole.MEMBER: N_("Ordinarie ledamot"),
    BoardRole.SUBSTITUTE: N_("Ersättare"),
}


class BoardMember(Base):
    """A seat on the LAG board for a term (mandatperiod)."""

    __tablename__ = "board_members"
    __table_args__ = (
        CheckConstraint("term_end IS NULL OR term_end >= term_start", name="term_ordered"),
        Index("ix_board_members_area_term", "area_id", "term_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    full_name: Mapped[str] = mapped_column(
        String(200),
        info=personal(
            Category.NAME, Subject.BOARD, Purpose.BOARD_GOVERNANCE, Method.KEEP,
            note=N_("LAG:s sammansättning är offentlig och namnen står i protokollen."),
        ),
    )  # fmt: skip
    # The organisation the member represents, e.g. "Flens kommun".
    represents: Mapped[str] = mapped_column(
        String(200), default="", info=not_personal(N_("En organisations namn."))
    )
    sector: Mapped[Sector] = mapped_column(enum_column_type(Sector, "sector"))
    role: Mapped[BoardRole] = mapped_column(enum_column_type(BoardRole, "board_role"))
    term_start: Mapped[date] = mapped_column(Date)
    term_end: Mapped[date | None] = mapped_column(Date)
    # For an ersättare: the ordinary member they stand in for (personlig ersättare); empty means
    # any ordinary member of the same sector.
    substitute_for_id: Mapped[int | None] = mapped_column(ForeignKey("board_members.id"))

    user: Mapped[User | None] = relationship()

    def serves_on(self, day: date) -> bool:
        return self.term_start <= day and (self.term_end is None or day <= self.term_end)
