"""/proposals, the card, support, /mine, deep links, milestones and forged or stale buttons."""

from __future__ import annotations

import pytest

from bot.services import moderation, proposals
from bot.services.proposals import Draft
from domain import proposal_link
from tests.support.proposals import (
    approve,
    latest_proposal,
    location,
    make_moderator,
    notifications,
    photo,
    propose,
)
from tests.support.updates import AINO, GRACE, HANS, SVEN, Person

GONE_EN = "That is no longer available – it may have been changed or removed."
THEMES = [
    ("Kesätorin foorumi mökkiläisille", "Mökkiläiset mukaan kesätorin kehittämiseen."),
    ("Kyläkoulun tilat iltakäyttöön", "Koulun liikuntasali kyläläisten käyttöön iltaisin."),
    ("Kirjaston aukioloajat sunnuntaisin", "Pääkirjasto auki myös sunnuntaisin."),
    ("Uimarantojen huolto kyläyhdistyksille", "Kyläyhdistykset hoitavat rantoja, tarvitaan tukea."),
    ("Lisää penkkejä torille", "Torilla on liian vähän istumapaikkoja."),
    ("Valaistus Rantakylän kuntoradalle", "Kuntorata on pimeä syksyllä."),
    ("Koirapuisto Urpolaan", "Aidattu alue koirille."),
]


async def approved_themes(app, clock, count=len(THEMES), area_code=None) -> list[int]:
    """Public proposals made straight through the services, one minute apart."""
    ids = []
    async with app.uow_factory() as uow:
        await make_moderator(app, AINO, "fi")
        author = await uow.residents.by_telegram_id(AINO.id)
        area_id = None
        if area_code:
            area_id = next(a.id for a in await uow.areas.listing() if a.code == area_code)
        notices = app.core.notices
        for title, description in THEMES[:count]:
            clock.advance(60)
            proposal = await proposals.submit(
                uow, author, Draft(title, description, area_id), 99, notices, clock.now()
            )
            await moderation.approve(uow, AINO.id, proposal.id, notices, clock.now())
            ids.append(proposal.id)
    return ids


async def test_pages_of_five_newest_first(harness, app, clock):
    ids = await approved_themes(app, clock)
    [first] = await harness.say(GRACE, "/proposals")
    # Each line carries the proposal's own number, the one its card and /p command show.
    assert first.text.splitlines()[2] == f"#{ids[-1]} <b>Koirapuisto Urpolaan</b>"
    assert first.keyboard[0][0][0] == f"#{ids[-1]} Koirapuisto Urpolaan"
    assert "Page 1 of 2" in first.text
    assert [row[0][1] for row in first.keyboard[:5]] == [f"po:{i}" for i in reversed(ids[2:])]
    assert first.keyboard[5] == [("Next ›", "pl:1:-1:new")]
    assert first.keyboard[6] == [
        ("🔥 Most supported first", "pl:0:-1:top"),
        ("📍 Filter by area", "pla:0:new"),
    ]
    second, _ = await harness.press(GRACE, "pl:1:-1:new")
    assert "Page 2 of 2" in second.text
    assert [row[0][1] for row in second.keyboard[:2]] == [f"po:{ids[1]}", f"po:{ids[0]}"]
    assert second.keyboard[2] == [("‹ Previous", "pl:0:-1:new")]


async def test_most_supported_first(harness, app, clock):
    ids = await approved_themes(app, clock, 3)
    for person in (GRACE, SVEN, HANS):
        await harness.press(person, f"pa:sup:{ids[0]}")
    await harness.press(GRACE, f"pa:sup:{ids[1]}")
    listing, _ = await harness.press(GRACE, "pl:0:-1:top")
    assert [row[0][1] for row in listing.keyboard[:3]] == [
        f"po:{ids[0]}",
        f"po:{ids[1]}",
        f"po:{ids[2]}",
    ]
    assert "👥 3 supporters" in listing.text.splitlines()[3]


