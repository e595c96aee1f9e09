"""Hypothesis strategies for whatever Telegram may hand the bot, and scripts of it.

An update is raw Bot API JSON (as tests/support/updates.py builds it) from the seeded city's
residents and staff, strangers or bots, in a private chat, the staff group, another group or a
channel: odd, right-to-left and zero-width text, huge text, every command with random arguments,
deep links, forged and random button data, media, service messages, edits, updates of kinds the
bot never asked for and keys the Bot API does not have. A script interleaves them with presses
of the buttons the bot actually showed, redeliveries, time passing and the outbox and scheduler
at work, so that conversations end up in odd states.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import ChatMemberAdministrator, Update
from hypothesis import strategies as st

import handlers
from foorumi import demo
from tests.support.clock import test_instant
from tests.support.recording import BOT_USER
from tests.support.updates import Person, private_chat
from tests.unit.test_callback_prefixes import every_kind

# --- who writes ----------------------------------------------------------------------------

GRACE = Person(demo.GRACE.telegram_id, "Grace", "en")     # admin
SVEN = Person(demo.SVEN.telegram_id, "Sven", "sv")
PENTTI = Person(demo.PENTTI.telegram_id, "Pentti", "fi")
LENA = Person(demo.LENA.telegram_id, "Lena", "de")
MODERATOR = Person(710000101, "Maija", "fi")
EDITOR = Person(710000102, "Elsa", "sv")
JO = Person(710000103, "Jo", "en")                         # onboarded in English
AINO = Person(710000001, "Aino", "fi")                     # has never written
CAST = (PENTTI, SVEN, JO, GRACE, MODERATOR, EDITOR, LENA, AINO)
STAFF_GROUP = demo.STAFF_GROUP_ID
STAFF_CHAT = {"id": STAFF_GROUP, "type": "supergroup", "title": "Foorumi staff"}
DATE = int(test_instant().timestamp())  # messages' own dates; no handler reads them
GROUP_ANONYMOUS_BOT = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
CHANNEL_BOT = {"id": 136817688, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"}
THE_BOT = BOT_USER.model_dump(exclude_none=True)


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """one_of with weights. (one_of flattens nested one_ofs and weighs every branch alike, so each
    choice is wrapped into branches of its own, `weight` of them.)"""
    return st.one_of(*[st.tuples(strategy).map(lambda one: one[0])
                       for weight, strategy in choices for _ in range(weight)])


# --- text ----------------------------------------------------------------------------------

CHARS = st.characters(codec="utf-8")  # all of Unicode but surrogates (Telegram sends UTF-8), NUL too
ODD = st.sampled_from([
    "\u202e", "\u200f", "\u061c", "\u2067", "\u2069", "שלום", "مرحبا بالعالم",      # right to left
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad",                     # zero width
    "e\u0301\u0301\u0301", "👩‍👩‍👧‍👦", "🇫🇮", "𝕳𝖊𝖑𝖑𝖔", "ǅ", "ß", "İ", "\u3000", "\r\n", "\n" * 30,
    "<b>", "</code>", "<a href='tg://x'>", "&amp;", "&#0;", "<tg-spoiler>", "<",
    "%s %(name)s {0} {name} {", "'; DROP TABLE residents; --", "\\", "`", "${x}",
])
HUGE = (2**31, 2**63 - 1, 2**63, 2**64, 10**20, int("9" * 50))  # past int32, past int64 …
NUMBERS = weighted(  # ids above all: the seeded ones, ones too big for any column, odd spellings
    (2, st.integers(0, 12).map(str)),
    (3, st.sampled_from(HUGE).map(str)),
    (1, st.integers().map(str)),
    (1, st.sampled_from(["-1", "-5", str(-2**63 - 1), "007", "1e9", "١٢٣", "１２", "+3", " 3", "3.5", "0x1f", "-0"])),
)
ANSWERS = st.sampled_from([  # what a step of a conversation may be given
    "15.6.2026", "16.6.2026 18:00", "2026-06-20 18:00", "31.2.2026", "25:61", "18.00", "huomenna",
    "1.1.1970", "31.12.9999 23:59", "https://meet.example.fi/x", "javascript:alert(1)", "http://", "#3",
    "1, 2, 3", "Kyllä", "skip", "-", "Mikkelin torilla", "60, 1440", "10000000", "0",
])
FREE_TEXT = st.lists(st.one_of(st.text(CHARS, max_size=30), ODD, NUMBERS, ANSWERS), max_size=6).map("".join)
LENGTHS = (64, 65, 100, 101, 200, 201, 256, 1024, 1025, 4095, 4096, 4097, 8192, 20_000)
HUGE_TEXT = st.builds(
    lambda piece, length: (piece * (length // len(piece) + 1))[:length],
    st.one_of(st.text(CHARS, min_size=1, max_size=8), ODD), st.sampled_from(LENGTHS),
)


def known_commands() -> list[str]:
    """Every command a router of the bot answers (the menus list only some of them)."""
    found = {name for name, _ in [*handlers.command_menu().residents, *handlers.command_menu().staff]}
    for router in handlers.get_routers():
        for handler in router.message.handlers:
            for filter_ in handler.filters or ():
                if isinstance(filter_.callback, Command):
                    found.update(name for name in filter_.callback.commands if isinstance(name, str))
    return sorted(found)


COMMANDS = known_commands()
SHORTCUTS = ("p", "b", "f", "s")  # /p12, /b7 … (domain/links.py), and their deep links p12, b7 …
MENTIONS = st.sampled_from(["", "", "@foorumi_test_bot", "@FOORUMI_TEST_BOT", "@other_bot", "@"])


@st.composite
def command_text(draw: st.DrawFn) -> str:
    name = draw(st.one_of(st.sampled_from(COMMANDS), st.from_regex(r"\A[A-Za-z0-9_]{1,12}\Z")))
    if draw(st.booleans()) and draw(st.booleans()):
        cut = draw(st.integers(0, len(name)))
        name = name[:cut] + draw(st.sampled_from(["\u200b", "\u2060", "\u202e", "ä", " "])) + name[cut:]
    arguments = draw(st.one_of(st.just(""), NUMBERS, FREE_TEXT, deep_link_payload(), HUGE_TEXT))
    return f"/{name}{draw(MENTIONS)}" + (f" {arguments}" if arguments else "")


def deep_link_payload() -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(st.sampled_from(SHORTCUTS), NUMBERS).map("".join),
        st.from_regex(r"\A[A-Za-z0-9_-]{0,64}\Z"),
        FREE_TEXT,
    )


SHORTCUT_TEXT = st.tuples(st.just("/"), st.sampled_from(SHORTCUTS), NUMBERS, MENTIONS).map("".join)
DEEP_LINK = deep_link_payload().map(lambda payload: f"/start {payload}")
PLAIN_COMMAND = st.sampled_from(COMMANDS).map(lambda name: f"/{name}")
TEXT = weighted((2, FREE_TEXT), (1, PLAIN_COMMAND), (2, command_text()), (2, SHORTCUT_TEXT), (2, DEEP_LINK),
                (1, ANSWERS), (1, HUGE_TEXT)).map(lambda text: text or " ")


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def text_content(text: str) -> dict[str, Any]:
    content: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0] if text.strip() else text
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_length(command)}]
    return content


# --- people and chats ----------------------------------------------------------------------

NAMES = st.text(CHARS, min_size=1, max_size=64).filter(str.strip)
LANGUAGES = st.one_of(st.none(), st.sampled_from(["fi", "sv", "en", "de", "zh-hans", "pt-br", "x" * 35]),
                      st.text(CHARS, max_size=8))
STRANGERS = st.builds(Person, st.integers(1, 2**52), NAMES, LANGUAGES)
PEOPLE = st.one_of(st.sampled_from(CAST), STRANGERS)
BOTS = st.builds(lambda user_id, name: {"id": user_id, "is_bot": True, "first_name": name,
                                        "username": "some_bot"},
                 st.integers(1, 2**52), NAMES)
USERS = st.one_of(PEOPLE.map(Person.as_user), BOTS)
GROUPS = st.one_of(
    st.just(STAFF_CHAT),
    st.builds(lambda chat_id, kind, title: {"id": -chat_id, "type": kind, "title": title},
              st.integers(1, 2**40), st.sampled_from(["group", "supergroup"]), NAMES),
)
CHANNELS = st.builds(lambda chat_id, title: {"id": -(10**12 + chat_id), "type": "channel", "title": title},
                     st.integers(1, 2**30), NAMES)


@st.composite
def chat_and_sender(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any]]:
    """(chat, from, extra fields): mostly a resident in their private chat; also groups, channels,
    anonymous admins, posts on a channel's behalf, bots, no sender at all."""
    kind = draw(st.sampled_from(["private"] * 5 + ["group"] * 4
                                + ["bot", "anonymous", "channel-in-group", "no from"]))
    if kind == "private":
        person = draw(PEOPLE)
        return private_chat(person), person.as_user(), {}
    if kind == "bot":
        bot = draw(BOTS)
        chat = draw(st.one_of(st.just({"id": bot["id"], "type": "private", "first_name": bot["first_name"]}), GROUPS))
        return chat, bot, {}
    group = draw(GROUPS)
    if kind == "group":
        return group, draw(PEOPLE).as_user(), {}
    if kind == "anonymous":
        return group, GROUP_ANONYMOUS_BOT, {"sender_chat": group}
    if kind == "channel-in-group":
        return group, CHANNEL_BOT, {"sender_chat": draw(CHANNELS)}
    return draw(st.one_of(GROUPS, st.sampled_from(CAST).map(private_chat))), None, {}


