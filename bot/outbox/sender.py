"""The outbox sender: streams due rows in small claims, sends them paced, records every outcome.

Crash safety. A row is marked `sending` (committed) before its Bot API call and gets its
outcome (sent / failed / blocked / pending again) in a later commit. At most `window` rows are
ever claimed but not yet recorded. After a crash the next lease holder puts `sending` rows back
to `pending`, so nothing is lost, and nothing delivered is sent again except, at most, those
in-flight rows (at most `window` messages).

Only the holder of the database lease (`sender_leases`, renewed with every claim) claims rows,
so several bot processes sharing one database never send the same row twice.
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup, Message

from bot.clock import Clock
from bot.outbox.render import Renderer
from bot.ratelimit import bulk_sending
from bot.services.outbox import quiet_hours_end
from storage.models import Broadcast
from storage.repositories.outbox import Claim, LeaseResult, Outcome
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

LEASE = "outbox"
RETRYABLE = (TelegramRetryAfter, TelegramNetworkError, TelegramServerError)


def holder_id(owner: object) -> str:
    """Who holds a database lease: this host, process and object (unique among the bot's processes)."""
    return f"{socket.gethostname()}:{os.getpid()}:{id(owner):x}"


@dataclass(frozen=True)
class SenderConfig:
    paid: bool = False
    window: int = 30             # rows claimed but not yet recorded, at most
    flush_interval: float = 0.2  # seconds between outcome commits while sending
    poll_interval: float = 1.0   # how often an idle sender looks at the outbox
    lease_ttl: float = 10.0      # LEASE_SECONDS: a crashed holder's lease is taken over after this
    max_attempts: int = 5        # rounds of the middleware's own retries before "failed"
    retry_delay: float = 30.0    # first wait before a row whose round failed is tried again

    @classmethod
    def for_rate(cls, rate: float, paid: bool) -> SenderConfig:
        """About half a second of sending in flight: deep enough to keep the pace, small to resend."""
        return cls(paid=paid, window=max(10, round(rate / 2)))


class OutboxSender:
    def __init__(
        self,
        bot: Bot,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        renderer: Renderer,
        zone: ZoneInfo,
        config: SenderConfig = SenderConfig(),
        holder: str | None = None,
    ) -> None:
        self.bot = bot
        self.uow_factory = uow_factory
        self.clock = clock
        self.renderer = renderer
        self.zone = zone
        self.config = config
        self.holder = holder or holder_id(self)
        self._wake = asyncio.Event()
        self._stopping = False

    # --- running --------------------------------------------------------------------------

    async def run(self) -> None:
        """Send until stopped; an idle sender looks again every poll_interval (or when woken)."""
        try:
            while not self._stopping:
                try:
                    sent = await self.deliver_due()
                except Exception:
                    log.exception("outbox sender failed; trying again shortly")
                    sent = 0
                if not sent and not self._stopping:
                    self._wake.clear()
                    try:
                        await asyncio.wait_for(self._wake.wait(), self.config.poll_interval)
                    except TimeoutError:
                        pass
        finally:
            await self._release()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Finish the messages in flight, record them, release the lease, return from run()."""
        self._stopping = True
        self._wake.set()

    async def deliver_due(self) -> int:
        """Send every row due now (and record each outcome); returns how many were handled."""
        running: set[asyncio.Task[Outcome]] = set()
        outcomes: list[Outcome] = []
        handled = 0
        more = True
        last_flush = self.clock.monotonic()
        try:
            while True:
                room = self.config.window - len(running) - len(outcomes)
                if more and not self._stopping and room >= max(1, self.config.window // 4):
                    claims, more = await self._claim(room)
                    running.update(asyncio.create_task(self._send(*claim)) for claim in claims)
                if not running:
                    handled += await self._flush(outcomes)
                    if not more or self._stopping:
                        return handled
                    continue
                done, _ = await asyncio.wait(running, timeout=self.config.flush_interval,
                                             return_when=asyncio.FIRST_COMPLETED)
                running.difference_update(done)
                outcomes.extend(task.result() for task in done)
                if self.clock.monotonic() - last_flush >= self.config.flush_interval:
                    handled += await self._flush(outcomes)
                    last_flush = self.clock.monotonic()
        finally:
            # Cancelled (the process is going down): unrecorded rows stay `sending` and are
            # sent again by the next lease holder, like after a crash.
            for task in running:
                task.cancel()

    # --- the database side ----------------------------------------------------------------

    async def _claim(self, room: int) -> tuple[list[tuple[Claim, Broadcast]], bool]:
        """Claim up to `room` due rows; (claims, more due?).

        Notices go first, bulk broadcasts after them; each shares its room fairly.
        """
        async with self.uow_factory() as uow:
            now = self.clock.now()
            if not await self._hold_lease(uow, now):
                await uow.commit()
                return [], False
            broadcasts = await uow.outbox.due(now)
            claims: list[tuple[Claim, Broadcast]] = []
            more = False
            tiers = Counter(broadcast.priority for broadcast in broadcasts)
            for priority in sorted(tiers):
                tier = [broadcast for broadcast in broadcasts if broadcast.priority == priority]
                share = max(1, (room - len(claims)) // len(tier))
                for broadcast in tier:
                    if len(claims) >= room:
                        return await self._commit_claims(uow, claims, more=True)
                    found, full = await self._claim_from(uow, broadcast, now, min(share, room - len(claims)))
                    claims.extend(found)
                    more = more or full
            return await self._commit_claims(uow, claims, more)

    async def _claim_from(self, uow: Any, broadcast: Broadcast, now: datetime,
                          limit: int) -> tuple[list[tuple[Claim, Broadcast]], bool]:
        """Up to `limit` due rows of one broadcast that may go now; (claims, was the limit reached?)."""
        await uow.outbox.start(broadcast, now)
        rows = await uow.outbox.claim(broadcast.id, now, limit)
        sendable = await self._sendable(uow, broadcast, rows, now)
        return [(claim, broadcast) for claim in sendable], len(rows) == limit

    async def _commit_claims(self, uow: Any, claims: list[tuple[Claim, Broadcast]],
                             more: bool) -> tuple[list[tuple[Claim, Broadcast]], bool]:
        await uow.outbox.mark_sending([claim.delivery_id for claim, _ in claims])
        await uow.commit()
        return claims, more

    async def _sendable(self, uow: Any, broadcast: Broadcast, rows: list[Claim], now: datetime) -> list[Claim]:
        """Rows to send now; non-urgent rows of residents in their quiet hours wait until they end.

        A row that could only go at or after its broadcast's `expires_at` (a forum reminder once
        the forum has started) is dropped instead: cancelled, with the error "expired".
        """
        sendable, expired = [], []
        waiting: dict[datetime, list[int]] = {}
        for row in rows:
            ends = None if broadcast.urgent else quiet_hours_end(now, self.zone, row.quiet_from, row.quiet_until)
            if broadcast.expires_at is not None and (ends or now) >= broadcast.expires_at:
                expired.append(row.delivery_id)
            elif ends is None:
                sendable.append(row)
            else:
                waiting.setdefault(ends, []).append(row.delivery_id)
        for ends, ids in waiting.items():
            await uow.outbox.defer(ids, ends)
        if expired:
            await uow.outbox.expire(broadcast.id, expired, now)
            log.info("broadcast %s (%s): %s messages dropped, they could not arrive before %s",
                     broadcast.id, broadcast.kind, len(expired), broadcast.expires_at)
        return sendable

    async def _hold_lease(self, uow: Any, now: datetime) -> bool:
        until = now + timedelta(seconds=self.config.lease_ttl)
        result = await uow.outbox.hold_lease(LEASE, self.holder, now, until)
        if result is LeaseResult.ACQUIRED:
            requeued = await uow.outbox.requeue_in_flight()
            log.info("outbox sender %s took the lease; %s in-flight rows pending again",
                     self.holder, requeued)
        return result is not LeaseResult.LOST

    async def _flush(self, outcomes: list[Outcome]) -> int:
        if not outcomes:
            return 0
        async with self.uow_factory() as uow:
            await uow.outbox.record(outcomes, self.clock.now())
            await self._hold_lease(uow, self.clock.now())
            await uow.commit()
        count = len(outcomes)
        outcomes.clear()
        return count

    async def _release(self) -> None:
        async with self.uow_factory() as uow:
            await uow.outbox.release_lease(LEASE, self.holder)
            await uow.commit()

    # --- the Bot API side -----------------------------------------------------------------

    async def _send(self, claim: Claim, broadcast: Broadcast) -> Outcome:
        text, markup = self.renderer.render(broadcast, claim.locale)
        try:
            with bulk_sending():
                if claim.edit_message_id is not None:
                    await self._edit(claim, text, markup)
                    return Outcome(claim, "sent", message_id=claim.edit_message_id)
                message = await self._deliver(broadcast, claim.chat_id, text, markup)
        except TelegramForbiddenError as error:
            return Outcome(claim, "blocked", error=error.message[:200])
        except TelegramBadRequest as error:
            return Outcome(claim, "failed", error=error.message[:200])
        except RETRYABLE as error:
            return self._retry_or_fail(claim, type(error).__name__)
        except TelegramAPIError as error:
            return Outcome(claim, "failed", error=error.message[:200])
        except Exception as error:  # a bug must not lose the message: it is tried again later
            log.exception("sending outbox row %s failed", claim.delivery_id)
            return self._retry_or_fail(claim, type(error).__name__)
        return Outcome(claim, "sent", message_id=message.message_id)

    def _retry_or_fail(self, claim: Claim, error: str) -> Outcome:
        if claim.attempts + 1 >= self.config.max_attempts:
            return Outcome(claim, "failed", error=error)
        delay = self.config.retry_delay * 2 ** claim.attempts
        return Outcome(claim, "pending", error=error, not_before=self.clock.now() + timedelta(seconds=delay))

    async def _edit(self, claim: Claim, text: str, markup: InlineKeyboardMarkup | None) -> None:
        """Edit a message sent before; one that already reads so (a double edit) is done."""
        try:
            await self.bot.edit_message_text(text=text, chat_id=claim.chat_id,
                                             message_id=claim.edit_message_id, reply_markup=markup)
        except TelegramBadRequest as error:
            if "message is not modified" not in error.message:
                raise

    async def _deliver(self, broadcast: Broadcast, chat_id: int, text: str,
                       markup: InlineKeyboardMarkup | None) -> Message:
        extra: dict[str, Any] = {"allow_paid_broadcast": True} if self.config.paid else {}
        if markup is not None:
            extra["reply_markup"] = markup
        if broadcast.media_kind == "photo":
            return await self.bot.send_photo(chat_id, broadcast.media_file_id, caption=text, **extra)
        if broadcast.media_kind == "document":
            return await self.bot.send_document(chat_id, broadcast.media_file_id, caption=text, **extra)
        return await self.bot.send_message(chat_id, text, **extra)

