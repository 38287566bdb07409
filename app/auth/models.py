"""Staff users with roles, their login sessions and the login attempts used for throttling."""

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.areas.models import Area
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.db import Base, UTCDateTime, enum_column_type, utcnow
from app.privacy.declaration import (
    SECRET_HASH,
    Category,
    Method,
    Purpose,
    Subject,
    not_personal,
    personal,
)

# Staff accounts are deactivated, never deleted: the audit trail keeps who did what.
STAFF_ACCOUNT = N_("Så länge kontot finns; konton inaktiveras i stället för att raderas.")
# Kept for throttling; nothing removes old attempts yet.
LOGIN_LOG = N_("Sparas i loggen över inloggningsförsök, som används för att spärra gissningar.")


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


# Marks a password hash that no password matches (argon2 refuses it as malformed).
UNUSABLE_HASH_MARK = "!"


class User(Base):
    """A staff member of one area. Never deleted (the audit trail keeps the name): deactivated."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    # Stored lower-cased; unique across the deployment so that login needs no area picker.
    email: Mapped[str] = mapped_column(
        String(254),
        unique=True,
        info=personal(
            Category.EMAIL, Subject.STAFF, Purpose.STAFF_ACCOUNTS, Method.KEEP, note=STAFF_ACCOUNT
        ),
    )
    full_name: Mapped[str] = mapped_column(
        String(200),
        info=personal(
            Category.NAME, Subject.STAFF, Purpose.STAFF_ACCOUNTS, Method.KEEP, note=STAFF_ACCOUNT
        ),
    )
    password_hash: Mapped[str] = mapped_column(
        String(255), info=not_personal(N_("Argon2-hash av lösenordet; säger inget om personen."))
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # May create Leader areas: a deployment-wide right, not a role within the user's own area
    # (granted from the command line only, see docs/administration.md).
    is_deployment_admin: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # TOTP two-factor login (RFC 6238). The base32 secret is stored in clear (the app has no
    # key store to encrypt it with); on its own it logs nobody in without the password.
    # ``totp_last_step`` is the time step of the last code accepted: no code works twice.
    totp_secret: Mapped[str | None] = mapped_column(
        String(32), info=not_personal(N_("Slumpad hemlighet för tvåstegsinloggning."))
    )
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

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

    @property
    def has_password(self) -> bool:
        """False for an invited user who has not chosen a password yet (or whose password was
        reset): the stored hash is then an unusable marker that no password matches."""
        return not self.password_hash.startswith(UNUSABLE_HASH_MARK)

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_secret is not None

    @property
    def two_factor_required(self) -> bool:
        """Administrators must log in with a second factor before any admin page works."""
        return self.is_deployment_admin or Role.ADMIN in self.roles


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

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True, info=SECRET_HASH)
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
    email: Mapped[str] = mapped_column(
        String(254),
        info=personal(
            Category.EMAIL, Subject.VISITOR, Purpose.SECURITY, Method.KEEP, note=LOGIN_LOG
        ),
    )
    client_address: Mapped[str] = mapped_column(
        String(64),
        info=personal(
            Category.IP_ADDRESS, Subject.VISITOR, Purpose.SECURITY, Method.KEEP, note=LOGIN_LOG
        ),
    )
    succeeded: Mapped[bool] = mapped_column(Boolean)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
