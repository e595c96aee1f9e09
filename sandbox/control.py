"""Control API under /sandbox/api: act as users, read chats and live events, tune limits,
read the delivery log and counters."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField

from .botapi import MAX_TEXT, photo_size
from .params import ApiError, dumps
from .state import Chat, Delivery, SandboxState, StoredMessage, User

STATE = web.AppKey("state", SandboxState)
MAX_WAIT = 60.0
USER_FIELDS = ("id", "first_name", "last_name", "username", "language_code", "about")
routes = web.RouteTableDef()


def reply(data: Any, status: int = 200) -> web.Response:
    return web.Response(text=dumps(data), status=status, content_type="application/json")


def fail(status: int, message: str) -> web.HTTPException:
    error = web.HTTPNotFound if status == 404 else web.HTTPBadRequest
    return error(text=dumps({"error": message}), content_type="application/json")


def number(value: Any, name: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise fail(400, f"{name} must be a number") from None


async def json_body(request: web.Request) -> dict:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise fail(400, "body must be JSON") from None
    if not isinstance(body, dict):
        raise fail(400, "body must be a JSON object")
    return body


def user_view(user: User) -> dict:
    return {**user.as_json(), "about": user.about, "blocked": user.blocked}


def chat_view(chat: Chat) -> dict:
    name = chat.title or (chat.user.full_name if chat.user else str(chat.id))
    return {**chat.summary(), "name": name}


def message_view(state: SandboxState, message: StoredMessage) -> dict:
    data = message.as_json()
    data["from_bot"] = message.sender is state.bot
    media = message.media or {}
    if "document" in media:
        data["download_url"] = f"/sandbox/api/files/{media['document']['file_id']}"
    elif "photo" in media:
        data["download_url"] = f"/sandbox/api/files/{media['photo'][-1]['file_id']}"
    return data


def get_user(request: web.Request) -> User:
    user = request.app[STATE].users.get(int(number(request.match_info["user_id"], "user_id")))
    if user is None:
        raise fail(404, "user not found")
    return user


def get_chat(request: web.Request, chat_id: Any = None) -> Chat:
    raw = request.match_info.get("chat_id") if chat_id is None else chat_id
    chat = request.app[STATE].chats.get(int(number(raw, "chat_id")))
    if chat is None:
        raise fail(404, "chat not found")
    return chat


def chat_of(request: web.Request, user: User, chat_id: Any) -> Chat:
    chat = get_chat(request, user.id if chat_id in (None, "") else chat_id)
    if user.id not in chat.members:
        raise fail(400, "the user is not a member of that chat")
    return chat


def sent(state: SandboxState, message: StoredMessage) -> web.Response:
    return reply({"message": message_view(state, message), "seq": message.chat.seq})


# --- people ------------------------------------------------------------------


@routes.get("/sandbox/api/info")
async def info(request: web.Request) -> web.Response:
    state = request.app[STATE]
    return reply({"bot": state.bot.as_json(), "limits": state.limits.as_dict()})


@routes.get("/sandbox/api/users")
async def list_users(request: web.Request) -> web.Response:
    return reply([user_view(user) for user in request.app[STATE].users.values()])


@routes.post("/sandbox/api/users")
async def add_users(request: web.Request) -> web.Response:
    state = request.app[STATE]
    body = await json_body(request)
    specs = body["users"] if isinstance(body.get("users"), list) else [body]
    created = []
    for spec in specs:
        fields = {key: spec[key] for key in USER_FIELDS if spec.get(key) is not None}
        if "id" in fields and int(fields["id"]) in state.users:
            raise fail(400, f"user {fields['id']} already exists")
        created.append(user_view(state.add_user(**fields)))
    return reply({"users": created} if "users" in body else created[0])


@routes.post("/sandbox/api/users/{user_id}/block")
async def block(request: web.Request) -> web.Response:
    user = get_user(request)
    request.app[STATE].set_blocked(user, True)
    return reply(user_view(user))


@routes.post("/sandbox/api/users/{user_id}/unblock")
async def unblock(request: web.Request) -> web.Response:
    user = get_user(request)
    request.app[STATE].set_blocked(user, False)
    return reply(user_view(user))


# --- acting as a user ----------------------------------------------------------


@routes.post("/sandbox/api/users/{user_id}/messages")
async def send_text(request: web.Request) -> web.Response:
    state, user, body = request.app[STATE], get_user(request), await json_body(request)
    text = str(body.get("text") or "").strip()
    if not text or len(text) > MAX_TEXT:
        raise fail(400, f"text must be 1-{MAX_TEXT} characters")
    return sent(state, state.user_message(user, chat_of(request, user, body.get("chat_id")), text))


@routes.post("/sandbox/api/users/{user_id}/locations")
async def send_location(request: web.Request) -> web.Response:
    state, user, body = request.app[STATE], get_user(request), await json_body(request)
    location = {
        "latitude": number(body.get("latitude"), "latitude"),
        "longitude": number(body.get("longitude"), "longitude"),
    }
    chat = chat_of(request, user, body.get("chat_id"))
    return sent(state, state.user_message(user, chat, media={"location": location}))


@routes.post("/sandbox/api/users/{user_id}/photos")
async def send_photo(request: web.Request) -> web.Response:
    state, user = request.app[STATE], get_user(request)
    form = await request.post()
    upload = form.get("photo")
    if not isinstance(upload, FileField):
        raise fail(400, "multipart field 'photo' with a file is required")
    chat = chat_of(request, user, form.get("chat_id"))
    stored = state.add_file("photo", upload.file.read(), upload.filename, upload.content_type)
    try:
        size = photo_size(stored)
    except ApiError:
        raise fail(400, "that file is not an image") from None
    caption = str(form.get("caption") or "").strip() or None
    return sent(state, state.user_message(user, chat, caption, media={"photo": [size]}))


@routes.post("/sandbox/api/users/{user_id}/callbacks")
async def press(request: web.Request) -> web.Response:
    state, user, body = request.app[STATE], get_user(request), await json_body(request)
    chat = chat_of(request, user, body.get("chat_id"))
    try:
        query_id = state.press(
            user, chat, int(number(body.get("message_id"), "message_id")), str(body.get("data", ""))
        )
    except LookupError as error:
        raise fail(400, str(error)) from None
    return reply({"callback_query_id": query_id, "seq": chat.seq})


# --- reading chats -----------------------------------------------------------


@routes.get("/sandbox/api/chats")
async def list_chats(request: web.Request) -> web.Response:
    state = request.app[STATE]
    user_id = request.query.get("user_id")
    chats = state.chats_of(int(number(user_id, "user_id"))) if user_id else state.chats.values()
    return reply([chat_view(chat) for chat in chats])


@routes.get("/sandbox/api/chats/{chat_id}/transcript")
async def transcript(request: web.Request) -> web.Response:
    state, chat = request.app[STATE], get_chat(request)
    return reply(
        {
            "chat": chat_view(chat),
            "seq": chat.seq,
            "reply_keyboard": chat.reply_keyboard,
            "messages": [message_view(state, m) for m in chat.messages.values()],
        }
    )


def event_view(state: SandboxState, chat: Chat, seq: int, kind: str, data: Any) -> dict:
    event: dict[str, Any] = {"seq": seq, "type": kind}
    if kind in ("message", "edit"):
        message = chat.messages.get(data)
        event["message"] = message_view(state, message) if message else None
    elif kind == "delete":
        event["message_id"] = data
    elif data:
        event.update(data)
    return event


@routes.get("/sandbox/api/chats/{chat_id}/events")
async def events(request: web.Request) -> web.Response:
    """Long poll: returns once the chat has events after `after` or `timeout` seconds pass."""
    state, chat = request.app[STATE], get_chat(request)
    after = int(number(request.query.get("after", 0), "after"))
    timeout = min(MAX_WAIT, max(0.0, number(request.query.get("timeout", 0), "timeout")))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while chat.seq == after and not state.closing and loop.time() < deadline:
        await chat.changed.wait(deadline - loop.time())
    oldest = chat.events[0][0] if chat.events else chat.seq + 1
    reset = after > chat.seq or after < oldest - 1
    items = [] if reset else [event_view(state, chat, *e) for e in chat.events if e[0] > after]
    return reply(
        {"seq": chat.seq, "reset": reset, "events": items, "reply_keyboard": chat.reply_keyboard}
    )


@routes.get("/sandbox/api/chats/{chat_id}/commands")
async def commands(request: web.Request) -> web.Response:
    """What the chat page's menu shows: the bot's commands resolved like Telegram's clients do."""
    state, chat = request.app[STATE], get_chat(request)
    user = state.users.get(int(number(request.query.get("user_id", chat.id), "user_id")))
    language = (user.language_code or "")[:2] if user else ""
    if chat.is_group:
        admin = chat.members.get(user.id if user else 0) in ("administrator", "creator")
        scopes = [("chat_member", chat.id, user.id if user else 0)]
        scopes += [("chat_administrators", chat.id)] if admin else []
        scopes += [("chat", chat.id)] + ([("all_chat_administrators",)] if admin else [])
        scopes += [("all_group_chats",), ("default",)]
    else:
        scopes = [("chat", chat.id), ("all_private_chats",), ("default",)]
    found = next(
        (
            state.commands[(scope, lang)]
            for scope in scopes
            for lang in (language, "")
            if (scope, lang) in state.commands
        ),
        [],
    )
    description = {
        field: state.descriptions.get((field, language)) or state.descriptions.get((field, ""), "")
        for field in ("description", "short_description")
    }
    return reply(
        {
            "commands": found,
            "menu_button": chat.menu_button or state.default_menu_button,
            **description,
        }
    )


