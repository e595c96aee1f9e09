"""Forums as residents see them: /forums, a forum's page (/f7 and its deep link), answering and
changing the answer with the .ics sent along, a full room, the map, and buttons that are stale,
forged or pressed in a group: they change nothing and say so."""
from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from bot.services import forum_rsvp
from domain import Attendance
from handlers import command_menu
from storage.models import Broadcast, Forum, Resident, Rsvp
from tests.support.clock import MIDDAY
from tests.support.forums import ENDS, NOTICES, STARTS, new_forum, theme
from tests.support.proposals import notifications, set_language
from tests.support.updates import AINO, SVEN, Person, callback, message

# Deliveries must not wait for quiet hours.
pytestmark = pytest.mark.parametrize("clock", [MIDDAY], indirect=True, ids=["midday"])

GONE = "That is no longer available – it may have been changed or removed."
INVALID = "This button is no longer valid."
REMOTE_URL = "https://meet.example.fi/kirjasto"


def only(calls, name: str):
    [call] = [call for call in calls if call.name == name]
    return call


def answered(calls) -> str | None:
    return only(calls, "AnswerCallbackQuery").text


async def stored(app, forum_id: int) -> dict[int, str]:
    """Telegram id → attendance."""
    async with app.uow_factory() as uow:
        rows = await uow.session.execute(select(Resident.telegram_id, Rsvp.attendance)
                                         .join(Resident, Resident.id == Rsvp.resident_id)
                                         .where(Rsvp.forum_id == forum_id))
        return dict(rows.all())


async def answer_as(app, person: Person, forum_id: int, attendance: Attendance) -> None:
    async with app.uow_factory() as uow:
        resident = await uow.residents.by_telegram_id(person.id)
        await forum_rsvp.rsvp(uow, resident, forum_id, attendance, NOTICES, app.clock.now())


def move_to(clock, moment) -> None:
    clock.advance((moment - clock.now()).total_seconds())


def calendar_of(call) -> Calendar:
    assert call.document.filename.endswith(".ics")
    return Calendar.from_ical(call.document.data)


# --- /forums --------------------------------------------------------------------------------------

async def test_forums_lists_those_not_yet_over_soonest_first_five_a_page(app, harness, clock):
    await set_language(app, AINO, "fi")
    theme_id = await theme(app.uow_factory)
    past = await new_forum(app.uow_factory, theme_id, title={"fi": "Mennyt"},
                           starts_at=STARTS - timedelta(days=6), ends_at=STARTS - timedelta(days=6, hours=-2))
    later = [await new_forum(app.uow_factory, theme_id, title={"fi": f"Foorumi {n}"},
                             starts_at=STARTS + timedelta(days=n), ends_at=ENDS + timedelta(days=n))
             for n in (5, 1, 4, 2, 3)]
    live = await new_forum(app.uow_factory, theme_id, title={"fi": "Nyt"})
    move_to(clock, STARTS + timedelta(minutes=30))

    [first] = await harness.say(AINO, "/forums")
    assert first.text == (
        "🗣 <b>Tulevat foorumit</b> – napauta foorumia nähdäksesi sen ja ilmoittautuaksesi.\n\n"
        f"• 🔴 <b>Käynnissä nyt:</b> Nyt – /f{live}\n"
        f"• ke 5.8. klo 18.00: Foorumi 1 – /f{later[1]}\n"
        f"• to 6.8. klo 18.00: Foorumi 2 – /f{later[3]}\n"
        f"• pe 7.8. klo 18.00: Foorumi 3 – /f{later[4]}\n"
        f"• la 8.8. klo 18.00: Foorumi 4 – /f{later[2]}")
    assert f"/f{past}" not in first.text
    assert first.keyboard == [
        [("🔴 Nyt", f"fo:{live}")], [("Foorumi 1", f"fo:{later[1]}")], [("Foorumi 2", f"fo:{later[3]}")],
        [("Foorumi 3", f"fo:{later[4]}")], [("Foorumi 4", f"fo:{later[2]}")], [("Seuraava ›", "fpg:1")]]
    second = only(await harness.press(AINO, "fpg:1"), "EditMessageText")
    assert f"• su 9.8. klo 18.00: Foorumi 5 – /f{later[0]}" in second.text
    assert second.keyboard == [[("Foorumi 5", f"fo:{later[0]}")], [("‹ Edellinen", "fpg:0")]]
    opened = only(await harness.press(AINO, f"fo:{live}"), "EditMessageText")
    assert opened.text.startswith("🗣 <b>Nyt</b>\n🔴 Käynnissä nyt\n\n")


