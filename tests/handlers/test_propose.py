"""/propose step by step: every step and bad input, preview, edit, cancel, resume, flood limit."""

from __future__ import annotations

import asyncio

from bot.services import proposals
from bot.services.proposals import Draft
from domain import ALL_AREAS
from tests.support.proposals import (
    DESCRIPTION,
    TITLE,
    document,
    latest_proposal,
    location,
    make_moderator,
    photo,
    propose,
    set_language,
)
from tests.support.harness import BotHarness
from tests.support.updates import AINO, GRACE, SVEN, sticker

SV_TITLE_PROMPT = "<b>Nytt förslag</b> · steg 1 av 5\n\nVad föreslår du?"
SV_DESCRIPTION_PROMPT = "<b>Nytt förslag</b> · steg 2 av 5\n\nBerätta om ditt förslag"
SV_AREA_PROMPT = "<b>Nytt förslag</b> · steg 3 av 5\n\nVilket område gäller det"
SV_PHOTO_PROMPT = "<b>Nytt förslag</b> · steg 4 av 5\n\nEn bild säger mer än tusen ord."
SV_LOCATION_PROMPT = "<b>Nytt förslag</b> · steg 5 av 5\n\nGäller det en viss plats?"
SKIP_PHOTO_SV = [[("Hoppa över ›", "pds:photo")]]
SKIP_LOCATION_SV = [[("Hoppa över ›", "pds:location")]]


async def test_every_step_in_swedish_with_photo_and_location(harness, app, city, clock):
    await set_language(app, SVEN, "sv")
    [ask] = await harness.say(SVEN, "/propose")
    assert ask.text.startswith(SV_TITLE_PROMPT)
    assert "högst 100 tecken" in ask.text and "/cancel" in ask.text

    [ask] = await harness.say(SVEN, TITLE)
    assert ask.text.startswith(SV_DESCRIPTION_PROMPT)
    assert "högst 2\u00a0000 tecken" in ask.text  # Babel's sv_FI grouping

    [ask] = await harness.say(SVEN, DESCRIPTION)
    assert ask.text.startswith(SV_AREA_PROMPT)
    assert ask.keyboard[0] == [("🏙 Hela staden", "pda:0")]
    assert ask.keyboard[1][0][0] == "Centrum"
    assert ask.keyboard[-1] == [("Nästa ›", "pdp:1")]

    edit, _ = await harness.press(SVEN, "pdp:1")
    assert "Sida 2 av 3" in edit.text
    kristina = next(data for row in edit.keyboard for text, data in row if text == "Kristina")

    edit, _ = await harness.press(SVEN, kristina)
    assert edit.text.startswith(SV_PHOTO_PROMPT)
    assert edit.keyboard == SKIP_PHOTO_SV

    [ask] = await harness.feed(photo(SVEN))
    assert ask.text.startswith(SV_LOCATION_PROMPT)
    assert ask.keyboard == SKIP_LOCATION_SV

    [preview] = await harness.feed(location(SVEN))
    assert preview.text == (
        "<b>Förhandsvisning av ditt förslag</b>\n\n"
        f"<b>{TITLE}</b>\n📍 Kristina\n\n{DESCRIPTION}\n\n"
        "📷 Bild bifogad\n🗺 Plats bifogad\n\nVill du skicka det till moderatorerna?"
    )
    assert preview.keyboard == [
        [("📨 Skicka", "pd:send"), ("✏️ Redigera", "pd:edit"), ("✖️ Avbryt", "pd:cancel")]
    ]

    edit, _ = await harness.press(SVEN, "pd:send")
    assert edit.text.startswith("📨 Tack! Ditt förslag <b>Fler bänkar vid torget</b> (#")
    proposal = await latest_proposal(app)
    assert (proposal.title, proposal.description, proposal.status) == (
        TITLE,
        DESCRIPTION,
        "pending",
    )
    assert proposal.area.code == "ristiina"
    assert proposal.photo_file_id == "large-1"
    assert (proposal.latitude, proposal.longitude) == (61.6886, 27.2723)
    assert proposal.created_at == clock.now()


