import pytest

from bot.config import ConfigError, load_settings


def settings(**values):
    return load_settings(_env_file=None, **values)


def test_defaults_need_no_server():
    config = settings()
    assert config.database_url == "sqlite+aiosqlite:///foorumi.db"
    assert config.bot_api_url == "https://api.telegram.org"
    assert (config.timezone, config.default_locale, config.admin_ids) == ("Europe/Helsinki", "fi", [])
    assert not config.webhook_mode


def test_admin_ids_are_comma_separated(monkeypatch):
    monkeypatch.setenv("ADMIN_IDS", "12345, 67890")
    assert settings().admin_ids == [12345, 67890]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("BOT_TOKEN", "not-a-token", "BOT_TOKEN: does not look like a bot token (expected 123456:ABC...)"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL: use sqlite+aiosqlite:///FILE or postgresql+asyncpg://HOST/DB"),
        ("BOT_API_URL", "localhost:8081", "BOT_API_URL: must start with http:// or https://"),
        ("TIMEZONE", "Europe/Mikkeli", "TIMEZONE: unknown time zone 'Europe/Mikkeli' (e.g. Europe/Helsinki)"),
        ("DEFAULT_LOCALE", "de", "DEFAULT_LOCALE: must be one of fi, sv, en"),
        ("ADMIN_IDS", "12,abc", "ADMIN_IDS: use comma-separated Telegram user ids, e.g. 12345,67890"),
        ("STAFF_CHAT_ID", "staff", "STAFF_CHAT_ID: Input should be a valid integer, unable to parse string as an integer"),
        ("WEBHOOK_LISTEN", "8080", "WEBHOOK_LISTEN: use HOST:PORT, e.g. 127.0.0.1:8080"),
    ],
)
def test_a_bad_value_names_its_variable_in_one_line(monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        settings()
    assert str(caught.value) == message


def test_webhook_needs_a_secret(monkeypatch):
    monkeypatch.setenv("WEBHOOK_URL", "https://foorumi.example.fi")
    with pytest.raises(ConfigError, match="^WEBHOOK_SECRET: required when WEBHOOK_URL is set$"):
        settings()


def test_an_empty_value_counts_as_not_set(monkeypatch):
    monkeypatch.setenv("BOT_TOKEN", "")
    monkeypatch.setenv("REDIS_URL", "")
    config = settings()
    assert config.bot_token is None and config.redis_url is None
