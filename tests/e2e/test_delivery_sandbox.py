"""The delivery engine against the local Bot API sandbox with Telegram's limits on, over real HTTP.

Each test seeds the database first, then runs the whole bot (long polling and the outbox sender).
"""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.services import outbox, staff
from domain import Audience, Notice, Role
from sandbox import Limits, run_sandbox
from storage import migrate
from storage.db import create_engine, create_session_factory
from storage.models import Broadcast, Delivery
from storage.uow import unit_of_work_factory
from tests.e2e.conftest import PEOPLE, Persona, running_bot
from tests.support.clock import MIDDAY, NIGHT, RunningClock
from tests.support.delivery import I18N, add_residents

FIRST = 720_000_000
TEXTS = {"fi": "Vapaa-ajan asukkaiden ilta torstaina", "sv": "Fritidsinvånarnas kväll på torsdag"}
# Residents' default quiet hours are 21–08: tests about sending run at MIDDAY, the quiet-hours
# test at NIGHT, whatever the hour the suite itself runs at.


class Store:
    """The bot's database, opened beside it (seed before the bot starts, read while it runs)."""

    def __init__(self, url: str, clock: RunningClock) -> None:
        self.engine = create_engine(url)
        self.uow_factory = unit_of_work_factory(create_session_factory(self.engine))
        self.clock = clock  # the bot's: what it sends "now" is due for it

    async def broadcast(self, broadcast_id: int) -> Broadcast:
        async with self.uow_factory() as uow:
            return await uow.outbox.get(broadcast_id)

    async def finished(self, broadcast_id: int, timeout: float = 30) -> Broadcast:
        """Waits (polling the store) until the broadcast is done or cancelled."""
        async with asyncio.timeout(timeout):
            while (broadcast := await self.broadcast(broadcast_id)).status not in ("done", "cancelled"):
                await asyncio.sleep(0.1)
        return broadcast

    async def send(self, recipients, texts=TEXTS, urgent: bool = False) -> int:
        async with self.uow_factory() as uow:
            broadcast_id = await outbox.enqueue(uow, recipients, Notice(texts), kind="broadcast",
                                                urgent=urgent, now=self.clock.now())
            await uow.commit()
        return broadcast_id


@pytest.fixture
def instant() -> datetime:
    return MIDDAY


@pytest.fixture
async def store(e2e_database_url, instant):
    engine = create_engine(e2e_database_url)
    await migrate.upgrade(engine)
    await engine.dispose()
    opened = Store(e2e_database_url, RunningClock(instant))
    yield opened
    await opened.engine.dispose()


async def residents(store: Store, client, count: int, first: int = FIRST, **fields) -> list[int]:
    """Residents in the store and the same people as sandbox users."""
    await client.add_users([{"id": first + n, "first_name": f"R{n}"} for n in range(count)])
    return await add_residents(store.uow_factory, count, first, **fields)


def per_chat(log: list[dict]) -> Counter:
    return Counter(entry["chat_id"] for entry in log if entry["method"] == "sendMessage")


async def test_a_429_pauses_sending_for_retry_after_and_nothing_is_lost(store, e2e_database_url):
    async with run_sandbox(limits=Limits(global_per_second=10)) as sandbox:
        async with running_bot(e2e_database_url, sandbox=sandbox, clock=store.clock) as running:
            await residents(store, running.client, 40)
            broadcast_id = await store.send(Audience())
            done = await store.finished(broadcast_id)
            stats = await running.client.stats()
            log = await running.client.delivery_log()
    assert (done.sent, done.failed) == (40, 0)
    assert set(per_chat(log).values()) == {1}
    assert 1 <= stats["too_many_requests"] <= 8  # honouring retry_after: about one 429 a second
    times = [entry["time"] for entry in log]
    assert (times[-1] - times[0]) >= 2.5  # 40 messages at the sandbox's 10/s took their time


async def test_403_marks_the_resident_blocked_and_they_are_not_tried_again(store, e2e_database_url):
    async with run_sandbox() as sandbox:
        async with running_bot(e2e_database_url, sandbox=sandbox, clock=store.clock) as running:
            await residents(store, running.client, 5)
            sandbox.state.users[FIRST + 2].blocked = True  # blocked without the bot hearing of it
            first = await store.finished(await store.send(Audience()))
            second = await store.finished(await store.send(Audience()))
            stats = await running.client.stats()
    assert (first.sent, first.blocked, first.failed) == (4, 1, 0)
    assert (second.total, second.sent) == (4, 4)  # the blocked resident is no longer in the audience
    assert stats["forbidden"] == 1  # not retried
    async with store.uow_factory() as uow:
        assert (await uow.residents.by_telegram_id(FIRST + 2)).blocked_at is not None


async def test_blocking_and_restarting_in_telegram_keeps_the_store_up_to_date(store, e2e_database_url):
    async with running_bot(e2e_database_url, clock=store.clock) as running:
        aino = Persona(running.client, PEOPLE.aino)
        await aino.send("/start")
        await running.client.block(PEOPLE.aino)
        async with asyncio.timeout(10):
            while not await _blocked(store, PEOPLE.aino):
                await asyncio.sleep(0.05)
        broadcast = await store.finished(await store.send(Audience()))
        assert broadcast.total == 0
        await running.client.unblock(PEOPLE.aino)
        async with asyncio.timeout(10):
            while await _blocked(store, PEOPLE.aino):
                await asyncio.sleep(0.05)


async def _blocked(store: Store, telegram_id: int) -> bool:
    async with store.uow_factory() as uow:
        return (await uow.residents.by_telegram_id(telegram_id)).blocked_at is not None


