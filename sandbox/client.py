"""Async client for the control API, used by end-to-end tests and benchmarks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import aiohttp


class SandboxError(Exception):
    pass


class SandboxClient:
    """`async with SandboxClient(url) as sandbox: ...`

    User actions return {"message": ..., "seq": N} (presses: {"callback_query_id": ..., "seq": N}).

    `seq` is the chat's event counter right after the action; pass it as `after` to wait_*.
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> SandboxClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _call(self, verb: str, path: str, **kwargs: Any) -> Any:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.request(
            verb, f"{self.base_url}/sandbox/api{path}", **kwargs
        ) as response:
            data = await response.json()
            if response.status >= 400:
                raise SandboxError(f"{verb} {path}: {response.status} {data.get('error')}")
            return data

    # --- people
    async def users(self) -> list[dict]:
        return await self._call("GET", "/users")

    async def add_user(
        self,
        first_name: str,
        *,
        id: int | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> dict:
        spec = {
            "id": id,
            "first_name": first_name,
            "last_name": last_name,
            "username": username,
            "language_code": language_code,
        }
        return await self._call("POST", "/users", json=spec)

    async def add_users(self, users: list[dict]) -> list[dict]:
        return (await self._call("POST", "/users", json={"users": users}))["users"]

    async def block(self, user_id: int) -> dict:
        return await self._call("POST", f"/users/{user_id}/block")

    async def unblock(self, user_id: int) -> dict:
        return await self._call("POST", f"/users/{user_id}/unblock")

    # --- acting as a user (chat_id defaults to the user's private chat with the bot)
    async def send_text(self, user_id: int, text: str, chat_id: int | None = None) -> dict:
        return await self._call(
            "POST", f"/users/{user_id}/messages", json={"text": text, "chat_id": chat_id}
        )

    async def send_location(
        self, user_id: int, latitude: float, longitude: float, chat_id: int | None = None
    ) -> dict:
        body = {"latitude": latitude, "longitude": longitude, "chat_id": chat_id}
        return await self._call("POST", f"/users/{user_id}/locations", json=body)

    async def send_photo(
        self,
        user_id: int,
        data: bytes,
        filename: str = "photo.png",
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> dict:
        form = aiohttp.FormData()
        form.add_field("photo", data, filename=filename)
        for name, value in (("caption", caption), ("chat_id", chat_id)):
            if value is not None:
                form.add_field(name, str(value))
        return await self._call("POST", f"/users/{user_id}/photos", data=form)

    async def press(
        self, user_id: int, message_id: int, callback_data: str, chat_id: int | None = None
    ) -> dict:
        body = {"message_id": message_id, "data": callback_data, "chat_id": chat_id}
        return await self._call("POST", f"/users/{user_id}/callbacks", json=body)

    # --- reading
    async def chats(self, user_id: int | None = None) -> list[dict]:
        return await self._call("GET", "/chats", params={"user_id": user_id} if user_id else None)

    async def transcript(self, chat_id: int) -> dict:
        return await self._call("GET", f"/chats/{chat_id}/transcript")

    async def events(self, chat_id: int, after: int = 0, timeout: float = 0) -> dict:
        return await self._call(
            "GET", f"/chats/{chat_id}/events", params={"after": after, "timeout": timeout}
        )

    async def wait_for_event(
        self, chat_id: int, after: int, match: Callable[[dict], bool], timeout: float = 10.0
    ) -> dict:
        """The first event after seq `after` matching `match` (long polls; never sleeps)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (remaining := deadline - loop.time()) > 0:
            batch = await self.events(chat_id, after, timeout=remaining)
            if batch["reset"]:
                raise SandboxError(
                    f"events after {after} in chat {chat_id} are no longer available"
                )
            for event in batch["events"]:
                if match(event):
                    return event
            after = batch["seq"]
        raise TimeoutError(f"no matching event in chat {chat_id} within {timeout}s")

    async def wait_for_reply(self, chat_id: int, after: int, timeout: float = 10.0) -> dict:
        """The next message the bot sends to the chat after seq `after`."""
        event = await self.wait_for_event(
            chat_id,
            after,
            lambda e: e["type"] == "message" and bool(e["message"]) and e["message"]["from_bot"],
            timeout,
        )
        return event["message"]

    async def wait_for_edit(
        self, chat_id: int, message_id: int, after: int, timeout: float = 10.0
    ) -> dict:
        """The message after the bot's next edit of it following seq `after`."""
        event = await self.wait_for_event(
            chat_id,
            after,
            lambda e: e["type"] == "edit" and (e["message"] or {}).get("message_id") == message_id,
            timeout,
        )
        return event["message"]

    async def commands(self, chat_id: int, user_id: int | None = None) -> dict:
        return await self._call(
            "GET", f"/chats/{chat_id}/commands", params={"user_id": user_id or chat_id}
        )

    # --- limits, log, counters
    async def limits(self) -> dict:
        return await self._call("GET", "/limits")

    async def set_limits(self, **changes: Any) -> dict:
        return await self._call("PUT", "/limits", json=changes)

    async def delivery_log(self, offset: int = 0, limit: int | None = None) -> list[dict]:
        params = {"offset": offset, **({"limit": limit} if limit is not None else {})}
        return (await self._call("GET", "/deliveries", params=params))["deliveries"]

    async def stats(self) -> dict:
        return await self._call("GET", "/stats")

    async def reset(self) -> None:
        await self._call("POST", "/reset")
