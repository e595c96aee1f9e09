"""Sending through the rate limiter in tests, as the bot's session does."""
from __future__ import annotations

from bot.ratelimit import RateLimiter


async def send(limiter: RateLimiter, chat_id: int, bulk: bool = False) -> None:
    """One message, answered by Telegram the moment it leaves."""
    async with limiter.sending(chat_id, bulk):
        pass
