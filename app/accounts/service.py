"""Staff accounts, as plain rules over a session (the routes and the command line translate).

- Invitations: an account starts with an unusable password and an e-mailed one-time link to
  choose one. The link is signed, expires, and carries a fingerprint of the password hash, so
  it dies as soon as a password is set (or the password is reset again).
- The area's users: roles, deactivation (never deletion: the audit trail keeps the name),
  password resets, logging out everywhere and resetting two-factor login, always within the
  administrator's own area, and never leaving an area without an active administrator.
- The user's own two-factor login (TOTP), switched on by confirming a code from the app.

Every change is recorded in the audit log with who did it, what changed and, when given, why.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import messages
from app.areas.models import Area
from app.audit import service as audit
from app.audit.service import Actor
from app.auth import two_factor
from app.auth.models import UNUSABLE_HASH_MARK, Role, User, UserRole, UserSession
from app.auth.service import (
    actor_for,
    end_all_sessions,
    hash_password,
    normalise_email,
    password_fingerprint,
)
from app.config import Settings
from app.core.forms import (
    FieldError,
    FormResult,
    Validator,
    email_address,
    optional_text,
    required,
    validate_form,
)
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.db import utcnow
from app.email.service import enqueue

# How long an invitation or a set-password link works.
PASSWORD_LINK_VALID = timedelta(hours=72)
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200


class AccountError(Exception):
    """A refused change; ``message`` is in the interface language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def get_in_area(session: Session, area_id: int, user_id: int) -> User | None:
    """A user of the area, or None: another area's users do not exist for an administrator."""
    return session.scalar(select(User).where(User.id == user_id, User.area_id == area_id))


def invitable_roles(inviter: User) -> tuple[Role, ...]:
    """An administrator gives any role. A manager (verksamhetsledare) may invite the office's
    and the board's people, who need logins to work and vote, but not administrators."""
    if Role.ADMIN in inviter.roles:
        return tuple(Role)
    return tuple(role for role in Role if role is not Role.ADMIN)


# --- Set-password links ---


def unusable_password_hash() -> str:
    """A hash no password matches, unique per use so that each reset has its own links."""
    return UNUSABLE_HASH_MARK + secrets.token_urlsafe(24)


def _link_serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.signing_key(), salt="set-password")


def password_token(settings: Settings, user: User, now: datetime | None = None) -> str:
    expires = (now or utcnow()) + PASSWORD_LINK_VALID
    return _link_serializer(settings).dumps(
        [user.id, password_fingerprint(user), int(expires.timestamp())]
    )


def password_link(settings: Settings, user: User) -> str:
    return f"{settings.public_base_url}/set-password/{password_token(settings, user)}"


def user_for_password_token(
    session: Session, settings: Settings, token: str, now: datetime | None = None
) -> User | None:
    """The user a set-password link is for; None when it is tampered, expired, already used
    (the password changed since), or the account is deactivated."""
    try:
        user_id, fingerprint, expires = _link_serializer(settings).loads(token)
        user = session.get(User, int(user_id))
        expired = int(expires) <= (now or utcnow()).timestamp()
    except (BadSignature, ValueError, TypeError):
        return None
    if (
        user is None
        or expired
        or not user.is_active
        or not secrets.compare_digest(password_fingerprint(user), str(fingerprint))
    ):
        return None
    return user


def _send_password_link(
    session: Session, settings: Settings, user: User, subject_and_body: tuple[str, str]
) -> None:
    subject, body = subject_and_body
    enqueue(
        session, to=user.email, subject=subject, body=body, kind="password_link",
        area_id=user.area_id,
    )  # fmt: skip