async def test_whole_city_and_skipping_the_optional_steps(harness, app, city):
    await propose(harness, GRACE)
    proposal = await latest_proposal(app)
    assert proposal.area_id is None
    assert proposal.photo_file_id is None and proposal.latitude is None


async def test_blank_title_is_refused_and_asked_again(harness, app):
    await harness.say(GRACE, "/propose")
    problem, again = await harness.say(GRACE, "   \n\t ")
    assert problem.text == "That was empty – please write a few words."
    assert again.text.startswith("<b>New proposal</b> · step 1 of 5")


async def test_too_long_title_tells_the_limit_and_the_length(harness):
    await harness.say(AINO, "/propose")
    problem, again = await harness.say(AINO, "Penkkejä torille " * 7)
    assert problem.text == (
        "Teksti on liian pitkä: siinä on 118 merkkiä, mutta enintään 100 mahtuu. Lyhennä tekstiä."
    )
    assert again.text.startswith("<b>Uusi ehdotus</b> · vaihe 1/5")


async def test_too_long_description(harness):
    await harness.say(GRACE, "/propose")
    await harness.say(GRACE, "Library opening hours on Sundays")
    problem, again = await harness.say(GRACE, "x" * 2001)
    assert problem.text == (
        "That is too long: 2\u00a0001 characters, at most 2\u00a0000 fit. Please shorten it.")
    assert again.text.startswith("<b>New proposal</b> · step 2 of 5")


async def test_sticker_or_file_where_text_is_expected(harness):
    await harness.say(SVEN, "/propose")
    problem, again = await harness.feed(sticker(SVEN))
    assert (
        problem.text
        == "Skriv det som text – klistermärken, bilder och filer går inte att använda här."
    )
    assert again.text.startswith(SV_TITLE_PROMPT)
    await harness.say(SVEN, TITLE)
    problem, again = await harness.feed(document(SVEN))
    assert problem.text.startswith("Skriv det som text")
    assert again.text.startswith(SV_DESCRIPTION_PROMPT)
    problem, again = await harness.feed(photo(SVEN))
    assert problem.text.startswith("Skriv det som text")


async def test_typing_at_the_area_step_asks_for_a_button(harness, city):
    await harness.say(GRACE, "/propose")
    await harness.say(GRACE, "Beaches kept by village associations")
    await harness.say(GRACE, "The village associations need help with the beaches.")
    problem, again = await harness.say(GRACE, "Haukivuori")
    assert problem.text == "Please choose the area with the buttons."
    assert again.text.startswith("<b>New proposal</b> · step 3 of 5")


async def test_wrong_things_at_the_photo_and_location_steps(harness):
    await harness.say(GRACE, "/propose")
    await harness.say(GRACE, "Beaches kept by village associations")
    await harness.say(GRACE, "The village associations need help with the beaches.")
    await harness.press(GRACE, "pda:0")
    problem, again = await harness.feed(document(GRACE))
    assert problem.text == "Please send a photo (as a photo, not as a file) – or press Skip."
    assert again.keyboard == [[("Skip ›", "pds:photo")]]
    await harness.press(GRACE, "pds:photo")
    problem, again = await harness.say(GRACE, "by the lake")
    assert problem.text == "Please share a location with 📎 → Location – or press Skip."
    assert again.text.startswith("<b>New proposal</b> · step 5 of 5")
    await harness.press(GRACE, "pds:location")
    problem, preview = await harness.feed(sticker(GRACE))
    assert problem.text == "Please use the buttons under the preview."
    assert preview.text.startswith("<b>Preview of your proposal</b>")


