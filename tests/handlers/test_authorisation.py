"""Every staff door, found from the routers themselves, refuses whoever may not pass it – and
nothing in any table changes.

The staff commands come from the command menu (`handlers.command_menu().staff`, /next included),
the buttons from every CallbackData kind the handlers package can build. Each kind is either
resident-facing (listed below) or a staff one with the fields a forged press carries (below):
a new kind that is neither fails `test_every_kind_of_button_is_classified`. Forged presses point
at real rows: a proposal waiting for a moderator, a theme, a ballot and its option, a forum with
a live question waiting, a survey, a broadcast, an area; every value of an enum field is tried.

Who may act (bot/services/staff.py, domain Role; admins always may): moderators moderate
(`md`, `qd`, /moderation, /next), moderators and editors move themes (`tm`, `tmok`), editors do
the rest. A resident is refused everything, a moderator what is the editors', an editor what is
the moderators'.

"Nothing changed" is every table's rows (Base.metadata, SELECT *) before and after each update,
except `processed_updates`: the update path claims every update it handles, refused ones too.
The senders are residents before the first snapshot, so their own resident and conversation rows
are compared as well: a refusal writes neither.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

import pytest
from aiogram.filters.callback_data import CallbackData
from sqlalchemy import select

import handlers
from handlers import chats as chats_router
from bot.services import ballots, broadcasts, forum_questions, proposals, residents, staff
from bot.services.ballots import BallotDraft, OptionDraft
from bot.services.proposals import Draft
from bot.telegram.flood import WINDOW
from domain import Audience, Role
from storage.models import Area, Base, Broadcast
from tests.support import updates
from tests.support.clock import MIDDAY
from tests.support.forums import DURING, STAFF_GROUP, in_group, new_forum, resident_of, rsvp, theme
from tests.support.surveys import new_survey
from tests.support.updates import AINO, SVEN, Person

staff_group = pytest.mark.parametrize("settings_overrides", [{"staff_chat_id": STAFF_GROUP}])

RESIDENT = Person(2001, "Rasmus", "en")
MODERATOR = Person(2002, "Maija", "en")
EDITOR = Person(2003, "Eetu", "en")
ROLES = {MODERATOR: Role.MODERATOR, EDITOR: Role.EDITOR}

NOT_ALLOWED = "Sorry, only city staff with the right role can do that."
REFUSALS = {  # what a refused button may say: the role check, or a conversation the sender is not in
    NOT_ALLOWED,
    "This button is no longer valid – please use the latest message.",
    "This button is no longer valid.",
    "That is no longer available – it may have been changed or removed.",
}
UPDATE_PATH_WRITES = {"processed_updates"}

RESIDENT_FACING = {
    "area", "areas", "bl", "bo", "bv", "digest", "digestday", "fcal", "fmap", "fo", "fpg", "fq", "fr",
    "lang", "pa", "pd", "pda", "pdf", "pdi", "pdp", "pds", "pdx", "pl", "pla", "po", "qc", "quiet", "set",
    "sf", "sl", "so", "sq", "st", "svl", "svo", "type",
}
MODERATORS_BUTTONS = {"md", "qd"}
MODERATORS_AND_EDITORS_BUTTONS = {"tm", "tmok"}
MODERATORS_COMMANDS = {"moderation", "next"}
STAFF_GROUP_ONLY = {"next"}  # the host's command: elsewhere it is no command at all


@dataclass
class Rows:
    pending: int  # a proposal waiting for a moderator
    theme: int  # an approved proposal on its path
    ballot: int
    option: int
    forum: int
    question: int  # a live question waiting for a moderator
    survey: int
    broadcast: int
    area: int


def staff_fields(rows: Rows) -> dict[str, dict[str, object]]:
    """The fields of a forged press of each staff kind (a list: each value is tried; an enum
    field not named here: each of its values)."""
    return {
        "bad": {"ballot": rows.ballot, "option": rows.option},
        "bap": {"page": 0},
        "bc": {},
        "bca": {"value": ["", str(rows.area), "holiday", "sv"], "page": 0},
        "bcc": {"broadcast_id": rows.broadcast},
        "bco": {"broadcast_id": rows.broadcast},
        "brp": {"by": ["area", "type"], "group": [str(rows.area), "holiday"]},
        "brs": {},
        "md": {"id": rows.pending, "target": [0, rows.theme], "reason": ["", "rules", "write"]},
        "nb": {},
        "nbk": {"count": 2},
        "nbt": {"theme": rows.theme, "page": 0},
        "nf": {},
        "nfa": {},
        "nfe": {"step": ["title", "starts", "place"]},
        "nfr": {"preset": 0},
        "nft": {"theme": rows.theme, "page": 0},
        "ns": {},
        "nsd": {"minutes": 60},
        "nsf": {"forum": rows.forum},
        "nsk": {},
        "nsm": {"count": 2},
        "nsp": {"locale": "fi", "page": 0},
        "nsr": {"number": 1},
        "qd": {"question": rows.question, "approve": [True, False]},
        "sm": {"forum": rows.forum, "page": 0},
        "sres": {"survey": rows.survey, "question": [0, 1], "page": 0},
        "sresl": {"page": 0},
        "tm": {"id": [rows.theme, rows.pending], "status": ["", "preparation"]},
        "tmok": {"id": [rows.theme, rows.pending]},
    }


def every_kind() -> dict[str, type[CallbackData]]:
    """Every kind of button the handlers package (and what it imports) can build, by prefix."""
    def below(cls: type) -> list[type]:
        return [sub for direct in cls.__subclasses__() for sub in [direct, *below(direct)]]
    assert handlers.FEATURES  # imported: every feature and its buttons
    return {kind.__prefix__: kind for kind in below(CallbackData)}


def forged(kind: type[CallbackData], given: dict[str, object]) -> list[str]:
    """Packed presses of `kind`: every combination of the given values and the enums' members."""
    choices = []
    for name, field in kind.model_fields.items():
        if name in given:
            values = given[name] if isinstance(given[name], list) else [given[name]]
        elif isinstance(field.annotation, type) and issubclass(field.annotation, Enum):
            values = list(field.annotation)
        else:
            assert not field.is_required(), f"{kind.__name__}.{name}: say what a forged press carries"
            values = [field.default]
        choices.append([(name, value) for value in values])
    # Built without validation: a forged press need not be one any button offers.
    return [kind.model_construct(**dict(combination)).pack() for combination in itertools.product(*choices)]


