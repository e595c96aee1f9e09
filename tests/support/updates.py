"""Raw Telegram update JSON, as Telegram would send it, for feeding the Dispatcher."""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Person:
    id: int
    first_name: str
    language_code: str | None

    def as_user(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            user["language_code"] = self.language_code
        return user


AINO = Person(1001, "Aino", "fi")      # permanent resident, Finnish
SVEN = Person(1002, "Sven", "sv")      # holiday resident, Swedish
GRACE = Person(1003, "Grace", "en")    # staff member, English
HANS = Person(1004, "Hans", "de")      # a language we do not speak

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


def next_update_id() -> int:
    return next(_update_ids)


def private_chat(person: Person) -> dict[str, Any]:
    return {"id": person.id, "type": "private", "first_name": person.first_name}


def message(person: Person, text: str, update_id: int | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": private_chat(person),
        "from": person.as_user(),
        "text": text,
        **extra,
    }
    if text.startswith("/"):
        command = text.split()[0]
        body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"update_id": update_id or next_update_id(), "message": body}


def sticker(person: Person) -> dict[str, Any]:
    update = message(person, "")
    del update["message"]["text"]
    update["message"]["sticker"] = {
        "file_id": "sticker-1", "file_unique_id": "s1", "type": "regular",
        "width": 512, "height": 512, "is_animated": False, "is_video": False,
    }
    return update


def callback(person: Person, data: str, message_id: int = 1, text: str = "…") -> dict[str, Any]:
    return {
        "update_id": next_update_id(),
        "callback_query": {
            "id": str(next_update_id()),
            "from": person.as_user(),
            "chat_instance": f"ci-{person.id}",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": private_chat(person),
                "from": {"id": 42, "is_bot": True, "first_name": "Foorumi"},
                "text": text,
            },
        },
    }
