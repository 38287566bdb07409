"""The bare baseline: the queue's and the dashboard's SQL and templates behind a minimal app.

No middleware (CSRF, language, body limit), no login or role check, no FastAPI dependency
injection: a plain Starlette endpoint opens a session, runs the same service calls as the real
route with the same arguments, and renders the same template through the same ``render``. The
difference between a page and its baseline is the application's own overhead (middleware,
authentication, routing), so ``bench/run.py`` reports it as a ratio.

Started only by the harness (never mounted in the production app):

    BYGD_DATABASE_URL=... BENCH_BASELINE_AREA=area01 \\
        uvicorn --factory bench.baseline:create_app
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import app.models  # noqa: F401 - every mapper, as the real app has them
from app.applications import service as applications
from app.applications.models import ApplicationKind, ApplicationStatus
from app.areas.service import current_period
from app.auth.dependencies import Viewer
from app.auth.models import Role, User
from app.auth.service import users_in_area
from app.config import get_settings
from app.core.clock import local_today
from app.core.navigation import CASES
from app.core.templates import render
from app.dashboard import service as dashboard
from app.dashboard.chart import burn_up_chart
from app.dashboard.routes import _rate_percent
from app.db import make_engine, make_session_factory
from app.umbrellas import service as umbrellas

CSRF_TOKEN = "baseline-csrf-token"  # noqa: S105 - rendered into forms, never checked here


def _prepare(request: Request, role: str) -> User:
    """What the real app's middleware and dependencies would have put on the request."""
    user, viewer = request.app.state.users[role]
    request.state.user = viewer
    request.state.csrf_token = CSRF_TOKEN
    return user


def queue(request: Request) -> Response:
    """``app.applications.routes.cases_start`` without its framework: the first page, default
    filters (the query string is honoured for ``page`` only)."""
    user = _prepare(request, "handler")
    filters = applications.ApplicationFilter()
    page = int(request.query_params.get("page", "1"))
    with request.app.state.session_factory() as session:
        period = current_period(session, user.area_id, local_today())
        counts = applications.counts_by_status(session, user.area_id, filters)
        context = {
            "counts": counts,
            "statuses": list(ApplicationStatus),
            "kinds": list(ApplicationKind),
            "sorts": list(applications.QueueSort),
            "filters": filters,
            "query": request.url.query,
            "params": dict(request.query_params),
            "umbrellas": umbrellas.calls_in_area(session, user.area_id),
            "action_areas": list(period.action_areas) if period else [],
            "handlers": [
                u for u in users_in_area(session, user.area_id) if Role.HANDLER in u.roles
            ],
            "result": applications.list_in_area(
                session, user.area_id, filters, page, counts=counts
            ),
        }
        return render(request, "applications/cases.html", context)


def budget(request: Request) -> Response:
    """``app.dashboard.routes._page`` without its framework."""
    user = _prepare(request, "manager")
    today = local_today()
    with request.app.state.session_factory() as session:
        period = current_period(session, user.area_id, today)
        assert period is not None  # noqa: S101 - the generated areas all have one
        board = dashboard.dashboard(session, period, today)
        total = board.overview.total
        year = dashboard.plan_year(session, user.area_id, today)
        context = {
            "plan_year": year,
            "plan": dashboard.operation_plan(session, user.area_id, year),
            "can_register": user.has_any_role(Role.MANAGER, Role.HANDLER),
            "errors": {},
            "values": {},
            "today": today,
            "d": board,
            "chart": burn_up_chart(board.burn_up, total.limit_ore, board.target.amount_ore),
            "verdicts": dashboard.VERDICT_LABELS,
            "uptake_definition": dashboard.UPTAKE_DEFINITION,
            "forecast_definition": dashboard.FORECAST_DEFINITION,
            "area_names": {line.id: line.name for line in board.overview.action_areas},
            "rate_percent": _rate_percent(board),
            "can_drill": not CASES.roles.isdisjoint(user.roles),
        }
        return render(request, "dashboard/dashboard.html", context)


def create_app() -> Starlette:
    settings = get_settings()
    area = os.environ.get("BENCH_BASELINE_AREA", "area01")
    # The same people as the real pages are measured with.
    emails = {"handler": f"handler1@{area}.bench", "manager": f"manager@{area}.bench"}

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        app.state.session_factory = make_session_factory(engine)
        app.state.users = {}
        with app.state.session_factory() as session:
            for role, email in emails.items():
                user = session.scalar(select(User).where(User.email == email))
                if user is None:
                    raise RuntimeError(f"no user {email} in {settings.database_url}")
                app.state.users[role] = (user, Viewer.of(user))
                session.expunge(user)
        yield
        engine.dispose()

    app = Starlette(routes=[Route("/queue", queue), Route("/budget", budget)], lifespan=lifespan)
    app.state.settings = settings
    app.state.signing_key = settings.signing_key()
    return app
