"""The application aggregate with its cost and financing lines, and reference numbering."""

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.areas.models import ActionArea
from app.auth.models import User
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.db import Base, Money, UTCDateTime, enum_column_type, utcnow
from app.organisations.models import Organisation
from app.privacy.declaration import (
    CASE_TEXT,
    CONTACT_EMAIL,
    CONTACT_NAME,
    CONTACT_PHONE,
    GENERATED,
    PAYMENT_ACCOUNT,
    SOLE_TRADER_NAME,
    Category,
    Method,
    Purpose,
    Subject,
    personal,
)
from app.umbrellas.models import UmbrellaProject

if TYPE_CHECKING:
    from app.attachments.models import Attachment


class ApplicationKind(enum.StrEnum):
    LEADER_PROJECT = "leader_project"  # Leaderprojekt, formally decided by Jordbruksverket
    SMALL_GRANT = "smastod"  # småstöd from an umbrella project's pot

    @property
    def label(self) -> str:
        return _(KIND_LABELS[self])

    @property
    def reference_prefix(self) -> str:
        return "PRJ" if self is ApplicationKind.LEADER_PROJECT else "SMÅ"


KIND_LABELS = {
    ApplicationKind.LEADER_PROJECT: N_("Leaderprojekt"),
    ApplicationKind.SMALL_GRANT: N_("Småstöd"),
}


