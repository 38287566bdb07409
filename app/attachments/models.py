"""Attachment metadata; the file itself lives under the configured storage directory."""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.i18n import N_
from app.db import Base, UTCDateTime, utcnow
from app.privacy.declaration import (
    GENERATED,
    STAFF_NAME,
    Category,
    Method,
    Purpose,
    Subject,
    not_personal,
    personal,
)


class Attachment(Base):
    """A file attached to an application. ``stored_name`` is random: the applicant's file name
    is kept for display only and never touches the file system."""

    __tablename__ = "attachments"
    __table_args__ = (CheckConstraint("size_bytes > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    # What it is for, e.g. "Budget", "Styrelsebeslut", "Offert", "Kvitto", "Övrigt".
    label: Mapped[str] = mapped_column(
        String(100), info=not_personal(N_("Vad bilagan är, t.ex. Budget eller Kvitto."))
    )
    original_filename: Mapped[str] = mapped_column(
        String(255),
        info=personal(
            Category.FILE_NAME, Subject.APPLICANT, Purpose.CASE_HANDLING, Method.REPLACE,
            note=N_("Vid anonymiseringen raderas också själva filen; uppgifterna om den "
                    "(typ, storlek, kontrollsumma) finns kvar."),
        ),
    )  # fmt: skip
    stored_name: Mapped[str] = mapped_column(String(64), unique=True, info=GENERATED)
    content_type: Mapped[str] = mapped_column(String(100), info=GENERATED)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), info=GENERATED)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # "Sökande" or a staff member's name.
    uploaded_by: Mapped[str] = mapped_column(String(200), info=STAFF_NAME)
