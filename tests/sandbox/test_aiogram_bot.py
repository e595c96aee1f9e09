"""A real aiogram 3 Bot over HTTP: sending, editing, callbacks, files, commands, polling."""

import asyncio
import io

import pytest
from aiogram import Dispatcher, F
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import CommandStart
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MenuButtonCommands,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from PIL import Image

from sandbox import Limits

pytestmark = pytest.mark.asyncio


@pytest.fixture
def limits() -> Limits:
    return Limits(enabled=False)  # flood control has its own tests


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=d.title(), callback_data=d) for d in data]]
    )


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#517da2").save(buffer, "PNG")
    return buffer.getvalue()


async def test_send_message_with_html_and_inline_keyboard(bot, people):
    message = await bot.send_message(
        people.aino,
        "<b>Tervetuloa</b>, <i>Aino</i>!",
        parse_mode="HTML",
        reply_markup=keyboard("yes", "no"),
        disable_notification=True,
        protect_content=True,
        allow_paid_broadcast=False,
        link_preview_options={"is_disabled": True},
    )
    assert message.text == "Tervetuloa, Aino!"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bold", 0, 10),
        ("italic", 12, 4),
    ]
    assert message.reply_markup.model_dump() == keyboard("yes", "no").model_dump()
    assert message.from_user.is_bot and message.chat.id == people.aino


async def test_reply_keyboards_are_chat_state_not_message_fields(bot, client, people):
    markup = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Mikkeli"), KeyboardButton(text="Haukivuori")]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    message = await bot.send_message(people.aino, "Missä asut?", reply_markup=markup)
    assert message.reply_markup is None  # like Telegram: Message.reply_markup is inline-only
    shown = (await client.transcript(people.aino))["reply_keyboard"]
    assert [[b["text"] for b in row] for row in shown["keyboard"]] == [["Mikkeli", "Haukivuori"]]
    await client.send_text(people.aino, "Mikkeli")  # one_time_keyboard hides it after use
    assert (await client.transcript(people.aino))["reply_keyboard"] is None

    await bot.send_message(
        people.aino, "Again", reply_markup=markup.model_copy(update={"one_time_keyboard": False})
    )
    await bot.send_message(people.aino, "Gone", reply_markup=ReplyKeyboardRemove())
    assert (await client.transcript(people.aino))["reply_keyboard"] is None
    await bot.send_message(
        people.aino, "Reply?", reply_markup=ForceReply(input_field_placeholder="Your answer")
    )
    assert (await client.transcript(people.aino))["reply_keyboard"]["force_reply"] is True


async def test_edit_without_reply_markup_removes_the_keyboard(bot, client, people):
    message = await bot.send_message(people.aino, "Vote", reply_markup=keyboard("yes"))
    edited = await bot.edit_message_text(
        "Thanks", chat_id=people.aino, message_id=message.message_id
    )
    assert edited.text == "Thanks" and edited.reply_markup is None and edited.edit_date
    [stored] = (await client.transcript(people.aino))["messages"]
    assert "reply_markup" not in stored and stored["text"] == "Thanks"


async def test_identical_edit_is_not_modified(bot, people):
    message = await bot.send_message(
        people.aino, "<b>Same</b>", parse_mode="HTML", reply_markup=keyboard("a")
    )
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "<b>Same</b>",
            chat_id=people.aino,
            message_id=message.message_id,
            parse_mode="HTML",
            reply_markup=keyboard("a"),
        )
    # different entities are a modification even with the same text
    await bot.edit_message_text(
        "Same", chat_id=people.aino, message_id=message.message_id, reply_markup=keyboard("a")
    )


