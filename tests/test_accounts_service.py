"""Staff accounts without HTTP: invitations and set-password links, the area's users, TOTP and
the login's second step, new Leader areas. Each rule with its refusals."""

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import areas
from app.accounts import service as accounts
from app.audit.models import AuditEvent
from app.auth import two_factor
from app.auth.models import Role, User, UserSession
from app.auth.service import (
    LoginError,
    actor_for,
    authenticate,
    pending_login_token,
    resolve_pending_login,
    start_session,
    verify_login_code,
)
from app.config import Settings
from app.email.models import OutboxMessage
from app.ledger.service import period_balance
from tests.factories import PASSWORD, TOTP_SECRET, AreaSetup, enable_two_factor

NEW_PASSWORD = "en lång mening som lösenord"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def events(db: Session, user: User) -> list[tuple[str, str | None]]:
    rows = db.execute(
        select(AuditEvent.action, AuditEvent.reason)
        .where(AuditEvent.entity_type == "user", AuditEvent.entity_id == user.id)
        .order_by(AuditEvent.id)
    )
    return [tuple(row) for row in rows]


def sessions_of(db: Session, user: User) -> int:
    return db.scalar(select(func.count()).where(UserSession.user_id == user.id))


def mails_to(db: Session, address: str) -> list[OutboxMessage]:
    return list(db.scalars(select(OutboxMessage).where(OutboxMessage.to_address == address)))


def link_token(mail: OutboxMessage) -> str:
    match = re.search(r"/set-password/(\S+)", mail.body_text)
    assert match, mail.body_text
    return match[1]


def admin_actor(area: AreaSetup):
    return actor_for(area.users[Role.ADMIN])


def invite(db: Session, settings: Settings, area: AreaSetup, email: str = "ny@testbygd.test"):
    return accounts.invite(
        db, settings, admin_actor(area), area.area.id, full_name="Nina Ny", email=email,
        roles=frozenset({Role.HANDLER}),
    )  # fmt: skip


def log_in(db: Session, settings: Settings, email: str, password: str) -> User:
    return authenticate(db, settings, email=email, password=password, client_address="10.1.1.1")


# --- Invitations and set-password links ---


def test_an_invitation_creates_an_account_without_a_password_and_mails_a_link(
    db: Session, settings: Settings, area: AreaSetup
) -> None:
    user = invite(db, settings, area)
    assert user.roles == {Role.HANDLER}
    assert user.is_active and not user.has_password
    with pytest.raises(LoginError):
        log_in(db, settings, user.email, "")
    [mail] = mails_to(db, "ny@testbygd.test")
    assert mail.subject == "Inbjudan till Bygdestöd för Leader Testbygd"
    assert "för Leader Testbygd (Administratör testbygd bjöd in dig)." in mail.body_text
    assert "Dina roller: Handläggare." in mail.body_text
    assert "Länken fungerar en gång och i 72 timmar." in mail.body_text
    assert accounts.user_for_password_token(db, settings, link_token(mail)) == user
    assert events(db, user) == [("created", None)]


def test_the_link_works_once_and_then_the_password_does(
    db: Session, settings: Settings, area: AreaSetup
) -> None:
    user = invite(db, settings, area)
    token = link_token(mails_to(db, user.email)[0])
    accounts.set_password(db, user, NEW_PASSWORD)
    assert accounts.user_for_password_token(db, settings, token) is None
    assert log_in(db, settings, user.email, NEW_PASSWORD) == user
    assert events(db, user)[-1] == ("password_set", None)


@pytest.mark.parametrize("problem", ["expired", "tampered", "deactivated", "reset again"])
def test_a_link_stops_working(db: Session, settings: Settings, area: AreaSetup, problem) -> None:
    user = invite(db, settings, area)
    token = accounts.password_token(settings, user, now=NOW)
    now = NOW + timedelta(hours=1)
    if problem == "expired":
        now = NOW + accounts.PASSWORD_LINK_VALID
    elif problem == "tampered":
        token = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    elif problem == "deactivated":
        user.is_active = False
    else:
        accounts.reset_password(db, settings, admin_actor(area), user, None)
    assert accounts.user_for_password_token(db, settings, token, now=now) is None


