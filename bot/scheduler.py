"""APScheduler 3 running in the bot's event loop.

Jobs live in memory: the store is the source of truth, and features re-create their jobs
from it at start (e.g. a broadcast scheduled for later), so nothing is lost on restart.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock
from bot.outbox.sender import holder_id
from bot.services import ballots, digest, forum_reminders, survey_invitations
from storage.repositories.outbox import LeaseResult
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

UPDATE_MEMORY = timedelta(days=2)
TICK = 10  # seconds: what comes due (a ballot closing, a reminder) is done at most this late
LEASE = "scheduler"  # in sender_leases, beside the outbox sender's
LEASE_TTL = 10  # seconds (LEASE_SECONDS): a dead holder's work is taken over this soon after its last tick
TICKS_PER_LEASE = 3  # the holder renews its lease at least this often within one lease


def create_scheduler(zone: ZoneInfo) -> AsyncIOScheduler:
    return AsyncIOScheduler(timezone=zone, job_defaults={"coalesce": True, "misfire_grace_time": 3600})


def add_housekeeping(scheduler: AsyncIOScheduler, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
    async def forget_old_updates() -> None:
        async with uow_factory() as uow:
            await uow.updates.forget_before(clock.now() - UPDATE_MEMORY)
            await uow.commit()

    scheduler.add_job(forget_old_updates, "interval", hours=1, id="forget-old-updates", replace_existing=True)


class Notices(ballots.Notices, forum_reminders.Notices, digest.Notices, survey_invitations.Notices,
              Protocol):
    """Everything the clock's work announces."""


@dataclass(frozen=True)
class Work:
    """What one tick did: ballots announced and closed, residents reminded and sent a digest,
    surveys invited to and residents reminded to finish one."""

    announced: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    reminded: int = 0
    digests: int = 0
    surveys_invited: list[int] = field(default_factory=list)
    survey_reminders: int = 0


class Clockwork:
    """The work that comes due with time: ballots open and close, forum reminders, weekly digests,
    survey invitations and reminders.

    Every bot process ticks it at start – so what came due while the bot was down is caught up –
    and then three times per lease (at most TICK seconds apart), but only one process at a time
    does the work: the holder of the database lease "scheduler", renewed by each of its ticks.
    When the holder dies its lease runs out `lease_seconds` after its last tick and the next
    process to tick takes it over. The store guards each piece of work too (a conditional update,
    a primary key), so not even two holders at once – a holder stalled past its lease – could
    announce, remind or send a digest twice.
    """

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, notices: Notices, zone: ZoneInfo,
                 holder: str | None = None, lease_seconds: float = LEASE_TTL) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.notices = notices
        self.zone = zone
        self.holder = holder or holder_id(self)
        self.lease = timedelta(seconds=lease_seconds)
        self.holding = False

    async def tick(self) -> Work | None:
        """Do what is due now; None when another process holds the lease (and does it)."""
        now = self.clock.now()
        async with self.uow_factory() as uow:
            held = await uow.outbox.hold_lease(LEASE, self.holder, now, now + self.lease)
            await uow.commit()
        self.holding = held is not LeaseResult.LOST
        if not self.holding:
            return None
        if held is LeaseResult.ACQUIRED:
            log.info("clockwork %s took the scheduler lease", self.holder)
        async with self.uow_factory() as uow:
            return Work(
                announced=await ballots.announce_due(uow, self.notices, now),
                closed=await ballots.close_due(uow, self.notices, now),
                reminded=await forum_reminders.queue_due(uow, self.notices, now, self.zone),
                digests=await digest.send_due(uow, self.notices, now, self.zone),
                surveys_invited=await survey_invitations.invite_due(uow, self.notices, now),
                survey_reminders=await survey_invitations.remind_due(uow, self.notices, now, self.zone),
            )

    async def release(self) -> None:
        """Give the lease up (the process is stopping): another process takes over at its next tick."""
        if not self.holding:
            return
        self.holding = False
        async with self.uow_factory() as uow:
            await uow.outbox.release_lease(LEASE, self.holder)
            await uow.commit()

    def schedule(self, scheduler: AsyncIOScheduler) -> None:
        every = min(TICK, self.lease.total_seconds() / TICKS_PER_LEASE)
        scheduler.add_job(self.tick, "interval", seconds=every, id="clockwork",
                          replace_existing=True, max_instances=1)
