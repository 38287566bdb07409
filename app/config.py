"""Runtime configuration, read from environment variables (prefix ``BYGD_``) or a ``.env`` file."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
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
    default_locale: str = "sv_SE"
    # Only used by `python -m app load-demo`; real accounts never get a default password.
    demo_password: str = "bygdestod-demo"  # noqa: S105


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