def test_an_invitation_is_checked_field_by_field(db: Session, area: AreaSetup) -> None:
    area.users[Role.HANDLER].email = "karin@example.se"
    db.flush()
    result = accounts.validate_invitation(
        db, {"full_name": " ", "email": " Karin@Example.se", "roles": ""}, tuple(Role)
    )
    assert result.errors == {
        "full_name": "Ange personens namn.",
        "email": "Det finns redan ett konto med e-postadressen karin@example.se.",
        "roles": "Välj minst en roll.",
    }
    result = accounts.validate_invitation(
        db, {"full_name": "Nina", "email": "nina@", "roles": "handler\nhacker"}, tuple(Role)
    )
    assert result.errors == {
        "email": "Ange en giltig e-postadress, t.ex. namn@forening.se.",
        "roles": "Välj bland rollerna i listan.",
    }


def test_an_address_in_use_in_another_area_is_taken_too(
    db: Session, area: AreaSetup, other_area: AreaSetup
) -> None:
    other_area.users[Role.MANAGER].email = "erik@example.se"
    db.flush()
    raw = {"full_name": "Nina", "email": "erik@example.se", "roles": "handler"}
    assert "email" in accounts.validate_invitation(db, raw, tuple(Role)).errors


def test_a_manager_invites_anyone_but_administrators(db: Session, area: AreaSetup) -> None:
    manager, admin = area.users[Role.MANAGER], area.users[Role.ADMIN]
    assert Role.ADMIN not in accounts.invitable_roles(manager)
    assert accounts.invitable_roles(admin) == tuple(Role)
    raw = {"full_name": "Nina", "email": "nina@example.se", "roles": "admin"}
    result = accounts.validate_invitation(db, raw, accounts.invitable_roles(manager))
    assert result.errors == {"roles": "Välj bland rollerna i listan."}


@pytest.mark.parametrize(
    ("password", "confirm", "errors"),
    [
        ("kort", "kort", {"password": "Lösenordet måste ha minst 12 tecken."}),
        (" " * 12, " " * 12, {"password": "Lösenordet får inte bara bestå av mellanslag."}),
        ("nina@testbygd.test", "nina@testbygd.test",
         {"password": "Välj ett lösenord som inte är din e-postadress."}),
        (NEW_PASSWORD, NEW_PASSWORD + "!",
         {"confirm": "Lösenorden är inte likadana. Skriv samma lösenord två gånger."}),
        ("x" * 201, "x" * 201, {"password": "Lösenordet får ha högst 200 tecken."}),
        (NEW_PASSWORD, NEW_PASSWORD, {}),
    ],
)  # fmt: skip
def test_password_rules(password: str, confirm: str, errors: dict[str, str]) -> None:
    result = accounts.validate_password(
        "nina@testbygd.test", {"password": password, "confirm": confirm}
    )
    assert result.errors == errors


# --- The area's users ---


def test_roles_change_with_the_reason_on_record(db: Session, area: AreaSetup) -> None:
    admin, handler = area.users[Role.ADMIN], area.users[Role.HANDLER]
    result = accounts.validate_roles(
        db, actor_for(admin), handler, {"roles": "handler\nmanager", "reason": "Vikarierar"}
    )
    assert result.ok
    accounts.change_roles(db, actor_for(admin), handler, **result.cleaned)
    db.flush()
    db.expire(handler)
    assert handler.roles == {Role.HANDLER, Role.MANAGER}
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "roles_changed"))
    assert event.reason == "Vikarierar"
    assert event.changes == {"roles": {"from": ["handler"], "to": ["handler", "manager"]}}
    assert event.summary == (
        "Administratör testbygd ändrade roller för Handläggare testbygd: Handläggare, "
        "Verksamhetsledare"
    )


def test_the_last_administrator_and_ones_own_admin_role_stay(db: Session, area: AreaSetup) -> None:
    admin, manager = area.users[Role.ADMIN], area.users[Role.MANAGER]
    raw = {"roles": "manager", "reason": ""}
    own = accounts.validate_roles(db, actor_for(admin), admin, raw)
    assert own.errors == {"roles": "Du kan inte ta bort din egen administratörsroll."}
    # Someone else removing the only administrator's role would leave the area without one.
    last = accounts.validate_roles(db, actor_for(manager), admin, raw)
    assert last.errors == {
        "roles": "Området måste ha minst en aktiv administratör. Ge någon annan rollen först."
    }
    accounts.change_roles(db, actor_for(admin), manager, frozenset({Role.MANAGER, Role.ADMIN}), "")
    db.flush()
    assert accounts.validate_roles(db, actor_for(manager), admin, raw).ok


