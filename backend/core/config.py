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


_LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    DATABASE_URL: str = f"sqlite:///{DATA_DIR / 'vetassist.db'}"
    DB_POOL_SIZE: int = 10
    DB_MAX_OVERFLOW: int = 20
    # psycopg prepares a statement run 5 times on a connection; behind PgBouncer in
    # transaction mode older than 1.21 (or without max_prepared_statements) set false
    DB_PREPARED_STATEMENTS: bool = True

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

    # Google Calendar sync (optional, per clinic): the install's OAuth client, and where
    # Google's API and token endpoint are (the local fake's URL in tests and development)
    GOOGLE_CLIENT_ID: str | None = None
    GOOGLE_CLIENT_SECRET: str | None = None
    GOOGLE_API_BASE_URL: str = "https://www.googleapis.com"
    GOOGLE_TOKEN_URI: str = "https://oauth2.googleapis.com/token"
    GOOGLE_AUTH_URI: str = "https://accounts.google.com/o/oauth2/auth"  # the consent page
    GOOGLE_REVOKE_URI: str = "https://oauth2.googleapis.com/revoke"
    # Where Google posts calendar change notifications (push): PUBLIC_BASE_URL +
    # "/webhooks/google/calendar" in production; unset, changes are read by polling only
    GOOGLE_PUSH_URL: str | None = None

    SMTP_HOST: str | None = None
    SMTP_PORT: int = 25
    SMTP_USER: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_FROM: str = "alertas@vetassist.local"

    # Staff portal sessions: the absolute limit since login, and the idle timeout
    # (no authenticated action for this long ends the session).
    SESSION_TTL_HOURS: int = Field(default=12, ge=1)
    SESSION_IDLE_MINUTES: int = Field(default=30, ge=1)
    # Login throttling (`limits` notation, ";" between windows): failures per account
    # and per client address; each wider window locks out for longer.
    LOGIN_ACCOUNT_LIMITS: str = "5/15 minutes;10/hour;20/day"
    LOGIN_ADDRESS_LIMITS: str = "20/15 minutes;100/day"
    # Origins (scheme://host[:port], comma-separated) that may open the portal's
    # WebSocket and make credentialed cross-origin requests, besides PUBLIC_BASE_URL's.
    ALLOWED_ORIGINS: str = ""

    @model_validator(mode="after")
    def _public_url_is_https_with_twilio(self) -> Settings:
        """Twilio signs and posts to PUBLIC_BASE_URL: in production it must be https (plain
        http only for a local address, where tests and fakes run)."""
        url = urlsplit(self.PUBLIC_BASE_URL)
        local = url.hostname in ("localhost", "127.0.0.1", "::1")
        if self.WHATSAPP_CHANNEL == "twilio" and url.scheme != "https" and not local:
            raise ValueError("PUBLIC_BASE_URL must start with https:// when WhatsApp uses Twilio")
        return self

    @model_validator(mode="after")
    def _calendar_sync_needs_secrets_key(self) -> Settings:
        """Clinics' Google refresh tokens are stored encrypted: sync on without the key is refused."""
        if self.GOOGLE_CLIENT_ID and not self.SECRETS_KEY:
            raise ValueError("SECRETS_KEY must be set when Google Calendar sync is on")
        return self

    @model_validator(mode="after")
    def _push_url_is_https(self) -> Settings:
        """Google posts notifications only to https addresses (plain http only for a local
        address, where tests and the fake run)."""
        if self.GOOGLE_PUSH_URL:
            url = urlsplit(self.GOOGLE_PUSH_URL)
            local = url.hostname in _LOOPBACK_HOSTS
            if url.scheme != "https" and not (url.scheme == "http" and local):
                raise ValueError("GOOGLE_PUSH_URL must start with https://")
        return self

    @property
    def google_sync_on(self) -> bool:
        """The install has a Google OAuth client, so clinics can connect their calendars."""
        return bool(self.GOOGLE_CLIENT_ID and self.GOOGLE_CLIENT_SECRET)

    @property
    def google_push_on(self) -> bool:
        """Google tells us when a doctor's calendar changes (else the sweep polls every pass)."""
        return self.google_sync_on and bool(self.GOOGLE_PUSH_URL)

    @property
    def is_sqlite(self) -> bool:
        return self.DATABASE_URL.startswith("sqlite")

    @property
    def uses_celery(self) -> bool:
        return bool(self.REDIS_URL)

    @property
    def serves_https(self) -> bool:
        """Browsers reach the portal over https (so its cookies are `Secure`)."""
        return self.PUBLIC_BASE_URL.lower().startswith("https://")

    def allowed_origins(self, *local_ports: int | str | None) -> list[str]:
        """The browser origins the portal and API accept (CORS with credentials, WebSocket).

        PUBLIC_BASE_URL's origin and ALLOWED_ORIGINS; while PUBLIC_BASE_URL is a
        loopback address (the embedded default), also both loopback spellings
        (localhost, 127.0.0.1) on its port and on `local_ports` (the port the
        portal is actually served on, e.g. `PORT=3001 make run`).
        """
        public = urlsplit(self.PUBLIC_BASE_URL)
        origins = [f"{public.scheme}://{public.netloc}".lower()]
        origins += [o.strip().rstrip("/").lower() for o in self.ALLOWED_ORIGINS.split(",")]
        if public.hostname in _LOOPBACK_HOSTS:
            ports = [public.port or (443 if public.scheme == "https" else 80), *local_ports]
            for port in filter(None, ports):
                for host in ("localhost", "127.0.0.1"):
                    origins.append(f"{public.scheme}://{host}:{port}")
        return list(dict.fromkeys(o for o in origins if o))


@lru_cache
def get_settings() -> Settings:
    return Settings()


settings = get_settings()
