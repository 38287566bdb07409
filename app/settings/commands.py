"""The area's settings on the command line (registered in app/cli.py): ``show-settings`` prints
them as YAML or JSON, ``import-settings`` applies such a file, all of it or nothing, with the
same checks and refusals as the settings pages. The output is Swedish, like the rest of the
command line."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.areas.models import Area
from app.areas.service import current_period
from app.audit.models import AuditEvent
from app.audit.service import Actor
from app.config import get_settings
from app.core.clock import local_today
from app.db import make_engine, make_session_factory
from app.settings import document


def _fail(lines: list[str]) -> NoReturn:
    for line in lines:
        click.echo(line, err=True)
    sys.exit(1)


@contextmanager
def _area(code: str) -> Iterator[tuple[Session, Area]]:
    engine = make_engine(get_settings().database_url)
    try:
        with make_session_factory(engine)() as session:
            area = session.scalar(select(Area).where(Area.code == code))
            if area is None:
                _fail([f"--area: Det finns inget område med koden {code}."])
            yield session, area
    finally:
        engine.dispose()


@click.command("show-settings")
@click.option("--area", "area_code", required=True, help="Områdets kod.")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml",
              show_default=True, help="Utdatans format.")  # fmt: skip
def show_settings(area_code: str, fmt: str) -> None:
    """Skriv ut områdets inställningar och dess programperiod, som import-settings läser dem."""
    with _area(area_code) as (session, area):
        period = current_period(session, area.id, local_today())
        click.echo(document.dump(document.export(session, area, period), fmt), nl=False)


@click.command("import-settings")
@click.option("--area", "area_code", required=True, help="Områdets kod.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_settings(area_code: str, file: Path) -> None:
    """Läs in områdets inställningar från en YAML- eller JSON-fil: allt eller inget."""
    with _area(area_code) as (session, area):
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            _fail([f"{file.name} går inte att läsa som YAML eller JSON: {exc}", "Inget ändrades."])
        events = select(func.count()).select_from(AuditEvent).where(AuditEvent.area_id == area.id)
        before = session.scalar(events)
        actor = Actor(label="Kommandoraden", area_id=area.id)
        problems = document.import_settings(
            session, actor, area, data, f"Inläst från {file.name} på kommandoraden"
        )
        if problems:
            session.rollback()
            _fail([*problems, f"Inget ändrades: {file.name} har {len(problems)} fel."])
        changed = session.scalar(events) != before
        session.commit()
        click.echo(
            f"Inställningarna för {area.name} är inlästa från {file.name}."
            if changed
            else f"Inställningarna för {area.name} stämde redan med {file.name}; inget ändrat."
        )
