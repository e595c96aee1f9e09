"""With REDIS_URL set, conversations live in Redis so several bot processes share them."""
from __future__ import annotations

import uuid

import pytest
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import Redis
from redis.exceptions import RedisError

from foorumi.app import build_app
from bot.config import load_settings
from tests.support.recording import RecordingSession

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
async def redis_url():
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        await client.ping()
    except (RedisError, OSError) as error:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {error}")
    finally:
        await client.aclose()
    return REDIS_URL


async def test_two_processes_share_one_conversation(redis_url, sqlite_engine):
    settings = load_settings(
        bot_token="42:TEST-token", redis_url=redis_url,
        database_url=sqlite_engine.url.render_as_string(), _env_file=None,
    )
    key = StorageKey(bot_id=42, chat_id=int(uuid.uuid4().int % 10**9), user_id=7)
    first = build_app(settings, session=RecordingSession())
    assert isinstance(first.conversations, RedisStorage)
    await first.conversations.set_state(key, "Onboarding:area")
    await first.conversations.set_data(key, {"page": 2})
    await first.close()

    second = build_app(settings, session=RecordingSession())
    try:
        assert await second.conversations.get_state(key) == "Onboarding:area"
        assert await second.conversations.get_data(key) == {"page": 2}
        await second.conversations.set_state(key, None)
        await second.conversations.set_data(key, {})
    finally:
        await second.close()
