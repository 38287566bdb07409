"""The log of staff access to personal data (opening a case, exports, subject access)."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.applications.models import Application
from app.auth.models import User
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.db import Base, UTCDateTime, enum_column_type, utcnow
from app.privacy.declaration import Category, Method, Purpose, Subject, personal


class AccessAction(enum.StrEnum):
    VIEW_CASE = "view_case"
    OPEN_DOCUMENT = "open_document"  # a decision letter or an attachment
    EXPORT_CASE_LIST = "export_case_list"
    SEARCH = "search"
    EXPORT_JSON = "export_json"
    EXPORT_PDF = "export_pdf"

    @property
    def label(self) -> str:
        return _(ACCESS_ACTION_LABELS[self])


ACCESS_ACTION_LABELS = {
    AccessAction.VIEW_CASE: N_("Öppnade ärendet"),
    AccessAction.OPEN_DOCUMENT: N_("Öppnade en handling i ärendet"),
    AccessAction.EXPORT_CASE_LIST: N_("Exporterade ärendelistan"),
    AccessAction.SEARCH: N_("Sökte efter en person"),
    AccessAction.EXPORT_JSON: N_("Tog ut registerutdrag (JSON)"),
    AccessAction.EXPORT_PDF: N_("Tog ut registerutdrag (PDF)"),
}


class PersonalDataAccess(Base):
    """Who saw whose personal data, when. The log itself holds as little personal data as it
    can: the case by its id, and for a search or an export a keyed hash of the search term
    (never the term), which is enough to answer "who looked this person up?" for someone who
    knows the person, but names nobody to whoever reads the log."""

    __tablename__ = "personal_data_access"
    __table_args__ = (
        Index("ix_personal_data_access_area_at", "area_id", "at"),
        Index("ix_personal_data_access_user_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[AccessAction] = mapped_column(enum_column_type(AccessAction, "access_action"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    subject_hash: Mapped[str | None] = mapped_column(
        String(64),
        info=personal(
            Category.PSEUDONYM, Subject.SEARCHED, Purpose.ACCOUNTABILITY, Method.KEEP,
            note=N_("Loggen ska kunna visa vem som sökte fram vem; själva sökbegreppet sparas "
                    "inte."),
        ),
    )  # fmt: skip
    # How many records the search or export found.
    matches: Mapped[int | None] = mapped_column(Integer)

    user: Mapped[User] = relationship()
    application: Mapped[Application | None] = relationship()
