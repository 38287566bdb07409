"""LedgerEntry: every movement of project money, append-only (the database refuses changes)."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.core.money import MAX_AMOUNT_ORE
from app.db import Base, Money, UTCDateTime, enum_column_type, utcnow
from app.privacy.declaration import GENERATED, Category, Method, Purpose, Subject, personal


class LedgerKind(enum.StrEnum):
    """What an entry does to the balances. Amounts are always positive; the kind gives the sign.

    - allocation: + allocated (tilldelning) to the period
    - adjustment: − allocated (an allocation reduced, e.g. funds moved back to the authority)
    - reservation: + reserved (LAG has prioritised; awaiting the formal decision)
    - commitment: + committed (beviljat)
    - release: − reserved or − committed, as ``released_kind`` says (frigjort)
    - payment: + paid (utbetalt); never more than is committed
    """

    ALLOCATION = "allocation"
    ADJUSTMENT = "adjustment"
    RESERVATION = "reservation"
    COMMITMENT = "commitment"
    RELEASE = "release"
    PAYMENT = "payment"

    @property
    def label(self) -> str:
        return _(LEDGER_KIND_LABELS[self])


LEDGER_KIND_LABELS = {
    LedgerKind.ALLOCATION: N_("Tilldelning"),
    LedgerKind.ADJUSTMENT: N_("Justering (minskad tilldelning)"),
    LedgerKind.RESERVATION: N_("Reservation"),
    LedgerKind.COMMITMENT: N_("Beviljat"),
    LedgerKind.RELEASE: N_("Frigjort"),
    LedgerKind.PAYMENT: N_("Utbetalning"),
}


class LedgerEntry(Base):
    """One movement of money. Balances are sums over entries, never a stored number.

    Scope: an entry with ``umbrella_project_id`` moves money inside that umbrella's pot (småstöd);
    any other entry counts against the period and, when ``action_area_id`` is set, that action
    area's frame. The umbrella project itself is funded by an ordinary commitment at area level.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint(
            f"amount_ore > 0 AND amount_ore <= {MAX_AMOUNT_ORE}", name="amount_positive_bounded"
        ),
        CheckConstraint(
            "(kind = 'release') = (released_kind IS NOT NULL)", name="release_names_its_kind"
        ),
        CheckConstraint(
            "released_kind IS NULL OR released_kind IN ('reservation', 'commitment')",
            name="released_kind_valid",
        ),
        CheckConstraint(
            "kind IN ('allocation', 'adjustment') OR application_id IS NOT NULL",
            name="movement_has_application",
        ),
        CheckConstraint(
            "kind IN ('allocation', 'adjustment') OR action_area_id IS NOT NULL",
            name="movement_has_action_area",
        ),
        CheckConstraint(
            "kind NOT IN ('allocation', 'adjustment') OR"
            " (action_area_id IS NULL AND umbrella_project_id IS NULL AND application_id IS NULL)",
            name="allocation_is_period_level",
        ),
        Index("ix_ledger_entries_period_kind", "period_id", "kind"),
        Index("ix_ledger_entries_area_recorded_at", "area_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("programme_periods.id"))
    kind: Mapped[LedgerKind] = mapped_column(enum_column_type(LedgerKind, "ledger_kind"))
    released_kind: Mapped[str | None] = mapped_column(String(16), info=GENERATED)
    amount_ore: Mapped[int] = mapped_column(Money)
    action_area_id: Mapped[int | None] = mapped_column(ForeignKey("action_areas.id"), index=True)
    umbrella_project_id: Mapped[int | None] = mapped_column(
        ForeignKey("umbrella_projects.id"), index=True
    )
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(
        Text,
        info=personal(
            Category.FREE_TEXT, Subject.APPLICANT, Purpose.PAYMENT, Method.KEEP,
            note=N_("Huvudboken ändras aldrig. Texten skrivs av systemet (diarienummer, belopp); "
                    "en kommentar till en utbetalning ska inte innehålla personuppgifter."),
        ),
    )  # fmt: skip


class LedgerTotal(Base):
    """Running sums of the ledger per budget, kind and month, kept by a database trigger in the
    same transaction as every ledger insert. Balances and the dashboard read these few rows
    instead of scanning every entry; the ledger stays the record (a test checks they agree).

    Empty keys are 0 / "" rather than NULL so that one unique key covers every row.
    """

    __tablename__ = "ledger_totals"
    __table_args__ = (
        UniqueConstraint(
            "period_id", "action_area_id", "umbrella_project_id", "kind", "released_kind", "month"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("programme_periods.id"))
    action_area_id: Mapped[int] = mapped_column(Integer)  # 0: none
    umbrella_project_id: Mapped[int] = mapped_column(Integer)  # 0: none
    kind: Mapped[str] = mapped_column(String(32), info=GENERATED)
    # "": not a release
    released_kind: Mapped[str] = mapped_column(String(16), info=GENERATED)
    month: Mapped[str] = mapped_column(String(7), info=GENERATED)  # "2026-03", UTC
    amount_ore: Mapped[int] = mapped_column(Money)
