"""Hard inputs found by probing: ids the store cannot hold, forged and malformed buttons, broadcast
buttons pointed at other rows of the outbox, what the log keeps of a failure, pending proposals
shown to others, moderators named on decided cards; and what held, kept: zero-width characters and
odd deep-link payloads."""
from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from enum import Enum

import pytest
from aiogram.filters.callback_data import CallbackData
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from sqlalchemy import select

from bot.services import residents, staff
from domain import NotFound, Role, links
from domain.ids import MAX_ID
from storage.models import Broadcast, Delivery, ModerationAction
from tests.handlers.test_broadcasts import chat_member_update, compose, make_editor
from tests.support import updates
from tests.support.delivery import add_residents
from tests.support.proposals import (
    approve,
    latest_proposal,
    make_moderator,
    propose,
    set_language,
)
from tests.support.recording import BOT_USER
from tests.support.updates import AINO, GRACE, SVEN

GONE = "That is no longer available – it may have been changed or removed."
STALE = "This button is no longer valid."
NOT_UNDERSTOOD = "I didn't quite catch that. /help shows what I can do."
NO_LINK = "That link did not lead anywhere – it may be old or mistyped."
HUGE = "9" * 50
SENT = "zz:Tamarind-9931"  # what a resident sent, quoted by an exception's message
STAFF_GROUP = -100500


async def make_admin(app, person=GRACE) -> None:
    """An admin passes every role check (and no flood limit), so a refusal is the input's own."""
    async with app.uow_factory() as uow:
        await staff.grant(uow, person.id, Role.ADMIN, None)
    await set_language(app, person, "en")


def errors_logged(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


# --- ids the store cannot hold, negative ids and pages -------------------------------------------

def callback_classes() -> Iterator[type[CallbackData]]:
    """Every kind of button the bot makes (the app fixture has imported every router)."""
    def below(cls: type[CallbackData]) -> Iterator[type[CallbackData]]:
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)
    return (cls for cls in below(CallbackData) if cls.__module__.startswith(("handlers.", "bot.")))


def encoded(field: FieldInfo) -> str:
    """A value this field accepts, as callback data writes it: its default, an enum's first member,
    1 for a number, nothing for a text."""
    value = field.default if field.default is not PydanticUndefined else field.annotation
    if isinstance(value, type) and issubclass(value, Enum):
        value = next(iter(value))
    if value in (int, bool):
        return "1"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return str(int(value))
    return "" if value in (None, str) else str(value)


def numbers_replaced(cls: type[CallbackData], number: str) -> Iterator[str]:
    """The class's callback data with each number field in turn set to `number`, the rest valid."""
    names = list(cls.model_fields)
    for name, field in cls.model_fields.items():
        if field.annotation is int:
            values = [number if other == name else encoded(cls.model_fields[other]) for other in names]
            yield cls.__separator__.join([cls.__prefix__, *values])


def test_every_kind_of_button_is_checked_here(app):
    classes = list(callback_classes())
    assert len(classes) > 40
    for cls in classes:
        valid = cls.__separator__.join([cls.__prefix__, *map(encoded, cls.model_fields.values())])
        cls.unpack(valid)  # the other fields' values are valid: a refusal below is the number's own


@pytest.mark.parametrize("number", [HUGE, str(MAX_ID + 1), "-7"])
async def test_no_button_takes_a_number_the_store_cannot_hold_or_a_negative_one(
    harness, app, caplog, number
):
    await make_admin(app)
    pressed = 0
    for cls in callback_classes():
        for data in numbers_replaced(cls, number):
            with pytest.raises(ValueError):
                cls.unpack(data)
            with caplog.at_level(logging.INFO):
                [alert] = await harness.press(GRACE, data)
            assert (alert.name, alert.text, alert.show_alert) == (
                "AnswerCallbackQuery", STALE, True), data
            pressed += 1
    assert pressed > 50
    assert errors_logged(caplog) == []


async def test_the_largest_id_is_answered_politely_everywhere(harness, app, caplog):
    await make_admin(app)
    for cls in callback_classes():
        for data in numbers_replaced(cls, str(MAX_ID)):
            cls.unpack(data)
            with caplog.at_level(logging.INFO):
                *_, answer = await harness.press(GRACE, data)
            assert answer.name == "AnswerCallbackQuery", data
    assert errors_logged(caplog) == []


