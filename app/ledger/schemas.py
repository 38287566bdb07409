"""API shapes for budget figures. All money in integer öre."""

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from app.ledger.service import Balance


class BalanceOut(BaseModel):
    limit_ore: int
    reserved_ore: int
    committed_ore: int
    paid_ore: int
    remaining_ore: int
    uptake_percent: Decimal

    @classmethod
    def of(cls, balance: Balance) -> "BalanceOut":
        return cls(
            limit_ore=balance.limit_ore,
            reserved_ore=balance.reserved_ore,
            committed_ore=balance.committed_ore,
            paid_ore=balance.paid_ore,
            remaining_ore=balance.remaining_ore,
            uptake_percent=balance.uptake_percent,
        )


class BudgetLineOut(BaseModel):
    id: int
    name: str
    balance: BalanceOut


class BudgetOut(BaseModel):
    period_name: str
    uptake_target_percent: int
    uptake_target_date: date
    uptake_definition: str
    total: BalanceOut
    action_areas: list[BudgetLineOut]
    pots: list[BudgetLineOut]
