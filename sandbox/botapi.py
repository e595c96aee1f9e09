"""Bot API method handlers: `METHODS[name.lower()](state, params) -> result`."""

from __future__ import annotations

import asyncio
import functools
import io
import json
import mimetypes
from collections.abc import Awaitable, Callable
from itertools import islice
from typing import Any

from . import webhook
from .html_entities import EntityParseError, parse_html, strip_text, with_auto_entities
from .params import ApiError, Params, bad_request
from .state import Chat, SandboxState, StoredFile, StoredMessage

Handler = Callable[[SandboxState, Params], Awaitable[Any]]
METHODS: dict[str, Handler] = {}

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_BUTTONS = 100
BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
ADMIN_RIGHTS = dict.fromkeys(
    (
        "can_manage_chat",
        "can_delete_messages",
        "can_manage_video_chats",
        "can_restrict_members",
        "can_promote_members",
        "can_change_info",
        "can_invite_users",
        "can_post_stories",
        "can_edit_stories",
        "can_delete_stories",
        "can_send_welcome_messages",
        "can_pin_messages",
    ),
    True,
)


def method(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = handler
        return handler

    return register


# --- shared checks ---------------------------------------------------------


def find_chat(state: SandboxState, p: Params, name: str = "chat_id") -> Chat:
    chat = state.find_chat(p.chat_id(name))
    if chat is None:
        raise bad_request("chat not found")
    return chat


def formatted_text(
    p: Params, key: str, limit: int, required: bool
) -> tuple[str | None, list | None]:
    text = p.str(key)
    entities_key = "entities" if key == "text" else f"{key}_entities"
    if text is None:
        if required:
            raise bad_request("message text is empty")
        return None, None
    parse_mode = p.str("parse_mode")
    if parse_mode:
        if parse_mode.lower() != "html":
            raise bad_request("the sandbox supports only parse_mode HTML")
        try:
            text, entities = parse_html(text)
        except EntityParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
    else:
        entities = p.json(entities_key) or []
        if not isinstance(entities, list) or not all(map(is_entity, entities)):
            raise bad_request(f"can't parse {entities_key} JSON object")
        entities = with_auto_entities(text, entities)
    text, entities = strip_text(text, entities)
    if not text:
        if required:
            raise bad_request("message text is empty")
        return None, None
    if len(text) > limit:
        raise bad_request("message is too long" if key == "text" else "message caption is too long")
    return text, entities or None


def is_entity(entity: Any) -> bool:
    return (
        isinstance(entity, dict)
        and isinstance(entity.get("type"), str)
        and all(isinstance(entity.get(key), int) for key in ("offset", "length"))
    )


def inline_keyboard(markup: dict) -> dict | None:
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    clean_rows = []
    for row in rows:
        clean = []
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request("can't parse inline keyboard button: Text must be a String")
            button = {key: value for key, value in button.items() if value is not None}
            actions = [key for key in BUTTON_ACTIONS if key in button]
            if len(actions) != 1:
                raise bad_request(
                    "can't parse inline keyboard button: "
                    "exactly one of the optional fields must be used"
                )
            data = button.get("callback_data")
            if data is not None and not (isinstance(data, str) and 1 <= len(data.encode()) <= 64):
                raise bad_request("BUTTON_DATA_INVALID")
            url = button.get("url")
            if url is not None and not (
                isinstance(url, str) and url.startswith(("http://", "https://", "tg://"))
            ):
                raise bad_request("BUTTON_URL_INVALID")
            clean.append(button)
        if clean:
            clean_rows.append(clean)
    if sum(map(len, clean_rows)) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    return {"inline_keyboard": clean_rows} if clean_rows else None


def reply_markup(p: Params, inline_only: bool = False) -> tuple[dict | None, dict | None]:
    """Returns (inline keyboard for the message, new reply-keyboard state for the chat or None)."""
    raw = p.raw("reply_markup")
    if raw is None:
        return None, None
    if isinstance(raw, str):
        inline, keyboard = parsed_markup(raw)
    else:
        inline, keyboard = validated_markup(raw)
    if inline_only and keyboard is not None:
        raise bad_request("inline keyboard expected")
    return inline, keyboard


@functools.lru_cache(maxsize=256)
def parsed_markup(raw: str) -> tuple[dict | None, dict | None]:
    # Broadcasts repeat the same markup; sharing one parsed copy keeps 100k stored messages cheap.
    try:
        markup = json.loads(raw)
    except ValueError:
        raise bad_request("can't parse reply keyboard markup JSON object") from None
    return validated_markup(markup)


def validated_markup(markup: Any) -> tuple[dict | None, dict | None]:
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        return inline_keyboard(markup), None
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) and row for row in rows):
            raise bad_request(
                'field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays'
            )
        rows = [[{"text": b} if isinstance(b, str) else b for b in row] for row in rows]
        if not all(
            isinstance(b, dict) and isinstance(b.get("text"), str) and b["text"]
            for row in rows
            for b in row
        ):
            raise bad_request("can't parse keyboard button: Text must be a non-empty String")
        return None, {**markup, "keyboard": rows}
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return None, markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def check_recipient(state: SandboxState, chat: Chat) -> None:
    if chat.user is not None and chat.user.blocked:
        state.stats["forbidden"] += 1
        raise ApiError(403, "Forbidden: bot was blocked by the user")