async def test_no_forums_coming_up_is_said_plainly(app, harness):
    await set_language(app, SVEN, "sv")
    [reply] = await harness.say(SVEN, "/forums")
    assert reply.text == "Inga forum är på kommande just nu. När ett forum annonseras syns det här."
    assert ("forums", "Upcoming forums") in command_menu().residents


# --- a forum's page ---------------------------------------------------------------------------------

async def test_f7_and_its_deep_link_open_the_forums_page(app, harness):
    await set_language(app, AINO, "fi")
    theme_id = await theme(app.uow_factory)
    forum_id = await new_forum(app.uow_factory, theme_id, capacity=40)
    [page] = await harness.say(AINO, f"/f{forum_id}")
    assert page.text == (
        "🗣 <b>Kirjaston tulevaisuus</b>\n\n"
        "Keskustellaan aukioloajoista.\n\n"
        "🗓 ti 4.8. klo 18.00–20.00\n"
        "📍 Mikkelin pääkirjasto, Raatihuoneenkatu 6\n"
        "💻 Voit osallistua myös etänä.\n"
        f"🧭 Teema: Kirjaston aukioloajat – /p{theme_id}\n\n"
        "👥 Tulossa: 0 paikan päällä, 0 etänä\n"
        "🪑 Paikkoja jäljellä: 40/40\n\n"
        "Tuletko? Valitse alta.")
    assert page.keyboard == [
        [("🙋 Paikan päällä", f"fr:{forum_id}:in_person"), ("💻 Etänä", f"fr:{forum_id}:remote")],
        [("✖️ En tule", f"fr:{forum_id}:not_coming")],
        [("📍 Kartta", f"fmap:{forum_id}")],
        [("‹ Kaikki foorumit", "fpg:0")],
    ]
    [linked] = await harness.say(AINO, f"/start f{forum_id}")
    assert (linked.text, linked.keyboard) == (page.text, page.keyboard)
    [unknown] = await harness.say(AINO, "/f999")
    assert unknown.text == harness.translate(GONE, "fi")


async def test_the_map_button_sends_the_place_as_a_venue(app, harness):
    await set_language(app, SVEN, "sv")
    forum_id = await new_forum(app.uow_factory)
    await harness.say(SVEN, f"/f{forum_id}")
    venue = only(await harness.press(SVEN, f"fmap:{forum_id}"), "SendVenue")
    assert (venue.chat_id, venue.latitude, venue.longitude) == (SVEN.id, 61.6886, 27.2723)
    assert (venue.title, venue.address) == ("Bibliotekets framtid", "Mikkelin pääkirjasto, Raatihuoneenkatu 6")


# --- answering ----------------------------------------------------------------------------------------

async def test_an_answer_updates_the_page_and_sends_the_forum_for_the_calendar(app, harness):
    await set_language(app, AINO, "fi")
    forum_id = await new_forum(app.uow_factory)
    [page] = await harness.say(AINO, f"/f{forum_id}")
    calls = await harness.press(AINO, f"fr:{forum_id}:in_person")
    edit = only(calls, "EditMessageText")
    assert edit.message_id == harness.session.latest_with_buttons[AINO.id]
    assert edit.text.endswith("👥 Tulossa: 1 paikan päällä, 0 etänä\n\nIlmoittautumisesi: 🙋 Paikan päällä")
    assert edit.keyboard[:3] == [
        [("✅ 🙋 Paikan päällä", f"fr:{forum_id}:in_person"), ("💻 Etänä", f"fr:{forum_id}:remote")],
        [("✖️ En tule", f"fr:{forum_id}:not_coming")],
        [("📅 Lisää kalenteriin", f"fcal:{forum_id}")],
    ]
    assert answered(calls) == "✅ Nähdään paikan päällä!"
    document = only(calls, "SendDocument")
    assert (document.chat_id, document.document.filename) == (AINO.id, f"foorumi-{forum_id}.ics")
    assert document.caption.startswith("📅 Avaa tiedosto")
    [event] = calendar_of(document).walk("VEVENT")
    assert str(event["URL"]) == f"https://t.me/foorumi_test_bot?start=f{forum_id}"
    assert str(event["UID"]) == f"forum-{forum_id}@foorumi_test_bot.t.me"
    assert calls.index(edit) < calls.index(document)

    calls = await harness.press(AINO, f"fr:{forum_id}:remote")
    assert answered(calls) == "✅ Osallistut etänä."
    [event] = calendar_of(only(calls, "SendDocument")).walk("VEVENT")
    assert str(event["URL"]) == REMOTE_URL

    calls = await harness.press(AINO, f"fr:{forum_id}:not_coming")
    assert answered(calls) == "Kiitos, että kerroit."
    assert only(calls, "EditMessageText").text.endswith("Ilmoittautumisesi: ✖️ En tule")
    assert not [call for call in calls if call.name == "SendDocument"]
    calls = await harness.press(AINO, f"fr:{forum_id}:not_coming")  # a double tap
    assert answered(calls) == "Tämä on jo ilmoittautumisesi."
    assert not [call for call in calls if call.name == "SendDocument"]
    assert await stored(app, forum_id) == {AINO.id: "not_coming"}
    assert page.text.endswith("Tuletko? Valitse alta.")


