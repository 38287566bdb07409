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

from app.applications.models import Application, ApplicationKind
from app.areas.models import ActionArea, ProgrammePeriod
from app.audit import service as audit
from app.audit.service import Actor
from app.core.i18n import DEFAULT_LANGUAGE, use_language
from app.core.i18n import gettext as _
from app.core.money import MAX_AMOUNT_ORE, format_money
from app.db import utcnow
from app.ledger.models import LedgerEntry, LedgerKind, LedgerTotal
from app.umbrellas.models import UmbrellaProject


class BudgetError(ValueError):
    """A ledger entry that would break a budget rule; ``message`` is for the user, in the
    interface language."""

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
    session: Session,
    source: type[LedgerEntry] | type[LedgerTotal],
    group: Any | None,
    *conditions: ColumnElement[bool],
) -> dict[Any, _Sums]:
    """Totals per (kind, released kind), for each value of ``group`` (one query); with no
    group, everything lands under the key None. ``source`` is the ledger itself (for one
    application's entries, by its index) or the running totals (a few rows per budget and month,
    what budgets and the dashboard read)."""
    groups = [group] if group is not None else []
    rows = session.execute(
        select(*groups, source.kind, source.released_kind, func.sum(source.amount_ore))
        .where(*conditions)
        .group_by(*groups, source.kind, source.released_kind)
    )
    sums: dict[Any, _Sums] = {}
    for row in rows:
        key = row[0] if groups else None
        kind, released, total = row[-3:]
        # PostgreSQL returns SUM(bigint) as numeric: convert back to exact integers. The totals
        # write "no released kind" as "".
        sums.setdefault(key, {})[(LedgerKind(kind).value, released or None)] = int(total)
    return sums


def _entry_sums(session: Session, *conditions: ColumnElement[bool]) -> _Sums:
    return _sums_by(session, LedgerEntry, None, *conditions).get(None, {})


def _totals(session: Session, *conditions: ColumnElement[bool]) -> _Sums:
    return _sums_by(session, LedgerTotal, None, *conditions).get(None, {})


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
        _totals(session, LedgerTotal.period_id == period.id, LedgerTotal.umbrella_project_id == 0),
        None,
    )


def action_area_balance(session: Session, action_area: ActionArea) -> Balance:
    return _fold(
        _totals(
            session,
            LedgerTotal.action_area_id == action_area.id,
            LedgerTotal.umbrella_project_id == 0,
        ),
        action_area.budget_frame_ore,
    )


def pot_limit(session: Session, umbrella: UmbrellaProject) -> int:
    """What may be granted from a pot: its configured size, but never more than is committed to
    the umbrella project itself (if that commitment shrinks, so does the pot)."""
    if umbrella.funding_application_id is None:
        return umbrella.pot_ore
    funding = _fold(
        _entry_sums(session, LedgerEntry.application_id == umbrella.funding_application_id), 0
    )
    return min(umbrella.pot_ore, funding.committed_ore)


def pot_balance(session: Session, umbrella: UmbrellaProject) -> Balance:
    return _fold(
        _totals(session, LedgerTotal.umbrella_project_id == umbrella.id),
        pot_limit(session, umbrella),
    )


def application_balance(session: Session, application: Application) -> Balance:
    return _fold(_entry_sums(session, LedgerEntry.application_id == application.id), 0)


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
        LedgerTotal,
        LedgerTotal.action_area_id,
        LedgerTotal.period_id == period.id,
        LedgerTotal.umbrella_project_id == 0,
    )
    pot_sums = _sums_by(
        session, LedgerTotal, LedgerTotal.umbrella_project_id, LedgerTotal.period_id == period.id
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
            BudgetLine(pot.id, pot.name, _fold(pot_sums.get(pot.id, {}), pot_limit(session, pot)))
            for pot in umbrellas
        ],
    )


def lock_period(session: Session, period: ProgrammePeriod) -> None:
    """Serialise budget changes per period (row lock on PostgreSQL; SQLite's transactions
    already hold its single write lock from BEGIN IMMEDIATE). Every write to the ledger takes
    it, and so does every change of a budget figure in the area's settings."""
    session.execute(
        select(ProgrammePeriod.id).where(ProgrammePeriod.id == period.id).with_for_update()
    )


def _require_room(balance: Balance, amount_ore: int, message: str, name: str = "") -> None:
    """``message`` (translated) says which budget has no room, with {amount}, {name}, {left}."""
    if amount_ore > balance.remaining_ore:
        raise BudgetError(
            message.format(
                amount=format_money(amount_ore),
                name=name,
                left=format_money(max(balance.remaining_ore, 0)),
            )
        )


def record_entry(
    session: Session,
    actor: Actor,
    *,
    period: ProgrammePeriod,
    kind: LedgerKind,
    amount_ore: int,
    reason: str,
    application: Application | None = None,
    released_kind: LedgerKind | None = None,
    recorded_at: datetime | None = None,
) -> LedgerEntry:
    """Append one entry after checking every budget it touches; audited in the same transaction.

    Where the money counts follows from the application, never from the caller: a Leader
    project's entries count against its action area's frame and the period, a småstöd's against
    its umbrella's pot. Raises ``BudgetError`` (nothing is written) when the entry would
    over-commit the period, the frame or the pot, pay more than is committed, or release more
    than is held. ``recorded_at`` is for importing history (demo data, a previous system).
    """
    _check_shape(period, kind, amount_ore, reason, application, released_kind)
    lock_period(session, period)
    return _check_and_append(
        session, actor, period, kind, amount_ore, reason, application, released_kind, recorded_at
    )


