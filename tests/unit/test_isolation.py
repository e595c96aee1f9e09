"""One conversation's updates are handled one at a time, in arrival order; nothing is left behind."""
import asyncio

from aiogram.fsm.storage.base import StorageKey

from bot.telegram.middlewares import OneAtATime

AINO = StorageKey(bot_id=42, chat_id=1, user_id=1)
SVEN = StorageKey(bot_id=42, chat_id=2, user_id=2)


async def test_one_conversation_waits_its_turn_and_others_do_not():
    isolation, order = OneAtATime(), []
    first_inside, release_first = asyncio.Event(), asyncio.Event()

    async def handle(key: StorageKey, name: str, hold: bool = False) -> None:
        async with isolation.lock(key):
            order.append(name)
            if hold:
                first_inside.set()
                await release_first.wait()

    first = asyncio.create_task(handle(AINO, "aino's question", hold=True))
    await first_inside.wait()
    tap = asyncio.create_task(handle(AINO, "aino's tap"))
    other = asyncio.create_task(handle(SVEN, "sven"))
    await other  # another conversation is not held up
    assert order == ["aino's question", "sven"]
    release_first.set()
    await asyncio.gather(first, tap)
    assert order == ["aino's question", "sven", "aino's tap"]
    assert isolation.held() == 0  # no lock outlives its last holder


def test_the_bot_isolates_conversations_with_it(app):
    assert isinstance(app.dispatcher.fsm.events_isolation, OneAtATime)


async def test_an_update_finishing_after_the_bot_closed_its_isolation_ends_cleanly():
    isolation = OneAtATime()
    async with isolation.lock(AINO):
        await isolation.close()  # the bot stopping while this update is still being handled
    assert isolation.held() == 0
