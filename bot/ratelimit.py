"""Telegram's sending limits as token buckets: one place decides when a message may go."""
from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock


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

    def idle(self) -> bool:
        self._refill()
        return self._tokens >= self.burst


@dataclass(frozen=True)
class Limits:
    """Telegram's documented limits (https://core.telegram.org/bots/faq#broadcasting-to-users)."""

    global_per_second: float = 30.0
    chat_per_second: float = 1.0
    chat_burst: float = 3.0
    group_per_minute: float = 20.0


class RateLimiter:
    """Paces every message the bot sends: overall, per chat and per group; honours 429 pauses."""

    PRUNE_AT = 10_000

    def __init__(self, clock: Clock, limits: Limits = Limits()) -> None:
        self._clock = clock
        self.limits = limits
        self._global = TokenBucket(limits.global_per_second, limits.global_per_second, clock)
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
