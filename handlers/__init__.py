"""One aiogram Router per feature; the order below is the order updates are tried."""
from __future__ import annotations

from types import ModuleType

from aiogram import Router

from bot.telegram.commands import CommandMenu
from handlers import (
    ballot_admin, ballot_create, ballots, broadcasts, chats, errors, fallback, forum_create, forum_questions, forums,
    help, moderation, privacy, profile, proposals, propose, summaries, survey_create, survey_results, surveys,
    themes,
)

# Feature modules: each has `router` and may list COMMANDS / STAFF_COMMANDS (name, N_ msgid).
FEATURES: tuple[ModuleType, ...] = (
    chats,  # first: what is not for a private chat stops here
    broadcasts, propose, moderation, themes,
    ballots, ballot_admin, ballot_create,
    forums, forum_create, forum_questions, summaries,
    surveys, survey_create, survey_results,
    privacy, proposals, profile, help, errors, fallback)


def get_routers() -> list[Router]:
    return [feature.router for feature in FEATURES]


def command_menu() -> CommandMenu:
    """The features' commands, handed to /help and the menu through the dispatcher."""
    return CommandMenu(
        residents=[command for feature in FEATURES for command in getattr(feature, "COMMANDS", ())],
        staff=[command for feature in FEATURES for command in getattr(feature, "STAFF_COMMANDS", ())],
    )
