"""Three `foorumi run` workers behind one webhook, on PostgreSQL and Redis; one is killed mid-load.

The test is Telegram and the load balancer in front of the workers. A fresh PostgreSQL database
holds RESIDENTS residents and an approval ballot that has just opened; the sandbox (in this
process) is their Telegram. The first worker starts alone, so it holds both leases – the
scheduler's and the outbox sender's – announces the ballot and sends the announcement to every
resident. Two more workers start. Then every resident taps two options at once, each tap posted
as Telegram would post it, round-robin over the workers, CONNECTIONS at a time. A third of the way
through, the worker holding the leases is killed with SIGKILL; a request whose connection fails
goes to the next worker, as Telegram delivers it again. Right after the kill a broadcast and a
forum (whose one-hour reminder is due at once) are queued – work that only a new lease holder can
do. Then the test shows: every tap counted exactly once (an approval tap handled twice would
take the vote back), the leases taken over by a surviving worker within seconds, and the
broadcast, the forum invitation and the reminder delivered exactly once to each recipient
(from the sandbox's own delivery log). The survivors then stop on SIGTERM with exit status 0 and
give their leases up.

The workers run on the tests' clock: FOORUMI_CLOCK_OFFSET (see foorumi/cli/run.py).
"""
from __future__ import annotations

import asyncio
import itertools
import signal
import time
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.services import ballot_counts, ballots, broadcasts, forum_reminders, forums, staff
from bot.services.ballots import BallotDraft, OptionDraft
from domain import Audience, ForumAudience, Method, Role
from bot.config import ConfigError, load_settings
from foorumi.app import OffsetClock, build_app
from sandbox import RunningSandbox, run_sandbox
from storage import migrate
from storage.db import create_engine, create_session_factory
from storage.models import Broadcast, Delivery, Resident, SenderLease, Vote
from storage.uow import UnitOfWorkFactory, unit_of_work_factory
from tests.e2e.conftest import (
    BotProcess,
    clock_offset,
    post_update,
    pressed,
    start_bot_process,
    until,
    wait_for_exit,
    wait_until_serving,
)
from tests.support.databases import fresh_postgres_database, postgres_unavailable_reason
from tests.support.delivery import add_residents
from tests.support.forums import EDITOR, NOTICES, draft, rsvp, theme
from tests.support.redis import reachable_redis

REDIS_URL = "redis://127.0.0.1:6379/14"  # a database of its own; keys carry this run's bot id
RESIDENTS = 60
FIRST_ID = 930_000_000
OPTIONS = 3
TAPS_PER_RESIDENT = 2  # the ballot allows two choices
CONNECTIONS = 20  # requests under way at once (Telegram's default max_connections is 40)
KILL_AFTER = RESIDENTS * TAPS_PER_RESIDENT // 3  # answered taps before the lease holder is killed
ATTENDING = 20  # residents who said they come to the forum: they get its reminder
BROADCAST = "Katutyöt alkavat maanantaina"
FORUM_TITLE = "Kirjaston tulevaisuus"
TAKEOVER_WITHIN = 30.0  # seconds (generous: LEASE_SECONDS is 10 and a tick is a third of that)
SETTLED_WITHIN = 120.0  # seconds for every queued message to be sent


@pytest.fixture
async def services() -> None:
    if reason := await postgres_unavailable_reason():
        pytest.skip(reason)
    await reachable_redis(REDIS_URL)


