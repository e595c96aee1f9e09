"""The command menu, registered with Telegram in every language (setMyCommands)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiogram import Bot
from aiogram.types import BotCommand
from aiogram.utils.i18n import I18n

from domain import LOCALES

# (command, description msgid marked with N_)
CommandList = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class CommandMenu:
    """Every feature's commands: those for residents (the menu) and those for staff."""

    residents: CommandList
    staff: CommandList


def localized(commands: CommandList, i18n: I18n, locale: str) -> list[BotCommand]:
    return [
        BotCommand(command=name, description=i18n.gettext(description, locale=locale))
        for name, description in commands
    ]


async def register_commands(bot: Bot, i18n: I18n, commands: CommandList) -> None:
    for locale in LOCALES:
        await bot.set_my_commands(localized(commands, i18n, locale), language_code=locale)
    await bot.set_my_commands(localized(commands, i18n, i18n.default_locale))
