"""Login (with the second step for two-factor accounts), logout and the start page redirect;
``/api/v1/me`` for API clients."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.auth import service
from app.auth.dependencies import SESSION_COOKIE, CurrentUser, DbSession
from app.auth.models import User
from app.auth.schemas import CODE_FIELD, Me
from app.core.flash import flash
from app.core.i18n import gettext as _
from app.core.navigation import start_path
from app.core.templates import render

pages = APIRouter(tags=["inloggning"], include_in_schema=False)
api = APIRouter(tags=["inloggning"])

# The signed token of a login waiting for its second step (see service.pending_login_token).
PENDING_COOKIE = "bygd_login_step"
SECOND_STEP = "/login/code"


def safe_next(target: str | None) -> str | None:
    """Only same-site paths, so the login form cannot be used as an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@pages.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return render(request, "auth/login.html", {"next": safe_next(next), "email": "", "error": None})


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
            {"next": safe_next(next), "email": email, "error": exc.message},
            status_code=400,
        )
    if user.two_factor_enabled:
        session.commit()  # the password step counts as an attempt; no session yet
        response = RedirectResponse(SECOND_STEP, status_code=303)
        response.set_cookie(
            PENDING_COOKIE,
            service.pending_login_token(settings, user, safe_next(next)),
            max_age=int(service.PENDING_LOGIN_MAX_AGE.total_seconds()),
            path="/login",
            httponly=True,
            samesite="lax",
            secure=settings.cookie_secure,
        )
        return response
    return _logged_in(request, session, user, safe_next(next))


def _logged_in(request: Request, session: Session, user: User, next_path: str | None) -> Response:
    settings = request.app.state.settings
    token = service.start_session(session, settings, user)
    session.commit()
    response = RedirectResponse(next_path or start_path(user), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_lifetime_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )
    response.delete_cookie(PENDING_COOKIE, path="/login")
    return response


def _pending(request: Request, session: Session) -> tuple[User, str | None] | None:
    token = request.cookies.get(PENDING_COOKIE)
    settings = request.app.state.settings
    return service.resolve_pending_login(session, settings, token) if token else None


def _start_over(request: Request) -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(PENDING_COOKIE, path="/login")
    flash(request, response, _("Inloggningen avbröts eller tog för lång tid. Logga in igen."))
    return response


def _code_form(request: Request, error: str | None = None, status_code: int = 200) -> Response:
    return render(
        request,
        "auth/login_code.html",
        {"code_field": CODE_FIELD, "error": error},
        status_code=status_code,
    )


@pages.get(SECOND_STEP)
def login_code_form(request: Request, session: DbSession) -> Response:
    if _pending(request, session) is None:
        return _start_over(request)
    return _code_form(request)


@pages.post(SECOND_STEP)
def login_code(request: Request, session: DbSession, code: Annotated[str, Form()] = "") -> Response:
    pending = _pending(request, session)
    if pending is None:
        return _start_over(request)
    user, next_path = pending
    client = request.client.host if request.client else "unknown"
    try:
        service.verify_login_code(
            session, request.app.state.settings, user, code, client_address=client
        )
    except service.LoginError as exc:
        session.commit()  # the wrong code must be counted for throttling
        return _code_form(request, exc.message, status_code=400)
    return _logged_in(request, session, user, next_path)


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
