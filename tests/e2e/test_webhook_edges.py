"""The webhook's hard edges (bot/telegram/webhook.py) and a graceful stop on SIGTERM and SIGINT.

The requests are what Telegram – or anyone who finds the address – would post, sent over real
HTTP to the bot running in webhook mode against the sandbox. The stop signals go to `foorumi run`
in a process of its own, with an update in flight: the sandbox holds the bot's reply until the
signal has been sent.
"""
from __future__ import annotations

import asyncio
import json
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
import pytest
from sqlalchemy import select

from bot.telegram.webhook import SECRET_HEADER
from sandbox import RunningSandbox, run_sandbox
from sandbox.botapi import METHODS
from storage.db import create_engine, create_session_factory
from storage.models import ProcessedUpdate, SenderLease
from storage.uow import UnitOfWork
from tests.e2e.conftest import (
    PEOPLE,
    WEBHOOK_SECRET,
    BotProcess,
    RunningBot,
    clock_offset,
    post_update,
    running_bot,
    start_bot_process,
    until,
    wait_for_exit,
    wait_until_serving,
    written,
)

MARKER = "Mannerheimintie-7-B-12"  # stands for what a body holds; it must never reach the log
TEN_MB = 10 * 2**20


async def handled_update_ids(database_url: str) -> set[int]:
    async with store(database_url) as uow:
        return set(await uow.session.scalars(select(ProcessedUpdate.update_id)))


async def lease_holders(database_url: str) -> dict[str, str]:
    async with store(database_url) as uow:
        return dict((await uow.session.execute(select(SenderLease.name, SenderLease.holder))).all())


@asynccontextmanager
async def store(database_url: str) -> AsyncIterator[UnitOfWork]:
    """A unit of work on the bot's database, from the test's side."""
    engine = create_engine(database_url)
    try:
        async with UnitOfWork(create_session_factory(engine)) as uow:
            yield uow
    finally:
        await engine.dispose()


@dataclass
class Webhook:
    running: RunningBot
    session: aiohttp.ClientSession
    url: str

    async def post(self, body: bytes, secret: str | None = WEBHOOK_SECRET, url: str | None = None) -> int:
        headers = {"Content-Type": "application/json"} | ({SECRET_HEADER: secret} if secret else {})
        async with self.session.post(url or self.url, data=body, headers=headers) as response:
            return response.status

    def written(self, user_id: int, text: str) -> dict:
        return written(self.running.sandbox, user_id, text)

    def replies(self, chat_id: int) -> list[str]:
        return replies(self.running.sandbox, chat_id)


def replies(sandbox: RunningSandbox, chat_id: int) -> list[str]:
    """What the bot has sent to the chat."""
    state = sandbox.state
    return [message.text for message in state.chats[chat_id].messages.values() if message.sender is state.bot]


@asynccontextmanager
async def webhook_bot(database_url: str) -> AsyncIterator[Webhook]:
    """The bot in webhook mode against the sandbox, once it serves."""
    async with running_bot(database_url, webhook=True) as running, aiohttp.ClientSession() as session:
        url = running.app.settings.webhook_url + "/webhook"
        await wait_until_serving(url)
        yield Webhook(running, session, url)


def encoded(update: object) -> bytes:
    return json.dumps(update).encode()


# --- requests -------------------------------------------------------------------------------------

async def test_only_the_secret_in_its_header_lets_an_update_in(e2e_database_url):
    async with webhook_bot(e2e_database_url) as hook:
        refused = {
            "missing": (None, None),
            "wrong": ("not-the-secret", None),
            "a prefix of it": (WEBHOOK_SECRET[:-1], None),
            "longer": (WEBHOOK_SECRET + "x", None),
            "in the query string": (None, f"{hook.url}?secret_token={WEBHOOK_SECRET}"),
        }
        statuses = {case: await hook.post(encoded(hook.written(PEOPLE.aino, "/start")), secret, url)
                    for case, (secret, url) in refused.items()}
        assert statuses == dict.fromkeys(refused, 401)
        assert await handled_update_ids(e2e_database_url) == set()
        assert hook.replies(PEOPLE.aino) == []

        accepted = hook.written(PEOPLE.aino, "/start")
        assert await hook.post(encoded(accepted)) == 200
        assert await handled_update_ids(e2e_database_url) == {accepted["update_id"]}


async def test_a_body_over_the_limit_is_refused_unread(e2e_database_url):
    async with webhook_bot(e2e_database_url) as hook:
        huge = encoded({"update_id": 1, "message": {"text": "x" * TEN_MB}})
        assert await hook.post(huge) == 413
        assert await hook.post(huge, secret=None) == 401  # without the secret, nothing is read
    assert await handled_update_ids(e2e_database_url) == set()


BAD_BODIES = {
    "not JSON": b'{"update_id": 7, "message": {"text": "' + MARKER.encode(),
    "not UTF-8": b'{"update_id": 7, "message": {"text": "\xff\xfe' + MARKER.encode() + b'"}}',
    "a JSON array": encoded([{"update_id": 7}, MARKER]),
    "update_id not a number": encoded({"update_id": "abc", "message": MARKER}),
    "no update": encoded({"update_id": 7, "message": MARKER}),
    "update_id past the store's": encoded({"update_id": 2**64, "text": MARKER}),
    "nested past the parser": b"[" * 100_000 + MARKER.encode(),
}


