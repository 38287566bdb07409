"""The application factory: wires settings, database, middleware, error pages and routers."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus
from urllib.parse import quote, urlsplit

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.accounts.routes import pages as accounts_pages
from app.applicants.reminders import information_reminder_job
from app.applicants.routes import pages as applicants_pages
from app.applications.routes import api as applications_api
from app.applications.routes import pages as applications_pages
from app.attachments.routes import pages as attachments_pages
from app.auth.csrf import CSRFCookieMiddleware, verify_csrf
from app.auth.dependencies import (
    SESSION_COOKIE,
    LoginRequired,
    TwoFactorRequired,
    Viewer,
    viewer_for_token,
)
from app.auth.routes import api as auth_api
from app.auth.routes import pages as auth_pages
from app.board.routes import pages as board_pages
from app.casework.routes import api as casework_api
from app.casework.routes import pages as casework_pages
from app.config import Settings, get_settings
from app.core.errors import error_responses
from app.core.flash import flash
from app.core.i18n import N_, LanguageMiddleware
from app.core.i18n import gettext as _
from app.core.limits import BodySizeLimitMiddleware
from app.core.static import STATIC_DIR, FingerprintedStaticFiles
from app.core.templates import render, templates
from app.dashboard.routes import api as dashboard_api
from app.dashboard.routes import pages as dashboard_pages
from app.db import make_engine, make_session_factory
from app.email.service import OutboxWorker
from app.language.routes import pages as language_pages
from app.ledger.routes import api as ledger_api
from app.meetings.routes import pages as meetings_pages
from app.ops.logs import (
    REQUEST_ID_HEADER,
    RequestLogMiddleware,
    configure_logging,
    current_request_id,
    loggable_path,
)
from app.ops.routes import pages as ops_pages
from app.organisations.routes import api as organisations_api
from app.organisations.routes import pages as organisations_pages
from app.privacy.routes import pages as privacy_pages
from app.projects.routes import pages as projects_pages
from app.settings.routes import pages as settings_pages
from app.umbrellas.routes import pages as umbrellas_pages

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
TWO_FACTOR_FIRST = N_(
    "Administratörer måste logga in med tvåstegsverifiering. Slå på den här först."
)

ERROR_TEXTS = {
    400: (N_("Felaktig begäran"), N_("Begäran kunde inte tolkas.")),
    403: (N_("Åtkomst nekad"), N_("Du har inte behörighet till den här sidan.")),
    404: (
        N_("Sidan finns inte"),
        N_("Sidan du söker finns inte, eller så har du inte tillgång till den."),
    ),
    405: (N_("Otillåten metod"), N_("Den här sidan kan inte användas på det sättet.")),
    409: (
        N_("Konflikt"),
        N_("Någon annan har ändrat uppgifterna. Ladda om sidan och försök igen."),
    ),
    422: (N_("Felaktiga uppgifter"), N_("Uppgifterna kunde inte tas emot.")),
    500: (
        N_("Något gick fel"),
        N_("Ett oväntat fel inträffade. Felet är loggat; försök igen om en stund."),
    ),
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def _error_page(request: Request, status: int, detail: str | None = None) -> Response:
    title, default_text = ERROR_TEXTS.get(status, (N_("Fel"), N_("Begäran misslyckades.")))
    # Our own exceptions carry Swedish details; Starlette's defaults ("Not Found") do not, nor
    # do the 400s the frameworks raise for a body they cannot parse ("There was an error
    # parsing the body", multipart errors): the app itself raises 400 only without a detail.
    is_default = not detail or detail == HTTPStatus(status).phrase or status == 400
    text = _(default_text) if is_default or status >= 500 else detail
    if _is_api(request):
        return JSONResponse({"detail": text}, status_code=status)
    if not hasattr(request.state, "csrf_token"):
        request.state.csrf_token = ""
    if getattr(request.state, "user", None) is None:
        # The page failed before (or without) resolving the user; show the header they expect.
        request.state.user = _user_for_error_page(request)
    return render(
        request, "errors/error.html", {"status": status, "title": _(title), "text": text}, status
    )


def _local_path(url: str) -> str | None:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "") if parts.path else None


def _user_for_error_page(request: Request) -> Viewer | None:
    token = request.cookies.get(SESSION_COOKIE)
    factory = getattr(request.app.state, "session_factory", None)
    if not token or factory is None:
        return None
    try:
        with factory() as session:
            return viewer_for_token(session, token)
    except Exception:  # an error page must render even when the database is the problem
        log.exception("Could not resolve the user for an error page")
        return None


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_format)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Tests install their own session factory (and run no mail sender) before start-up.
        if hasattr(app.state, "session_factory"):
            yield
            return
        engine = make_engine(settings.database_url)
        app.state.session_factory = make_session_factory(engine)
        worker = None
        if settings.mail_sender_enabled:
            # The sender thread also reminds applicants of komplettering deadlines.
            worker = OutboxWorker(
                app.state.session_factory,
                settings,
                periodic=[information_reminder_job(app.state.session_factory, settings)],
            )
            worker.start()
            app.state.mail_worker = worker
        yield
        if worker is not None:
            worker.stop()
        engine.dispose()

    app = FastAPI(
        title="Bygdestöd API",
        version="1",
        description="Bygdestöd: ansökningar, handläggning, LAG-beslut och budget för ett "
        "Leaderområde. Belopp anges alltid i hela öre (heltal).",
        lifespan=lifespan,
        dependencies=[Depends(verify_csrf)],
        docs_url="/docs",
        openapi_url=f"{API_PREFIX}/openapi.json",
    )
    app.state.settings = settings
    # Production serves the templates it was deployed with: no check of each template file's
    # modification time on every render. Elsewhere an edited template shows on the next page.
    templates.env.auto_reload = settings.environment != "production"
    app.state.signing_key = settings.signing_key()
    app.add_middleware(CSRFCookieMiddleware, secure=settings.cookie_secure)
    # Room for one maximal attachment plus the other form fields.
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_attachment_bytes + 1024 * 1024,
        api_prefix=API_PREFIX,
    )
    # Pages are mostly table markup and shrink to a fifth or less. Level 6 of 9: nearly the same
    # size at a fraction of the CPU. A proxy in front may compress instead; it then sees the
    # Content-Encoding and leaves the body alone.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    # Outermost, so that every answer below it, refusals included, is in the visitor's language.
    app.add_middleware(LanguageMiddleware)
    # Around even that, so that the request id and the access line cover every answer.
    app.add_middleware(RequestLogMiddleware)
    app.mount("/static", FingerprintedStaticFiles(directory=STATIC_DIR), name="static")

    for router in (
        ops_pages,
        language_pages,
        auth_pages,
        accounts_pages,
        umbrellas_pages,
        applicants_pages,
        applications_pages,
        projects_pages,  # /cases/new-project, before /cases/{application_id}
        casework_pages,  # after the queue's fixed paths (/cases/export.csv) it would shadow
        attachments_pages,
        organisations_pages,
        dashboard_pages,
        board_pages,
        meetings_pages,
        privacy_pages,
        settings_pages,
    ):
        app.include_router(router)
    for router in (
        auth_api,
        applications_api,
        casework_api,
        organisations_api,
        ledger_api,
        dashboard_api,
    ):
        # Every API operation needs a login, and a role or (when it changes data) a CSRF token.
        app.include_router(router, prefix=API_PREFIX, responses=error_responses(401, 403))

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": _("Inloggning krävs.")}, status_code=401)
        if request.headers.get("HX-Request"):
            # An htmx fragment request must not paste the login page into the form: make the
            # browser go to the login page, and back to the page (not the fragment) afterwards.
            page = request.headers.get("HX-Current-URL", "")
            return Response(
                status_code=401,
                headers={"HX-Redirect": f"/login?next={quote(_local_path(page) or '/start')}"},
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(TwoFactorRequired)
    async def two_factor_required(request: Request, _exc: TwoFactorRequired) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": _(TWO_FACTOR_FIRST)}, status_code=403)
        # Back to the admin page afterwards when it was a page (a form post cannot be replayed).
        target = f"?next={quote(request.url.path)}" if request.method == "GET" else ""
        response = RedirectResponse(f"/account{target}", status_code=303)
        flash(
            request,
            response,
            _(TWO_FACTOR_FIRST),
            "alert",
        )
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return _error_page(request, exc.status_code, exc.detail)

    @app.exception_handler(StaleDataError)
    async def stale_write(request: Request, _exc: StaleDataError) -> Response:
        # Optimistic locking: someone saved the same record since this user loaded it.
        return _error_page(request, 409)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            return JSONResponse(
                {
                    "detail": _("Uppgifterna kunde inte tas emot."),
                    "errors": jsonable_encoder(exc.errors()),
                },
                status_code=422,
            )
        return _error_page(request, 422)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("Unhandled error on %s %s", request.method, loggable_path(request.scope))
        response = _error_page(request, 500)
        # This handler answers outside RequestLogMiddleware, which cannot add the header here.
        response.headers[REQUEST_ID_HEADER] = current_request_id() or ""
        return response

    return app
