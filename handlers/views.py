"""Small rendering helpers shared by the feature routers."""
from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.i18n import _


def command_lines(commands: Sequence[tuple[str, str]]) -> str:
    return "\n".join(f"/{name} – {_(description)}" for name, description in commands)


async def show(event: Message | CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Answer a command with a new message, or a button press by editing its message."""
    if isinstance(event, CallbackQuery):
        if isinstance(event.message, Message):
            await event.message.edit_text(text, reply_markup=markup)
        await event.answer()
    else:
        await event.answer(text, reply_markup=markup)


Button = tuple[str, CallbackData | str]


def inline_keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup:
    """Rows of (text, callback data). Cheaper than InlineKeyboardBuilder, which deep-copies."""
    return InlineKeyboardMarkup(inline_keyboard=[
        [
            InlineKeyboardButton(text=text, callback_data=data if isinstance(data, str) else data.pack())
            for text, data in row
        ]
        for row in rows if row
    ])
