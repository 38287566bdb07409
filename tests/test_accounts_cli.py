"""Scripted set-up through the real entry point: `python -m app create-area | create-user` in a
fresh process against a migrated SQLite file, as on a fresh installation."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select

from app.accounts import service as accounts
from app.areas.models import Area
from app.auth.models import Role, User
from app.auth.service import authenticate
from app.config import PROJECT_ROOT, Settings
from app.db import make_engine, make_session_factory
from app.demo.seed import DEMO_TOTP_SECRET
from app.email.models import OutboxMessage

SECRET_KEY = "s" * 48
PASSWORD = "ett långt lösenord för drift"


def _app(*args: str, database: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BYGD_DATABASE_URL": f"sqlite:///{database}",
           "BYGD_SECRET_KEY": SECRET_KEY,
           "BYGD_PUBLIC_BASE_URL": "https://bygd.example.se"}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "app", *args], input=stdin,
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with one area, "bas", for the tests that add users."""
    database = tmp_path_factory.mktemp("cli") / "fresh.db"
    assert _app("migrate", database=database).returncode == 0
    assert _app("create-area", "--code", "bas", "--name", "Leader Bas",
                database=database).returncode == 0  # fmt: skip
    return database


def _read(database: Path, query):
    engine = make_engine(f"sqlite:///{database}")
    try:
        with make_session_factory(engine)() as session:
            return query(session)
    finally:
        engine.dispose()


def test_a_fresh_installation_gets_its_first_area_and_deployment_admin(database: Path) -> None:
    area = _app("create-area", "--code", "norrbotten", "--name", "Leader Norrbotten",
                database=database)  # fmt: skip
    assert area.returncode == 0, area.stderr
    assert area.stdout.strip() == "Leaderområdet Leader Norrbotten (norrbotten) är skapat."

    user = _app("create-user", "--area", "norrbotten", "--email", "Drift@Example.se",
                "--name", "Dana Drift", "--role", "admin", "--role", "manager",
                "--deployment-admin", "--password-stdin", database=database,
                stdin=PASSWORD + "\n")  # fmt: skip
    assert user.returncode == 0, user.stderr
    assert user.stdout.strip() == "Kontot för drift@example.se är upplagt i Leader Norrbotten."

    def check(session):
        dana = session.scalar(select(User).where(User.email == "drift@example.se"))
        assert dana.is_deployment_admin and dana.roles == {Role.ADMIN, Role.MANAGER}
        assert dana.area.name == "Leader Norrbotten"
        assert dana.area.periods[0].name == "2023–2027"
        settings = Settings(environment="test", secret_key=SECRET_KEY)
        logged_in = authenticate(session, settings, email="drift@example.se",
                                 password=PASSWORD, client_address="cli")  # fmt: skip
        assert logged_in == dana

    _read(database, check)


def test_an_area_with_its_manager_prints_the_invitation_link(database: Path) -> None:
    result = _app("create-area", "--code", "gotland", "--name", "Leader Gotland",
                  "--manager-name", "Gunnel Gute", "--manager-email", "gunnel@example.se",
                  "--allocation-kr", "38 000 000", database=database)  # fmt: skip
    assert result.returncode == 0, result.stderr
    link = re.search(r"https://bygd\.example\.se/set-password/(\S+)", result.stdout)
    assert link, result.stdout
    assert "Inbjudan till gunnel@example.se ligger i utkorgen." in result.stdout

    def check(session):
        settings = Settings(environment="test", secret_key=SECRET_KEY)
        gunnel = accounts.user_for_password_token(session, settings, link[1])
        assert gunnel is not None and gunnel.roles == {Role.MANAGER, Role.ADMIN}
        mail = session.scalar(
            select(OutboxMessage).where(OutboxMessage.to_address == "gunnel@example.se")
        )
        assert "/set-password/" in mail.body_text

    _read(database, check)


def test_a_user_without_a_password_gets_a_link(database: Path) -> None:
    result = _app("create-user", "--area", "bas", "--email", "hanna@example.se",
                  "--name", "Hanna Handläggare", "--role", "handler",
                  database=database)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Inbjudan ligger i utkorgen." in result.stdout
    assert "https://bygd.example.se/set-password/" in result.stdout


@pytest.mark.parametrize(
    ("args", "stdin", "error"),
    [
        (("create-area", "--code", "Fel Kod", "--name", "X"), None,
         "--code: Koden får bara ha små bokstäver a–z, siffror och bindestreck (2–40 tecken)."),
        (("create-area", "--code", "halland", "--name", "Leader Halland",
          "--manager-name", "Utan Adress"), None,
         "--manager-email: Ange både namn och e-postadress för verksamhetsledaren."),
        (("create-user", "--area", "finns-inte", "--email", "a@example.se", "--name", "A",
          "--role", "handler"), None, "--area: Det finns inget område med koden finns-inte."),
        (("create-user", "--area", "bas", "--email", "kort@example.se", "--name", "K",
          "--role", "handler", "--password-stdin"), "kort\n",
         "lösenordet: Lösenordet måste ha minst 12 tecken."),
    ],
)  # fmt: skip
def test_refusals_say_which_option_is_wrong(
    database: Path, args: tuple[str, ...], stdin: str | None, error: str
) -> None:
    result = _app(*args, database=database, stdin=stdin)
    assert result.returncode == 1
    assert error in result.stderr
    assert _read(database, lambda s: s.scalar(select(Area).where(Area.code == "halland"))) is None


def test_a_taken_address_and_an_unknown_role_are_refused(database: Path) -> None:
    args = ("create-user", "--area", "bas", "--email", "dora@example.se", "--name", "Dora")
    assert _app(*args, "--role", "handler", database=database).returncode == 0
    again = _app(*args, "--role", "handler", database=database)
    assert again.returncode == 1
    assert "--email: Det finns redan ett konto med e-postadressen dora@example.se." in again.stderr
    unknown = _app(*args, "--role", "kung", database=database)
    assert unknown.returncode == 2  # click's usage error, naming the choices
    assert "handler" in unknown.stderr


def test_the_demo_administrators_second_factor_is_printed(database: Path) -> None:
    logins = _app("logins", database=database)
    assert DEMO_TOTP_SECRET in logins.stdout
    code = _app("demo-code", database=database).stdout.strip()
    assert pyotp.TOTP(DEMO_TOTP_SECRET).verify(code, valid_window=1)