async def test_a_restart_mid_broadcast_loses_nothing_and_resends_only_what_was_in_flight(
    store, e2e_database_url
):
    async with run_sandbox() as sandbox:
        async with running_bot(e2e_database_url, sandbox=sandbox, clock=store.clock) as first:
            await residents(store, first.client, 60)
            broadcast_id = await store.send(Audience(), urgent=True)
            async with asyncio.timeout(10):
                while (await first.client.stats())["accepted"] < 25:
                    await asyncio.sleep(0.05)
            first.app.outbox_task.cancel()  # the sender dies mid-broadcast, its lease left behind
        async with store.uow_factory() as uow:
            in_flight = len(list(await uow.session.scalars(
                select(Delivery.id).where(Delivery.status == "sending"))))
        async with running_bot(e2e_database_url, sandbox=sandbox, clock=store.clock) as second:
            done = await store.finished(broadcast_id)
            log = await second.client.delivery_log()
    counts = per_chat(log)
    assert done.sent == 60 and len(counts) == 60  # nothing lost
    duplicates = sum(n - 1 for n in counts.values())
    assert duplicates <= in_flight  # only messages whose outcome was not recorded went twice


async def test_staff_broadcast_reaches_the_chosen_audience_in_their_languages(store, e2e_database_url):
    async with store.uow_factory() as uow:
        await staff.grant(uow, PEOPLE.grace, Role.EDITOR, None)
    async with running_bot(e2e_database_url, clock=store.clock) as running:
        await residents(store, running.client, 3, FIRST, resident_type="holiday")
        await residents(store, running.client, 2, FIRST + 10, resident_type="holiday", locale="sv")
        await residents(store, running.client, 2, FIRST + 20, resident_type="holiday", locale="en")
        await residents(store, running.client, 4, FIRST + 30, resident_type="permanent")
        grace = Persona(running.client, PEOPLE.grace)
        prompt = await grace.send("/broadcast")
        assert prompt["text"].startswith("📣 New broadcast")
        await grace.send(TEXTS["fi"])
        await grace.send(TEXTS["sv"])  # then English is asked for; skip it
        english = (await running.client.transcript(PEOPLE.grace))["messages"][-1]
        audience = await grace.tap(english, "Skip this language ›")
        assert "12 recipients" in audience["text"]  # the 11 residents and Grace
        audience = await grace.tap(audience, "🌲 Holiday resident")
        assert "7 recipients" in audience["text"]
        confirm = await grace.tap(audience, "Continue ›")
        assert "Not urgent" in confirm["text"]
        progress = await grace.tap(confirm, "✅ Send now")
        report = await running.client.wait_for_event(
            PEOPLE.grace, 0, lambda e: e["type"] == "edit" and e["message"]["message_id"] == progress["message_id"]
            and e["message"]["text"].startswith("✅ Broadcast"), timeout=30)
        log = await running.client.delivery_log()
    assert "Delivered to 7 recipients" in report["message"]["text"]
    texts = {entry["chat_id"]: entry["text"] for entry in log if entry["chat_id"] >= FIRST}
    assert set(texts) == {*range(FIRST, FIRST + 3), FIRST + 10, FIRST + 11, FIRST + 20, FIRST + 21}
    assert texts[FIRST] == TEXTS["fi"] and texts[FIRST + 10] == TEXTS["sv"]
    assert texts[FIRST + 20] == ("ℹ️ This message is not available in English, so here it is in Finnish."
                                 "\n\n" + TEXTS["fi"])


@pytest.mark.parametrize("instant", [NIGHT])
async def test_quiet_hours_hold_non_urgent_messages_until_morning(store, e2e_database_url):
    async with running_bot(e2e_database_url, clock=store.clock) as running:
        quiet = await residents(store, running.client, 2, FIRST, quiet_from=21, quiet_until=8)
        awake = await residents(store, running.client, 2, FIRST + 10, quiet_from=0, quiet_until=0)
        normal = await store.send([*quiet, *awake])
        urgent = await store.finished(await store.send([*quiet, *awake], {"fi": "Vesikatko!"}, urgent=True))
        async with asyncio.timeout(10):
            while (await store.broadcast(normal)).sent < 2:
                await asyncio.sleep(0.05)
        log = await running.client.delivery_log()
        waiting = await store.broadcast(normal)
    assert urgent.sent == 4
    got_normal = {entry["chat_id"] for entry in log if entry["text"] == TEXTS["fi"]}
    assert got_normal == {FIRST + 10, FIRST + 11}
    assert (waiting.status, waiting.remaining) == ("sending", 2)
    async with store.uow_factory() as uow:
        held = set(await uow.session.scalars(
            select(Delivery.not_before).where(Delivery.broadcast_id == normal, Delivery.status == "pending")))
    assert held == {datetime(2026, 6, 16, 5, 0, tzinfo=UTC)}  # 08:00 in Mikkeli


async def test_residents_cannot_broadcast(store, e2e_database_url):
    async with running_bot(e2e_database_url, clock=store.clock) as running:
        aino = Persona(running.client, PEOPLE.aino)
        await aino.send("/start")
        reply = await aino.send("/broadcast")
        log = await running.client.delivery_log()
    assert reply["text"] == I18N.gettext("Sorry, only city staff with the right role can do that.", locale="fi")
    async with store.uow_factory() as uow:
        assert list(await uow.session.scalars(select(Broadcast))) == []
    assert all(entry["chat_id"] == PEOPLE.aino for entry in log)