def link_hours() -> int:
    """How long a set-password link works, as the e-mails and the invitation form say."""
    return int(PASSWORD_LINK_VALID.total_seconds() // 3600)


def _new_password(value: str) -> str:
    if len(value) < MIN_PASSWORD_LENGTH:
        raise FieldError(
            _("Lösenordet måste ha minst {count} tecken.").format(count=MIN_PASSWORD_LENGTH)
        )
    if len(value) > MAX_PASSWORD_LENGTH:
        raise FieldError(
            _("Lösenordet får ha högst {count} tecken.").format(count=MAX_PASSWORD_LENGTH)
        )
    if not value.strip():
        raise FieldError(N_("Lösenordet får inte bara bestå av mellanslag."))
    return value


def _any_text(value: str) -> str:
    return value


def validate_password(email: str, raw: dict[str, str]) -> FormResult:
    """A new password for the account ``email``: long enough, not the e-mail address, typed
    the same way twice."""
    result = validate_form({"password": _new_password, "confirm": _any_text}, raw)
    password = result.cleaned.get("password")
    if password is not None:
        if password.strip().lower() in (email, email.partition("@")[0]):
            result.errors["password"] = _("Välj ett lösenord som inte är din e-postadress.")
        elif result.cleaned.get("confirm") != password:
            result.errors["confirm"] = _(
                "Lösenorden är inte likadana. Skriv samma lösenord två gånger."
            )
    return result


def set_password(session: Session, user: User, password: str, actor: Actor | None = None) -> None:
    """Store a (validated) password; sessions started with the old one end."""
    user.password_hash = hash_password(password)
    end_all_sessions(session, user.id)
    audit.record(
        session, actor or actor_for(user), entity_type="user", entity_id=user.id,
        action="password_set", summary=f"{user.full_name} valde ett nytt lösenord",
        area_id=user.area_id,
    )  # fmt: skip


# --- Invitations ---


def _roles(allowed: tuple[Role, ...]) -> Validator:
    def check(value: str) -> frozenset[Role]:
        chosen = {line.strip() for line in value.splitlines() if line.strip()}
        if not chosen:
            raise FieldError(N_("Välj minst en roll."))
        if not chosen <= {role.value for role in allowed}:
            raise FieldError(N_("Välj bland rollerna i listan."))
        return frozenset(Role(value) for value in chosen)

    return check


def check_email_is_free(session: Session, result: FormResult, field: str) -> None:
    """E-mail addresses are unique in the whole deployment: login needs no area picker."""
    email = result.cleaned.get(field)
    if email and session.scalar(select(User.id).where(User.email == email)) is not None:
        result.errors[field] = _("Det finns redan ett konto med e-postadressen {email}.").format(
            email=email
        )


def account_email(value: str) -> str:
    """An e-mail address as accounts store it (validated, lower-cased)."""
    return normalise_email(email_address(value))


def validate_invitation(
    session: Session, raw: dict[str, str], allowed: tuple[Role, ...]
) -> FormResult:
    result = validate_form(
        {
            "full_name": required(N_("Ange personens namn."), max_length=200),
            "email": account_email,
            "roles": _roles(allowed),
        },
        raw,
    )
    check_email_is_free(session, result, "email")
    return result


def create_account(
    session: Session,
    actor: Actor,
    area_id: int,
    *,
    full_name: str,
    email: str,
    roles: frozenset[Role],
    deployment_admin: bool = False,
) -> User:
    """A new account of the area, without a usable password until one is chosen."""
    user = User(
        area_id=area_id, email=email, full_name=full_name, password_hash=unusable_password_hash(),
        is_active=True, is_deployment_admin=deployment_admin, created_at=utcnow(),
        role_links=[UserRole(role=role) for role in sorted(roles)],
    )  # fmt: skip
    session.add(user)
    session.flush()
    changes: dict[str, object] = {"roles": sorted(roles)}
    if deployment_admin:
        changes["deployment_admin"] = True
    audit.record(
        session, actor, entity_type="user", entity_id=user.id, action="created",
        summary=f"{actor.label} lade upp ett konto för {full_name} ({email}) som "
        f"{messages.role_names(roles)}",
        area_id=area_id, changes=changes,
    )  # fmt: skip
    return user


def invite(
    session: Session,
    settings: Settings,
    actor: Actor,
    area_id: int,
    *,
    full_name: str,
    email: str,
    roles: frozenset[Role],
    deployment_admin: bool = False,
) -> User:
    """Create the account and e-mail a link to choose a password."""
    user = create_account(
        session, actor, area_id, full_name=full_name, email=email, roles=roles,
        deployment_admin=deployment_admin,
    )  # fmt: skip
    _send_password_link(
        session, settings, user,
        messages.invitation(user, _inviter(actor), password_link(settings, user), link_hours()),
    )  # fmt: skip
    return user


def _inviter(actor: Actor) -> str | None:
    """The person to name in an invitation; none when it comes from the command line."""
    return actor.label if actor.user_id is not None else None


# --- The area's users ---


def _other_active_admins(session: Session, user: User) -> int:
    """Counted under a lock on the area's row (PostgreSQL; SQLite's transactions already hold
    its write lock), so that two administrators removing each other at the same moment cannot
    both see the other one still there."""
    session.execute(select(Area.id).where(Area.id == user.area_id).with_for_update())
    return (
        session.scalar(
            select(func.count())
            .select_from(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                User.area_id == user.area_id,
                User.id != user.id,
                User.is_active.is_(True),
                UserRole.role == Role.ADMIN,
            )
        )
        or 0
    )


LAST_ADMIN = N_("Området måste ha minst en aktiv administratör. Ge någon annan rollen först.")


def validate_roles(session: Session, actor: Actor, user: User, raw: dict[str, str]) -> FormResult:
    result = validate_form({"roles": _roles(tuple(Role)), "reason": optional_text(500)}, raw)
    roles = result.cleaned.get("roles")
    if roles is not None and Role.ADMIN in user.roles and Role.ADMIN not in roles:
        if user.id == actor.user_id:
            result.errors["roles"] = _("Du kan inte ta bort din egen administratörsroll.")
        elif user.is_active and _other_active_admins(session, user) == 0:
            result.errors["roles"] = _(LAST_ADMIN)
    return result


def change_roles(
    session: Session, actor: Actor, user: User, roles: frozenset[Role], reason: str | None
) -> None:
    before = user.roles
    if roles == before:
        return
    # Only the links that change: a row removed and added again in one flush would collide.
    user.role_links = [link for link in user.role_links if link.role in roles] + [
        UserRole(role=role) for role in sorted(roles - before)
    ]
    audit.record(
        session, actor, entity_type="user", entity_id=user.id, action="roles_changed",
        summary=f"{actor.label} ändrade roller för {user.full_name}: {messages.role_names(roles)}",
        area_id=user.area_id, reason=reason or None,
        changes={"roles": {"from": sorted(before), "to": sorted(roles)}},
    )  # fmt: skip


def deactivate(session: Session, actor: Actor, user: User, reason: str | None) -> None:
    """The account stays (the audit trail keeps the name); it can no longer log in, and every
    session it has ends now."""
    if user.id == actor.user_id:
        raise AccountError(_("Du kan inte inaktivera ditt eget konto."))
    if not user.is_active:
        raise AccountError(_("Kontot är redan inaktiverat."))
    if Role.ADMIN in user.roles and _other_active_admins(session, user) == 0:
        raise AccountError(_(LAST_ADMIN))
    user.is_active = False
    end_all_sessions(session, user.id)
    audit.record(
        session, actor, entity_type="user", entity_id=user.id, action="deactivated",
        summary=f"{actor.label} inaktiverade kontot för {user.full_name}",
        area_id=user.area_id, reason=reason or None,
    )  # fmt: skip


def reactivate(session: Session, actor: Actor, user: User, reason: str | None) -> None:
    if user.is_active:
        raise AccountError(_("Kontot är redan aktivt."))
    user.is_active = True
    audit.record(
        session, actor, entity_type="user", entity_id=user.id, action="reactivated",
        summary=f"{actor.label} aktiverade kontot för {user.full_name} igen",
        area_id=user.area_id, reason=reason or None,
    )  # fmt: skip


def reset_password(
    session: Session, settings: Settings, actor: Actor, user: User, reason: str | None
) -> None:
    """The old password and links stop working, every session ends, and a new link is
    e-mailed (an invitation again for someone who never logged in)."""
    if not user.is_active:
        raise AccountError(_("Kontot är inaktiverat. Aktivera det innan du skickar en ny länk."))
    user.password_hash = unusable_password_hash()
    end_all_sessions(session, user.id)
    audit.record(
        session, actor, entity_type="user", entity_id=user.id, action="password_reset",
        summary=f"{actor.label} återställde lösenordet för {user.full_name} och skickade en ny "
        "länk",
        area_id=user.area_id, reason=reason or None,
    )  # fmt: skip
    link = password_link(settings, user)
    if user.last_login_at is None:
        mail = messages.invitation(user, _inviter(actor), link, link_hours())
    else:
        mail = messages.password_reset(user, link, link_hours())
    _send_password_link(session, settings, user, mail)


def active_sessions(session: Session, user: User) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(UserSession)
            .where(UserSession.user_id == user.id, UserSession.expires_at > utcnow())
        )
        or 0
    )


