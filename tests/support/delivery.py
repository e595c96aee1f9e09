"""Shared pieces of the delivery tests: a scripted Telegram, residents in bulk, a sender on a fake clock."""
from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.methods import TelegramMethod
from aiogram.types import Chat, Message
from sqlalchemy import insert

from bot.outbox.render import Renderer
from bot.outbox.sender import OutboxSender, SenderConfig
from bot.i18n import create_i18n
from bot.ratelimit import BulkBudget, RateLimiter
from bot.telegram.requests import PacedRetryMiddleware
from storage.models import Resident
from storage.uow import UnitOfWorkFactory
from tests.support.clock import FakeClock
from tests.support.recording import BOT_USER

ZONE = ZoneInfo("Europe/Helsinki")
I18N = create_i18n("fi")


@dataclass
class Sent:
    method: str
    chat_id: int
    text: str | None
    paid: bool


@dataclass
class ScriptedTelegram(BaseSession):
    """Answers like Telegram: 403 for `blocked` chats, 400 for `missing`, scripted errors per chat."""

    blocked: set[int] = field(default_factory=set)
    missing: set[int] = field(default_factory=set)
    failures: dict[int, list[Callable[[TelegramMethod[Any]], Exception]]] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(1)

    async def close(self) -> None:
        pass

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:
        chat_id = int(method.chat_id)  # type: ignore[attr-defined]
        if chat_id in self.blocked:
            raise TelegramForbiddenError(method, "Forbidden: bot was blocked by the user")
        if chat_id in self.missing:
            raise TelegramBadRequest(method, "Bad Request: chat not found")
        if self.failures.get(chat_id):
            raise self.failures[chat_id].pop(0)(method)
        text = getattr(method, "text", None) or getattr(method, "caption", None)
        self.sent.append(Sent(type(method).__name__, chat_id, text,
                              bool(getattr(method, "allow_paid_broadcast", False))))
        return Message(message_id=next(self._ids), date=int(time.time()),
                       chat=Chat(id=chat_id, type="private"), text=text, from_user=BOT_USER)

    def stream_content(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def to(self, chat_id: int) -> list[Sent]:
        return [sent for sent in self.sent if sent.chat_id == chat_id]


def paced_bot(session: BaseSession, clock: FakeClock, rate: float = 29.5, paid: bool = False) -> Bot:
    session.middleware(PacedRetryMiddleware(RateLimiter(clock, bulk=BulkBudget(rate, paid)), clock))
    return Bot("42:TEST-token", session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def make_sender(bot: Bot, uow_factory: UnitOfWorkFactory, clock: FakeClock, *, window: int = 10,
                paid: bool = False, holder: str = "test-sender") -> OutboxSender:
    renderer = Renderer(lambda msgid, locale: I18N.gettext(msgid, locale=locale), "fi")
    config = SenderConfig(paid=paid, window=window, retry_delay=30.0)
    return OutboxSender(bot, uow_factory, clock, renderer, ZONE, config, holder=holder)


async def add_residents(uow_factory: UnitOfWorkFactory, count: int, first_telegram_id: int = 5_000_000,
                        **fields: Any) -> list[int]:
    """`count` residents (fields apply to all); returns their Resident ids."""
    rows = [{"telegram_id": first_telegram_id + n, "locale": fields.get("locale", "fi"),
             "locale_confirmed": True, **fields} for n in range(count)]
    async with uow_factory() as uow:
        await uow.session.execute(insert(Resident), rows)
        await uow.commit()
        ids = await uow.session.scalars(
            Resident.__table__.select().with_only_columns(Resident.id)
            .where(Resident.telegram_id.between(first_telegram_id, first_telegram_id + count - 1))
            .order_by(Resident.id))
        return list(ids)