async def test_edit_the_title_from_the_preview(harness, app):
    await propose(harness, GRACE, send=False)
    edit, _ = await harness.press(GRACE, "pd:edit")
    assert edit.text == "What would you like to change?"
    assert edit.keyboard == [
        [("✏️ Title", "pdf:title"), ("📝 Description", "pdf:description")],
        [("📍 Area", "pdf:area"), ("📷 Photo", "pdf:photo")],
        [("🗺 Location", "pdf:location")],
        [("‹ Back to the preview", "pd:preview")],
    ]
    edit, _ = await harness.press(GRACE, "pdf:title")
    assert edit.text.startswith("<b>New proposal</b> · step 1 of 5")
    [preview] = await harness.say(GRACE, "Even more benches on the market square")
    assert "<b>Even more benches on the market square</b>" in preview.text
    await harness.press(GRACE, "pd:send")
    assert (await latest_proposal(app)).title == "Even more benches on the market square"


async def test_cancel_at_any_step(harness, app):
    await harness.say(AINO, "/propose")
    await harness.say(AINO, "Kyläkoulun tilat iltakäyttöön")
    [done] = await harness.say(AINO, "/cancel")
    assert (
        done.text
        == "Luonnoksesi poistettiin. Voit aloittaa uudelleen milloin tahansa komennolla /propose."
    )
    [after] = await harness.say(AINO, "Tämä ei ole enää otsikko")
    assert "/help" in after.text  # the fallback: no conversation is going on

    await propose(
        harness,
        AINO,
        "Kyläkoulun tilat iltakäyttöön",
        "Koulun sali iltaisin kyläläisille.",
        send=False,
    )
    edit, _ = await harness.press(AINO, "pd:cancel")
    assert edit.text.startswith("Luonnoksesi poistettiin.")
    [stale] = await harness.press(AINO, "pd:send")
    assert stale.text == "Tämä painike ei ole enää käytössä – käytä uusinta viestiä."
    async with app.uow_factory() as uow:
        assert await uow.proposals.count((), -1) == 0


async def test_an_interrupted_draft_resumes_after_a_restart(harness, app, restart):
    await harness.say(SVEN, "/propose")
    await harness.say(SVEN, TITLE)

    harness = BotHarness(await restart(app))
    [ask] = await harness.say(SVEN, DESCRIPTION)
    assert ask.text.startswith(SV_AREA_PROMPT)
    [offer] = await harness.say(SVEN, "/propose")
    assert offer.text.startswith("Du har ett påbörjat förslag, <b>Fler bänkar vid torget</b>.")
    assert offer.keyboard == [[("▶️ Fortsätt", "pd:resume"), ("🔄 Börja om", "pd:restart")]]
    edit, _ = await harness.press(SVEN, "pd:resume")
    assert edit.text.startswith(SV_AREA_PROMPT)
    await harness.say(SVEN, "/propose")
    edit, _ = await harness.press(SVEN, "pd:restart")
    assert edit.text.startswith(SV_TITLE_PROMPT)


async def test_at_most_three_proposals_a_day(harness, app, clock):
    for number in range(3):
        await propose(
            harness, GRACE, f"Library opening hours, idea {number}", "Open on Sundays too."
        )
    [refusal] = await harness.say(GRACE, "/propose")
    assert refusal.text.startswith("You have sent 3 proposals during the last 24 hours")
    clock.advance(24 * 3600 + 1)
    [ask] = await harness.say(GRACE, "/propose")
    assert ask.text.startswith("<b>New proposal</b> · step 1 of 5")


async def test_the_limit_is_checked_again_when_sending(harness, app, clock):
    await propose(
        harness, GRACE, "Library opening hours on Sundays", "Open on Sundays too.", send=False
    )
    async with app.uow_factory() as uow:
        grace = await uow.residents.by_telegram_id(GRACE.id)
        for number in range(3):
            await proposals.submit(
                uow, grace, Draft(f"Library idea {number}", "Sundays."), 3, app.core.notices,
                clock.now(),
            )
    edit, _ = await harness.press(GRACE, "pd:send")
    assert edit.text.startswith("You have sent 3 proposals during the last 24 hours")


