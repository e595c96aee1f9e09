"""Telegram's limits as token buckets, on a fake clock."""
from bot.ratelimit import Limits, RateLimiter, TokenBucket
from tests.support.clock import FakeClock


def test_bucket_allows_a_burst_then_paces():
    clock = FakeClock()
    bucket = TokenBucket(rate=1.0, burst=3, clock=clock)
    assert [bucket.reserve() for _ in range(5)] == [0.0, 0.0, 0.0, 1.0, 2.0]
    clock.advance(2.0)
    assert bucket.reserve() == 1.0  # two refilled, both already reserved; the next waits


async def test_thirty_chats_a_second_then_the_global_budget_waits():
    clock = FakeClock()
    limiter = RateLimiter(clock, Limits(global_per_second=30))
    for chat in range(30):
        await limiter.acquire(chat + 1)
    assert clock.monotonic() == 0
    await limiter.acquire(31)
    assert clock.monotonic() == 1 / 30


async def test_one_chat_gets_a_short_burst_then_one_a_second():
    clock = FakeClock()
    limiter = RateLimiter(clock, Limits(chat_per_second=1, chat_burst=3))
    for _ in range(3):
        await limiter.acquire(1001)
    assert clock.monotonic() == 0
    await limiter.acquire(1001)
    await limiter.acquire(1001)
    assert clock.monotonic() == 2.0


async def test_groups_get_twenty_a_minute():
    clock = FakeClock()
    limiter = RateLimiter(clock, Limits(group_per_minute=20, chat_burst=3))
    for _ in range(3):
        await limiter.acquire(-100123)
    await limiter.acquire(-100123)
    assert clock.monotonic() == 3.0  # 60 s / 20


async def test_a_429_pauses_everything():
    clock = FakeClock()
    limiter = RateLimiter(clock)
    limiter.pause(7)
    await limiter.acquire(1)
    await limiter.wait_pause()
    assert clock.monotonic() == 7
    assert limiter.pause_remaining() == 0


def test_idle_chat_buckets_are_pruned():
    clock = FakeClock()
    limiter = RateLimiter(clock)
    limiter.PRUNE_AT = 10
    for chat in range(10):
        limiter.reserve(chat + 1)
    clock.advance(10)
    limiter.reserve(99)
    assert len(limiter._chats) == 1