async def test_edit_reply_markup_and_caption(bot, people):
    message = await bot.send_message(people.aino, "Pick", reply_markup=keyboard("a"))
    edited = await bot.edit_message_reply_markup(
        chat_id=people.aino, message_id=message.message_id, reply_markup=keyboard("a", "b")
    )
    assert edited.reply_markup.model_dump() == keyboard("a", "b").model_dump()
    with pytest.raises(TelegramBadRequest, match="not modified"):
        await bot.edit_message_reply_markup(
            chat_id=people.aino, message_id=message.message_id, reply_markup=keyboard("a", "b")
        )
    with pytest.raises(TelegramBadRequest, match="no caption in the message"):
        await bot.edit_message_caption(
            chat_id=people.aino, message_id=message.message_id, caption="x"
        )
    document = await bot.send_document(
        people.aino, BufferedInputFile(b"data", "a.txt"), caption="old"
    )
    edited = await bot.edit_message_caption(
        chat_id=people.aino, message_id=document.message_id, caption="<i>new</i>", parse_mode="HTML"
    )
    assert edited.caption == "new" and edited.caption_entities[0].type == "italic"


async def test_delete_message(bot, client, people):
    message = await bot.send_message(people.aino, "Oops")
    before = (await client.transcript(people.aino))["seq"]
    assert await bot.delete_message(people.aino, message.message_id) is True
    assert (await client.transcript(people.aino))["messages"] == []
    events = await client.events(people.aino, after=before)
    assert events["events"] == [
        {"seq": before + 1, "type": "delete", "message_id": message.message_id}
    ]
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(people.aino, message.message_id)


async def test_callback_query_and_answer_toast(bot, client, people, clock):
    message = await bot.send_message(people.sven, "Hej", reply_markup=keyboard("ja"))
    pressed = await client.press(people.sven, message.message_id, "ja")
    [update] = await bot.get_updates()
    query = update.callback_query
    assert query.id == pressed["callback_query_id"] and query.data == "ja"
    assert query.from_user.id == people.sven and query.message.message_id == message.message_id
    assert await bot.answer_callback_query(query.id, text="Tack!", show_alert=True)
    answer = await client.wait_for_event(
        people.sven, pressed["seq"], lambda e: e["type"] == "answer"
    )
    assert (
        answer["text"] == "Tack!"
        and answer["show_alert"] is True
        and answer["user_id"] == people.sven
    )
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id)  # answered already

    second = await client.press(people.sven, message.message_id, "ja")
    clock.advance(61)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(second["callback_query_id"])


async def test_documents_upload_download_and_file_id_reuse(bot, people):
    sent = await bot.send_document(
        people.grace, BufferedInputFile(b"%PDF-1.4 report", "report.pdf"), caption="Monthly report"
    )
    document = sent.document
    assert (document.file_name, document.mime_type, document.file_size) == (
        "report.pdf",
        "application/pdf",
        15,
    )
    file = await bot.get_file(document.file_id)
    assert (await bot.download_file(file.file_path)).read() == b"%PDF-1.4 report"
    again = await bot.send_document(people.aino, document.file_id)
    assert again.document.file_unique_id == document.file_unique_id
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_document(people.aino, "no-such-file")


async def test_photos(bot, people):
    sent = await bot.send_photo(
        people.aino, BufferedInputFile(png(64, 48), "tori.png"), caption="Tori"
    )
    [size] = sent.photo
    assert (size.width, size.height, sent.caption) == (64, 48, "Tori")
    file = await bot.get_file(size.file_id)
    assert (await bot.download_file(file.file_path)).read() == png(64, 48)
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(people.aino, BufferedInputFile(b"not an image", "x.png"))


async def test_location_and_chat_action(bot, client, people):
    sent = await bot.send_location(people.aino, latitude=61.6886, longitude=27.2723)
    assert (sent.location.latitude, sent.location.longitude) == (61.6886, 27.2723)
    seq = (await client.transcript(people.aino))["seq"]
    assert await bot.send_chat_action(people.aino, "typing")
    event = await client.wait_for_event(people.aino, seq, lambda e: e["type"] == "action")
    assert event["action"] == "typing"


async def test_venue(bot, people):
    sent = await bot.send_venue(people.aino, 61.6886, 27.2723, "Mikkelin pääkirjasto", "Mikaeli-sali")
    assert (sent.venue.title, sent.venue.address, sent.location.latitude) == (
        "Mikkelin pääkirjasto", "Mikaeli-sali", 61.6886)
    with pytest.raises(TelegramBadRequest, match="title and address"):
        await bot.send_venue(people.aino, 61.6886, 27.2723, "", "Mikaeli-sali")


