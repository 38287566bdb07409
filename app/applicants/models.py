"""ApplicantLink: a magic link to one application, for its applicant (no account needed)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.applications.models import Application
from app.db import Base, UTCDateTime, utcnow
from app.privacy.declaration import SECRET_HASH


class ApplicantLink(Base):
    """One issued link. The URL carries a signed token; only its hash is stored, so a link can
    expire (``expires_at``) and be revoked (``revoked_at``, e.g. when a new one is requested)."""

    __tablename__ = "applicant_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, info=SECRET_HASH)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship()
