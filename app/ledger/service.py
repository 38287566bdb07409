"""Budget rules: balances are sums over the ledger, and no entry may over-commit a budget.

Three nested budgets are guarded: the period's allocation, each action area's frame and each
umbrella project's pot (see ``LedgerEntry`` for which entries count where). Every write takes the
period's lock first, so two decisions made at the same moment are checked one after the other.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.applications.models import Application
from app.areas.models import ActionArea, ProgrammePeriod
from app.audit import service as audit
from app.audit.service import Actor
from app.core.money import format_money
from app.db import utcnow
from app.ledger.models import MAX_ENTRY_ORE, LedgerEntry, LedgerKind
from app.umbrellas.models import UmbrellaProject


class BudgetError(ValueError):
    """A ledger entry that would break a budget rule; ``message`` is for the user (Swedish)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Balance:
    """Sums for one budget. ``limit_ore`` is what may be used: the period's allocation, an action
    area's frame or an umbrella's pot (zero for a single application, which has no limit)."""

    limit_ore: int = 0
    reserved_ore: int = 0
    committed_ore: int = 0
    paid_ore: int = 0

    @property
    def remaining_ore(self) -> int:
        """What can still be reserved or committed."""
        return self.limit_ore - self.reserved_ore - self.committed_ore

    @property
    def unpaid_ore(self) -> int:
        return self.committed_ore - self.paid_ore

    def share_percent(self, part_ore: int) -> Decimal:
        """``part_ore`` as a percentage of the limit, to one decimal (0 when there is no limit)."""
        if self.limit_ore <= 0:
            return Decimal(0)
        return (Decimal(part_ore) * 100 / self.limit_ore).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @property
    def uptake_percent(self) -> Decimal:
        """Upparbetning: committed (beviljat) ÷ allocated. Reservations are not counted."""
        return self.share_percent(self.committed_ore)


_Sums = dict[tuple[str, str | None], int]


def _sums_by(
    session: Session, group: Any | None, *conditions: ColumnElement[bool]
) -> dict[Any, _Sums]:
    """Totals per (kind, released kind), for each value of ``group`` (one query); with no
    group, everything lands under the key None."""
    groups = [group] if group is not None else []
    rows = session.execute(
        select(
            *groups, LedgerEntry.kind, LedgerEntry.released_kind, func.sum(LedgerEntry.amount_ore)
        )
        .where(*conditions)
        .group_by(*groups, LedgerEntry.kind, LedgerEntry.released_kind)
    )
    sums: dict[Any, _Sums] = {}
    for row in rows:
        key = row[0] if groups else None
        kind, released, total = row[-3:]
        # PostgreSQL returns SUM(bigint) as numeric: convert back to exact integers.
        sums.setdefault(key, {})[(LedgerKind(kind).value, released)] = int(total)
    return sums


def _sums(session: Session, *conditions: ColumnElement[bool]) -> _Sums:
    return _sums_by(session, None, *conditions).get(None, {})


def _fold(sums: _Sums, limit_ore: int | None) -> Balance:
    def total(kind: LedgerKind, released: LedgerKind | None = None) -> int:
        return sums.get((kind.value, released.value if released else None), 0)

    allocated = total(LedgerKind.ALLOCATION) - total(LedgerKind.ADJUSTMENT)
    return Balance(
        limit_ore=allocated if limit_ore is None else limit_ore,
        reserved_ore=total(LedgerKind.RESERVATION)
        - total(LedgerKind.RELEASE, LedgerKind.RESERVATION),
        committed_ore=total(LedgerKind.COMMITMENT)
        - total(LedgerKind.RELEASE, LedgerKind.COMMITMENT),
        paid_ore=total(LedgerKind.PAYMENT),
    )


def period_balance(session: Session, period: ProgrammePeriod) -> Balance:
    """The whole period: allocation against everything outside the umbrella pots."""
    return _fold(
        _sums(
            session,
            LedgerEntry.period_id == period.id,
            LedgerEntry.umbrella_project_id.is_(None),
        ),
        None,
    )


def action_area_balance(session: Session, action_area: ActionArea) -> Balance:
    return _fold(
        _sums(
            session,
            LedgerEntry.action_area_id == action_area.id,
            LedgerEntry.umbrella_project_id.is_(None),
        ),
        action_area.budget_frame_ore,
    )


def pot_balance(session: Session, umbrella: UmbrellaProject) -> Balance:
    return _fold(_sums(session, LedgerEntry.umbrella_project_id == umbrella.id), umbrella.pot_ore)


def application_balance(session: Session, application: Application) -> Balance:
    return _fold(_sums(session, LedgerEntry.application_id == application.id), 0)


@dataclass(frozen=True)
class BudgetLine:
    """One named budget (an action area's frame or an umbrella's pot) with its balance."""

    id: int
    name: str
    balance: Balance


@dataclass(frozen=True)
class BudgetOverview:
    period: ProgrammePeriod
    total: Balance
    action_areas: list[BudgetLine]
    pots: list[BudgetLine]