# --- what a message carries ----------------------------------------------------------------

FILE = st.builds(lambda n: {"file_id": f"file-{n}", "file_unique_id": f"u{n}"}, st.integers(0, 10**6))
LATITUDES = st.one_of(st.floats(-90, 90), st.sampled_from([61.6886, 90.0, -90.0, 0.0]))
LONGITUDES = st.one_of(st.floats(-180, 180), st.sampled_from([27.2723, 180.0, -180.0, 0.0]))
LOCATION = st.builds(lambda lat, lon: {"latitude": lat, "longitude": lon}, LATITUDES, LONGITUDES)
CAPTION = st.one_of(st.just({}), TEXT.map(lambda text: {"caption": text}))
MEDIA = st.one_of(  # used as one branch: weighted(…, (n, MEDIA))
    st.builds(lambda f: {"sticker": {**f, "type": "regular", "width": 512, "height": 512,
                                     "is_animated": False, "is_video": False}}, FILE),
    st.builds(lambda f, g, caption: {"photo": [{**f, "width": 90, "height": 90},
                                               {**g, "width": 1280, "height": 960}], **caption},
              FILE, FILE, CAPTION),
    st.builds(lambda f, name, caption: {"document": {**f, "file_name": name}, **caption}, FILE, NAMES, CAPTION),
    st.builds(lambda f: {"voice": {**f, "duration": 3}}, FILE),
    LOCATION.map(lambda location: {"location": location}),
    st.builds(lambda location, title, address: {"location": location, "venue": {
        "location": location, "title": title, "address": address}}, LOCATION, NAMES, NAMES),
    st.builds(lambda phone, name, user_id: {"contact": {"phone_number": phone, "first_name": name,
                                                        **({"user_id": user_id} if user_id else {})}},
              st.from_regex(r"\A\+?[0-9 ]{3,15}\Z"), NAMES, st.one_of(st.none(), st.integers(1, 2**52))),
    st.just({"dice": {"emoji": "🎲", "value": 3}}),
)
SERVICE = st.one_of(  # what groups tell the bot about themselves
    st.lists(st.one_of(USERS, st.just(THE_BOT)), min_size=1, max_size=3).map(
        lambda users: {"new_chat_members": users}),
    st.one_of(USERS, st.just(THE_BOT)).map(lambda user: {"left_chat_member": user}),
    st.just({"group_chat_created": True}),
    NAMES.map(lambda title: {"new_chat_title": title}),
)
EXTRAS = st.one_of(
    st.just({}),
    st.just({"reply_to_message": {"message_id": 1, "date": DATE, "chat": {"id": 1, "type": "private",
                                                                         "first_name": "x"}, "text": "…"}}),
    NAMES.map(lambda name: {"forward_origin": {"type": "hidden_user", "sender_user_name": name, "date": DATE}}),
    st.integers(1, 2**31).map(lambda thread: {"message_thread_id": thread, "is_topic_message": True}),
    BOTS.map(lambda bot: {"via_bot": bot}),
)


