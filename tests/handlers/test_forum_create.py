"""/newforum through the real Dispatcher: from the theme to the invitation queued (Finnish and
English), bad answers asked again, the preview's Edit, Cancel, stale buttons – and only editors."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.services import staff
from storage.models import Broadcast, Forum
from tests.handlers.test_ballot_admin import REFUSAL, STALE, area_ids, make_editor, public_themes
from tests.support.clock import MIDDAY
from tests.support.delivery import add_residents
from tests.support.proposals import location
from tests.support.updates import AINO, GRACE, sticker

STARTS = datetime(2026, 8, 4, 15, 0, tzinfo=UTC)  # ti 4.8. klo 18.00 in Mikkeli

# Texts are checked word for word: the conversation runs at a known noon (15 June 2026).
pytestmark = pytest.mark.parametrize("clock", [MIDDAY], indirect=True, ids=["midday"])


async def stored_forums(app) -> list[Forum]:
    async with app.uow_factory() as uow:
        return list(await uow.session.scalars(select(Forum).order_by(Forum.id)))


async def invitations(app) -> list[Broadcast]:
    async with app.uow_factory() as uow:
        return list(await uow.session.scalars(select(Broadcast).where(Broadcast.kind == "forum")))


async def to_the_preview(harness, person, theme_id: int) -> None:
    """The shortest way through: a Finnish title and description, no extras, everyone invited."""
    await harness.say(person, "/newforum")
    await harness.press(person, f"nft:{theme_id}:0")
    await harness.say(person, "Kirjaston tulevaisuus")
    await harness.press(person, "nf:skip")
    await harness.press(person, "nf:skip")
    await harness.say(person, "Keskustellaan aukioloajoista.")
    await harness.press(person, "nf:skip")
    await harness.press(person, "nf:skip")
    await harness.say(person, "4.8. 18.00")
    await harness.say(person, "20.00")
    await harness.say(person, "Mikkelin pääkirjasto")
    for _optional in ("location", "remote", "capacity"):
        await harness.press(person, "nf:skip")
    await harness.press(person, "nfr:0")
    await harness.press(person, "nfa:everyone")


async def test_a_forum_is_created_step_by_step_in_finnish(harness, app, city, clock):
    await make_editor(app, AINO, "fi")
    [library] = await public_themes(app, "Kirjasto auki sunnuntaisin")
    [haukivuori] = await area_ids(app, "haukivuori")
    await add_residents(app.uow_factory, 3, 700, area_id=haukivuori)

    [prompt] = await harness.say(AINO, "/newforum")
    assert prompt.text == ("🗣 <b>Uusi foorumi</b> · vaihe 1/11\n\n🏷 <b>Mitä teemaa foorumi käsittelee?</b> "
                           "Teeman seuraajat ja tukijat voidaan kutsua.")
    assert prompt.keyboard == [[(f"#{library} Kirjasto auki sunnuntaisin", f"nft:{library}:0")],
                               [("✖ Peruuta", "nf:cancel")]]
    [hint, _again] = await harness.say(AINO, "Kirjasto")
    assert hint.text == "Valitse painikkeilla."
    [title, _] = await harness.press(AINO, f"nft:{library}:0")
    assert title.text.startswith("🗣 <b>Uusi foorumi</b> · vaihe 2/11\n\nKirjoita foorumin <b>otsikko</b> suomeksi.")
    assert title.keyboard == [[("✖ Peruuta", "nf:cancel")]]  # the city's own language is not skipped
    [problem, _again] = await harness.say(AINO, "K" * 101)
    assert problem.text.startswith("Teksti on liian pitkä: siinä on 101 merkkiä")
    [swedish] = await harness.say(AINO, "Kirjaston <tulevaisuus>")
    assert "ruotsiksi" in swedish.text and swedish.keyboard[0] == [("Ohita tämä kieli ›", "nf:skip")]
    await harness.say(AINO, "Bibliotekets framtid")
    [description, _] = await harness.press(AINO, "nf:skip")  # no English
    assert description.text.startswith("🗣 <b>Uusi foorumi</b> · vaihe 3/11\n\nKirjoita foorumin <b>kuvaus</b> "
                                       "suomeksi")
    await harness.say(AINO, "Keskustellaan aukioloajoista ja omatoimikirjastosta.")
    await harness.press(AINO, "nf:skip")
    [starts, _] = await harness.press(AINO, "nf:skip")
    assert starts.text.startswith("🗣 <b>Uusi foorumi</b> · vaihe 4/11\n\n🗓 <b>Milloin foorumi alkaa?</b>")

    [problem, _again] = await harness.say(AINO, "eilen")
    assert problem.text == "En tunnistanut tätä tulevaksi päiväksi ja kellonajaksi."
    [ends] = await harness.say(AINO, "4.8. klo 18.00")
    assert ends.text.startswith("🗣 <b>Uusi foorumi</b> · vaihe 5/11\n\n🏁 <b>Milloin se päättyy?</b> "
                                "Se alkaa ti 4.8. klo 18.00.")
    [problem, _again] = await harness.say(AINO, "17.00")
    assert problem.text == "Foorumin täytyy päättyä vasta alkamisensa jälkeen."
    [problem, _again] = await harness.say(AINO, "myöhään")
    assert problem.text == "En tunnistanut tätä kellonajaksi, esimerkiksi 20.00."
    [place] = await harness.say(AINO, "20.00")
    assert place.text.startswith("🗣 <b>Uusi foorumi</b> · vaihe 6/11\n\n📍 <b>Missä se pidetään?</b>")

    [map_location] = await harness.say(AINO, "Mikkelin pääkirjasto, Raatihuoneenkatu 6")
    assert map_location.keyboard == [[("Ei karttasijaintia ›", "nf:skip")], [("✖ Peruuta", "nf:cancel")]]
    [problem, _again] = await harness.say(AINO, "kirjaston luona")
    assert problem.text == "Jaa sijainti valitsemalla 📎 → Sijainti – tai paina Ohita."
    [remote] = await harness.feed(location(AINO))
    assert remote.keyboard[0] == [("Vain paikan päällä ›", "nf:skip")]
    [problem, _again] = await harness.say(AINO, "meet.example.fi/kirjasto")
    assert problem.text == "Lähetä verkko-osoite, joka alkaa https:// – tai paina Ohita."
    [capacity] = await harness.say(AINO, "https://meet.example.fi/kirjasto")
    [problem, _again] = await harness.say(AINO, "paljon")
    assert problem.text == "Lähetä paikkamäärä kokonaislukuna (vähintään 1) – tai paina Ohita."
    [reminders] = await harness.say(AINO, "80")
    assert reminders.keyboard == [[("24 h ja 1 h ennen", "nfr:0")], [("48 h ja 2 h ennen", "nfr:1")],
                                  [("Vain 1 h ennen", "nfr:2")], [("Ei muistutuksia", "nfr:3")],
                                  [("✖ Peruuta", "nf:cancel")]]
    [audience, _] = await harness.press(AINO, "nfr:1")
    assert audience.keyboard == [[("Teeman seuraajat ja tukijat", "nfa:theme")],
                                 [("Valittujen alueiden asukkaat", "nfa:areas")],
                                 [("Kaikki", "nfa:everyone")], [("✖ Peruuta", "nf:cancel")]]
    [choose, _] = await harness.press(AINO, "nfa:areas")
    assert choose.keyboard[-2:] == [[("Jatka ›", "nf:areas")], [("✖ Peruuta", "nf:cancel")]]
    [alert] = await harness.press(AINO, "nf:areas")
    assert (alert.text, alert.show_alert) == ("Valitse vähintään yksi alue.", True)
    await harness.press(AINO, "bca:a::1")  # Haukivuori is on the second page
    [alert] = await harness.press(AINO, "bca:a:99999:1")  # an area that is no more changes nothing
    assert (alert.text, alert.show_alert) == ("Tämä ei ole enää saatavilla – sitä on ehkä muutettu tai se on poistettu.", True)
    [choose, _] = await harness.press(AINO, f"bca:a:{haukivuori}:1")
    assert choose.text.endswith("Nyt: alueet: Haukivuori")

    [preview, _] = await harness.press(AINO, "nf:areas")
    assert preview.text == (
        "<b>Valmis?</b> Tämän kutsun asukkaat saavat (foorumin numero annetaan, kun luot sen):\n\n"
        "🗣 <b>Sinut kutsutaan foorumiin</b>\n\n<b>Kirjaston &lt;tulevaisuus&gt;</b>\n\n"
        "Keskustellaan aukioloajoista ja omatoimikirjastosta.\n\n"
        "🗓 ti 4.8. klo 18.00–20.00\n📍 Mikkelin pääkirjasto, Raatihuoneenkatu 6\n"
        + harness.translate("💻 You can also take part remotely.", "fi") + "\n\n"
        "Tuletko? Lisää: /f…\n\n"
        f"———\n🏷 Teema: Kirjasto auki sunnuntaisin (#{library})\n🗺 Karttasijainti liitetty\n"
        "💻 Etäyhteyden linkki: https://meet.example.fi/kirjasto\n🪑 Paikkoja: 80\n"
        "⏰ Muistutukset: 48 h ja 2 h ennen\n👥 Kutsutut: alueet: Haukivuori\n<b>3 asukasta kutsutaan</b>")
    assert preview.keyboard == [[("✅ Luo ja lähetä kutsu", "nf:create")], [("✏️ Muokkaa", "nf:edit")],
                                [("✖ Peruuta", "nf:cancel")]]
    assert await stored_forums(app) == []

    [edit, _] = await harness.press(AINO, "nf:edit")
    assert edit.text == "✏️ <b>Mitä haluat muuttaa?</b>"
    assert edit.keyboard[-2:] == [[("‹ Takaisin esikatseluun", "nf:preview")], [("✖ Peruuta", "nf:cancel")]]
    await harness.press(AINO, "nfe:capacity")
    [preview, _] = await harness.press(AINO, "nf:skip")  # no limit after all: straight back to the preview
    assert "🪑 Paikkamäärää ei ole rajattu" in preview.text

    [created, _] = await harness.press(AINO, "nf:create")
    [forum] = await stored_forums(app)
    assert created.text == (f"✅ <b>Foorumi #{forum.id}</b> on luotu (ti 4.8. klo 18.00).\n"
                            "Kutsu on matkalla 3 asukkaalle.\n"
                            f"Asukkaat avaavat sen komennolla /f{forum.id}.")
    assert (forum.theme_id, forum.created_by, forum.announced_at) == (library, AINO.id, clock.now())
    assert forum.title == {"fi": "Kirjaston <tulevaisuus>", "sv": "Bibliotekets framtid"}
    assert set(forum.description) == {"fi"}
    assert (forum.starts_at, forum.ends_at - forum.starts_at) == (STARTS, timedelta(hours=2))
    assert (forum.latitude, forum.longitude, forum.remote_url, forum.capacity) == (
        61.6886, 27.2723, "https://meet.example.fi/kirjasto", None)
    assert forum.reminders == [2880, 120]
    assert forum.audience == {"kind": "areas", "area_ids": [haukivuori]}
    [invitation] = await invitations(app)
    assert invitation.total == 3 and f"/f{forum.id}" in invitation.texts["fi"]

    [stale] = await harness.press(AINO, "nf:create", message_id=created.message_id)
    assert stale.text == harness.translate(STALE, "fi")
    assert len(await stored_forums(app)) == 1


async def test_in_english_with_the_theme_audience_and_a_title_edited(harness, app, city, clock):
    await make_editor(app, GRACE, "en")
    [library] = await public_themes(app, "Kirjasto auki sunnuntaisin")
    await to_the_preview(harness, GRACE, library)
    [edit, _] = await harness.press(GRACE, "nf:edit")
    assert edit.keyboard[0] == [("🏷 Theme", "nfe:theme"), ("✏️ Title", "nfe:title")]
    [title, _] = await harness.press(GRACE, "nfe:title")
    assert title.text.startswith("🗣 <b>New forum</b> · step 2 of 11\n\nWrite the forum's <b>title</b> in Finnish.")
    await harness.say(GRACE, "Kirjasto 2030")
    await harness.say(GRACE, "Biblioteket 2030")
    [preview] = await harness.say(GRACE, "The library in 2030")
    assert preview.text.startswith("<b>Ready?</b> This is the invitation residents get")
    assert "<b>The library in 2030</b>" in preview.text
    assert "👥 Invited: Everyone\n<b>2 residents will be invited</b>" in preview.text  # Grace and Sven
    await harness.press(GRACE, "nf:edit")
    await harness.press(GRACE, "nfe:audience")
    [preview, _] = await harness.press(GRACE, "nfa:theme")
    assert "👥 Invited: The theme's followers and supporters\n<b>1 resident will be invited</b>" in preview.text
    [created, _] = await harness.press(GRACE, "nf:create")
    assert "Its invitation is on its way to 1 resident." in created.text
    [forum] = await stored_forums(app)
    assert forum.title == {"fi": "Kirjasto 2030", "sv": "Biblioteket 2030", "en": "The library in 2030"}
    assert (forum.audience, forum.reminders, forum.capacity) == ({"kind": "theme", "area_ids": []}, [1440, 60],
                                                                 None)


async def test_a_resident_without_the_editor_role_is_refused(harness, app, city, clock):
    [refused] = await harness.say(GRACE, "/newforum")
    assert refused.text == REFUSAL
    [again] = await harness.press(GRACE, "nf:create")
    assert again.text == STALE
    assert await stored_forums(app) == [] and await invitations(app) == []


async def test_the_role_is_checked_again_when_the_forum_is_created(harness, app, city, clock):
    await make_editor(app, GRACE, "en")
    [library] = await public_themes(app, "Kirjasto auki sunnuntaisin")
    await to_the_preview(harness, GRACE, library)
    async with app.uow_factory() as uow:
        await staff.revoke(uow, GRACE.id, None)
    [refused] = await harness.press(GRACE, "nf:create")
    assert (refused.text, refused.show_alert) == (REFUSAL, True)
    assert await stored_forums(app) == [] and await invitations(app) == []


async def test_old_buttons_change_nothing_and_cancel_stores_nothing(harness, app, city, clock):
    await make_editor(app, GRACE, "en")
    [library] = await public_themes(app, "Kirjasto auki sunnuntaisin")
    await harness.say(GRACE, "/newforum")
    themes = harness.session.latest_with_buttons[GRACE.id]
    await harness.press(GRACE, f"nft:{library}:0")
    [stale, shown_again] = await harness.press(GRACE, f"nft:{library}:0", message_id=themes)
    assert stale.text == STALE
    assert shown_again.text.startswith("🗣 <b>New forum</b> · step 2 of 11")  # the current step, at the bottom
    [sticker_hint, _again] = await harness.feed(sticker(GRACE))
    assert sticker_hint.text == "Please write it as text – stickers, photos and files can't be used here."
    [discarded] = await harness.say(GRACE, "/cancel")
    assert discarded.text == "The draft forum was discarded – nothing was created."

    await to_the_preview(harness, GRACE, library)
    preview = harness.session.latest_with_buttons[GRACE.id]
    [discarded, _] = await harness.press(GRACE, "nf:cancel")
    assert discarded.text == "The draft forum was discarded – nothing was created."
    [stale] = await harness.press(GRACE, "nf:create", message_id=preview)
    assert stale.text == STALE
    assert await stored_forums(app) == [] and await invitations(app) == []


async def test_the_preview_says_what_keeps_the_draft_from_becoming_a_forum(harness, app, city, clock):
    await make_editor(app, GRACE, "en")
    [library] = await public_themes(app, "Kirjasto auki sunnuntaisin")
    await to_the_preview(harness, GRACE, library)
    clock.advance(60 * 24 * 3600)  # the start passes while the preview waits
    [problems, _] = await harness.press(GRACE, "nf:create")
    assert problems.text == ("⚠️ Something needs fixing before the forum can be created:\n"
                             "• 🗓 Date and time: must be in the future")
    assert problems.keyboard == [[("✏️ Edit", "nf:edit")], [("✖ Cancel", "nf:cancel")]]
    assert await stored_forums(app) == []
