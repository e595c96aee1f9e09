"""/help: what Foorumi is and the commands, in the resident's language."""
from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.i18n import N_, _
from bot.services import staff
from bot.telegram.commands import CommandMenu
from handlers.views import command_lines
from storage.models import Resident
from storage.uow import UnitOfWork

router = Router(name="help")

COMMANDS = [("help", N_("What Foorumi is and how to use it"))]


def onboarded_text(commands: CommandMenu) -> str:
    return _(
        "All set! 🎉 You can change these choices at any time with /settings.\n\nWhat you can do:\n{commands}"
    ).format(commands=command_lines(commands.residents))


def welcome_back_text(commands: CommandMenu) -> str:
    return _("Welcome back! 👋\n\nWhat you can do:\n{commands}").format(
        commands=command_lines(commands.residents)
    )


@router.message(Command("help"))
async def show_help(message: Message, resident: Resident, uow: UnitOfWork, commands: CommandMenu) -> None:
    text = _(
        "<b>Foorumi</b> brings the city's forums to your phone: propose what should be improved, "
        "support and follow themes from initiative to implementation, and hear the city's "
        "announcements – in Finnish, Swedish or English.\n\nCommands:\n{commands}"
    ).format(commands=command_lines(commands.residents))
    if commands.staff and await staff.roles_of(uow, resident.telegram_id):
        text += "\n\n" + _("<b>For staff</b>\n{commands}").format(commands=command_lines(commands.staff))
    await message.answer(text)
