"""HTTP helpers for tests: log in through the real form, post with the CSRF token."""

import time
from typing import Any

import pyotp
from fastapi.testclient import TestClient
from httpx import Response

from app.auth import two_factor
from app.auth.csrf import CSRF_COOKIE
from app.auth.routes import SECOND_STEP
from tests.factories import PASSWORD, TOTP_SECRET


def csrf_token(client: TestClient) -> str:
    if CSRF_COOKIE not in client.cookies:
        client.get("/login")
    return client.cookies[CSRF_COOKIE]


def post_form(client: TestClient, url: str, data: dict[str, Any], **kwargs: Any) -> Response:
    return client.post(url, data={**data, "csrf_token": csrf_token(client)}, **kwargs)


def login(client: TestClient, email: str, password: str = PASSWORD) -> Response:
    """Log in through the form; for an account with two-factor login (the test and demo
    administrators, see ``TOTP_SECRET``) answer the second step with the app's code too."""
    response = post_form(
        client, "/login", {"email": email, "password": password}, follow_redirects=False
    )
    if response.headers.get("location") != SECOND_STEP:
        return response
    # A code is accepted once: when this account has just used the current one, the next
    # step's code (also within the accepted window) logs in.
    now = time.time()
    for at in (now, now + two_factor.STEP_SECONDS):
        code = pyotp.TOTP(TOTP_SECRET).at(at)
        response = post_form(client, SECOND_STEP, {"code": code}, follow_redirects=False)
        if response.status_code == 303:
            break
    return response
