"""PaymentClaim: the applicant asks for (part of) the granted support to be paid out."""

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.applications.models import Application
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.db import Base, Money, UTCDateTime, enum_column_type, utcnow
from app.privacy.declaration import CASE_TEXT, GENERATED


class ClaimKind(enum.StrEnum):
    PARTIAL = "partial"  # delutbetalning
    FINAL = "final"  # slututbetalning

    @property
    def label(self) -> str:
        return _(CLAIM_KIND_LABELS[self])


CLAIM_KIND_LABELS = {ClaimKind.PARTIAL: N_("Delutbetalning"), ClaimKind.FINAL: N_("Slutbetalning")}


class ClaimStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # inkommen, väntar på handläggning
    PAID = "paid"  # utbetald (registered by the office, which writes the ledger payment)
    REJECTED = "rejected"  # avslagen

    @property
    def label(self) -> str:
        return _(CLAIM_STATUS_LABELS[self.value])


CLAIM_STATUS_LABELS = {
    "submitted": N_("Inkommen"),
    "paid": N_("Utbetald"),
    "rejected": N_("Avslagen"),
}


class PaymentClaim(Base):
    """Ansökan om utbetalning, with the actual costs it is based on. Receipts are attachments
    of the application labelled "Kvitto"."""

    __tablename__ = "payment_claims"
    __table_args__ = (
        UniqueConstraint("application_id", "form_token"),
        CheckConstraint("amount_ore > 0", name="amount_positive"),
        CheckConstraint("actual_costs_ore >= 0", name="actual_costs_non_negative"),
        Index("ix_payment_claims_area_status", "area_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[ClaimKind] = mapped_column(enum_column_type(ClaimKind, "claim_kind"))
    amount_ore: Mapped[int] = mapped_column(Money)
    actual_costs_ore: Mapped[int] = mapped_column(Money)
    description: Mapped[str] = mapped_column(Text, default="", info=CASE_TEXT)
    status: Mapped[ClaimStatus] = mapped_column(
        enum_column_type(ClaimStatus, "claim_status"), default=ClaimStatus.SUBMITTED
    )
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A random token from the form the claim was sent with: the same form sent twice (a double
    # click, a retried request) makes one claim.
    form_token: Mapped[str] = mapped_column(String(64), info=GENERATED)

    application: Mapped[Application] = relationship()


class PaymentKind(enum.StrEnum):
    ADVANCE = "advance"  # förskott
    PARTIAL = "partial"  # delutbetalning
    FINAL = "final"  # slututbetalning

    @property
    def label(self) -> str:
        return _(PAYMENT_KIND_LABELS[self.value])


PAYMENT_KIND_LABELS = {
    "advance": N_("Förskott"),
    "partial": N_("Delutbetalning"),
    "final": N_("Slutbetalning"),
}


class Payment(Base):
    """A payment the office has made (utbetalning). The money movement itself is the ledger
    entry; this row says what kind of payment it was, on which day, and for which claim."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_ore > 0", name="amount_positive"),
        Index("ix_payments_application", "application_id", "paid_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    kind: Mapped[PaymentKind] = mapped_column(enum_column_type(PaymentKind, "payment_kind"))
    amount_ore: Mapped[int] = mapped_column(Money)
    paid_on: Mapped[date] = mapped_column(Date)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("payment_claims.id"), unique=True)
    ledger_entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), unique=True)
    registered_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
