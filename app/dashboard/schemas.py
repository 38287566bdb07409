"""API shapes for the dashboard. Money in integer öre, shares in percent with one decimal."""

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from app.ledger.schemas import BalanceOut, BudgetLineOut


class TargetOut(BaseModel):
    percent: int
    by: date
    amount_ore: int = Field(description="Beviljat belopp som krävs för att nå målet")
    expected_today_ore: int = Field(description="Rak linje från periodens start till måldatumet")
    per_month_ore: int = Field(description="Kvar att bevilja per månad fram till måldatumet")
    months_left: int
    verdict: str = Field(description="reached, on_track, at_risk eller missed")


class PipelineLineOut(BaseModel):
    action_area_id: int
    undecided_ore: int


class MonthOut(BaseModel):
    month: str
    committed_ore: int
    paid_ore: int


class IndicatorsOut(BaseModel):
    action_area_id: int
    reports: int
    participants_women: int
    participants_men: int
    volunteer_hours: int
    new_activities: int
    jobs_created_hundredths: int
    businesses_started: int


class DashboardOut(BaseModel):
    period_name: str
    uptake_definition: str
    forecast_definition: str
    total: BalanceOut
    released_ore: int
    uptake_percent: Decimal
    uptake_with_reservations_percent: Decimal
    target: TargetOut
    pipeline: list[PipelineLineOut]
    approval_rate_percent: Decimal
    forecast_ore: int
    action_areas: list[BudgetLineOut]
    pots: list[BudgetLineOut]
    burn_up: list[MonthOut]
    warnings: list[str]
    indicators: list[IndicatorsOut]
