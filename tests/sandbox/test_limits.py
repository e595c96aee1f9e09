"""Flood limits on a fake clock: exact retry_after at the limits, paid broadcasts, counters."""

import pytest
from aiogram.exceptions import TelegramRetryAfter

from sandbox import FakeClock, Limits
from sandbox.limits import FloodControl


def sends(flood: FloodControl, chat_ids, is_group: bool = False, paid: bool = False) -> list[int]:
    return [flood.acquire(chat_id, is_group, paid) for chat_id in chat_ids]


def test_per_chat_burst_then_one_per_second():
    clock = FakeClock()
    flood = FloodControl(Limits(chat_per_second=1, chat_burst=3), clock)
    assert sends(flood, [7] * 4) == [0, 0, 0, 1]
    assert flood.acquire(8, False, False) == 0  # other chats are unaffected
    clock.advance(0.5)
    assert flood.acquire(7, False, False) == 1  # ceil(0.5)
    clock.advance(0.5)
    assert sends(flood, [7, 7]) == [0, 1]
    clock.advance(10)
    assert sends(flood, [7] * 4) == [0, 0, 0, 1]  # a quiet chat earns its burst back


def test_global_limit_counts_different_chats():
    clock = FakeClock()
    flood = FloodControl(Limits(global_per_second=30), clock)
    assert sends(flood, range(30)) == [0] * 30
    assert flood.acquire(30, False, False) == 1
    clock.advance(0.999)
    assert flood.acquire(30, False, False) == 1
    clock.advance(0.001)
    assert sends(flood, range(100, 130)) == [0] * 30
    assert flood.acquire(130, False, False) == 1


def test_paid_broadcast_has_a_1000_per_second_budget():
    clock = FakeClock()
    flood = FloodControl(Limits(), clock)
    assert sends(flood, range(1000), paid=True) == [0] * 1000
    assert flood.acquire(1000, False, True) == 1
    assert sends(flood, range(2000, 2030)) == [0] * 30  # the free budget is separate
    clock.advance(1)
    assert flood.acquire(1000, False, True) == 0


def test_group_limit_is_20_per_minute():
    clock = FakeClock()
    flood = FloodControl(Limits(chat_per_second=1, chat_burst=3, group_per_minute=20), clock)
    results = []
    for _ in range(21):
        results.append(flood.acquire(-100, True, False))
        clock.advance(1)
    assert results == [0] * 20 + [40]  # the first of the 20 leaves the window at t=60
    clock.advance(39)
    assert flood.acquire(-100, True, False) == 0


def test_disabled_limits_and_live_reconfiguration():
    limits = Limits(enabled=False)
    flood = FloodControl(limits, FakeClock())
    assert sends(flood, [1] * 100) == [0] * 100
    limits.update({"enabled": True, "chat_burst": 1})
    flood.reset()
    assert sends(flood, [1, 1]) == [0, 1]
    with pytest.raises(ValueError):
        limits.update({"no_such_limit": 1})


@pytest.mark.asyncio
async def test_429_shape_over_http(raw, people):
    for _ in range(3):
        await raw.ok("sendMessage", chat_id=people.aino, text="hi")
    status, body = await raw.call("sendMessage", json={"chat_id": people.aino, "text": "hi"})
    assert (status, body) == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        },
    )


@pytest.mark.asyncio
async def test_aiogram_sees_retry_after_and_time_heals(bot, clock, people):
    for _ in range(3):
        await bot.send_message(people.sven, "hej")
    with pytest.raises(TelegramRetryAfter) as error:
        await bot.send_message(people.sven, "hej")
    assert error.value.retry_after == 1
    clock.advance(1)
    await bot.send_message(people.sven, "hej")


@pytest.mark.asyncio
async def test_edits_answers_and_actions_are_not_limited(bot, raw, people):
    message = await bot.send_message(people.aino, "v0")
    for version in range(1, 20):
        await bot.edit_message_text(
            f"v{version}", chat_id=people.aino, message_id=message.message_id
        )
        await bot.send_chat_action(people.aino, "typing")


@pytest.mark.asyncio
async def test_delivery_log_and_counters(bot, client, clock, people):
    await client.block(people.lena)
    for _ in range(4):
        try:
            await bot.send_message(people.aino, "tiedote")
        except TelegramRetryAfter:
            pass
    with pytest.raises(Exception, match="blocked"):
        await bot.send_message(people.lena, "hallo")
    await bot.send_location(people.grace, 61.6886, 27.2723)
    log = await client.delivery_log()
    assert [(d["method"], d["chat_id"], d["message_id"], d["text"]) for d in log] == [
        ("sendMessage", people.aino, 1, "tiedote"),
        ("sendMessage", people.aino, 2, "tiedote"),
        ("sendMessage", people.aino, 3, "tiedote"),
        ("sendLocation", people.grace, 1, None),
    ]
    assert all(d["time"] == clock.now for d in log)
    assert await client.delivery_log(offset=3, limit=5) == log[3:]
    stats = await client.stats()
    assert (stats["accepted"], stats["too_many_requests"], stats["forbidden"]) == (4, 1, 1)
    await client.reset()
    assert await client.delivery_log() == [] and (await client.stats())["accepted"] == 0


@pytest.mark.asyncio
async def test_limits_via_control_api(bot, client, people):
    assert (await client.limits())["global_per_second"] == 30
    await client.set_limits(chat_burst=1)
    await bot.send_message(people.aino, "one")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(people.aino, "two")
    await client.set_limits(enabled=False)
    for _ in range(10):
        await bot.send_message(people.aino, "many")
