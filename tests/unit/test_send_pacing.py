"""Every send counted in one sliding second, and a 429 holding back only what it limits.

The bot's Bot API calls go through the paced session into a fake Telegram that notes the fake
clock's time at which each call reaches it; nothing sleeps for real.
"""
from __future__ import annotations

import asyncio
import itertools
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.types import Chat, Message

from bot.ratelimit import BulkBudget, Limits, RateLimiter, bulk_sending, is_bulk
from sandbox.limits import Bucket as ChatBucket
from bot.telegram.requests import SENDING_METHODS, PacedRetryMiddleware
from tests.support.clock import FakeClock
from tests.support.pacing import send


@dataclass
class Call:
    method: str
    chat_id: int | str | None
    bulk: bool
    left: float  # when it left the bot
    at: float = 0.0  # when it reached Telegram (other tasks may have moved the clock meanwhile)


class FakeTelegram(BaseSession):
    """Answers at once, after letting other tasks run (the request is under way meanwhile).

    `departures` lists calls in the order they left the bot; `calls` the answered ones with the
    time they reached Telegram; `flood` scripts 429s: chat id → retry_after of its next sends.
    """

    def __init__(self, clock: FakeClock, flood: dict[int, list[int]] | None = None) -> None:
        super().__init__()
        self.clock = clock
        self.flood = {chat: list(waits) for chat, waits in (flood or {}).items()}
        self.departures: list[Call] = []
        self.calls: list[Call] = []
        self.refused: list[Call] = []
        self.on_send: Callable[[Call], None] | None = None
        self._ids = itertools.count(1)

    async def close(self) -> None:
        pass

    def stream_content(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:
        call = Call(type(method).__name__, getattr(method, "chat_id", None), is_bulk(), self.clock.monotonic())
        self.departures.append(call)
        await asyncio.sleep(0)
        call.at = self.clock.monotonic()
        sending = isinstance(method, SENDING_METHODS)
        if sending and self.flood.get(call.chat_id):
            self.refused.append(call)
            seconds = self.flood[call.chat_id].pop(0)
            raise TelegramRetryAfter(method, f"Too Many Requests: retry after {seconds}", seconds)
        self.calls.append(call)
        if sending and self.on_send is not None:
            self.on_send(call)
        if isinstance(method, GetUpdates):
            return []
        if sending:
            return Message(message_id=next(self._ids), date=0, chat=Chat(id=call.chat_id, type="private"))
        return True

    def sends(self, *, bulk: bool | None = None) -> list[Call]:
        return [call for call in self.calls if call.method == "SendMessage" and bulk in (None, call.bulk)]


class HeldClock(FakeClock):
    """A FakeClock whose sleepers wait until the test lets time move on.

    Whatever is not held back finishes at the instant the test holds; `waiting` says who sleeps.
    """

    def __init__(self) -> None:
        super().__init__()
        self.waiting: list[float] = []
        self._gate = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        if not self._gate.is_set():
            self.waiting.append(seconds)
            await self._gate.wait()
        await super().sleep(seconds)

    def let_go(self) -> None:
        self._gate.set()


def paced_bot(session: BaseSession, clock: FakeClock, limiter: RateLimiter | None = None) -> Bot:
    session.middleware(PacedRetryMiddleware(limiter or RateLimiter(clock), clock))
    return Bot("42:TEST-token", session=session)


def most_in_any_window(times: list[float], seconds: float = 1.0) -> int:
    times = sorted(times)
    return max((bisect_left(times, start + seconds) - index for index, start in enumerate(times)), default=0)


async def settle(done: Callable[[], bool]) -> None:
    """Let the other tasks run until `done()` or until nothing more happens."""
    for _ in range(200):
        if done():
            return
        await asyncio.sleep(0)


async def test_a_burst_of_replies_to_a_hundred_chats_never_puts_more_than_thirty_in_a_second():
    clock = FakeClock()
    telegram = FakeTelegram(clock)
    bot = paced_bot(telegram, clock)
    await asyncio.gather(*(bot.send_message(chat, "Kiitos!") for chat in range(1, 101)))
    assert len(telegram.sends()) == 100
    assert most_in_any_window([call.left for call in telegram.sends()]) <= 30
    assert most_in_any_window([call.at for call in telegram.sends()]) <= 30
    assert max(call.at for call in telegram.sends()) < 4  # no slower than the limit asks: 30, 30, 30, 10


async def test_replies_during_a_broadcast_share_the_thirty_and_go_before_the_next_broadcast_message():
    clock = FakeClock()
    telegram = FakeTelegram(clock)
    bot = paced_bot(telegram, clock, RateLimiter(clock, bulk=BulkBudget(rate=29.5)))
    writers: asyncio.Queue[int] = asyncio.Queue()
    requested: dict[int, int] = {}  # reply chat → how many calls had left when it was asked for

    def on_send(call: Call) -> None:
        sent = len(telegram.sends(bulk=True))
        if sent in (300, 600):  # 10 and 20 s into the broadcast, twenty residents write at once
            writers.put_nowait(sent)

    async def broadcast() -> None:
        with bulk_sending():
            for chat in range(1, 901):
                await bot.send_message(chat, "Tiedote")

    async def reply(chat: int) -> None:
        requested[chat] = len(telegram.departures)
        await bot.send_message(chat, "Kiitos!")

    async def residents() -> None:
        for _ in range(2):
            wave = await writers.get()
            await asyncio.gather(*(reply(900_000 + wave + n) for n in range(20)))

    telegram.on_send = on_send
    await asyncio.gather(broadcast(), residents())

    assert len(telegram.sends(bulk=True)) == 900 and len(telegram.sends(bulk=False)) == 40
    assert most_in_any_window([call.left for call in telegram.sends()]) <= 30
    assert most_in_any_window([call.at for call in telegram.sends()]) <= 30
    order = [(call.chat_id, call.bulk) for call in telegram.departures]
    for chat, asked in requested.items():
        left = order.index((chat, False))
        assert not any(bulk for _, bulk in order[asked:left]), "a broadcast message went before a waiting reply"


async def test_a_429_for_one_chat_holds_back_that_chat_and_nothing_else():
    clock = HeldClock()
    telegram = FakeTelegram(clock, flood={1: [5]})
    bot = paced_bot(telegram, clock)
    refused = asyncio.create_task(bot.send_message(1, "Kiitos!"))
    await settle(lambda: bool(clock.waiting))
    assert [call.chat_id for call in telegram.refused] == [1]

    async def broadcast_message(chat: int) -> Message:
        with bulk_sending():
            return await bot.send_message(chat, "Tiedote")

    others = [
        asyncio.create_task(call) for call in (
            bot.get_updates(offset=1, timeout=0),
            bot.answer_callback_query("42"),
            bot.edit_message_text("Muokattu", chat_id=1, message_id=1),
            bot.edit_message_reply_markup(chat_id=1, message_id=1),
            bot.send_message(2, "Kiitos!"),
            broadcast_message(3),
        )
    ]
    await settle(lambda: all(task.done() for task in others))
    assert all(task.done() for task in others)
    assert clock.waiting == [5]  # only the refused send waits, for retry_after
    assert {(call.method, call.chat_id, call.at) for call in telegram.calls} == {
        ("GetUpdates", None, 0), ("AnswerCallbackQuery", None, 0), ("EditMessageText", 1, 0),
        ("EditMessageReplyMarkup", 1, 0), ("SendMessage", 2, 0), ("SendMessage", 3, 0),
    }

    clock.let_go()
    await refused
    assert [(call.chat_id, call.at) for call in telegram.sends()][-1] == (1, 5)  # retried, delivered


async def test_a_429_for_a_group_holds_back_that_group_only():
    clock = HeldClock()
    telegram = FakeTelegram(clock, flood={-100123: [7]})
    bot = paced_bot(telegram, clock)
    refused = asyncio.create_task(bot.send_message(-100123, "Kokous"))
    await settle(lambda: bool(clock.waiting))
    others = [asyncio.create_task(bot.send_message(chat, "Kiitos!")) for chat in (-100456, 1)]
    await settle(lambda: all(task.done() for task in others))
    assert all(task.done() for task in others) and clock.waiting == [7]
    clock.let_go()
    await refused
    assert telegram.sends()[-1].chat_id == -100123 and clock.monotonic() == 7


async def test_429s_from_two_chats_within_a_second_hold_back_every_send_but_no_other_call():
    clock = HeldClock()
    telegram = FakeTelegram(clock, flood={1: [3], 2: [4]})
    bot = paced_bot(telegram, clock)
    refused = [asyncio.create_task(bot.send_message(chat, "Kiitos!")) for chat in (1, 2)]
    await settle(lambda: len(clock.waiting) == 2)
    later = asyncio.create_task(bot.send_message(3, "Kiitos!"))
    others = [asyncio.create_task(bot.get_updates(offset=1, timeout=0)),
              asyncio.create_task(bot.answer_callback_query("42"))]
    await settle(lambda: all(task.done() for task in others) and len(clock.waiting) == 3)
    assert all(task.done() for task in others) and not later.done()
    assert sorted(clock.waiting) == [3, 4, 4]  # a global flood: chat 3 waits the longest retry_after
    clock.let_go()
    await asyncio.gather(later, *refused)
    assert sorted(call.chat_id for call in telegram.sends()) == [1, 2, 3]


async def test_a_group_never_gets_more_than_twenty_in_any_minute():
    clock = FakeClock()
    limiter = RateLimiter(clock, Limits(group_per_minute=20, chat_burst=3))
    times = []
    for _ in range(60):
        async with limiter.sending(-100123, bulk=False):
            times.append(clock.monotonic())
    assert most_in_any_window(times, 60.0) <= 20
    assert times[3] == 3.0  # still the burst of three, then one every three seconds


async def test_a_reply_given_up_while_it_waits_frees_its_slot():
    clock = HeldClock()
    limiter = RateLimiter(clock, Limits(global_per_second=1))
    await send(limiter, 1)  # the second's one send
    given_up = asyncio.create_task(send(limiter, 2))
    await settle(lambda: bool(clock.waiting))  # holds the next slot, waiting for it
    after = asyncio.create_task(send(limiter, 3))
    await settle(lambda: False)
    assert clock.waiting == [1.0]  # the next one waits behind it for an answer
    given_up.cancel()
    await settle(lambda: len(clock.waiting) == 2)
    clock.let_go()
    await settle(after.done)
    assert after.done() and clock.monotonic() == 1.0


async def test_a_chats_messages_never_arrive_faster_than_its_pace_however_the_network_carries_them():
    """Telegram counts a chat's messages when they arrive (the sandbox's GCRA is the referee);
    a slow or uneven network, and waits for the overall limit, must never bunch them up."""
    clock = FakeClock()
    limiter = RateLimiter(clock)
    referee = ChatBucket(rate=1.0, burst=3)
    delays = itertools.cycle([(0.02, 0.02), (0.9, 0.01), (0.01, 0.6), (0.3, 0.3), (0.0, 0.0)])
    refused = []

    async def deliver(number: int) -> None:
        to_telegram, back = next(delays)
        async with limiter.sending(7, bulk=number % 2 == 0):
            clock.advance(to_telegram)  # under way: arrives after this
            if referee.wait(7, clock.monotonic()) > 0:
                refused.append(number)
            referee.take(7, clock.monotonic())
            clock.advance(back)

    await asyncio.gather(*(deliver(number) for number in range(40)))
    assert refused == []
