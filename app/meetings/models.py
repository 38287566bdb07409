"""A LAG meeting (styrelsemöte) and what happens at it. Decisions are recorded per agenda item
and take effect only when the minutes are adjusted (justerat protokoll)."""

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.applications.models import Application
from app.board.models import BoardMember
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.db import Base, Money, UTCDateTime, enum_column_type, utcnow
from app.privacy.declaration import (
    BOARD_TEXT,
    GENERATED,
    STAFF_NAME,
    STRUCTURE,
    Category,
    Method,
    Purpose,
    Subject,
    personal,
)

# The minutes are a public record, archived and never edited once adjusted.
MINUTES = personal(
    Category.FREE_TEXT, Subject.APPLICANT, Purpose.BOARD_GOVERNANCE, Method.KEEP,
    note=N_("Justerade protokoll är allmänna handlingar som arkiveras och aldrig ändras. "
            "De nämner sökande och ledamöter, för enskild firma också ägarens namn."),
)  # fmt: skip


class MeetingStatus(enum.StrEnum):
    PLANNED = "planned"  # planerat
    OPEN = "open"  # pågår
    CLOSED = "closed"  # avslutat, protokollet ska justeras
    ADJUSTED = "adjusted"  # protokollet justerat: besluten gäller

    @property
    def label(self) -> str:
        return _(MEETING_STATUS_LABELS[self])


