"""Drive the real Dispatcher with raw updates and read back the Bot API calls it made."""
from __future__ import annotations

from typing import Any

from aiogram.utils.i18n import I18n

from foorumi.app import App
from tests.support import updates
from tests.support.recording import Call, RecordingSession
from tests.support.updates import Person


class BotHarness:
    def __init__(self, app: App) -> None:
        self.app = app
        session = app.bot.session
        assert isinstance(session, RecordingSession)
        self.session = session

    async def feed(self, update: dict[str, Any]) -> list[Call]:
        await self.app.dispatcher.feed_raw_update(self.app.bot, update)
        return self.session.take()

    async def say(self, person: Person, text: str) -> list[Call]:
        return await self.feed(updates.message(person, text))

    async def press(self, person: Person, data: str, message_id: int | None = None) -> list[Call]:
        """Press a button, by default on the newest message with buttons in the person's chat
        (where a person finds it); give `message_id` to press one further up."""
        if message_id is None:
            message_id = self.session.latest_with_buttons.get(person.id, 1)
        return await self.feed(updates.callback(person, data, message_id))

    async def deliver(self) -> list[Call]:
        """What the outbox sends now (notices, moderators' cards), as the running sender would."""
        await self.app.outbox.deliver_due()
        return self.session.take()

    def translate(self, msgid: str, locale: str) -> str:
        i18n: I18n = self.app.i18n
        return i18n.gettext(msgid, locale=locale)
