"""Telegram's limits – a sliding window overall, a bucket per chat – on a fake clock."""
from bot.ratelimit import Limits, RateLimiter, TokenBucket
from tests.support.clock import FakeClock
from tests.support.pacing import send


def test_bucket_allows_a_burst_then_paces():
    clock = FakeClock()
    bucket = TokenBucket(rate=1.0, burst=3, clock=clock)
    assert [bucket.reserve() for _ in range(5)] == [0.0, 0.0, 0.0, 1.0, 2.0]
    clock.advance(2.0)
    assert bucket.reserve() == 1.0  # two refilled, both already reserved; the next waits


async def test_thirty_chats_a_second_then_the_thirty_first_waits_for_the_second_to_pass():
    clock = FakeClock()
    limiter = RateLimiter(clock, Limits(global_per_second=30))
    for chat in range(30):
        await send(limiter, chat + 1)
    assert clock.monotonic() == 0
    await send(limiter, 31)
    assert clock.monotonic() == 1.0  # not 1/30: that would put 31 in the first second


async def test_one_chat_gets_a_short_burst_then_one_a_second():
    clock = FakeClock()
    limiter = RateLimiter(clock, Limits(chat_per_second=1, chat_burst=3))
    for _ in range(3):
        await send(limiter, 1001)
    assert clock.monotonic() == 0
    await send(limiter, 1001)
    await send(limiter, 1001)
    assert clock.monotonic() == 2.0


async def test_groups_get_twenty_a_minute():
    clock = FakeClock()
    limiter = RateLimiter(clock, Limits(group_per_minute=20, chat_burst=3))
    for _ in range(3):
        await send(limiter, -100123)
    await send(limiter, -100123)
    assert clock.monotonic() == 3.0  # 60 s / 20


async def test_a_flood_pause_holds_back_every_send():
    clock = FakeClock()
    limiter = RateLimiter(clock)
    limiter.pause(7)
    await send(limiter, 1)
    await limiter.wait_pause()
    assert clock.monotonic() == 7
    assert limiter.pause_remaining() == 0


async def test_a_chat_pause_holds_back_that_chat_only():
    clock = FakeClock()
    limiter = RateLimiter(clock)
    limiter.pause_chat(1, 7)
    await send(limiter, 2)
    await send(limiter, -100123)
    assert clock.monotonic() == 0
    await send(limiter, 1)
    assert clock.monotonic() == 7


def test_a_429_is_judged_by_the_chat_it_came_from_and_two_chats_at_once_mean_a_flood():
    clock = FakeClock()
    limiter = RateLimiter(clock)
    assert limiter.too_many_requests(1, 5) == "chat"
    clock.advance(1.5)
    assert limiter.too_many_requests(-100123, 5) == "group"
    assert limiter.pause_remaining() == 0
    clock.advance(0.5)
    assert limiter.too_many_requests(2, 3) == "all"  # within a second of the group's
    assert limiter.pause_remaining() == 4.5  # until the longer of the two pauses is over


async def test_idle_chat_buckets_are_pruned():
    clock = FakeClock()
    limiter = RateLimiter(clock)
    limiter.PRUNE_AT = 10
    for chat in range(10):
        await send(limiter, chat + 1)
    clock.advance(10)
    await send(limiter, 99)
    assert len(limiter._chats) == 1
