"""Staff authentication: argon2 password hashes, throttled login with an optional second step
(TOTP), server-side sessions."""

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, joinedload, lazyload, load_only

from app.audit import service as audit
from app.audit.service import Actor
from app.auth import two_factor
from app.auth.models import LoginAttempt, Role, User, UserRole, UserSession
from app.config import Settings
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.db import utcnow

_hasher = PasswordHasher()
# Verified against when the e-mail address is unknown, so that response time does not reveal
# which addresses have accounts.
_DUMMY_HASH = _hasher.hash("bygdestod-no-such-user")

BAD_CREDENTIALS = N_("Fel e-postadress eller lösenord.")


class LoginError(Exception):
    """Login refused; ``message`` is shown to the user (in the interface language)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    """Lower-cased and trimmed; clipped and cleaned so that even junk can be counted as a
    failed attempt (the column holds 254 characters, and PostgreSQL refuses NUL)."""
    return email.strip().lower().replace("\x00", "")[:254]


def actor_for(user: User) -> Actor:
    return Actor(label=user.full_name, user_id=user.id, area_id=user.area_id)


def _recent_failures(session: Session, since: datetime, *condition: object) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(
                LoginAttempt.succeeded.is_(False), LoginAttempt.attempted_at >= since, *condition
            )
        )
        or 0
    )


def _serialise_attempts(session: Session, email: str) -> None:
    """Make parallel attempts on one account wait for each other, so each one counts the
    failures before it (otherwise a burst of guesses would all see the same count). SQLite's
    transactions already hold its single write lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(func.hashtext(email))))


def _ensure_not_locked(
    session: Session, settings: Settings, email: str, client_address: str, now: datetime
) -> None:
    """Throttling counts failures in a sliding window per e-mail address (guessing one account's
    password or code) and per client address (trying many accounts); while locked, even a
    correct password or code is refused, so the lock cannot be used to confirm a guess."""
    _serialise_attempts(session, email)
    since = now - timedelta(minutes=settings.login_window_minutes)
    if (
        _recent_failures(session, since, LoginAttempt.email == email) >= settings.login_max_failures
        or _recent_failures(session, since, LoginAttempt.client_address == client_address)
        >= settings.login_max_failures * 10
    ):
        raise LoginError(
            _(
                "För många misslyckade inloggningsförsök. Vänta {minutes} minuter och försök igen."
            ).format(minutes=settings.login_window_minutes)
        )


def authenticate(
    session: Session,
    settings: Settings,
    *,
    email: str,
    password: str,
    client_address: str,
    now: datetime | None = None,
) -> User:
    """Return the active user with these credentials or raise ``LoginError`` (throttled, see
    ``_ensure_not_locked``). The login is complete only once ``start_session`` is called, after
    the second step for users with two-factor login."""
    now = now or utcnow()
    email = normalise_email(email)
    _ensure_not_locked(session, settings, email, client_address, now)

    user = session.scalar(select(User).where(User.email == email))
    password_ok = _verify(user.password_hash if user else _DUMMY_HASH, password)
    succeeded = user is not None and user.is_active and password_ok
    session.add(
        LoginAttempt(
            email=email, client_address=client_address, succeeded=succeeded, attempted_at=now
        )
    )
    if user is None or not succeeded:
        raise LoginError(_(BAD_CREDENTIALS))
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


# --- The second step of a two-factor login ---

# Between the password and the code the browser holds this signed, short-lived token (not a
# session): it names the user and is bound to the password hash, so a password reset in the
# meantime voids it.
PENDING_LOGIN_MAX_AGE = timedelta(minutes=5)
WRONG_CODE = N_("Fel kod. Skriv koden som appen visar just nu.")