def refused_to(prefix: str) -> set[Person]:
    if prefix in MODERATORS_BUTTONS:
        return {RESIDENT, EDITOR}
    if prefix in MODERATORS_AND_EDITORS_BUTTONS:
        return {RESIDENT}
    return {RESIDENT, MODERATOR}


def command_refused_to(name: str) -> set[Person]:
    return {RESIDENT, EDITOR} if name in MODERATORS_COMMANDS else {RESIDENT, MODERATOR}


async def seed(app) -> Rows:
    """Real rows for forged presses to point at, and the three senders as residents."""
    uow_factory, notices, now = app.uow_factory, app.core.notices, app.clock.now()
    theme_id = await theme(uow_factory)
    forum_id = await new_forum(uow_factory, theme_id)  # by the editor 777 of tests/support/forums.py
    attendee = await resident_of(uow_factory, AINO.id)
    await rsvp(uow_factory, forum_id, [attendee], "remote")
    survey_id = await new_survey(uow_factory)
    async with uow_factory() as uow:
        author = await residents.greet(uow, SVEN.id, "sv", now)
        pending = await proposals.submit(uow, author, Draft("Fler bänkar vid torget", "Fler sittplatser."), 3,
                                         notices, now)
        question = await forum_questions.ask(uow, attendee, forum_id, "Onko kirjasto auki sunnuntaisin?",
                                             notices, DURING)
        ballot = await ballots.create(uow, 777, BallotDraft(
            question={"fi": "Mistä seuraava foorumi?"},
            options=[OptionDraft({"fi": "Kirjasto"}, theme_id), OptionDraft({"fi": "Tori"})],
            opens_at=now, closes_at=now + timedelta(days=7)), now)
        broadcast = await broadcasts.send_broadcast(uow, 777, {"fi": "Torilla tapahtuu."}, Audience(),
                                                    now=now)
        area = await uow.session.scalar(select(Area.id).order_by(Area.id))
        for person in (RESIDENT, MODERATOR, EDITOR):
            sender = await residents.greet(uow, person.id, "en", now)
            await residents.choose_language(uow, sender, "en")
            if person in ROLES:
                await staff.grant(uow, person.id, ROLES[person], None)
        return Rows(pending.id, theme_id, ballot.id, ballot.options[0].id, forum_id, question.id, survey_id,
                    broadcast.id, area)


