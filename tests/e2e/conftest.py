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

A bot in a process of its own, as an operator runs it: `start_bot_process` (`foorumi run`, a
webhook on a free port unless `webhook=False`, its clock at the tests' instant through
FOORUMI_CLOCK_OFFSET = `clock_offset()`), `wait_until_serving`, `wait_for_exit`, and `until`
(polls what another process does, with a deadline). A test that delivers updates itself (a load
balancer, a forged request) makes them with `written` / `pressed` (exactly what Telegram would
send; the sandbox records them but does not deliver them) and posts them with `post_update`.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Protocol, TypeVar

import aiohttp
import pytest

from bot.clock import Clock
from bot.config import Settings, load_settings
from bot.services import areas
from bot.telegram.webhook import SECRET_HEADER
from foorumi import demo
from foorumi.app import CLOCK_OFFSET, App, build_app, build_core, run, start
from foorumi.demo import AREA_FILE
from sandbox import RunningSandbox, SandboxClient, run_sandbox
from storage import migrate
from storage.db import create_engine, create_session_factory
from storage.uow import UnitOfWork
from tests.support.clock import RunningClock, test_instant

PEOPLE = SimpleNamespace(  # the sandbox's personas (sandbox/personas.json)
    aino=710000001, sven=710000002, grace=710000003, pentti=710000004, lena=710000005,
    staff_group=-1001000000001,
)
WEBHOOK_SECRET = "e2e-webhook-secret"
T = TypeVar("T")


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
    """Stop the bot as SIGTERM does (`App.stop`: a bot still starting stops once it has started)."""
    app.stop()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    if app.dispatcher.sub_routers:  # it failed before it began: run() never reached its own close
        await app.close()


# --- the bot in a process of its own, and updates a test delivers itself ---------------------------

FOORUMI = Path(sys.executable).with_name("foorumi")  # the console script, as an operator runs it
START_TIMEOUT = 60.0  # seconds for a bot process to start serving


@dataclass
class BotProcess:
    process: subprocess.Popen[bytes]
    webhook: str  # where it takes updates ("" when it polls)
    log: Path  # its standard output and error

    def tail(self, lines: int = 15) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def clock_offset() -> float:
    """Seconds from now to the tests' instant: FOORUMI_CLOCK_OFFSET for bot processes, so their
    clocks read the tests' (foorumi.app.OffsetClock with the same offset reads it in the test)."""
    return (test_instant() - datetime.now(UTC)).total_seconds()


class BotApi(Protocol):
    url: str  # BOT_API_URL
    token: str  # BOT_TOKEN


def start_bot_process(api: BotApi, database_url: str, log: Path, *, offset: float | None,
                      webhook: bool = True, **settings: str) -> BotProcess:
    """`foorumi run` against a Bot API server (the sandbox): the shell's environment without the
    bot's own settings, then these (extra ones by name, e.g. redis_url=...) and the clock `offset`
    (None: the system's); run in `log`'s directory (no .env there)."""
    environment = {key: value for key, value in os.environ.items()
                   if key.lower() not in Settings.model_fields and key != CLOCK_OFFSET}
    environment |= {"BOT_TOKEN": api.token, "BOT_API_URL": api.url, "DATABASE_URL": database_url,
                    **{name.upper(): value for name, value in settings.items()}}
    if offset is not None:
        environment[CLOCK_OFFSET] = repr(offset)
    url = ""
    if webhook:
        port = free_port()
        url = f"http://127.0.0.1:{port}/webhook"
        environment |= {"WEBHOOK_URL": f"http://127.0.0.1:{port}", "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
                        "WEBHOOK_SECRET": WEBHOOK_SECRET}
    with log.open("wb") as output:
        process = subprocess.Popen([str(FOORUMI), "run"], env=environment, cwd=log.parent,
                                   stdout=output, stderr=subprocess.STDOUT)
    return BotProcess(process, url, log)


async def wait_until_serving(url: str, bot: BotProcess | None = None) -> None:
    """Until the webhook at `url` answers (401 to a request without the secret: the bot has started)."""
    deadline = time.monotonic() + START_TIMEOUT
    async with aiohttp.ClientSession() as session:
        while True:
            if bot is not None:
                assert bot.process.poll() is None, f"the bot exited ({bot.process.returncode}):\n{bot.tail()}"
            assert time.monotonic() < deadline, "the bot did not start" + (f":\n{bot.tail()}" if bot else "")
            with contextlib.suppress(aiohttp.ClientConnectionError):
                async with session.post(url, data=b"") as response:
                    if response.status == 401:
                        return
            await asyncio.sleep(0.1)


async def wait_for_exit(bot: BotProcess, timeout: float = 30.0) -> int:
    deadline = time.monotonic() + timeout
    while (code := bot.process.poll()) is None:
        assert time.monotonic() < deadline, f"the bot did not exit:\n{bot.tail()}"
        await asyncio.sleep(0.1)
    return code


async def until(condition: Callable[[], Awaitable[T]], timeout: float = 60.0,
                explain: Callable[[], Awaitable[object]] | None = None) -> T:
    """Poll `condition` (what a process outside this one does) until it gives something true;
    fail after `timeout` seconds, with what `explain` gives."""
    deadline = time.monotonic() + timeout
    while not (result := await condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s" + (f": {await explain()}" if explain else ""))
        await asyncio.sleep(0.1)
    return result


def written(sandbox: RunningSandbox, user_id: int, text: str) -> dict[str, Any]:
    """The update Telegram sends when the user writes `text` to the bot – for the test to deliver
    (the sandbox records the message, but its own delivery never sees the update)."""
    state = sandbox.state
    state.user_message(state.users[user_id], state.chats[user_id], text)
    return _taken(sandbox)


def pressed(sandbox: RunningSandbox, user_id: int, message_id: int, data: str) -> dict[str, Any]:
    """The update Telegram sends when the user presses a button on one of the bot's messages
    (the sandbox knows the press, so the bot can answer it), for the test to deliver."""
    state = sandbox.state
    state.press(state.users[user_id], state.chats[user_id], message_id, data)
    return _taken(sandbox)


def _taken(sandbox: RunningSandbox) -> dict[str, Any]:
    # Taken before this task awaits anything, so the sandbox's webhook delivery never gets it.
    update_id, kind, payload = sandbox.state.updates.pop()
    return {"update_id": update_id, kind: payload}


async def post_update(session: aiohttp.ClientSession, url: str, update: Any,
                      secret: str | None = WEBHOOK_SECRET) -> int:
    """POST an update to a webhook as Telegram does; the answer's status."""
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with session.post(url, json=update, headers=headers) as response:
        return response.status


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