async def test_copy_message(bot, people):
    original = await bot.send_message(people.aino, "<b>Tiedote</b>", parse_mode="HTML")
    copied = await bot.copy_message(people.sven, people.aino, original.message_id)
    assert copied.message_id == 1


async def test_commands_by_language_and_scope(bot, client, people):
    await bot.set_my_commands([BotCommand(command="start", description="Start")])
    await bot.set_my_commands(
        [
            BotCommand(command="start", description="Aloita"),
            BotCommand(command="apua", description="Ohjeet"),
        ],
        language_code="fi",
    )
    await bot.set_my_commands(
        [BotCommand(command="staff", description="Staff tools")],
        scope=BotCommandScopeChat(chat_id=people.staff_group),
    )
    assert [c.command for c in await bot.get_my_commands(language_code="fi")] == ["start", "apua"]
    assert await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats()) == []
    assert (await client.commands(people.aino))["commands"][0]["description"] == "Aloita"
    assert (await client.commands(people.lena))["commands"] == [
        {"command": "start", "description": "Start"}
    ]
    assert (await client.commands(people.staff_group, user_id=people.grace))["commands"][0][
        "command"
    ] == "staff"
    await bot.delete_my_commands(language_code="fi")
    assert (await client.commands(people.aino))["commands"][0]["description"] == "Start"
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Not valid!", description="x")])


async def test_descriptions_menu_button_and_chat_info(bot, client, people):
    assert await bot.set_my_description("Foorumi kuuntelee kaupunkilaisia.", language_code="fi")
    assert await bot.set_my_short_description("Participation bot")
    assert (
        await bot.get_my_description(language_code="fi")
    ).description == "Foorumi kuuntelee kaupunkilaisia."
    assert (await client.commands(people.aino))[
        "description"
    ] == "Foorumi kuuntelee kaupunkilaisia."
    assert await bot.set_chat_menu_button(chat_id=people.aino, menu_button=MenuButtonCommands())
    assert (await bot.get_chat_menu_button(chat_id=people.aino)).type == "commands"
    group = await bot.get_chat(people.staff_group)
    assert (group.type, group.title) == ("supergroup", "Foorumi staff")
    member = await bot.get_chat_member(people.staff_group, people.grace)
    assert member.status == "administrator"
    assert (await bot.get_chat_member(people.staff_group, people.aino)).status == "left"
    assert [m.user.id for m in await bot.get_chat_administrators(people.staff_group)] == [
        people.grace
    ]


async def test_blocked_user_is_403_with_my_chat_member_updates(bot, client, people):
    await client.block(people.pentti)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(people.pentti, "Hei")
    await client.unblock(people.pentti)
    await bot.send_message(people.pentti, "Hei taas")
    updates = await bot.get_updates(allowed_updates=["my_chat_member", "message"])
    transitions = [
        (u.my_chat_member.old_chat_member.status, u.my_chat_member.new_chat_member.status)
        for u in updates
    ]
    assert transitions == [("member", "kicked"), ("kicked", "member")]
    assert (await client.stats())["forbidden"] == 1


async def test_polling_dispatcher_round_trip(bot, client, people):
    """aiogram's own long-polling loop: /start → reply with a button; tap → answer and edit."""
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(f"Hei {message.from_user.first_name}!", reply_markup=keyboard("ok"))

    @dp.callback_query(F.data == "ok")
    async def tapped(query: CallbackQuery) -> None:
        await query.answer("Selvä")
        await query.message.edit_text("Kiitos!")

    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=5))
    try:
        sent = await client.send_text(people.aino, "/start")
        reply = await client.wait_for_reply(people.aino, after=sent["seq"])
        assert reply["text"] == "Hei Aino!"
        pressed = await client.press(people.aino, reply["message_id"], "ok")
        edited = await client.wait_for_edit(people.aino, reply["message_id"], after=pressed["seq"])
        assert edited["text"] == "Kiitos!" and "reply_markup" not in edited
        events = (await client.events(people.aino, after=pressed["seq"]))["events"]
        assert {"type": "answer", "text": "Selvä"}.items() <= next(
            e for e in events if e["type"] == "answer"
        ).items()
    finally:
        await dp.stop_polling()
        await polling