async def test_a_body_that_is_no_update_gets_400_and_leaves_the_log_clean(e2e_database_url, caplog):
    caplog.set_level(logging.DEBUG)
    async with webhook_bot(e2e_database_url) as hook:
        statuses = {case: await hook.post(body) for case, body in BAD_BODIES.items()}
        assert statuses == dict.fromkeys(BAD_BODIES, 400)
        still = hook.written(PEOPLE.aino, "/start")  # and the bot carries on
        assert await hook.post(encoded(still)) == 200

    assert await handled_update_ids(e2e_database_url) == {still["update_id"]}
    records = caplog.records
    assert [record.getMessage() for record in records if record.levelno >= logging.ERROR or record.exc_info] == []
    assert [record.getMessage() for record in records if MARKER in record.getMessage()] == []
    assert len([record for record in records if record.name == "bot.telegram.webhook"]) == len(BAD_BODIES)


async def test_a_valid_update_is_answered_once_it_has_been_handled(e2e_database_url):
    async with webhook_bot(e2e_database_url) as hook:
        update = hook.written(PEOPLE.sven, "/start")
        assert await hook.post(encoded(update)) == 200
        # No waiting: by the answer the update is recorded and the reply has been sent.
        assert await handled_update_ids(e2e_database_url) == {update["update_id"]}
        assert len(hook.replies(PEOPLE.sven)) == 1


async def test_a_redelivered_update_has_one_effect(e2e_database_url):
    async with webhook_bot(e2e_database_url) as hook:
        update = encoded(hook.written(PEOPLE.grace, "/start"))
        assert await hook.post(update) == 200
        assert await asyncio.gather(*(hook.post(update) for _ in range(3))) == [200, 200, 200]
        assert len(hook.replies(PEOPLE.grace)) == 1  # one welcome
    assert len(await handled_update_ids(e2e_database_url)) == 1


# --- stopping ---------------------------------------------------------------------------------------

class HeldSends:
    """The sandbox holds the bot's sendMessage calls until released: the update stays in flight."""

    def __init__(self, send) -> None:
        self.send = send
        self.arrived = asyncio.Event()
        self.released = asyncio.Event()

    async def __call__(self, state, params):
        self.arrived.set()
        await self.released.wait()
        return await self.send(state, params)


async def refused_connection(url: str) -> bool:
    """Whether a new connection to the webhook is refused now."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as session:
        try:
            async with session.post(url, data=b""):
                return False
        except aiohttp.ClientConnectionError:
            return True


@asynccontextmanager
async def bot_holding_its_reply(tmp_path, monkeypatch, *, webhook: bool) -> AsyncIterator[Stopping]:
    """`foorumi run` on a fresh database with both leases taken; the sandbox holds its replies."""
    held = HeldSends(METHODS["sendmessage"])
    monkeypatch.setitem(METHODS, "sendmessage", held)
    database_url = f"sqlite+aiosqlite:///{tmp_path}/stop.db"
    async with run_sandbox() as sandbox:
        bot = start_bot_process(sandbox, database_url, tmp_path / "bot.log", offset=clock_offset(),
                                webhook=webhook)
        try:
            if webhook:
                await wait_until_serving(bot.webhook, bot)
            await until(lambda: has_both_leases(database_url))
            yield Stopping(sandbox, bot, held, database_url)
        finally:
            held.released.set()
            if bot.process.poll() is None:
                bot.process.kill()


@dataclass
class Stopping:
    sandbox: RunningSandbox
    bot: BotProcess
    held: HeldSends
    database_url: str

    async def stop_while_replying(self, stop_signal: signal.Signals) -> None:
        await asyncio.wait_for(self.held.arrived.wait(), 30)  # the bot is sending its reply
        self.bot.process.send_signal(stop_signal)

    async def assert_stopped_gracefully(self) -> None:
        """The update in flight was finished, the leases given up, exit status 0."""
        assert await wait_for_exit(self.bot) == 0, self.bot.tail()
        assert len(replies(self.sandbox, PEOPLE.aino)) == 1
        assert len(await handled_update_ids(self.database_url)) == 1
        assert await lease_holders(self.database_url) == {}  # given up at once, not left to run out
        assert "Traceback" not in self.bot.log.read_text()


async def has_both_leases(database_url: str) -> bool:
    try:
        return set(await lease_holders(database_url)) == {"outbox", "scheduler"}
    except Exception:  # the bot is still creating the schema
        return False


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_a_stop_signal_refuses_new_requests_and_finishes_the_update_in_flight(
    tmp_path, monkeypatch, stop_signal
):
    async with (bot_holding_its_reply(tmp_path, monkeypatch, webhook=True) as stopping,
                aiohttp.ClientSession() as session):
        webhook, sandbox = stopping.bot.webhook, stopping.sandbox
        update = written(sandbox, PEOPLE.aino, "/start")
        in_flight = asyncio.create_task(post_update(session, webhook, update))
        await stopping.stop_while_replying(stop_signal)

        await until(lambda: refused_connection(webhook), 15)  # no new requests taken
        with pytest.raises(aiohttp.ClientConnectionError):
            await post_update(session, webhook, written(sandbox, PEOPLE.sven, "/start"))
        stopping.held.released.set()
        assert await in_flight == 200
        await stopping.assert_stopped_gracefully()


async def test_sigterm_in_polling_mode_finishes_the_update_in_flight(tmp_path, monkeypatch):
    async with bot_holding_its_reply(tmp_path, monkeypatch, webhook=False) as stopping:
        state = stopping.sandbox.state  # the sandbox delivers this one, to the bot's long poll
        state.user_message(state.users[PEOPLE.aino], state.chats[PEOPLE.aino], "/start")
        await stopping.stop_while_replying(signal.SIGTERM)
        stopping.held.released.set()
        await stopping.assert_stopped_gracefully()
