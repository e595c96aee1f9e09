"""The one place every Bot API call passes: paced to Telegram's limits and retried.

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


class PacedRetryMiddleware(BaseRequestMiddleware):
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
        while True:
            try:
                if isinstance(method, SENDING_METHODS):
                    async with self.limiter.sending(method.chat_id, is_bulk()):
                        return await make_request(bot, method)
                await self.limiter.wait_pause()
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                failures += 1
                log.warning("429 on %s: pausing %ss", type(method).__name__, error.retry_after)
                self.limiter.pause(error.retry_after)
                if failures >= self.attempts * 2:
                    raise
            except (TelegramNetworkError, TelegramServerError) as error:
                failures += 1
                if failures >= self.attempts:
                    raise
                delay = min(self.max_backoff, self.first_backoff * 2 ** (failures - 1))
                log.warning("%s on %s: retry %s in %.1fs", type(error).__name__,
                            type(method).__name__, failures, delay)
                await self.clock.sleep(delay)