async def test_the_largest_id_is_looked_up_in_either_store(uow_factory):
    """MAX_ID fits an INTEGER key of PostgreSQL as of SQLite: it names nothing, and fails nothing."""
    async with uow_factory() as uow:
        assert await uow.proposals.get(MAX_ID) is None
        assert await uow.areas.get(MAX_ID) is None
        assert await uow.outbox.staff_broadcast(MAX_ID) is None


async def test_the_proposal_list_refuses_a_negative_page_and_keeps_every_area(harness, app):
    [alert] = await harness.press(AINO, "pl:-5:-1:new")
    assert (alert.text, alert.show_alert) == (harness.translate(STALE, "fi"), True)
    edit, _ = await harness.press(AINO, "pl:0:-1:new")  # -1: every area, as the list's own buttons say
    assert edit.name == "EditMessageText"


def link_forms(number: int) -> list[tuple[str, re.Pattern[str]]]:
    """Every command and deep link domain/links.py makes, for `number`, with the patterns that
    must refuse it."""
    forms = []
    for kind in ("proposal", "ballot", "forum", "survey"):
        command = getattr(links, f"{kind}_command")(number)
        payload = getattr(links, f"{kind}_link")(BOT_USER.username, number).split("?start=", 1)[1]
        forms += [(command, getattr(links, f"{kind.upper()}_COMMAND")),
                  (f"/start {payload}", getattr(links, f"{kind.upper()}_START"))]
    return forms


def test_every_link_pattern_is_checked_here():
    checked = {pattern for _form, pattern in link_forms(1)}
    patterns = {value for name, value in vars(links).items() if name.endswith(("_START", "_COMMAND"))}
    assert checked == patterns


@pytest.mark.parametrize("number", [10**23, MAX_ID + 1, 10**9, -1])
async def test_links_and_commands_with_an_id_too_large_or_negative_are_answered_politely(
    harness, app, caplog, number
):
    await make_admin(app)  # many messages in a row: no flood limit for staff
    for text, pattern in link_forms(number):
        assert pattern.match(text.removeprefix("/start ")) is None
        with caplog.at_level(logging.INFO):
            first, *_ = await harness.say(GRACE, text)
        assert first.text == (NO_LINK if text.startswith("/start ") else NOT_UNDERSTOOD), text
    assert errors_logged(caplog) == []


async def test_a_merge_target_typed_too_large_is_asked_for_again(harness, app, caplog):
    await make_moderator(app, AINO, "fi")
    await propose(harness, SVEN, "Fler bänkar vid torget", "Det finns för få sittplatser.")
    proposal = await latest_proposal(app)
    await harness.press(AINO, f"md:mg:{proposal.id}:0:")
    with caplog.at_level(logging.INFO):
        [again] = await harness.say(AINO, "#" + HUGE)
    assert again.text == harness.translate(
        "Send the number of the proposal to merge into, e.g. 12 – or /cancel.", "fi")
    assert errors_logged(caplog) == []


# --- broadcast buttons reach only broadcasts --------------------------------------------------------

async def outbox_rows(app) -> list[tuple]:
    async with app.uow_factory() as uow:
        rows = await uow.session.execute(select(
            Broadcast.id, Broadcast.kind, Broadcast.status, Broadcast.cancelled,
            Broadcast.progress_chat_id,
        ).order_by(Broadcast.id))
        return [tuple(row) for row in rows]


async def test_broadcast_buttons_cannot_open_or_cancel_a_notice_to_a_resident(harness, app):
    await make_moderator(app, SVEN, "sv")
    await make_editor(app)
    await set_language(app, GRACE, "en")
    await propose(harness, AINO, "Penkkejä torille", "Torilla on liian vähän istumapaikkoja.")
    await approve(harness, SVEN, (await latest_proposal(app)).id)  # the author's outcome, queued
    before = await outbox_rows(app)
    assert {kind for _id, kind, *_ in before} == {"moderation_card", "proposal_outcome"}
    for broadcast_id, *_ in before:
        for data in (f"bcc:{broadcast_id}", f"bco:{broadcast_id}"):
            [alert] = await harness.press(GRACE, data)
            assert (alert.text, alert.show_alert) == (GONE, True)
    assert await outbox_rows(app) == before
    async with app.uow_factory() as uow:
        outcome = await uow.session.scalars(select(Delivery.status).join(Broadcast).where(
            Broadcast.kind == "proposal_outcome"))
        assert outcome.all() == ["pending"]



