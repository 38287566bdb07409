"""``python -m app anonymise [--area CODE] [--dry-run]``: anonymise the cases whose retention
period has passed, for scheduling (cron, a systemd timer). Registered in app/cli.py; the output
is Swedish, like the rest of the command line."""

import sys

import click
from sqlalchemy import select

from app.areas.models import Area
from app.audit.service import Actor
from app.config import get_settings
from app.core.clock import local_today
from app.db import Base, make_engine, make_session_factory
from app.privacy.anonymise import anonymise

SCHEDULED = "Schemalagd anonymisering"


@click.command("anonymise")
@click.option("--area", "area_code", default=None, help="Bara detta område (dess kod).")
@click.option("--dry-run", is_flag=True, help="Visa vad som skulle anonymiseras; ändra inget.")
def anonymise_command(area_code: str | None, dry_run: bool) -> None:
    """Anonymisera personuppgifterna i ärenden vars gallringsfrist har gått ut."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            query = select(Area).order_by(Area.code)
            if area_code is not None:
                query = query.where(Area.code == area_code)
            areas = list(session.scalars(query))
            if not areas:
                click.echo(f"Området {area_code} finns inte.", err=True)
                sys.exit(1)
            for area in areas:
                run = anonymise(
                    session, Base.metadata, Actor(label=SCHEDULED, area_id=area.id), area,
                    local_today(), storage_dir=settings.attachments_dir, dry_run=dry_run,
                )  # fmt: skip
                session.commit()
                if not dry_run:  # the case's record no longer points at its files
                    for path in run.files:
                        path.unlink(missing_ok=True)
                for case in run.cases:
                    click.echo(
                        f"{area.code} {case.reference} (avslutat {case.finished_at.date()}): "
                        f"{case.fields} uppgifter i {case.records} poster, {len(case.files)} filer"
                    )
                verb = "skulle anonymiseras" if dry_run else "anonymiserades"
                noun = "ärende" if len(run.cases) == 1 else "ärenden"
                click.echo(f"{area.code}: {len(run.cases)} {noun} {verb}.")
    finally:
        engine.dispose()