async def snapshot(app) -> dict[str, list[tuple]]:
    async with app.engine.connect() as connection:
        return {table.name: sorted((tuple(row) for row in await connection.execute(select(table))), key=repr)
                for table in Base.metadata.sorted_tables if table.name not in UPDATE_PATH_WRITES}


class Doors:
    """Feeds forged updates and notes every one that was not refused or changed a table."""

    def __init__(self, harness, app, clock) -> None:
        self.harness, self.app, self.clock = harness, app, clock
        self.problems: list[str] = []

    async def knock(self, update: dict, what: str, refusals: set[str]) -> None:
        self.clock.advance(WINDOW)  # slower than any flood: each update is judged on its own
        before = await snapshot(self.app)
        calls = [call for call in await self.harness.feed(update) if call.name != "GetMe"]
        said = [(call.name, getattr(call, "text", None)) for call in calls]
        if len(said) != 1 or said[0][1] not in refusals:
            self.problems.append(f"{what}: not refused: {said}")
        after = await snapshot(self.app)
        if changed := [name for name in before if before[name] != after[name]]:
            self.problems.append(f"{what}: changed {changed}")


@pytest.fixture
async def doors(app, harness, clock, city) -> tuple[Doors, Rows]:
    rows = await seed(app)
    await harness.deliver()  # the cards and notices the seeding queued
    return Doors(harness, app, clock), rows


def test_every_kind_of_button_is_classified():
    kinds = set(every_kind())
    staff_kinds = set(staff_fields(Rows(*range(1, 10))))
    assert RESIDENT_FACING.isdisjoint(staff_kinds)
    assert kinds - RESIDENT_FACING - staff_kinds == set(), "new kinds of button: resident-facing or staff?"
    assert (RESIDENT_FACING | staff_kinds) - kinds == set(), "kinds listed here that no longer exist"
    assert MODERATORS_BUTTONS | MODERATORS_AND_EDITORS_BUTTONS <= staff_kinds


@staff_group
@pytest.mark.parametrize("sender", [RESIDENT, MODERATOR, EDITOR], ids=lambda person: person.first_name)
async def test_every_staff_button_refuses_whoever_may_not_press_it(doors, sender):
    door, rows = doors
    kinds = every_kind()
    for prefix, given in staff_fields(rows).items():
        if sender not in refused_to(prefix):
            continue
        for data in forged(kinds[prefix], given):
            await door.knock(updates.callback(sender, data), f"{sender.first_name} {data}", REFUSALS)
            if prefix in MODERATORS_BUTTONS:  # the cards' buttons also work in the staff group
                update = in_group(updates.callback(sender, data))
                await door.knock(update, f"{sender.first_name} {data} in the staff group", REFUSALS)
    assert door.problems == []


