"""Scripted set-up from the command line (registered in app/cli.py): ``create-area`` and
``create-user``, e.g. the first deployment administrator of a fresh installation. The same
rules as the web forms apply; the output is Swedish, like the rest of the command line."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import areas, service
from app.areas.models import Area
from app.audit.service import Actor
from app.auth.models import Role
from app.config import Settings, get_settings
from app.core.forms import FormResult
from app.db import make_engine, make_session_factory

COMMAND_LINE = Actor(label="Kommandoraden")


def _fail(lines: list[str]) -> NoReturn:
    for line in lines:
        click.echo(line, err=True)
    sys.exit(1)


def _refuse(result: FormResult, options: dict[str, str]) -> NoReturn:
    """Print each field's error against the option it came from, and stop."""
    _fail([f"{options[field]}: {message}" for field, message in result.errors.items()])


@contextmanager
def _database() -> Iterator[tuple[Settings, Session]]:
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            yield settings, session
    finally:
        engine.dispose()


@click.command("create-area")
@click.option("--code", required=True, help="Områdets kod, t.ex. sodermanland.")
@click.option("--name", required=True, help='Områdets namn, t.ex. "Leader Södermanland".')
@click.option("--manager-name", default="", help="Verksamhetsledarens namn.")
@click.option("--manager-email", default="", help="Verksamhetsledarens e-postadress.")
@click.option("--allocation-kr", default="", help="Tilldelade projektmedel 2023–2027 i kronor.")
def create_area(
    code: str, name: str, manager_name: str, manager_email: str, allocation_kr: str
) -> None:
    """Skapa ett Leaderområde (med programperioden 2023–2027) och bjud in dess verksamhetsledare."""
    raw = {"code": code, "name": name, "manager_name": manager_name,
           "manager_email": manager_email, "allocation": allocation_kr}  # fmt: skip
    with _database() as (settings, session):
        result = areas.validate_area(session, raw, complete=False)
        if not result.ok:
            _refuse(result, {"code": "--code", "name": "--name",
                             "manager_name": "--manager-name",
                             "manager_email": "--manager-email",
                             "allocation": "--allocation-kr"})  # fmt: skip
        area, manager = areas.create_area(session, settings, COMMAND_LINE, **result.cleaned)
        session.commit()
        click.echo(f"Leaderområdet {area.name} ({area.code}) är skapat.")
        if manager is not None:
            click.echo(
                f"Inbjudan till {manager.email} ligger i utkorgen. Länken för att välja "
                f"lösenord:\n{service.password_link(settings, manager)}"
            )


@click.command("create-user")
@click.option("--area", "area_code", required=True, help="Områdets kod.")
@click.option("--email", required=True, help="E-postadressen personen loggar in med.")
@click.option("--name", "full_name", required=True, help="Personens namn.")
@click.option(
    "--role", "roles", multiple=True, required=True,
    type=click.Choice([role.value for role in Role]), help="En roll; ange flera gånger för fler.",
)  # fmt: skip
@click.option(
    "--deployment-admin", is_flag=True, help="Får skapa Leaderområden (kräver tvåstegsverifiering)."
)
@click.option(
    "--password-stdin", is_flag=True,
    help="Läs lösenordet från standard in i stället för att skicka en länk.",
)  # fmt: skip
def create_user(
    area_code: str,
    email: str,
    full_name: str,
    roles: tuple[str, ...],
    deployment_admin: bool,
    password_stdin: bool,
) -> None:
    """Lägg upp en användare i ett område: med lösenord från standard in, eller med en
    inbjudan och en länk för att välja lösenord."""
    raw = {"full_name": full_name, "email": email, "roles": "\n".join(roles)}
    with _database() as (settings, session):
        area = session.scalar(select(Area).where(Area.code == area_code))
        if area is None:
            _fail([f"--area: Det finns inget område med koden {area_code}."])
        result = service.validate_invitation(session, raw, tuple(Role))
        if not result.ok:
            _refuse(result, {"full_name": "--name", "email": "--email", "roles": "--role"})
        fields = {**result.cleaned, "deployment_admin": deployment_admin}
        if password_stdin:
            password = sys.stdin.read().removesuffix("\n")
            checked = service.validate_password(
                result.cleaned["email"], {"password": password, "confirm": password}
            )
            if not checked.ok:
                _refuse(checked, {"password": "lösenordet", "confirm": "lösenordet"})
            user = service.create_account(session, COMMAND_LINE, area.id, **fields)
            service.set_password(session, user, password, COMMAND_LINE)
        else:
            user = service.invite(session, settings, COMMAND_LINE, area.id, **fields)
        session.commit()
        click.echo(f"Kontot för {user.email} är upplagt i {area.name}.")
        if not password_stdin:
            click.echo(
                "Inbjudan ligger i utkorgen. Länken för att välja lösenord:\n"
                f"{service.password_link(settings, user)}"
            )
