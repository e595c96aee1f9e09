"""Done-when of the proposals issue, against the sandbox over real HTTP: Sven proposes in Swedish,
Aino approves in Finnish, Grace (English) finds, supports and follows it and hears each change."""

from __future__ import annotations

import pytest

from bot.services import outbox, residents, staff
from domain import Role
from tests.e2e.conftest import PEOPLE, Persona, callback_data, labels, running_bot
from tests.support.clock import MIDDAY, RunningClock

pytestmark = pytest.mark.asyncio

TITLE = "Fler bänkar vid torget"
DESCRIPTION = "Det finns för få sittplatser på torget, särskilt för äldre på marknadsdagarna."


async def prepare(app) -> None:
    """Aino moderates; nobody has quiet hours, so the test does not depend on the time of day."""
    async with app.uow_factory() as uow:
        await staff.grant(uow, PEOPLE.aino, Role.MODERATOR, None)
        for user_id, locale in ((PEOPLE.aino, "fi"), (PEOPLE.sven, "sv"), (PEOPLE.grace, "en")):
            resident = await residents.greet(uow, user_id, locale, app.clock.now())
            await outbox.set_quiet_hours(uow, resident, 0, 0, app.clock.now())


async def next_message(persona: Persona, after: int) -> dict:
    return await persona.client.wait_for_reply(persona.user_id, after)


async def seq(persona: Persona) -> int:
    return (await persona.client.events(persona.user_id))["seq"]


async def test_swedish_proposal_finnish_moderator_english_follower(mikkeli_database_url):
    # Decisions on the cards are dated: the bot's clock starts at a known midday.
    async with running_bot(mikkeli_database_url, clock=RunningClock(MIDDAY)) as running:
        await prepare(running.app)
        sven, aino, grace = (
            Persona(running.client, user) for user in (PEOPLE.sven, PEOPLE.aino, PEOPLE.grace)
        )

        ask = await sven.send("/propose")
        assert ask["text"].startswith("Nytt förslag · steg 1 av 5")
        await sven.send(TITLE)
        area = await sven.send(DESCRIPTION)
        photo = await sven.tap(area, "🏙 Hela staden")
        location = await sven.tap(photo, "Hoppa över ›")
        preview = await sven.tap(location, "Hoppa över ›")
        assert labels(preview) == [["📨 Skicka", "✏️ Redigera", "✖️ Avbryt"]]

        before_card = await seq(aino)
        sent = await sven.tap(preview, "📨 Skicka")
        assert sent["text"].startswith(f"📨 Tack! Ditt förslag {TITLE} (#1)")
        card = await next_message(aino, before_card)
        assert card["text"].startswith(f"🆕 Uusi ehdotus #1 (ruotsiksi)\n\n{TITLE}")

        before_outcome = await seq(sven)
        decided = await aino.tap(card, "✅ Hyväksy")
        assert decided["text"].endswith("✅ Hyväksytty – moderaattori, ma 15.6. klo 12.00")  # no name in private
        outcome = await next_message(sven, before_outcome)  # through the outbox
        assert outcome["text"].startswith(
            f"✅ Ditt förslag {TITLE} har godkänts och är nu offentligt."
        )

        listing = await grace.send("/proposals")
        assert listing["text"].startswith("Proposals · All areas · newest first")
        opened = await grace.tap(listing, f"#1 {TITLE}")
        supported = await grace.tap(opened, "👍 Support")
        assert "👥 1 supporter" in supported["text"]
        followed = await grace.tap(supported, "🔔 Follow")
        assert labels(followed)[0] == ["↩️ Withdraw support", "🔕 Unfollow"]

        theme = await aino.send("/p1")
        choices = await aino.tap(theme, "🧭 Siirrä toiseen vaiheeseen")
        prompt = await aino.tap(choices, "🛠 Valmistelu")
        assert prompt["text"].startswith("Uusi vaihe: 🛠 Valmistelu.")
        confirm = await aino.send("Tekninen toimi selvittää penkkien paikat kevään aikana.")
        assert "Muutoksesta kerrotaan 2 seuraajalle." in confirm["text"]
        before_notice = await seq(grace)
        await aino.tap(confirm, "✅ Siirrä")
        notice = await next_message(grace, before_notice)
        assert notice["text"].startswith(f"🧭 {TITLE} has moved on its path: 🛠 Preparation")
        assert "(only available in Finnish)" in notice["text"]

        pressed = await running.client.press(
            PEOPLE.grace, followed["message_id"], callback_data(followed, "🧭 Timeline")
        )
        timeline = await running.client.wait_for_edit(
            PEOPLE.grace, followed["message_id"], pressed["seq"]
        )
        assert timeline["text"].splitlines()[1] == (
            "✓ 💡 Initiative → 🛠 Preparation → 🗣 Forum → 🏗 Implementation → 🏁 Done"
        )
