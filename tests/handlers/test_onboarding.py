"""/start and onboarding, as Finnish, Swedish, English and German-speaking users."""
from __future__ import annotations

import pytest

from foorumi.app import build_app
from tests.support.clock import FakeClock
from tests.support.harness import BotHarness
from tests.support.proposals import resident_of
from tests.support.recording import RecordingSession
from tests.support.updates import AINO, GRACE, HANS, SVEN, sticker

LANGUAGES_ROW = [("Suomi", "lang:fi:o"), ("Svenska", "lang:sv:o"), ("English", "lang:en:o")]


def with_check(row, chosen):
    return [(("✓ " if data.split(":")[1] == chosen else "") + text, data) for text, data in row]


@pytest.mark.parametrize(
    ("person", "locale", "greeting"),
    [
        (AINO, "fi", "👋 Tervetuloa <b>Foorumiin</b>"),
        (SVEN, "sv", "👋 Välkommen till <b>Foorumi</b>"),
        (GRACE, "en", "👋 Welcome to <b>Foorumi</b>"),
        (HANS, "fi", "👋 Tervetuloa <b>Foorumiin</b>"),  # unsupported language -> DEFAULT_LOCALE
    ],
)
async def test_start_greets_in_the_language_telegram_reports(harness, person, locale, greeting):
    [call] = await harness.say(person, "/start")
    assert call.name == "SendMessage"
    assert call.chat_id == person.id
    assert call.text.startswith(greeting)
    assert call.keyboard == [with_check(LANGUAGES_ROW, locale)]


async def test_full_onboarding_in_swedish(harness, app, city):
    await harness.say(SVEN, "/start")
    edit, answer = await harness.press(SVEN, "lang:sv:o")
    assert (edit.name, answer.name) == ("EditMessageText", "AnswerCallbackQuery")
    assert edit.text.startswith("Vem är du?")
    assert edit.keyboard == [
        [("🏠 Jag bor här", "type:permanent:o")],
        [("🌲 Fritidsinvånare", "type:holiday:o")],
        [("💼 Jag arbetar eller studerar här", "type:works:o")],
        [("🙂 Något annat", "type:other:o")],
        [("Hoppa över ›", "type:skip:o")],
    ]

    edit, _ = await harness.press(SVEN, "type:holiday:o")
    assert edit.text.startswith("Vilket område ligger närmast dig?")
    assert "Sida 1 av 3" in edit.text
    assert edit.keyboard[0] == [("🏙 Hela staden", "area:0:o")]
    assert edit.keyboard[1][0][0] == "Centrum"
    assert edit.keyboard[-2] == [("Nästa ›", "areas:1:o")]

    edit, _ = await harness.press(SVEN, "areas:1:o")
    assert "Sida 2 av 3" in edit.text
    assert edit.keyboard[-2] == [("‹ Föregående", "areas:0:o"), ("Nästa ›", "areas:2:o")]
    kristina = next(b for row in edit.keyboard for b in row if b[0] == "Kristina")

    edit, _ = await harness.press(SVEN, kristina[1])
    assert edit.text.startswith("Klart! 🎉")
    assert "/settings – Ditt språk, vem du är och ditt område" in edit.text
    assert edit.keyboard == []

    resident = await resident_of(app, SVEN)
    assert (resident.locale, resident.locale_confirmed, resident.resident_type) == ("sv", True, "holiday")
    assert resident.area.code == "ristiina"
    assert resident.onboarded_at is not None


async def test_choosing_another_language_switches_at_once(harness, app):
    await harness.say(AINO, "/start")
    edit, _ = await harness.press(AINO, "lang:en:o")
    assert edit.text.startswith("Who are you?")
    assert (await resident_of(app, AINO)).locale == "en"


async def test_onboarding_can_be_skipped(harness, app, city):
    await harness.say(GRACE, "/start")
    await harness.press(GRACE, "lang:en:o")
    await harness.press(GRACE, "type:skip:o")
    edit, _ = await harness.press(GRACE, "area:-1:o")
    assert edit.text.startswith("All set!")
    resident = await resident_of(app, GRACE)
    assert resident.resident_type is None and resident.area is None and resident.onboarded_at


