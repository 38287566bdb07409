"""CSRF protection for every state-changing request (forms, HTMX and the JSON API).

Double-submit token: each browser gets a random token in an HttpOnly cookie; pages embed the
same token in forms (``csrf_token`` field) and in an ``X-CSRF-Token`` header that htmx sends.
A cross-site page can make the browser send the cookie but cannot read it to put it in the body
or header, so a request whose two copies differ is refused.
"""

import secrets
from http.cookies import SimpleCookie
from typing import Any

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.i18n import N_
from app.core.i18n import gettext as _

CSRF_COOKIE = "bygd_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CSRF_FAILED = N_(
    "Formuläret har gått ut eller kom från en annan webbplats. Ladda om sidan och försök igen."
)


class CSRFCookieMiddleware:
    """Makes sure every browser has a CSRF token (``request.state.csrf_token``) and cookie."""

    def __init__(self, app: ASGIApp, *, secure: bool) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _cookie_from_headers(scope.get("headers", []))
        is_new = not token
        if is_new:
            token = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf_token"] = token

        async def send_with_cookie(message: Message) -> None:
            if is_new and message["type"] == "http.response.start":
                cookie = f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax"
                if self.secure:
                    cookie += "; Secure"
                message.setdefault("headers", []).append((b"set-cookie", cookie.encode()))
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _cookie_from_headers(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"cookie":
            morsel = SimpleCookie(value.decode("latin-1")).get(CSRF_COOKIE)
            if morsel and morsel.value:
                return morsel.value
    return None


async def verify_csrf(request: Request) -> None:
    """App-wide dependency: refuse unsafe requests whose token does not match the cookie.

    The form is parsed here only for form posts; Starlette caches it, so the route's own
    ``Form`` parameters read the same parsed body.
    """
    if request.method in SAFE_METHODS:
        return
    expected = request.cookies.get(CSRF_COOKIE)
    sent: Any = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = (await request.form()).get(CSRF_FIELD)
    if (
        not expected
        or not isinstance(sent, str)
        or not secrets.compare_digest(sent.encode(), expected.encode())
    ):
        raise HTTPException(status_code=403, detail=_(CSRF_FAILED))