def send(
    state: SandboxState,
    p: Params,
    method_name: str,
    chat: Chat,
    text: str | None,
    entities: list | None,
    media: dict | None = None,
) -> dict:
    inline, keyboard = reply_markup(p)
    check_recipient(state, chat)
    retry_after = state.flood.acquire(chat.id, chat.is_group, p.bool("allow_paid_broadcast"))
    if retry_after:
        state.stats["too_many_requests"] += 1
        raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
    message = state.store_message(chat, state.bot, text, entities, media, inline)
    if keyboard is not None:
        chat.reply_keyboard = None if keyboard.get("remove_keyboard") else keyboard
    state.deliver(method_name, message)
    return message.as_json()


def message_to_edit(state: SandboxState, p: Params) -> StoredMessage:
    if p.raw("inline_message_id") is not None:
        raise bad_request("MESSAGE_ID_INVALID")
    chat = find_chat(state, p)
    message_id = p.int("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    message = chat.messages.get(message_id)
    if message is None:
        raise bad_request("message to edit not found")
    if message.sender is not state.bot:
        raise bad_request("message can't be edited")
    return message


def apply_edit(
    state: SandboxState,
    message: StoredMessage,
    text: str | None,
    entities: list | None,
    markup: dict | None,
) -> dict:
    if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
        raise bad_request(NOT_MODIFIED)
    message.text, message.entities, message.reply_markup = text, entities, markup
    message.edit_date = int(state.clock())
    message.chat.record("edit", message.message_id)
    return message.as_json()


# --- files -----------------------------------------------------------------


def input_file(state: SandboxState, p: Params, name: str, max_size: int) -> StoredFile:
    value = p.file(name)
    if value is None:
        raise bad_request(f"there is no {name} in the request")
    if isinstance(value, str):
        stored = state.files.get(value)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return stored
    data = value.file.read()
    if not data:
        raise bad_request("file must be non-empty")
    if len(data) > max_size:
        raise bad_request("file is too big")
    mime_type = value.content_type
    if mime_type in (None, "application/octet-stream"):
        mime_type = mimetypes.guess_type(value.filename or "")[0] or "application/octet-stream"
    return state.add_file(name, data, value.filename, mime_type)


def photo_size(stored: StoredFile) -> dict:
    from PIL import Image, UnidentifiedImageError

    try:
        width, height = Image.open(io.BytesIO(stored.data)).size
    except (UnidentifiedImageError, OSError):
        raise bad_request("IMAGE_PROCESS_FAILED") from None
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "width": width,
        "height": height,
    }