async def test_three_workers_count_every_vote_once_and_take_over_from_a_killed_one(tmp_path, services):
    offset = clock_offset()
    clock = OffsetClock(offset)
    token = f"{uuid.uuid4().int % 10**9 + 10**9}:WORKERS"  # a bot id of its own: its own Redis keys
    async with (fresh_postgres_database() as database_url,
                run_sandbox(token=token, personas=False) as sandbox):
        engine = create_engine(database_url)
        uow_factory = unit_of_work_factory(create_session_factory(engine))
        workers: list[BotProcess] = []
        try:
            people, ballot_id, option_ids, theme_id = await seed(engine, uow_factory, sandbox, clock)

            def worker(number: int) -> BotProcess:
                return start_bot_process(sandbox, database_url, tmp_path / f"worker-{number}.log",
                                         offset=offset, redis_url=REDIS_URL, log_level="INFO")

            workers.append(worker(1))
            await wait_until_serving(workers[0].webhook, workers[0])
            await until(lambda: lease_pids_are(uow_factory, {workers[0].process.pid}))
            announcements = await until(lambda: announced(sandbox, people))
            workers += [worker(2), worker(3)]
            for started in workers[1:]:
                await wait_until_serving(started.webhook, started)

            chosen = chosen_options(people, option_ids)
            taps = [pressed(sandbox, person, announcements[person], f"bv:{ballot_id}:{option}")
                    for person, options in chosen.items() for option in options]
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=90)) as session:
                balancer = Balancer(session, workers)
                load = asyncio.create_task(balancer.deliver_all(taps))
                await asyncio.wait_for(balancer.answered_enough.wait(), 60)

                workers[0].process.send_signal(signal.SIGKILL)
                takeover = asyncio.create_task(seconds_until_taken_over(uow_factory, workers[1:]))
                await queue_work_for_the_new_holder(uow_factory, clock, theme_id, people)
                await load
            taken_over_after = await takeover
            await until(lambda: outbox_settled(uow_factory), SETTLED_WITHIN,
                        lambda: outbox_state(uow_factory))

            await assert_every_tap_counted_once(uow_factory, ballot_id, chosen)
            assert_each_delivered_once(sandbox, people)
            for survivor in workers[1:]:
                survivor.process.send_signal(signal.SIGTERM)
            codes = [await wait_for_exit(survivor) for survivor in workers[1:]]
            assert codes == [0, 0], [survivor.tail() for survivor in workers[1:]]
            assert await lease_holders(uow_factory) == {}
            logs = {worker.log.name: worker.log.read_text(errors="replace") for worker in workers}
            assert [name for name, text in logs.items() if " ERROR " in text or "Traceback" in text] == []
        finally:
            for running in workers:
                if running.process.poll() is None:
                    running.process.kill()
                    running.process.wait()
            await engine.dispose()

    assert balancer.redelivered > 0  # some taps did meet the killed worker
    print(f"leases taken over {taken_over_after:.1f} s after the kill; "
          f"{balancer.redelivered} requests delivered again")


async def test_lease_seconds_sets_both_leases_and_how_often_the_clock_renews_its(tmp_path):
    settings = load_settings(_env_file=None, bot_token="42:TEST-token", lease_seconds=6,
                             database_url=f"sqlite+aiosqlite:///{tmp_path}/leases.db")
    app = build_app(settings)
    try:
        assert app.outbox.config.lease_ttl == 6
        assert app.clockwork.lease == timedelta(seconds=6)
        assert app.scheduler.get_job("clockwork").trigger.interval == timedelta(seconds=2)
    finally:
        await app.close()
    assert load_settings(_env_file=None).lease_seconds == 10  # the default
    with pytest.raises(ConfigError, match="^LEASE_SECONDS: "):
        load_settings(_env_file=None, lease_seconds=1)


# --- the store and the sandbox before the run --------------------------------------------------------

async def seed(engine, uow_factory: UnitOfWorkFactory, sandbox: RunningSandbox,
               clock: OffsetClock) -> tuple[list[int], int, list[int], int]:
    """The residents (in the store and in the sandbox), a theme for a forum, and an approval
    ballot that opened a minute ago; (residents' Telegram ids, ballot id, option ids, theme id)."""
    await migrate.upgrade(engine)
    now = clock.now()
    people = [FIRST_ID + n for n in range(RESIDENTS)]
    for n, person in enumerate(people):
        sandbox.state.add_user(id=person, first_name=f"Asukas {n}", language_code="fi")
    # No quiet hours, so the test passes at any instant FOORUMI_TEST_CLOCK gives.
    await add_residents(uow_factory, RESIDENTS, first_telegram_id=FIRST_ID, resident_type="permanent",
                        quiet_from=0, quiet_until=0)
    theme_id = await theme(uow_factory)
    async with uow_factory() as uow:
        await staff.grant(uow, EDITOR, Role.EDITOR, None)
        ballot = await ballots.create(uow, EDITOR, BallotDraft(
            {"fi": "Mitä kirjastossa pitäisi muuttaa?"},
            [OptionDraft({"fi": label}) for label in ("Aukioloajat", "Lastenosasto", "Lukusali")],
            opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=7),
            method=Method.APPROVAL, max_choices=TAPS_PER_RESIDENT), now)
        option_ids = [option.id for option in ballot.options]
    assert len(option_ids) == OPTIONS
    return people, ballot.id, option_ids, theme_id