def end_sessions(session: Session, actor: Actor, user: User, reason: str | None) -> int:
    """Log the user out on every device; returns how many sessions ended."""
    ended = end_all_sessions(session, user.id)
    audit.record(
        session, actor, entity_type="user", entity_id=user.id, action="sessions_ended",
        summary=f"{actor.label} loggade ut {user.full_name} från alla enheter ({ended} st.)",
        area_id=user.area_id, reason=reason or None,
    )  # fmt: skip
    return ended


def reset_two_factor(session: Session, actor: Actor, user: User, reason: str | None) -> None:
    """For a lost phone: the second factor is removed and every session ends; the user sets it
    up again (an administrator must, before any admin page works)."""
    if not user.two_factor_enabled:
        raise AccountError(
            _("{name} har inte tvåstegsverifiering påslagen.").format(name=user.full_name)
        )
    _clear_two_factor(user)
    end_all_sessions(session, user.id)
    audit.record(
        session, actor, entity_type="user", entity_id=user.id, action="two_factor_reset",
        summary=f"{actor.label} återställde tvåstegsverifieringen för {user.full_name}",
        area_id=user.area_id, reason=reason or None,
    )  # fmt: skip


# --- The user's own two-factor login ---

SETUP_VALID = timedelta(minutes=30)
WRONG_CODE = N_("Koden stämmer inte. Skriv den sexsiffriga kod som appen visar just nu.")


