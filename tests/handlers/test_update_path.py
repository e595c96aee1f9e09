"""One unit of work per update: many residents at once, redeliveries, failures, restarts."""
from __future__ import annotations

import asyncio
import logging

import pytest
from aiogram.exceptions import TelegramNetworkError
from aiogram.fsm.storage.redis import RedisStorage
from sqlalchemy import func, select

from bot.config import load_settings
from bot.services import residents
from foorumi.app import build_app
from storage.models import ConversationState
from tests.conftest import TEST_TOKEN, refusing_calls_while_writing
from tests.support import updates
from tests.support.harness import BotHarness
from tests.support.proposals import DESCRIPTION, TITLE, resident_of
from tests.support.recording import RecordingSession
from tests.support.redis import reachable_redis
from tests.support.updates import SVEN, Person

SV_DESCRIPTION_PROMPT = "<b>Nytt förslag</b> · steg 2 av 5\n\nBerätta om ditt förslag"
SV_AREA_PROMPT = "<b>Nytt förslag</b> · steg 3 av 5\n\nVilket område gäller det"
REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own, emptied for the test


@pytest.fixture
async def app_on_each_database(database_url, engine, clock):
    """The bot on SQLite and on PostgreSQL (the `engine` fixture has emptied its tables)."""
    settings = load_settings(bot_token=TEST_TOKEN, database_url=database_url, default_locale="fi", _env_file=None)
    bot_app = build_app(settings, session=RecordingSession(), clock=clock)
    yield bot_app
    await bot_app.close()


async def test_many_residents_at_once_are_all_onboarded_without_a_locked_database(
    app_on_each_database, caplog
):
    app = app_on_each_database
    session = app.bot.session
    people = [Person(700_000 + n, f"Resident {n}", "fi") for n in range(40)]

    async def onboarding(person: Person) -> None:
        await app.dispatcher.feed_raw_update(app.bot, updates.message(person, "/start"))
        for data in ("lang:sv:o", "type:holiday:o", "area:0:o"):
            pressed = updates.callback(person, data, session.latest_with_buttons[person.id])
            await app.dispatcher.feed_raw_update(app.bot, pressed)

    with caplog.at_level(logging.WARNING):
        await asyncio.gather(*(onboarding(person) for person in people))
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []
    for person in people:
        resident = await resident_of(app, person)
        assert (resident.locale, resident.resident_type, resident.onboarded_at is not None) == ("sv", "holiday", True)


async def test_an_update_handled_meanwhile_by_another_process_changes_nothing_here(
    harness, app, monkeypatch, caplog
):
    await harness.say(SVEN, "/settings")
    update = updates.callback(SVEN, "lang:en:s", harness.session.latest_with_buttons[SVEN.id])
    choose_language = residents.choose_language

    async def another_process_finishes_first(uow, resident, locale):
        async with app.uow_factory() as other:  # that process's claim, committed first
            await other.updates.claim(app.bot.id, update["update_id"], app.clock.now())
            await other.commit()
        await choose_language(uow, resident, locale)

    monkeypatch.setattr(residents, "choose_language", another_process_finishes_first)
    with caplog.at_level(logging.INFO):
        assert await harness.feed(update) == []  # no reply from this one
    assert f"update {update['update_id']} was handled elsewhere meanwhile; skipped" in caplog.messages
    assert (await resident_of(app, SVEN)).locale == "sv"


async def test_a_reply_that_fails_leaves_the_step_as_it_was_and_the_update_can_come_again(harness, app):
    await harness.say(SVEN, "/propose")
    update = updates.message(SVEN, TITLE)

    def telegram_unreachable(method):
        raise TelegramNetworkError(method, "connection reset")

    harness.session.before_call = telegram_unreachable
    await harness.feed(update)  # the step's question could not be sent, nor the apology
    refusing_calls_while_writing(app)
    async with app.uow_factory() as uow:
        drafts = (await uow.session.scalars(select(ConversationState.data))).all()
    assert all("title" not in data for data in drafts)  # nothing half-written

    [ask] = await harness.feed(update)  # not claimed: the same update is handled when it comes again
    assert ask.text.startswith(SV_DESCRIPTION_PROMPT)


@pytest.fixture
async def redis_url():
    return await reachable_redis(REDIS_URL, lambda client: client.flushdb())


@pytest.mark.parametrize("settings_overrides", [{"redis_url": REDIS_URL}])
async def test_with_redis_a_conversation_lives_there_and_carries_on_after_a_restart(
    redis_url, settings_overrides, app, harness, restart
):
    assert isinstance(app.dispatcher.fsm.storage, RedisStorage)
    await harness.say(SVEN, "/propose")
    await harness.say(SVEN, TITLE)

    restarted = await restart(app)
    [ask] = await BotHarness(restarted).say(SVEN, DESCRIPTION)
    assert ask.text.startswith(SV_AREA_PROMPT)
    async with restarted.uow_factory() as uow:  # none of it in the database
        assert await uow.session.scalar(select(func.count()).select_from(ConversationState)) == 0