@staff_group
@pytest.mark.parametrize("sender", [RESIDENT, MODERATOR, EDITOR], ids=lambda person: person.first_name)
async def test_every_staff_command_refuses_whoever_may_not_use_it(doors, sender):
    door, _rows = doors
    names = [name for name, _description in handlers.command_menu().staff]
    assert {"moderation", "next", "broadcast"} <= set(names)
    for name in names:
        if sender not in command_refused_to(name):
            continue
        chats = [] if name in STAFF_GROUP_ONLY else ["private chat"]
        chats += ["staff group"] if name in chats_router.STAFF_GROUP_COMMANDS else []
        for chat in chats:
            update = updates.message(sender, f"/{name}")
            await door.knock(in_group(update) if chat == "staff group" else update,
                             f"{sender.first_name} /{name} in the {chat}", {NOT_ALLOWED})
    assert door.problems == []


@staff_group
@pytest.mark.parametrize("sender", [RESIDENT, MODERATOR], ids=lambda person: person.first_name)
async def test_no_role_is_granted_from_the_chat(doors, app, harness, sender):
    door, _rows = doors
    before = await snapshot(app)
    for text in ("/staff add 2001 admin", "/grant admin", "/admin", "/role editor", "/start admin",
                 "/start role_admin", "/settings admin", "admin"):
        await harness.say(sender, text)
    after = await snapshot(app)
    assert after["staff_roles"] == before["staff_roles"]
    async with app.uow_factory() as uow:
        assert await staff.roles_of(uow, sender.id) == ({Role.MODERATOR} if sender is MODERATOR else set())


async def stored_broadcasts(app) -> list[int]:
    async with app.uow_factory() as uow:
        return list(await uow.session.scalars(select(Broadcast.id).where(Broadcast.kind == "broadcast")))


async def revoke(app, person) -> None:
    async with app.uow_factory() as uow:
        await staff.revoke(uow, person.id)


@staff_group
async def test_a_broadcast_is_refused_at_send_when_the_role_went_meanwhile(doors, app, harness):
    _door, _rows = doors
    existing = await stored_broadcasts(app)
    await harness.say(EDITOR, "/broadcast")
    await harness.say(EDITOR, "Torilla tapahtuu lauantaina.")
    await harness.press(EDITOR, "bc:skip")
    await harness.say(EDITOR, "Something on at the square on Saturday.")
    [confirm, _] = await harness.press(EDITOR, "bc:audience")
    assert ("✅ Send now", "bc:send") in confirm.keyboard[0]
    await revoke(app, EDITOR)
    [refused] = await harness.press(EDITOR, "bc:send")
    assert (refused.name, refused.text) == ("AnswerCallbackQuery", NOT_ALLOWED)
    assert await stored_broadcasts(app) == existing


@staff_group
@pytest.mark.parametrize("clock", [MIDDAY], indirect=True)  # "1.7." is ahead
async def test_a_ballot_is_refused_at_create_when_the_role_went_meanwhile(doors, app, harness):
    _door, rows = doors
    await harness.say(EDITOR, "/newballot")
    await harness.say(EDITOR, "Which theme next?")
    await harness.press(EDITOR, "nb:skip")
    await harness.press(EDITOR, "nb:skip")
    await harness.say(EDITOR, "Library")
    await harness.say(EDITOR, "Harbour")
    await harness.press(EDITOR, "nb:done")
    await harness.press(EDITOR, "nb:single")
    await harness.press(EDITOR, "nb:voters")
    await harness.say(EDITOR, "1.7. 9.00")
    await harness.say(EDITOR, "8.7. 18.00")
    [preview, _] = await harness.press(EDITOR, "nb:after_close")
    assert preview.keyboard[0] == [("✅ Create the vote", "nb:create")]
    await revoke(app, EDITOR)
    before = await snapshot(app)
    [refused] = await harness.press(EDITOR, "nb:create")
    assert (refused.name, refused.text) == ("AnswerCallbackQuery", NOT_ALLOWED)
    assert (await snapshot(app))["ballots"] == before["ballots"]