def test_unchanged_roles_record_nothing(db: Session, area: AreaSetup) -> None:
    handler = area.users[Role.HANDLER]
    accounts.change_roles(db, admin_actor(area), handler, frozenset({Role.HANDLER}), None)
    assert events(db, handler) == []


def test_deactivation_ends_every_session_and_login(
    db: Session, settings: Settings, area: AreaSetup
) -> None:
    handler = area.users[Role.HANDLER]
    start_session(db, settings, handler)
    start_session(db, settings, handler)
    accounts.deactivate(db, admin_actor(area), handler, "Slutat")
    assert sessions_of(db, handler) == 0
    with pytest.raises(LoginError):
        log_in(db, settings, handler.email, PASSWORD)
    assert events(db, handler)[-1] == ("deactivated", "Slutat")
    with pytest.raises(accounts.AccountError, match="Kontot är redan inaktiverat"):
        accounts.deactivate(db, admin_actor(area), handler, None)
    accounts.reactivate(db, admin_actor(area), handler, "Tillbaka")
    assert log_in(db, settings, handler.email, PASSWORD) == handler
    assert events(db, handler)[-1] == ("reactivated", "Tillbaka")
    with pytest.raises(accounts.AccountError, match="Kontot är redan aktivt"):
        accounts.reactivate(db, admin_actor(area), handler, None)


def test_no_one_deactivates_themselves_or_the_last_administrator(
    db: Session, area: AreaSetup
) -> None:
    admin, manager = area.users[Role.ADMIN], area.users[Role.MANAGER]
    with pytest.raises(accounts.AccountError, match="Du kan inte inaktivera ditt eget konto"):
        accounts.deactivate(db, actor_for(admin), admin, None)
    with pytest.raises(accounts.AccountError, match="minst en aktiv administratör"):
        accounts.deactivate(db, actor_for(manager), admin, None)
    assert admin.is_active


def test_a_password_reset_voids_the_password_and_sessions_and_mails_a_link(
    db: Session, settings: Settings, area: AreaSetup
) -> None:
    chair = area.users[Role.LAG_CHAIR]
    log_in(db, settings, chair.email, PASSWORD)
    start_session(db, settings, chair)
    accounts.reset_password(db, settings, admin_actor(area), chair, "Glömt")
    assert sessions_of(db, chair) == 0
    with pytest.raises(LoginError):
        log_in(db, settings, chair.email, PASSWORD)
    [mail] = mails_to(db, chair.email)
    assert mail.subject == "Välj ett nytt lösenord till Bygdestöd"
    assert accounts.user_for_password_token(db, settings, link_token(mail)) == chair
    assert ("password_reset", "Glömt") in events(db, chair)
    chair.is_active = False
    with pytest.raises(accounts.AccountError, match="Aktivera det innan"):
        accounts.reset_password(db, settings, admin_actor(area), chair, None)


def test_a_reset_before_the_first_login_sends_the_invitation_again(
    db: Session, settings: Settings, area: AreaSetup
) -> None:
    user = invite(db, settings, area)
    accounts.reset_password(db, settings, admin_actor(area), user, None)
    assert [m.subject for m in mails_to(db, user.email)] == [
        "Inbjudan till Bygdestöd för Leader Testbygd"
    ] * 2


def test_logging_out_everywhere(db: Session, settings: Settings, area: AreaSetup) -> None:
    member = area.users[Role.LAG_MEMBER]
    for _ in range(3):
        start_session(db, settings, member)
    assert accounts.end_sessions(db, admin_actor(area), member, "Borttappad dator") == 3
    assert sessions_of(db, member) == 0
    assert events(db, member)[-1] == ("sessions_ended", "Borttappad dator")


def test_resetting_two_factor(db: Session, settings: Settings, area: AreaSetup) -> None:
    member = area.users[Role.LAG_MEMBER]
    with pytest.raises(accounts.AccountError, match="har inte tvåstegsverifiering påslagen"):
        accounts.reset_two_factor(db, admin_actor(area), member, None)
    enable_two_factor(member)
    start_session(db, settings, member)
    accounts.reset_two_factor(db, admin_actor(area), member, "Ny telefon")
    assert not member.two_factor_enabled and member.totp_last_step is None
    assert sessions_of(db, member) == 0
    assert events(db, member)[-1] == ("two_factor_reset", "Ny telefon")


