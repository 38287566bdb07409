"""OutboxMessage: an e-mail waiting to be sent (or sent). Written in the same transaction as the
change it reports, so a committed change always has its message, and a message is never lost
when the SMTP server is down: it stays here and is retried."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow
from app.privacy.declaration import (
    CASE_TEXT,
    CONTACT_EMAIL,
    GENERATED,
    Category,
    Method,
    Purpose,
    Subject,
    personal,
)


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_pending", "sent_at", "send_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    # receipt, magic_link, information_request, decision, payment, ...
    kind: Mapped[str] = mapped_column(String(40), info=GENERATED)
    to_address: Mapped[str] = mapped_column(String(254), info=CONTACT_EMAIL)
    subject: Mapped[str] = mapped_column(String(300), info=CASE_TEXT)
    # Greets the contact by name and carries their link: replaced as a whole.
    body_text: Mapped[str] = mapped_column(
        Text,
        info=personal(
            Category.FREE_TEXT, Subject.CONTACT, Purpose.CONTACT_APPLICANT, Method.REPLACE
        ),
    )
    # A stored file sent along, e.g. the decision letter as PDF.
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Not before this time: the first try is immediate, retries back off.
    send_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, info=CASE_TEXT)
