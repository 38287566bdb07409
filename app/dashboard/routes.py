"""The budget dashboard page (`/budget`) and its API twin (`/api/v1/dashboard`)."""

from collections.abc import Iterator
from dataclasses import asdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, StreamingResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.areas.models import ProgrammePeriod
from app.areas.service import current_period
from app.auth.dependencies import DbSession, require_roles
from app.auth.models import Role, User
from app.auth.service import actor_for
from app.core.clock import local_today
from app.core.errors import error_responses
from app.core.flash import flash
from app.core.forms import PostedForm
from app.core.i18n import gettext as _
from app.core.navigation import BUDGET, CASES
from app.core.params import RecordId
from app.core.templates import render
from app.dashboard import exports, service
from app.dashboard.chart import burn_up_chart
from app.dashboard.pdf import dashboard_pdf
from app.dashboard.schemas import (
    DashboardOut,
    IndicatorsOut,
    MonthOut,
    PipelineLineOut,
    TargetOut,
)
from app.db import read_only
from app.ledger import service as ledger
from app.ledger.schemas import BalanceOut, BudgetLineOut

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/dashboard", tags=["budget"])

BudgetReader = Annotated[User, Depends(require_roles(*BUDGET.roles))]
PlanKeeper = Annotated[User, Depends(require_roles(Role.MANAGER, Role.HANDLER))]


def _dashboard(session: Session, user: User) -> service.Dashboard:
    today = local_today()
    period = current_period(session, user.area_id, today)
    if period is None:
        raise HTTPException(status_code=404, detail=_("Området har ingen programperiod."))
    return service.dashboard(session, period, today)


@pages.get(BUDGET.path)
def dashboard_page(request: Request, session: DbSession, user: BudgetReader) -> Response:
    return _page(request, session, user)


def _page(
    request: Request, session: Session, user: User, *, errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    board = _dashboard(session, user)
    total = board.overview.total
    year = service.plan_year(session, user.area_id, local_today())
    return render(request, "dashboard/dashboard.html", {
        "plan_year": year,
        "plan": service.operation_plan(session, user.area_id, year),
        "can_register": user.has_any_role(Role.MANAGER, Role.HANDLER),
        "errors": errors or {}, "values": values or {}, "today": local_today(),
        "d": board,
        "chart": burn_up_chart(board.burn_up, total.limit_ore, board.target.amount_ore),
        "verdicts": service.VERDICT_LABELS,
        "uptake_definition": service.UPTAKE_DEFINITION,
        "forecast_definition": service.FORECAST_DEFINITION,
        "area_names": {line.id: line.name for line in board.overview.action_areas},
        "rate_percent": _rate_percent(board),
        # The queue shows the applications behind a figure, for those who may open cases.
        "can_drill": not CASES.roles.isdisjoint(user.roles),
    }, status_code=status_code)  # fmt: skip


@pages.post(BUDGET.path + "/plan/{activity_id}")
def register_progress(
    request: Request, session: DbSession, user: PlanKeeper, activity_id: RecordId,
    raw: PostedForm,
) -> Response:  # fmt: skip
    """Staff register progress on an activity of the operation plan."""
    try:
        result = service.register_progress(session, actor_for(user), user.area_id, activity_id,
                                           raw, today=local_today())  # fmt: skip
    except LookupError:
        raise HTTPException(status_code=404) from None
    if not result.ok:
        session.rollback()
        errors = {f"a{activity_id}_{k}": v for k, v in result.errors.items()}
        values = {f"a{activity_id}_{k}": v for k, v in raw.items()}
        return _page(request, session, user, errors=errors, values=values, status_code=400)
    session.commit()
    response = RedirectResponse(f"{BUDGET.path}#plan", status_code=303)
    flash(request, response, _("Uppföljningen är registrerad."))
    return response


def _rate_percent(board: service.Dashboard) -> Decimal:
    rate = board.pipeline.approval_rate
    return (Decimal(rate.numerator) * 100 / rate.denominator).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def _lines(items: list[ledger.BudgetLine]) -> list[BudgetLineOut]:
    return [BudgetLineOut(id=i.id, name=i.name, balance=BalanceOut.of(i.balance)) for i in items]


@api.get(
    "",
    response_model=DashboardOut,
    summary="Upparbetning, prognos och indikatorer",
    responses=error_responses(404),
)
def dashboard_api(session: DbSession, user: BudgetReader) -> DashboardOut:
    """Every figure on the budget dashboard, for the current programme period."""
    board = _dashboard(session, user)
    return DashboardOut(
        period_name=board.period.name,
        uptake_definition=service.UPTAKE_DEFINITION,
        forecast_definition=service.FORECAST_DEFINITION,
        total=BalanceOut.of(board.overview.total),
        released_ore=board.released_ore,
        uptake_percent=board.uptake_percent,
        uptake_with_reservations_percent=board.uptake_with_reservations_percent,
        target=TargetOut(**asdict(board.target), verdict=board.verdict),
        pipeline=[
            PipelineLineOut(action_area_id=k, undecided_ore=v)
            for k, v in sorted(board.pipeline.by_action_area.items())
        ],
        approval_rate_percent=_rate_percent(board),
        forecast_ore=board.forecast_ore,
        action_areas=_lines(board.overview.action_areas),
        pots=_lines(board.overview.pots),
        burn_up=[MonthOut(**asdict(point)) for point in board.burn_up],
        warnings=[warning.text for warning in board.warnings],
        indicators=[
            IndicatorsOut(action_area_id=k, **asdict(v))
            for k, v in sorted(board.indicators.items())
        ],
    )


EXPORTS = {
    "ledger": ("Huvudbok", lambda session, board: exports.ledger_rows(session, board.period)),
    "applications": ("Ansökningar",
                     lambda session, board: exports.application_rows(session, board.period)),
    "indicators": ("Indikatorer", lambda _session, board: exports.indicator_rows(board)),
}  # fmt: skip


@pages.get(BUDGET.path + "/export/{what}.{fmt}")
def export(session: DbSession, user: BudgetReader, what: str, fmt: str) -> Response:
    """The ledger, the applications or the indicators of the period, as CSV or XLSX. The rows
    are read in a transaction that only reads, so a long export never holds the database's
    write lock (SQLite) while it streams."""
    if what not in EXPORTS or fmt not in ("csv", "xlsx"):
        raise HTTPException(status_code=404)
    area_id, today = user.area_id, local_today()
    period = current_period(session, area_id, today)
    if period is None:
        raise HTTPException(status_code=404, detail=_("Området har ingen programperiod."))
    title, rows = EXPORTS[what]
    filename = f"{what}-{period.name}.{fmt}".replace("–", "-")
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    period_id = period.id

    def read() -> Iterator[exports.Row]:
        read_only(session)
        board = service.dashboard(session, session.get_one(ProgrammePeriod, period_id), today)
        yield from rows(session, board)

    if fmt == "csv":
        return StreamingResponse(
            exports.as_csv(read()), media_type="text/csv; charset=utf-8", headers=disposition
        )
    return Response(
        exports.as_xlsx(read(), title),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=disposition,
    )


@pages.get(BUDGET.path + "/dashboard.pdf")
def dashboard_as_pdf(session: DbSession, user: BudgetReader) -> Response:
    """The dashboard as a PDF for the board's meeting pack."""
    board = _dashboard(session, user)
    today = local_today()
    plan = service.operation_plan(session, user.area_id, service.plan_year(session, user.area_id,
                                                                           today))  # fmt: skip
    data = dashboard_pdf(board, user.area.name, plan, today)
    return Response(data, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="budget-{today.isoformat()}.pdf"'})  # fmt: skip
