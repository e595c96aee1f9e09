"""The composition root: config, store, i18n, notices, scheduler, dispatcher and bot wired together.

`build_core` makes the parts every entry point shares (the bot, the CLI, the demo); `build_app`
adds Telegram: the paced bot, the dispatcher with the feature routers, the outbox sender.
"""
from __future__ import annotations

import asyncio
import gc
import logging
import os
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, DefaultKeyBuilder
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine

from aiogram.utils.i18n import I18n
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.i18n import create_i18n
from bot.notices import Notices
from bot.outbox.progress import INTERVAL as PROGRESS_INTERVAL
from bot.outbox.progress import ProgressReporter
from bot.outbox.render import Renderer
from bot.outbox.sender import OutboxSender, SenderConfig
from bot.ratelimit import BulkBudget, RateLimiter
from bot.scheduler import Clockwork, add_housekeeping, create_scheduler
from bot.services import staff
from bot.telegram.commands import register_commands
from bot.telegram.flood import FloodMiddleware, flood_counter
from bot.telegram.middlewares import OneAtATime, ResidentI18nMiddleware, UpdateContextMiddleware
from bot.telegram.requests import PacedRetryMiddleware
from bot.telegram.webhook import PATH as WEBHOOK_PATH
from bot.telegram.webhook import WebhookServer
from handlers import CommandMenu, command_menu, get_routers
from handlers.broadcast_views import progress_view_for
from storage import migrate
from storage.db import create_engine, create_session_factory
from storage.uow import UnitOfWorkFactory, unit_of_work_factory

if TYPE_CHECKING:
    from aiogram.fsm.storage.redis import RedisStorage

log = logging.getLogger(__name__)


SHUTDOWN_GRACE = 10.0  # seconds the updates being handled get to finish when the bot stops
# A conversation's lock in Redis (several workers) expires this soon when its worker dies
# mid-update; an update takes milliseconds, and at most SHUTDOWN_GRACE when the bot stops.
CONVERSATION_LOCK_SECONDS = 2 * SHUTDOWN_GRACE
CLOCK_OFFSET = "FOORUMI_CLOCK_OFFSET"  # tests only: seconds the bot's clock reads ahead of the system's


class SchemaOutdated(Exception):
    """The database has an older schema; `foorumi db upgrade` brings it up to date."""


@dataclass
class Core:
    """What the bot, the CLI and the demo share: the store, the clock, the texts."""

    settings: Settings
    engine: AsyncEngine
    uow_factory: UnitOfWorkFactory
    i18n: I18n
    notices: Notices
    clock: Clock

    async def close(self) -> None:
        await self.engine.dispose()


class OffsetClock(SystemClock):
    """The system clock moved by a fixed number of seconds.

    Worker processes that tests start (`foorumi run` with FOORUMI_CLOCK_OFFSET) read the tests'
    instant (tests/support/clock.py) as the tests do, not today's date.
    """

    def __init__(self, seconds: float) -> None:
        self.offset = timedelta(seconds=seconds)

    def now(self) -> datetime:
        return super().now() + self.offset


def default_clock() -> Clock:
    offset = os.environ.get(CLOCK_OFFSET)
    return OffsetClock(float(offset)) if offset else SystemClock()


def build_core(settings: Settings, *, clock: Clock | None = None) -> Core:
    engine = create_engine(settings.database_url)
    i18n = create_i18n(settings.default_locale)
    return Core(settings, engine, unit_of_work_factory(create_session_factory(engine)), i18n,
                Notices(i18n, settings), clock or default_clock())