async def test_filter_by_area(harness, app, city, clock):
    await approved_themes(app, clock, 2)
    [in_haukivuori] = await approved_themes(app, clock, 1, area_code="haukivuori")
    choose, _ = await harness.press(GRACE, "pla:0:new")
    assert choose.text == (
        "Which proposals would you like to see? Pick an area for those about one village or "
        "district. “Whole-city proposals” are those about the city as a whole; “All proposals” "
        "shows every one."
    )
    assert choose.keyboard[0] == [
        ("🌐 All proposals", "pl:0:-1:new"), ("🏙 Whole-city proposals", "pl:0:0:new")]
    assert choose.keyboard[1][0] == ("City centre", "pl:0:1:new")
    assert choose.keyboard[-1] == [("Next ›", "pla:1:new")]
    area_id = (await latest_proposal(app)).area_id
    listing, _ = await harness.press(GRACE, f"pl:0:{area_id}:new")
    assert listing.text.splitlines()[0] == "<b>Proposals</b> · Haukivuori · newest first"
    assert [row[0][1] for row in listing.keyboard[:-1]] == [f"po:{in_haukivuori}"]
    whole_city, _ = await harness.press(GRACE, "pl:0:0:new")
    assert whole_city.text.splitlines()[0] == "<b>Proposals</b> · Whole city · newest first"
    assert len(whole_city.keyboard) == 3  # two whole-city proposals and the sort/filter row
    [answer] = await harness.press(GRACE, "pl:0:9999:new")
    assert answer.text == GONE_EN


async def test_empty_list(harness):
    [listing] = await harness.say(SVEN, "/proposals")
    assert (
        listing.text == "<b>Förslag</b> · Alla områden · nyaste först\n\n"
        "Här finns inga förslag ännu. Bli först: /propose"
    )


async def test_support_twice_and_withdraw_twice_are_harmless(harness, app, clock):
    [proposal_id] = await approved_themes(app, clock, 1)
    await harness.press(GRACE, f"pa:sup:{proposal_id}")
    card, toast = await harness.press(
        GRACE, f"pa:sup:{proposal_id}"
    )  # the old button pressed again
    assert "👥 1 supporter" in card.text
    async with app.uow_factory() as uow:
        assert await uow.proposals.supporters(proposal_id) == 1
    await harness.press(GRACE, f"pa:wd:{proposal_id}")
    card, toast = await harness.press(GRACE, f"pa:wd:{proposal_id}")
    assert "👥 0 supporters" in card.text and toast.text == "Your support was withdrawn."


@pytest.mark.parametrize("action", ["sup", "fol", "rep", "repok", "tl", "pic", "map"])
async def test_forged_buttons_for_unknown_proposals(harness, app, action):
    [answer] = await harness.press(GRACE, f"pa:{action}:999")
    assert (answer.name, answer.text, answer.show_alert) == ("AnswerCallbackQuery", GONE_EN, True)


async def test_someone_elses_pending_proposal_cannot_be_opened_or_followed(harness, app):
    await propose(harness, SVEN, "Bibliotekets öppettider", "Öppet på söndagar.")
    proposal_id = (await latest_proposal(app)).id
    for data in (
        f"po:{proposal_id}",
        f"pa:fol:{proposal_id}",
        f"pa:tl:{proposal_id}",
        f"pa:rep:{proposal_id}",
    ):
        [answer] = await harness.press(GRACE, data)
        assert answer.text == GONE_EN
    [answer] = await harness.say(GRACE, f"/p{proposal_id}")
    assert answer.text == GONE_EN
    [own] = await harness.say(
        SVEN, f"/p{proposal_id}"
    )  # the author sees it, without resident buttons
    assert "⏳ Väntar på granskning" in own.text
    assert own.keyboard == [[("‹ Alla förslag", "pl:0:-1:new")]]


async def test_a_forged_support_for_a_pending_proposal_stores_nothing(harness, app):
    await propose(harness, SVEN, "Bibliotekets öppettider", "Öppet på söndagar.")
    proposal_id = (await latest_proposal(app)).id
    [answer] = await harness.press(GRACE, f"pa:sup:{proposal_id}")
    assert answer.text == GONE_EN
    async with app.uow_factory() as uow:
        assert await uow.proposals.supporters(proposal_id) == 0
    [mine] = await harness.say(GRACE, "/mine")
    assert mine.text.startswith("You have no proposals or supports yet.")


async def test_authors_follow_their_own_proposal_but_neither_support_nor_report_it(
    harness, app, clock
):
    [own] = await approved_themes(app, clock, 1)  # by Aino
    [card] = await harness.say(AINO, f"/p{own}")
    assert card.keyboard[:2] == [[("🔕 Lopeta seuraaminen", f"pa:unf:{own}")],
                                 [("🧭 Aikajana", f"pa:tl:{own}")]]
    [answer] = await harness.press(AINO, f"pa:sup:{own}")  # a forged button
    assert answer.text == "Tämä ei ole enää saatavilla – sitä on ehkä muutettu tai se on poistettu."
    async with app.uow_factory() as uow:
        assert await uow.proposals.supporters(own) == 0


