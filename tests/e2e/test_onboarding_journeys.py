"""Residents onboard through the real bot and the sandbox: several at once, in their languages."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

import aiohttp
import pytest
from aiogram.dispatcher.event.bases import UNHANDLED

from sandbox import SandboxClient, run_sandbox
from tests.e2e.conftest import WEBHOOK_SECRET, Persona, bot_settings, labels, running_bot, started_app

pytestmark = pytest.mark.asyncio


@dataclass(frozen=True)
class Journey:
    """What one resident answers during onboarding, and how the bot's questions read for them."""

    welcome: str  # how the first message (the language question) begins, in the guessed language
    language_buttons: list[str]  # the guessed language is ticked
    language: str
    type_question: str
    type_buttons: list[str]
    resident_type: str
    area_question: str
    area_taps: tuple[str, ...]  # page turns, then the area
    done: str


FINNISH_TYPES = ["🏠 Asun täällä", "🌲 Vapaa-ajan asukas", "💼 Työskentelen tai opiskelen täällä", "🙂 Jokin muu",
                 "Ohita ›"]
AINO = Journey(
    welcome="👋 Tervetuloa Foorumiin – kanavaan, jossa asukkaat",
    language_buttons=["✓ Suomi", "Svenska", "English"],
    language="✓ Suomi",
    type_question="Kuka olet? Tämä auttaa kaupunkia tavoittamaan oikeat ihmiset – tietoa ei näytetä muille.",
    type_buttons=FINNISH_TYPES,
    resident_type="🏠 Asun täällä",
    area_question="Mikä alue on sinua lähimpänä? Valitse kylä tai kaupunginosa – tai koko kaupunki.\n\nSivu 1/3",
    area_taps=("Keskusta",),
    done="Valmista! 🎉 Voit muuttaa valintojasi milloin tahansa komennolla /settings.",
)
PENTTI = Journey(
    welcome=AINO.welcome,
    language_buttons=AINO.language_buttons,
    language="✓ Suomi",
    type_question=AINO.type_question,
    type_buttons=FINNISH_TYPES,
    resident_type="🏠 Asun täällä",
    area_question=AINO.area_question,
    area_taps=("Seuraava ›", "Haukivuori"),
    done=AINO.done,
)
SVEN = Journey(
    welcome="👋 Välkommen till Foorumi – kanalen där invånare",
    language_buttons=["Suomi", "✓ Svenska", "English"],
    language="✓ Svenska",
    type_question="Vem är du? Det hjälper staden att nå rätt personer – uppgiften visas aldrig för andra.",
    type_buttons=["🏠 Jag bor här", "🌲 Fritidsinvånare", "💼 Jag arbetar eller studerar här", "🙂 Något annat",
                  "Hoppa över ›"],
    resident_type="🌲 Fritidsinvånare",
    area_question="Vilket område ligger närmast dig? Välj din by eller stadsdel – eller hela staden.\n\nSida 1 av 3",
    area_taps=("Nästa ›", "Kristina"),  # Ristiina in Swedish
    done="Klart! 🎉 Du kan ändra dina val när som helst med /settings.",
)
GRACE = Journey(
    welcome="👋 Welcome to Foorumi – the channel where residents",
    language_buttons=["Suomi", "Svenska", "✓ English"],
    language="✓ English",
    type_question="Who are you? This helps the city reach the right people – it is never shown to others.",
    type_buttons=["🏠 I live here", "🌲 Holiday resident", "💼 I work or study here", "🙂 Something else", "Skip ›"],
    resident_type="💼 I work or study here",
    area_question="Which area is closest to you? Choose your village or district, or the whole city.\n\nPage 1 of 3",
    area_taps=("🏙 Whole city",),
    done="All set! 🎉 You can change these choices at any time with /settings.",
)


async def onboard(persona: Persona, journey: Journey) -> None:
    """/start → language → resident type → area, checking every question the resident sees."""
    message = await persona.send("/start")
    assert message["text"].startswith(journey.welcome)
    assert labels(message) == [journey.language_buttons]

    message = await persona.tap(message, journey.language)
    assert message["text"] == journey.type_question
    assert labels(message) == [[label] for label in journey.type_buttons]

    message = await persona.tap(message, journey.resident_type)
    assert message["text"] == journey.area_question
    for label in journey.area_taps:
        message = await persona.tap(message, label)

    assert message["text"].startswith(journey.done)
    assert labels(message) == []


