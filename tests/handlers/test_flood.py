"""Flood protection: a resident sending too fast gets one polite line, then silence for a while;
nobody else is held back, staff never are, and with Redis every process counts together.

The presses are of an unknown button (the fallback answers each at once, with nothing paced), so
the burst happens within one instant of the fake clock.
"""
from __future__ import annotations

import uuid

import pytest
from redis.asyncio import Redis

from bot.telegram.flood import LIMIT, PAUSE, WINDOW, MemoryFloodCounter, RedisFloodCounter, Verdict
from storage.models import ProcessedUpdate
from bot.services import staff
from tests.support import updates
from tests.support.clock import FakeClock
from tests.support.harness import BotHarness
from tests.support.proposals import make_moderator, set_language
from tests.support.redis import reachable_redis
from tests.support.updates import AINO, GRACE, SVEN

REDIS_URL = "redis://127.0.0.1:6379/12"  # a database of its own, emptied for the test
NOT_VALID = "This button is no longer valid."  # the fallback's answer
TOO_FAST_FI = "Lähetät viestejä todella nopeasti – odota hetki ja jatka sitten."
TOO_FAST_EN = "You are sending messages very fast – please wait a moment, then carry on."


async def press(harness, person) -> list[str]:
    return [call.text for call in await harness.press(person, "zz:1")]


async def burst(harness, person, presses: int = LIMIT) -> None:
    for _ in range(presses):
        assert await press(harness, person) == [harness.translate(NOT_VALID, person.language_code)]


async def flooded(harness, person) -> None:
    """As many presses as allowed, and one more."""
    await burst(harness, person)
    assert await press(harness, person) == [harness.translate(TOO_FAST_EN, person.language_code)]


async def test_a_burst_gets_one_polite_line_then_silence(harness, app):
    await set_language(app, AINO, "fi")
    await burst(harness, AINO)
    [warning] = await harness.press(AINO, "zz:1")
    assert (warning.name, warning.text, warning.show_alert) == ("AnswerCallbackQuery", TOO_FAST_FI, True)
    for _ in range(5):
        assert await press(harness, AINO) == []
    assert await harness.say(AINO, "/help") == []


async def test_going_over_with_a_message_is_answered_in_the_chat(harness, app):
    await set_language(app, GRACE, "en")
    await burst(harness, GRACE)
    [warning] = await harness.say(GRACE, "Hello?")
    assert (warning.name, warning.chat_id, warning.text) == ("SendMessage", GRACE.id, TOO_FAST_EN)


async def test_others_are_not_held_back(harness, app):
    await flooded(harness, AINO)
    assert await press(harness, SVEN) == [harness.translate(NOT_VALID, "sv")]


async def test_staff_are_never_held_back(harness, app):
    await make_moderator(app, AINO, "fi")
    await burst(harness, AINO, 3 * LIMIT)


async def test_staff_leave_no_count_behind(harness, app):
    """Staff's count is forgotten whenever it goes over: one who loses the role is not paused."""
    await make_moderator(app, AINO, "fi")
    await burst(harness, AINO, LIMIT + 1)
    async with app.uow_factory() as uow:
        await staff.revoke(uow, AINO.id)
    await burst(harness, AINO)


async def test_after_the_pause_the_resident_is_served_again(harness, app, clock):
    await flooded(harness, AINO)
    clock.advance(PAUSE - 1)
    assert await press(harness, AINO) == []
    clock.advance(1)
    await burst(harness, AINO)


async def test_an_ignored_update_is_claimed_and_not_handled_when_it_comes_again(harness, app, clock):
    await flooded(harness, AINO)
    ignored = updates.callback(AINO, "zz:1")
    assert await harness.feed(ignored) == []
    async with app.uow_factory() as uow:
        assert await uow.session.get(ProcessedUpdate, (app.bot.id, ignored["update_id"])) is not None
    clock.advance(PAUSE)
    assert await harness.feed(ignored) == []  # Telegram sending it again changes nothing


async def test_presses_spread_over_windows_are_served():
    clock = FakeClock()
    counter = MemoryFloodCounter(clock)
    for _ in range(3 * LIMIT):
        assert await counter.hit(AINO.id) is Verdict.SERVE
        clock.advance(WINDOW / (LIMIT - 1))  # just below the limit


async def test_the_memory_count_keeps_only_the_current_window_and_the_paused():
    clock = FakeClock()
    counter = MemoryFloodCounter(clock)
    for telegram_id in range(10_000):
        await counter.hit(telegram_id)
    for _ in range(LIMIT + 1):
        await counter.hit(AINO.id)
    assert counter.tracked() == 10_000
    clock.advance(WINDOW)
    await counter.hit(SVEN.id)
    assert counter.tracked() == 2  # Sven now, Aino paused
    clock.advance(PAUSE)
    await counter.hit(SVEN.id)
    assert counter.tracked() == 1


@pytest.fixture
async def redis_url():
    return await reachable_redis(REDIS_URL, lambda client: client.flushdb())


async def test_processes_sharing_redis_count_together(redis_url):
    clock = FakeClock()
    clients = [Redis.from_url(redis_url), Redis.from_url(redis_url)]
    prefix = f"test:flood:{uuid.uuid4().hex}"
    first, second = (RedisFloodCounter(client, clock, prefix) for client in clients)
    try:
        for number in range(LIMIT):
            assert await (first, second)[number % 2].hit(AINO.id) is Verdict.SERVE
        assert await second.hit(AINO.id) is Verdict.WARN
        assert await first.hit(AINO.id) is Verdict.IGNORE
        assert await first.hit(SVEN.id) is Verdict.SERVE
        clock.advance(PAUSE)
        assert await second.hit(AINO.id) is Verdict.SERVE
        assert 0 < await clients[0].ttl(f"{prefix}:{{{AINO.id}}}:pause") <= PAUSE + 1  # Redis clears it away
        for _ in range(LIMIT):
            await first.hit(SVEN.id)
        assert await first.hit(SVEN.id) is Verdict.WARN
        await second.forget(SVEN.id)  # as for staff
        assert await first.hit(SVEN.id) is Verdict.SERVE
    finally:
        for client in clients:
            await client.aclose()


@pytest.mark.parametrize("settings_overrides", [{"redis_url": REDIS_URL}])
async def test_with_redis_the_count_carries_over_to_another_process(redis_url, app, harness, restart):
    await set_language(app, AINO, "fi")
    await burst(harness, AINO, LIMIT // 2)
    other = BotHarness(await restart(app))  # the next updates reach a process of their own
    await burst(other, AINO, LIMIT - LIMIT // 2)
    assert await press(other, AINO) == [TOO_FAST_FI]
    assert await press(other, AINO) == []
