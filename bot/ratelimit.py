"""Telegram's sending limits: one place decides when a message may go, and what a 429 holds back.

Every message the bot sends – a reply, a notice, a broadcast message – counts in a sliding
window per limit: overall (~30 in any second; paid broadcasts have their own ~1000), per group
(20 in any minute), and each chat keeps its own pace (~1 a second after a small burst). Nothing
but sends is paced: getUpdates, answerCallbackQuery and edits go at once, whatever a 429 said.
"""
from __future__ import annotations

import asyncio
from bisect import bisect_right, insort
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

    Tokens may go negative, so waiting callers queue up fairly without polling. The broadcast
    lane's own pace is such a bucket.
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


class ChatPace:
    """One chat's own pace as Telegram counts it: a small burst, then one message an interval.

    Telegram counts a message when it arrives, which lies between when it left and its answer.
    So the chat's messages go one at a time, and each leaves only when the pace would allow it
    even had every earlier one arrived as late as its answer: no arrival can then come too
    early, however slowly or unevenly the network carries them (or however long a message
    waited for the overall limit after its turn at the chat came).
    """

    def __init__(self, rate: float, burst: float, clock: Clock) -> None:
        self.interval = 1 / rate
        self.slack = (burst - 1) * self.interval  # how far ahead of the pace a burst may run
        self._clock = clock
        self._due = float("-inf")  # the pace's next arrival, were no burst left
        self._turn = asyncio.Lock()

    async def turn(self) -> None:
        """The chat's turn: the message before has been answered and the pace allows one more."""
        await self._turn.acquire()
        try:
            while (wait := self._due - self.slack - self._clock.monotonic()) > 0:
                await self._clock.sleep(wait)
        except BaseException:
            self._turn.release()
            raise

    def done(self, left: bool) -> None:
        """The message was answered (`left`), or gave up its turn before leaving."""
        if left:
            self._due = max(self._due, self._clock.monotonic()) + self.interval
        self._turn.release()

    def idle(self) -> bool:
        return not self._turn.locked() and self._due <= self._clock.monotonic()


class SlidingWindow:
    """At most `count` messages arriving at Telegram in any `seconds`, whatever the network does.

    A message counts from when it leaves until `seconds` after its answer came back: its arrival
    lies in between, so keeping (in flight + answered within `seconds`) ≤ count at every moment
    means no window of arrivals ever holds more than `count`, even when a slow link bunches them.

    A slot is held from the moment its sender is given it (`hold`), possibly a little before the
    message may leave (`free_at`), until its answer (`release`); whoever asks later is counted
    behind every slot held, so senders are served in order and exactly, without polling. Only
    when every slot is held by a message still under way must a sender wait for an answer
    (`changed`).
    """

    def __init__(self, count: int, seconds: float, clock: Clock) -> None:
        self.count = count
        self.seconds = seconds
        self._clock = clock
        self._ends: list[float] = []  # sorted: when each answered message stops counting
        self.in_flight = 0  # held: given a slot, answer not back yet
        self.waiting = 0  # senders with priority waiting for an answer to make room
        self._changed = asyncio.Event()

    def free_at(self, behind_waiting: bool = False) -> float | None:
        """The moment a message may leave if it held a slot now; None: only an answer makes room.

        `behind_waiting`: a sender without priority (the bulk lane) also lets waiting ones first.
        """
        now = self._prune()
        if self.in_flight >= self.count or (behind_waiting and self.waiting):
            return None
        excess = self.in_flight + len(self._ends) - self.count
        # Once excess + 1 of the answered have stopped counting, fewer than `count` remain.
        return now if excess < 0 else max(now, self._ends[excess])

    def hold(self) -> None:
        self.in_flight += 1

    def release(self, answered: bool = True) -> None:
        """The message's answer is back (it counts `seconds` more), or it never left."""
        self.in_flight -= 1
        if answered:
            insort(self._ends, self._prune() + self.seconds)
        self._changed.set()
        self._changed = asyncio.Event()

    async def changed(self) -> None:
        """Until an answer comes back (or a held slot is given up)."""
        await self._changed.wait()

    def idle(self) -> bool:
        self._prune()
        return not self.in_flight and not self._ends

    def _prune(self) -> float:
        now = self._clock.monotonic()
        if self._ends and self._ends[0] <= now:
            del self._ends[:bisect_right(self._ends, now)]
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