@st.composite
def message_body(draw: st.DrawFn, service: bool = True) -> dict[str, Any]:
    chat, sender, extra = draw(chat_and_sender())
    contents = [(3, TEXT.map(text_content)), (1, MEDIA)]
    if chat["type"] != "private":  # where a command must not answer with anyone's data
        contents.append((2, PLAIN_COMMAND.map(text_content)))
    if service and chat["type"] != "private":
        contents.append((1, SERVICE))
    body = {"message_id": draw(st.integers(1, 2**31 - 1)), "date": DATE, "chat": chat,
            **draw(weighted(*contents)), **extra, **draw(EXTRAS)}
    if sender is not None:
        body["from"] = sender
    return body


def channel_post() -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(lambda channel, message_id, content: {
        "message_id": message_id, "date": DATE, "chat": channel, "sender_chat": channel, **content},
        CHANNELS, st.integers(1, 2**31 - 1), weighted((1, TEXT.map(text_content)), (1, MEDIA)))


# --- button data ---------------------------------------------------------------------------

KINDS = sorted(every_kind(CallbackData), key=lambda kind: kind.__prefix__)
GARBAGE = st.text(CHARS, max_size=12)
PLAUSIBLE_WORDS = st.sampled_from(["fi", "sv", "en", "de", "holiday", "permanent", "works", "in_person", "remote",
                                   "waiting", "not_coming", "initiative", "preparation", "done", "o", "s", ""])


