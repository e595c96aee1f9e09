"""Real Redis for tests: the test is skipped, with the reason, when no server answers."""
from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError


async def reachable_redis(url: str, prepare: Callable[[Redis], Awaitable[object]] | None = None) -> str:
    """`url`, once Redis answers there and `prepare` (emptying a test's keys, say) has run on it."""
    client = Redis.from_url(url, socket_connect_timeout=2)
    try:
        await client.ping()
        if prepare is not None:
            await prepare(client)
    except (RedisError, OSError) as error:
        pytest.skip(f"Redis not reachable at {url}: {error}")
    finally:
        await client.aclose()
    return url
