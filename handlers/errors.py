"""What the resident hears when something fails; the bot itself never stops."""
from __future__ import annotations

import logging
from types import TracebackType

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent

from domain import NotFound, PermissionDenied
from bot.i18n import _

router = Router(name="errors")
log = logging.getLogger(__name__)


class MessageWithheld(Exception):
    """Stands in for a failure in the log: where it happened and its type, never its message,
    which may quote what was sent (callback data, a number, a text)."""


def withheld(error: BaseException) -> tuple[type[BaseException], BaseException, TracebackType | None]:
    """`exc_info` for the log: the failure's type and its own traceback, which ends in the type's
    name in place of the message (and leaves out the exceptions it was chained to)."""
    return type(error), MessageWithheld(type(error).__name__), error.__traceback__


@router.errors(ExceptionTypeFilter(NotFound))
async def no_longer_there(event: ErrorEvent) -> None:
    log.info("update %s: %s", event.update.update_id, type(event.exception).__name__)
    await tell(event, _("That is no longer available – it may have been changed or removed."))


@router.errors(ExceptionTypeFilter(PermissionDenied))
async def not_allowed(event: ErrorEvent) -> None:
    log.warning("update %s: staff action refused", event.update.update_id)
    await tell(event, _("Sorry, only city staff with the right role can do that."))


@router.errors()
async def apologise(event: ErrorEvent) -> None:
    # Only the update id and where it failed: no message text, names or callback data in the log.
    log.error("update %s failed: %s", event.update.update_id, type(event.exception).__name__,
              exc_info=withheld(event.exception))
    await tell(event, _(
        "Sorry, something went wrong on our side. Nothing you sent was lost – "
        "please try again in a moment."
    ))


async def tell(event: ErrorEvent, text: str) -> None:
    update = event.update
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.message is not None:
            await update.message.answer(text)
    except TelegramAPIError as error:
        log.warning("update %s: could not send the apology: %s", update.update_id, type(error).__name__)
