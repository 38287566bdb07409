"""HTTP helpers for tests: log in through the real form, post with the CSRF token."""

from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from app.auth.csrf import CSRF_COOKIE
from tests.factories import PASSWORD


def csrf_token(client: TestClient) -> str:
    if CSRF_COOKIE not in client.cookies:
        client.get("/login")
    return client.cookies[CSRF_COOKIE]


def post_form(client: TestClient, url: str, data: dict[str, Any], **kwargs: Any) -> Response:
    return client.post(url, data={**data, "csrf_token": csrf_token(client)}, **kwargs)


def login(client: TestClient, email: str, password: str = PASSWORD) -> Response:
    return post_form(
        client, "/login", {"email": email, "password": password}, follow_redirects=False
    )
