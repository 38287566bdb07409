"""What the office records while handling a case: notes, checklist answers, scoring and
decision proposals. None of it is ever shown to the applicant."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.areas.models import SelectionCriterion
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.db import Base, Money, UTCDateTime, enum_column_type, utcnow
from app.privacy.declaration import CASE_TEXT, GENERATED, STAFF_NAME


class CaseNote(Base):
    """An internal note (intern anteckning) on a case. Append-only: a note is never edited, a
    correction is a new note."""

    __tablename__ = "case_notes"
    __table_args__ = (Index("ix_case_notes_application", "application_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_name: Mapped[str] = mapped_column(String(200), info=STAFF_NAME)
    body: Mapped[str] = mapped_column(Text, info=CASE_TEXT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Verdict(enum.StrEnum):
    YES = "yes"
    NO = "no"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return _(VERDICT_LABELS[self])


VERDICT_LABELS = {
    Verdict.YES: N_("Ja"),
    Verdict.NO: N_("Nej"),
    Verdict.NOT_APPLICABLE: N_("Ej tillämpligt"),
}


class ChecklistAnswer(Base):
    """The handler's answer to one checklist item (kontrollpunkt) of a case. Which items exist
    is code (``casework.checklists``); the answer, who gave it and when is data."""

    __tablename__ = "checklist_answers"
    __table_args__ = (UniqueConstraint("application_id", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    item: Mapped[str] = mapped_column(String(50), info=GENERATED)
    verdict: Mapped[Verdict] = mapped_column(enum_column_type(Verdict, "checklist_verdict"))
    comment: Mapped[str] = mapped_column(Text, default="", info=CASE_TEXT)
    answered_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScoreProposal(Base):
    """The handler's proposed points for one selection criterion (poängförslag), with the
    justification. The LAG sees it beside its own scoring."""

    __tablename__ = "score_proposals"
    __table_args__ = (
        UniqueConstraint("application_id", "criterion_id"),
        CheckConstraint("points >= 0", name="points_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("selection_criteria.id"))
    points: Mapped[int] = mapped_column(Integer)
    justification: Mapped[str] = mapped_column(Text, default="", info=CASE_TEXT)
    proposed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    criterion: Mapped[SelectionCriterion] = relationship()


class ProposedOutcome(enum.StrEnum):
    APPROVE = "approve"
    APPROVE_PARTLY = "approve_partly"
    REJECT = "reject"

    @property
    def label(self) -> str:
        return _(OUTCOME_LABELS[self])


# Swedish, as in the office's records (the audit log); ``label`` is in the interface language.
OUTCOME_LABELS = {
    ProposedOutcome.APPROVE: N_("Bevilja"),
    ProposedOutcome.APPROVE_PARTLY: N_("Bevilja delvis"),
    ProposedOutcome.REJECT: N_("Avslå"),
}


class DecisionProposal(Base):
    """The handler's proposed decision (beslutsförslag). Each new proposal is a new row; the
    newest is the current one, so earlier proposals stay on record."""

    __tablename__ = "decision_proposals"
    __table_args__ = (
        Index("ix_decision_proposals_application", "application_id", "proposed_at"),
        CheckConstraint("amount_ore IS NULL OR amount_ore > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    outcome: Mapped[ProposedOutcome] = mapped_column(
        enum_column_type(ProposedOutcome, "proposed_outcome")
    )
    amount_ore: Mapped[int | None] = mapped_column(Money)
    motivation: Mapped[str] = mapped_column(Text, info=CASE_TEXT)
    proposed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_by_name: Mapped[str] = mapped_column(String(200), info=STAFF_NAME)
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