class _Chat:
    """One chat's own limits: its pace, its 429 pause and, for a group, its 20-a-minute window."""

    __slots__ = ("pace", "paused_until", "window")

    def __init__(self, pace: ChatPace, window: SlidingWindow | None) -> None:
        self.pace = pace
        self.window = window
        self.paused_until = 0.0

    def idle(self, now: float) -> bool:
        window_idle = self.window is None or self.window.idle()
        return self.paused_until <= now and self.pace.idle() and window_idle


class RateLimiter:
    """Paces every message the bot sends – overall, per group, per chat – and honours 429s.

    One sliding window holds every free send, replies and broadcast messages together, so no
    second ever holds more than Telegram's ~30 (paid broadcasts count in their own window).
    Two lanes share it. An interactive reply holds its slot at once, in order, behind the slots
    already held. Bulk messages (broadcasts) go one at a time through a lane that takes only a
    slot free right now with no reply waiting for one, at its own pace (`BulkBudget.rate`): a
    reply always goes before the next broadcast message, and bulk takes what replies leave.

    A 429 holds back only what it limits (`too_many_requests`); see there.
    """

    PRUNE_AT = 10_000
    FLOOD_CHATS = 2  # different chats refused (429) within FLOOD_SECONDS: the overall limit
    FLOOD_SECONDS = 1.0

    def __init__(self, clock: Clock, limits: Limits = Limits(), bulk: BulkBudget = BulkBudget()) -> None:
        self._clock = clock
        self.limits = limits
        self.bulk = bulk
        self._free = SlidingWindow(int(limits.global_per_second), 1.0, clock)
        self._paid = SlidingWindow(int(limits.paid_per_second), 1.0, clock)
        # A little burst so a late wake-up of the lane does not lose its slot.
        self._bulk = TokenBucket(bulk.rate, max(1.0, bulk.rate / 20), clock)
        self._bulk_lane = asyncio.Lock()
        # Broadcast requests under way at once: enough for the pace at ~50 ms a request, and no
        # more, so a slow server never gets a queued pile it then takes in faster than the limit.
        self._bulk_requests = asyncio.Semaphore(max(4, round(bulk.rate / 20)))
        self._chats: dict[int | str, _Chat] = {}
        self._paused_until = 0.0  # every send: Telegram's overall limit said 429
        self._refused: dict[int | str, tuple[float, float]] = {}  # chat → (when, retry_after)

    # --- 429s ------------------------------------------------------------------------------

    def too_many_requests(self, chat_id: int | str, retry_after: float) -> str:
        """Telegram refused a send to `chat_id` with 429: hold back what that limit covers.

        Telegram does not say which limit was hit, so the limiter judges:

        * a private chat: its own ~1-a-second limit – sends to that chat wait `retry_after`;
        * a group or channel: its 20-a-minute limit – sends to that group wait;
        * a second different chat refused within `FLOOD_SECONDS` of another: the overall limit
          (per-chat limits are kept here, so two at once means the shared budget is out, e.g.
          another process uses the same token) – every send waits the longest `retry_after`.

        Only sends are ever held back: getUpdates, answerCallbackQuery, edits and the other
        methods go on (a 429 on one of those is waited out by that call alone), and a chat's
        pause never stops other chats. The refused message itself is tried again by its caller
        once the pause is over. Returns "chat", "group" or "all" – what was paused.
        """
        now = self._clock.monotonic()
        chat = self._chat(chat_id)
        chat.paused_until = max(chat.paused_until, now + retry_after)
        recent = now - self.FLOOD_SECONDS
        self._refused = {key: seen for key, seen in self._refused.items() if seen[0] > recent}
        self._refused[chat_id] = (now, retry_after)
        if len(self._refused) >= self.FLOOD_CHATS:
            until = max(when + wait for when, wait in self._refused.values())
            self._paused_until = max(self._paused_until, until)
            return "all"
        return "group" if is_group(chat_id) else "chat"

    def pause(self, seconds: float) -> None:
        """Every send waits until `seconds` have passed (Telegram's overall limit said 429)."""
        self._paused_until = max(self._paused_until, self._clock.monotonic() + seconds)

    def pause_chat(self, chat_id: int | str, seconds: float) -> None:
        """Sends to this one chat wait until `seconds` have passed."""
        chat = self._chat(chat_id)
        chat.paused_until = max(chat.paused_until, self._clock.monotonic() + seconds)

    def pause_remaining(self) -> float:
        return max(0.0, self._paused_until - self._clock.monotonic())

    async def wait_pause(self) -> None:
        """Until a pause of every send is over."""
        while (remaining := self.pause_remaining()) > 0:
            await self._clock.sleep(remaining)

    # --- sending ---------------------------------------------------------------------------

    @asynccontextmanager
    async def sending(self, chat_id: int | str, bulk: bool) -> AsyncIterator[None]:
        """Wait for the message's slot; it counts from here until `seconds` after its answer."""
        held = await (self._bulk_slot(chat_id) if bulk else self._reply_slot(chat_id))
        try:
            yield
        finally:
            for window in held:
                window.release(answered=True)
            self._chat(chat_id).pace.done(left=True)
            if bulk:
                self._bulk_requests.release()

    async def _reply_slot(self, chat_id: int | str) -> list[SlidingWindow]:
        while True:
            held = await self._chat_turn(chat_id)
            try:
                at = await self._hold(self._free, first=True)
                held.append(self._free)
                await self._sleep_until(max(at, self._paused_until))
                await self.wait_pause()
            except BaseException:
                self._give_up(chat_id, held)
                raise
            if self._chat_ready(chat_id):
                return held
            self._give_up(chat_id, held)  # a 429 for this chat came meanwhile: wait for it again

    async def _bulk_slot(self, chat_id: int | str) -> list[SlidingWindow]:
        window = self._paid if self.bulk.paid else self._free
        while True:
            held = await self._chat_turn(chat_id)  # a chat's own wait holds no place in the lane
            try:
                await self._bulk_requests.acquire()
                try:
                    async with self._bulk_lane:
                        await self._lane_turn(window)
                except BaseException:
                    self._bulk_requests.release()
                    raise
            except BaseException:
                self._give_up(chat_id, held)
                raise
            held.append(window)
            if self._chat_ready(chat_id):
                return held
            self._give_up(chat_id, held)
            self._bulk_requests.release()

    async def _lane_turn(self, window: SlidingWindow) -> None:
        """The bulk lane's next slot: free now, no reply waiting, at the lane's own pace."""
        while True:
            at = window.free_at(behind_waiting=True)
            if at is None:
                await window.changed()
                continue
            wait = max(at - self._clock.monotonic(), self._bulk.wait_time(), self.pause_remaining())
            if wait <= 0:
                break
            await self._clock.sleep(wait)
        self._bulk.take()
        window.hold()

    async def _chat_turn(self, chat_id: int | str) -> list[SlidingWindow]:
        """Wait for the chat's turn at its own pace and pause (kept until the message is answered
        or gives up); a group's message also holds its window slot."""
        chat = self._chat(chat_id)
        await chat.pace.turn()
        try:
            while (paused := chat.paused_until - self._clock.monotonic()) > 0:
                await self._clock.sleep(paused)
            if chat.window is None:
                return []
            at = await self._hold(chat.window, first=False)
            try:
                await self._sleep_until(at)
            except BaseException:
                chat.window.release(answered=False)
                raise
        except BaseException:
            chat.pace.done(left=False)
            raise
        return [chat.window]

    async def _hold(self, window: SlidingWindow, first: bool) -> float:
        """Hold a slot in `window` (waiting for an answer if none can be had); when it is free."""
        while (at := window.free_at()) is None:
            window.waiting += int(first)
            try:
                await window.changed()
            finally:
                window.waiting -= int(first)
        window.hold()
        return at

    async def _sleep_until(self, moment: float) -> None:
        while (wait := moment - self._clock.monotonic()) > 0:
            await self._clock.sleep(wait)

    def _chat_ready(self, chat_id: int | str) -> bool:
        return self._chat(chat_id).paused_until <= self._clock.monotonic()

    def _give_up(self, chat_id: int | str, held: list[SlidingWindow]) -> None:
        """The message will not leave now: its slots and the chat's turn go to the next."""
        for window in held:
            window.release(answered=False)
        held.clear()
        self._chat(chat_id).pace.done(left=False)

    def _chat(self, chat_id: int | str) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            if len(self._chats) >= self.PRUNE_AT:
                now = self._clock.monotonic()
                self._chats = {key: known for key, known in self._chats.items()
                               if not known.idle(now)}
            if is_group(chat_id):
                rate = self.limits.group_per_minute / 60
                burst = min(self.limits.chat_burst, self.limits.group_per_minute)
                window = SlidingWindow(int(self.limits.group_per_minute), 60.0, self._clock)
                chat = _Chat(ChatPace(rate, burst, self._clock), window)
            else:
                rate, burst = self.limits.chat_per_second, self.limits.chat_burst
                chat = _Chat(ChatPace(rate, burst, self._clock), None)
            self._chats[chat_id] = chat
        return chat


def is_group(chat_id: int | str) -> bool:
    """Groups and channels have negative ids (or an @username)."""
    return isinstance(chat_id, str) or chat_id < 0
