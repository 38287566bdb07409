"""Command line: ``python -m app migrate | serve | load-demo | logins | send-reminders |
send-mail`` and the administration commands."""

import signal
import threading
from types import FrameType

import click
import pyotp
from alembic import command
from alembic.config import Config
from sqlalchemy.orm import Session, sessionmaker

import app.models  # noqa: F401 - every mapper must be known before the first query
from app.accounts.commands import create_area, create_user
from app.applicants.reminders import information_reminder_job, run_information_reminders
from app.config import PROJECT_ROOT, Settings, get_settings
from app.db import make_engine, make_session_factory
from app.demo.seed import DEMO_LOGINS, DEMO_TOTP_SECRET, load_demo
from app.email.service import OutboxWorker, send_pending
from app.ops.logs import configure_logging
from app.ops.serve import ServeOptions, Supervisor
from app.ops.service import migration_lock
from app.privacy.commands import anonymise_command
from app.settings.commands import import_settings, show_settings


@click.group()
def cli() -> None:
    """Bygdestöd administration."""
    configure_logging(get_settings().log_format)


@cli.command()
def migrate() -> None:
    """Upgrade the database (BYGD_DATABASE_URL) to the newest schema."""
    settings = get_settings()
    if settings.database_url.startswith("sqlite:///"):
        (PROJECT_ROOT / "var").mkdir(exist_ok=True)
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["url"] = settings.database_url
    # alembic.ini's own (text) logging set-up would replace the JSON lines.
    config.attributes["configure_logger"] = settings.log_format != "json"
    with migration_lock(settings.database_url):
        command.upgrade(config, "head")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers", envvar="WEB_CONCURRENCY", default=2, show_default=True,
    type=click.IntRange(1, 64), help="Worker processes (environment: WEB_CONCURRENCY).",
)  # fmt: skip
@click.option(
    "--proxy-headers", is_flag=True,
    help="Trust X-Forwarded-For/-Proto from FORWARDED_ALLOW_IPS (default 127.0.0.1).",
)  # fmt: skip
@click.option("--app", "app_factory", default="app.main:create_app", hidden=True)
def serve(host: str, port: int, workers: int, proxy_headers: bool, app_factory: str) -> None:
    """Serve the web app in production: uvicorn workers, one listening socket each."""
    options = ServeOptions(
        host=host, port=port, workers=workers, proxy_headers=proxy_headers,
        json_logs=get_settings().log_format == "json", app=app_factory,
    )  # fmt: skip
    try:
        status = Supervisor(options).run()
    except OSError as exc:
        raise click.ClickException(f"Kan inte lyssna på {host}:{port}: {exc.strerror}") from exc
    raise SystemExit(status)


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
    click.echo(
        "Administratören loggar in med tvåstegsverifiering: lägg in nyckeln "
        f"{DEMO_TOTP_SECRET} i en autentiseringsapp, eller visa koden med "
        "`python -m app demo-code`."
    )


@cli.command("demo-code")
def demo_code() -> None:
    """Print the demo administrator's current two-factor code (a code works once)."""
    click.echo(pyotp.TOTP(DEMO_TOTP_SECRET).now())


cli.add_command(create_area)
cli.add_command(create_user)
cli.add_command(show_settings)
cli.add_command(import_settings)
cli.add_command(anonymise_command)


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


# One round of the outbox is at most this many messages; ``--once`` goes round until fewer are due.
SEND_BATCH = 50


@cli.command("send-mail")
@click.option("--once", is_flag=True, help="Send what is due now, then exit (for cron).")
def send_mail(once: bool) -> None:
    """Send the outbox, as a process of its own (set BYGD_MAIL_SENDER_ENABLED=false on the web)."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        if once:
            sent, failed = _send_due(make_session_factory(engine), settings)
            click.echo(f"Utkorgen: {sent} skickade, {failed} misslyckades (försöks igen senare).")
        else:
            click.echo("Skickar e-post från utkorgen (avsluta med Ctrl+C).")
            _run_sender(make_session_factory(engine), settings)
    finally:
        engine.dispose()


def _send_due(factory: sessionmaker[Session], settings: Settings) -> tuple[int, int]:
    sent = failed = 0
    while True:
        report = send_pending(factory, settings, limit=SEND_BATCH)
        sent, failed = sent + report.sent, failed + report.failed
        if report.sent + report.failed < SEND_BATCH:
            return sent, failed


def _run_sender(factory: sessionmaker[Session], settings: Settings) -> None:
    """The web process's sender thread (komplettering reminders included), until SIGTERM from
    the service manager or Ctrl+C. The handler matters: as PID 1 in a container the process
    would otherwise ignore SIGTERM."""
    worker = OutboxWorker(factory, settings, periodic=[information_reminder_job(factory, settings)])
    stopping = threading.Event()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    worker.start()
    stopping.wait()
    worker.stop()
