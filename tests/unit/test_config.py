"""Production settings refuse to start without HTTPS-only cookies and a real secret."""

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.config import Settings
from app.main import create_app


def test_production_needs_a_secret_and_secure_cookies() -> None:
    with pytest.raises(ValidationError, match="BYGD_SECRET_KEY"):
        Settings(environment="production", cookie_secure=True)
    with pytest.raises(ValidationError, match="BYGD_COOKIE_SECURE"):
        Settings(environment="production", secret_key="s" * 40)
    settings = Settings(environment="production", secret_key="s" * 40, cookie_secure=True)
    assert settings.signing_key() == "s" * 40


def test_secure_cookies_when_configured() -> None:
    app = create_app(Settings(environment="test", secret_key="k" * 48, cookie_secure=True))
    with TestClient(app, base_url="https://testserver") as client:
        response = client.get("/docs")
    assert "Secure" in response.headers["set-cookie"]
