"""Small rendering helpers shared by the feature routers."""
from __future__ import annotations

from collections.abc import Sequence

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.i18n import _


def command_lines(commands: Sequence[tuple[str, str]]) -> str:
    return "\n".join(f"/{name} – {_(description)}" for name, description in commands)


async def show(
    event: Message | CallbackQuery,
    text: str,
    markup: InlineKeyboardMarkup | None,
    toast: str | None = None,
) -> None:
    """Answer a command with a new message, or a button press by editing its message.

    A press that would change nothing (a double tap) is not an error: Telegram refuses the
    identical edit with "message is not modified", and the toast still answers the press.
    """
    if isinstance(event, Message):
        await event.answer(text, reply_markup=markup)
        return
    if isinstance(event.message, Message):
        try:
            await event.message.edit_text(text, reply_markup=markup)
        except TelegramBadRequest as error:
            if "message is not modified" not in error.message:
                raise
    await event.answer(toast)
