"""Live questions in the chat: a remote attendee asks while the forum is on, moderators decide
from the card in the staff group, the host takes the next one with /next – and every staff
step refuses residents and editors without changing anything."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.services import staff
from domain import Role
from storage.models import ForumQuestion
from tests.support import updates
from tests.support.forums import (
    DURING, ENDS, STAFF_GROUP, STARTS, in_group, new_forum, resident_of, rsvp,
)
from tests.support.proposals import make_moderator
from tests.support.updates import AINO, GRACE, SVEN

staff_group = pytest.mark.parametrize("settings_overrides", [{"staff_chat_id": STAFF_GROUP}])
live = pytest.mark.parametrize("clock", [DURING], indirect=True)  # the forum is on

NOT_ALLOWED = "Sorry, only city staff with the right role can do that."
QUESTION = "Will the library stay open on Sundays?"


@pytest.fixture
async def forum(app, harness):
    """A forum (by the foundation's editor, 777) with Aino taking part remotely, Sven in person;
    Grace moderates. All three read English."""
    forum_id = await new_forum(app.uow_factory)
    await rsvp(app.uow_factory, forum_id, [await resident_of(app.uow_factory, AINO.id, "en")], "remote")
    await rsvp(app.uow_factory, forum_id, [await resident_of(app.uow_factory, SVEN.id, "en")], "in_person")
    await make_moderator(app, GRACE, "en")
    await harness.deliver()  # the invitation
    return forum_id


def at(clock, moment) -> None:
    clock.advance((moment - clock.now()).total_seconds())


async def questions(app) -> list[tuple[str, str]]:
    async with app.uow_factory() as uow:
        return [(q.text, q.status) for q in await uow.session.scalars(select(ForumQuestion).order_by(ForumQuestion.id))]


async def asked(harness, forum_id, text=QUESTION):
    """Aino presses ❓ on the forum and writes her question; the calls of the last step."""
    await harness.press(AINO, f"fq:{forum_id}")
    return await harness.say(AINO, text)


async def card_in_group(harness) -> int:
    """The cards delivered; the message id of the newest."""
    assert [call.chat_id for call in await harness.deliver()][-1] == STAFF_GROUP
    return harness.session.latest_with_buttons[STAFF_GROUP]


async def press_in_group(harness, person, data, message_id):
    return await harness.feed(in_group(updates.callback(person, data, message_id)))


async def say_in_group(harness, person, text):
    return await harness.feed(in_group(updates.message(person, text)))


@staff_group
@live
async def test_a_remote_attendee_asks_during_the_forum(harness, app, clock, forum):
    prompt, answer = await harness.press(AINO, f"fq:{forum}")
    assert (prompt.name, prompt.chat_id) == ("SendMessage", AINO.id)  # below the forum, which stays
    assert prompt.text.startswith("❓ <b>Your question to the forum</b>\n\n<b>The library&#x27;s future</b>")
    assert "at most 500 characters" in prompt.text
    assert prompt.keyboard == [[("✖️ Cancel", "qc")]]
    assert answer.text is None
    [thanks] = await harness.say(AINO, QUESTION)
    assert thanks.text.startswith("✅ Thank you! Your question waits for a moderator.")
    assert await questions(app) == [(QUESTION, "pending")]
    [card] = await harness.deliver()
    assert card.chat_id == STAFF_GROUP
    assert card.text.startswith("❓ <b>Kysymys #1 foorumille</b>\n<b>Kirjaston tulevaisuus</b>\n🕒 ")
    assert card.text.endswith(QUESTION)
    assert card.keyboard == [[("✅ Hyväksy", "qd:1:1"), ("⏭ Ohita", "qd:1:0")]]


@staff_group
@live
async def test_ask_finds_the_one_live_forum_and_says_when_there_is_none(harness, clock, forum):
    [prompt] = await harness.say(AINO, "/ask")
    assert prompt.text.startswith("❓ <b>Your question to the forum</b>")
    at(clock, ENDS)
    [none] = await harness.say(AINO, "/ask")
    assert none.text.startswith("No forum you take part in remotely is on right now.")


@staff_group
@live
async def test_a_question_is_text_of_at_most_500_characters_and_can_be_cancelled(harness, app, clock, forum):
    await harness.press(AINO, f"fq:{forum}")
    too_long, again = await harness.say(AINO, "k" * 501)
    assert too_long.text == "That is too long: 501 characters, at most 500 fit. Please shorten it."
    assert again.text.startswith("❓ <b>Your question to the forum</b>")
    hint, again = await harness.feed(updates.sticker(AINO))
    assert hint.text == "Please write your question as text – or press Cancel."
    edit, _answer = await harness.press(AINO, "qc")
    assert (edit.name, edit.text, edit.reply_markup) == ("EditMessageText", "Your question was not sent.", None)
    [reply] = await harness.say(AINO, QUESTION)  # no longer asking
    assert "Thank you" not in reply.text
    assert await questions(app) == []


@staff_group
@pytest.mark.parametrize("clock, refusal", [
    (STARTS - timedelta(minutes=1), "The forum has not started yet. Questions can be sent while it is on."),
    (ENDS, "The forum is over, so questions can no longer be sent."),
], indirect=["clock"])
async def test_no_question_before_the_start_or_after_the_end(harness, app, forum, refusal):
    [alert] = await harness.press(AINO, f"fq:{forum}")
    assert (alert.name, alert.text, alert.show_alert) == ("AnswerCallbackQuery", refusal, True)
    assert await questions(app) == []


@staff_group
@live
async def test_a_question_written_as_the_forum_ends_is_refused(harness, app, clock, forum):
    await harness.press(AINO, f"fq:{forum}")
    at(clock, ENDS)
    [refused] = await harness.say(AINO, QUESTION)
    assert refused.text == "The forum is over, so questions can no longer be sent."
    assert await questions(app) == []


@staff_group
@live
async def test_in_person_attendees_and_non_attendees_are_refused(harness, app, clock, forum):
    await resident_of(app.uow_factory, GRACE.id, "en")
    for person in (SVEN, GRACE):
        [alert] = await harness.press(person, f"fq:{forum}")
        assert alert.text == ("Questions are sent here by those taking part remotely. In the room, ask the host "
                              "directly.")
        [none] = await harness.say(person, "/ask")
        assert none.text.startswith("No forum you take part in remotely is on right now.")
    assert await questions(app) == []


@staff_group
@live
async def test_a_moderator_approves_from_the_card_and_it_shows_who(harness, app, clock, forum):
    await asked(harness, forum)
    card = await card_in_group(harness)
    edit, toast = await press_in_group(harness, GRACE, "qd:1:1", card)
    assert (edit.name, edit.chat_id, edit.message_id) == ("EditMessageText", STAFF_GROUP, card)
    assert edit.text.startswith("❓ <b>Kysymys #1 foorumille</b>")  # the group's language
    assert edit.text.endswith("\n\n✅ Hyväksynyt Grace – juontaja ottaa sen vuorollaan komennolla /next")
    assert edit.reply_markup is None
    assert toast.text == "Approved – it is in the host's queue."
    assert await questions(app) == [(QUESTION, "approved")]
    [again] = await press_in_group(harness, GRACE, "qd:1:0", card)
    assert (again.text, again.show_alert) == ("This question was already decided – the card shows how.", True)
    assert await questions(app) == [(QUESTION, "approved")]


@live
async def test_without_a_staff_group_every_moderators_copy_shows_the_decision_naming_no_one(
    harness, app, clock, forum
):
    await make_moderator(app, SVEN, "en")
    await asked(harness, forum)
    cards = {call.chat_id: call for call in await harness.deliver()}
    assert set(cards) == {GRACE.id, SVEN.id, 778}  # 778: the foundation's moderator
    svens = harness.session.latest_with_buttons[SVEN.id]
    edit, _toast = await harness.press(GRACE, "qd:1:0")
    assert edit.text.endswith("\n\n⏭ Skipped by a moderator")  # names only in the staff group
    copies = {call.chat_id: call for call in await harness.deliver()}
    assert (copies[SVEN.id].name, copies[SVEN.id].message_id) == ("EditMessageText", svens)
    assert copies[SVEN.id].text.endswith("\n\n⏭ Skipped by a moderator")
    assert copies[SVEN.id].reply_markup is None
    assert GRACE.id not in copies  # her copy was edited when she pressed it
    assert await questions(app) == [(QUESTION, "skipped")]


@staff_group
@live
async def test_the_host_takes_the_next_question_and_the_asker_hears(harness, app, clock, forum):
    await asked(harness, forum)
    await asked(harness, forum, "And on Saturdays?")
    await harness.deliver()
    await press_in_group(harness, GRACE, "qd:1:1", 1)
    [host] = await say_in_group(harness, GRACE, "/next")
    assert host.chat_id == STAFF_GROUP
    assert host.text == ("🎤 <b>Seuraava kysymys</b> (#1)\n\n<b>Kirjaston tulevaisuus</b>\n\n"
                         f"<i>{QUESTION}</i>\n\nVielä odottamassa: 0 hyväksyttyä, 1 moderaattorille")
    told = [call for call in await harness.deliver() if call.chat_id == AINO.id]
    assert told[0].text.startswith("🎤 The host took up your question to the forum <b>The library&#x27;s future</b>")
    assert await questions(app) == [(QUESTION, "taken"), ("And on Saturdays?", "pending")]
    [nothing] = await say_in_group(harness, GRACE, "/next")
    assert nothing.text == ("Hyväksyttyjä kysymyksiä ei ole odottamassa. 1 kysymys odottaa moderaattoria.")


@staff_group
@live
async def test_next_is_only_for_the_staff_group(harness, app, clock, forum):
    await asked(harness, forum)
    await harness.deliver()
    await press_in_group(harness, GRACE, "qd:1:1", 1)
    [reply] = await harness.say(GRACE, "/next")
    assert "Next question" not in reply.text
    assert await questions(app) == [(QUESTION, "approved")]


@staff_group
@live
@pytest.mark.parametrize("who", ["resident", "editor"])
async def test_staff_steps_refuse_residents_and_editors(harness, app, clock, forum, who):
    if who == "editor":
        async with app.uow_factory() as uow:
            await staff.grant(uow, SVEN.id, Role.EDITOR, None)
    await asked(harness, forum)
    await asked(harness, forum, "Approved already")
    card = await card_in_group(harness)
    await press_in_group(harness, GRACE, "qd:2:1", card)
    for data in ("qd:1:1", "qd:1:0"):
        [refused] = await press_in_group(harness, SVEN, data, card)
        assert (refused.name, refused.text, refused.show_alert) == ("AnswerCallbackQuery", NOT_ALLOWED, True)
    [refused] = await say_in_group(harness, SVEN, "/next")
    assert refused.text == NOT_ALLOWED
    assert await questions(app) == [(QUESTION, "pending"), ("Approved already", "approved")]
    assert not [call for call in await harness.deliver() if call.chat_id == AINO.id]
