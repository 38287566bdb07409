"""Login, logout and the start page redirect; ``/api/v1/me`` for API clients."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.auth import service
from app.auth.dependencies import SESSION_COOKIE, CurrentUser, DbSession, require_roles
from app.auth.models import User
from app.auth.schemas import Me
from app.core.flash import flash
from app.core.i18n import gettext as _
from app.core.navigation import ADMIN, start_path
from app.core.templates import render

pages = APIRouter(tags=["inloggning"], include_in_schema=False)
api = APIRouter(tags=["inloggning"])

Administrator = Annotated[User, Depends(require_roles(*ADMIN.roles))]


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths, so the login form cannot be used as an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@pages.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return render(
        request, "auth/login.html", {"next": _safe_next(next), "email": "", "error": None}
    )


@pages.post("/login")
def login(
    request: Request,
    session: DbSession,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str | None, Form()] = None,
) -> Response:
    settings = request.app.state.settings
    client = request.client.host if request.client else "unknown"
    try:
        user = service.authenticate(
            session, settings, email=email, password=password, client_address=client
        )
    except service.LoginError as exc:
        session.commit()  # the failed attempt must be counted for throttling
        return render(
            request,
            "auth/login.html",
            {"next": _safe_next(next), "email": email, "error": exc.message},
            status_code=400,
        )
    token = service.start_session(session, settings, user)
    session.commit()
    response = RedirectResponse(_safe_next(next) or start_path(user), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_lifetime_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )
    return response


@pages.post("/logout")
def logout(request: Request, session: DbSession) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        service.end_session(session, token)
        session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    flash(request, response, _("Du är utloggad."))
    return response


@pages.get("/start")
def start(user: CurrentUser) -> Response:
    return RedirectResponse(start_path(user), status_code=303)


@api.get("/me", response_model=Me, summary="Den inloggade användaren")
def me(user: CurrentUser) -> Me:
    return Me(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        area_id=user.area_id,
        area_name=user.area.name,
        roles=sorted(user.roles),
    )


@pages.get(ADMIN.path)
def users_page(request: Request, session: DbSession, admin: Administrator) -> Response:
    return render(
        request, "auth/users.html", {"users": service.users_in_area(session, admin.area_id)}
    )