def field_value(annotation: Any) -> st.SearchStrategy[str]:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return st.one_of(st.sampled_from([str(member.value) for member in annotation]), GARBAGE)
    if annotation is bool:
        return st.sampled_from(["1", "0", "True", "False", "", "2", "-1", "yes"])
    if annotation is int:
        return st.one_of(NUMBERS, GARBAGE)
    return st.one_of(PLAUSIBLE_WORDS, NUMBERS, GARBAGE)


def at_most_64_bytes(data: str) -> str:
    """Telegram keeps button data to 1–64 bytes whoever forges it."""
    return data.encode()[:64].decode(errors="ignore") or "x"


@st.composite
def forged_data(draw: st.DrawFn) -> str:
    """A known prefix with fields of the right kind, wrong kind, too few or too many."""
    kind = draw(st.sampled_from(KINDS))
    fields = [field_value(field.annotation) for field in kind.model_fields.values()]
    count = draw(st.one_of(st.just(len(fields)), st.integers(0, len(fields) + 1)))
    values = [draw(fields[n]) if n < len(fields) else draw(GARBAGE) for n in range(count)]
    return at_most_64_bytes(kind.__separator__.join([kind.__prefix__, *values]))


BUTTON_DATA = weighted((3, forged_data()), (1, st.text(CHARS, min_size=1, max_size=64).map(at_most_64_bytes)))


def callback_update(user: dict[str, Any], chat: dict[str, Any], data: str, message_id: int) -> dict[str, Any]:
    """A button pressed on the bot's message `message_id` in `chat` (update_id filled in when fed)."""
    return {"callback_query": {
        "id": f"cq-{user['id']}-{message_id}", "from": user, "chat_instance": f"ci-{chat['id']}", "data": data,
        "message": {"message_id": message_id, "date": DATE, "chat": chat, "from": THE_BOT, "text": "…"},
    }}


@st.composite
def callback_query(draw: st.DrawFn) -> dict[str, Any]:
    chat, user, _ = draw(chat_and_sender())
    user = user or draw(USERS)
    update = callback_update(user, chat, draw(BUTTON_DATA), draw(st.integers(1, 2**31 - 1)))
    query = update["callback_query"]
    variant = draw(st.sampled_from(["message"] * 6 + ["inline", "inaccessible", "game"]))
    if variant == "inline":  # a button under a message sent via inline mode: no message
        del query["message"]
        query["inline_message_id"] = "inline-1"
    elif variant == "inaccessible":  # too old for the bot to see
        query["message"] = {"message_id": query["message"]["message_id"], "date": 0, "chat": chat}
    elif variant == "game":
        del query["data"]
        query["game_short_name"] = "game"
    return update


# --- other updates -------------------------------------------------------------------------

def member(status: str) -> dict[str, Any]:
    return {"status": status, "user": THE_BOT, **({"until_date": 0} if status == "kicked" else {})}


@st.composite
def my_chat_member(draw: st.DrawFn) -> dict[str, Any]:
    """The bot blocked or unblocked in a private chat, or added to or removed from a group."""
    user = draw(USERS)
    chat = draw(st.one_of(st.just({"id": user["id"], "type": "private", "first_name": user["first_name"]}),
                          GROUPS, CHANNELS))
    old, new = draw(st.sampled_from([("member", "kicked"), ("kicked", "member"), ("left", "member"),
                                     ("member", "left"), ("member", "administrator")]))
    new_member = member(new)
    if new == "administrator":  # every right the installed aiogram requires, none granted
        rights = [name for name, field in ChatMemberAdministrator.model_fields.items()
                  if field.is_required() and field.annotation is bool]
        new_member.update(dict.fromkeys(rights, False))
    return {"my_chat_member": {"chat": chat, "from": user, "date": DATE,
                               "old_chat_member": member(old), "new_chat_member": new_member}}


