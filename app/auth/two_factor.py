"""TOTP two-factor login (RFC 6238, as authenticator apps speak it): six digits, 30 s steps.

A code is accepted one step either side of now (phones' clocks drift), and never twice: the
step of the last accepted code is stored and only a later step is accepted, with a conditional
UPDATE so that two requests carrying the same code at the same moment cannot both pass.
"""

import base64
import io
from datetime import datetime

import pyotp
import qrcode
from qrcode.image.svg import SvgPathImage
from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from app.auth.models import User

STEP_SECONDS = 30
# Steps either side of now that are still accepted.
WINDOW = 1
ISSUER = "Bygdestöd"


def new_secret() -> str:
    """A random 160-bit secret in base32 (32 characters), as authenticator apps expect."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str, area_name: str) -> str:
    """The otpauth:// address a phone reads from the QR code (or the secret typed by hand)."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=f"{ISSUER} {area_name}")


def qr_code_data_uri(uri: str) -> str:
    """The address as a QR code: an SVG data URI for an ``<img>``, so no file is stored."""
    buffer = io.BytesIO()
    qrcode.make(uri, image_factory=SvgPathImage, border=2).save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _digits(code: str) -> str:
    """What the user typed without the spaces and dashes apps show in the middle."""
    return "".join(code.split()).replace("-", "")


def matching_step(secret: str, code: str, now: datetime, after: int | None = None) -> int | None:
    """The time step whose code ``code`` is, within the window around ``now`` and later than
    ``after``; None when it matches none of them."""
    code = _digits(code)
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - WINDOW, current + WINDOW + 1):
        if (after is None or step > after) and pyotp.utils.strings_equal(
            totp.at(step * STEP_SECONDS), code
        ):
            return step
    return None


def accept_code(session: Session, user: User, code: str, now: datetime) -> bool:
    """Whether ``code`` is a current code of the user's enabled second factor that has not been
    used before; an accepted code's step is stored, so it cannot be used again."""
    if user.totp_secret is None:
        return False
    step = matching_step(user.totp_secret, code, now, user.totp_last_step)
    if step is None:
        return False
    claimed = session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
    )
    return claimed.rowcount == 1