def document_json(stored: StoredFile) -> dict:
    data = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }
    if stored.file_name:
        data["file_name"] = stored.file_name
    if stored.mime_type:
        data["mime_type"] = stored.mime_type
    return data


# --- methods ---------------------------------------------------------------


@method("getMe")
async def get_me(state: SandboxState, p: Params) -> dict:
    return {
        **state.bot.as_json(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@method("getUpdates")
async def get_updates(state: SandboxState, p: Params) -> list[dict]:
    if state.webhook is not None:
        raise webhook.conflict()
    offset = p.int("offset", 0)
    limit = min(100, max(1, p.int("limit", 100)))
    timeout = max(0, p.int("timeout", 0))
    allowed = p.json("allowed_updates")
    if isinstance(allowed, list):
        state.allowed_updates = [str(kind) for kind in allowed]
    if offset:
        state.confirm_updates(offset)
    state.poll_generation += 1
    generation = state.poll_generation
    state.updates_changed.fire()  # an older long poll ends with 409, like Telegram
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not state.updates and not state.closing and loop.time() < deadline:
        await state.updates_changed.wait(deadline - loop.time())
        if state.poll_generation != generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        if state.webhook is not None:
            raise webhook.conflict()
    return [
        {"update_id": update_id, kind: payload}
        for update_id, kind, payload in islice(state.updates, limit)
    ]


@method("sendMessage")
async def send_message(state: SandboxState, p: Params) -> dict:
    chat = find_chat(state, p)
    text, entities = formatted_text(p, "text", MAX_TEXT, required=True)
    return send(state, p, "sendMessage", chat, text, entities)


@method("sendPhoto")
async def send_photo(state: SandboxState, p: Params) -> dict:
    chat = find_chat(state, p)
    caption, entities = formatted_text(p, "caption", MAX_CAPTION, required=False)
    photo = input_file(state, p, "photo", 10 * 2**20)
    return send(state, p, "sendPhoto", chat, caption, entities, {"photo": [photo_size(photo)]})


@method("sendDocument")
async def send_document(state: SandboxState, p: Params) -> dict:
    chat = find_chat(state, p)
    caption, entities = formatted_text(p, "caption", MAX_CAPTION, required=False)
    document = input_file(state, p, "document", 50 * 2**20)
    return send(
        state, p, "sendDocument", chat, caption, entities, {"document": document_json(document)}
    )


def location_of(p: Params) -> dict:
    latitude, longitude = p.float("latitude"), p.float("longitude")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise bad_request("wrong latitude or longitude")
    return {"latitude": latitude, "longitude": longitude}


@method("sendLocation")
async def send_location(state: SandboxState, p: Params) -> dict:
    chat = find_chat(state, p)
    return send(state, p, "sendLocation", chat, None, None, {"location": location_of(p)})


@method("sendVenue")
async def send_venue(state: SandboxState, p: Params) -> dict:
    chat = find_chat(state, p)
    location = location_of(p)
    title, address = p.str("title"), p.str("address")
    if not title or not address:
        raise bad_request("venue title and address must be non-empty")
    venue = {"location": location, "title": title, "address": address}
    return send(state, p, "sendVenue", chat, None, None, {"location": location, "venue": venue})


@method("copyMessage")
async def copy_message(state: SandboxState, p: Params) -> dict:
    source = find_chat(state, p, "from_chat_id").messages.get(p.int("message_id", required=True))
    if source is None:
        raise bad_request("message to copy not found")
    message = send(
        state, p, "copyMessage", find_chat(state, p), source.text, source.entities, source.media
    )
    return {"message_id": message["message_id"]}


@method("editMessageText")
async def edit_message_text(state: SandboxState, p: Params) -> dict:
    message = message_to_edit(state, p)
    text, entities = formatted_text(p, "text", MAX_TEXT, required=True)
    inline, _ = reply_markup(p, inline_only=True)
    if message.media:
        raise bad_request("there is no text in the message to edit")
    return apply_edit(state, message, text, entities, inline)


@method("editMessageCaption")
async def edit_message_caption(state: SandboxState, p: Params) -> dict:
    message = message_to_edit(state, p)
    caption, entities = formatted_text(p, "caption", MAX_CAPTION, required=False)
    inline, _ = reply_markup(p, inline_only=True)
    if not message.media or "location" in message.media:
        raise bad_request("there is no caption in the message to edit")
    return apply_edit(state, message, caption, entities, inline)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(state: SandboxState, p: Params) -> dict:
    message = message_to_edit(state, p)
    inline, _ = reply_markup(p, inline_only=True)
    return apply_edit(state, message, message.text, message.entities, inline)


@method("deleteMessage")
async def delete_message(state: SandboxState, p: Params) -> bool:
    chat = find_chat(state, p)
    message_id = p.int("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    if chat.messages.pop(message_id, None) is None:
        raise bad_request("message to delete not found")
    chat.record("delete", message_id)
    return True


@method("answerCallbackQuery")
async def answer_callback_query(state: SandboxState, p: Params) -> bool:
    query = state.callback_queries.pop(p.str("callback_query_id") or "", None)
    if query is None or state.clock() - query[2] > state.limits.callback_query_ttl:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = p.str("text")
    if text and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    user_id, chat_id, _ = query
    state.chats[chat_id].record(
        "answer",
        {"user_id": user_id, "text": text, "show_alert": p.bool("show_alert"), "url": p.str("url")},
    )
    return True


@method("sendChatAction")
async def send_chat_action(state: SandboxState, p: Params) -> bool:
    chat = find_chat(state, p)
    action = p.str("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    check_recipient(state, chat)
    chat.record("action", {"action": action})
    return True


@method("getFile")
async def get_file(state: SandboxState, p: Params) -> dict:
    stored = state.files.get(p.str("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "file_path": stored.file_path,
    }


@method("getChat")
async def get_chat(state: SandboxState, p: Params) -> dict:
    chat = find_chat(state, p)
    gifts = dict.fromkeys(
        (
            "unlimited_gifts",
            "limited_gifts",
            "unique_gifts",
            "premium_subscription",
            "gifts_from_channels",
        ),
        False,
    )
    return {
        **chat.json,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": gifts,
    }


def chat_member(state: SandboxState, chat: Chat, user_id: int) -> dict:
    user = state.bot if user_id == state.bot.id else state.users.get(user_id)
    if user is None:
        raise bad_request("PARTICIPANT_ID_INVALID")
    status = "administrator" if user is state.bot else chat.members.get(user_id, "left")
    member: dict[str, Any] = {"status": status, "user": user.as_json()}
    if status == "administrator":
        member.update(ADMIN_RIGHTS, can_be_edited=False, is_anonymous=False)
    elif status == "creator":
        member["is_anonymous"] = False
    return member


@method("getChatMember")
async def get_chat_member(state: SandboxState, p: Params) -> dict:
    return chat_member(state, find_chat(state, p), p.int("user_id", required=True))


@method("getChatAdministrators")
async def get_chat_administrators(state: SandboxState, p: Params) -> list[dict]:
    chat = find_chat(state, p)
    admins = [uid for uid, status in chat.members.items() if status in ("creator", "administrator")]
    return [chat_member(state, chat, uid) for uid in admins]


def command_scope(state: SandboxState, p: Params) -> tuple:
    scope = p.json("scope") or {"type": "default"}
    kind = scope.get("type") if isinstance(scope, dict) else None
    if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
        return (kind,)
    if kind in ("chat", "chat_administrators", "chat_member"):
        chat = state.find_chat(scope.get("chat_id", ""))
        if chat is None:
            raise bad_request("chat not found")
        if kind == "chat_member":
            return (kind, chat.id, int(scope.get("user_id", 0)))
        return (kind, chat.id)
    raise bad_request("can't parse BotCommandScope")


@method("setMyCommands")
async def set_my_commands(state: SandboxState, p: Params) -> bool:
    commands = p.json("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    clean = []
    for command in commands:
        name = str(command.get("command", "")) if isinstance(command, dict) else ""
        description = str(command.get("description", "")) if isinstance(command, dict) else ""
        name = name.removeprefix("/").lower()
        if not (
            1 <= len(name) <= 32 and all(c.isascii() and (c.isalnum() or c == "_") for c in name)
        ):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        clean.append({"command": name, "description": description})
    state.commands[(command_scope(state, p), p.str("language_code") or "")] = clean
    return True


@method("getMyCommands")
async def get_my_commands(state: SandboxState, p: Params) -> list[dict]:
    return state.commands.get((command_scope(state, p), p.str("language_code") or ""), [])


@method("deleteMyCommands")
async def delete_my_commands(state: SandboxState, p: Params) -> bool:
    state.commands.pop((command_scope(state, p), p.str("language_code") or ""), None)
    return True


def description_method(kind: str, limit: int) -> None:
    field = "description" if kind == "description" else "short_description"
    camel = "Description" if kind == "description" else "ShortDescription"

    async def set_description(state: SandboxState, p: Params) -> bool:
        text = p.str(field) or ""
        if len(text) > limit:
            raise bad_request(f"{field} is too long")
        state.descriptions[(field, p.str("language_code") or "")] = text
        return True

    async def get_description(state: SandboxState, p: Params) -> dict:
        return {field: state.descriptions.get((field, p.str("language_code") or ""), "")}

    method(f"setMy{camel}")(set_description)
    method(f"getMy{camel}")(get_description)


description_method("description", 512)
description_method("short_description", 120)


@method("setChatMenuButton")
async def set_chat_menu_button(state: SandboxState, p: Params) -> bool:
    button = p.json("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app", "default"):
        raise bad_request("can't parse menu button")
    if p.raw("chat_id") is None:
        state.default_menu_button = {"type": "commands"} if button["type"] == "default" else button
    else:
        find_chat(state, p).menu_button = None if button["type"] == "default" else button
    return True


@method("getChatMenuButton")
async def get_chat_menu_button(state: SandboxState, p: Params) -> dict:
    if p.raw("chat_id") is None:
        return state.default_menu_button
    return find_chat(state, p).menu_button or state.default_menu_button


@method("setWebhook")
async def set_webhook(state: SandboxState, p: Params) -> bool:
    url = p.str("url")
    secret = p.str("secret_token")
    if url and not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    if secret and not (
        len(secret) <= 256 and all(c.isascii() and (c.isalnum() or c in "_-") for c in secret)
    ):
        raise bad_request("secret token contains unallowed characters")
    allowed = p.json("allowed_updates")
    if isinstance(allowed, list):
        state.allowed_updates = [str(kind) for kind in allowed]
    if p.bool("drop_pending_updates"):
        state.updates.clear()
    await webhook.stop(state)
    if url:
        webhook.start(state, url, secret, p.int("max_connections", 40))
    return True


@method("deleteWebhook")
async def delete_webhook(state: SandboxState, p: Params) -> bool:
    if p.bool("drop_pending_updates"):
        state.updates.clear()
    await webhook.stop(state)
    return True


@method("getWebhookInfo")
async def get_webhook_info(state: SandboxState, p: Params) -> dict:
    info: dict[str, Any] = {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates),
    }
    hook = state.webhook
    if hook is not None:
        info.update(url=hook.url, max_connections=hook.max_connections, ip_address="127.0.0.1")
        if hook.last_error_date:
            info.update(
                last_error_date=hook.last_error_date, last_error_message=hook.last_error_message
            )
        if state.allowed_updates:
            info["allowed_updates"] = state.allowed_updates
    return info
