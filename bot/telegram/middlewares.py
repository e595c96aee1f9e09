"""Per-update context: dedup by update_id, a unit of work, the resident, their conversation and locale."""
from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.fsm.context import FSMContext
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from aiogram.types import TelegramObject, Update, User
from aiogram.utils.i18n import I18nMiddleware

from bot.clock import Clock
from bot.services import residents
from bot.telegram.conversations import UpdateConversation, conversation_key
from domain import pick_locale
from storage.repositories.updates import UpdateAlreadyHandled
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UpdateContextMiddleware(BaseMiddleware):
    """Outer middleware on updates: one unit of work for each update, in its conversation's turn.

    One read tells whether the update was handled before and brings the resident and their
    conversation. The update's claim is staged in the unit of work, so it is written with the
    handler's first commit (or, when the handler only read, once it has finished): a redelivered
    update is skipped, and a handler that fails leaves nothing half-written, its claim included.
    `resident` is in the handlers' data only when a person wrote (see `is_person`); the chats
    router (handlers/chats.py) sets the other updates aside before any handler expects one.
    Replaces aiogram's own FSM middleware (the dispatcher runs with disable_fsm), which would read
    the state in a session of its own before this one.
    """

    def __init__(
        self, uow_factory: UnitOfWorkFactory, default_locale: str, clock: Clock, fsm: FSMContextMiddleware,
        *, conversations_in_store: bool,
    ) -> None:
        self.uow_factory = uow_factory
        self.default_locale = default_locale
        self.clock = clock
        self.fsm = fsm
        self.conversations_in_store = conversations_in_store

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        event = without_nul(event)
        context = self.fsm.resolve_event_context(data["bot"], data)
        if context is None:
            return await self._handle(handler, event, data, None)
        async with self.fsm.events_isolation.lock(context.key):
            return await self._handle(handler, event, data, context)

    async def _handle(
        self, handler: Handler, update: Update, data: dict[str, Any], context: FSMContext | None
    ) -> Any:
        bot_id = data["bot"].id
        user: User | None = data.get("event_from_user")
        person = user if is_person(update, user) else None
        key = conversation_key(context.key) if context is not None and self.conversations_in_store else None
        async with self.uow_factory() as uow:
            now = self.clock.now()
            arrival = await uow.updates.arrival(
                bot_id, update.update_id, person.id if person else None, key)
            if arrival.seen:
                log.info("update %s was handled before; skipped", update.update_id)
                return UNHANDLED
            uow.stage("claim", partial(uow.updates.claim, bot_id, update.update_id, now))
            data["locale"] = pick_locale(user.language_code if user else None, self.default_locale)
            if person is not None:
                resident = arrival.resident or await residents.greet(uow, person.id, data["locale"], now)
                data["resident"] = resident
                data["locale"] = resident.locale
            if context is not None:
                if arrival.conversation is not None:
                    conversation = UpdateConversation(uow, context.key, arrival.conversation, now)
                    context = FSMContext(conversation, context.key)
                data["state"] = context
                data["raw_state"] = await context.get_state()
            data["uow"] = uow
            try:
                result = await handler(update, data)
            except UpdateAlreadyHandled:
                log.info("update %s was handled elsewhere meanwhile; skipped", update.update_id)
                return UNHANDLED
            if uow.has_staged:
                await uow.commit()
            return result


SENT_AS_CHAT = ("message", "edited_message")  # the updates that may carry a sender_chat


def is_person(update: Update, user: User | None) -> bool:
    """A person wrote: not another bot, and not a channel or group speaking as itself
    (`sender_chat`: Telegram then names a stand-in account, sometimes one that is no bot)."""
    if user is None or user.is_bot:
        return False
    return all(getattr(getattr(update, kind), "sender_chat", None) is None for kind in SENT_AS_CHAT)


def without_nul(update: Update) -> Update:
    """The update with U+0000 in a message's text or caption turned into a space.

    PostgreSQL's text columns cannot hold U+0000 (SQLite's can); a space keeps the entities'
    offsets and stores a resident's words the same in either store.
    """
    for kind in ("message", "edited_message"):
        message = getattr(update, kind)
        if message is None:
            continue
        cleaned = {name: value.replace("\x00", " ") for name in ("text", "caption")
                   if (value := getattr(message, name)) and "\x00" in value}
        if cleaned:
            return update.model_copy(update={kind: message.model_copy(update=cleaned)})
    return update


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
                del self._holders[key]
                self._locks.pop(key, None)  # already gone when the bot closed meanwhile

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
