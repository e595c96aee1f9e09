"""Flood protection: a resident sending too fast is told so once, then ignored for a while.

Each resident's updates are counted in fixed windows of WINDOW seconds. The one that goes over
LIMIT is answered with a polite line in the resident's language; their updates are then ignored
for PAUSE seconds, after which they start afresh. Staff (anyone with a role) are never held
back – their count is forgotten whenever it goes over – and nobody else waits: a flooding
resident's updates queue only on their own conversation's turn.

Sits inside UpdateContextMiddleware: a redelivered update was skipped before it could be
counted, and an ignored update is still claimed (nothing else of it is written), so Telegram
sending it again changes nothing. With REDIS_URL every bot process counts in Redis, otherwise
each process in memory, keeping only the residents of the current window and those paused.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.types import TelegramObject, Update
from aiogram.utils.i18n import I18n

from bot.clock import Clock
from bot.i18n import N_
from bot.services import staff

if TYPE_CHECKING:
    from aiogram.fsm.storage.redis import RedisStorage
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

# A person tapping fast sends about one update a second; a stuck client or a script, many more.
LIMIT = 30  # updates a resident may send in one window
WINDOW = 10.0  # seconds
PAUSE = 30.0  # seconds a resident who went over is then ignored

TOO_FAST = N_("You are sending messages very fast – please wait a moment, then carry on.")


class Verdict(Enum):
    SERVE = "serve"
    WARN = "warn"  # just went over: tell them, and ignore this one
    IGNORE = "ignore"  # paused


class FloodCounter(Protocol):
    async def hit(self, telegram_id: int) -> Verdict: ...

    async def forget(self, telegram_id: int) -> None: ...


@dataclass
class _Tally:
    window: int
    count: int = 0
    paused_until: float = -math.inf


class MemoryFloodCounter:
    """One process's count, on the clock's monotonic time."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._tallies: dict[int, _Tally] = {}
        self._next_sweep = -math.inf

    async def hit(self, telegram_id: int) -> Verdict:
        now = self.clock.monotonic()
        self._sweep(now)
        window = int(now // WINDOW)
        tally = self._tallies.get(telegram_id)
        if tally is not None and tally.paused_until > now:
            return Verdict.IGNORE
        if tally is None or tally.window != window:
            tally = self._tallies[telegram_id] = _Tally(window)
        tally.count += 1
        if tally.count <= LIMIT:
            return Verdict.SERVE
        tally.count, tally.paused_until = 0, now + PAUSE
        return Verdict.WARN

    async def forget(self, telegram_id: int) -> None:
        self._tallies.pop(telegram_id, None)

    def _sweep(self, now: float) -> None:
        """Forget, once a window, the residents neither counted in this window nor paused."""
        if now < self._next_sweep:
            return
        window = int(now // WINDOW)
        self._tallies = {telegram_id: tally for telegram_id, tally in self._tallies.items()
                         if tally.window == window or tally.paused_until > now}
        self._next_sweep = (window + 1) * WINDOW

    def tracked(self) -> int:
        """How many residents the count holds now."""
        return len(self._tallies)


# KEYS: the pause, this window's count. ARGV: now, LIMIT, paused until, the keys' lifetimes.
# The moments are the bot's clock's; Redis's own expiry only clears keys away afterwards.
_HIT = """
local paused = redis.call('GET', KEYS[1])
if paused and tonumber(paused) > tonumber(ARGV[1]) then return 2 end
local count = redis.call('INCR', KEYS[2])
if count == 1 then redis.call('EXPIRE', KEYS[2], ARGV[4]) end
if count <= tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[5])
redis.call('DEL', KEYS[2])
return 1
"""
_VERDICTS = {0: Verdict.SERVE, 1: Verdict.WARN, 2: Verdict.IGNORE}


class RedisFloodCounter:
    """The count every bot process shares: one atomic script per update."""

    def __init__(self, redis: Redis, clock: Clock, prefix: str = "foorumi:flood") -> None:
        self.redis = redis
        self.clock = clock
        self.prefix = prefix
        self._hit = redis.register_script(_HIT)

    async def hit(self, telegram_id: int) -> Verdict:
        now = self.clock.now().timestamp()
        verdict = await self._hit(keys=self._keys(telegram_id, now), args=[
            repr(now), LIMIT, repr(now + PAUSE), math.ceil(WINDOW) + 1, math.ceil(PAUSE) + 1])
        return _VERDICTS[int(verdict)]

    async def forget(self, telegram_id: int) -> None:
        await self.redis.delete(*self._keys(telegram_id, self.clock.now().timestamp()))

    def _keys(self, telegram_id: int, now: float) -> list[str]:
        """The pause and this window's count; one hash slot per resident (Redis Cluster)."""
        key = f"{self.prefix}:{{{telegram_id}}}"
        return [f"{key}:pause", f"{key}:{int(now // WINDOW)}"]


def flood_counter(shared: RedisStorage | None, clock: Clock) -> FloodCounter:
    """In the Redis the conversations are shared through, when they are; otherwise in memory."""
    return RedisFloodCounter(shared.redis, clock) if shared is not None else MemoryFloodCounter(clock)


Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class FloodMiddleware(BaseMiddleware):
    """Outer middleware on updates, registered after UpdateContextMiddleware (it needs the resident)."""

    def __init__(self, counter: FloodCounter, i18n: I18n) -> None:
        self.counter = counter
        self.i18n = i18n

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        resident = data.get("resident")
        if resident is None:  # no person behind it: the chats router sets it aside
            return await handler(event, data)
        verdict = await self.counter.hit(resident.telegram_id)
        if verdict is Verdict.SERVE:
            return await handler(event, data)
        if await staff.roles_of(data["uow"], resident.telegram_id):  # read only for someone over the limit
            await self.counter.forget(resident.telegram_id)  # staff are not counted
            return await handler(event, data)
        if verdict is Verdict.WARN:  # once per pause: a flood does not flood the log either
            log.info("update %s: its sender went over the flood limit; ignored for %g s",
                     event.update_id, PAUSE)
            await self._warn(event, self.i18n.gettext(TOO_FAST, locale=resident.locale))
        return UNHANDLED

    @staticmethod
    async def _warn(update: Update, text: str) -> None:
        """A button's alert, or a line in the private chat (none in a group: no noise there)."""
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(text, show_alert=True)
            elif update.message is not None and update.message.chat.type == ChatType.PRIVATE:
                await update.message.answer(text)
        except TelegramAPIError as error:
            log.warning("update %s: could not say so: %s", update.update_id, type(error).__name__)