async def test_three_residents_onboard_at_once_each_in_their_language(mikkeli_database_url, people):
    async with running_bot(mikkeli_database_url) as running:
        client, i18n = running.client, running.app.i18n
        await asyncio.gather(
            onboard(Persona(client, people.aino), AINO),
            onboard(Persona(client, people.sven), SVEN),
            onboard(Persona(client, people.grace), GRACE),
        )
        menu = await client.commands(people.sven)
        stats = await client.stats()

    start = next(command for command in menu["commands"] if command["command"] == "start")
    assert start["description"] == i18n.gettext("Welcome and what you can do here", locale="sv")
    assert stats["too_many_requests"] == 0  # the bot paced itself within Telegram's limits


async def test_webhook_mode_with_a_secret(mikkeli_database_url, people):
    async with running_bot(mikkeli_database_url, webhook=True) as running:
        await asyncio.gather(
            onboard(Persona(running.client, people.pentti), PENTTI),
            onboard(Persona(running.client, people.grace), GRACE),
        )
        hook = running.sandbox.state.webhook
        assert hook is not None and hook.url == f"{running.app.settings.webhook_url}/webhook"
        assert hook.secret_token == WEBHOOK_SECRET

        async with aiohttp.ClientSession() as session:
            forged = {"update_id": 999, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}}
            headers = {"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            async with session.post(hook.url, json=forged, headers=headers) as response:
                assert response.status == 401


async def test_onboarding_answers_survive_a_bot_restart(mikkeli_database_url, people):
    async with run_sandbox() as sandbox:
        async with running_bot(mikkeli_database_url, sandbox=sandbox) as first:
            await onboard(Persona(first.client, people.aino), AINO)

        async with running_bot(mikkeli_database_url, sandbox=sandbox) as second:
            aino = Persona(second.client, people.aino)
            settings = await aino.send("/settings")
            welcome = await aino.send("/start")

    lines = settings["text"].splitlines()
    assert lines[0] == "Asetuksesi"
    assert {"Kieli: suomi", "Kuka olet: 🏠 Asun täällä", "Alue: Keskusta"} <= set(lines)
    assert welcome["text"].startswith("Tervetuloa takaisin! 👋")


@pytest.mark.parametrize(
    ("default_locale", "welcome", "language_buttons"),
    [
        ("fi", AINO.welcome, ["✓ Suomi", "Svenska", "English"]),
        ("sv", SVEN.welcome, ["Suomi", "✓ Svenska", "English"]),
    ],
    ids=["fi", "sv"],
)
async def test_a_language_foorumi_does_not_speak_gets_the_default_locale(
    e2e_database_url, people, default_locale, welcome, language_buttons
):
    async with running_bot(e2e_database_url, default_locale=default_locale) as running:
        message = await Persona(running.client, people.lena).send("/start")  # Lena's Telegram speaks German

    assert message["text"].startswith(welcome)
    assert labels(message) == [language_buttons]


async def test_an_update_delivered_again_after_a_crash_is_handled_once(e2e_database_url, people):
    """Telegram delivers an update again until the next getUpdates confirms it; the bot may have
    handled it just before it stopped. The store remembers the update id, so nobody hears twice."""
    async with run_sandbox() as sandbox, SandboxClient(sandbox.url) as client:
        settings = bot_settings(sandbox, e2e_database_url)
        await client.send_text(people.aino, "/start")
        async with started_app(settings) as first:
            updates = await first.bot.get_updates()  # read but never confirmed: the bot stops here
            await first.dispatcher.feed_update(first.bot, updates[0])

        async with started_app(settings) as restarted:
            again = await restarted.bot.get_updates()
            assert [update.update_id for update in again] == [updates[0].update_id]
            assert await restarted.dispatcher.feed_update(restarted.bot, again[0]) is UNHANDLED

        transcript = await client.transcript(people.aino)

    replies = [message for message in transcript["messages"] if message["from_bot"]]
    assert len(replies) == 1 and replies[0]["text"].startswith(AINO.welcome)
