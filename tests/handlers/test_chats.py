"""Where the bot talks: commands in a group get one line pointing to the private chat and show
nothing of anyone; buttons there are refused; the staff group keeps its cards, /moderation,
/next and a moderator's written reason; updates no person sent are ignored without a word."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from storage.models import ConversationState, Proposal, Resident
from tests.support import updates
from tests.support.forums import STAFF_GROUP, in_group
from tests.support.proposals import TITLE, latest_proposal, make_moderator, propose, set_language
from tests.support.recording import BOT_USER
from tests.support.updates import AINO, GRACE, SVEN

GROUP = -100777  # a village association's group the bot was added to
LINK = f"https://t.me/{BOT_USER.username}"
POINTER_FI = (f'Vastaan komentoihin vain <a href="{LINK}">yksityisessä keskustelussa</a> – '
              "siellä asiasi jäävät meidän kahden välisiksi.")
POINTER_EN = (f'I answer commands only in a <a href="{LINK}">private chat</a> – '
              "there what you do stays between us.")
BUTTONS_PRIVATE_SV = "Knapparna fungerar bara i en privat chatt med mig."
BUTTONS_PRIVATE_FI = "Painikkeet toimivat vain yksityisessä keskustelussa kanssani."

staff_group = pytest.mark.parametrize("settings_overrides", [{"staff_chat_id": STAFF_GROUP}])


def sent(calls) -> list:
    """The calls a person sees (the bot asking Telegram for its own name is not one)."""
    return [call for call in calls if call.name != "GetMe"]


async def say_in(harness, chat_id, person, text):
    return sent(await harness.feed(in_group(updates.message(person, text), chat_id)))


async def press_in(harness, chat_id, person, data):
    return sent(await harness.feed(in_group(updates.callback(person, data), chat_id)))


async def pending_by_sven(harness, app) -> int:
    """Sven's proposal, waiting for a moderator; Aino moderates (Finnish)."""
    await make_moderator(app, AINO, "fi")
    await set_language(app, SVEN, "sv")
    await propose(harness, SVEN)
    await harness.deliver()
    return (await latest_proposal(app)).id


async def count(app, model, *where) -> int:
    async with app.uow_factory() as uow:
        return await uow.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.mark.parametrize("text", [
    "/mine", "/settings", "/language", "/start", "/start p1", "/help", "/propose", "/p1", "/vote",
    "/forums", "/moderation", "/broadcast", "/next", "/cancel", "/mine@foorumi_test_bot", "/Settings",
])
async def test_a_command_in_a_group_gets_one_line_pointing_to_the_private_chat(harness, app, text):
    await pending_by_sven(harness, app)
    for person in (AINO, SVEN):  # a moderator, and the author of the pending proposal
        [pointer] = await say_in(harness, GROUP, person, text)
        assert (pointer.name, pointer.chat_id) == ("SendMessage", GROUP)
        assert pointer.reply_parameters.message_id  # a reply to the command, so the group sees to whom
        assert TITLE not in pointer.text
    assert pointer.text == ("Jag svarar på kommandon bara i en "
                            f'<a href="{LINK}">privat chatt</a> – där stannar det du gör mellan oss två.')
    assert await count(app, ConversationState, ConversationState.key.contains(str(GROUP))) == 0
    assert (await latest_proposal(app)).status == "pending"


async def test_the_pointer_speaks_the_residents_language(harness, app):
    await set_language(app, GRACE, "en")
    await set_language(app, AINO, "fi")
    assert [call.text for call in await say_in(harness, GROUP, GRACE, "/settings")] == [POINTER_EN]
    assert [call.text for call in await say_in(harness, GROUP, AINO, "/settings")] == [POINTER_FI]


@pytest.mark.parametrize("text", ["Hei kaikki, torilla tavataan!", "/start@another_bot", "/", "#12"])
async def test_other_talk_in_a_group_is_left_alone(harness, app, text):
    await pending_by_sven(harness, app)
    assert await say_in(harness, GROUP, AINO, text) == []
    sticker = in_group(updates.sticker(AINO), GROUP)
    assert sent(await harness.feed(sticker)) == []


@pytest.mark.parametrize("data", ["set:type", "set:overview", "lang:sv:s", "type:holiday:s", "pa:sup:{id}",
                                  "po:{id}", "md:ok:{id}:0:", "qd:1:1", "zz:1"])
