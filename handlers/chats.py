"""Where the bot talks: residents and staff in private chats, staff cards in the staff group.

The first router, so nothing else sees what it sets aside. In a group or channel a command for
this bot gets one line pointing to the private chat, any other message is left alone, and a
button is refused – someone's settings or proposals never show where others read. The staff
group keeps what is meant for it: the buttons of moderators' and live questions' cards,
/moderation and /next, and what a moderator writes there when a card asks (a reason, a number,
/cancel). Updates no person sent (no sender, a channel or group speaking as itself, another bot)
are ignored.
"""
from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message, Update

from bot.config import Settings
from bot.i18n import _
from bot.notices.cards import Moderate
from bot.notices.forum_talk import QuestionDecision
from storage.models import Resident

router = Router(name="chats")
log = logging.getLogger(__name__)

# What the staff group keeps (handlers/moderation.py, handlers/forum_questions.py).
STAFF_GROUP_COMMANDS = frozenset({"moderation", "next", "cancel"})
STAFF_GROUP_BUTTONS = frozenset({Moderate.__prefix__, QuestionDecision.__prefix__})


class NoPerson(Filter):
    """No resident behind the update (UpdateContextMiddleware names one only for a person)."""

    async def __call__(self, event: Message | CallbackQuery | ChatMemberUpdated,
                       resident: Resident | None = None) -> bool:
        return resident is None


class OutOfPlace(Filter):
    """A message in a chat that is not private, other than what the staff group keeps.

    Gives the handler `group_command`: the command's name when it is one for this bot.
    """

    async def __call__(self, message: Message, bot: Bot, settings: Settings) -> bool | dict[str, Any]:
        if message.chat.type == ChatType.PRIVATE:
            return False
        command = await command_for(message, bot)
        if message.chat.id == settings.staff_chat_id and (command is None or command in STAFF_GROUP_COMMANDS):
            return False
        return {"group_command": command}


class ButtonOutOfPlace(Filter):
    """A button pressed outside a private chat, other than a staff card's in the staff group."""

    async def __call__(self, query: CallbackQuery, settings: Settings) -> bool:
        chat = query.message.chat if query.message is not None else None
        if chat is not None and chat.type == ChatType.PRIVATE:
            return False
        prefix = (query.data or "").split(Moderate.__separator__, 1)[0]
        return not (chat is not None and chat.id == settings.staff_chat_id and prefix in STAFF_GROUP_BUTTONS)


async def command_for(message: Message, bot: Bot) -> str | None:
    """The command's name when the message is a command for this bot (not /x@another_bot)."""
    text = message.text or message.caption or ""
    if not text.startswith("/"):
        return None
    name, _at, mention = text.split(maxsplit=1)[0][1:].partition("@")
    if not name or (mention and mention.lower() != ((await bot.me()).username or "").lower()):
        return None
    return name.lower()


@router.message(NoPerson())
@router.callback_query(NoPerson())
@router.my_chat_member(NoPerson())
async def nobody(event: Message | CallbackQuery | ChatMemberUpdated, event_update: Update) -> None:
    log.info("update %s: no person sent it; ignored", event_update.update_id)


@router.message(OutOfPlace())
async def point_to_private_chat(
    message: Message, bot: Bot, group_command: str | None, event_update: Update
) -> None:
    if group_command is None:
        return  # the group's own talk is none of the bot's business
    username = (await bot.me()).username
    try:
        await message.reply(_(
            'I answer commands only in a <a href="{url}">private chat</a> – there what you do stays between us.'
        ).format(url=f"https://t.me/{username}"))
    except TelegramAPIError as error:  # e.g. the group lets no one but admins write
        log.info("update %s: could not point to the private chat: %s", event_update.update_id,
                 type(error).__name__)


@router.callback_query(ButtonOutOfPlace())
async def refuse_button(query: CallbackQuery) -> None:
    await query.answer(_("Buttons work only in a private chat with me."), show_alert=True)
