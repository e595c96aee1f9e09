"""Raw HTTP conformance: routing, body formats and Telegram's error shapes for malformed input."""

import aiohttp
import pytest

pytestmark = pytest.mark.asyncio


async def test_unknown_method_is_404(raw):
    status, body = await raw.call("sendTelepathy", json={})
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})


async def test_wrong_token_is_401(raw):
    status, body = await raw.call("getMe", token="999:WRONG")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})


async def test_unrouted_bot_path_is_json_404(raw):
    status, body = await raw.call("test/getMe")
    assert status == 404 and body["ok"] is False


@pytest.mark.parametrize("name", ["getMe", "getme", "GETME"])
async def test_method_names_are_case_insensitive(raw, name):
    status, body = await raw.call(name, http="GET")
    assert status == 200 and body["result"]["username"] == "foorumi_sandbox_bot"


async def test_get_me_describes_the_bot(raw):
    me = await raw.ok("getMe")
    assert me["id"] == 123456 and me["is_bot"] is True and me["first_name"] == "Foorumi"


async def test_query_string_urlencoded_and_multipart_bodies(raw, people):
    status, body = await raw.call(
        "sendMessage", http="GET", params={"chat_id": people.aino, "text": "query"}
    )
    assert status == 200 and body["result"]["text"] == "query"
    status, body = await raw.call("sendMessage", data={"chat_id": str(people.sven), "text": "form"})
    assert status == 200 and body["result"]["text"] == "form"
    form = aiohttp.FormData()
    form.add_field("chat_id", str(people.grace))
    form.add_field("text", "multipart")
    form.add_field("document", b"ignored", filename="x.bin")  # forces multipart encoding
    status, body = await raw.call("sendMessage", data=form)
    assert status == 200 and body["result"]["text"] == "multipart"