async def test_buttons_pressed_in_a_group_are_refused_and_change_nothing(harness, app, data):
    """Another member presses Aino's buttons (or forged ones) in the group: nobody's settings or
    proposals show there, and nothing changes – a moderator's card included."""
    proposal_id = await pending_by_sven(harness, app)
    before = await count(app, Resident, Resident.locale == "sv")
    [refused] = await press_in(harness, GROUP, SVEN, data.format(id=proposal_id))
    assert (refused.name, refused.text, refused.show_alert) == (
        "AnswerCallbackQuery", BUTTONS_PRIVATE_SV, True)
    [refused] = await press_in(harness, GROUP, AINO, data.format(id=proposal_id))
    assert (refused.name, refused.text) == ("AnswerCallbackQuery", BUTTONS_PRIVATE_FI)
    assert await count(app, Resident, Resident.locale == "sv") == before
    assert (await latest_proposal(app)).status == "pending"


@staff_group
async def test_the_staff_group_keeps_its_cards_and_a_written_reason(harness, app):
    proposal_id = await pending_by_sven(harness, app)
    card = harness.session.latest_with_buttons[STAFF_GROUP]
    [edit, _toast] = sent(await harness.feed(in_group(
        updates.callback(AINO, f"md:rr:{proposal_id}:0:write", card))))
    assert (edit.name, edit.chat_id, edit.message_id) == ("EditMessageText", STAFF_GROUP, card)
    [decided] = await say_in(harness, STAFF_GROUP, AINO, "Sama kuin ehdotus #3")
    assert decided.chat_id == STAFF_GROUP
    assert (await latest_proposal(app)).status == "rejected"
    [queue] = await say_in(harness, STAFF_GROUP, AINO, "/moderation")
    assert queue.text == "Moderoitavaa ei ole. 🎉"


@staff_group
async def test_the_staff_group_keeps_next_and_cancel(harness, app):
    await make_moderator(app, AINO, "fi")
    [host] = await say_in(harness, STAFF_GROUP, AINO, "/next")
    assert host.chat_id == STAFF_GROUP and host.text != POINTER_FI
    assert await say_in(harness, STAFF_GROUP, AINO, "/cancel") == []  # nothing to cancel: silence
    assert await say_in(harness, STAFF_GROUP, AINO, "Huomenta!") == []


@staff_group
@pytest.mark.parametrize("text", ["/mine", "/settings", "/start", "/help", "/broadcast"])
async def test_in_the_staff_group_other_commands_point_to_the_private_chat(harness, app, text):
    await pending_by_sven(harness, app)
    assert [call.text for call in await say_in(harness, STAFF_GROUP, AINO, text)] == [POINTER_FI]


@staff_group
async def test_in_the_staff_group_other_buttons_are_refused(harness, app):
    proposal_id = await pending_by_sven(harness, app)
    for data in ("set:type", f"pa:sup:{proposal_id}", f"tm:{proposal_id}:"):
        [refused] = await press_in(harness, STAFF_GROUP, AINO, data)
        assert refused.text == BUTTONS_PRIVATE_FI


CHANNEL = {"id": -1009990001, "type": "channel", "title": "Kaupungin tiedotteet"}
CHANNEL_BOT = {"id": 136817688, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"}
ANONYMOUS_ADMIN = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
TELEGRAM = {"id": 777000, "is_bot": False, "first_name": "Telegram"}  # a linked channel's post, forwarded


def without_sender(update: dict) -> dict:
    del update["message"]["from"]
    return update


def sent_as(sender: dict, chat: dict):
    def change(update: dict) -> dict:
        update["message"].update({"from": sender, "sender_chat": chat})
        return update
    return change


def from_a_bot(update: dict) -> dict:
    bot = {"id": 5005, "is_bot": True, "first_name": "Helper", "username": "helper_bot"}
    update["message"].update({"from": bot, "chat": {"id": 5005, "type": "private", "first_name": "Helper"}})
    return update


@staff_group
@pytest.mark.parametrize("chat_id, change", [
    (GROUP, without_sender),
    (GROUP, sent_as(CHANNEL_BOT, CHANNEL)),
    (GROUP, sent_as(TELEGRAM, CHANNEL)),
    (STAFF_GROUP, sent_as(ANONYMOUS_ADMIN, {"id": STAFF_GROUP, "type": "supergroup", "title": "Staff"})),
    (None, from_a_bot),
], ids=["no-from", "channel", "linked-channel", "anonymous-admin", "another-bot"])
@pytest.mark.parametrize("text", ["/mine", "/next", "Moi!"])
async def test_updates_no_person_sent_are_ignored_without_a_word(harness, app, caplog, chat_id, change, text):
    await pending_by_sven(harness, app)
    residents = await count(app, Resident)
    update = updates.message(AINO, text)
    update = change(in_group(update, chat_id) if chat_id else update)
    with caplog.at_level(logging.INFO):
        assert sent(await harness.feed(update)) == []
    assert [record for record in caplog.records if record.levelno >= logging.WARNING] == []
    assert f"update {update['update_id']}: no person sent it; ignored" in caplog.messages
    assert text not in caplog.text
    assert await count(app, Resident) == residents
    assert await count(app, Proposal, Proposal.status != "pending") == 0
