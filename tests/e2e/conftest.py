"""The real bot against the local Bot API sandbox, over real HTTP on 127.0.0.1.

`running_bot(database_url)` is the shared building block (an async context manager):

    async with running_bot(f"sqlite+aiosqlite:///{tmp_path}/e2e.db") as running:
        sent = await running.client.send_text(PEOPLE.aino, "/start")
        reply = await running.client.wait_for_reply(PEOPLE.aino, sent["seq"])

It starts a sandbox (unless you pass `sandbox=`, e.g. to keep the chats across a bot restart),
builds the bot with `foorumi.app.build_app` pointed at it through BOT_API_URL and a token, and runs
`foorumi.app.run` (long polling; `webhook=True` for a webhook on a free local port with a secret).
It yields `RunningBot(client, sandbox, app)`; leaving the block stops the bot, then the sandbox.
Extra keyword arguments are settings (e.g. `default_locale="sv"`). The bot's clock is a
`RunningClock` (real seconds from the tests' instant, see tests/support/clock.py) unless `clock=`
gives one: a test whose outcome depends on the time of day passes a clock at its own instant.

Fixtures: `e2e` is `running_bot` on a fresh SQLite database per test; `e2e_database_url` is that
database, `mikkeli_database_url` the same with Mikkeli's areas loaded and `demo_database_url` with
the whole demo city of `foorumi demo`. `Persona(client, user_id)` sends, taps buttons by their
label and waits for what the bot does (long polls, never sleeps); `labels(message)` is the inline
keyboard as rows of labels. Do not seed a database while a bot on it is starting: seed first.
"""
from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest

from bot.clock import Clock
from bot.config import Settings, load_settings
from bot.services import areas
from foorumi import demo
from foorumi.app import App, build_app, build_core, run, start
from foorumi.demo import AREA_FILE
from sandbox import RunningSandbox, SandboxClient, run_sandbox
from storage import migrate
from storage.db import create_engine, create_session_factory
from storage.uow import UnitOfWork
from tests.support.clock import RunningClock

PEOPLE = SimpleNamespace(  # the sandbox's personas (sandbox/personas.json)
    aino=710000001, sven=710000002, grace=710000003, pentti=710000004, lena=710000005,
    staff_group=-1001000000001,
)
WEBHOOK_SECRET = "e2e-webhook-secret"


@dataclass
class RunningBot:
    client: SandboxClient  # act as residents, read what they see
    sandbox: RunningSandbox  # .url, .token, .state
    app: App  # the bot's composition root (settings, uow_factory, dispatcher...)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bot_settings(sandbox: RunningSandbox, database_url: str, *, webhook: bool = False, **overrides: Any) -> Settings:
    """Settings as an operator would give them, pointed at the sandbox (nothing from .env)."""
    values: dict[str, Any] = {
        "bot_token": sandbox.token,
        "bot_api_url": sandbox.url,
        "database_url": database_url,
        "default_locale": "fi",
        "timezone": "Europe/Helsinki",
        "redis_url": None,
        "admin_ids": [],
        "staff_chat_id": None,
        "webhook_url": None,
        "webhook_secret": None,
    }
    if webhook:
        port = free_port()
        values |= {"webhook_url": f"http://127.0.0.1:{port}", "webhook_listen": f"127.0.0.1:{port}",
                   "webhook_secret": WEBHOOK_SECRET}
    return load_settings(_env_file=None, **(values | overrides))


@asynccontextmanager
async def running_bot(
    database_url: str,
    *,
    sandbox: RunningSandbox | None = None,
    webhook: bool = False,
    clock: Clock | None = None,
    **overrides: Any,
) -> AsyncIterator[RunningBot]:
    async with AsyncExitStack() as stack:
        if sandbox is None:
            sandbox = await stack.enter_async_context(run_sandbox())
        client = await stack.enter_async_context(SandboxClient(sandbox.url))
        settings = bot_settings(sandbox, database_url, webhook=webhook, **overrides)
        app = build_app(settings, clock=clock or RunningClock())
        task = asyncio.create_task(run(app), name="bot")
        try:
            yield RunningBot(client, sandbox, app)
        finally:
            await stop(app, task)


async def stop(app: App, task: asyncio.Task[None]) -> None:
    """Stop polling as Ctrl+C would (a webhook server, or a bot still starting, is cancelled)."""
    if not task.done():
        try:
            await app.dispatcher.stop_polling()
        except RuntimeError:  # not polling
            task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    if app.dispatcher.sub_routers:  # cancelled before it began: run() never reached its own close
        await app.close()
    # aiogram's polling took over Ctrl+C for this event loop; give it back to pytest.
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.remove_signal_handler(number)


@asynccontextmanager
async def started_app(settings: Settings) -> AsyncIterator[App]:
    """The bot ready to handle updates that a test feeds it (no polling loop)."""
    app = build_app(settings, clock=RunningClock())
    try:
        await start(app)
        yield app
    finally:
        await app.close()


class Persona:
    """One sandbox user in their private chat with the bot."""

    def __init__(self, client: SandboxClient, user_id: int) -> None:
        self.client = client
        self.user_id = user_id

    async def send(self, text: str) -> dict:
        """Send a message; the bot's next message in reply."""
        sent = await self.client.send_text(self.user_id, text)
        return await self.client.wait_for_reply(self.user_id, sent["seq"])

    async def tap(self, message: dict, label: str) -> dict:
        """Press the inline button with this label; the message as the bot edits it."""
        pressed = await self.client.press(self.user_id, message["message_id"], callback_data(message, label))
        return await self.client.wait_for_edit(self.user_id, message["message_id"], pressed["seq"])


def labels(message: dict) -> list[list[str]]:
    """The inline keyboard as rows of button labels ([] when there is none)."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [[button["text"] for button in row] for row in rows]


def callback_data(message: dict, label: str) -> str:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    found = [button["callback_data"] for row in rows for button in row if button["text"] == label]
    assert found, f"no button {label!r} in {labels(message)}"
    return found[0]


async def with_mikkeli_areas(database_url: str) -> None:
    """Create the schema and load the city's areas, as an operator would before the first run."""
    engine = create_engine(database_url)
    try:
        await migrate.upgrade(engine)
        async with UnitOfWork(create_session_factory(engine)) as uow:
            await areas.load(uow, areas.parse_area_file(AREA_FILE))
    finally:
        await engine.dispose()


async def with_demo_city(database_url: str) -> None:
    """The demo city of `foorumi demo` (bot/demo.py) in this database."""
    settings = load_settings(_env_file=None, database_url=database_url, default_locale="fi")
    core = build_core(settings, clock=RunningClock())
    try:
        await demo.prepare(core)
    finally:
        await core.close()


@pytest.fixture
def people() -> SimpleNamespace:
    return PEOPLE


@pytest.fixture
def e2e_database_url(tmp_path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/e2e.db"


@pytest.fixture
async def mikkeli_database_url(e2e_database_url: str) -> str:
    await with_mikkeli_areas(e2e_database_url)
    return e2e_database_url


@pytest.fixture
async def demo_database_url(e2e_database_url: str) -> str:
    await with_demo_city(e2e_database_url)
    return e2e_database_url


@pytest.fixture
async def e2e(e2e_database_url: str) -> AsyncIterator[RunningBot]:
    async with running_bot(e2e_database_url) as running:
        yield running
