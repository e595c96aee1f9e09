"""The one place every Bot API call passes: sends paced to Telegram's limits, every call retried.

aiogram has no limiter or retry of its own: without this a 429 inside a handler loses the reply.
"""
from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import (
    CopyMessage,
    ForwardMessage,
    SendAnimation,
    SendAudio,
    SendContact,
    SendDocument,
    SendLocation,
    SendMediaGroup,
    SendMessage,
    SendPhoto,
    SendPoll,
    SendVenue,
    SendVideo,
    SendVoice,
    TelegramMethod,
)
from aiogram.methods.base import Response, TelegramType

from bot.clock import Clock
from bot.ratelimit import RateLimiter, is_bulk

log = logging.getLogger(__name__)

SENDING_METHODS = (
    SendMessage, SendPhoto, SendDocument, SendLocation, SendMediaGroup, SendVideo, SendAudio,
    SendVoice, SendAnimation, SendPoll, SendVenue, SendContact, CopyMessage, ForwardMessage,
)

HELD = {"chat": "that chat", "group": "that group"}  # what a 429 held back, for the log


class PacedRetryMiddleware(BaseRequestMiddleware):
    """Sends (SENDING_METHODS) wait for their slot in the RateLimiter; every call is retried.

    A 429 on a send holds back only what it limits (`RateLimiter.too_many_requests`: that chat,
    that group, or every send in a flood) and the refused send is tried again when its pause is
    over, so it is delayed, not lost. Other methods – getUpdates, answerCallbackQuery, edits –
    are never paced nor held back by a send's 429; a 429 on one of them is waited out by that
    call alone. 5xx and network errors back off exponentially; other 4xx are not retried.
    """

    def __init__(
        self,
        limiter: RateLimiter,
        clock: Clock,
        attempts: int = 5,
        first_backoff: float = 0.5,
        max_backoff: float = 30.0,
    ) -> None:
        self.limiter = limiter
        self.clock = clock
        self.attempts = attempts
        self.first_backoff = first_backoff
        self.max_backoff = max_backoff

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        failures = 0
        chat_id = method.chat_id if isinstance(method, SENDING_METHODS) else None
        while True:
            try:
                if chat_id is not None:
                    async with self.limiter.sending(chat_id, is_bulk()):
                        return await make_request(bot, method)
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                failures += 1
                if chat_id is not None:
                    held = self.limiter.too_many_requests(chat_id, error.retry_after)
                    log.warning("429 on %s: sends to %s wait %ss", type(method).__name__,
                                HELD.get(held, "every chat"), error.retry_after)
                else:
                    log.warning("429 on %s: it waits %ss", type(method).__name__, error.retry_after)
                if failures >= self.attempts * 2:
                    raise
                if chat_id is None:
                    await self.clock.sleep(error.retry_after)
            except (TelegramNetworkError, TelegramServerError) as error:
                failures += 1
                if failures >= self.attempts:
                    raise
                delay = min(self.max_backoff, self.first_backoff * 2 ** (failures - 1))
                log.warning("%s on %s: retry %s in %.1fs", type(error).__name__,
                            type(method).__name__, failures, delay)
                await self.clock.sleep(delay)
