"""The budget API: allocation, reservations, commitments and payments per budget (the page is
the dashboard feature's)."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException

from app.areas.service import current_period
from app.auth.dependencies import DbSession, require_roles
from app.auth.models import User
from app.core.clock import local_today
from app.core.errors import error_responses
from app.core.i18n import gettext as _
from app.core.navigation import BUDGET
from app.dashboard.service import UPTAKE_DEFINITION
from app.ledger import service
from app.ledger.schemas import BalanceOut, BudgetLineOut, BudgetOut

api = APIRouter(prefix="/budget", tags=["budget"])

BudgetReader = Annotated[User, Depends(require_roles(*BUDGET.roles))]


def _overview(session: DbSession, user: User) -> service.BudgetOverview:
    period = current_period(session, user.area_id, local_today())
    if period is None:
        raise HTTPException(status_code=404, detail=_("Området har ingen programperiod."))
    return service.overview(session, period)


@api.get(
    "",
    response_model=BudgetOut,
    summary="Budgetläget för den aktuella programperioden",
    responses=error_responses(404),
)
def budget(session: DbSession, user: BudgetReader) -> BudgetOut:
    overview = _overview(session, user)

    def lines(items: list[service.BudgetLine]) -> list[BudgetLineOut]:
        return [
            BudgetLineOut(id=i.id, name=i.name, balance=BalanceOut.of(i.balance)) for i in items
        ]

    return BudgetOut(
        period_name=overview.period.name,
        uptake_target_percent=overview.period.uptake_target_percent,
        uptake_target_date=overview.period.uptake_target_date,
        uptake_definition=UPTAKE_DEFINITION,
        total=BalanceOut.of(overview.total),
        action_areas=lines(overview.action_areas),
        pots=lines(overview.pots),
    )
