"""Budget rules: balances are sums of entries; nothing over-commits a pot, frame or period."""

import threading
from dataclasses import replace

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from app.applications.models import Application, ApplicationKind
from app.areas.models import ProgrammePeriod
from app.ledger.models import LedgerEntry, LedgerKind
from app.ledger.service import (
    BudgetError,
    action_area_balance,
    application_balance,
    commit_reservation,
    overview,
    period_balance,
    pot_balance,
    record_entry,
)
from app.umbrellas.models import UmbrellaProject
from tests.factories import KR, AreaSetup, make_application, make_area


def _move(db: Session, setup: AreaSetup, application, kind: LedgerKind, kr: int, **extra):
    return record_entry(
        db,
        setup.actor,
        period=setup.period,
        kind=kind,
        amount_ore=kr * KR,
        reason="Test",
        application=application,
        **extra,
    )


def test_balances_are_sums_of_entries(db: Session, area: AreaSetup) -> None:
    project = make_application(db, area, requested_kr=1_000_000)
    other = make_application(db, area, requested_kr=500_000)
    _move(db, area, project, LedgerKind.COMMITMENT, 1_000_000)
    _move(db, area, project, LedgerKind.PAYMENT, 250_000)
    _move(db, area, other, LedgerKind.RESERVATION, 400_000)
    _move(db, area, project, LedgerKind.RELEASE, 100_000, released_kind=LedgerKind.COMMITMENT)

    total = period_balance(db, area.period)
    assert (total.limit_ore, total.reserved_ore, total.committed_ore, total.paid_ore) == (
        10_000_000 * KR,
        400_000 * KR,
        900_000 * KR,
        250_000 * KR,
    )
    assert total.remaining_ore == (10_000_000 - 400_000 - 900_000) * KR
    assert str(total.uptake_percent) == "9.0"
    frame = action_area_balance(db, area.action_area)
    assert frame.limit_ore == 4_000_000 * KR
    assert frame.remaining_ore == (4_000_000 - 1_300_000) * KR
    assert application_balance(db, project).unpaid_ore == 650_000 * KR
    summary = overview(db, area.period)
    assert summary.action_areas[0].balance == frame
    assert summary.pots[0].balance == pot_balance(db, area.umbrella)


def test_small_grants_use_the_pot_not_the_frame(db: Session, area: AreaSetup) -> None:
    grant = make_application(db, area, kind=ApplicationKind.SMALL_GRANT, requested_kr=40_000)
    _move(db, area, grant, LedgerKind.COMMITMENT, 40_000)
    assert pot_balance(db, area.umbrella).remaining_ore == 460_000 * KR
    assert action_area_balance(db, area.action_area).committed_ore == 0
    assert period_balance(db, area.period).committed_ore == 0


@pytest.mark.parametrize(
    ("kind", "kr", "message"),
    [
        (
            ApplicationKind.SMALL_GRANT,
            500_001,
            "Beloppet 500\xa0001\xa0kr ryms inte: potten Beredskap har 500\xa0000\xa0kr kvar.",
        ),
        (
            ApplicationKind.LEADER_PROJECT,
            4_000_001,
            "Beloppet 4\xa0000\xa0001\xa0kr ryms inte: insatsområdet Bo & Leva har "
            "4\xa0000\xa0000\xa0kr kvar.",
        ),
    ],
)
def test_over_commitment_is_refused(db: Session, area: AreaSetup, kind, kr, message) -> None:
    application = make_application(db, area, kind=kind)
    with pytest.raises(BudgetError) as refused:
        _move(db, area, application, LedgerKind.COMMITMENT, kr)
    assert refused.value.message == message
    assert db.query(LedgerEntry).filter_by(application_id=application.id).count() == 0


def test_period_allocation_caps_all_frames(db: Session) -> None:
    setup = make_area(db, "litenbygd", allocation_kr=1_000_000, frame_kr=4_000_000)
    application = make_application(db, setup)
    with pytest.raises(BudgetError, match="programperioden har 1\xa0000\xa0000\xa0kr kvar"):
        _move(db, setup, application, LedgerKind.RESERVATION, 1_000_001)


def test_reservation_becomes_a_commitment_even_when_the_frame_is_full(
    db: Session, area: AreaSetup
) -> None:
    project = make_application(db, area, requested_kr=4_000_000)
    _move(db, area, project, LedgerKind.RESERVATION, 4_000_000)
    entry = commit_reservation(
        db, area.actor, period=area.period, application=project,
        amount_ore=3_900_000 * KR, reason="Jordbruksverkets beslut",
    )  # fmt: skip
    assert entry.kind is LedgerKind.COMMITMENT
    held = application_balance(db, project)
    assert (held.reserved_ore, held.committed_ore) == (0, 3_900_000 * KR)
    assert action_area_balance(db, area.action_area).remaining_ore == 100_000 * KR


def test_commitment_above_the_reservation_still_needs_room(db: Session, area: AreaSetup) -> None:
    project = make_application(db, area)
    other = make_application(db, area)
    _move(db, area, project, LedgerKind.RESERVATION, 2_000_000)
    _move(db, area, other, LedgerKind.COMMITMENT, 2_000_000)
    with pytest.raises(BudgetError, match="insatsområdet Bo & Leva har 2\xa0000\xa0000\xa0kr"):
        commit_reservation(
            db, area.actor, period=area.period, application=project,
            amount_ore=2_000_001 * KR, reason="Beslut",
        )  # fmt: skip