@dataclass
class App:
    """The bot: the core parts plus Telegram (bot, dispatcher), the scheduler and the outbox sender."""

    core: Core
    commands: CommandMenu
    scheduler: AsyncIOScheduler
    clockwork: Clockwork
    limiter: RateLimiter
    dispatcher: Dispatcher
    bot: Bot
    outbox: OutboxSender
    outbox_task: asyncio.Task[None] | None = field(default=None, repr=False)
    webhook: WebhookServer | None = field(default=None, repr=False)
    stopping: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @property
    def settings(self) -> Settings:
        return self.core.settings

    @property
    def engine(self) -> AsyncEngine:
        return self.core.engine

    @property
    def uow_factory(self) -> UnitOfWorkFactory:
        return self.core.uow_factory

    @property
    def i18n(self) -> I18n:
        return self.core.i18n

    @property
    def clock(self) -> Clock:
        return self.core.clock

    def stop(self) -> None:
        """Ask the running bot to stop (SIGTERM, Ctrl+C, a test): `run` then takes no new updates,
        lets those being handled finish and closes."""
        if not self.stopping.is_set():
            log.info("stopping: finishing the updates being handled")
            self.stopping.set()

    async def close(self) -> None:
        """Stop in order: take no new updates, finish those being handled, then the clock and the
        outbox (giving their leases up), then the connections."""
        if self.webhook is not None:
            await self.webhook.stop_accepting()
        # aiogram keeps polling's in-flight update tasks only in this attribute; without waiting,
        # an update being handled when polling stops would be cut off mid-way.
        in_flight = [*self.dispatcher._handle_update_tasks,
                     *(self.webhook.in_flight if self.webhook is not None else ())]
        if in_flight:
            _, unfinished = await asyncio.wait(in_flight, timeout=SHUTDOWN_GRACE)
            if unfinished:
                log.warning("%s updates still being handled after %s s are left unfinished",
                            len(unfinished), SHUTDOWN_GRACE)
        if self.webhook is not None:
            await self.webhook.close()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self.clockwork.release()  # another process takes the clock's work over at once
        if self.outbox_task:
            self.outbox.stop()  # finishes and records the messages in flight, then releases the lease
            await asyncio.wait([self.outbox_task])
        await self.dispatcher.fsm.close()  # the shared conversation store and isolation, if any
        await self.bot.session.close()
        await self.core.close()
        release_routers(self.dispatcher)


def release_routers(dispatcher: Dispatcher) -> None:
    """Detach the feature routers so a later App in this process (a restart, a test) can use them.

    aiogram lets a module-level Router belong to one parent only and offers no public detach.
    """
    for router in dispatcher.sub_routers:
        router._parent_router = None
    dispatcher.sub_routers.clear()


def build_app(settings: Settings, *, session: BaseSession | None = None, clock: Clock | None = None) -> App:
    """Wire everything; `session` lets tests and benchmarks record Bot API calls instead."""
    core = build_core(settings, clock=clock)
    uow_factory, i18n, clock = core.uow_factory, core.i18n, core.clock
    shared = _shared_conversations(settings)
    limiter = RateLimiter(clock, bulk=BulkBudget(settings.broadcast_limit, settings.broadcast_paid))

    if session is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.bot_api_url))
    session.middleware(PacedRetryMiddleware(limiter, clock))
    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    bot = Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))

    # aiogram's FSM middleware is replaced by ours, which reads the state with the resident.
    dispatcher = Dispatcher(storage=shared, events_isolation=_isolation(shared), disable_fsm=True)
    dispatcher.update.outer_middleware(UpdateContextMiddleware(
        uow_factory, settings.default_locale, clock, dispatcher.fsm, conversations_in_store=shared is None))
    # Inside the update's context: it counts the resident's updates, and an ignored one is still claimed.
    dispatcher.update.outer_middleware(FloodMiddleware(flood_counter(shared, clock), i18n))
    ResidentI18nMiddleware(i18n).setup(dispatcher)
    dispatcher.include_routers(*get_routers())
    commands = command_menu()
    dispatcher["settings"] = settings
    dispatcher["uow_factory"] = uow_factory
    dispatcher["clock"] = clock
    dispatcher["notices"] = core.notices
    dispatcher["commands"] = commands

    scheduler = create_scheduler(settings.zone)
    add_housekeeping(scheduler, uow_factory, clock)
    clockwork = Clockwork(uow_factory, clock, core.notices, settings.zone,
                          lease_seconds=settings.lease_seconds)
    clockwork.schedule(scheduler)
    outbox = _outbox(settings, bot, uow_factory, clock, i18n, scheduler)
    dispatcher["sender"] = outbox
    return App(core, commands, scheduler, clockwork, limiter, dispatcher, bot, outbox)


def _outbox(settings: Settings, bot: Bot, uow_factory: UnitOfWorkFactory, clock: Clock, i18n: I18n,
            scheduler: AsyncIOScheduler) -> OutboxSender:
    """The outbox sender (started by `start`) and the job that keeps staff's progress messages fresh."""
    renderer = Renderer(lambda msgid, locale: i18n.gettext(msgid, locale=locale), settings.default_locale)
    config = replace(SenderConfig.for_rate(settings.broadcast_limit, settings.broadcast_paid),
                     lease_ttl=settings.lease_seconds)
    reporter = ProgressReporter(bot, uow_factory, clock, i18n, progress_view_for(settings.zone, i18n))
    scheduler.add_job(reporter.tick, "interval", seconds=PROGRESS_INTERVAL, id="broadcast-progress",
                      replace_existing=True, max_instances=1)
    return OutboxSender(bot, uow_factory, clock, renderer, settings.zone, config)


