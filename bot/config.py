"""Configuration from the environment or `.env`; a bad value fails with one clear line."""
from __future__ import annotations

import hmac
import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from domain import LOCALES

TELEGRAM_API_URL = "https://api.telegram.org"
FREE_BROADCAST_LIMIT = 30.0
FREE_BROADCAST_RATE = 29.5
PAID_BROADCAST_LIMIT = 1000.0
PAID_BROADCAST_RATE = 990.0
_TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]{3,}$")
_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class ConfigError(Exception):
    """A configuration value is missing or invalid; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", case_sensitive=False, env_ignore_empty=True
    )

    bot_token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///foorumi.db"
    bot_api_url: str = TELEGRAM_API_URL
    redis_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1:8080"
    timezone: str = "Europe/Helsinki"
    default_locale: str = "fi"
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    staff_chat_id: int | None = None
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    # Broadcast messages per second; default just under Telegram's 30/s (paid mode: 1000/s).
    broadcast_rate: float | None = None
    broadcast_paid: bool = False
    proposals_per_day: int = Field(default=3, ge=1)
    reports_to_hide: int = Field(default=3, ge=1)
    support_milestones: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [10, 50, 100])
    # The key of the hash that keeps a resident to one survey response (anonymous ones too).
    survey_key: SecretStr | None = None
    # Seconds the scheduler's and the outbox sender's database leases last; their holder renews
    # them well before, and another worker takes a dead holder's work over this soon after.
    lease_seconds: float = Field(default=10.0, ge=3.0, le=600.0)

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN_PATTERN.match(value.get_secret_value()):
            raise ValueError("does not look like a bot token (expected 123456:ABC...)")
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///FILE or postgresql+asyncpg://HOST/DB")
        return value

    @field_validator("bot_api_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/") if value else value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET_PATTERN.match(value.get_secret_value()):
            raise ValueError("use 1-256 characters A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. Europe/Helsinki)") from None
        return value

    @field_validator("default_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        if value not in LOCALES:
            raise ValueError(f"must be one of {', '.join(LOCALES)}")
        return value

    @field_validator("support_milestones", mode="before")
    @classmethod
    def _milestones(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(part.isdigit() and int(part) > 0 for part in parts):
                raise ValueError("use comma-separated positive numbers, e.g. 10,50,100")
            return sorted({int(part) for part in parts})
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(part.lstrip("-").isdigit() for part in parts):
                raise ValueError("use comma-separated Telegram user ids, e.g. 12345,67890")
            return [int(part) for part in parts]
        return value

    @field_validator("webhook_listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, _, port = value.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("use HOST:PORT, e.g. 127.0.0.1:8080")
        return value

    @field_validator("broadcast_rate")
    @classmethod
    def _positive_rate(cls, value: float | None) -> float | None:
        if value is not None and not 0 < value <= PAID_BROADCAST_LIMIT:
            raise ValueError(f"use a number of messages per second above 0, at most {PAID_BROADCAST_LIMIT:g}")
        return value

    @property
    def broadcast_limit(self) -> float:
        """The broadcast lane's pace: BROADCAST_RATE, or just under Telegram's limit for the mode."""
        if self.broadcast_rate is not None:
            return self.broadcast_rate
        return PAID_BROADCAST_RATE if self.broadcast_paid else FREE_BROADCAST_RATE

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def survey_secret(self) -> bytes:
        """SURVEY_KEY; without it a key derived from the bot token (so the database alone cannot
        tell who took part in an anonymous survey); the demo and tests, with neither, a fixed one."""
        if self.survey_key is not None:
            return self.survey_key.get_secret_value().encode()
        if self.bot_token is not None:
            return hmac.new(self.bot_token.get_secret_value().encode(), b"foorumi survey key", "sha256").digest()
        return b"foorumi demo survey key"

    @property
    def webhook_mode(self) -> bool:
        return self.webhook_url is not None


def load_settings(**overrides: object) -> Settings:
    """Read settings; turn pydantic's report into one line naming the first bad variable."""
    try:
        settings = Settings(**overrides)
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "configuration"
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{name}: {message}") from None
    if not settings.broadcast_paid and settings.broadcast_limit > FREE_BROADCAST_LIMIT:
        raise ConfigError(
            f"BROADCAST_RATE: at most {FREE_BROADCAST_LIMIT:g} unless BROADCAST_PAID=true (paid broadcasts)"
        )
    if settings.webhook_url and settings.webhook_secret is None:
        raise ConfigError("WEBHOOK_SECRET: required when WEBHOOK_URL is set")
    return settings