async def test_a_merged_proposal_points_to_where_it_went_and_takes_no_support(harness, app, clock):
    [target] = await approved_themes(app, clock, 1)
    await propose(
        harness, SVEN, "Sommartorget för fritidsinvånare", "Fritidsinvånare med i utvecklingen."
    )
    source = (await latest_proposal(app)).id
    await harness.press(AINO, f"md:mc:{source}:{target}:")
    [card] = await harness.say(GRACE, f"/p{source}")
    assert f"This proposal was merged into #{target}: /p{target}" in card.text
    [answer] = await harness.press(GRACE, f"pa:sup:{source}")
    assert answer.text == GONE_EN


async def test_mine_lists_own_proposals_and_supports(harness, app, clock):
    [theme] = await approved_themes(app, clock, 1)
    [empty] = await harness.say(SVEN, "/mine")
    assert empty.text.startswith("Du har inte lagt fram eller stött några förslag ännu.")
    await propose(harness, SVEN, "Bibliotekets <öppettider>", "Öppet på söndagar.")
    own = (await latest_proposal(app)).id
    await harness.press(SVEN, f"pa:sup:{theme}")
    [mine] = await harness.say(SVEN, "/mine")
    assert mine.text == (
        "<b>Dina förslag</b>\n"
        f"• <b>Bibliotekets &lt;öppettider&gt;</b> – ⏳ Väntar på granskning – /p{own}\n\n"
        "<b>Förslag som du stöder</b>\n"
        f"• <b>Kesätorin foorumi mökkiläisille</b> – 💡 Initiativ – /p{theme}\n\n"
        "Tryck på ett /p-nummer för att öppna förslaget."
    )


async def test_deep_link_opens_the_proposal(harness, app, clock):
    [proposal_id] = await approved_themes(app, clock, 1)
    assert (
        proposal_link("foorumi_test_bot", proposal_id)
        == f"https://t.me/foorumi_test_bot?start=p{proposal_id}"
    )
    [card] = await harness.say(GRACE, f"/start p{proposal_id}")
    assert card.name == "SendMessage"
    assert card.text.startswith(f"<b>Kesätorin foorumi mökkiläisille</b> · #{proposal_id}")
    assert card.keyboard[0][0] == ("👍 Support", f"pa:sup:{proposal_id}")


async def test_a_deep_link_to_nothing_is_answered_politely(harness, app):
    calls = await harness.say(GRACE, "/start p4242")
    assert calls[0].text == GONE_EN


async def test_support_milestones_tell_the_author_once(harness, app, clock):
    app.dispatcher["settings"] = app.settings.model_copy(update={"support_milestones": [2, 3]})
    [proposal_id] = await approved_themes(app, clock, 1)
    supporters = [Person(2000 + n, f"Resident {n}", "en") for n in range(3)]
    for person in supporters[:2]:
        await harness.press(person, f"pa:sup:{proposal_id}")
    await harness.press(supporters[1], f"pa:wd:{proposal_id}")
    await harness.press(supporters[1], f"pa:sup:{proposal_id}")  # back to two: no second notice
    await harness.press(supporters[2], f"pa:sup:{proposal_id}")
    sent = await notifications(app, "proposal_milestone")
    assert [recipients for _, recipients in sent] == [{AINO.id}, {AINO.id}]
    assert sent[0][0]["fi"] == (
        "🎉 Ehdotuksellasi <b>Kesätorin foorumi mökkiläisille</b> on nyt 2 tukijaa! "
        f"/p{proposal_id}"
    )
    assert "3" in sent[1][0]["fi"]


async def test_photo_and_map_buttons_send_them(harness, app, clock):
    await make_moderator(app, AINO, "fi")
    await harness.say(GRACE, "/propose")
    await harness.say(GRACE, "Beach at Haukivuori")
    await harness.say(GRACE, "The village association needs help.")
    await harness.press(GRACE, "pda:0")
    await harness.feed(photo(GRACE))
    await harness.feed(location(GRACE))
    await harness.press(GRACE, "pd:send")
    proposal_id = (await latest_proposal(app)).id
    await approve(harness, AINO, proposal_id)
    picture, _ = await harness.press(SVEN, f"pa:pic:{proposal_id}")
    assert (picture.name, picture.photo) == ("SendPhoto", "large-1")
    place, _ = await harness.press(SVEN, f"pa:map:{proposal_id}")
    assert (place.name, place.latitude, place.longitude) == ("SendLocation", 61.6886, 27.2723)
