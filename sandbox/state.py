"""In-memory Telegram world: users, chats, messages, files, updates and the delivery log."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from .html_entities import detect_entities
from .limits import Clock, FloodControl, Limits

DEFAULT_TOKEN = "123456:SANDBOX"
BOT_USERNAME = "foorumi_sandbox_bot"
PERSONAS_FILE = Path(__file__).with_name("personas.json")
EVENT_HISTORY = 500  # per chat; older events make the page reload the transcript
NOT_DEFAULT_UPDATES = {"chat_member", "message_reaction", "message_reaction_count"}


class Signal:
    """Wakes everyone waiting for the next change; free when nobody waits."""

    __slots__ = ("_waiters",)

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future] = []

    def fire(self) -> None:
        if self._waiters:
            for waiter in self._waiters:
                if not waiter.done():
                    waiter.set_result(None)
            self._waiters = []

    async def wait(self, timeout: float) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            pass
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)


@dataclass(slots=True)
class User:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    about: str = ""
    blocked: bool = False

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        return data

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name or ''}".strip()


@dataclass(slots=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None


@dataclass(slots=True, eq=False)
class StoredMessage:
    """Compact storage; rendered to Bot API JSON only when someone reads it."""

    message_id: int
    chat: Chat
    sender: User
    date: int
    text: str | None = None  # caption when `media` is set
    entities: list | None = None
    media: dict | None = None  # e.g. {"document": {...}}, {"photo": [...]}, {"location": {...}}
    reply_markup: dict | None = None  # inline keyboards only, like Message.reply_markup
    edit_date: int | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender.as_json(),
            "chat": self.chat.json,
            "date": self.date,
        }
        if self.edit_date:
            data["edit_date"] = self.edit_date
        if self.media:
            data.update(self.media)
        if self.text is not None:
            key = "caption" if self.media else "text"
            data[key] = self.text
            if self.entities:
                data[f"{key}_entities" if self.media else "entities"] = self.entities
        if self.reply_markup:
            data["reply_markup"] = self.reply_markup
        return data


class Chat:
    __slots__ = (
        "id",
        "type",
        "title",
        "user",
        "members",
        "messages",
        "next_message_id",
        "events",
        "seq",
        "changed",
        "reply_keyboard",
        "menu_button",
        "json",
    )

    def __init__(
        self, chat_id: int, chat_type: str, title: str | None = None, user: User | None = None
    ) -> None:
        self.id = chat_id
        self.type = chat_type
        self.title = title
        self.user = user  # the other party of a private chat
        self.members: dict[int, str] = {}  # user id -> chat member status
        self.messages: dict[int, StoredMessage] = {}
        self.next_message_id = 1
        self.events: deque[tuple[int, str, Any]] = deque(maxlen=EVENT_HISTORY)
        self.seq = 0
        self.changed = Signal()
        self.reply_keyboard: dict | None = None
        self.menu_button: dict | None = None
        if user is not None:
            self.json = {
                "id": chat_id,
                "type": "private",
                **{
                    k: v
                    for k, v in user.as_json().items()
                    if k in ("first_name", "last_name", "username")
                },
            }
        else:
            self.json = {"id": chat_id, "type": chat_type, "title": title}

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    def record(self, kind: str, data: Any) -> None:
        self.seq += 1
        self.events.append((self.seq, kind, data))
        self.changed.fire()

    def summary(self) -> dict[str, Any]:
        return {**self.json, "members": {str(k): v for k, v in self.members.items()}}


class Delivery(NamedTuple):
    time: float
    method: str
    chat_id: int
    message_id: int
    text: str | None


@dataclass
class Webhook:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None
    task: asyncio.Task | None = field(default=None, repr=False)


class SandboxState:
    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        limits: Limits | None = None,
        clock: Clock = time.time,
        personas: bool = True,
    ) -> None:
        self.token = token
        self.clock = clock
        self.limits = limits or Limits()
        self.flood = FloodControl(self.limits, clock)
        self.bot = User(
            id=int(token.split(":", 1)[0]), first_name="Foorumi", username=BOT_USERNAME, is_bot=True
        )
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.updates: deque[tuple[int, str, dict]] = deque()
        self.next_update_id = 1
        self.allowed_updates: list[str] = []
        self.updates_changed = Signal()
        self.poll_generation = 0
        self.webhook: Webhook | None = None
        self.callback_queries: dict[str, tuple[int, int, float]] = {}  # id -> user, chat, time
        self.commands: dict[tuple[tuple, str], list[dict]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}
        self.default_menu_button: dict = {"type": "commands"}
        self.deliveries: list[Delivery] = []
        self.stats: Counter[str] = Counter()
        self.closing = False
        if personas:
            self.load_personas(PERSONAS_FILE)

    # --- people and chats -------------------------------------------------

    def load_personas(self, path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        for user in data["users"]:
            self.add_user(**user)
        for group in data["groups"]:
            chat = self.add_group(group["id"], group["title"], group.get("type", "supergroup"))
            for user_id, status in group["members"].items():
                chat.members[int(user_id)] = status

    def add_user(self, id: int | None = None, first_name: str = "User", **fields: Any) -> User:
        user_id = id if id is not None else max(self.users, default=800_000_000) + 1
        user = self.users[user_id] = User(id=user_id, first_name=first_name, **fields)
        chat = self.chats[user_id] = Chat(user_id, "private", user=user)
        chat.members[user_id] = "member"
        return user

    def add_group(self, chat_id: int, title: str, chat_type: str = "supergroup") -> Chat:
        chat = self.chats[chat_id] = Chat(chat_id, chat_type, title=title)
        return chat

    def find_chat(self, chat_id: int | str) -> Chat | None:
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            name = chat_id[1:].lower()
            return next(
                (c for c in self.chats.values() if (c.json.get("username") or "").lower() == name),
                None,
            )
        return self.chats.get(int(chat_id))

    def chats_of(self, user_id: int) -> list[Chat]:
        return [chat for chat in self.chats.values() if user_id in chat.members]

    # --- bot updates ------------------------------------------------------

    def push_update(self, kind: str, payload: dict) -> None:
        allowed = self.allowed_updates
        if (kind not in allowed) if allowed else (kind in NOT_DEFAULT_UPDATES):
            return
        self.updates.append((self.next_update_id, kind, payload))
        self.next_update_id += 1
        self.updates_changed.fire()

    def confirm_updates(self, offset: int) -> None:
        if offset < 0:
            while len(self.updates) > -offset:
                self.updates.popleft()
            return
        while self.updates and self.updates[0][0] < offset:
            self.updates.popleft()

    # --- what users do ----------------------------------------------------

    def user_message(
        self, user: User, chat: Chat, text: str | None = None, media: dict | None = None
    ) -> StoredMessage:
        if user.blocked and not chat.is_group:
            self.set_blocked(user, False)  # like Telegram's "Restart" button
        entities = detect_entities(text) if text else None
        message = self.store_message(chat, user, text, entities, media=media)
        if chat.reply_keyboard and chat.reply_keyboard.get("one_time_keyboard"):
            chat.reply_keyboard = None
        self.push_update("message", message.as_json())
        return message

    def press(self, user: User, chat: Chat, message_id: int, data: str) -> str:
        message = chat.messages.get(message_id)
        buttons = (message.reply_markup or {}).get("inline_keyboard", []) if message else []
        if not any(b.get("callback_data") == data for row in buttons for b in row):
            raise LookupError("no inline button with that callback_data on that message")
        query_id = str(secrets.randbits(63))
        self.callback_queries[query_id] = (user.id, chat.id, self.clock())
        self.push_update(
            "callback_query",
            {
                "id": query_id,
                "from": user.as_json(),
                "message": message.as_json(),
                "chat_instance": str(abs(chat.id) * 2654435761 % 2**63),
                "data": data,
            },
        )
        return query_id

    def set_blocked(self, user: User, blocked: bool) -> None:
        if user.blocked == blocked:
            return
        user.blocked = blocked
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        bot = self.bot.as_json()
        self.push_update(
            "my_chat_member",
            {
                "chat": self.chats[user.id].json,
                "from": user.as_json(),
                "date": int(self.clock()),
                "old_chat_member": {
                    "status": old,
                    "user": bot,
                    **({"until_date": 0} if old == "kicked" else {}),
                },
                "new_chat_member": {
                    "status": new,
                    "user": bot,
                    **({"until_date": 0} if new == "kicked" else {}),
                },
            },
        )

    # --- what the bot does ------------------------------------------------

    def store_message(
        self,
        chat: Chat,
        sender: User,
        text: str | None,
        entities: list | None,
        media: dict | None = None,
        reply_markup: dict | None = None,
    ) -> StoredMessage:
        message = StoredMessage(
            chat.next_message_id,
            chat,
            sender,
            int(self.clock()),
            text,
            entities or None,
            media,
            reply_markup,
        )
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        chat.record("message", message.message_id)
        return message

    def deliver(self, method: str, message: StoredMessage) -> None:
        self.deliveries.append(
            Delivery(self.clock(), method, message.chat.id, message.message_id, message.text)
        )
        self.stats["accepted"] += 1

    def add_file(
        self, kind: str, data: bytes, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        number = len(self.files) + 1
        suffix = Path(file_name).suffix if file_name else ""
        stored = StoredFile(
            file_id=f"{kind[:3].upper()}{number}-{secrets.token_urlsafe(12)}",
            file_unique_id=f"U{number}{secrets.token_hex(3)}",
            data=data,
            file_path=f"{kind}s/file_{number}{suffix}",
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = self.files_by_path[stored.file_path] = stored
        return stored

    # --- housekeeping -----------------------------------------------------

    def reset_traffic(self) -> None:
        """Forget messages, updates, deliveries and counters; keep users, chats and settings."""
        for chat in self.chats.values():
            chat.messages.clear()
            chat.reply_keyboard = None
            chat.record("reset", None)
        self.updates.clear()
        self.callback_queries.clear()
        self.deliveries.clear()
        self.stats.clear()
        self.flood.reset()

    def close(self) -> None:
        self.closing = True
        self.updates_changed.fire()
        for chat in self.chats.values():
            chat.changed.fire()
