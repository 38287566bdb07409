"""``show-settings`` and ``import-settings`` through the real entry point, in a fresh process
on a migrated SQLite file, as a deployment scripts an area's set-up."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.applications.models import ApplicationKind
from app.areas.models import Area
from app.audit.models import AuditEvent
from app.config import PROJECT_ROOT
from app.db import make_engine, make_session_factory
from app.ledger.models import LedgerEntry, LedgerKind
from app.ledger.service import record_entry
from tests.factories import KR, make_application, make_area

EXAMPLE = PROJECT_ROOT / "docs" / "examples" / "area-settings.yaml"


def _app(*args: str, database: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BYGD_DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "bygd.db"
    migrated = _app("migrate", database=path)
    assert migrated.returncode == 0, migrated.stderr
    return path


@pytest.fixture
def db(database: Path) -> Iterator[Session]:
    """A session of this test's own on the file the commands use."""
    engine = make_engine(f"sqlite:///{database}")
    with make_session_factory(engine)() as session:
        yield session
    engine.dispose()


def read(db: Session, statement: Select[Any]) -> list[Any]:
    """What the commands committed. The transaction ends at once: on SQLite it holds the write
    lock, which the next command needs."""
    try:
        return list(db.scalars(statement))
    finally:
        db.rollback()


def audit_events(db: Session) -> int:
    return read(db, select(func.count()).select_from(AuditEvent))[0]


def test_an_area_is_set_up_from_a_file_and_shown_back(database: Path, db: Session) -> None:
    db.add(Area(code="exempelbygd", name="Leader Exempelbygd"))
    db.commit()

    imported = _app("import-settings", "--area", "exempelbygd", str(EXAMPLE), database=database)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == (
        "Inställningarna för Leader Exempelbygd är inlästa från area-settings.yaml."
    )
    [allocation] = read(db, select(LedgerEntry))
    assert (allocation.kind, allocation.amount_ore) == (LedgerKind.ALLOCATION, 40_000_000 * KR)
    assert allocation.reason == "Inläst från area-settings.yaml på kommandoraden"
    assert set(read(db, select(AuditEvent.actor_label))) == {"Kommandoraden"}

    shown = _app("show-settings", "--area", "exempelbygd", database=database)
    assert shown.returncode == 0, shown.stderr
    assert yaml.safe_load(shown.stdout) == yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    as_json = _app("show-settings", "--area", "exempelbygd", "--format", "json", database=database)
    assert json.loads(as_json.stdout)["period"]["starts_on"] == "2023-01-01"

    # Showing and importing what was shown changes nothing, in either format.
    before = audit_events(db)
    for name, output in (("shown.yaml", shown.stdout), ("shown.json", as_json.stdout)):
        path = database.parent / name
        path.write_text(output, encoding="utf-8")
        again = _app("import-settings", "--area", "exempelbygd", str(path), database=database)
        assert again.returncode == 0, again.stderr
        assert "stämde redan" in again.stdout
    assert audit_events(db) == before


def test_a_refused_file_changes_nothing(database: Path, db: Session) -> None:
    setup = make_area(db, "exempelbygd")  # its action area "1" with a 4 Mkr frame
    project = make_application(
        db, setup, kind=ApplicationKind.LEADER_PROJECT, requested_kr=3_000_000
    )
    record_entry(
        db,
        setup.actor,
        period=setup.period,
        kind=LedgerKind.COMMITMENT,
        amount_ore=3_000_000 * KR,
        reason="Beslut",
        application=project,
    )
    db.commit()
    before = audit_events(db)

    settings = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    settings["decision_within_days"] = 14  # fine on its own
    settings["quorum_percent"] = 45
    settings["period"]["action_areas"][0]["budget_frame_kr"] = 1_000_000
    settings["period"]["basic_conditions"].pop()
    path = database.parent / "settings.yaml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")

    refused = _app("import-settings", "--area", "exempelbygd", str(path), database=database)
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert refused.stderr.splitlines() == [
        "quorum_percent: Ange ett heltal från 50 till 99.",
        "period.action_areas[0].budget_frame_kr: Ramen kan inte bli lägre än det som redan är "
        "reserverat och beviljat i insatsområdet (3\xa0000\xa0000\xa0kr).",
        "period.basic_conditions: grundkravet area kan inte tas bort; ange active: false för att "
        "sluta ställa det.",
        "Inget ändrades: settings.yaml har 3 fel.",
    ]
    assert audit_events(db) == before
    assert read(db, select(Area.decision_within_days)) == [30]


def test_a_file_for_another_area_or_not_a_settings_file(database: Path, db: Session) -> None:
    db.add(Area(code="grannbygd", name="Leader Grannbygd"))
    db.commit()
    other = _app("import-settings", "--area", "grannbygd", str(EXAMPLE), database=database)
    assert other.returncode == 1
    assert other.stderr.splitlines()[0] == (
        "area: filen gäller området exempelbygd, inte grannbygd."
    )
    broken = database.parent / "broken.yaml"
    broken.write_text("- en lista\n- inte inställningar\n", encoding="utf-8")
    unreadable = _app("import-settings", "--area", "grannbygd", str(broken), database=database)
    assert unreadable.returncode == 1
    assert unreadable.stderr.splitlines()[0] == "filen: ska vara nycklar och värden."
    missing = _app("show-settings", "--area", "finnsinte", database=database)
    assert missing.returncode == 1
    assert "Det finns inget område med koden finnsinte." in missing.stderr