def test_another_areas_users_are_not_found(
    db: Session, area: AreaSetup, other_area: AreaSetup
) -> None:
    theirs = other_area.users[Role.HANDLER]
    assert accounts.get_in_area(db, area.area.id, theirs.id) is None
    assert accounts.get_in_area(db, other_area.area.id, theirs.id) == theirs


# --- TOTP ---


def code_at(moment: datetime, secret: str = TOTP_SECRET) -> str:
    return pyotp.TOTP(secret).at(moment)


def wrong_code(moment: datetime, secret: str = TOTP_SECRET) -> str:
    """A code that is none of the ones accepted around ``moment``."""
    near = {code_at(moment + timedelta(seconds=30 * step), secret) for step in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in near)


def test_a_code_is_accepted_one_step_either_side_and_no_further() -> None:
    step = int(NOW.timestamp()) // two_factor.STEP_SECONDS
    for offset in (-1, 0, 1):
        code = code_at(NOW + timedelta(seconds=30 * offset))
        assert two_factor.matching_step(TOTP_SECRET, code, NOW) == step + offset
    for offset in (-2, 2):
        code = code_at(NOW + timedelta(minutes=offset))
        assert two_factor.matching_step(TOTP_SECRET, code, NOW) is None
    spaced = code_at(NOW)[:3] + " " + code_at(NOW)[3:]
    assert two_factor.matching_step(TOTP_SECRET, spaced, NOW) == step
    for junk in ("", "12345", "1234567", "abcdef", "١٢٣٤٥٦"):
        assert two_factor.matching_step(TOTP_SECRET, junk, NOW) is None


def test_a_code_is_never_accepted_twice(db: Session, area: AreaSetup) -> None:
    admin = area.users[Role.ADMIN]
    assert two_factor.accept_code(db, admin, code_at(NOW), NOW)
    assert not two_factor.accept_code(db, admin, code_at(NOW), NOW)
    # Nor an earlier one still inside the window.
    assert not two_factor.accept_code(db, admin, code_at(NOW - timedelta(seconds=30)), NOW)
    assert two_factor.accept_code(db, admin, code_at(NOW + timedelta(seconds=30)), NOW)


def test_two_factor_is_switched_on_by_a_code_from_the_app(
    db: Session, settings: Settings, area: AreaSetup
) -> None:
    member = area.users[Role.LAG_MEMBER]
    setup = accounts.offer_two_factor(settings, member, now=NOW)
    assert setup.uri.startswith("otpauth://totp/")
    assert setup.qr_code.startswith("data:image/svg+xml;base64,")
    assert setup.grouped_secret.replace(" ", "") == setup.secret
    secret = accounts.offered_secret(settings, member, setup.token, now=NOW)
    assert secret == setup.secret
    with pytest.raises(accounts.AccountError, match="Koden stämmer inte"):
        accounts.enable_two_factor(db, member, secret, wrong_code(NOW, secret), NOW)
    assert not member.two_factor_enabled
    accounts.enable_two_factor(db, member, secret, code_at(NOW, secret), NOW)
    assert member.two_factor_enabled and member.totp_enabled_at == NOW
    # The confirming code cannot log in as well.
    assert not two_factor.accept_code(db, member, code_at(NOW, secret), NOW)
    assert events(db, member)[-1] == ("two_factor_enabled", None)


def test_a_setup_form_is_the_users_own_and_short_lived(settings: Settings, area: AreaSetup) -> None:
    member, chair = area.users[Role.LAG_MEMBER], area.users[Role.LAG_CHAIR]
    token = accounts.offer_two_factor(settings, member, now=NOW).token
    assert accounts.offered_secret(settings, chair, token, now=NOW) is None
    later = NOW + accounts.SETUP_VALID
    assert accounts.offered_secret(settings, member, token, now=later) is None
    assert accounts.offered_secret(settings, member, token + "x", now=NOW) is None


def test_two_factor_is_switched_off_with_a_current_code(db: Session, area: AreaSetup) -> None:
    admin = area.users[Role.ADMIN]
    with pytest.raises(accounts.AccountError, match="Koden stämmer inte"):
        accounts.disable_two_factor(db, admin, "12345", NOW)
    accounts.disable_two_factor(db, admin, code_at(NOW), NOW)
    assert not admin.two_factor_enabled
    assert admin.two_factor_required  # and so the admin pages want it back
    with pytest.raises(accounts.AccountError, match="inte påslagen"):
        accounts.disable_two_factor(db, admin, code_at(NOW), NOW)


# --- The login's second step ---


