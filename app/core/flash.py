"""Flash messages: one short notice carried across a redirect ("Organisationen är registrerad").

The message travels in a signed cookie, so a crafted cookie cannot put text on someone's page,
and it works the same for staff and for applicants without an account.
"""

from typing import Literal

from fastapi import Request
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.responses import Response

FLASH_COOKIE = "bygd_flash"
FlashKind = Literal["notice", "alert"]


def _serializer(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(request.app.state.signing_key, salt="flash")


def flash(request: Request, response: Response, message: str, kind: FlashKind = "notice") -> None:
    """Show ``message`` on the next page this browser renders."""
    response.set_cookie(
        FLASH_COOKIE,
        _serializer(request).dumps([kind, message]),
        max_age=300,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.cookie_secure,
    )


def read_flash(request: Request) -> dict[str, str] | None:
    """The pending message, if any; ``clear_flash`` on the page that shows it."""
    value = request.cookies.get(FLASH_COOKIE)
    if not value:
        return None
    try:
        kind, message = _serializer(request).loads(value)
    except (BadSignature, ValueError, TypeError):
        return None
    return {"kind": kind if kind in ("notice", "alert") else "notice", "message": str(message)}


def clear_flash(request: Request, response: Response) -> None:
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE)
