"""Last router: anything no feature understood gets a friendly pointer to /help."""
from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from bot.i18n import _

router = Router(name="fallback")


@router.callback_query()
async def stale_button(query: CallbackQuery) -> None:
    await query.answer(_("This button is no longer valid."), show_alert=True)


@router.message(F.chat.type == "private")
async def not_understood(message: Message) -> None:
    await message.answer(_("I didn't quite catch that. /help shows what I can do."))