async def test_returning_resident_is_welcomed_back(harness, city):
    await harness.say(GRACE, "/start")
    for data in ("lang:en:o", "type:works:o", "area:0:o"):
        await harness.press(GRACE, data)
    [call] = await harness.say(GRACE, "/start")
    assert call.text.startswith("Welcome back! 👋")
    assert "/help – What Foorumi is and how to use it" in call.text


async def test_onboarding_survives_a_restart(app, city):
    """A half-finished conversation is in the store, so a new process picks it up."""
    first = BotHarness(app)
    await first.say(AINO, "/start")
    await first.press(AINO, "lang:fi:o")
    await app.close()

    restarted = build_app(app.settings, session=RecordingSession(), clock=FakeClock())
    try:
        again = BotHarness(restarted)
        explain, question = await again.say(AINO, "kesämökki")
        assert explain.text == "Vastaathan painikkeilla – tai ohita kysymys, jos haluat."
        assert question.text.startswith("Kuka olet?")
        edit, _ = await again.press(AINO, "type:permanent:o")
        assert edit.text.startswith("Mikä alue on sinua lähimpänä?")
    finally:
        await restarted.close()


async def test_sticker_mid_onboarding_gets_a_polite_reminder(harness):
    await harness.say(AINO, "/start")
    explain, question = await harness.feed(sticker(AINO))
    assert explain.text == "Vastaathan painikkeilla – tai ohita kysymys, jos haluat."
    assert question.keyboard == [with_check(LANGUAGES_ROW, "fi")]


async def test_unknown_deep_link_gets_a_friendly_reply(harness):
    note, greeting = await harness.say(SVEN, "/start x-unknown-payload")
    assert note.text == "Länken ledde ingenstans – den kan vara gammal eller felskriven."
    assert greeting.text.startswith("👋 Välkommen")


async def test_an_older_copy_of_a_question_changes_nothing_and_says_so(harness, app, city):
    await harness.say(AINO, "/start")
    await harness.press(AINO, "lang:fi:o")
    first_copy = harness.session.latest_with_buttons[AINO.id]
    explain, again = await harness.say(AINO, "en tiedä")  # typed text: the question once more
    assert explain.text == "Vastaathan painikkeilla – tai ohita kysymys, jos haluat."
    assert again.text.startswith("Kuka olet?")
    current_copy = harness.session.latest_with_buttons[AINO.id]
    assert current_copy != first_copy

    stale, question = await harness.press(AINO, "type:permanent:o", first_copy)
    assert (stale.name, stale.text) == (
        "AnswerCallbackQuery", "Tämä painike ei ole enää käytössä – käytä uusinta viestiä.")
    assert question.text.startswith("Kuka olet?")  # the current step, at the bottom of the chat
    assert (await resident_of(app, AINO)).resident_type is None

    edit, _ = await harness.press(AINO, "type:permanent:o")  # on the newest copy
    assert edit.text.startswith("Mikä alue on sinua lähimpänä?")
    assert (await resident_of(app, AINO)).resident_type == "permanent"
    stale, _question = await harness.press(AINO, "type:holiday:o")  # a second tap: a step behind
    assert stale.text == "Tämä painike ei ole enää käytössä – käytä uusinta viestiä."
    assert (await resident_of(app, AINO)).resident_type == "permanent"
    assert (await resident_of(app, AINO)).onboarded_at is None


async def test_onboarding_buttons_after_onboarding_change_nothing(harness, app, city):
    await harness.say(AINO, "/start")
    for data in ("lang:fi:o", "type:permanent:o", "area:0:o"):
        await harness.press(AINO, data)
    [stale] = await harness.press(AINO, "type:holiday:o")
    assert stale.text == "Tämä painike ei ole enää käytössä – käytä uusinta viestiä."
    assert (await resident_of(app, AINO)).resident_type == "permanent"
