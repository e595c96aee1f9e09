"""/help: what Foorumi is and the commands, in the resident's language."""
from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.i18n import N_, _
from bot.services import staff
from handlers.views import command_lines
from storage.models import Resident
from storage.uow import UnitOfWork

router = Router(name="help")

COMMANDS = [("help", N_("What Foorumi is and how to use it"))]


def _listed(attribute: str) -> list[tuple[str, str]]:
    from handlers import FEATURES  # the package imports this module: look it up when called

    return [command for feature in FEATURES for command in getattr(feature, attribute, ())]


def resident_commands() -> list[tuple[str, str]]:
    return _listed("COMMANDS")


def staff_commands() -> list[tuple[str, str]]:
    return _listed("STAFF_COMMANDS")


def onboarded_text(resident: Resident) -> str:
    return _(
        "All set! 🎉 You can change these choices at any time with /settings.\n\nWhat you can do:\n{commands}"
    ).format(commands=command_lines(resident_commands()))


def welcome_back_text(resident: Resident) -> str:
    return _("Welcome back! 👋\n\nWhat you can do:\n{commands}").format(
        commands=command_lines(resident_commands())
    )


@router.message(Command("help"))
async def show_help(message: Message, resident: Resident, uow: UnitOfWork) -> None:
    text = _(
        "<b>Foorumi</b> brings the city's forums to your phone: propose what should be improved, "
        "support and follow themes from initiative to implementation, and hear the city's "
        "announcements – in Finnish, Swedish or English.\n\nCommands:\n{commands}"
    ).format(commands=command_lines(resident_commands()))
    extra = staff_commands()
    if extra and await staff.roles_of(uow, resident.telegram_id):
        text += "\n\n" + _("<b>For staff</b>\n{commands}").format(commands=command_lines(extra))
    await message.answer(text)
