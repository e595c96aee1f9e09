"""Live progress for staff: one message per broadcast, edited every few seconds, then a final report."""
from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n

from bot.clock import Clock
from bot.i18n import format_share
from bot.services import broadcasts, outbox
from bot.services.outbox import Held
from storage.models import Broadcast
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

INTERVAL = 3.0        # seconds between edits of a progress message
RATE_WINDOW = 15.0    # seconds of history the rate is measured over


@dataclass(frozen=True)
class Pace:
    """Recently measured messages per second (None before there are two samples)."""

    rate: float | None

    def eta(self, remaining: int) -> float | None:
        return remaining / self.rate if self.rate else None


class PaceMeter:
    """Messages per second over the last RATE_WINDOW seconds, from samples of a done-count."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._samples: dict[int, deque[tuple[float, int]]] = {}

    def measure(self, key: int, done: int) -> Pace:
        now = self.clock.monotonic()
        samples = self._samples.setdefault(key, deque())
        samples.append((now, done))
        while now - samples[0][0] > RATE_WINDOW:
            samples.popleft()
        (first_time, first_done), (last_time, last_done) = samples[0], samples[-1]
        if last_time <= first_time:
            return Pace(None)
        return Pace((last_done - first_done) / (last_time - first_time))

    def forget(self, key: int) -> None:
        self._samples.pop(key, None)


def progress_bar(done: int, total: int, cells: int = 12, locale: str | None = None) -> str:
    """A bar and the share done; with a locale the share is in its region's format ("42 %")."""
    share = done / total if total else 1.0
    filled = round(share * cells)
    percent = format_share(share, locale) if locale else f"{share:.0%}"
    return "▓" * filled + "░" * (cells - filled) + f" {percent}"


ProgressView = Callable[[Broadcast, Pace, Held, datetime], tuple[str, InlineKeyboardMarkup | None]]


class ProgressReporter:
    def __init__(self, bot: Bot, uow_factory: UnitOfWorkFactory, clock: Clock, i18n: I18n,
                 view: ProgressView) -> None:
        self.bot = bot
        self.uow_factory = uow_factory
        self.clock = clock
        self.i18n = i18n
        self.view = view
        self.meter = PaceMeter(clock)
        self._shown: dict[int, str] = {}

    async def tick(self) -> None:
        """Edit every followed broadcast's progress message; a finished one gets its final report."""
        async with self.uow_factory() as uow:
            for broadcast in await uow.outbox.followed():
                resident = await uow.residents.by_telegram_id(broadcast.progress_chat_id or 0)
                locale = resident.locale if resident else self.i18n.default_locale
                now = self.clock.now()
                held = await outbox.held_back(uow, broadcast.id, now)
                with self.i18n.context(), self.i18n.use_locale(locale):
                    pace = self.meter.measure(broadcast.id, broadcast.total - broadcast.remaining)
                    text, markup = self.view(broadcast, pace, held, now)
                finished = broadcast.status in ("done", "cancelled")
                if self._shown.get(broadcast.id) != text:
                    await self._edit(broadcast, text, markup)
                    self._shown[broadcast.id] = text
                if finished:
                    await broadcasts.stop_following(uow, broadcast)
                    self.meter.forget(broadcast.id)
                    self._shown.pop(broadcast.id, None)

    async def _edit(self, broadcast: Broadcast, text: str, markup: InlineKeyboardMarkup | None) -> None:
        assert broadcast.progress_chat_id and broadcast.progress_message_id
        try:
            await self.bot.edit_message_text(text=text, chat_id=broadcast.progress_chat_id,
                                             message_id=broadcast.progress_message_id, reply_markup=markup)
        except TelegramAPIError as error:
            log.info("progress of broadcast %s not shown: %s", broadcast.id, error.message)
