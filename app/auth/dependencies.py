"""FastAPI dependencies for who is asking: the current user and role checks."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from app.auth.models import Role, User
from app.auth.service import resolve_session
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.db import get_session

SESSION_COOKIE = "bygd_session"

DbSession = Annotated[Session, Depends(get_session)]


class LoginRequired(Exception):
    """Raised when a page needs a logged-in user; pages redirect to login, the API answers 401."""


class TwoFactorRequired(Exception):
    """Raised when an administrator without two-factor login opens an admin page; the page
    redirects to the account page to set it up first."""


@dataclass(frozen=True)
class Viewer:
    """What pages show about the logged-in user. A plain snapshot, so that an error page can
    still draw the header after the request's session was rolled back and closed."""

    id: int
    full_name: str
    area_name: str
    roles: frozenset[Role]

    @classmethod
    def of(cls, user: User) -> "Viewer":
        return cls(user.id, user.full_name, user.area.name, user.roles)


def viewer_for_token(session: Session, token: str | None) -> Viewer | None:
    user = resolve_session(session, token) if token else None
    return Viewer.of(user) if user else None


def optional_user(request: Request, session: DbSession) -> User | None:
    token = request.cookies.get(SESSION_COOKIE)
    user = resolve_session(session, token) if token else None
    request.state.user = Viewer.of(user) if user else None
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]


# The checks below only read what optional_user loaded, so they are async: FastAPI runs a sync
# dependency in the thread pool, a hop per dependency on every request.
async def current_user(user: OptionalUser) -> User:
    if user is None:
        raise LoginRequired
    return user


CurrentUser = Annotated[User, Depends(current_user)]

FORBIDDEN = N_("Du har inte behörighet till den här sidan.")


def require_roles(*roles: Role) -> Callable[[User], Awaitable[User]]:
    """A dependency that lets through users holding at least one of ``roles``.

    An administrator must have two-factor login switched on before any such page works
    (``TwoFactorRequired``), whichever of their roles the page asks for: otherwise a password
    alone would still open settings and personal data, which need no admin role."""

    async def check(user: CurrentUser) -> User:
        if not user.has_any_role(*roles):
            raise HTTPException(status_code=403, detail=_(FORBIDDEN))
        if user.two_factor_required and not user.two_factor_enabled:
            raise TwoFactorRequired
        return user

    return check


def deployment_admin(user: CurrentUser) -> User:
    """Whoever may create Leader areas (a deployment-wide right, not a role of one area)."""
    if not user.is_deployment_admin:
        raise HTTPException(status_code=403, detail=_(FORBIDDEN))
    if not user.two_factor_enabled:
        raise TwoFactorRequired
    return user