@dataclass(frozen=True)
class TwoFactorSetup:
    """A new secret offered to the user, with the signed token that carries it to the
    confirmation (nothing is stored until a code from the app confirms it)."""

    secret: str
    token: str
    uri: str
    qr_code: str

    @property
    def grouped_secret(self) -> str:
        return two_factor.grouped(self.secret)


def _setup_serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.signing_key(), salt="two-factor-setup")


def offer_two_factor(
    settings: Settings, user: User, secret: str | None = None, now: datetime | None = None
) -> TwoFactorSetup:
    secret = secret or two_factor.new_secret()
    expires = int(((now or utcnow()) + SETUP_VALID).timestamp())
    uri = two_factor.provisioning_uri(secret, user.email, user.area.name)
    return TwoFactorSetup(
        secret=secret,
        token=_setup_serializer(settings).dumps([user.id, secret, expires]),
        uri=uri,
        qr_code=two_factor.qr_code_data_uri(uri),
    )


def offered_secret(
    settings: Settings, user: User, token: str, now: datetime | None = None
) -> str | None:
    """The secret a setup form carried, if the form is this user's and still fresh."""
    try:
        user_id, secret, expires = _setup_serializer(settings).loads(token)
        fresh = int(expires) > (now or utcnow()).timestamp()
    except (BadSignature, ValueError, TypeError):
        return None
    return str(secret) if fresh and user_id == user.id else None


def enable_two_factor(
    session: Session, user: User, secret: str, code: str, now: datetime | None = None
) -> None:
    """Switch the second factor on once a code from the app proves it holds ``secret``."""
    now = now or utcnow()
    step = two_factor.matching_step(secret, code, now)
    if step is None:
        raise AccountError(_(WRONG_CODE))
    user.totp_secret = secret
    user.totp_enabled_at = now
    user.totp_last_step = step  # the confirming code cannot also be used to log in
    audit.record(
        session, actor_for(user), entity_type="user", entity_id=user.id,
        action="two_factor_enabled",
        summary=f"{user.full_name} slog på tvåstegsverifiering", area_id=user.area_id,
    )  # fmt: skip


def disable_two_factor(
    session: Session, user: User, code: str, now: datetime | None = None
) -> None:
    """Switch the second factor off, proven with a current code. An administrator may (to move
    to a new phone), but then meets the set-up again before the next admin page."""
    if not user.two_factor_enabled:
        raise AccountError(_("Tvåstegsverifiering är inte påslagen."))
    if not two_factor.accept_code(session, user, code, now or utcnow()):
        raise AccountError(_(WRONG_CODE))
    _clear_two_factor(user)
    audit.record(
        session, actor_for(user), entity_type="user", entity_id=user.id,
        action="two_factor_disabled",
        summary=f"{user.full_name} stängde av tvåstegsverifiering", area_id=user.area_id,
    )  # fmt: skip


def _clear_two_factor(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