def test_pot_never_grants_more_than_is_committed_to_the_umbrella(
    db: Session, area: AreaSetup
) -> None:
    funding = make_application(db, area, title="Paraplyprojekt Beredskap")
    area.umbrella.funding_application_id = funding.id
    _move(db, area, funding, LedgerKind.COMMITMENT, 300_000)  # the pot says 500 000 kr
    grant = make_application(db, area, kind=ApplicationKind.SMALL_GRANT)
    with pytest.raises(BudgetError, match="potten Beredskap har 300\xa0000\xa0kr kvar"):
        _move(db, area, grant, LedgerKind.COMMITMENT, 300_001)
    _move(db, area, grant, LedgerKind.COMMITMENT, 50_000)
    # Shrinking the umbrella below what its pot has granted would over-draw the pot.
    with pytest.raises(BudgetError, match="Potten Beredskap har redan beviljat 50\xa0000\xa0kr"):
        _move(db, area, funding, LedgerKind.RELEASE, 250_001, released_kind=LedgerKind.COMMITMENT)
    _move(db, area, funding, LedgerKind.RELEASE, 250_000, released_kind=LedgerKind.COMMITMENT)
    pot = pot_balance(db, area.umbrella)
    assert (pot.limit_ore, pot.committed_ore, pot.remaining_ore) == (50_000 * KR, 50_000 * KR, 0)


def test_payment_cannot_exceed_commitment(db: Session, area: AreaSetup) -> None:
    application = make_application(db, area)
    _move(db, area, application, LedgerKind.COMMITMENT, 100_000)
    _move(db, area, application, LedgerKind.PAYMENT, 60_000)
    with pytest.raises(BudgetError, match="beviljat och ännu inte utbetalt"):
        _move(db, area, application, LedgerKind.PAYMENT, 40_001)
    with pytest.raises(BudgetError, match="reserverat"):
        _move(db, area, application, LedgerKind.RELEASE, 1, released_kind=LedgerKind.RESERVATION)


def test_allocation_cannot_be_reduced_below_what_is_used(db: Session, area: AreaSetup) -> None:
    application = make_application(db, area)
    _move(db, area, application, LedgerKind.COMMITMENT, 3_000_000)
    with pytest.raises(BudgetError):
        record_entry(
            db,
            area.actor,
            period=area.period,
            kind=LedgerKind.ADJUSTMENT,
            amount_ore=7_000_001 * KR,
            reason="Omfördelning",
        )


def test_other_areas_budget_cannot_be_touched(
    db: Session, area: AreaSetup, other_area: AreaSetup
) -> None:
    theirs = make_application(db, other_area)
    with pytest.raises(BudgetError, match="annat Leaderområde"):
        record_entry(
            db,
            area.actor,
            period=area.period,
            kind=LedgerKind.COMMITMENT,
            amount_ore=KR,
            reason="x",
            application=theirs,
        )


def test_every_entry_is_audited(db: Session, area: AreaSetup) -> None:
    application = make_application(db, area)
    entry = _move(db, area, application, LedgerKind.COMMITMENT, 12_500)
    events = db.execute(
        text(
            "SELECT action, summary, reason FROM audit_events WHERE entity_type = 'ledger_entry'"
            " AND entity_id = :id"
        ),
        {"id": entry.id},
    ).all()
    assert events == [("commitment", "Beviljat 12\xa0500\xa0kr – Mötesplats i bygden", "Test")]


INSERT = text(
    "INSERT INTO ledger_entries (area_id, period_id, kind, amount_ore, recorded_at, reason)"
    " VALUES (:area, :period, 'allocation', :amount, CURRENT_TIMESTAMP, 'rå SQL')"
)


@pytest.mark.parametrize("amount", [0, -100, 10_000_000_000_001, 2**63 - 1])
def test_database_refuses_bad_amounts(db: Session, area: AreaSetup, amount: int) -> None:
    with pytest.raises((IntegrityError, DBAPIError)), db.begin_nested():
        db.execute(INSERT, {"area": area.area.id, "period": area.period.id, "amount": amount})


def test_database_refuses_amount_beyond_64_bits(db: Session, area: AreaSetup) -> None:
    with pytest.raises((OverflowError, DBAPIError)), db.begin_nested():
        db.execute(INSERT, {"area": area.area.id, "period": area.period.id, "amount": 2**63})


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_entries SET amount_ore = 1",
        "DELETE FROM ledger_entries",
        "UPDATE audit_events SET summary = 'ändrad'",
        "DELETE FROM audit_events",
    ],
)
def test_ledger_and_audit_log_are_append_only(db: Session, area: AreaSetup, statement: str) -> None:
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(text(statement))


def test_concurrent_commitments_never_over_commit(committed_factory) -> None:
    """Four decisions at the same moment, each fitting alone but only two together."""
    with committed_factory() as db:
        setup = make_area(db, "samtidig", pot_kr=100_000)
        ids = [make_application(db, setup, kind=ApplicationKind.SMALL_GRANT).id for _ in range(4)]
        db.commit()
    barrier = threading.Barrier(len(ids), timeout=30)
    outcomes: list[str] = []

    def decide(application_id: int) -> None:
        with committed_factory() as db:
            mine = replace(setup, period=db.get(ProgrammePeriod, setup.period.id))
            application = db.get(Application, application_id)
            assert application.umbrella_project is not None  # load before the barrier
            # End the reading transaction: on SQLite it holds the write lock, and every
            # thread must reach the starting line before any of them decides.
            db.commit()
            barrier.wait()
            try:
                _move(db, mine, application, LedgerKind.COMMITMENT, 40_000)
                db.commit()
                outcomes.append("ok")
            except BudgetError:
                db.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=decide, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with committed_factory() as db:
        balance = pot_balance(db, db.get(UmbrellaProject, setup.umbrella.id))
    assert sorted(outcomes) == ["ok", "ok", "refused", "refused"]
    assert balance.committed_ore == 80_000 * KR