def chosen_options(people: list[int], option_ids: list[int]) -> dict[int, set[int]]:
    """Resident n chooses options n and n + 1 (mod 3): each option gets 2/3 of the residents."""
    return {person: {option_ids[(n + k) % OPTIONS] for k in range(TAPS_PER_RESIDENT)}
            for n, person in enumerate(people)}


async def queue_work_for_the_new_holder(uow_factory: UnitOfWorkFactory, clock: OffsetClock,
                                        theme_id: int, people: list[int]) -> None:
    """As staff would, in a process of their own: a broadcast to everyone, due now, and a forum
    starting in an hour (its invitation goes to everyone, its one-hour reminder is due now)."""
    now = clock.now()
    async with uow_factory() as uow:
        await broadcasts.send_broadcast(uow, None, {"fi": BROADCAST}, Audience(), now=now)
    starts = now + timedelta(minutes=60, seconds=-1)
    forum_draft = draft(theme_id, starts_at=starts, ends_at=starts + timedelta(hours=2), reminders=(60,),
                        audience=ForumAudience.EVERYONE)
    async with uow_factory() as uow:
        forum = await forums.create(uow, EDITOR, forum_draft, NOTICES, now)
    async with uow_factory() as uow:
        attending = (await uow.session.scalars(
            select(Resident).where(Resident.telegram_id.in_(people[:ATTENDING])))).all()
    await rsvp(uow_factory, forum.id, list(attending), "remote")


# --- the load balancer ---------------------------------------------------------------------------------

class Balancer:
    """Round-robin over the workers; a request whose connection fails (or that is answered 5xx)
    goes to the next worker, as Telegram delivers an update again."""

    def __init__(self, session: aiohttp.ClientSession, workers: list[BotProcess]) -> None:
        self.session = session
        self.workers = workers
        self.turns = itertools.count()
        self.answered = 0
        self.answered_enough = asyncio.Event()  # KILL_AFTER taps answered
        self.redelivered = 0

    async def deliver_all(self, updates: list[dict]) -> None:
        connections = asyncio.Semaphore(CONNECTIONS)

        async def one(update: dict) -> None:
            async with connections:
                await self.deliver(update)

        await asyncio.gather(*(one(update) for update in updates))

    async def deliver(self, update: dict) -> None:
        first = next(self.turns)
        for attempt in range(3 * len(self.workers)):
            worker = self.workers[(first + attempt) % len(self.workers)]
            try:
                status = await post_update(self.session, worker.webhook, update)
            except (aiohttp.ClientError, TimeoutError):
                status = None
            if status == 200:
                self.answered += 1
                if self.answered >= KILL_AFTER:
                    self.answered_enough.set()
                return
            self.redelivered += 1
        raise AssertionError(f"update {update['update_id']} found no worker to take it")


# --- what the test waits for ------------------------------------------------------------------------------

async def lease_holders(uow_factory: UnitOfWorkFactory) -> dict[str, str]:
    async with uow_factory() as uow:
        return dict((await uow.session.execute(select(SenderLease.name, SenderLease.holder))).all())


async def lease_pids_are(uow_factory: UnitOfWorkFactory, pids: set[int], every: bool = True) -> bool:
    """Both leases are held by these processes (by all of them together, when `every`)."""
    holders = await lease_holders(uow_factory)
    if set(holders) != {"outbox", "scheduler"}:
        return False
    held_by = {int(holder.split(":")[1]) for holder in holders.values()}  # holder_id: host:pid:object
    return held_by == pids if every else held_by <= pids