def _shared_conversations(settings: Settings) -> RedisStorage | None:
    """With REDIS_URL, conversations live in Redis for every bot process; otherwise in the store."""
    if not settings.redis_url:
        return None
    # Imported only here: the Redis client costs a bot without Redis ~6 MB and 90 ms at start.
    from aiogram.fsm.storage.redis import RedisStorage

    return RedisStorage.from_url(settings.redis_url, key_builder=DefaultKeyBuilder(with_destiny=True))


def _isolation(shared: RedisStorage | None) -> BaseEventIsolation:
    """One conversation's updates one at a time: across processes when they share Redis."""
    if shared is None:
        return OneAtATime()
    return shared.create_isolation(lock_kwargs={"timeout": CONVERSATION_LOCK_SECONDS})


async def prepare_database(engine: AsyncEngine) -> None:
    """An empty database is created; an outdated one is refused with a clear message."""
    pending = await migrate.pending_revisions(engine)
    if not pending:
        return
    if not await migrate.has_history(engine):
        log.info("empty database: creating the schema")
        await migrate.upgrade(engine)
        return
    raise SchemaOutdated("the database schema is out of date: run `foorumi db upgrade`")


async def start(app: App) -> None:
    """Everything the bot needs before the first update."""
    await prepare_database(app.engine)
    async with app.uow_factory() as uow:
        await staff.ensure_admins(uow, app.settings.admin_ids)
    await register_commands(app.bot, app.i18n, app.commands.residents)
    await app.clockwork.tick()  # what came due while the bot was down
    app.scheduler.start()
    app.outbox_task = asyncio.create_task(app.outbox.run(), name="outbox-sender")


def settle_memory() -> None:
    """Keep what start-up built out of later garbage collections.

    aiogram's hundreds of models leave ~1M long-lived objects; a full collection walking them
    stalls the event loop for ~200 ms, which bunches up paced sends (and meets 429s).
    """
    gc.collect()
    gc.freeze()


async def run(app: App) -> None:
    """Run until `app.stop()`: long polling, or a webhook server when WEBHOOK_URL is set; then close."""
    await start(app)
    settle_memory()
    try:
        if app.settings.webhook_mode:
            await _run_webhook(app)
        else:
            await _run_polling(app)
    finally:
        await app.close()


async def _run_polling(app: App) -> None:
    await app.bot.delete_webhook(drop_pending_updates=False)
    stopper = asyncio.create_task(_stop_polling_when_asked(app), name="stop-polling")
    try:
        await app.dispatcher.start_polling(
            app.bot,
            allowed_updates=app.dispatcher.resolve_used_update_types(),
            handle_signals=False,  # the entry point's (foorumi.cli.run): they call app.stop()
            close_bot_session=False,  # App.close() closes it after the outbox has finished
        )
    finally:
        stopper.cancel()


async def _stop_polling_when_asked(app: App) -> None:
    # This task first runs when start_polling first waits, by when it holds its running lock:
    # stop_polling never meets "polling is not started".
    await app.stopping.wait()
    await app.dispatcher.stop_polling()


async def _run_webhook(app: App) -> None:
    """Serve Telegram's webhook (bot/telegram/webhook.py) until `app.stop()`; App.close() then
    refuses new requests and lets those under way finish."""
    settings = app.settings
    assert settings.webhook_url and settings.webhook_secret
    secret = settings.webhook_secret.get_secret_value()
    app.webhook = WebhookServer(app.dispatcher, app.bot, secret)
    host, _, port = settings.webhook_listen.rpartition(":")
    await app.webhook.start(host, int(port))
    # Every worker behind one proxy sets the same URL: the last to start wins, to the same effect.
    await app.bot.set_webhook(
        f"{settings.webhook_url}{WEBHOOK_PATH}",
        secret_token=secret,
        allowed_updates=app.dispatcher.resolve_used_update_types(),
    )
    log.info("webhook mode: listening on %s", settings.webhook_listen)
    await app.stopping.wait()