async def test_bad_json_body(raw):
    status, body = await raw.call(
        "sendMessage", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert status == 400 and body["ok"] is False and body["description"].startswith("Bad Request: ")


async def test_missing_chat_id(raw):
    assert await raw.error("sendMessage", text="hi") == (400, "Bad Request: chat_id is empty")


async def test_unknown_chat(raw):
    assert await raw.error("sendMessage", chat_id=42, text="hi") == (
        400,
        "Bad Request: chat not found",
    )


@pytest.mark.parametrize("text", [None, "", "   \n "])
async def test_empty_text(raw, people, text):
    params = {"chat_id": people.aino} | ({"text": text} if text is not None else {})
    assert await raw.error("sendMessage", **params) == (400, "Bad Request: message text is empty")


async def test_text_length_is_counted_after_entity_parsing(raw, people):
    assert await raw.error("sendMessage", chat_id=people.aino, text="x" * 4097) == (
        400,
        "Bad Request: message is too long",
    )
    message = await raw.ok(
        "sendMessage", chat_id=people.aino, text=f"<b>{'x' * 4096}</b>", parse_mode="HTML"
    )
    assert len(message["text"]) == 4096


async def test_bad_html(raw, people):
    status, description = await raw.error(
        "sendMessage", chat_id=people.aino, text="<b>open", parse_mode="HTML"
    )
    assert (status, description) == (
        400,
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"",
    )
    _, description = await raw.error(
        "sendMessage", chat_id=people.aino, text="<blink>x</blink>", parse_mode="HTML"
    )
    assert (
        description
        == 'Bad Request: can\'t parse entities: Unsupported start tag "blink" at byte offset 0'
    )


async def test_html_entities_in_result(raw, people):
    message = await raw.ok(
        "sendMessage",
        chat_id=people.aino,
        parse_mode="HTML",
        text='👋 <b>Hei <i>Aino</i></b> <a href="https://mikkeli.fi/?a=1&amp;b=2">linkki</a>',
    )
    assert message["text"] == "👋 Hei Aino linkki"
    assert message["entities"] == [
        {"offset": 3, "length": 8, "type": "bold"},
        {"offset": 7, "length": 4, "type": "italic"},
        {"offset": 12, "length": 6, "type": "text_link", "url": "https://mikkeli.fi/?a=1&b=2"},
    ]


async def test_commands_and_links_found_in_bot_text(raw, people):
    html = await raw.ok(
        "sendMessage", chat_id=people.aino, parse_mode="HTML", text="<b>Katuvalot</b> – /p3"
    )
    assert html["entities"] == [
        {"offset": 0, "length": 9, "type": "bold"},
        {"offset": 12, "length": 3, "type": "bot_command"},
    ]
    plain = await raw.ok("sendMessage", chat_id=people.aino, text="Avaa /p3: https://mikkeli.fi")
    assert plain["entities"] == [
        {"offset": 5, "length": 3, "type": "bot_command"},
        {"offset": 10, "length": 18, "type": "url"},
    ]
    assert await raw.error("sendMessage", chat_id=people.aino, text="/p3", entities=["bold"]) == (
        400,
        "Bad Request: can't parse entities JSON object",
    )


@pytest.mark.parametrize(
    "data, ok", [("x" * 64, True), ("ä" * 32, True), ("x" * 65, False), ("ä" * 33, False)]
)
async def test_callback_data_is_limited_to_64_bytes(raw, people, data, ok):
    markup = {"inline_keyboard": [[{"text": "Press", "callback_data": data}]]}
    status, body = await raw.call(
        "sendMessage", json={"chat_id": people.aino, "text": "t", "reply_markup": markup}
    )
    if ok:
        assert status == 200 and body["result"]["reply_markup"] == markup
    else:
        assert (status, body["description"]) == (400, "Bad Request: BUTTON_DATA_INVALID")


async def test_inline_button_without_action_is_rejected(raw, people):
    markup = {"inline_keyboard": [[{"text": "Nothing"}]]}
    status, description = await raw.error(
        "sendMessage", chat_id=people.aino, text="t", reply_markup=markup
    )
    assert status == 400 and "inline keyboard button" in description


async def test_unparsable_reply_markup(raw, people):
    status, body = await raw.call(
        "sendMessage", data={"chat_id": people.aino, "text": "t", "reply_markup": "{oops"}
    )
    assert (
        status == 400
        and body["description"] == "Bad Request: can't parse reply keyboard markup JSON object"
    )


async def test_identical_edit_and_missing_message(raw, people):
    sent = await raw.ok("sendMessage", chat_id=people.aino, text="same")
    assert await raw.error(
        "editMessageText", chat_id=people.aino, message_id=sent["message_id"], text="same"
    ) == (
        400,
        "Bad Request: message is not modified: specified new message content and reply markup are "
        "exactly the same as a current content and reply markup of the message",
    )
    assert await raw.error("editMessageText", chat_id=people.aino, message_id=999, text="x") == (
        400,
        "Bad Request: message to edit not found",
    )


async def test_users_messages_cannot_be_edited(raw, client, people):
    sent = await client.send_text(people.aino, "mine")
    assert await raw.error(
        "editMessageText", chat_id=people.aino, message_id=sent["message"]["message_id"], text="x"
    ) == (400, "Bad Request: message can't be edited")


async def test_unknown_callback_query(raw):
    assert await raw.error("answerCallbackQuery", callback_query_id="123") == (
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )


async def test_file_download_route_errors(raw, sandbox):
    async with raw.session.get(
        f"{sandbox.url}/file/bot{sandbox.token}/documents/nope.txt"
    ) as response:
        assert response.status == 404 and (await response.json())["description"] == "Not Found"
    async with raw.session.get(f"{sandbox.url}/file/bot1:BAD/documents/nope.txt") as response:
        assert response.status == 401


async def test_unsupported_parse_mode_says_so(raw, people):
    status, description = await raw.error(
        "sendMessage", chat_id=people.aino, text="*x*", parse_mode="MarkdownV2"
    )
    assert status == 400 and "HTML" in description