async def seconds_until_taken_over(uow_factory: UnitOfWorkFactory, survivors: list[BotProcess]) -> float:
    """Both leases held by surviving workers (each by one of them)."""
    killed_at = time.monotonic()
    pids = {survivor.process.pid for survivor in survivors}
    await until(lambda: lease_pids_are(uow_factory, pids, every=False), TAKEOVER_WITHIN,
                lambda: lease_holders(uow_factory))
    return time.monotonic() - killed_at


async def announced(sandbox: RunningSandbox, people: list[int]) -> dict[int, int] | None:
    """Each resident's ballot announcement (message id), once every resident has one."""
    found = {}
    for person in people:
        for message in sandbox.state.chats[person].messages.values():
            if vote_buttons(message.reply_markup):
                found[person] = message.message_id
    return found if len(found) == len(people) else None


async def outbox_state(uow_factory: UnitOfWorkFactory) -> dict[tuple[str, str], int]:
    """How many outbox rows of each kind have each status."""
    async with uow_factory() as uow:
        rows = await uow.session.execute(
            select(Broadcast.kind, Delivery.status, func.count()).join(Broadcast)
            .group_by(Broadcast.kind, Delivery.status))
        return {(kind, status): count for kind, status, count in rows}


def vote_buttons(markup: dict[str, Any] | None) -> bool:
    rows = (markup or {}).get("inline_keyboard", [])
    return any(button.get("callback_data", "").startswith("bv:") for row in rows for button in row)


async def outbox_settled(uow_factory: UnitOfWorkFactory) -> bool:
    """Nothing to the residents is waiting or being sent, and the forum's reminders have been queued.

    (The theme's author, no sandbox user, is left out: its notices wait for their own instant.)
    """
    async with uow_factory() as uow:
        unfinished = await uow.session.scalar(
            select(func.count()).select_from(Delivery).join(Resident)
            .where(Delivery.status.in_(("pending", "sending")), Resident.telegram_id >= FIRST_ID))
        reminders = await uow.session.scalar(
            select(func.count()).select_from(Delivery).join(Broadcast)
            .where(Broadcast.kind == forum_reminders.KIND))
    return unfinished == 0 and reminders == ATTENDING


# --- what the test shows ------------------------------------------------------------------------------

async def assert_every_tap_counted_once(uow_factory: UnitOfWorkFactory, ballot_id: int,
                                        chosen: dict[int, set[int]]) -> None:
    async with uow_factory() as uow:
        counted = await ballot_counts.count(uow, await ballots.ballot(uow, ballot_id))
        rows = (await uow.session.execute(
            select(Resident.telegram_id, Vote.option_id).join(Vote, Vote.resident_id == Resident.id)
            .where(Vote.ballot_id == ballot_id))).all()
    votes: dict[int, set[int]] = {}
    for person, option_id in rows:
        votes.setdefault(person, set()).add(option_id)
    assert votes == chosen  # a tap handled twice would have taken its vote back
    expected = Counter(option for options in chosen.values() for option in options)
    assert {count.option_id: count.votes for count in counted.outcome.counts} == expected
    assert counted.outcome.voters == RESIDENTS


def assert_each_delivered_once(sandbox: RunningSandbox, people: list[int]) -> None:
    """From the sandbox's delivery log: the announcement, the broadcast and the forum invitation
    once to every resident, the reminder once to each who comes."""
    texts_by_chat: dict[int, list[str]] = {}
    for delivery in sandbox.state.deliveries:
        texts_by_chat.setdefault(delivery.chat_id, []).append(delivery.text or "")
    for n, person in enumerate(people):
        texts = texts_by_chat.get(person, [])
        assert sum(BROADCAST in text for text in texts) == 1, person
        about_the_forum = [text for text in texts if FORUM_TITLE in text]
        assert len(about_the_forum) == (2 if n < ATTENDING else 1), (person, about_the_forum)
        assert len(set(about_the_forum)) == len(about_the_forum)  # the invitation, and the reminder
        chat = sandbox.state.chats[person]
        with_vote_buttons = [m for m in chat.messages.values() if vote_buttons(m.reply_markup)]
        assert len(with_vote_buttons) == 1, person  # the announcement (the taps edited it)
