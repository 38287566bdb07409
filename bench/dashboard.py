"""Benchmark: the budget dashboard over 1 000 000 ledger entries and 100 000 applications.

Builds a throwaway database (SQLite file and/or PostgreSQL), fills it with set-based SQL
(generate_series on PostgreSQL, a recursive CTE on SQLite — seconds, not row by row), then times
the dashboard's figures (``app.dashboard.service.dashboard``) and reports p50/p95/max.

    .venv/bin/python -m bench.dashboard            # both databases
    .venv/bin/python -m bench.dashboard sqlite     # one of them
    BENCH_LEDGER=100000 BENCH_APPLICATIONS=10000 .venv/bin/python -m bench.dashboard

Target (issue 6): p95 ≤ 100 ms on PostgreSQL on the project's 2-core machine.
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import text

from app.dashboard import service
from app.db import make_engine, make_session_factory
from tests import databases
from tests.factories import make_area

LEDGER = int(os.environ.get("BENCH_LEDGER", 1_000_000))
APPLICATIONS = int(os.environ.get("BENCH_APPLICATIONS", 100_000))
RUNS = int(os.environ.get("BENCH_RUNS", 30))
TODAY = date(2026, 11, 24)
STATUSES = (
    "submitted",
    "in_review",
    "approved",
    "payment",
    "closed",
    "rejected",
    "ready_for_decision",
)


def _series(dialect: str, count: int) -> str:
    if dialect == "postgresql":
        return f"SELECT g AS n FROM generate_series(1, {count}) AS g"
    return (f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {count}) "
            "SELECT n FROM s")  # fmt: skip


def fill(url: str) -> tuple[float, object]:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    started = time.perf_counter()
    with factory() as db:
        setup = make_area(db, "bench", allocation_kr=42_000_000, frame_kr=16_000_000)
        db.commit()
        area, period, action_area = setup.area.id, setup.period.id, setup.action_area.id
    dialect = engine.dialect.name
    ts = "now()" if dialect == "postgresql" else "CURRENT_TIMESTAMP"
    # Spread over the period's months (2023-03 .. 2026-10) for the burn-up chart.
    day = ("(DATE '2023-03-01' + (n % 1300) * INTERVAL '1 day')" if dialect == "postgresql"
           else "datetime('2023-03-01', '+' || (n % 1300) || ' days')")  # fmt: skip
    statuses = ", ".join(f"'{s}'" for s in STATUSES)
    as_json = statuses.replace("'", '"')
    pick = (f"(ARRAY[{statuses}])[1 + n % {len(STATUSES)}]" if dialect == "postgresql"
            else f"json_extract('[{as_json}]', '$[' || (n % {len(STATUSES)}) || ']')")  # fmt: skip
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO applications (area_id, kind, title, description, expected_results, "
            "action_area_id, applicant_name, contact_name, contact_email, contact_phone, "
            "requested_ore, granted_ore, status, status_changed_at, created_at, submitted_at, "
            "decided_at, reference, version) "
            f"SELECT {area}, 'leader_project', 'Projekt ' || n, '', '', {action_area}, 'Förening', "
            "'Kontakt', 'k@example.se', '', 10000000 + n % 5000 * 100, "
            "CASE WHEN n % 7 IN (2, 3, 4) THEN 9000000 ELSE NULL END, "
            f"{pick}, {ts}, {ts}, {day}, CASE WHEN n % 7 IN (2, 3, 4, 5) THEN {day} END, "
            f"'PRJ-B-' || n, 1 FROM ({_series(dialect, APPLICATIONS)}) AS s"
        ))  # fmt: skip
        first = connection.execute(text("SELECT min(id) FROM applications")).scalar_one()
        # One commitment per application, the rest payments and a few releases.
        kind = ("CASE WHEN n % 10 = 0 THEN 'commitment' WHEN n % 97 = 0 THEN 'release' "
                "ELSE 'payment' END")  # fmt: skip
        connection.execute(text(
            "INSERT INTO ledger_entries (area_id, period_id, kind, released_kind, amount_ore, "
            "action_area_id, application_id, recorded_at, reason) "
            f"SELECT {area}, {period}, {kind}, "
            "CASE WHEN n % 10 <> 0 AND n % 97 = 0 THEN 'commitment' END, "
            f"100000 + n % 1000, {action_area}, {first} + n % {APPLICATIONS}, {day}, 'bench' "
            f"FROM ({_series(dialect, LEDGER)}) AS s"
        ))  # fmt: skip
    if dialect == "postgresql":
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    return time.perf_counter() - started, (engine, factory, period)


def measure(engine: object, factory: object, period_id: int) -> list[float]:
    from app.areas.models import ProgrammePeriod

    timings = []
    with factory() as db:  # type: ignore[operator]
        period = db.get(ProgrammePeriod, period_id)
        service.dashboard(db, period, TODAY)  # warm-up
        for _ in range(RUNS):
            started = time.perf_counter()
            service.dashboard(db, period, TODAY)
            timings.append((time.perf_counter() - started) * 1000)
            db.rollback()
    return timings


def report(name: str, fill_seconds: float, timings: list[float]) -> str:
    ordered = sorted(timings)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return (f"| {name} | {LEDGER:,} | {APPLICATIONS:,} | {fill_seconds:.0f} s | "
            f"{statistics.median(ordered):.0f} ms | {p95:.0f} ms | {ordered[-1]:.0f} ms |"
            ).replace(",", " ")  # fmt: skip


def main(targets: list[str]) -> None:
    print("| database | ledger entries | applications | fill | p50 | p95 | max |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for target in targets:
        os.environ["BYGD_TEST_DATABASE"] = (
            "sqlite" if target == "sqlite"
            else "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        )  # fmt: skip
        with (
            tempfile.TemporaryDirectory() as folder,
            databases.throwaway_database(Path(folder)) as url,
        ):
            databases.migrate(url)
            seconds, (engine, factory, period) = fill(url)
            timings = measure(engine, factory, period)  # type: ignore[arg-type]
            engine.dispose()  # type: ignore[attr-defined]
            print(report(target, seconds, timings), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or ["postgresql", "sqlite"])
