"""What Telegram itself refuses, applied to every call the bot makes under the property test.

The RecordingSession answers anything; Telegram answers 400 to a text over 4096 characters or an
empty one, to HTML it cannot parse, to button data over 64 bytes, to a toast over 200 characters.
The sandbox Bot API server (sandbox/botapi.py) knows these rules: here they judge the recorded
calls, so that a reply the real Telegram would refuse fails the update as it would in production.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import TelegramMethod

from sandbox.botapi import MAX_CAPTION, MAX_TEXT, formatted_text, reply_markup
from sandbox.params import ApiError, Params, bad_request

FORMATTED = {  # method: (parameter, limit, required)
    "sendMessage": ("text", MAX_TEXT, True),
    "editMessageText": ("text", MAX_TEXT, True),
    "sendPhoto": ("caption", MAX_CAPTION, False),
    "sendDocument": ("caption", MAX_CAPTION, False),
    "editMessageCaption": ("caption", MAX_CAPTION, False),
}
TOAST_LIMIT = 200


def refusing_like_telegram(bot: Bot) -> Callable[[TelegramMethod[Any]], None]:
    def check(method: TelegramMethod[Any]) -> None:
        # The parameters as the bot's aiohttp session would post them (defaults such as parse_mode filled in).
        values = {key: prepared for key, value in method.model_dump(warnings=False).items()
                  if (prepared := bot.session.prepare_value(value, bot=bot, files={}))}
        params = Params(values)
        name = method.__api_method__
        try:
            if name in FORMATTED:
                formatted_text(params, *FORMATTED[name])
            reply_markup(params)
            if name == "answerCallbackQuery" and len(params.str("text") or "") > TOAST_LIMIT:
                raise bad_request("MESSAGE_TOO_LONG")
        except ApiError as error:
            raise TelegramBadRequest(method, error.description) from None

    return check