async def test_the_invitations_buttons_answer_too_and_the_calendar_can_be_fetched_again(app, harness):
    await set_language(app, SVEN, "sv")
    forum_id = await new_forum(app.uow_factory)
    [(_texts, invited)] = await notifications(app, "forum")
    assert SVEN.id in invited
    async with app.uow_factory() as uow:
        invitation = await uow.session.scalar(select(Broadcast).where(Broadcast.kind == "forum"))
    [_in_person, (label, remote)] = invitation.buttons["sv"][0]
    assert (label, remote) == ("💻 På distans", f"fr:{forum_id}:remote")
    calls = await harness.press(SVEN, remote, message_id=4321)  # on the invitation
    assert only(calls, "EditMessageText").message_id == 4321
    assert only(calls, "EditMessageText").text.startswith("🗣 <b>Bibliotekets framtid</b>")
    assert only(calls, "SendDocument").caption.startswith("📅 Öppna filen")
    again = only(await harness.press(SVEN, f"fcal:{forum_id}"), "SendDocument")
    [event] = calendar_of(again).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Bibliotekets framtid"


async def test_a_full_forum_offers_remote_or_the_waiting_list_and_a_freed_seat_is_told(app, harness):
    await set_language(app, AINO, "fi")
    await set_language(app, SVEN, "sv")
    forum_id = await new_forum(app.uow_factory, capacity=1)
    await answer_as(app, SVEN, forum_id, Attendance.IN_PERSON)
    await harness.say(AINO, f"/f{forum_id}")
    calls = await harness.press(AINO, f"fr:{forum_id}:in_person")
    assert answered(calls) == "Kaikki paikat on varattu. Voit osallistua etänä tai liittyä jonotuslistalle."
    edit = only(calls, "EditMessageText")
    assert "🪑 Paikkoja jäljellä: 0/1" in edit.text
    assert edit.keyboard[0] == [("⏳ Jonotuslistalla", f"fr:{forum_id}:waiting"), ("💻 Etänä", f"fr:{forum_id}:remote")]
    assert not [call for call in calls if call.name == "SendDocument"]
    assert await stored(app, forum_id) == {SVEN.id: "in_person"}

    calls = await harness.press(AINO, f"fr:{forum_id}:waiting")
    assert answered(calls) == "⏳ Olet jonotuslistalla. Kerromme sinulle, jos paikka vapautuu."
    assert only(calls, "EditMessageText").text.endswith(
        "⏳ Jonotuslistalla: 1\n\nIlmoittautumisesi: ⏳ Jonotuslistalla\nKerromme sinulle, jos paikka vapautuu.")
    assert not [call for call in calls if call.name == "SendDocument"]

    await harness.say(SVEN, f"/f{forum_id}")
    await harness.press(SVEN, f"fr:{forum_id}:not_coming")
    assert await stored(app, forum_id) == {SVEN.id: "not_coming", AINO.id: "in_person"}
    [told] = [call for call in await harness.deliver() if call.chat_id == AINO.id]
    assert told.text.startswith("🎉 <b>Sinulle vapautui paikka</b> – olet nyt tulossa paikan päälle:\n\n"
                                "<b>Kirjaston tulevaisuus</b>")
    assert told.text.endswith(f"Lisää foorumi kalenteriisi tai muuta ilmoittautumistasi: /f{forum_id}")