def password_fingerprint(user: User) -> str:
    """Changes whenever the password (hash) changes: tokens carrying it die with the password."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def _pending_serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.signing_key(), salt="login-second-step")


def pending_login_token(settings: Settings, user: User, next_path: str | None) -> str:
    return _pending_serializer(settings).dumps([user.id, password_fingerprint(user), next_path])


def resolve_pending_login(
    session: Session, settings: Settings, token: str
) -> tuple[User, str | None] | None:
    """The user half-way through logging in, and where they were going; None when the token is
    tampered, expired or no longer matches the account."""
    try:
        user_id, fingerprint, next_path = _pending_serializer(settings).loads(
            token, max_age=int(PENDING_LOGIN_MAX_AGE.total_seconds())
        )
        user = session.get(User, int(user_id))
    except (BadSignature, ValueError, TypeError):
        return None
    if (
        user is None
        or not user.is_active
        or not user.two_factor_enabled
        or not secrets.compare_digest(password_fingerprint(user), str(fingerprint))
    ):
        return None
    return user, next_path if isinstance(next_path, str) else None


def verify_login_code(
    session: Session,
    settings: Settings,
    user: User,
    code: str,
    *,
    client_address: str,
    now: datetime | None = None,
) -> None:
    """The second step: raise ``LoginError`` unless ``code`` is a fresh code of the user's app.
    Wrong codes count as failed logins, so guessing is throttled like guessing a password."""
    now = now or utcnow()
    _ensure_not_locked(session, settings, user.email, client_address, now)
    succeeded = two_factor.accept_code(session, user, code, now)
    session.add(
        LoginAttempt(
            email=user.email, client_address=client_address, succeeded=succeeded, attempted_at=now
        )
    )
    if not succeeded:
        raise LoginError(_(WRONG_CODE))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    session: Session, settings: Settings, user: User, now: datetime | None = None
) -> str:
    """Complete a login: create a session and return the token for the cookie (only its hash
    is stored)."""
    now = now or utcnow()
    user.last_login_at = now
    audit.record(
        session,
        actor_for(user),
        entity_type="user",
        entity_id=user.id,
        action="login",
        summary=f"{user.full_name} loggade in",
    )
    # Housekeeping on the way in keeps the table small without a scheduler.
    session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at <= now)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            token_hash=_token_hash(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + timedelta(hours=settings.session_lifetime_hours),
        )
    )
    return token


def resolve_session(session: Session, token: str, now: datetime | None = None) -> User | None:
    """The active user behind a session cookie, or None if it is unknown or expired."""
    # The roles in the same query, not a query of their own: every page asks, and the second
    # query (an IN over one id) cost as much CPU as the first.
    login = session.get(
        UserSession,
        _token_hash(token),
        options=[joinedload(UserSession.user).joinedload(User.role_links)],
    )
    if login is None or login.expires_at <= (now or utcnow()) or not login.user.is_active:
        return None
    return login.user


def end_session(session: Session, token: str) -> None:
    login = session.get(UserSession, _token_hash(token))
    if login is None:
        return
    audit.record(
        session,
        actor_for(login.user),
        entity_type="user",
        entity_id=login.user_id,
        action="logout",
        summary=f"{login.user.full_name} loggade ut",
    )
    session.delete(login)


def end_all_sessions(session: Session, user_id: int) -> int:
    """Log the user out everywhere; returns how many sessions there were."""
    return session.execute(delete(UserSession).where(UserSession.user_id == user_id)).rowcount


def users_in_area(session: Session, area_id: int) -> list[User]:
    return list(
        session.scalars(select(User).where(User.area_id == area_id).order_by(User.full_name))
    )


def handlers_in_area(session: Session, area_id: int) -> list[User]:
    """The area's handlers by name, for a choice of handler: one query, reading only the name
    (a User otherwise brings its area and roles along: a join and another query)."""
    return list(
        session.scalars(
            select(User)
            .join(User.role_links)
            .where(User.area_id == area_id, UserRole.role == Role.HANDLER)
            .options(load_only(User.full_name), lazyload(User.area), lazyload(User.role_links))
            .order_by(User.full_name)
        )
    )
