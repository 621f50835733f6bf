"""All configuration, read once from the environment (and an optional `.env`).

With no variables set the app runs on the embedded default: a SQLite file,
background work in-process, the WhatsApp sandbox channel, no calendar sync and
no LLM. Each production part is switched on by its own variable.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
"""Runtime files of the embedded default (the SQLite database): git-ignored, outside hot reload."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    DATABASE_URL: str = f"sqlite:///{DATA_DIR / 'vetassist.db'}"
    DB_POOL_SIZE: int = 10
    DB_MAX_OVERFLOW: int = 20

    REDIS_URL: str | None = None
    CELERY_VISIBILITY_TIMEOUT_S: int = 3600
    CELERY_QUEUE: str = "vetassist"  # also the prefix of every Redis key the app writes

    PUBLIC_BASE_URL: str = "http://localhost:3000"
    WHATSAPP_CHANNEL: str = Field(default="sandbox", pattern="^(sandbox|twilio)$")
    TWILIO_ACCOUNT_SID: str | None = None
    TWILIO_AUTH_TOKEN: str | None = None
    TWILIO_AUTH_TOKEN_SECONDARY: str | None = None  # also accepted on webhooks while rotating
    SECRETS_KEY: str | None = None  # Fernet key: clinics' own Twilio tokens, encrypted at rest
    TWILIO_API_BASE_URL: str | None = None
    TWILIO_VALIDATE_SIGNATURE: bool = True
    WHATSAPP_TEMPLATE_CONTENT_SID: str | None = None

    ANTHROPIC_API_KEY: str | None = None
    ANTHROPIC_BASE_URL: str | None = None
    ANTHROPIC_MODEL: str = "claude-sonnet-4-6"
    ANTHROPIC_TIMEOUT_S: float = 10.0

    SMTP_HOST: str | None = None
    SMTP_PORT: int = 25
    SMTP_USER: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_FROM: str = "alertas@vetassist.local"

    SESSION_TTL_HOURS: int = 12

    @model_validator(mode="after")
    def _public_url_is_https_with_twilio(self) -> Settings:
        """Twilio signs and posts to PUBLIC_BASE_URL: in production it must be https (plain
        http only for a local address, where tests and fakes run)."""
        url = urlsplit(self.PUBLIC_BASE_URL)
        local = url.hostname in ("localhost", "127.0.0.1", "::1")
        if self.WHATSAPP_CHANNEL == "twilio" and url.scheme != "https" and not local:
            raise ValueError("PUBLIC_BASE_URL must start with https:// when WhatsApp uses Twilio")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.DATABASE_URL.startswith("sqlite")

    @property
    def uses_celery(self) -> bool:
        return bool(self.REDIS_URL)


@lru_cache
def get_settings() -> Settings:
    return Settings()


settings = get_settings()
