"""An applicant organisation, identified by its validated organisationsnummer."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.db import Base, UTCDateTime, enum_column_type, utcnow
from app.privacy.declaration import (
    CONTACT_EMAIL,
    CONTACT_NAME,
    CONTACT_PHONE,
    PAYMENT_ACCOUNT,
    SOLE_TRADER_NAME,
    Category,
    Method,
    Purpose,
    Subject,
    personal,
)

# Often a private home (the treasurer's, the owner's); a postcode or town alone names nobody.
ADDRESS = personal(Category.ADDRESS, Subject.APPLICANT, Purpose.CASE_HANDLING, Method.CLEAR)
AREA_OF_ADDRESS = personal(
    Category.ADDRESS, Subject.APPLICANT, Purpose.CASE_HANDLING, Method.CLEAR, identifying=False
)


class LegalForm(enum.StrEnum):
    """Juridisk form. Umbrella projects restrict småstöd to some of these."""

    NON_PROFIT_ASSOCIATION = "ideell_forening"
    ECONOMIC_ASSOCIATION = "ekonomisk_forening"
    LIMITED_COMPANY = "aktiebolag"
    SOLE_TRADER = "enskild_firma"
    MUNICIPALITY = "kommun"
    REGION = "region"
    FOUNDATION = "stiftelse"
    OTHER = "annan"

    @property
    def label(self) -> str:
        return _(LEGAL_FORM_LABELS[self])


LEGAL_FORM_LABELS = {
    LegalForm.NON_PROFIT_ASSOCIATION: N_("Ideell förening"),
    LegalForm.ECONOMIC_ASSOCIATION: N_("Ekonomisk förening"),
    LegalForm.LIMITED_COMPANY: N_("Aktiebolag"),
    LegalForm.SOLE_TRADER: N_("Enskild firma"),
    LegalForm.MUNICIPALITY: N_("Kommun"),
    LegalForm.REGION: N_("Region"),
    LegalForm.FOUNDATION: N_("Stiftelse"),
    LegalForm.OTHER: N_("Annan"),
}


class Organisation(Base):
    """An applicant (stödsökande): association, firm, municipality or foundation.

    Identifiers are stored normalised (digits only) after check-digit validation; a sole trader's
    number is the owner's personnummer and therefore sensitive personal data.
    """

    __tablename__ = "organisations"
    __table_args__ = (
        UniqueConstraint("area_id", "org_number"),
        CheckConstraint("length(org_number) = 10", name="org_number_length"),
        # Payments go to exactly one of bankgiro or plusgiro (or neither, until a claim is made).
        CheckConstraint("bankgiro IS NULL OR plusgiro IS NULL", name="one_payment_account"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), info=SOLE_TRADER_NAME)
    org_number: Mapped[str] = mapped_column(
        String(10),
        info=personal(
            Category.IDENTIFIER, Subject.SOLE_TRADER, Purpose.CASE_HANDLING, Method.REPLACE,
            note=N_("Ersätts med ett nummer som inte kan tillhöra någon (0000…)."),
        ),
    )  # fmt: skip
    legal_form: Mapped[LegalForm] = mapped_column(enum_column_type(LegalForm, "legal_form"))
    bankgiro: Mapped[str | None] = mapped_column(String(8), info=PAYMENT_ACCOUNT)
    plusgiro: Mapped[str | None] = mapped_column(String(8), info=PAYMENT_ACCOUNT)
    street_address: Mapped[str] = mapped_column(String(200), default="", info=ADDRESS)
    postal_code: Mapped[str] = mapped_column(String(10), default="", info=AREA_OF_ADDRESS)
    city: Mapped[str] = mapped_column(String(100), default="", info=AREA_OF_ADDRESS)
    contact_name: Mapped[str] = mapped_column(String(200), default="", info=CONTACT_NAME)
    contact_email: Mapped[str] = mapped_column(String(254), default="", info=CONTACT_EMAIL)
    contact_phone: Mapped[str] = mapped_column(String(40), default="", info=CONTACT_PHONE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