def overview(session: Session, period: ProgrammePeriod) -> BudgetOverview:
    """The period, every action area and every pot, in three grouped queries."""
    frames = _sums_by(
        session,
        LedgerEntry.action_area_id,
        LedgerEntry.period_id == period.id,
        LedgerEntry.umbrella_project_id.is_(None),
    )
    pot_sums = _sums_by(
        session, LedgerEntry.umbrella_project_id, LedgerEntry.period_id == period.id
    )
    umbrellas = session.scalars(
        select(UmbrellaProject)
        .join(ActionArea, UmbrellaProject.action_area_id == ActionArea.id)
        .where(ActionArea.period_id == period.id)
        .order_by(UmbrellaProject.name)
    )
    return BudgetOverview(
        period=period,
        total=period_balance(session, period),
        action_areas=[
            BudgetLine(area.id, area.name, _fold(frames.get(area.id, {}), area.budget_frame_ore))
            for area in period.action_areas
        ],
        pots=[
            BudgetLine(pot.id, pot.name, _fold(pot_sums.get(pot.id, {}), pot.pot_ore))
            for pot in umbrellas
        ],
    )


def _lock_period(session: Session, period: ProgrammePeriod) -> None:
    """Serialise budget changes per period (row lock on PostgreSQL; SQLite's transactions
    already hold its single write lock from BEGIN IMMEDIATE)."""
    session.execute(
        select(ProgrammePeriod.id).where(ProgrammePeriod.id == period.id).with_for_update()
    )


def _require_room(balance: Balance, amount_ore: int, budget_name: str) -> None:
    if amount_ore > balance.remaining_ore:
        raise BudgetError(
            f"Beloppet {format_money(amount_ore)} ryms inte: {budget_name} har "
            f"{format_money(max(balance.remaining_ore, 0))} kvar."
        )


def record_entry(
    session: Session,
    actor: Actor,
    *,
    period: ProgrammePeriod,
    kind: LedgerKind,
    amount_ore: int,
    reason: str,
    action_area: ActionArea | None = None,
    umbrella: UmbrellaProject | None = None,
    application: Application | None = None,
    released_kind: LedgerKind | None = None,
    recorded_at: datetime | None = None,
) -> LedgerEntry:
    """Append one entry after checking every budget it touches; audited in the same transaction.

    Raises ``BudgetError`` (nothing is written) when the entry would over-commit the period, the
    action area's frame or the umbrella's pot, pay more than is committed, or release more than
    is held. ``recorded_at`` is for importing history (demo data, a previous system); it
    defaults to now.
    """
    if not 0 < amount_ore <= MAX_ENTRY_ORE:
        raise BudgetError("Beloppet måste vara större än 0 kr och rimligt stort.")
    if not reason.strip():
        raise BudgetError("Ange ett skäl för bokföringen.")
    is_allocation = kind in (LedgerKind.ALLOCATION, LedgerKind.ADJUSTMENT)
    if is_allocation and (action_area or umbrella or application):
        raise BudgetError("Tilldelning och justering gäller hela programperioden.")
    if not is_allocation and (application is None or action_area is None):
        raise BudgetError(
            "Reservation, beviljande, frigörande och utbetalning kräver ansökan och insatsområde."
        )
    if (kind is LedgerKind.RELEASE) != (released_kind is not None) or released_kind not in (
        None,
        LedgerKind.RESERVATION,
        LedgerKind.COMMITMENT,
    ):
        raise BudgetError("Ange om det är en reservation eller ett beviljat belopp som frigörs.")
    for part in (action_area, umbrella, application):
        if part is not None and part.area_id != period.area_id:
            raise BudgetError("Posten hör till ett annat Leaderområde.")
    if action_area is not None and action_area.period_id != period.id:
        raise BudgetError("Insatsområdet hör till en annan programperiod.")
    if (
        umbrella is not None
        and action_area is not None
        and umbrella.action_area_id != action_area.id
    ):
        raise BudgetError("Paraplyprojektet hör till ett annat insatsområde.")

    _lock_period(session, period)
    if kind in (LedgerKind.RESERVATION, LedgerKind.COMMITMENT):
        if umbrella is not None:
            _require_room(pot_balance(session, umbrella), amount_ore, f"potten {umbrella.name}")
        elif action_area is not None:
            _require_room(
                action_area_balance(session, action_area),
                amount_ore,
                f"insatsområdet {action_area.name}",
            )
            _require_room(period_balance(session, period), amount_ore, "programperioden")
    elif kind is LedgerKind.ADJUSTMENT:
        _require_room(period_balance(session, period), amount_ore, "programperioden")
    elif kind in (LedgerKind.RELEASE, LedgerKind.PAYMENT) and application is not None:
        held = application_balance(session, application)
        if kind is LedgerKind.PAYMENT or released_kind is LedgerKind.COMMITMENT:
            available, what = held.unpaid_ore, "beviljat och ännu inte utbetalt"
        else:
            available, what = held.reserved_ore, "reserverat"
        if amount_ore > available:
            raise BudgetError(
                f"Beloppet {format_money(amount_ore)} är mer än det som är {what} för ansökan "
                f"({format_money(available)})."
            )

    entry = LedgerEntry(
        area_id=period.area_id,
        period_id=period.id,
        kind=kind,
        released_kind=released_kind.value if released_kind else None,
        amount_ore=amount_ore,
        action_area_id=action_area.id if action_area else None,
        umbrella_project_id=umbrella.id if umbrella else None,
        application_id=application.id if application else None,
        actor_user_id=actor.user_id,
        reason=reason.strip(),
        recorded_at=recorded_at or utcnow(),
    )
    session.add(entry)
    session.flush()
    target = (application.reference or application.title) if application else period.name
    audit.record(
        session,
        actor,
        area_id=period.area_id,
        entity_type="ledger_entry",
        entity_id=entry.id,
        action=kind.value,
        summary=f"{kind.label} {format_money(amount_ore)} – {target}",
        reason=entry.reason,
    )
    return entry
