"""/mydata and /delete through the real Dispatcher: the file and its summary in fi, sv and en, the
confirmation and Cancel, stale and forged buttons, erasing and a fresh start, group chats, Redis."""
from __future__ import annotations

import json

import pytest
from redis.asyncio import Redis
from sqlalchemy import select

from aiogram.fsm.storage.redis import RedisStorage
from storage.models import ConversationState, Proposal, Resident
from tests.support import updates
from tests.support.clock import MIDDAY
from tests.support.forums import in_group
from tests.support.proposals import DESCRIPTION, TITLE, propose, resident_of
from tests.support.recording import Call
from tests.support.redis import reachable_redis
from tests.support.updates import AINO, GRACE, SVEN, Person

REDIS_URL = "redis://127.0.0.1:6379/13"  # shared with nobody's keys: the person below is this file's own
RIIKKA = Person(7_301_013, "Riikka", "fi")

SUMMARIES = {
    "fi": "📦 <b>Tietosi Foorumissa</b>\n\nTiedostossa on kaikki, mitä sinusta on tallennettu: asetuksesi (kieli, "
          "kuka olet, alueesi, hiljainen aika, viikkokooste) ja se, mitä olet täällä tehnyt. Ajat ovat kaupungin "
          "aikavyöhykkeellä.\n\n• 1 ehdotus\n• 1 teema, jota seuraat\n\nJos haluat poistaa tietosi, lähetä /delete.",
    "sv": "📦 <b>Dina uppgifter i Foorumi</b>\n\nFilen innehåller allt som sparats om dig: dina inställningar "
          "(språk, vem du är, ditt område, tyst tid, veckosammandrag) och det du har gjort här. Tiderna är i "
          "stadens tidszon.\n\n• 1 förslag\n• 1 tema som du följer\n\nSkicka /delete om du vill radera dina "
          "uppgifter.",
    "en": "📦 <b>Your data in Foorumi</b>\n\nThe file holds everything stored about you: your settings (language, "
          "who you are, your area, quiet hours, weekly digest) and what you have done here. Times are in the "
          "city's time zone.\n\n• 1 proposal\n• 1 theme you follow\n\nTo delete your data, send /delete.",
}
STALE = "Tämä painike ei ole enää käytössä – käytä uusinta viestiä."
ERASED = ("✅ Tietosi on poistettu. Kiitos osallistumisestasi! Jos kirjoitat minulle uudelleen, aloitat alusta "
          "uutena asukkaana.")


async def onboard(harness, person: Person, locale: str) -> None:
    await harness.say(person, "/start")
    for data in (f"lang:{locale}:o", "type:holiday:o", "area:0:o"):
        await harness.press(person, data)


async def stored(app, person: Person) -> tuple:
    """What the store holds about the person: their profile and their proposals."""
    async with app.uow_factory() as uow:
        found = await uow.residents.by_telegram_id(person.id)
        titles = (await uow.session.scalars(select(Proposal.title).where(Proposal.author_id == found.id))).all()
        return found.id, found.locale, found.resident_type, found.onboarded_at, sorted(titles)


async def ask_to_delete(harness, person: Person) -> Call:
    [prompt] = await harness.say(person, "/delete")
    return prompt


@pytest.mark.parametrize("clock", [MIDDAY], indirect=True, ids=["midday"])  # the time it shows
@pytest.mark.parametrize("person, locale", [(AINO, "fi"), (SVEN, "sv"), (GRACE, "en")])
async def test_my_data_is_a_json_file_and_a_summary_in_the_residents_language(harness, city, person, locale):
    await onboard(harness, person, locale)
    await propose(harness, person)
    document, summary = await harness.say(person, "/mydata")
    assert document.name == "SendDocument" and document.chat_id == person.id
    assert document.document.filename == "foorumi-my-data.json"
    tables = json.loads(document.document.data.decode("utf-8"))["tables"]
    [profile] = tables["residents"]
    assert (profile["telegram_id"], profile["locale"], profile["resident_type"]) == (person.id, locale, "holiday")
    assert profile["onboarded_at"] == "2026-06-15T12:00:00+03:00"  # the city's time, with its offset
    assert [(row["title"], row["status"]) for row in tables["proposals"]] == [(TITLE, "pending")]
    assert tables["survey_responses"] == [] and tables["staff_roles"] == []
    assert summary.name == "SendMessage" and summary.text == SUMMARIES[locale]


async def test_delete_asks_and_cancel_changes_nothing_not_even_a_draft_under_way(harness, app, city):
    await onboard(harness, AINO, "fi")
    await propose(harness, AINO)
    before = await stored(app, AINO)
    await harness.say(AINO, "/propose")
    await harness.say(AINO, "Koirapuisto")  # a second proposal's title: the draft is under way
    prompt = await ask_to_delete(harness, AINO)
    assert prompt.text.startswith("🗑 <b>Poistetaanko tietosi?</b>\n\n<b>Poistetaan:</b> asetuksesi")
    assert "Tätä ei voi perua." in prompt.text
    assert prompt.keyboard == [[("🗑 Poista tietoni", "pdx:erase")], [("✖ Peruuta", "pdx:cancel")]]
    edit, answer = await harness.press(AINO, "pdx:cancel")
    assert (edit.name, edit.text, edit.reply_markup) == ("EditMessageText", "Mitään ei poistettu.", None)
    assert answer.name == "AnswerCallbackQuery"
    assert await stored(app, AINO) == before
    [next_step] = await harness.say(AINO, DESCRIPTION)  # the draft carries on where it was
    assert "alue" in next_step.text.lower()


