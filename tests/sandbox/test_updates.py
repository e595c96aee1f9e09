"""getUpdates (offset, limit, long polling, allowed_updates, conflicts) and webhook delivery."""

import asyncio

import pytest
import pytest_asyncio
from aiogram.exceptions import TelegramConflictError
from aiohttp import web

from sandbox import Limits

pytestmark = pytest.mark.asyncio


@pytest.fixture
def limits() -> Limits:
    return Limits(enabled=False, webhook_retry_delay=0)


async def until(condition) -> None:
    """Yield to the event loop (never sleeping on the wall clock) until `condition()` holds."""
    for _ in range(100_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never became true")


def long_polls(sandbox) -> int:
    return len(sandbox.state.updates_changed._waiters)


async def test_offset_confirms_and_limit_caps(bot, client, people):
    for text in ("one", "two", "three"):
        await client.send_text(people.aino, text)
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first] == ["one", "two"]
    assert [u.update_id for u in first] == [1, 2]
    assert [u.message.text for u in await bot.get_updates()] == [
        "one",
        "two",
        "three",
    ]  # not confirmed yet
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest] == ["three"]
    assert await bot.get_updates(offset=rest[-1].update_id + 1) == []


async def test_negative_offset_keeps_the_newest(bot, client, people):
    for text in ("one", "two", "three"):
        await client.send_text(people.aino, text)
    assert [u.message.text for u in await bot.get_updates(offset=-1)] == ["three"]
    assert [u.message.text for u in await bot.get_updates()] == ["three"]


async def test_message_update_shape(raw, client, people):
    await client.send_text(people.aino, "/start hello")
    [update] = await raw.ok("getUpdates")
    message = update["message"]
    assert message["from"]["id"] == people.aino and message["from"]["language_code"] == "fi"
    assert message["chat"] == {
        "id": people.aino,
        "type": "private",
        "first_name": "Aino",
        "last_name": "Virtanen",
        "username": "aino_virtanen",
    }
    assert message["entities"] == [{"offset": 0, "length": 6, "type": "bot_command"}]
    assert isinstance(message["date"], int)


async def test_long_poll_waits_for_an_update(bot, client, sandbox, people):
    polling = asyncio.create_task(bot.get_updates(timeout=30))
    await until(lambda: long_polls(sandbox) == 1)
    assert not polling.done()
    await client.send_text(people.sven, "hej")
    [update] = await polling
    assert update.message.text == "hej"


async def test_timeout_zero_returns_at_once(raw):
    assert await raw.ok("getUpdates", timeout=0) == []


async def test_newer_long_poll_terminates_the_older(bot, sandbox):
    older = asyncio.create_task(bot.get_updates(timeout=30))
    await until(lambda: long_polls(sandbox) == 1)
    assert await bot.get_updates(timeout=0) == []
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await older


async def test_allowed_updates_filter_and_are_remembered(bot, client, people):
    message = await bot.send_message(
        people.aino,
        "Vote",
        reply_markup={"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]},
    )
    assert await bot.get_updates(allowed_updates=["callback_query"]) == []
    await client.send_text(people.aino, "ignored")
    await client.press(people.aino, message.message_id, "yes")
    updates = await bot.get_updates()  # the filter is remembered
    assert [u.event_type for u in updates] == ["callback_query"]
    await bot.get_updates(
        offset=updates[-1].update_id + 1, allowed_updates=[]
    )  # back to the defaults
    await client.send_text(people.aino, "seen")
    assert [u.message.text for u in await bot.get_updates()] == ["seen"]


async def test_group_messages_reach_the_bot(bot, client, people):
    await client.send_text(people.grace, "Staff meeting at 10", chat_id=people.staff_group)
    [update] = await bot.get_updates()
    assert update.message.chat.id == people.staff_group and update.message.chat.type == "supergroup"
    assert update.message.from_user.id == people.grace


@pytest_asyncio.fixture
async def receiver():
    """A webhook endpoint that fails its first request, then accepts; records what it got."""
    received: asyncio.Queue = asyncio.Queue()
    answers = iter([500])

    async def handle(request: web.Request) -> web.Response:
        await received.put(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response(status=next(answers, 200))

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/hook", received
    await runner.cleanup()


async def test_webhook_delivery_with_secret_retry_and_order(bot, client, sandbox, people, receiver):
    url, received = receiver
    await client.send_text(people.aino, "before")
    assert await bot.set_webhook(url, secret_token="s3cret_-X")
    with pytest.raises(
        TelegramConflictError, match="can't use getUpdates method while webhook is active"
    ):
        await bot.get_updates()
    await client.send_text(people.aino, "after")

    deliveries = [await asyncio.wait_for(received.get(), 10) for _ in range(3)]
    assert [secret for secret, _ in deliveries] == ["s3cret_-X"] * 3
    assert [update["message"]["text"] for _, update in deliveries] == ["before", "before", "after"]
    assert [update["update_id"] for _, update in deliveries] == [1, 1, 2]

    await until(lambda: not sandbox.state.updates)
    info = await bot.get_webhook_info()
    assert info.url == url and info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    assert info.last_error_date is not None

    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""
    await client.send_text(people.aino, "polling again")
    assert [u.message.text for u in await bot.get_updates()] == ["polling again"]


async def test_set_webhook_can_drop_pending_updates(bot, client, people, receiver):
    url, received = receiver
    await client.send_text(people.aino, "stale")
    await bot.set_webhook(url, drop_pending_updates=True)
    assert (await bot.get_webhook_info()).pending_update_count == 0
    assert received.empty()


async def test_bad_webhook_secret(raw):
    status, description = await raw.error(
        "setWebhook", url="http://127.0.0.1:9/hook", secret_token="no spaces"
    )
    assert (status, description) == (400, "Bad Request: secret token contains unallowed characters")