async def test_a_remote_attendee_of_a_live_forum_may_ask_a_question_and_no_seat_is_given(app, harness, clock):
    await set_language(app, AINO, "fi")
    await set_language(app, SVEN, "sv")
    forum_id = await new_forum(app.uow_factory)
    await answer_as(app, AINO, forum_id, Attendance.REMOTE)
    move_to(clock, STARTS + timedelta(minutes=10))
    [page] = await harness.say(AINO, f"/f{forum_id}")
    assert page.text.startswith("🗣 <b>Kirjaston tulevaisuus</b>\n🔴 Käynnissä nyt\n\n")
    assert page.keyboard[:3] == [
        [("✅ 💻 Etänä", f"fr:{forum_id}:remote")],
        [("✖️ En tule", f"fr:{forum_id}:not_coming")],
        [("📅 Lisää kalenteriin", f"fcal:{forum_id}")],
    ]
    assert ("❓ Esitä kysymys", f"fq:{forum_id}") in [button for row in page.keyboard for button in row]
    [svens] = await harness.say(SVEN, f"/f{forum_id}")
    assert f"fq:{forum_id}" not in str(svens.keyboard)
    calls = await harness.press(SVEN, f"fr:{forum_id}:in_person")  # from an older copy of the page
    assert answered(calls) == "Forumet har redan börjat, så inga fler platser delas ut."
    assert await stored(app, forum_id) == {AINO.id: "remote"}


# --- stale, forged and misplaced buttons -------------------------------------------------------------

async def test_stale_and_forged_buttons_change_nothing_and_say_so(app, harness, clock):
    await set_language(app, AINO, "fi")
    forum_id = await new_forum(app.uow_factory)
    offline = await new_forum(app.uow_factory, remote_url=None, title={"fi": "Ilman etäyhteyttä"})
    hidden = await new_forum(app.uow_factory)
    async with app.uow_factory() as uow:
        (await uow.session.get(Forum, hidden)).announced_at = None
        await uow.commit()
    await harness.say(AINO, f"/f{forum_id}")

    calls = await harness.press(AINO, f"fr:{forum_id}:maybe")
    assert [call.name for call in calls] == ["AnswerCallbackQuery"]
    assert answered(calls) == harness.translate(INVALID, "fi")
    for gone in (999, hidden):
        calls = await harness.press(AINO, f"fr:{gone}:in_person")
        assert answered(calls) == harness.translate(GONE, "fi")
        assert not [call for call in calls if call.name == "EditMessageText"]
    calls = await harness.press(AINO, f"fr:{offline}:remote")
    assert answered(calls) == "Tähän foorumiin ei voi osallistua etänä."
    assert only(calls, "EditMessageText").text.startswith("🗣 <b>Ilman etäyhteyttä</b>")
    calls = await harness.press(AINO, f"fcal:{forum_id}")  # no answer, so no calendar
    assert answered(calls) == harness.translate(INVALID, "fi")
    assert not [call for call in calls if call.name == "SendDocument"]

    move_to(clock, ENDS)
    calls = await harness.press(AINO, f"fr:{forum_id}:in_person")
    assert answered(calls) == "Foorumi on päättynyt: ilmoittautuminen on suljettu."
    edit = only(calls, "EditMessageText")
    assert "🏁 Tämä foorumi on päättynyt." in edit.text and "Tuletko?" not in edit.text
    assert edit.keyboard == [[("📍 Kartta", f"fmap:{forum_id}")], [("‹ Kaikki foorumit", "fpg:0")]]
    for chosen in (forum_id, offline, hidden):
        assert await stored(app, chosen) == {}


async def test_a_group_chat_is_no_place_for_forums(app, harness):
    await set_language(app, AINO, "fi")
    forum_id = await new_forum(app.uow_factory)
    group = {"id": -100777, "type": "group", "title": "Kyläyhdistys"}
    for text in ("/forums", f"/f{forum_id}"):
        update = message(AINO, text)
        update["message"]["chat"] = group
        [pointer] = [call for call in await harness.feed(update) if call.name == "SendMessage"]
        assert "yksityisessä keskustelussa" in pointer.text  # only the way to the private chat
    update = callback(AINO, f"fr:{forum_id}:in_person")
    update["callback_query"]["message"]["chat"] = group
    calls = await harness.feed(update)
    assert not [call for call in calls if call.name in ("EditMessageText", "SendDocument")]
    assert await stored(app, forum_id) == {}