def commit_reservation(
    session: Session,
    actor: Actor,
    *,
    period: ProgrammePeriod,
    application: Application,
    amount_ore: int,
    reason: str,
    recorded_at: datetime | None = None,
) -> LedgerEntry:
    """The formal decision (myndighetsbeslut) arrives: release what the LAG reserved and commit
    ``amount_ore`` under one lock, so the reservation's own room can be reused and no other
    decision can take it in between."""
    _check_shape(period, LedgerKind.COMMITMENT, amount_ore, reason, application, None)
    lock_period(session, period)
    reserved = application_balance(session, application).reserved_ore
    if reserved:
        _check_and_append(
            session, actor, period, LedgerKind.RELEASE, reserved,
            "Reservationen ersätts av beslut", application, LedgerKind.RESERVATION, recorded_at,
        )  # fmt: skip
    return _check_and_append(
        session, actor, period, LedgerKind.COMMITMENT, amount_ore, reason, application, None,
        recorded_at,
    )  # fmt: skip


def _check_shape(
    period: ProgrammePeriod,
    kind: LedgerKind,
    amount_ore: int,
    reason: str,
    application: Application | None,
    released_kind: LedgerKind | None,
) -> None:
    if not 0 < amount_ore <= MAX_AMOUNT_ORE:
        raise BudgetError(_("Beloppet måste vara större än 0 kr och rimligt stort."))
    if not reason.strip():
        raise BudgetError(_("Ange ett skäl för bokföringen."))
    is_allocation = kind in (LedgerKind.ALLOCATION, LedgerKind.ADJUSTMENT)
    if is_allocation and application is not None:
        raise BudgetError(_("Tilldelning och justering gäller hela programperioden."))
    if not is_allocation and application is None:
        raise BudgetError(
            _("Reservation, beviljande, frigörande och utbetalning kräver en ansökan.")
        )
    if (kind is LedgerKind.RELEASE) != (released_kind is not None) or released_kind not in (
        None,
        LedgerKind.RESERVATION,
        LedgerKind.COMMITMENT,
    ):
        raise BudgetError(_("Ange om det är en reservation eller ett beviljat belopp som frigörs."))
    if application is not None and application.area_id != period.area_id:
        raise BudgetError(_("Ansökan hör till ett annat Leaderområde."))
    if application is not None and application.action_area.period_id != period.id:
        raise BudgetError(_("Ansökan hör till en annan programperiod."))


def _protect_funded_pot(session: Session, application: Application, new_committed: int) -> None:
    """An umbrella project's commitment cannot shrink below what its pot has already granted."""
    umbrella = session.scalar(
        select(UmbrellaProject).where(UmbrellaProject.funding_application_id == application.id)
    )
    if umbrella is None:
        return
    pot = pot_balance(session, umbrella)
    if new_committed < pot.reserved_ore + pot.committed_ore:
        raise BudgetError(
            _(
                "Potten {name} har redan beviljat {amount}; paraplyprojektets beviljade belopp "
                "kan inte bli lägre än så."
            ).format(name=umbrella.name, amount=format_money(pot.reserved_ore + pot.committed_ore))
        )


def _check_and_append(
    session: Session,
    actor: Actor,
    period: ProgrammePeriod,
    kind: LedgerKind,
    amount_ore: int,
    reason: str,
    application: Application | None,
    released_kind: LedgerKind | None,
    recorded_at: datetime | None,
) -> LedgerEntry:
    """The budget checks and the write; the caller holds the period's lock."""
    action_area = application.action_area if application else None
    umbrella = (
        application.umbrella_project
        if application is not None and application.kind is ApplicationKind.SMALL_GRANT
        else None
    )
    if kind in (LedgerKind.RESERVATION, LedgerKind.COMMITMENT):
        if umbrella is not None:
            _require_room(
                pot_balance(session, umbrella),
                amount_ore,
                _("Beloppet {amount} ryms inte: potten {name} har {left} kvar."),
                umbrella.name,
            )
        elif action_area is not None:
            # The frame as it is now, under the lock: the settings may have lowered it since
            # this session loaded the action area.
            session.refresh(action_area, ["budget_frame_ore"])
            _require_room(
                action_area_balance(session, action_area),
                amount_ore,
                _("Beloppet {amount} ryms inte: insatsområdet {name} har {left} kvar."),
                action_area.name,
            )
            _require_room(
                period_balance(session, period),
                amount_ore,
                _("Beloppet {amount} ryms inte: programperioden har {left} kvar."),
            )
    elif kind is LedgerKind.ADJUSTMENT:
        _require_room(
            period_balance(session, period),
            amount_ore,
            _("Beloppet {amount} ryms inte: programperioden har {left} kvar."),
        )
    elif application is not None:  # release or payment
        held = application_balance(session, application)
        if kind is LedgerKind.PAYMENT or released_kind is LedgerKind.COMMITMENT:
            available = held.unpaid_ore
            too_much = _(
                "Beloppet {amount} är mer än det som är beviljat och ännu inte utbetalt för "
                "ansökan ({available})."
            )
        else:
            available = held.reserved_ore
            too_much = _(
                "Beloppet {amount} är mer än det som är reserverat för ansökan ({available})."
            )
        if amount_ore > available:
            raise BudgetError(
                too_much.format(amount=format_money(amount_ore), available=format_money(available))
            )
        if released_kind is LedgerKind.COMMITMENT:
            _protect_funded_pot(session, application, held.committed_ore - amount_ore)

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
    with use_language(DEFAULT_LANGUAGE):  # the audit log is a record, written in Swedish
        summary = f"{kind.label} {format_money(amount_ore)} – {target}"
    audit.record(
        session,
        actor,
        area_id=period.area_id,
        entity_type="ledger_entry",
        entity_id=entry.id,
        action=kind.value,
        summary=summary,
        reason=entry.reason,
    )
    return entry
