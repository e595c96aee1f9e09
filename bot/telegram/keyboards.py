"""The one way keyboards are built: rows of (label, callback data)."""
from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

Button = tuple[str, CallbackData | str]


def inline_keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup:
    """Empty rows are left out (optional buttons become rows that may be empty)."""
    return InlineKeyboardMarkup(inline_keyboard=[
        [
            InlineKeyboardButton(text=text, callback_data=data if isinstance(data, str) else data.pack())
            for text, data in row
        ]
        for row in rows if row
    ])


def packed(rows: Sequence[Sequence[Button]]) -> list[list[tuple[str, str]]]:
    """Rows with their callback data packed, as kept in the outbox until the message is sent."""
    return [[(text, data if isinstance(data, str) else data.pack()) for text, data in row]
            for row in rows if row]