async def test_cancel_command_keeps_everything_too(harness, app, city):
    await onboard(harness, AINO, "fi")
    before = await stored(app, AINO)
    await ask_to_delete(harness, AINO)
    [reply] = await harness.say(AINO, "/cancel")
    assert reply.text == "Mitään ei poistettu."
    assert await stored(app, AINO) == before


async def test_stale_and_forged_confirmations_change_nothing_and_say_so(harness, app, city):
    await onboard(harness, AINO, "fi")
    await propose(harness, AINO)
    before = await stored(app, AINO)

    [refused] = await harness.press(AINO, "pdx:erase")  # forged: no /delete was asked
    assert (refused.name, refused.text) == ("AnswerCallbackQuery", STALE)

    first = await ask_to_delete(harness, AINO)
    first_id = harness.session.latest_with_buttons[AINO.id]
    await ask_to_delete(harness, AINO)  # asked again: only the newest question's buttons act
    refused, again = await harness.press(AINO, "pdx:erase", message_id=first_id)
    assert refused.text == STALE
    assert again.name == "SendMessage" and again.text == first.text  # the question, at the bottom again

    await harness.press(AINO, "pdx:cancel")
    cancelled_id = harness.session.latest_with_buttons[AINO.id]
    [refused] = await harness.press(AINO, "pdx:erase", message_id=cancelled_id)  # answered already
    assert refused.text == STALE

    [refused] = await harness.press(AINO, "pdx:everything")  # not a button of ours at all
    assert (refused.text, refused.show_alert) == ("Tämä painike ei ole enää käytössä.", True)
    assert await stored(app, AINO) == before


async def test_confirming_erases_and_the_same_account_starts_afresh(harness, app, city):
    await onboard(harness, AINO, "fi")
    await propose(harness, AINO)
    erased_id = (await resident_of(app, AINO)).id
    await ask_to_delete(harness, AINO)
    edit, answer = await harness.press(AINO, "pdx:erase")
    assert (edit.name, edit.text, edit.reply_markup) == ("EditMessageText", ERASED, None)
    async with app.uow_factory() as uow:
        assert await uow.residents.by_telegram_id(AINO.id) is None
        tombstone = await uow.session.get(Resident, erased_id)
        assert (tombstone.telegram_id, tombstone.resident_type, tombstone.erased_at is not None) == (
            -erased_id, None, True)
        assert (await uow.session.scalars(select(Proposal))).all() == []
        keys = (await uow.session.scalars(select(ConversationState.key))).all()
        assert [key for key in keys if str(AINO.id) in key] == []

    [welcome] = await harness.say(AINO, "/start")  # a new resident: onboarding from the first question
    assert welcome.keyboard[0][0][1].startswith("lang:")
    fresh = await resident_of(app, AINO)
    assert fresh.id != erased_id and fresh.onboarded_at is None and fresh.resident_type is None


async def test_in_a_group_neither_command_shows_or_erases_anything(harness, app, city):
    await onboard(harness, AINO, "fi")
    await propose(harness, AINO)
    before = await stored(app, AINO)
    for text in ("/mydata", "/delete"):
        calls = await harness.feed(in_group(updates.message(AINO, text)))
        assert [call.name for call in calls if call.name == "SendDocument"] == []
        assert all("pdx:" not in str(call.keyboard) and TITLE not in str(getattr(call, "text", ""))
                   for call in calls)
    await harness.feed(in_group(updates.callback(AINO, "pdx:erase")))
    assert await stored(app, AINO) == before


async def forget_riikkas_conversations(client) -> None:
    await client.delete(*[key async for key in client.scan_iter(f"fsm:*:{RIIKKA.id}:*")] or ["-"])


@pytest.fixture
async def redis_url():
    return await reachable_redis(REDIS_URL, forget_riikkas_conversations)


@pytest.mark.parametrize("settings_overrides", [{"redis_url": REDIS_URL}])
async def test_with_redis_erasing_clears_the_conversation_there(redis_url, settings_overrides, app, harness, city):
    assert isinstance(app.dispatcher.fsm.storage, RedisStorage)
    await onboard(harness, RIIKKA, "fi")
    await harness.say(RIIKKA, "/propose")
    await harness.say(RIIKKA, "Koirapuisto")
    client = Redis.from_url(REDIS_URL)
    try:
        assert [key async for key in client.scan_iter(f"fsm:*:{RIIKKA.id}:*")]
        await ask_to_delete(harness, RIIKKA)
        await harness.press(RIIKKA, "pdx:erase")
        assert [key async for key in client.scan_iter(f"fsm:*:{RIIKKA.id}:*")] == []
    finally:
        await client.aclose()
    [welcome] = await harness.say(RIIKKA, "/start")
    assert welcome.keyboard[0][0][1].startswith("lang:")