# --- malformed audience buttons -----------------------------------------------------------------

@pytest.mark.parametrize("forged", ["bca:l:xx:0", "bca:a:abc:0", "bca:t:mayor:0", "bca:a:-1:0",
                                    "bca:all:x:0", "bca:a:99999:0", "bca:all::-4"])
async def test_a_malformed_audience_button_is_refused_and_the_draft_goes_on(
    harness, app, caplog, forged
):
    await make_editor(app)
    await add_residents(app.uow_factory, 3, 700, resident_type="holiday")
    await compose(harness, everyone=4)  # holiday residents chosen
    with caplog.at_level(logging.INFO):
        [alert] = await harness.press(GRACE, forged)
    assert alert.show_alert is True
    assert alert.text == (GONE if forged == "bca:a:99999:0" else STALE)  # an area that is no more
    assert errors_logged(caplog) == []
    edit, _ = await harness.press(GRACE, "bca:l:sv:0")  # the same step, unchanged, goes on
    assert "Now: who: 🌲 Holiday resident; languages: Swedish\n<b>0 recipients</b>" in edit.text
    edit, _ = await harness.press(GRACE, "bc:audience")
    assert edit.text.startswith("<b>Ready to send?</b>")


# --- what the log keeps of a failure -----------------------------------------------------------

async def test_a_failure_is_logged_with_its_type_and_place_but_never_its_message(
    harness, app, monkeypatch, caplog
):
    async def broken(*args, **kwargs):
        raise ValueError(f"invalid literal for int(): {SENT!r}")

    monkeypatch.setattr(residents, "choose_language", broken)
    update = updates.callback(SVEN, "lang:en:s")
    with caplog.at_level(logging.ERROR):
        [apology] = await harness.feed(update)
    assert apology.text.startswith("Förlåt, något gick fel hos oss.")
    [record] = [r for r in caplog.records if r.name == "handlers.errors"]
    assert record.getMessage() == f"update {update['update_id']} failed: ValueError"
    written = logging.Formatter().format(record)
    assert "Traceback (most recent call last)" in written and "in broken" in written
    assert "Tamarind" not in written


async def test_a_refusal_is_logged_without_its_reason(harness, app, monkeypatch, caplog):
    async def refused(*args, **kwargs):
        raise NotFound(f"unknown area: {SENT}")

    monkeypatch.setattr(residents, "choose_language", refused)
    with caplog.at_level(logging.INFO):
        [alert] = await harness.press(SVEN, "lang:en:s")
    assert alert.text == harness.translate(GONE, "sv")
    assert "Tamarind" not in caplog.text
    [record] = [r for r in caplog.records if r.name == "handlers.errors"]
    assert record.getMessage().endswith(": NotFound")


# --- pending proposals are nobody else's to see ----------------------------------------------------

async def test_a_draft_is_not_shown_others_pending_proposals_only_public_ones(harness, app):
    await make_moderator(app, AINO, "fi")
    await set_language(app, GRACE, "en")
    await propose(harness, SVEN, "Penkkejä Mikkelin torille", "Torilla on liian vähän istumapaikkoja.")
    pending = await latest_proposal(app)
    draft = ("Lisää penkkejä torille", "Ikäihmiset tarvitsevat levähdyspaikkoja.")
    preview, _ = await propose(harness, GRACE, *draft, send=False)
    assert "Similar proposals" not in preview.text and "Penkkejä Mikkelin torille" not in preview.text
    await harness.press(GRACE, "pd:cancel")
    await approve(harness, AINO, pending.id)
    preview, _ = await propose(harness, GRACE, *draft, send=False)
    assert f"• <b>Penkkejä Mikkelin torille</b> – /p{pending.id}" in preview.text


# --- who decided, on a moderation card ---------------------------------------------------------

def in_staff_group(update: dict) -> dict:
    update["callback_query"]["message"]["chat"] = {"id": STAFF_GROUP, "type": "supergroup",
                                                   "title": "Staff"}
    return update


def with_surname(update: dict) -> dict:
    update["callback_query"]["from"]["last_name"] = "Virtanen"
    return update


