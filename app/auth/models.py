"""Staff users with roles, their login sessions and the login attempts used for throttling."""

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.areas.models import Area
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.db import Base, UTCDateTime, enum_column_type, utcnow


class Role(enum.StrEnum):
    """What a staff member may do. Applicants have no accounts (they use magic links)."""

    HANDLER = "handler"  # handläggare
    LAG_MEMBER = "lag_member"  # ledamot i LAG-styrelsen
    LAG_CHAIR = "lag_chair"  # ordförande i LAG-styrelsen
    MANAGER = "manager"  # verksamhetsledare
    ADMIN = "admin"  # administratör

    @property
    def label(self) -> str:
        return _(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.HANDLER: N_("Handläggare"),
    Role.LAG_MEMBER: N_("LAG-ledamot"),
    Role.LAG_CHAIR: N_("LAG-ordförande"),
    Role.MANAGER: N_("Verksamhetsledare"),
    Role.ADMIN: N_("Administratör"),
}


class User(Base):
    """A staff member of one area. Never deleted (the audit trail keeps the name): deactivated."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    # Stored lower-cased; unique across the deployment so that login needs no area picker.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Joined: the area name is in every page header, even on error pages after the session closed.
    area: Mapped[Area] = relationship(lazy="joined")
    role_links: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(link.role for link in self.role_links)

    def has_any_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)


class UserRole(Base):
    """One role held by one user; a small office often gives one person several."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_column_type(Role, "role"), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_links")


class UserSession(Base):
    """A server-side login session. The cookie holds a random token; only its hash is stored,
    so a leaked database cannot be used to log in, and sessions can be revoked one by one."""

    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    user: Mapped[User] = relationship(lazy="joined")


class LoginAttempt(Base):
    """One login attempt, kept for throttling (per e-mail address and per client address)."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "attempted_at"),
        Index("ix_login_attempts_client_at", "client_address", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    client_address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
