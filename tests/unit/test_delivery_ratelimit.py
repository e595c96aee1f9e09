"""The broadcast lane of the rate limiter, on a fake clock: budgets, paid mode, pauses, priority."""
import asyncio

from bot.ratelimit import BulkBudget, Limits, RateLimiter
from tests.support.clock import FakeClock
from tests.support.pacing import send


async def send_bulk(limiter: RateLimiter, chats) -> None:
    for chat in chats:
        async with limiter.sending(chat, bulk=True):
            pass  # Telegram answers at once


async def test_the_broadcast_lane_keeps_its_own_pace_below_the_global_limit():
    clock = FakeClock()
    limiter = RateLimiter(clock, bulk=BulkBudget(rate=29.5))
    await send_bulk(limiter, range(1, 296))
    # 295 messages at 29.5/s, after the lane's small burst: just under ten seconds.
    assert 9.9 <= clock.monotonic() <= 10.0


async def reply_wait(limiter: RateLimiter, clock: FakeClock) -> float:
    """How long a reply to a chat that has had none waits for its slot now."""
    before = clock.monotonic()
    await send(limiter, 999_999)
    return clock.monotonic() - before


async def test_a_reply_during_a_broadcast_waits_at_most_one_slot():
    clock = FakeClock()
    limiter = RateLimiter(clock, bulk=BulkBudget(rate=29.5))
    await send_bulk(limiter, range(1, 601))
    assert await reply_wait(limiter, clock) <= 1 / 30


async def test_queued_broadcast_messages_let_a_reply_go_first():
    clock = FakeClock()
    limiter = RateLimiter(clock, bulk=BulkBudget(rate=29.5))
    await send_bulk(limiter, range(1, 61))  # the global bucket is now about empty
    before = clock.monotonic()
    waited = await reply_wait(limiter, clock)
    await send(limiter, 1000, bulk=True)
    # The broadcast message took the slot after the reply's, not before it.
    assert clock.monotonic() - before >= waited + 1 / 30 - 1e-9


async def test_free_broadcasts_and_replies_together_stay_within_thirty_a_second():
    clock = FakeClock()
    limiter = RateLimiter(clock, bulk=BulkBudget(rate=29.5))
    replies = 0
    for chat in range(1, 301):
        await send(limiter, chat, bulk=True)
        if chat % 10 == 0:
            await send(limiter, 500_000 + chat)
            replies += 1
    sent = 300 + replies
    assert sent / clock.monotonic() <= 30 + 30 / clock.monotonic()  # the global burst at most


async def test_paid_broadcasts_reach_nearly_a_thousand_a_second_and_leave_the_free_budget_to_replies():
    clock = FakeClock()
    limiter = RateLimiter(clock, bulk=BulkBudget(rate=1000, paid=True))
    await send_bulk(limiter, range(1, 5001))
    assert 4.9 <= clock.monotonic() <= 5.1
    assert await reply_wait(limiter, clock) == 0


async def test_a_429_pauses_the_broadcast_lane_too():
    clock = FakeClock()
    limiter = RateLimiter(clock, bulk=BulkBudget(rate=29.5))
    limiter.pause(7)
    await send(limiter, 1, bulk=True)
    assert clock.monotonic() >= 7


async def test_a_chat_paused_by_a_429_does_not_hold_back_the_broadcast_to_others():
    clock = FakeClock()
    limiter = RateLimiter(clock, bulk=BulkBudget(rate=29.5))
    limiter.pause_chat(1, 10)
    await send_bulk(limiter, range(2, 11))
    assert clock.monotonic() < 1
    await send_bulk(limiter, [1])
    assert clock.monotonic() >= 10


async def test_one_chat_gets_at_most_about_one_broadcast_message_a_second():
    clock = FakeClock()
    limiter = RateLimiter(clock, Limits(chat_burst=1), bulk=BulkBudget(rate=29.5))
    await send_bulk(limiter, [7, 7, 7])
    assert clock.monotonic() >= 2


async def test_groups_get_twenty_a_minute_in_the_lane():
    clock = FakeClock()
    limiter = RateLimiter(clock, bulk=BulkBudget(rate=29.5))
    await send_bulk(limiter, [-100] * 23)
    assert clock.monotonic() >= 60


async def test_concurrent_broadcast_senders_share_the_lane_fairly():
    clock = FakeClock()
    limiter = RateLimiter(clock, bulk=BulkBudget(rate=10))
    await asyncio.gather(*(send_bulk(limiter, [chat]) for chat in range(1, 101)))
    assert 9.8 <= clock.monotonic() <= 10.0


async def record_send_times(limiter: RateLimiter, clock: FakeClock, count: int) -> list[float]:
    times = []
    for chat in range(1, count + 1):
        async with limiter.sending(chat, bulk=True):
            times.append(clock.monotonic())
    return times


async def test_never_more_than_the_limit_in_any_second_even_after_a_late_wake_up():
    clock = FakeClock()
    limiter = RateLimiter(clock, bulk=BulkBudget(rate=29.5))
    times = await record_send_times(limiter, clock, 100)
    clock.advance(0.5)  # the event loop was busy: the bucket's burst lets the lane catch up...
    times += await record_send_times(limiter, clock, 100)
    for index, start in enumerate(times):  # ...but never past 30 in a second
        assert sum(1 for moment in times[index:] if moment < start + 1.0) <= 30


async def test_slow_answers_hold_the_lane_back_so_arrivals_never_bunch_past_the_limit():
    clock = FakeClock()
    limiter = RateLimiter(clock, Limits(global_per_second=10), bulk=BulkBudget(rate=10))

    async def slow(chat):
        async with limiter.sending(chat, bulk=True):
            await clock.sleep(0.5)  # the request is on its way for half a second

    await asyncio.gather(*(slow(chat) for chat in range(1, 21)))
    # In flight or answered within the last second, never more than 10: at most 10 a second.
    assert clock.monotonic() >= 1.5