@pytest.mark.parametrize("settings_overrides", [{"staff_chat_id": STAFF_GROUP}])
async def test_the_staff_groups_card_names_the_moderator_by_first_name_only(harness, app):
    await make_moderator(app, AINO, "fi")
    await propose(harness, SVEN, "Fler bänkar vid torget", "Det finns för få sittplatser.")
    proposal = await latest_proposal(app)
    await harness.deliver()
    card = harness.session.latest_with_buttons[STAFF_GROUP]
    pressed = with_surname(in_staff_group(updates.callback(AINO, f"md:ok:{proposal.id}:0:", card)))
    edit, _ = await harness.feed(pressed)
    assert (edit.chat_id, edit.message_id) == (STAFF_GROUP, card)
    assert "\n\n✅ Hyväksytty – Aino, " in edit.text and "Virtanen" not in edit.text
    async with app.uow_factory() as uow:
        assert await uow.session.scalar(select(ModerationAction.actor_name)) == "Aino"


@pytest.mark.parametrize("settings_overrides", [{"staff_chat_id": STAFF_GROUP}])
async def test_a_card_decided_in_a_private_chat_names_no_one_there(harness, app):
    await make_moderator(app, AINO, "fi")
    await propose(harness, SVEN, "Fler bänkar vid torget", "Det finns för få sittplatser.")
    proposal = await latest_proposal(app)
    await harness.deliver()
    group_card = harness.session.latest_with_buttons[STAFF_GROUP]
    await harness.say(AINO, "/moderation")  # a copy of the card in her private chat
    edit, _ = await harness.feed(with_surname(updates.callback(
        AINO, f"md:ok:{proposal.id}:0:", harness.session.latest_with_buttons[AINO.id])))
    assert edit.chat_id == AINO.id
    assert "\n\n✅ Hyväksytty – moderaattori, " in edit.text and "Aino" not in edit.text
    [group_copy] = [call for call in await harness.deliver() if call.chat_id == STAFF_GROUP]
    assert group_copy.message_id == group_card
    assert "\n\n✅ Hyväksytty – Aino, " in group_copy.text and "Virtanen" not in group_copy.text


# --- what held, kept -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, answer", [
    ("/p\u200b{id}", NOT_UNDERSTOOD), ("/p{id}\u2060", NOT_UNDERSTOOD), ("/mi\u200bne", NOT_UNDERSTOOD),
    ("/start p\u200b{id}", NO_LINK), ("/start p{id}\ufeff", NO_LINK),
])
async def test_zero_width_characters_inside_a_command_or_link_are_not_matched(
    harness, app, text, answer
):
    await set_language(app, GRACE, "en")
    await propose(harness, GRACE, "Library on Sundays", "Open on Sundays too.")
    proposal = await latest_proposal(app)
    first, *_ = await harness.say(GRACE, text.format(id=proposal.id))
    assert first.text == answer


@pytest.mark.parametrize("payload", ["p", "p12x", "p١٢", "P12", "p+12", "p 12", "s-3", "b0x1f",
                                     "f" + HUGE])
async def test_odd_deep_link_payloads_are_refused_politely(harness, app, caplog, payload):
    await set_language(app, GRACE, "en")
    with caplog.at_level(logging.INFO):
        first, *_ = await harness.say(GRACE, f"/start {payload}")
    assert first.text == NO_LINK
    assert errors_logged(caplog) == []


# --- found by the property test ------------------------------------------------------------------

async def test_a_nul_character_is_stored_as_a_space_which_postgresql_can_hold(harness, app, caplog):
    await set_language(app, GRACE, "en")
    with caplog.at_level(logging.INFO):
        await propose(harness, GRACE, "Library\x00 on Sundays", "Open\x00 on Sundays too.")
    proposal = await latest_proposal(app)
    assert (proposal.title, proposal.description) == ("Library  on Sundays", "Open  on Sundays too.")
    assert errors_logged(caplog) == []


@pytest.mark.parametrize("old, new", [("member", "kicked"), ("kicked", "member")])
async def test_another_bot_leaving_or_joining_a_private_chat_is_ignored(harness, caplog, old, new):
    update = chat_member_update(GRACE, old, new)
    update["my_chat_member"]["from"] = {"id": 5555, "is_bot": True, "first_name": "B", "username": "some_bot"}
    update["my_chat_member"]["chat"] = {"id": 5555, "type": "private", "first_name": "B"}
    with caplog.at_level(logging.INFO):
        assert await harness.feed(update) == []
    assert errors_logged(caplog) == []