class ApplicationStatus(enum.StrEnum):
    """Every state an application can be in. The transitions between them (the workflow) are
    defined in one place by the case-handling feature; this is only the vocabulary."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    AWAITING_INFORMATION = "awaiting_information"
    READY_FOR_DECISION = "ready_for_decision"
    ON_AGENDA = "on_agenda"
    PRIORITISED = "prioritised"
    APPROVED = "approved"
    PARTLY_APPROVED = "partly_approved"
    REJECTED = "rejected"
    PAYMENT = "payment"
    FINAL_REPORT = "final_report"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return _(STATUS_LABELS[self])


STATUS_LABELS = {
    ApplicationStatus.DRAFT: N_("Utkast"),
    ApplicationStatus.SUBMITTED: N_("Inkommen"),
    ApplicationStatus.IN_REVIEW: N_("Under handläggning"),
    ApplicationStatus.AWAITING_INFORMATION: N_("Väntar på komplettering"),
    ApplicationStatus.READY_FOR_DECISION: N_("Klar för beslut"),
    ApplicationStatus.ON_AGENDA: N_("På LAG-möte"),
    ApplicationStatus.PRIORITISED: N_("Prioriterad, väntar på myndighetsbeslut"),
    ApplicationStatus.APPROVED: N_("Beviljad"),
    ApplicationStatus.PARTLY_APPROVED: N_("Delvis beviljad"),
    ApplicationStatus.REJECTED: N_("Avslagen"),
    ApplicationStatus.PAYMENT: N_("Utbetalning pågår"),
    ApplicationStatus.FINAL_REPORT: N_("Slutredovisning"),
    ApplicationStatus.CLOSED: N_("Avslutad"),
    ApplicationStatus.WITHDRAWN: N_("Återtagen"),
}


class Application(Base):
    """An application (ansökan) for a Leader project or for småstöd.

    Status, amounts and dates are real columns (indexed where the queue filters on them), never
    derived from JSON. ``version`` gives optimistic locking: a stale write fails instead of
    silently overwriting a colleague's change.
    """

    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("area_id", "reference"),
        CheckConstraint("requested_ore >= 0", name="requested_non_negative"),
        CheckConstraint("granted_ore IS NULL OR granted_ore >= 0", name="granted_non_negative"),
        CheckConstraint(
            "kind <> 'smastod' OR umbrella_project_id IS NOT NULL", name="small_grant_has_umbrella"
        ),
        CheckConstraint(
            "project_end IS NULL OR project_start IS NULL OR project_end >= project_start",
            name="project_dates_ordered",
        ),
        Index("ix_applications_area_status", "area_id", "status"),
        Index("ix_applications_area_kind_status", "area_id", "kind", "status"),
        Index("ix_applications_area_submitted_at", "area_id", "submitted_at"),
        Index("ix_applications_handler_status", "assigned_handler_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    kind: Mapped[ApplicationKind] = mapped_column(
        enum_column_type(ApplicationKind, "application_kind")
    )
    # Diarienummer, given when the application is received (drafts have none yet).
    reference: Mapped[str | None] = mapped_column(String(20), info=GENERATED)
    title: Mapped[str] = mapped_column(String(300), info=CASE_TEXT)
    description: Mapped[str] = mapped_column(Text, default="", info=CASE_TEXT)
    expected_results: Mapped[str] = mapped_column(Text, default="", info=CASE_TEXT)
    action_area_id: Mapped[int] = mapped_column(ForeignKey("action_areas.id"), index=True)
    umbrella_project_id: Mapped[int | None] = mapped_column(
        ForeignKey("umbrella_projects.id"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # The applicant's details as given in this application. The organisation register is not
    # rewritten by what an applicant types; differences are flagged for the handler instead.
    applicant_name: Mapped[str] = mapped_column(String(200), default="", info=SOLE_TRADER_NAME)
    bankgiro: Mapped[str | None] = mapped_column(String(8), info=PAYMENT_ACCOUNT)
    plusgiro: Mapped[str | None] = mapped_column(String(8), info=PAYMENT_ACCOUNT)
    contact_name: Mapped[str] = mapped_column(String(200), default="", info=CONTACT_NAME)
    contact_email: Mapped[str] = mapped_column(String(254), default="", info=CONTACT_EMAIL)
    contact_phone: Mapped[str] = mapped_column(String(40), default="", info=CONTACT_PHONE)
    requested_ore: Mapped[int] = mapped_column(Money, default=0)
    granted_ore: Mapped[int | None] = mapped_column(Money)
    project_start: Mapped[date | None] = mapped_column(Date)
    project_end: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column_type(ApplicationStatus, "application_status"), default=ApplicationStatus.DRAFT
    )
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assigned_handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Jordbruksverket's case number for a Leader project (ärendenummer i e-tjänsten).
    national_case_number: Mapped[str | None] = mapped_column(String(40), info=GENERATED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last change to the case by anyone (status, a payment, a note, a checklist answer):
    # setting it updates the row, which is what moves ``version`` on.
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the applicant has typed so far, step by step, exactly as typed (also when invalid),
    # so a draft can be resumed anywhere. Cleared when the application is submitted.
    draft_form: Mapped[dict[str, dict[str, str]] | None] = mapped_column(
        JSON,
        info=personal(Category.FREE_TEXT, Subject.APPLICANT, Purpose.CASE_HANDLING, Method.CLEAR),
    )
    # GDPR: when the applicant accepted the privacy notice, and which version of its text.
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_text_version: Mapped[str | None] = mapped_column(String(20), info=GENERATED)
    # When the personal data was anonymised, the retention period after closing having passed.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it once

    action_area: Mapped[ActionArea] = relationship()
    umbrella_project: Mapped[UmbrellaProject | None] = relationship(
        foreign_keys=[umbrella_project_id]
    )
    organisation: Mapped[Organisation | None] = relationship()
    assigned_handler: Mapped[User | None] = relationship()
    cost_lines: Mapped[list["CostLine"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="CostLine.position"
    )
    attachments: Mapped[list["Attachment"]] = relationship(
        order_by="[Attachment.uploaded_at, Attachment.id]", viewonly=True
    )
    information_requests: Mapped[list["InformationRequest"]] = relationship(
        back_populates="application", order_by="InformationRequest.requested_at"
    )
    financing_lines: Mapped[list["FinancingLine"]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="FinancingLine.position",
    )

    @property
    def total_costs_ore(self) -> int:
        return sum(line.amount_ore for line in self.cost_lines)

    @property
    def total_financing_ore(self) -> int:
        return sum(line.amount_ore for line in self.financing_lines)


# The queue's default sort ("Senast inkomna"), so a page reads the index in order instead of
# sorting the whole area. Declared after the class because it orders by the mapped columns.
# This is PostgreSQL's form; the migration creates it on SQLite without NULLS LAST (SQLite
# rejects it in an index, and DESC already puts NULLs last there). The schema comes from the
# migrations only, and autogenerate compares just the indexed columns on SQLite (directions
# and NULLS LAST on PostgreSQL), so this one declaration agrees with both databases.
Index(
    "ix_applications_area_received",
    Application.area_id,
    Application.submitted_at.desc().nulls_last(),
    Application.id.desc(),
)


class CostLine(Base):
    """One line of the project budget (kostnadsbudget)."""

    __tablename__ = "cost_lines"
    __table_args__ = (CheckConstraint("amount_ore >= 0", name="amount_non_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(300), info=CASE_TEXT)
    amount_ore: Mapped[int] = mapped_column(Money)

    application: Mapped[Application] = relationship(back_populates="cost_lines")


class FinancingKind(enum.StrEnum):
    LEADER_SUPPORT = "leader_support"  # Leaderstöd sökt
    PUBLIC_COFINANCING = "public_cofinancing"  # offentlig medfinansiering
    VOLUNTEER_WORK = "volunteer_work"  # ideellt arbete, timmar × timpris
    PRIVATE_MONEY = "private_money"  # privata medel
    OTHER = "other"  # övrigt

    @property
    def label(self) -> str:
        return _(FINANCING_LABELS[self])


FINANCING_LABELS = {
    FinancingKind.LEADER_SUPPORT: N_("Leaderstöd"),
    FinancingKind.PUBLIC_COFINANCING: N_("Offentlig medfinansiering"),
    FinancingKind.VOLUNTEER_WORK: N_("Ideellt arbete"),
    FinancingKind.PRIVATE_MONEY: N_("Privata medel"),
    FinancingKind.OTHER: N_("Övrig finansiering"),
}


class FinancingLine(Base):
    """One line of the financing plan.

    Voluntary work is hours × the period's hourly rate, with the number of women and men who
    took part — never names or other personal data. The database checks the arithmetic.
    """

    __tablename__ = "financing_lines"
    __table_args__ = (
        CheckConstraint("amount_ore >= 0", name="amount_non_negative"),
        CheckConstraint(
            "kind <> 'volunteer_work' OR ("
            "volunteer_hours IS NOT NULL AND volunteer_rate_ore IS NOT NULL"
            " AND volunteer_women IS NOT NULL AND volunteer_men IS NOT NULL"
            " AND volunteer_hours >= 0 AND volunteer_rate_ore >= 0"
            " AND volunteer_women >= 0 AND volunteer_men >= 0"
            " AND amount_ore = volunteer_hours * volunteer_rate_ore)",
            name="volunteer_work_is_hours_times_rate",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[FinancingKind] = mapped_column(enum_column_type(FinancingKind, "financing_kind"))
    description: Mapped[str] = mapped_column(String(300), default="", info=CASE_TEXT)
    amount_ore: Mapped[int] = mapped_column(Money)
    volunteer_hours: Mapped[int | None] = mapped_column(Integer)
    volunteer_rate_ore: Mapped[int | None] = mapped_column(Money)
    volunteer_women: Mapped[int | None] = mapped_column(Integer)
    volunteer_men: Mapped[int | None] = mapped_column(Integer)

    application: Mapped[Application] = relationship(back_populates="financing_lines")


class ReferenceCounter(Base):
    """The last number handed out per area, prefix and year (SMÅ-2026-0042)."""

    __tablename__ = "reference_counters"

    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(8), primary_key=True, info=GENERATED)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)


class InformationRequest(Base):
    """A request for more information (komplettering): the office asks, the applicant answers
    through their link before the deadline, and the case returns to the handler's queue."""

    __tablename__ = "information_requests"
    __table_args__ = (Index("ix_information_requests_open", "area_id", "answered_at", "deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    message: Mapped[str] = mapped_column(Text, info=CASE_TEXT)
    # The last day (Swedish date) on which the applicant can answer.
    deadline: Mapped[date] = mapped_column(Date)
    requested_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The applicant's own words, which may say anything about anyone: replaced as a whole.
    answer_text: Mapped[str | None] = mapped_column(
        Text,
        info=personal(Category.FREE_TEXT, Subject.APPLICANT, Purpose.CASE_HANDLING, Method.REPLACE),
    )
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the applicant was reminded that the deadline is near (at most one reminder).
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship(back_populates="information_requests")

    @property
    def is_open(self) -> bool:
        return self.answered_at is None
