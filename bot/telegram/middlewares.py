"""Per-update context: dedup by update_id, a unit of work, the resident and their locale."""
from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from aiogram.types import TelegramObject, Update, User
from aiogram.utils.i18n import I18nMiddleware

from bot.clock import Clock
from bot.services import residents
from domain import pick_locale
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UpdateContextMiddleware(BaseMiddleware):
    """Outer middleware on updates.

    Claims the update id (committed with the resident's first-contact row, before any handler
    runs), so an update Telegram delivers again is skipped; the same unit of work then serves
    the handlers.
    """

    def __init__(self, uow_factory: UnitOfWorkFactory, default_locale: str, clock: Clock) -> None:
        self.uow_factory = uow_factory
        self.default_locale = default_locale
        self.clock = clock

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        async with self.uow_factory() as uow:
            now = self.clock.now()
            if not await uow.updates.claim(data["bot"].id, event.update_id, now):
                log.info("update %s was handled before; skipped", event.update_id)
                return UNHANDLED
            user: User | None = data.get("event_from_user")
            data["locale"] = pick_locale(user.language_code if user else None, self.default_locale)
            if user is not None and not user.is_bot:
                resident = await residents.greet(uow, user.id, data["locale"], now)  # commits the claim too
                data["resident"] = resident
                data["locale"] = resident.locale
            else:
                await uow.commit()
            data["uow"] = uow
            return await handler(event, data)


class OneAtATime(BaseEventIsolation):
    """Updates of one conversation are handled one at a time, in the order they arrived.

    aiogram handles updates concurrently; without this, a button tapped right after a question
    arrived could be handled before the handler that asked it had recorded its step. Like
    aiogram's SimpleEventIsolation, but a lock lives only while someone holds or awaits it, so
    a city's worth of residents leaves nothing behind. (Several processes: RedisEventIsolation.)
    """

    def __init__(self) -> None:
        self._locks: dict[StorageKey, asyncio.Lock] = {}
        self._holders: Counter[StorageKey] = Counter()

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._holders[key] += 1
        try:
            async with lock:
                yield
        finally:
            self._holders[key] -= 1
            if not self._holders[key]:
                del self._holders[key], self._locks[key]

    def held(self) -> int:
        """How many conversations hold or await their lock now.

        (Not __len__: aiogram takes an isolation that is falsy for no isolation at all.)
        """
        return len(self._locks)

    async def close(self) -> None:
        self._locks.clear()


class ResidentI18nMiddleware(I18nMiddleware):
    """Speaks the language the resident chose (or Telegram's guess before they choose)."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        return data.get("locale") or self.i18n.default_locale
