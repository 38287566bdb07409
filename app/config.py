"""Runtime configuration, read from environment variables (prefix ``BYGD_``) or a ``.env`` file."""

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """All knobs in one place; nothing secret has a committed default."""

    model_config = SettingsConfigDict(env_prefix="BYGD_", env_file=".env", extra="ignore")

    environment: str = Field("development", pattern="^(development|test|production)$")
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'bygdestod.db'}"
    # Sent only over HTTPS when true; production deployments behind TLS must set it.
    cookie_secure: bool = False
    session_lifetime_hours: int = Field(12, ge=1, le=24 * 30)
    # Login throttling: this many failures for one e-mail address (or ten times as many from one
    # client address) within the window lock further attempts until the window has passed.
    login_max_failures: int = Field(5, ge=1)
    login_window_minutes: int = Field(15, ge=1)
    timezone: str = "Europe/Stockholm"
    # Only used by `python -m app load-demo`; real accounts never get a default password.
    demo_password: str = "bygdestod-demo"  # noqa: S105
    # Signs short-lived cookies (flash messages) and, later, applicants' magic links.
    # Required in production; elsewhere one is generated once and kept in var/secret_key.
    secret_key: SecretStr | None = None

    # The address applicants' links point to (no trailing slash).
    public_base_url: str = "http://127.0.0.1:8000"
    # Attachments are stored here under random names, never under static/.
    attachments_dir: Path = PROJECT_ROOT / "var" / "attachments"
    max_attachment_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    # How long an applicant's magic link works.
    applicant_link_days: int = Field(30, ge=1, le=365)
    # Applicants who have not answered a komplettering are reminded once, this many days (or
    # fewer) before its deadline.
    information_reminder_days: int = Field(3, ge=1, le=30)

    # Outgoing e-mail (SMTP). Messages wait in the outbox until the server takes them.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(1025, ge=1, le=65535)
    smtp_security: str = Field("none", pattern="^(none|starttls|tls)$")
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = Field(10, gt=0)
    mail_from: str = "Bygdestöd <noreply@bygdestod.local>"
    # Run the outbox sender in the web process (a background thread polling the outbox).
    mail_sender_enabled: bool = True
    mail_poll_seconds: float = Field(10, gt=0)

    # "json": one JSON object per log line on stderr, with the request id (production);
    # "text": logging left as Python and uvicorn set it up (development).
    log_format: str = Field("text", pattern="^(text|json)$")

    @model_validator(mode="after")
    def _production_is_locked_down(self) -> "Settings":
        if self.environment == "production":
            if self.secret_key is None or len(self.secret_key.get_secret_value()) < 32:
                raise ValueError(
                    "BYGD_SECRET_KEY (at least 32 characters) is required in production"
                )
            if not self.cookie_secure:
                raise ValueError("BYGD_COOKIE_SECURE=true is required in production (HTTPS only)")
        return self

    def signing_key(self) -> str:
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = PROJECT_ROOT / "var" / "secret_key"
        if not path.exists():
            path.parent.mkdir(exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
