"""A Bot session that records every Bot API call and answers like Telegram, without a network."""
from __future__ import annotations

import itertools
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, Message, User

BOT_USER = User(id=42, is_bot=True, first_name="Foorumi", username="foorumi_test_bot")


@dataclass
class Call:
    method: TelegramMethod[Any]

    @property
    def name(self) -> str:
        return type(self.method).__name__

    def __getattr__(self, item: str) -> Any:
        return getattr(self.method, item)

    @property
    def keyboard(self) -> list[list[tuple[str, str | None]]]:
        """Inline keyboard as rows of (text, callback_data)."""
        markup = getattr(self.method, "reply_markup", None)
        if markup is None or not hasattr(markup, "inline_keyboard"):
            return []
        return [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard]


class RecordingSession(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Call] = []
        self._message_ids = itertools.count(1000)
        self.latest_with_buttons: dict[int, int] = {}  # chat id -> the newest message with buttons
        self.before_call: Callable[[TelegramMethod[Any]], None] = lambda _method: None

    async def close(self) -> None:
        pass

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.before_call(method)
        self.calls.append(Call(method))
        returning = method.__returning__
        if returning is bool:
            return True  # type: ignore[return-value]
        if returning is User:
            return BOT_USER  # type: ignore[return-value]
        if returning is Message or "Message" in str(returning):
            chat_id = getattr(method, "chat_id", None) or 0
            message_id = getattr(method, "message_id", None) or next(self._message_ids)
            if Call(method).keyboard and not getattr(method, "message_id", None):
                self.latest_with_buttons[int(chat_id)] = message_id
            return Message(  # type: ignore[return-value]
                message_id=message_id,
                date=int(time.time()),
                chat=Chat(id=chat_id, type="private" if int(chat_id) > 0 else "supergroup"),
                text=getattr(method, "text", None),
                from_user=BOT_USER,
            )
        return True  # type: ignore[return-value]

    def stream_content(self, *args: Any, **kwargs: Any) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError

    def take(self) -> list[Call]:
        """The calls since the last take()."""
        calls, self.calls = self.calls, []
        return calls
