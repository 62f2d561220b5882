"""One settings class for the whole platform (environment prefix `OPENKAP_`)."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration read from the environment or a `.env` file."""

    model_config = SettingsConfigDict(env_prefix="OPENKAP_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{Path('var/openkap.sqlite3').resolve()}",
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db",
    )
    session_idle_minutes: int = Field(default=15, ge=1, le=24 * 60)
    session_absolute_hours: int = Field(default=12, ge=1, le=7 * 24)
    login_max_failures: int = Field(default=10, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    login_address_max_failures: int = Field(
        default=50,
        ge=1,
        description="Failed sign-ins from one network address, over all accounts, per window",
    )
    trusted_proxy: str = Field(
        default="",
        description="Address(es) of the reverse proxy whose X-Forwarded-For names the client; "
        "empty: the connecting address is the client",
    )
    access_token_minutes: int = Field(default=60, ge=1)
    cookie_secure: bool = Field(
        default=False,
        description="Mark cookies Secure even when served on a loopback address (they always are "
        "otherwise)",
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        pattern=r"^https?://[^/\s]+(/[^\s]*)?$",
        description="The address patients and staff open OpenKAP at; links sent to patients are "
        "built from it, never from a request's Host header",
    )
    page_size_max: int = Field(default=100, ge=1, le=1000)
    sql_echo: bool = False


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings."""
    return Settings()
