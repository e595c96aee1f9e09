"""Theme votes for staff through the real Dispatcher: /newballot from question to created vote
(Finnish and English), /ballots with who took part, a reminder to the groups that lag behind, the
result of a tie, the chart – and residents without the editor role refused everywhere."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.services import ballots, moderation, proposals, staff
from bot.services.ballots import BallotDraft, OptionDraft
from bot.services.proposals import Draft
from domain import Role, Status
from storage.models import Ballot, Proposal, Resident
from tests.support.clock import MIDDAY
from tests.support.delivery import add_residents
from tests.support.harness import BotHarness
from tests.support.proposals import notifications, resident_of, set_language
from tests.support.updates import AINO, GRACE, SVEN, sticker

MODERATOR = 999
REFUSAL = "Sorry, only city staff with the right role can do that."
STALE = "This button is no longer valid – please use the latest message."

# Texts and moments are checked word for word: the conversation runs at a known noon.
pytestmark = pytest.mark.parametrize("clock", [MIDDAY], indirect=True, ids=["midday"])


async def make_editor(app, person, locale: str) -> None:
    async with app.uow_factory() as uow:
        await staff.grant(uow, person.id, Role.EDITOR, None)
    await set_language(app, person, locale)


async def public_themes(app, *titles: str) -> list[int]:
    """Approved proposals (themes in the initiative stage), in this order."""
    await set_language(app, SVEN, "sv")
    author = await resident_of(app, SVEN)
    async with app.uow_factory() as uow:
        await staff.grant(uow, MODERATOR, Role.MODERATOR, None)
        ids = []
        for title in titles:
            proposal = await proposals.submit(uow, author, Draft(title, "Kuvaus."), 10, app.core.notices,
                                              app.clock.now())
            await moderation.approve(uow, MODERATOR, proposal.id, app.core.notices, app.clock.now())
            ids.append(proposal.id)
        return ids


async def area_ids(app, *codes: str) -> list[int]:
    async with app.uow_factory() as uow:
        known = await uow.outbox.area_ids(codes)
    return [known[code] for code in codes]


async def stored_ballots(app) -> list[Ballot]:
    async with app.uow_factory() as uow:
        return list(await uow.session.scalars(select(Ballot).order_by(Ballot.id)))


async def new_ballot(app, labels=("Kirjasto", "Tori"), by=AINO, **changes) -> int:
    """A ballot open from now for a week, made through the service by an editor."""
    now = app.clock.now()
    draft = BallotDraft(question={"fi": "Mistä seuraava foorumi?"},
                        options=[OptionDraft({"fi": label}) for label in labels],
                        opens_at=now, closes_at=now + timedelta(days=7))
    for name, value in changes.items():
        setattr(draft, name, value)
    async with app.uow_factory() as uow:
        return (await ballots.create(uow, by.id, draft, now)).id


async def vote(app, resident_ids, ballot_id: int, option_index: int = 0) -> None:
    async with app.uow_factory() as uow:
        chosen = await ballots.ballot(uow, ballot_id)
        option_id = chosen.options[option_index].id
        for resident_id in resident_ids:
            resident = await uow.session.get(Resident, resident_id)
            await ballots.vote(uow, resident, ballot_id, option_id, app.clock.now())


async def telegram_ids(app, resident_ids) -> set[int]:
    async with app.uow_factory() as uow:
        found = await uow.session.scalars(select(Resident.telegram_id).where(Resident.id.in_(resident_ids)))
        return set(found.all())


# --- /newballot ----------------------------------------------------------------------------------

async def test_a_vote_is_created_step_by_step_in_finnish(harness, app, city, clock):
    await make_editor(app, AINO, "fi")
    benches, library = await public_themes(app, "Penkkejä torille", "Kirjasto auki sunnuntaisin")
    [haukivuori] = await area_ids(app, "haukivuori")
    await add_residents(app.uow_factory, 3, 700, area_id=haukivuori)

    [prompt] = await harness.say(AINO, "/newballot")
    assert prompt.text == (
        "🗳 <b>Uusi äänestys</b> · vaihe 1/7\n\nKirjoita kysymys <b>suomeksi</b>.\n\n"
        "Ohita kielet, joita et tarvitse: asukkaat näkevät silloin kysymyksen toisella kielellä ja "
        "lyhyen maininnan siitä.")
    assert prompt.keyboard == [[("Ohita tämä kieli ›", "nb:skip")], [("✖ Peruuta", "nb:cancel")]]
    [prompt] = await harness.say(AINO, "Mistä teemasta <seuraava> foorumi?")
    assert prompt.text == "🗳 <b>Uusi äänestys</b> · vaihe 1/7\n\nKirjoita kysymys <b>ruotsiksi</b>."
    await harness.say(AINO, "Vilket tema för nästa forum?")
    [options, _] = await harness.press(AINO, "nb:skip")  # no English
    assert options.text == (
        "🗳 <b>Uusi äänestys</b> · vaihe 2/7\n\n<b>Vaihtoehdot</b> (2–12): valitse teemoja alta tai "
        "kirjoita vaihtoehto ja lähetä se – yksi vaihtoehto viestiä kohden.\nJos kirjoitat vaihtoehdon "
        "usealla kielellä, erota kielet merkillä |: suomi | ruotsi.\n\nEi vielä vaihtoehtoja.")
    assert options.keyboard == [
        [(f"#{library} Kirjasto auki sunnuntaisin", f"nbt:{library}:0")],
        [(f"#{benches} Penkkejä torille", f"nbt:{benches}:0")],
        [("Valmis ›", "nb:done")], [("✖ Peruuta", "nb:cancel")],
    ]
    [done_too_soon] = await harness.press(AINO, "nb:done")
    assert (done_too_soon.text, done_too_soon.show_alert) == (
        "Äänestyksessä on oltava 2–12 vaihtoehtoa.", True)
    await harness.press(AINO, f"nbt:{benches}:0")
    [problem, again] = await harness.say(AINO, "S" * 61)
    assert problem.text == ("Teksti on liian pitkä: siinä on 61 merkkiä, mutta enintään 60 mahtuu. "
                            "Lyhennä tekstiä.")
    [problem, again] = await harness.say(AINO, "Satama | Hamnen | Harbour")
    assert problem.text == ("Kirjoita vaihtoehto kerran tai kerran kullakin kysymyksen kielellä, kielet "
                            "merkillä | erotettuina: suomi | ruotsi.")
    [options] = await harness.say(AINO, "Satama | Hamnen")
    assert options.text.endswith(
        f"<b>Valittu tähän mennessä</b>:\n1. Penkkejä torille (teema #{benches})\n2. Satama | Hamnen")
    assert [row[0] for row in options.keyboard][:3] == [
        (f"#{library} Kirjasto auki sunnuntaisin", f"nbt:{library}:0"),
        (f"✓ #{benches} Penkkejä torille", f"nbt:{benches}:0"),
        ("↩ Poista viimeisin vaihtoehto", "nb:undo"),
    ]

    [method, _] = await harness.press(AINO, "nb:done")
    assert method.keyboard[0] == [("Yksi vaihtoehto", "nb:single"), ("Useita vaihtoehtoja", "nb:several")]
    [voters, _] = await harness.press(AINO, "nb:single")
    assert voters.text.endswith("Nyt: kaikki\n<b>5 asukasta saa äänestää</b>")  # 3, Aino and Sven
    assert voters.keyboard[-2:] == [[("Jatka ›", "nb:voters")], [("✖ Peruuta", "nb:cancel")]]
    assert not any(data.startswith("bca:l:") for row in voters.keyboard for _, data in row)  # no languages
    await harness.press(AINO, "bca:a::1")  # Haukivuori is on the second page
    [alert] = await harness.press(AINO, "bca:a:99999:1")  # an area that is no more changes nothing
    assert (alert.text, alert.show_alert) == ("Tämä ei ole enää saatavilla – sitä on ehkä muutettu tai se on poistettu.", True)
    [voters, _] = await harness.press(AINO, f"bca:a:{haukivuori}:1")
    assert voters.text.endswith("Nyt: alueet: Haukivuori\n<b>3 asukasta saa äänestää</b>")

    [opens, _] = await harness.press(AINO, "nb:voters")
    assert opens.text.startswith("🗳 <b>Uusi äänestys</b> · vaihe 5/7\n\n🕓 <b>Milloin äänestys alkaa?</b>")
    [closes] = await harness.say(AINO, "1.7. klo 9.00")
    [error, again] = await harness.say(AINO, "1.7. 8.00")
    assert error.text == "Äänestyksen täytyy päättyä vasta alkamisen jälkeen (ke 1.7. klo 9.00)."
    [error, again] = await harness.say(AINO, "eilen")
    assert error.text == "En tunnistanut tätä tulevaksi ajankohdaksi."
    [visibility] = await harness.say(AINO, "8.7. 18.00")
    assert visibility.keyboard[:2] == [[("Jo äänestyksen aikana", "nb:live")],
                                       [("Vasta kun äänestys on päättynyt", "nb:after_close")]]

    [preview, _] = await harness.press(AINO, "nb:after_close")
    assert preview.text == (
        "<b>Valmis?</b> Tämän ilmoituksen asukkaat saavat, kun äänestys alkaa:\n\n"
        "🗳 <b>Uusi äänestys</b>\n\n<b>Mistä teemasta &lt;seuraava&gt; foorumi?</b>\n\n"
        f"1. Penkkejä torille – /p{benches}\n2. Satama\n\n"
        "Valitse yksi vaihtoehto. Voit muuttaa ääntäsi napauttamalla toista.\n\n"
        "⏳ Äänestys on auki ke 8.7. klo 18.00 asti – voit muuttaa ääntäsi siihen saakka.\n\n"
        "———\n🕓 Alkaa: ke 1.7. klo 9.00\n🏁 Päättyy: ke 8.7. klo 18.00\n"
        "👥 Äänioikeutetut: alueet: Haukivuori\n<b>3 asukasta saa äänestää</b>\n"
        "📊 Tulokset näkyvät, kun äänestys on päättynyt")
    assert preview.keyboard == [[("✅ Luo äänestys", "nb:create")], [("🕓 Muuta ajankohtia", "nb:times")],
                                [("✖ Peruuta", "nb:cancel")]]
    assert await stored_ballots(app) == []

    [created, _] = await harness.press(AINO, "nb:create")
    [ballot] = await stored_ballots(app)
    assert created.text == (f"✅ <b>Äänestys #{ballot.id}</b> on luotu.\n"
                            "Se alkaa ke 1.7. klo 9.00, ja ilmoitus lähtee silloin.\n"
                            "Seuraa sitä komennolla /ballots.")
    assert ballot.question == {"fi": "Mistä teemasta <seuraava> foorumi?",
                               "sv": "Vilket tema för nästa forum?"}
    assert [(option.theme_id, option.labels) for option in ballot.options] == [
        (benches, {code: "Penkkejä torille" for code in ("fi", "sv", "en")}),
        (None, {"fi": "Satama", "sv": "Hamnen"}),
    ]
    assert (ballot.method, ballot.max_choices, ballot.area_ids, ballot.resident_types, ballot.visibility) == (
        "single", 1, [haukivuori], [], "after_close")
    assert ballot.closes_at - ballot.opens_at == timedelta(days=7, hours=9)
    assert ballot.created_by == AINO.id and ballot.announced_at is None  # the scheduler announces it
    [stale] = await harness.press(AINO, "nb:create", message_id=created.message_id)
    assert stale.text == harness.translate(STALE, "fi")
    assert len(await stored_ballots(app)) == 1


async def test_a_vote_with_several_choices_in_english_opening_right_away(harness, app, city, clock):
    await make_editor(app, GRACE, "en")
    await add_residents(app.uow_factory, 4, 700, resident_type="holiday")
    [prompt] = await harness.say(GRACE, "/newballot")
    assert prompt.text.startswith("🗳 <b>New vote</b> · step 1 of 7\n\nWrite the question <b>in Finnish</b>.")
    await harness.press(GRACE, "nb:skip")
    await harness.press(GRACE, "nb:skip")
    [alert] = await harness.press(GRACE, "nb:skip")  # nothing written in any language
    assert (alert.text, alert.show_alert) == ("Write the question in at least one language.", True)
    [options] = await harness.say(GRACE, "What should the summer forum be about?")
    assert "To write an option in several languages" not in options.text
    assert "No themes are in the initiative or preparation stage right now." in options.text
    for label in ("Library", "Harbour", "Market square", "Typo"):
        await harness.say(GRACE, label)
    [options, _] = await harness.press(GRACE, "nb:undo")
    assert options.text.endswith("<b>Chosen so far</b>:\n1. Library\n2. Harbour\n3. Market square")
    await harness.press(GRACE, "nb:done")
    [ask_k, _] = await harness.press(GRACE, "nb:several")
    assert ask_k.text == ("🗳 <b>New vote</b> · step 3 of 7\n\n"
                          "<b>How many options may each resident choose at most?</b>")
    assert ask_k.keyboard == [[("2", "nbk:2"), ("3", "nbk:3")], [("✖ Cancel", "nb:cancel")]]
    await harness.press(GRACE, "nbk:2")
    [voters, _] = await harness.press(GRACE, "bca:t:holiday:0")
    assert voters.text.endswith("Now: who: 🌲 Holiday resident\n<b>4 residents may vote</b>")
    await harness.press(GRACE, "nb:voters")
    [closes, _] = await harness.press(GRACE, "nb:now")
    assert closes.text.startswith("🗳 <b>New vote</b> · step 6 of 7\n\n🏁 <b>When does voting close?</b>")
    await harness.say(GRACE, "2026-06-20 18:00")
    [preview, _] = await harness.press(GRACE, "nb:live")
    assert "Choose up to 2 options; tap a chosen one again to remove it." in preview.text
    assert preview.text.endswith(
        "———\n🕓 Opens: right away, when you create it\n🏁 Closes: Sat 20 Jun 2026 at 18.00\n"
        "👥 Voters: who: 🌲 Holiday resident\n<b>4 residents may vote</b>\n"
        "📊 Results can be seen while it is open")
    [created, _] = await harness.press(GRACE, "nb:create")
    assert "It opens now: the announcement goes out within a few seconds." in created.text
    [ballot] = await stored_ballots(app)
    assert (ballot.method, ballot.max_choices, ballot.resident_types, ballot.visibility) == (
        "approval", 2, ["holiday"], "live")
    assert ballot.opens_at == clock.now()
    assert [option.labels for option in ballot.options] == [{"en": "Library"}, {"en": "Harbour"},
                                                            {"en": "Market square"}]  # as the question


async def test_the_preview_says_what_keeps_the_draft_from_becoming_a_vote(harness, app, city, clock):
    await make_editor(app, GRACE, "en")
    await harness.say(GRACE, "/newballot")
    await harness.say(GRACE, "Kumpi?")
    await harness.press(GRACE, "nb:skip")
    await harness.press(GRACE, "nb:skip")
    await harness.say(GRACE, "Tämä")
    await harness.say(GRACE, "Tuo")
    await harness.press(GRACE, "nb:done")
    await harness.press(GRACE, "nb:single")
    await harness.press(GRACE, "nb:voters")
    await harness.press(GRACE, "nb:now")
    await harness.say(GRACE, "13:00")
    await harness.press(GRACE, "nb:after_close")
    clock.advance(2 * 3600)  # the closing time passes while the preview waits
    [problems, _] = await harness.press(GRACE, "nb:create")
    assert problems.text == ("⚠️ Something needs fixing before the vote can be created:\n"
                             "• Closing time: must be after it opens\n• Closing time: must be in the future")
    assert problems.keyboard == [[("🕓 Change the times", "nb:times")], [("✖ Cancel", "nb:cancel")]]
    assert await stored_ballots(app) == []
    await harness.press(GRACE, "nb:times")
    await harness.press(GRACE, "nb:now")
    [preview] = await harness.say(GRACE, "18:00")  # straight back to the preview
    assert preview.text.startswith("<b>Ready?</b> This is the announcement residents get when voting opens:")
    await harness.press(GRACE, "nb:create")
    assert len(await stored_ballots(app)) == 1


async def test_a_draft_can_be_cancelled_at_any_step_and_its_old_buttons_change_nothing(harness, app, clock):
    await make_editor(app, GRACE, "en")
    await harness.say(GRACE, "/newballot")
    await harness.say(GRACE, "Kumpi?")
    swedish = harness.session.latest_with_buttons[GRACE.id]
    [discarded] = await harness.say(GRACE, "/cancel")
    assert discarded.text == "The draft vote was discarded – nothing was created."
    [stale] = await harness.press(GRACE, "nb:skip", message_id=swedish)
    assert stale.text == STALE

    await harness.say(GRACE, "/newballot")
    question = harness.session.latest_with_buttons[GRACE.id]
    [sticker_hint, again] = await harness.feed(sticker(GRACE))
    assert sticker_hint.text == "Please write it as text – stickers, photos and files can't be used here."
    [stale, shown_again] = await harness.press(GRACE, "nb:skip", message_id=question)
    assert stale.text == STALE and shown_again.text == again.text  # the current step, at the bottom
    [discarded, _] = await harness.press(GRACE, "nb:cancel")
    assert discarded.text == "The draft vote was discarded – nothing was created."
    assert await stored_ballots(app) == []


async def test_a_draft_survives_a_restart_of_the_bot(app, restart, clock):
    await make_editor(app, GRACE, "en")
    harness = BotHarness(app)
    await harness.say(GRACE, "/newballot")
    await harness.say(GRACE, "Kumpi?")
    await harness.press(GRACE, "nb:skip")
    await harness.press(GRACE, "nb:skip")
    await harness.say(GRACE, "Tämä")
    restarted = BotHarness(await restart(app))
    [options] = await restarted.say(GRACE, "Tuo")
    assert options.text.endswith("<b>Chosen so far</b>:\n1. Tämä\n2. Tuo")


# --- /ballots: who took part, reminders ----------------------------------------------------------

async def lagging_city(app, by=AINO) -> tuple[int, dict[str, list[int]]]:
    """A vote for Keskusta and Haukivuori: 6 of 10 permanent residents of Keskusta voted, 1 of 5
    holiday residents there, none of the 4 permanent residents of Haukivuori."""
    keskusta, haukivuori = await area_ids(app, "keskusta", "haukivuori")
    groups = {
        "keskusta": await add_residents(app.uow_factory, 10, 700, resident_type="permanent",
                                        area_id=keskusta),
        "holiday": await add_residents(app.uow_factory, 5, 800, resident_type="holiday", area_id=keskusta),
        "haukivuori": await add_residents(app.uow_factory, 4, 900, resident_type="permanent",
                                          area_id=haukivuori),
    }
    ballot_id = await new_ballot(app, area_ids=(keskusta, haukivuori), by=by)
    await vote(app, groups["keskusta"][:6], ballot_id)
    await vote(app, groups["holiday"][:1], ballot_id, 1)
    return ballot_id, groups


async def test_the_list_and_the_staff_view_show_who_took_part_furthest_below_first(harness, app, city, clock):
    await make_editor(app, AINO, "fi")
    ballot_id, _groups = await lagging_city(app)
    [listing] = await harness.say(AINO, "/ballots")
    assert listing.text == (
        "🗳 <b>Äänestykset</b>, uusimmat ensin\n\n"
        f"<b>#{ballot_id}</b> · 🟢 auki · päättyy ma 22.6. klo 12.00\n"
        "<b>Mistä seuraava foorumi?</b>\nOsallistui: 7/19 (37\u00a0%)")
    assert listing.keyboard == [[(f"#{ballot_id} Mistä seuraava foorumi?", f"bad:{ballot_id}:open:0")]]

    [view, _] = await harness.press(AINO, f"bad:{ballot_id}:open:0")
    assert view.text.startswith(f"🗳 <b>Äänestys #{ballot_id}</b> · 🟢 auki\n\n<b>Mistä seuraava foorumi?</b>")
    assert view.text.endswith(
        "<b>Osallistuneet</b>: 7/19 (37\u00a0%)\n"
        "Ryhmittäin – ensin ne, joissa osallistuminen jää eniten jälkeen koko kaupungin tasosta:\n"
        "• Haukivuori: 0/4 (0\u00a0%)\n"
        "• 🌲 Vapaa-ajan asukkaat: 1/5 (20\u00a0%)\n"
        "• 🏠 Vakituiset asukkaat: 6/14 (43\u00a0%)\n"
        "• Keskusta: 7/15 (47\u00a0%)")
    assert "👥 Äänioikeutetut: alueet: Keskusta, Haukivuori" in view.text
    assert view.keyboard == [
        [("🔔 Muistuta näiden ryhmien vielä äänestämättömiä", f"bad:{ballot_id}:remind:0")],
        [("📊 Kaavio", f"bad:{ballot_id}:chart:0")],
        [("‹ Kaikki äänestykset", "bap:0")],
    ]


async def test_a_reminder_reaches_exactly_the_non_voters_of_the_chosen_groups(harness, app, city, clock):
    await make_editor(app, AINO, "fi")
    ballot_id, groups = await lagging_city(app)
    keskusta, haukivuori = await area_ids(app, "keskusta", "haukivuori")
    await harness.say(AINO, "/ballots")
    await harness.press(AINO, f"bad:{ballot_id}:open:0")
    [choose, _] = await harness.press(AINO, f"bad:{ballot_id}:remind:0")
    assert choose.keyboard == [
        [("Haukivuori · 0/4", f"brp:area_id:{haukivuori}")],
        [("🌲 Vapaa-ajan asukkaat · 1/5", "brp:resident_type:holiday")],
        [("🏠 Vakituiset asukkaat · 6/14", "brp:resident_type:permanent")],
        [("Keskusta · 7/15", f"brp:area_id:{keskusta}")],
        [("Jatka ›", "brs:confirm"), ("✖ Peruuta", "brs:cancel")],
    ]
    [alert] = await harness.press(AINO, "brs:confirm")
    assert (alert.text, alert.show_alert) == ("Valitse vähintään yksi ryhmä.", True)
    await harness.press(AINO, f"brp:area_id:{haukivuori}")
    await harness.press(AINO, "brp:resident_type:permanent")
    await harness.press(AINO, "brp:resident_type:holiday")
    [choose, _] = await harness.press(AINO, "brp:resident_type:permanent")  # and out again
    assert [row[0][0] for row in choose.keyboard[:3]] == [
        "✓ Haukivuori · 0/4", "✓ 🌲 Vapaa-ajan asukkaat · 1/5", "🏠 Vakituiset asukkaat · 6/14"]

    [confirm, _] = await harness.press(AINO, "brs:confirm")
    assert confirm.text == ("🔔 Lähetetäänkö muistutus <b>8 asukkaalle</b>, jotka eivät ole vielä "
                            "äänestäneet?\nRyhmät: Haukivuori, 🌲 Vapaa-ajan asukkaat")
    assert confirm.keyboard == [[("✅ Lähetä muistutus", "brs:send")],
                                [("‹ Takaisin", "brs:back"), ("✖ Peruuta", "brs:cancel")]]
    assert await notifications(app, "ballot_reminder") == []

    [sent, _] = await harness.press(AINO, "brs:send")
    assert sent.text == "🔔 Muistutus on matkalla 8 asukkaalle."
    assert sent.keyboard == [[("‹ Takaisin äänestykseen", f"bad:{ballot_id}:open:0")]]
    expected = await telegram_ids(app, groups["haukivuori"] + groups["holiday"][1:])
    [(texts, recipients)] = await notifications(app, "ballot_reminder")
    assert recipients == expected and texts["fi"].startswith("⏰ <b>Muistutus</b>")
    delivered = await harness.deliver()
    assert {call.chat_id for call in delivered if call.name == "SendMessage"} == expected

    [again] = await harness.press(AINO, "brs:send", message_id=confirm.message_id)  # a second tap
    assert again.text == harness.translate(STALE, "fi")
    assert len(await notifications(app, "ballot_reminder")) == 1


async def test_a_reminder_can_be_cancelled_and_sends_nothing(harness, app, city, clock):
    await make_editor(app, GRACE, "en")
    ballot_id, _groups = await lagging_city(app, by=GRACE)
    await harness.say(GRACE, "/ballots")
    await harness.press(GRACE, f"bad:{ballot_id}:remind:0")
    await harness.press(GRACE, "brp:resident_type:holiday")
    [confirm, _] = await harness.press(GRACE, "brs:confirm")
    assert confirm.text.startswith("🔔 Send the reminder to <b>4 residents</b> who have not voted yet?")
    [choose, _] = await harness.press(GRACE, "brs:back")
    assert choose.keyboard[1][0][0] == "✓ 🌲 Holiday residents · 1/5"
    [view, toast] = await harness.press(GRACE, "brs:cancel")
    assert view.text.startswith(f"🗳 <b>Vote #{ballot_id}</b> · 🟢 open")
    assert toast.text == "No reminder was sent."
    assert await notifications(app, "ballot_reminder") == []


async def test_a_reminder_for_a_vote_that_closed_meanwhile_sends_nothing(harness, app, city, clock):
    await make_editor(app, GRACE, "en")
    ballot_id, _groups = await lagging_city(app, by=GRACE)
    await harness.press(GRACE, f"bad:{ballot_id}:remind:0")
    await harness.press(GRACE, "brp:resident_type:holiday")
    await harness.press(GRACE, "brs:confirm")
    clock.advance(8 * 24 * 3600)
    [view, toast] = await harness.press(GRACE, "brs:send")
    assert toast.text == "The vote has closed – no reminder was sent."
    assert view.text.startswith(f"🗳 <b>Vote #{ballot_id}</b> · 🏁 closed")
    assert await notifications(app, "ballot_reminder") == []


async def test_the_list_turns_pages_of_five(harness, app, clock):
    await make_editor(app, GRACE, "en")
    made = [await new_ballot(app, by=GRACE, closes_at=clock.now() + timedelta(days=day))
            for day in range(1, 7)]
    [first] = await harness.say(GRACE, "/ballots")
    newest_first = [f"bad:{ballot}:open:0" for ballot in reversed(made[1:])]
    assert [row[0][1] for row in first.keyboard[:5]] == newest_first
    assert first.keyboard[5] == [("Older ›", "bap:1")]
    [second, _] = await harness.press(GRACE, "bap:1")
    assert second.keyboard == [[(f"#{made[0]} Mistä seuraava foorumi?", f"bad:{made[0]}:open:0")],
                               [("‹ Newer", "bap:0")]]


# --- a tie and the chart -------------------------------------------------------------------------

async def tied_vote(app, clock) -> tuple[int, int, int]:
    """A closed vote between two themes, one vote each; (ballot, first theme, second theme)."""
    first, second = await public_themes(app, "Penkkejä torille", "Kirjasto auki sunnuntaisin")
    voters = await add_residents(app.uow_factory, 2, 700, resident_type="permanent")
    ballot_id = await new_ballot(app, labels=(), options=[OptionDraft(theme_id=first),
                                                          OptionDraft(theme_id=second)])
    await vote(app, voters[:1], ballot_id, 0)
    await vote(app, voters[1:], ballot_id, 1)
    clock.advance(8 * 24 * 3600)
    await app.clockwork.tick()
    return ballot_id, first, second


async def theme_status(app, theme_id: int) -> str:
    async with app.uow_factory() as uow:
        return (await uow.session.get(Proposal, theme_id)).status


async def test_staff_choose_the_result_of_a_tie_and_the_theme_moves_to_the_forum_stage(harness, app, clock):
    await make_editor(app, AINO, "fi")
    ballot_id, first, second = await tied_vote(app, clock)
    harness.session.take()
    [listing] = await harness.say(AINO, "/ballots")
    assert f"<b>#{ballot_id}</b> · 🏁 päättynyt · päättyi ma 22.6. klo 12.00" in listing.text
    [view, _] = await harness.press(AINO, f"bad:{ballot_id}:open:0")
    assert "⚖️ Tasapeli: " in view.text
    assert view.text.endswith("Ratkaise tasapeli valitsemalla tulos alla olevilla painikkeilla.")
    async with app.uow_factory() as uow:
        first_option, second_option = [option.id for option in (await ballots.ballot(uow, ballot_id)).options]
    assert view.keyboard == [
        [("Valitse Penkkejä torille", f"bad:{ballot_id}:tie:{first_option}")],
        [("Valitse Kirjasto auki sunnuntaisin", f"bad:{ballot_id}:tie:{second_option}")],
        [("📊 Kaavio", f"bad:{ballot_id}:chart:0")],
        [("‹ Kaikki äänestykset", "bap:0")],
    ]
    [confirm, _] = await harness.press(AINO, f"bad:{ballot_id}:tie:{second_option}")
    assert confirm.text == (
        f"⚖️ Valitaanko <b>Kirjasto auki sunnuntaisin</b> tasapeliin päättyneen äänestyksen #{ballot_id} "
        "tulokseksi?\n\nSen teema siirtyy foorumivaiheeseen, ja teeman seuraajat saavat tiedon. "
        "Valintaa ei voi perua.")
    assert confirm.keyboard == [
        [("✅ Valitse Kirjasto auki sunnuntaisin", f"bad:{ballot_id}:decide:{second_option}")],
        [("‹ Takaisin", f"bad:{ballot_id}:open:0")],
    ]
    assert await theme_status(app, second) == Status.INITIATIVE
    [decided, toast] = await harness.press(AINO, f"bad:{ballot_id}:decide:{second_option}")
    assert toast.text == "Valmis – tulos on kirjattu."
    assert "Kaupungin henkilökunta valitsi <b>2. Kirjasto auki sunnuntaisin</b>" in decided.text
    assert not any(data.startswith(f"bad:{ballot_id}:tie") for row in decided.keyboard for _, data in row)
    assert await theme_status(app, second) == Status.FORUM
    assert await theme_status(app, first) == Status.INITIATIVE
    [again] = await harness.press(AINO, f"bad:{ballot_id}:decide:{first_option}")  # too late
    assert again.show_alert and await theme_status(app, first) == Status.INITIATIVE


async def test_the_chart_is_a_png_sent_to_the_staff_member_who_asked(harness, app, clock):
    await make_editor(app, GRACE, "en")
    ballot_id = await new_ballot(app, by=GRACE)
    await vote(app, await add_residents(app.uow_factory, 3, 700), ballot_id, 1)
    [answer, photo] = await harness.press(GRACE, f"bad:{ballot_id}:chart:0")
    assert answer.name == "AnswerCallbackQuery"
    assert (photo.name, photo.chat_id) == ("SendPhoto", GRACE.id)
    assert photo.caption == f"📊 Vote #{ballot_id}: <b>Mistä seuraava foorumi?</b> (only available in Finnish)"
    assert photo.photo.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert photo.photo.filename == f"vote-{ballot_id}.png"


# --- residents without the editor role -----------------------------------------------------------

async def test_residents_without_the_editor_role_are_refused_everywhere_and_nothing_changes(
        harness, app, clock):
    await make_editor(app, AINO, "fi")
    ballot_id, first, second = await tied_vote(app, clock)
    open_id = await new_ballot(app)
    await set_language(app, GRACE, "en")  # a resident, not staff
    harness.session.take()
    async with app.uow_factory() as uow:
        tied_option = (await ballots.ballot(uow, ballot_id)).options[0].id

    for command in ("/ballots", "/newballot"):
        [refused] = await harness.say(GRACE, command)
        assert refused.text == REFUSAL
    for data in (f"bad:{open_id}:open:0", f"bad:{open_id}:remind:0", f"bad:{ballot_id}:chart:0",
                 f"bad:{ballot_id}:tie:{tied_option}", f"bad:{ballot_id}:decide:{tied_option}", "bap:1"):
        [refused] = await harness.press(GRACE, data)
        assert (refused.name, refused.text, refused.show_alert) == ("AnswerCallbackQuery", REFUSAL, True)
    for forged in ("brs:send", "nb:create", "brp:resident_type:holiday"):  # no conversation to act in
        [ignored] = await harness.press(GRACE, forged)
        assert ignored.name == "AnswerCallbackQuery" and ignored.text != REFUSAL

    assert [ballot.id for ballot in await stored_ballots(app)] == [ballot_id, open_id]
    assert (await stored_ballots(app))[0].decided_option_id is None
    assert (await theme_status(app, first), await theme_status(app, second)) == (Status.INITIATIVE,) * 2
    assert await notifications(app, "ballot_reminder") == []