UNKNOWN_KEYS = st.from_regex(r"\A[a-z_]{3,24}\Z").filter(lambda key: key not in Update.model_fields)
NOT_ASKED_FOR = st.one_of(  # real update kinds the bot does not ask Telegram for
    st.builds(lambda user, query: {"inline_query": {"id": "iq-1", "from": user, "query": query, "offset": ""}},
              USERS, FREE_TEXT),
    st.builds(lambda group, user: {"chat_join_request": {"chat": group, "from": user, "user_chat_id": user["id"],
                                                         "date": DATE}}, GROUPS, USERS),
    st.builds(lambda chat, user: {"message_reaction": {
        "chat": chat, "message_id": 1, "date": DATE, "user": user, "old_reaction": [],
        "new_reaction": [{"type": "emoji", "emoji": "👍"}]}}, GROUPS, USERS),
    st.builds(lambda user: {"poll_answer": {"poll_id": "1", "user": user, "option_ids": [0],
                                            "option_persistent_ids": ["0"]}}, USERS),
)
UNKNOWN = st.builds(lambda key, value: {key: value}, UNKNOWN_KEYS,
                    st.one_of(st.dictionaries(st.text(max_size=5), st.integers(), max_size=2), st.text(max_size=5)))


def any_update() -> st.SearchStrategy[dict[str, Any]]:
    """One update without its update_id (the script's runner numbers them)."""
    return weighted(
        (3, message_body().map(lambda body: {"message": body})),
        (3, callback_query()),
        (1, message_body(service=False).map(lambda body: {"edited_message": {**body, "edit_date": DATE + 60}})),
        (1, st.builds(lambda kind, post: {kind: post}, st.sampled_from(["channel_post", "edited_channel_post"]),
                      channel_post())),
        (1, my_chat_member()),
        (1, NOT_ASKED_FOR),
        (1, UNKNOWN),
    )


# --- scripts -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Send:
    """Feed this update, `pause` seconds after the step before."""
    update: dict[str, Any]
    pause: int


@dataclass(frozen=True)
class Press:
    """A button the bot showed is pressed: in the `chat`-th chat (in id order) that has buttons, the
    `pick`-th newest, by that chat's person (in a group, by `person`)."""
    person: Person
    chat: int
    pick: int
    pause: int


@dataclass(frozen=True)
class Redeliver:
    """Telegram delivers again the update fed `back` updates ago (same update_id)."""
    back: int


@dataclass(frozen=True)
class Wait:
    seconds: int


@dataclass(frozen=True)
class Deliver:
    """The outbox sends what is due."""


@dataclass(frozen=True)
class Tick:
    """The scheduler does what is due (ballots close, reminders and invitations are queued)."""


Step = Send | Press | Redeliver | Wait | Deliver | Tick
PAUSES = st.sampled_from([2, 5, 20, 0, 60])  # seconds between steps: a person's pace, no robot bursts
SAID = st.builds(  # someone of the city writes to the bot: commands, answers to its questions, media
    lambda person, message_id, content: {"message": {
        "message_id": message_id, "date": DATE, "chat": private_chat(person), "from": person.as_user(), **content}},
    st.sampled_from(CAST), st.integers(1, 2**31 - 1),
    weighted((1, PLAIN_COMMAND.map(text_content)), (3, TEXT.map(text_content)), (1, MEDIA)))
STEP = weighted(
    (3, st.builds(Send, SAID, PAUSES)),
    (2, st.builds(Press, st.sampled_from(CAST), st.integers(0, 30), st.integers(0, 30), PAUSES)),
    (4, st.builds(Send, any_update(), PAUSES)),
    (1, st.builds(Redeliver, st.integers(1, 5))),
    (1, st.builds(Wait, st.sampled_from([600, 3600, 86_400, 3 * 86_400]))),
    (1, st.sampled_from([Deliver(), Tick()])),
)


def scripts(max_steps: int) -> st.SearchStrategy[list[Step]]:
    return st.lists(STEP, min_size=2, max_size=max_steps)
