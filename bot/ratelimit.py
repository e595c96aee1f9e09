"""Telegram's sending limits as token buckets: one place decides when a message may go."""
from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from bot.clock import Clock

_bulk = ContextVar("bulk_sending", default=False)


@contextmanager
def bulk_sending() -> Iterator[None]:
    """Bot API calls made inside go through the bulk lane (broadcasts), not the interactive one."""
    token = _bulk.set(True)
    try:
        yield
    finally:
        _bulk.reset(token)


def is_bulk() -> bool:
    return _bulk.get()


class TokenBucket:
    """Reservation-style bucket: `reserve()` takes a token now and says how long to wait for it.

    Tokens may go negative, so waiting callers queue up fairly without polling.
    """

    def __init__(self, rate: float, burst: float, clock: Clock) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = burst
        self._updated = clock.monotonic()

    def _refill(self) -> None:
        now = self._clock.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    def reserve(self) -> float:
        self._refill()
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def wait_time(self) -> float:
        """Seconds until a whole token is there, without taking it."""
        self._refill()
        missing = 1 - self._tokens
        # A sliver of a token (float rounding after an exact sleep) counts as a whole one.
        return 0.0 if missing <= 1e-9 else missing / self.rate

    def take(self) -> None:
        self._refill()
        self._tokens -= 1

    def idle(self) -> bool:
        self._refill()
        return self._tokens >= self.burst


class SlidingWindow:
    """At most `count` messages arriving at Telegram in any `seconds`, whatever the network does.

    A message counts from when it leaves until `seconds` after its answer came back: its arrival
    lies in between, so (in flight + answered within `seconds`) < count before each send means no
    window of arrivals ever holds more than `count`, even when a slow link bunches them up.
    """

    POLL = 0.005  # when every counted message is still under way: look again shortly

    def __init__(self, count: int, seconds: float, clock: Clock) -> None:
        self.count = count
        self.seconds = seconds
        self._clock = clock
        self._answered: deque[float] = deque()
        self.in_flight = 0

    def wait_time(self) -> float:
        now = self._prune()
        if self.in_flight + len(self._answered) < self.count:
            return 0.0
        if not self._answered:
            return self.POLL
        return self._answered[0] + self.seconds - now

    def start(self) -> None:
        self.in_flight += 1

    def finish(self) -> None:
        self.in_flight -= 1
        self._answered.append(self._prune())

    def _prune(self) -> float:
        now = self._clock.monotonic()
        while self._answered and self._answered[0] <= now - self.seconds:
            self._answered.popleft()
        return now


@dataclass(frozen=True)
class Limits:
    """Telegram's documented limits (https://core.telegram.org/bots/faq#broadcasting-to-users)."""

    global_per_second: float = 30.0
    chat_per_second: float = 1.0
    chat_burst: float = 3.0
    group_per_minute: float = 20.0
    paid_per_second: float = 1000.0  # broadcasts with allow_paid_broadcast


@dataclass(frozen=True)
class BulkBudget:
    """The broadcast lane: its own rate; in paid mode (allow_paid_broadcast) outside the free limit."""

    rate: float = 29.5
    paid: bool = False


class RateLimiter:
    """Paces every message the bot sends: overall, per chat and per group; honours 429 pauses.

    Two lanes share Telegram's global budget. Interactive replies reserve their slot at once
    (the bucket may go negative, queueing them fairly). Bulk messages (broadcasts) go one at a
    time through a lane that only takes a whole free token, so a waiting reply is always served
    before the next broadcast message: a running broadcast never starves residents' replies.
    """

    PRUNE_AT = 10_000

    def __init__(self, clock: Clock, limits: Limits = Limits(), bulk: BulkBudget = BulkBudget()) -> None:
        self._clock = clock
        self.limits = limits
        self.bulk = bulk
        self._global = TokenBucket(limits.global_per_second, limits.global_per_second, clock)
        # A little burst so a late wake-up of the lane does not lose its slot.
        self._bulk = TokenBucket(bulk.rate, max(1.0, bulk.rate / 20), clock)
        cap = limits.paid_per_second if bulk.paid else limits.global_per_second
        self._window = SlidingWindow(int(cap), 1.0, clock)
        self._bulk_lane = asyncio.Lock()
        # Broadcast requests under way at once: enough for the pace at ~50 ms a request, and no
        # more, so a slow server never gets a queued pile it then takes in faster than the limit.
        self._bulk_requests = asyncio.Semaphore(max(4, round(bulk.rate / 20)))
        self._chats: dict[int | str, TokenBucket] = {}
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nothing is sent until `seconds` have passed."""
        self._paused_until = max(self._paused_until, self._clock.monotonic() + seconds)

    def pause_remaining(self) -> float:
        return max(0.0, self._paused_until - self._clock.monotonic())

    async def wait_pause(self) -> None:
        while (remaining := self.pause_remaining()) > 0:
            await self._clock.sleep(remaining)

    def reserve(self, chat_id: int | str) -> float:
        """Seconds to wait before a message to `chat_id` may be sent (the slot is taken)."""
        return max(self.pause_remaining(), self._global.reserve(), self._chat_bucket(chat_id).reserve())

    async def acquire(self, chat_id: int | str) -> None:
        delay = self.reserve(chat_id)
        if delay > 0:
            await self._clock.sleep(delay)
        await self.wait_pause()

    @asynccontextmanager
    async def sending(self, chat_id: int | str, bulk: bool) -> AsyncIterator[None]:
        """Pace one message, then count it in the window until its answer is back."""
        if not bulk:
            await self.acquire(chat_id)
            async with self._counted(not self.bulk.paid):  # replies share the free budget
                yield
            return
        async with self._bulk_requests:
            await self.acquire_bulk(chat_id)
            async with self._counted(True):
                yield

    @asynccontextmanager
    async def _counted(self, counted: bool) -> AsyncIterator[None]:
        if counted:
            self._window.start()
        try:
            yield
        finally:
            if counted:
                self._window.finish()

    async def acquire_bulk(self, chat_id: int | str) -> None:
        """A broadcast message's slot: the chat's own pace first, then the shared lane."""
        delay = self._chat_bucket(chat_id).reserve()
        if delay > 0:
            await self._clock.sleep(delay)
        async with self._bulk_lane:
            while (wait := self._bulk_wait()) > 0:
                await self._clock.sleep(wait)
            self._bulk.take()
            if not self.bulk.paid:
                self._global.take()

    def _bulk_wait(self) -> float:
        free_budget = 0.0 if self.bulk.paid else self._global.wait_time()
        return max(self.pause_remaining(), self._bulk.wait_time(), self._window.wait_time(), free_budget)

    def _chat_bucket(self, chat_id: int | str) -> TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) >= self.PRUNE_AT:
                self._chats = {key: b for key, b in self._chats.items() if not b.idle()}
            if is_group(chat_id):
                rate = self.limits.group_per_minute / 60
                bucket = TokenBucket(rate, min(self.limits.chat_burst, self.limits.group_per_minute), self._clock)
            else:
                bucket = TokenBucket(self.limits.chat_per_second, self.limits.chat_burst, self._clock)
            self._chats[chat_id] = bucket
        return bucket


def is_group(chat_id: int | str) -> bool:
    """Groups and channels have negative ids (or an @username)."""
    return isinstance(chat_id, str) or chat_id < 0
