"""APScheduler 3 running in the bot's event loop.

Jobs live in memory: the store is the source of truth, and features re-create their jobs
from it at start (e.g. a broadcast scheduled for later), so nothing is lost on restart.
"""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock
from bot.services import ballots
from storage.uow import UnitOfWorkFactory

UPDATE_MEMORY = timedelta(days=2)
BALLOT_TICK = 10  # seconds: ballots open and close at most this late, whoever created them


def create_scheduler(zone: ZoneInfo) -> AsyncIOScheduler:
    return AsyncIOScheduler(timezone=zone, job_defaults={"coalesce": True, "misfire_grace_time": 3600})


def add_housekeeping(scheduler: AsyncIOScheduler, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
    async def forget_old_updates() -> None:
        async with uow_factory() as uow:
            await uow.updates.forget_before(clock.now() - UPDATE_MEMORY)
            await uow.commit()

    scheduler.add_job(forget_old_updates, "interval", hours=1, id="forget-old-updates", replace_existing=True)


class BallotClock:
    """Opens (announces) and closes ballots when their time comes, exactly once each.

    Runs at start – so a closing time that passed while the bot was down is caught up – and
    every BALLOT_TICK seconds, which also finds ballots made from the shell or by another bot
    process. Several processes may tick at once: the store lets exactly one of them act.
    """

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, notices: ballots.Notices) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.notices = notices

    async def tick(self) -> tuple[list[int], list[int]]:
        """(ballots announced, ballots closed) now."""
        async with self.uow_factory() as uow:
            announced = await ballots.announce_due(uow, self.notices, self.clock.now())
            closed = await ballots.close_due(uow, self.notices, self.clock.now())
        return announced, closed

    def schedule(self, scheduler: AsyncIOScheduler) -> None:
        scheduler.add_job(self.tick, "interval", seconds=BALLOT_TICK, id="ballot-clock",
                          replace_existing=True, max_instances=1)
