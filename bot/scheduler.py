"""APScheduler 3 running in the bot's event loop.

Jobs live in memory: the store is the source of truth, and features re-create their jobs
from it at start (e.g. a broadcast scheduled for later), so nothing is lost on restart.
"""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock
from storage.uow import UnitOfWorkFactory

UPDATE_MEMORY = timedelta(days=2)


def create_scheduler(zone: ZoneInfo) -> AsyncIOScheduler:
    return AsyncIOScheduler(timezone=zone, job_defaults={"coalesce": True, "misfire_grace_time": 3600})


def add_housekeeping(scheduler: AsyncIOScheduler, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
    async def forget_old_updates() -> None:
        async with uow_factory() as uow:
            await uow.updates.forget_before(clock.now() - UPDATE_MEMORY)
            await uow.commit()

    scheduler.add_job(forget_old_updates, "interval", hours=1, id="forget-old-updates", replace_existing=True)
