"""Whatever Telegram hands the bot, in whatever order: no update fails unhandled, the store stays sound.

Each example plays a script (tests/support/update_strategies.py) through the real dispatcher on a
fresh copy of the seeded city (tests/property/city.py), then checks that no update raised or took
the apology path (an ERROR log record: the errors router logs "update %s failed" for a bug), that
nothing but a one-line pointer was said in a group, and that the store's invariants hold
(tests/property/invariants.py) and no one gained a staff role.
Derandomized: the same examples on every run, at any hour.
"""
from __future__ import annotations

import itertools
import json
import logging
import traceback
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from foorumi.app import App
from tests.property import invariants
from tests.property.city import PostgresCity, SqliteCity, running_bot
from tests.support.harness import BotHarness
from tests.support.recording import Call
from tests.support.update_strategies import (
    STAFF_CHAT, STAFF_GROUP, Deliver, Press, Redeliver, Send, Step, Tick, Wait, callback_update, scripts,
)

settings.register_profile(
    "foorumi-property",
    derandomize=True,  # the same examples on every run
    database=None,
    deadline=None,
    max_examples=50,  # scripts of up to MAX_STEPS steps: about 250 updates on SQLite
    # No shrinking (minutes per failure at ~0.2 s an example): the failure names the update that
    # failed with its traceback, and hypothesis prints the script that led there.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
PROPERTY = settings.get_profile("foorumi-property")
# aiogram warns of update kinds it does not know; the scripts send some on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:Detected unknown update type:RuntimeWarning")
MAX_STEPS = 16
FIRST_UPDATE_ID = 500_000_000  # clear of the update ids the seeding used
BUTTONS_KEPT = 24  # per chat, the newest buttons the bot showed there


class ErrorRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def capturing_errors() -> Iterator[ErrorRecords]:
    errors = ErrorRecords()
    root = logging.getLogger()
    root.addHandler(errors)
    try:
        yield errors
    finally:
        root.removeHandler(errors)


def shown(value: Any) -> Any:
    """The update for a report: long strings cut (hypothesis prints the whole falsifying script)."""
    if isinstance(value, dict):
        return {key: shown(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shown(item) for item in value]
    if isinstance(value, str) and len(value) > 200:
        return f"{value[:60]}…[{len(value)} characters]"
    return value


def last_lines(exc_info: Any, count: int = 4) -> str:
    lines = "".join(traceback.format_exception(*exc_info)).rstrip().splitlines()
    return "\n".join(f"    {line}" for line in lines[-count:])


def said_out_of_place(calls: list[Call]) -> list[str]:
    """In a group or channel other than the staff group the bot says at most one line without
    buttons (pointing to the private chat) and edits nothing: no one's data shows where others read."""
    found = []
    for call in calls:
        chat_id = getattr(call.method, "chat_id", None)
        if not isinstance(chat_id, int) or chat_id > 0 or chat_id == STAFF_GROUP or call.name == "SendChatAction":
            continue
        text = getattr(call.method, "text", None) or ""
        if call.name != "SendMessage" or "\n" in text or call.keyboard:
            buttons = " with buttons" if call.keyboard else ""
            found.append(f"{call.name} in the group {chat_id}: {text[:80]!r}{buttons}")
    return found


class Player:
    """Plays a script's steps on one bot and notes every failure with the update that caused it."""

    def __init__(self, app: App, errors: ErrorRecords) -> None:
        self.app = app
        self.harness = BotHarness(app)
        self.errors = errors
        self.update_ids = itertools.count(FIRST_UPDATE_ID)
        self.fed: list[dict[str, Any]] = []
        self.buttons: dict[int, list[tuple[int, str]]] = {}  # chat id -> (message id, data), newest last
        self.chats: dict[int, dict[str, Any]] = {STAFF_GROUP: STAFF_CHAT}  # the chats updates came from
        self.people: dict[int, dict[str, Any]] = {}  # private chat id -> its person
        self.failures: list[str] = []

    async def play(self, step: Step) -> None:
        match step:
            case Send(update, pause):
                self.app.clock.advance(pause)
                await self.feed({"update_id": next(self.update_ids), **update})
            case Press(person, chat_pick, pick, pause) if self.buttons:
                self.app.clock.advance(pause)
                chat_id = sorted(self.buttons)[chat_pick % len(self.buttons)]
                message_id, data = self.buttons[chat_id][-1 - pick % len(self.buttons[chat_id])]
                chat = self.chat(chat_id)
                presser = self.person_in(chat) if chat["type"] == "private" else person.as_user()
                await self.feed({"update_id": next(self.update_ids),
                                 **callback_update(presser, chat, data, message_id)})
            case Redeliver(back) if self.fed:
                await self.feed(self.fed[-min(back, len(self.fed))])
            case Wait(seconds):
                self.app.clock.advance(seconds)
            case Deliver():
                await self.watched("the outbox delivering", self.harness.deliver())
            case Tick():
                await self.watched("the scheduler's tick", self.app.clockwork.tick())

    def person_in(self, chat: dict[str, Any]) -> dict[str, Any]:
        """Whoever a private chat is with (a resident the outbox wrote to first: by the chat's id)."""
        return self.people.get(chat["id"]) or {"id": chat["id"], "is_bot": False, "first_name": chat["first_name"]}

    def chat(self, chat_id: int) -> dict[str, Any]:
        """The chat as updates showed it; a resident's private chat the outbox wrote to first."""
        return self.chats.get(chat_id) or {"id": chat_id, "type": "private", "first_name": "…"}

    async def feed(self, update: dict[str, Any]) -> None:
        self.fed.append(update)
        self.remember_chat(update)
        await self.watched(json.dumps(shown(update), ensure_ascii=True), self.harness.feed(update))

    async def watched(self, what: str, work: Awaitable[Any]) -> None:
        before = len(self.errors.records)
        try:
            calls = await work
        except Exception as error:  # noqa: BLE001  (every exception is a finding, reported below)
            self.failures.append(f"{what}\n  raised\n{last_lines((type(error), error, error.__traceback__))}")
            self.harness.session.take()
            return
        for record in self.errors.records[before:]:
            trace = f"\n{last_lines(record.exc_info)}" if record.exc_info else ""
            logged = f"logged {record.levelname} from {record.name}: {record.getMessage()}"
            self.failures.append(f"{what}\n  {logged}{trace}")
        if isinstance(calls, list):
            self.failures += [f"{what}\n  {problem}" for problem in said_out_of_place(calls)]
            self.remember_buttons(calls)

    def remember_chat(self, update: dict[str, Any]) -> None:
        for kind in ("message", "edited_message", "callback_query"):
            if (event := update.get(kind)) is None:
                continue
            chat = event.get("chat") or event.get("message", {}).get("chat")
            if chat is not None:
                self.chats[chat["id"]] = chat
                if chat["type"] == "private" and "from" in event:
                    self.people[chat["id"]] = event["from"]

    def remember_buttons(self, calls: list[Call]) -> None:
        for call in calls:
            data = [data for row in call.keyboard for _, data in row if data]
            if not data:
                continue
            chat_id = int(call.method.chat_id)
            message_id = (getattr(call.method, "message_id", None)
                          or self.harness.session.latest_with_buttons.get(chat_id, 1))
            shown_here = [*self.buttons.get(chat_id, []), *((message_id, one) for one in data)]
            self.buttons[chat_id] = shown_here[-BUTTONS_KEPT:]


async def play(city: SqliteCity | PostgresCity, script: list[Step]) -> None:
    async with city.copy() as database_url, running_bot(database_url) as app:
        roles = await invariants.staff_roles(app.engine)
        with capturing_errors() as errors:
            player = Player(app, errors)
            for step in script:
                await player.play(step)
        problems = player.failures + await invariants.broken(app.engine)
        if granted := await invariants.staff_roles(app.engine) - roles:
            problems.append(f"staff roles granted from the chat: {sorted(granted)}")
    assert not problems, "\n".join(problems)


@PROPERTY
@given(script=scripts(MAX_STEPS))
async def test_any_updates_on_sqlite(sqlite_city: SqliteCity, script: list[Step]) -> None:
    await play(sqlite_city, script)


@pytest.mark.postgres
@settings(PROPERTY, max_examples=8)
@given(script=scripts(MAX_STEPS))
async def test_any_updates_on_postgresql(postgresql_city: PostgresCity, script: list[Step]) -> None:
    await play(postgresql_city, script)
