"""The tenant root and the programme's shape: area, period, action areas, selection criteria."""

from datetime import date

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, Money
from app.privacy.declaration import GENERATED, STRUCTURE

# The ranges the area's own settings may take (checked by the settings forms, the import and the
# database alike). Quorum is "more than X % of the ordinary seats": never less than half. The
# balance limit must let a board split evenly over three interest groups decide (33.3 %), and
# no group may ever hold a majority.
DECISION_DAYS_RANGE = (1, 365)
RETENTION_MONTHS_RANGE = (1, 240)
QUORUM_PERCENT_RANGE = (50, 99)
BALANCE_LIMIT_PERCENT_RANGE = (34, 50)


def _between(column: str, bounds: tuple[int, int]) -> CheckConstraint:
    return CheckConstraint(f"{column} BETWEEN {bounds[0]} AND {bounds[1]}", name=f"{column}_range")


class Area(Base):
    """A Leader area (Leaderområde), run by one LAG. Every user and root record belongs to one."""

    __tablename__ = "areas"
    __table_args__ = (
        _between("decision_within_days", DECISION_DAYS_RANGE),
        _between("retention_months", RETENTION_MONTHS_RANGE),
        _between("quorum_percent", QUORUM_PERCENT_RANGE),
        _between("balance_limit_percent", BALANCE_LIMIT_PERCENT_RANGE),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True, info=STRUCTURE)
    name: Mapped[str] = mapped_column(String(200), info=STRUCTURE)
    # What the applicant is told on receipt: a decision is expected within this many days.
    decision_within_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    # Personal data of a closed case is anonymised this many months after closing (GDPR).
    retention_months: Mapped[int] = mapped_column(Integer, default=120, server_default="120")
    # The association's statutes: the LAG is quorate for an item when those taking part are more
    # than this share of the ordinary seats (50: more than half)…
    quorum_percent: Mapped[int] = mapped_column(Integer, default=50, server_default="50")
    # …and no interest group may hold more than this share of the votes cast (EU: 49 %).
    balance_limit_percent: Mapped[int] = mapped_column(Integer, default=49, server_default="49")

    periods: Mapped[list["ProgrammePeriod"]] = relationship(
        back_populates="area", order_by="ProgrammePeriod.starts_on"
    )


class ProgrammePeriod(Base):
    """A programme period (programperiod), e.g. 2023–2027.

    The allocated project funds (tilldelade projektmedel) are not a column: they are the sum of
    the period's allocation entries in the ledger, so every change of allocation is on record.
    """

    __tablename__ = "programme_periods"
    __table_args__ = (
        UniqueConstraint("area_id", "name"),
        CheckConstraint("ends_on > starts_on", name="period_dates"),
        CheckConstraint(
            "uptake_target_percent BETWEEN 0 AND 100", name="uptake_target_percent_range"
        ),
        CheckConstraint("pass_threshold_points >= 0", name="pass_threshold_non_negative"),
        CheckConstraint(
            "volunteer_rate_adult_ore >= 0 AND volunteer_rate_youth_ore >= 0",
            name="volunteer_rates_non_negative",
        ),
        CheckConstraint(
            "advance_cap_percent BETWEEN 0 AND 100 AND advance_cap_ore >= 0",
            name="advance_cap_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    name: Mapped[str] = mapped_column(String(40), info=STRUCTURE)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    uptake_target_percent: Mapped[int] = mapped_column(Integer)
    uptake_target_date: Mapped[date] = mapped_column(Date)
    # Default pass threshold for scoring; an action area may set its own.
    pass_threshold_points: Mapped[int] = mapped_column(Integer)
    # Ideellt arbete is valued at a fixed rate per hour: people over 16, and ages 13–15.
    volunteer_rate_adult_ore: Mapped[int] = mapped_column(Money)
    volunteer_rate_youth_ore: Mapped[int] = mapped_column(Money)
    # An advance (förskott) may be at most this share of the granted amount and this much.
    advance_cap_percent: Mapped[int] = mapped_column(Integer, default=50)
    advance_cap_ore: Mapped[int] = mapped_column(Money, default=25_000_000)

    area: Mapped[Area] = relationship(back_populates="periods")
    action_areas: Mapped[list["ActionArea"]] = relationship(
        back_populates="period", order_by="ActionArea.code"
    )
    criteria: Mapped[list["SelectionCriterion"]] = relationship(
        back_populates="period", order_by="SelectionCriterion.position"
    )
    basic_conditions: Mapped[list["BasicCondition"]] = relationship(
        back_populates="period", order_by="BasicCondition.position"
    )

    @property
    def active_basic_conditions(self) -> list["BasicCondition"]:
        return [condition for condition in self.basic_conditions if condition.active]


class ActionArea(Base):
    """An action area (insatsområde) with its budget frame within the period."""

    __tablename__ = "action_areas"
    __table_args__ = (
        UniqueConstraint("period_id", "code"),
        CheckConstraint("budget_frame_ore >= 0", name="budget_frame_non_negative"),
        CheckConstraint(
            "pass_threshold_points IS NULL OR pass_threshold_points >= 0",
            name="pass_threshold_non_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("programme_periods.id"), index=True)
    code: Mapped[str] = mapped_column(String(20), info=STRUCTURE)
    name: Mapped[str] = mapped_column(String(200), info=STRUCTURE)
    budget_frame_ore: Mapped[int] = mapped_column(Money)
    pass_threshold_points: Mapped[int | None] = mapped_column(Integer)

    period: Mapped[ProgrammePeriod] = relationship(back_populates="action_areas")


class SelectionCriterion(Base):
    """A selection criterion (urvalskriterium): points 0..max_points, multiplied by weight."""

    __tablename__ = "selection_criteria"
    __table_args__ = (
        UniqueConstraint("period_id", "name"),
        CheckConstraint("weight > 0", name="weight_positive"),
        CheckConstraint("max_points > 0", name="max_points_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("programme_periods.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200), info=STRUCTURE)
    description: Mapped[str] = mapped_column(Text, default="", info=STRUCTURE)
    weight: Mapped[int] = mapped_column(Integer)
    max_points: Mapped[int] = mapped_column(Integer)

    period: Mapped[ProgrammePeriod] = relationship(back_populates="criteria")


class BasicCondition(Base):
    """A basic condition (grundkrav) of the strategy: a yes/no question every Leader project must
    answer with yes before its score counts. The handler checks it and the LAG answers it per
    agenda item; both record the answer under ``key``, which never changes. A condition that no
    longer applies is made inactive, not deleted, so earlier answers keep their meaning."""

    __tablename__ = "basic_conditions"
    __table_args__ = (UniqueConstraint("period_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("programme_periods.id"), index=True)
    key: Mapped[str] = mapped_column(String(40), info=GENERATED)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(300), info=STRUCTURE)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    period: Mapped[ProgrammePeriod] = relationship(back_populates="basic_conditions")
