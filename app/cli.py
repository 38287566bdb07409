"""Command line: ``python -m app migrate | load-demo | logins | send-reminders``."""

import click
from alembic import command
from alembic.config import Config

import app.models  # noqa: F401 - every mapper must be known before the first query
from app.applicants.reminders import run_information_reminders
from app.config import PROJECT_ROOT, get_settings
from app.db import make_engine, make_session_factory
from app.demo.seed import DEMO_LOGINS, load_demo


@click.group()
def cli() -> None:
    """Bygdestöd administration."""


@cli.command()
def migrate() -> None:
    """Upgrade the database (BYGD_DATABASE_URL) to the newest schema."""
    settings = get_settings()
    if settings.database_url.startswith("sqlite:///"):
        (PROJECT_ROOT / "var").mkdir(exist_ok=True)
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["url"] = settings.database_url
    command.upgrade(config, "head")


@cli.command("load-demo")
def load_demo_command() -> None:
    """Load the demo Leader area (does nothing if it is already there)."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        created = load_demo(session, settings.demo_password)
        session.commit()
    engine.dispose()
    click.echo("Demodata inläst." if created else "Demodata fanns redan; inget ändrat.")


@cli.command()
def logins() -> None:
    """Print the demo logins, one per role."""
    password = get_settings().demo_password
    click.echo(f"Demo-inloggningar (lösenord för alla: {password}):")
    for login in DEMO_LOGINS:
        click.echo(f"  {login.role.label:<18} {login.email}")


@cli.command("send-reminders")
def send_reminders() -> None:
    """Queue reminders for kompletteringar whose deadline is near (safe to run at any time)."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        queued = run_information_reminders(make_session_factory(engine), settings)
    finally:
        engine.dispose()
    if queued == 0:
        click.echo("Inga påminnelser om komplettering behövde skickas.")
    else:
        noun = "påminnelse" if queued == 1 else "påminnelser"
        click.echo(f"{queued} {noun} om komplettering lades i utkorgen.")