@routes.get("/sandbox/api/files/{file_id}")
async def download(request: web.Request) -> web.Response:
    stored = request.app[STATE].files.get(request.match_info["file_id"])
    if stored is None:
        raise fail(404, "file not found")
    return web.Response(
        body=stored.data, content_type=stored.mime_type or "application/octet-stream"
    )


# --- limits, log, counters -------------------------------------------------------


@routes.get("/sandbox/api/limits")
async def get_limits(request: web.Request) -> web.Response:
    return reply(request.app[STATE].limits.as_dict())


@routes.put("/sandbox/api/limits")
async def set_limits(request: web.Request) -> web.Response:
    state = request.app[STATE]
    try:
        state.limits.update(await json_body(request))
    except (TypeError, ValueError) as error:
        raise fail(400, str(error)) from None
    state.flood.reset()
    return reply(state.limits.as_dict())


@routes.get("/sandbox/api/deliveries")
async def deliveries(request: web.Request) -> web.Response:
    log = request.app[STATE].deliveries
    offset = int(number(request.query.get("offset", 0), "offset"))
    limit = int(number(request.query.get("limit", len(log)), "limit"))
    page = [dict(zip(Delivery._fields, d, strict=True)) for d in log[offset : offset + limit]]
    return reply({"total": len(log), "deliveries": page})


@routes.get("/sandbox/api/stats")
async def stats(request: web.Request) -> web.Response:
    state = request.app[STATE]
    counters = {key: state.stats[key] for key in ("accepted", "too_many_requests", "forbidden")}
    return reply({**counters, "pending_updates": len(state.updates)})


@routes.post("/sandbox/api/reset")
async def reset(request: web.Request) -> web.Response:
    request.app[STATE].reset_traffic()
    return reply({"ok": True})