MEETING_STATUS_LABELS = {
    MeetingStatus.PLANNED: N_("Planerat"),
    MeetingStatus.OPEN: N_("Pågår"),
    MeetingStatus.CLOSED: N_("Avslutat, väntar på justering"),
    MeetingStatus.ADJUSTED: N_("Protokollet justerat"),
}


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_area_held_on", "area_id", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    held_on: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[str] = mapped_column(String(5), default="", info=GENERATED)  # "18:00"
    place: Mapped[str] = mapped_column(String(300), info=STRUCTURE)  # a room or a video link
    status: Mapped[MeetingStatus] = mapped_column(
        enum_column_type(MeetingStatus, "meeting_status"), default=MeetingStatus.PLANNED
    )
    secretary_name: Mapped[str] = mapped_column(String(200), default="", info=STAFF_NAME)
    adjuster_one_id: Mapped[int | None] = mapped_column(ForeignKey("board_members.id"))
    adjuster_two_id: Mapped[int | None] = mapped_column(ForeignKey("board_members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    adjusted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last change at the meeting (attendance, jäv, a vote): moves ``version`` on.
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The minutes as adjusted; never changed afterwards (corrections are separate entries).
    minutes_html: Mapped[str | None] = mapped_column(Text, info=MINUTES)
    minutes_pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position"
    )
    adjuster_one: Mapped[BoardMember | None] = relationship(foreign_keys=[adjuster_one_id])
    adjuster_two: Mapped[BoardMember | None] = relationship(foreign_keys=[adjuster_two_id])


class ItemOutcome(enum.StrEnum):
    PRIORITISED = "prioritised"  # Leaderprojekt prioriteras med belopp
    NOT_PRIORITISED = "not_prioritised"
    APPROVED = "approved"  # småstöd över delegationen beviljas
    PARTLY_APPROVED = "partly_approved"
    REJECTED = "rejected"
    POSTPONED = "postponed"  # bordläggs

    @property
    def label(self) -> str:
        return _(ITEM_OUTCOME_LABELS[self])

    @property
    def grants_money(self) -> bool:
        return self in (ItemOutcome.PRIORITISED, ItemOutcome.APPROVED, ItemOutcome.PARTLY_APPROVED)


ITEM_OUTCOME_LABELS = {
    ItemOutcome.PRIORITISED: N_("Prioriteras"),
    ItemOutcome.NOT_PRIORITISED: N_("Prioriteras inte"),
    ItemOutcome.APPROVED: N_("Beviljas"),
    ItemOutcome.PARTLY_APPROVED: N_("Beviljas delvis"),
    ItemOutcome.REJECTED: N_("Avslås"),
    ItemOutcome.POSTPONED: N_("Bordläggs"),
}


class AgendaItem(Base):
    """A point on the agenda: an application to decide, or a free item (information, other
    business). The decision is recorded here and takes effect at adjustment."""

    __tablename__ = "agenda_items"
    __table_args__ = (
        UniqueConstraint("meeting_id", "position"),
        CheckConstraint("amount_ore IS NULL OR amount_ore > 0", name="amount_positive"),
        CheckConstraint(
            "votes_for >= 0 AND votes_against >= 0 AND votes_abstain >= 0", name="votes_counted"
        ),
        Index("ix_agenda_items_application", "application_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    position: Mapped[int] = mapped_column(Integer)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    title: Mapped[str] = mapped_column(String(300), info=BOARD_TEXT)
    notes: Mapped[str] = mapped_column(Text, default="", info=BOARD_TEXT)
    # The board's yes/no on each basic condition (grundkrav), by key; all must be yes before
    # the criteria are scored.
    basic_conditions: Mapped[dict[str, bool] | None] = mapped_column(JSON, info=GENERATED)
    outcome: Mapped[ItemOutcome | None] = mapped_column(
        enum_column_type(ItemOutcome, "item_outcome")
    )
    amount_ore: Mapped[int | None] = mapped_column(Money)
    motivation: Mapped[str] = mapped_column(Text, default="", info=BOARD_TEXT)
    votes_for: Mapped[int] = mapped_column(Integer, default=0)
    votes_against: Mapped[int] = mapped_column(Integer, default=0)
    votes_abstain: Mapped[int] = mapped_column(Integer, default=0)
    # Reservationer till protokollet.
    reservations: Mapped[str] = mapped_column(Text, default="", info=BOARD_TEXT)
    # Who took part, by sector, when the decision was made (for the minutes).
    participation: Mapped[dict[str, Any] | None] = mapped_column(
        JSON,
        info=personal(
            Category.NAME, Subject.BOARD, Purpose.BOARD_GOVERNANCE, Method.KEEP,
            note=N_("Vilka ledamöter som deltog i beslutet; står i protokollet."),
        ),
    )  # fmt: skip
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Set when the adjusted minutes carried the decision out (ledger, status, letter).
    effected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Lyft från dagordningen: the case was not dealt with (e.g. the board could not be quorate
    # for it, or it was withdrawn) and went back to wait for a later meeting.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removal_reason: Mapped[str] = mapped_column(Text, default="", info=BOARD_TEXT)

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    application: Mapped[Application | None] = relationship()


class Attendance(Base):
    """Närvaro: whether a board member is at the meeting."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("board_members.id"))
    present: Mapped[bool]
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConflictDeclaration(Base):
    """Jäv: a member takes no part in an item (no internal assessment, score or vote)."""

    __tablename__ = "conflict_declarations"
    __table_args__ = (UniqueConstraint("item_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("board_members.id"))
    reason: Mapped[str] = mapped_column(Text, info=BOARD_TEXT)
    declared_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    member: Mapped[BoardMember] = relationship()


class VoteChoice(enum.StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"

    @property
    def label(self) -> str:
        return _(VOTE_CHOICE_LABELS[self])


VOTE_CHOICE_LABELS = {
    VoteChoice.FOR: N_("Ja"),
    VoteChoice.AGAINST: N_("Nej"),
    VoteChoice.ABSTAIN: N_("Avstår"),
}


class Vote(Base):
    """One member's vote on an item, cast from their own device or recorded by the chair."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("item_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("board_members.id"))
    choice: Mapped[VoteChoice] = mapped_column(enum_column_type(VoteChoice, "vote_choice"))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who registered it: the member themself, or the chair or secretary on their behalf.
    cast_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ItemScore(Base):
    """Points for one criterion on an item: a member's own, or (member empty) the board's joint
    score recorded by the chair."""

    __tablename__ = "item_scores"
    __table_args__ = (
        UniqueConstraint("item_id", "member_id", "criterion_id"),
        CheckConstraint("points >= 0", name="points_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("board_members.id"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("selection_criteria.id"))
    points: Mapped[int] = mapped_column(Integer)
    justification: Mapped[str] = mapped_column(Text, default="", info=BOARD_TEXT)
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MinutesCorrection(Base):
    """A correction to adjusted minutes: a new, linked entry, never an edit."""

    __tablename__ = "minutes_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    text: Mapped[str] = mapped_column(Text, info=MINUTES)
    created_by_name: Mapped[str] = mapped_column(String(200), info=STAFF_NAME)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
