"""Telegram's flood limits, driven by an injectable clock so tests can fake time."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any

Clock = Callable[[], float]


@dataclass
class Limits:
    enabled: bool = True
    global_per_second: int = 30  # to all chats together
    paid_per_second: int = 1000  # the same, for allow_paid_broadcast messages
    chat_per_second: float = 1.0  # per chat, after a burst of chat_burst
    chat_burst: int = 3
    group_per_minute: int = 20
    callback_query_ttl: float = 60.0
    webhook_retry_delay: float = 1.0  # first retry; doubles up to a minute

    def update(self, changes: dict[str, Any]) -> None:
        types = {f.name: f.type for f in fields(self)}
        for name, value in changes.items():
            if name not in types:
                raise ValueError(f"unknown limit {name!r}")
            if types[name] == "bool":
                value = bool(value)
            elif types[name] == "int":
                value = int(value)
            else:
                value = float(value)
            setattr(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Window:
    """At most `count` sends per key in any `seconds`-long window."""

    __slots__ = ("count", "seconds", "logs")

    def __init__(self, count: int, seconds: float) -> None:
        self.count = count
        self.seconds = seconds
        self.logs: dict[Any, deque[float]] = {}

    def wait(self, key: Any, now: float) -> float:
        log = self.logs.get(key)
        if not log:
            return 0.0
        while log and log[0] <= now - self.seconds:
            log.popleft()
        return 0.0 if len(log) < self.count else log[0] + self.seconds - now

    def take(self, key: Any, now: float) -> None:
        log = self.logs.get(key)
        if log is None:
            log = self.logs[key] = deque(maxlen=self.count)
        log.append(now)


class Bucket:
    """Generic cell rate algorithm: `burst` sends at once, then one per 1/rate seconds.

    Stores one float ("theoretical arrival time") per key, so a bucket keyed by
    chat stays cheap with 100k chats.
    """

    __slots__ = ("interval", "slack", "tat")

    def __init__(self, rate: float, burst: float) -> None:
        self.interval = 1.0 / rate
        self.slack = (burst - 1) * self.interval
        self.tat: dict[Any, float] = {}

    def wait(self, key: Any, now: float) -> float:
        """Seconds until `key` may send again (0 if it may send now)."""
        tat = self.tat.get(key, now)
        return max(0.0, (tat if tat > now else now) - now - self.slack)

    def take(self, key: Any, now: float) -> None:
        tat = self.tat.get(key, now)
        self.tat[key] = (tat if tat > now else now) + self.interval


class FloodControl:
    """Decides whether a message to a chat may go out now; returns retry_after otherwise."""

    def __init__(self, limits: Limits, clock: Clock) -> None:
        self.limits = limits
        self.clock = clock
        self.reset()

    def reset(self) -> None:
        lim = self.limits
        self.free = Window(lim.global_per_second, 1.0)
        self.paid = Window(lim.paid_per_second, 1.0)
        self.chats = Bucket(lim.chat_per_second, lim.chat_burst)
        self.groups = Window(lim.group_per_minute, 60.0)

    def acquire(self, chat_id: int, is_group: bool, paid: bool) -> int:
        """Consume one message from every applicable budget; 0 on success, else retry_after."""
        if not self.limits.enabled:
            return 0
        now = self.clock()
        overall = self.paid if paid else self.free
        wait = max(overall.wait(None, now), self.chats.wait(chat_id, now))
        if is_group:
            wait = max(wait, self.groups.wait(chat_id, now))
        if wait > 0:
            return max(1, math.ceil(wait - 1e-9))
        overall.take(None, now)
        self.chats.take(chat_id, now)
        if is_group:
            self.groups.take(chat_id, now)
        return 0


class FakeClock:
    """A settable time source for deterministic tests."""

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