async def test_similar_proposals_are_offered_before_sending(harness, app, city):
    await make_moderator(app, AINO, "fi")
    await propose(
        harness, AINO, "Penkkejä Mikkelin torille", "Torilla on liian vähän istumapaikkoja."
    )
    existing = await latest_proposal(app)
    await harness.press(AINO, f"md:ok:{existing.id}:0:")

    preview = (
        await propose(
            harness,
            GRACE,
            "Lisää penkkejä torille",
            "Ikäihmiset tarvitsevat levähdyspaikkoja.",
            send=False,
        )
    )[0]
    assert "<b>Similar proposals already exist.</b>" in preview.text
    assert f"• <b>Penkkejä Mikkelin torille</b> – /p{existing.id}" in preview.text
    assert preview.keyboard[0] == [
        ("👍 Support “Penkkejä Mikkelin torille” instead", f"pdi:{existing.id}")
    ]

    edit, answer = await harness.press(GRACE, f"pdi:{existing.id}")
    assert edit.text.startswith("<b>Penkkejä Mikkelin torille</b>")
    assert "👥 1 supporter" in edit.text
    assert answer.text.startswith("👍 You now support it, and your draft was discarded.")
    assert (await latest_proposal(app)).id == existing.id  # nothing new was sent


async def test_titles_are_shown_literally(harness, app):
    preview = (await propose(harness, GRACE, "<b>x</b> & <i>y</i>", "a <script> tag", send=False))[
        0
    ]
    assert "<b>&lt;b&gt;x&lt;/b&gt; &amp; &lt;i&gt;y&lt;/i&gt;</b>" in preview.text
    assert "a &lt;script&gt; tag" in preview.text
    edit, _ = await harness.press(GRACE, "pd:send")
    assert "&lt;b&gt;x&lt;/b&gt;" in edit.text
    assert (await latest_proposal(app)).title == "<b>x</b> & <i>y</i>"


async def test_two_quick_taps_on_send_make_one_proposal(harness, app):
    await propose(harness, GRACE, send=False)
    await asyncio.gather(harness.press(GRACE, "pd:send"), harness.press(GRACE, "pd:send"))
    async with app.uow_factory() as uow:
        assert await uow.proposals.count(("pending",), ALL_AREAS) == 1


async def test_a_skip_from_an_earlier_step_changes_nothing_and_says_so(harness, app, city):
    await harness.say(GRACE, "/propose")
    await harness.say(GRACE, "Beaches kept by village associations")
    await harness.say(GRACE, "The village associations need help with the beaches.")
    await harness.press(GRACE, "pda:0")
    photo_question = harness.session.latest_with_buttons[GRACE.id]
    [location_question] = await harness.feed(photo(GRACE))  # answered with a photo: a new message
    assert location_question.text.startswith("<b>New proposal</b> · step 5 of 5")

    stale, again = await harness.press(GRACE, "pds:photo", photo_question)
    assert (stale.name, stale.text) == (
        "AnswerCallbackQuery", "This button is no longer valid – please use the latest message.")
    assert again.text.startswith("<b>New proposal</b> · step 5 of 5")  # still at the location
    assert again.keyboard == [[("Skip ›", "pds:location")]]

    preview, _ = await harness.press(GRACE, "pds:location")
    assert preview.text.startswith("<b>Preview of your proposal</b>")


async def test_two_quick_taps_on_skip_skip_one_step(harness, app, city):
    await harness.say(GRACE, "/propose")
    await harness.say(GRACE, "Beaches kept by village associations")
    await harness.say(GRACE, "The village associations need help with the beaches.")
    await harness.press(GRACE, "pda:0")
    location_question, _ = await harness.press(GRACE, "pds:photo")
    assert location_question.text.startswith("<b>New proposal</b> · step 5 of 5")
    [stale, again] = await harness.press(GRACE, "pds:photo")  # the same button again, same message
    assert stale.text == "This button is no longer valid – please use the latest message."
    assert again.text.startswith("<b>New proposal</b> · step 5 of 5")
