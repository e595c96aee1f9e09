"""The control API and its Python client: personas, acting as users, transcripts and live events."""

import asyncio
import io

import pytest
from aiogram.types import BufferedInputFile
from PIL import Image

from sandbox import Limits, SandboxError

pytestmark = pytest.mark.asyncio


@pytest.fixture
def limits() -> Limits:
    return Limits(enabled=False)


async def test_personas_and_staff_group(client, people):
    users = {user["id"]: user for user in await client.users()}
    assert {users[uid]["language_code"] for uid in (people.aino, people.pentti)} == {"fi"}
    assert (
        users[people.sven]["language_code"],
        users[people.grace]["language_code"],
        users[people.lena]["language_code"],
    ) == ("sv", "en", "de")
    assert "Haukivuori" in users[people.pentti]["about"]
    chats = {chat["id"]: chat for chat in await client.chats(people.grace)}
    assert set(chats) == {people.grace, people.staff_group}
    assert chats[people.staff_group]["type"] == "supergroup"
    assert chats[people.staff_group]["members"] == {str(people.grace): "administrator"}


async def test_add_users_get_private_chats(bot, client):
    user = await client.add_user("Matti", last_name="Meikäläinen", language_code="fi")
    assert user["id"] > 0 and user["first_name"] == "Matti"
    many = await client.add_users([{"id": 900000000 + n, "first_name": f"U{n}"} for n in range(3)])
    assert [u["id"] for u in many] == [900000000, 900000001, 900000002]
    await bot.send_message(user["id"], "Tervetuloa")
    await bot.send_message(900000002, "Welcome")
    with pytest.raises(SandboxError, match="already exists"):
        await client.add_user("Dup", id=900000000)


async def test_location_and_photo_from_users(bot, client, people):
    await client.send_location(people.aino, 61.6886, 27.2723)
    image = io.BytesIO()
    Image.new("RGB", (20, 10), "red").save(image, "PNG")
    sent = await client.send_photo(people.aino, image.getvalue(), caption="Kuoppa tiellä")
    assert sent["message"]["photo"][0]["width"] == 20 and sent["message"]["download_url"]
    location, photo = await bot.get_updates()
    assert (location.message.location.latitude, location.message.location.longitude) == (
        61.6886,
        27.2723,
    )
    assert photo.message.caption == "Kuoppa tiellä"
    file = await bot.get_file(photo.message.photo[-1].file_id)
    assert (await bot.download_file(file.file_path)).read() == image.getvalue()
    with pytest.raises(SandboxError, match="not an image"):
        await client.send_photo(people.aino, b"text", filename="x.png")


async def test_invalid_user_actions(client, people):
    with pytest.raises(SandboxError, match="404"):
        await client.send_text(123, "who am I")
    with pytest.raises(SandboxError, match="not a member"):
        await client.send_text(people.aino, "hi staff", chat_id=people.staff_group)
    with pytest.raises(SandboxError, match="no inline button"):
        await client.press(people.aino, 1, "nothing")
    with pytest.raises(SandboxError, match="text must be"):
        await client.send_text(people.aino, "  ")


async def test_transcript_applies_edits_and_deletions(bot, client, raw, sandbox, people):
    first = await bot.send_message(
        people.aino,
        "draft",
        reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
    )
    second = await bot.send_message(people.aino, "temporary")
    await client.send_text(people.aino, "reply")
    await bot.edit_message_text(
        "final",
        chat_id=people.aino,
        message_id=first.message_id,
        reply_markup={"inline_keyboard": [[{"text": "B", "callback_data": "b"}]]},
    )
    await bot.delete_message(people.aino, second.message_id)
    document = await bot.send_document(
        people.aino, BufferedInputFile(b"report body", "report.txt"), caption="liite"
    )
    transcript = await client.transcript(people.aino)
    texts = [(m["from_bot"], m.get("text") or m.get("caption")) for m in transcript["messages"]]
    assert texts == [(True, "final"), (False, "reply"), (True, "liite")]
    assert (
        transcript["messages"][0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "b"
    )
    download_url = transcript["messages"][-1]["download_url"]
    async with raw.session.get(sandbox.url + download_url) as response:
        assert await response.read() == b"report body"
    assert document.document.file_name == "report.txt"


async def test_events_long_poll_wakes_on_change(bot, client, people):
    start = (await client.transcript(people.sven))["seq"]
    waiting = asyncio.create_task(client.events(people.sven, after=start, timeout=30))
    message = await bot.send_message(people.sven, "Hej Sven")
    batch = await waiting
    assert [e["type"] for e in batch["events"]] == ["message"]
    assert batch["events"][0]["message"]["message_id"] == message.message_id
    assert batch["seq"] == start + 1 and batch["reset"] is False
    assert (await client.events(people.sven, after=batch["seq"], timeout=0))["events"] == []


async def test_events_ask_for_reload_when_history_is_gone(client, sandbox, people):
    chat = sandbox.state.chats[people.aino]
    for n in range(510):
        sandbox.state.store_message(chat, sandbox.state.bot, f"m{n}", None)
    assert (await client.events(people.aino, after=1))["reset"] is True
    assert (await client.events(people.aino, after=chat.seq + 5))["reset"] is True
    assert len((await client.events(people.aino, after=chat.seq - 2))["events"]) == 2


async def test_wait_for_reply_times_out_cleanly(client, people):
    with pytest.raises(asyncio.TimeoutError):
        await client.wait_for_reply(people.lena, after=0, timeout=0.05)


async def test_chat_page_is_served(raw, sandbox):
    async with raw.session.get(sandbox.url + "/") as response:
        page = await response.text()
        assert response.status == 200 and "not Telegram" in page
    for asset in ("app.js", "style.css"):
        async with raw.session.get(f"{sandbox.url}/static/{asset}") as response:
            assert response.status == 200