def test_the_half_done_login_is_bound_to_the_password(
    db: Session, settings: Settings, area: AreaSetup
) -> None:
    admin = area.users[Role.ADMIN]
    token = pending_login_token(settings, admin, "/admin/users")
    assert resolve_pending_login(db, settings, token) == (admin, "/admin/users")
    assert resolve_pending_login(db, settings, token[:-2] + "xx") is None
    accounts.reset_password(db, settings, actor_for(area.users[Role.MANAGER]), admin, None)
    assert resolve_pending_login(db, settings, token) is None


def test_wrong_codes_are_throttled_like_wrong_passwords(
    db: Session, settings: Settings, area: AreaSetup
) -> None:
    admin = area.users[Role.ADMIN]
    wrong = wrong_code(NOW)
    for _ in range(settings.login_max_failures):
        with pytest.raises(LoginError, match="Fel kod"):
            verify_login_code(db, settings, admin, wrong, client_address="10.2.2.2", now=NOW)
    with pytest.raises(LoginError, match="För många misslyckade inloggningsförsök"):
        verify_login_code(db, settings, admin, code_at(NOW), client_address="10.2.2.2", now=NOW)
    # The password step is locked too.
    with pytest.raises(LoginError, match="För många"):
        authenticate(db, settings, email=admin.email, password=PASSWORD,
                     client_address="10.3.3.3", now=NOW)  # fmt: skip


# --- New Leader areas ---


def area_form(**overrides: str) -> dict[str, str]:
    return {"code": "vasternorrland", "name": "Leader Västernorrland", "manager_name": "Åsa Ås",
            "manager_email": "asa@vasternorrland.se", "allocation": "41 000 000",
            **overrides}  # fmt: skip


def test_an_area_is_created_with_its_period_allocation_and_first_manager(
    db: Session, settings: Settings, area: AreaSetup
) -> None:
    result = areas.validate_area(db, area_form(), complete=True)
    assert result.ok, result.errors
    actor = admin_actor(area)
    created, manager = areas.create_area(db, settings, actor, **result.cleaned)
    [period] = created.periods
    assert (period.name, period.starts_on.year, period.ends_on.year) == ("2023–2027", 2023, 2027)
    assert period_balance(db, period).limit_ore == 41_000_000_00
    assert manager is not None and manager.area_id == created.id
    assert manager.roles == {Role.MANAGER, Role.ADMIN}
    assert not manager.has_password
    [mail] = mails_to(db, "asa@vasternorrland.se")
    assert "Bygdestöd för Leader Västernorrland" in mail.subject
    created_event = db.scalar(
        select(AuditEvent).where(AuditEvent.entity_type == "area", AuditEvent.action == "created")
    )
    assert created_event.area_id == created.id
    assert created_event.summary == (
        "Administratör testbygd skapade Leaderområdet Leader Västernorrland (vasternorrland)"
    )


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"code": "Väster Norrland"},
         {"code": "Koden får bara ha små bokstäver a–z, siffror och bindestreck (2–40 tecken)."}),
        ({"code": "testbygd"}, {"code": "Det finns redan ett område med koden testbygd."}),
        ({"code": "", "name": ""}, {"code": "Ange en kod för området, t.ex. sodermanland.",
                                    "name": "Ange områdets namn, t.ex. Leader Södermanland."}),
        ({"manager_email": "handlaggare@example.se"},
         {"manager_email": "Det finns redan ett konto med e-postadressen "
                           "handlaggare@example.se."}),
        ({"manager_name": "", "allocation": ""},
         {"manager_name": "Ange verksamhetsledarens namn.",
          "allocation": "Ange områdets tilldelade projektmedel i kronor."}),
    ],
)  # fmt: skip
def test_the_area_form_is_checked(db: Session, area: AreaSetup, overrides, errors) -> None:
    area.users[Role.HANDLER].email = "handlaggare@example.se"
    db.flush()
    assert areas.validate_area(db, area_form(**overrides), complete=True).errors == errors


def test_scripted_set_up_may_leave_out_the_manager_but_not_half_of_one(
    db: Session, area: AreaSetup
) -> None:
    bare = area_form(manager_name="", manager_email="", allocation="")
    assert areas.validate_area(db, bare, complete=False).ok
    half = area_form(manager_name="Åsa Ås", manager_email="")
    assert areas.validate_area(db, half, complete=False).errors == {
        "manager_email": "Ange både namn och e-postadress för verksamhetsledaren."
    }
