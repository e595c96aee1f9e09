"""Theme votes as residents see them: the announcement, /vote, /b7 and its deep link, voting and
changing a vote, refusals that store nothing, forged and stale buttons, and the results."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.services import ballots, moderation, proposals, residents, staff, themes
from bot.services.ballots import BallotDraft, OptionDraft
from bot.services.proposals import Draft
from domain import Method, Role, Visibility
from storage.models import Vote
from tests.support.clock import MIDDAY
from tests.support.proposals import make_moderator, notifications, resident_of, set_language
from tests.support.updates import AINO, GRACE, SVEN, Person

# Every test reads dates, and deliveries must not wait for quiet hours.
pytestmark = pytest.mark.parametrize("clock", [MIDDAY], indirect=True, ids=["midday"])

OPENS = MIDDAY + timedelta(minutes=10)  # ma 15.6. klo 12.10
CLOSES = MIDDAY + timedelta(days=2)  # ke 17.6. klo 12.00
QUESTION = {"fi": "Mitä torilla kehitetään ensin?", "sv": "Vad ska utvecklas först på torget?"}
OPTIONS = [
    {"fi": "Lisää penkkejä", "sv": "Fler bänkar"},
    {"fi": "Kesäkahvila", "sv": "Sommarkafé"},
    {"fi": "Leikkipaikka", "sv": "Lekplats"},
]
GONE = "That is no longer available – it may have been changed or removed."


# --- helpers ------------------------------------------------------------------------------------

async def make_ballot(app, options=OPTIONS, **draft) -> tuple[int, list[int]]:
    """A ballot made by Grace (an editor): its id and its options' ids."""
    async with app.uow_factory() as uow:
        await staff.grant(uow, GRACE.id, Role.EDITOR, None)
        labels = [OptionDraft(option) if isinstance(option, dict) else option for option in options]
        ballot = await ballots.create(uow, GRACE.id, BallotDraft(QUESTION, labels, OPENS, CLOSES, **draft),
                                      app.clock.now())
        return ballot.id, [option.id for option in ballot.options]


async def open_ballots(app, clock) -> None:
    clock.advance((OPENS - clock.now()).total_seconds())
    async with app.uow_factory() as uow:
        await ballots.announce_due(uow, app.core.notices, clock.now())


async def close_ballots(app, clock) -> None:
    clock.advance((CLOSES - clock.now()).total_seconds())
    async with app.uow_factory() as uow:
        await ballots.close_due(uow, app.core.notices, clock.now())


async def resident(app, person: Person, locale: str, resident_type: str | None = None,
                   area_code: str | None = None) -> None:
    await set_language(app, person, locale)
    async with app.uow_factory() as uow:
        found = await uow.residents.by_telegram_id(person.id)
        if resident_type:
            await residents.choose_resident_type(uow, found, resident_type)
        if area_code:
            area = next(a for a in await uow.areas.listing() if a.code == area_code)
            await residents.choose_area(uow, found, area.id)


async def vote_as(app, person: Person, ballot_id: int, option_id: int) -> None:
    async with app.uow_factory() as uow:
        voter = await uow.residents.by_telegram_id(person.id)
        await ballots.vote(uow, voter, ballot_id, option_id, app.clock.now())


async def stored_choices(app, person: Person, ballot_id: int | None = None) -> set[int]:
    """The option ids this person has votes on (in every ballot unless one is named)."""
    voter = await resident_of(app, person)
    async with app.uow_factory() as uow:
        statement = select(Vote.option_id).where(Vote.resident_id == voter.id)
        if ballot_id is not None:
            statement = statement.where(Vote.ballot_id == ballot_id)
        return set((await uow.session.scalars(statement)).all())


def answer_of(calls) -> tuple[str | None, bool]:
    [answer] = [call for call in calls if call.name == "AnswerCallbackQuery"]
    return answer.text, bool(answer.show_alert)


def edit_of(calls):
    [edit] = [call for call in calls if call.name == "EditMessageText"]
    return edit


# --- the announcement -----------------------------------------------------------------------------

async def test_the_announcement_reaches_each_resident_in_their_language_with_buttons(app, harness, clock):
    for person, locale in ((AINO, "fi"), (SVEN, "sv"), (GRACE, "en")):
        await set_language(app, person, locale)
    ballot_id, (first, second, third) = await make_ballot(app)
    await open_ballots(app, clock)
    sent = {call.chat_id: call for call in await harness.deliver()}
    assert set(sent) == {AINO.id, SVEN.id, GRACE.id}
    assert sent[AINO.id].text == (
        "🗳 <b>Uusi äänestys</b>\n\n"
        "<b>Mitä torilla kehitetään ensin?</b>\n\n"
        "1. Lisää penkkejä\n2. Kesäkahvila\n3. Leikkipaikka\n\n"
        "Valitse yksi vaihtoehto. Voit muuttaa ääntäsi napauttamalla toista.\n\n"
        "⏳ Äänestys on auki ke 17.6. klo 12.00 asti – voit muuttaa ääntäsi siihen saakka."
    )
    assert sent[AINO.id].keyboard == [
        [("1. Lisää penkkejä", f"bv:{ballot_id}:{first}")],
        [("2. Kesäkahvila", f"bv:{ballot_id}:{second}")],
        [("3. Leikkipaikka", f"bv:{ballot_id}:{third}")],
    ]
    assert sent[SVEN.id].text == (
        "🗳 <b>Ny omröstning</b>\n\n"
        "<b>Vad ska utvecklas först på torget?</b>\n\n"
        "1. Fler bänkar\n2. Sommarkafé\n3. Lekplats\n\n"
        "Välj ett alternativ – du kan ändra din röst genom att trycka på ett annat.\n\n"
        "⏳ Omröstningen är öppen till 17.6.2026 kl. 12.00 – du kan ändra din röst fram till dess."
    )
    assert sent[SVEN.id].keyboard[0] == [("1. Fler bänkar", f"bv:{ballot_id}:{first}")]
    # No English text: the city's language stands in, and the resident is told so.
    assert sent[GRACE.id].text == (
        "🗳 <b>New vote</b>\n\n"
        "<b>Mitä torilla kehitetään ensin?</b> (only available in Finnish)\n\n"
        "1. Lisää penkkejä\n2. Kesäkahvila\n3. Leikkipaikka\n\n"
        "Choose one option; tapping another one changes your vote.\n\n"
        "⏳ Voting is open until Wed 17 Jun 2026 at 12.00 – you can change your vote until then."
    )
    assert sent[GRACE.id].keyboard[2] == [("3. Leikkipaikka", f"bv:{ballot_id}:{third}")]
    async with app.uow_factory() as uow:  # announced once, however often the clock ticks
        assert await ballots.announce_due(uow, app.core.notices, clock.now()) == []


async def test_approval_announcement_says_how_many_and_staff_text_is_escaped(app, harness, clock):
    await set_language(app, GRACE, "en")
    await make_ballot(app, [{"en": "<b>Benches</b> & shade"}, {"en": "Café"}, {"en": "Playground"}],
                      method=Method.APPROVAL, max_choices=2)
    await open_ballots(app, clock)
    [announcement] = await harness.deliver()
    assert "1. &lt;b&gt;Benches&lt;/b&gt; &amp; shade\n" in announcement.text
    assert "Choose up to 2 options; tap a chosen one again to remove it." in announcement.text
    assert announcement.keyboard[0][0][0] == "1. <b>Benches</b> & shade"  # buttons are plain text


# --- voting ---------------------------------------------------------------------------------------

async def test_a_vote_and_a_changed_vote_edit_the_message_that_was_tapped(app, harness, clock):
    await set_language(app, AINO, "fi")
    ballot_id, (first, second, _third) = await make_ballot(app)
    await open_ballots(app, clock)
    await harness.deliver()
    announcement = harness.session.latest_with_buttons[AINO.id]

    calls = await harness.press(AINO, f"bv:{ballot_id}:{first}")
    edit = edit_of(calls)
    assert edit.message_id == announcement
    assert answer_of(calls) == ("✅ Äänesi on kirjattu", False)
    assert edit.text == (
        "🗳 <b>Mitä torilla kehitetään ensin?</b>\n\n"
        "1. Lisää penkkejä\n2. Kesäkahvila\n3. Leikkipaikka\n\n"
        "Valitse yksi vaihtoehto. Voit muuttaa ääntäsi napauttamalla toista.\n\n"
        "⏳ Äänestys on auki ke 17.6. klo 12.00 asti – voit muuttaa ääntäsi siihen saakka."
    )
    assert edit.keyboard == [
        [("✅ 1. Lisää penkkejä", f"bv:{ballot_id}:{first}")],
        [("2. Kesäkahvila", f"bv:{ballot_id}:{second}")],
        [("3. Leikkipaikka", f"bv:{ballot_id}:{_third}")],
        [("‹ Kaikki avoimet äänestykset", "bl")],  # results only after closing
    ]
    assert await stored_choices(app, AINO) == {first}

    calls = await harness.press(AINO, f"bv:{ballot_id}:{second}")
    assert answer_of(calls) == ("✅ Ääni muutettu", False)
    assert [row[0][0] for row in edit_of(calls).keyboard[:2]] == ["1. Lisää penkkejä", "✅ 2. Kesäkahvila"]
    assert await stored_choices(app, AINO) == {second}

    calls = await harness.press(AINO, f"bv:{ballot_id}:{second}")  # a double tap counts once
    assert answer_of(calls) == ("✅ Äänesi on kirjattu", False)
    assert await stored_choices(app, AINO) == {second}


async def test_approval_takes_up_to_k_choices_and_refuses_one_more(app, harness, clock):
    await set_language(app, GRACE, "en")
    ballot_id, (first, second, third) = await make_ballot(app, method=Method.APPROVAL, max_choices=2)
    await open_ballots(app, clock)
    await harness.deliver()
    assert answer_of(await harness.press(GRACE, f"bv:{ballot_id}:{first}")) == ("✅ Chosen", False)
    calls = await harness.press(GRACE, f"bv:{ballot_id}:{second}")
    assert answer_of(calls) == ("✅ Chosen", False)
    assert [row[0][0] for row in edit_of(calls).keyboard[:3]] == [
        "✅ 1. Lisää penkkejä", "✅ 2. Kesäkahvila", "3. Leikkipaikka"]

    calls = await harness.press(GRACE, f"bv:{ballot_id}:{third}")
    assert [call.name for call in calls] == ["AnswerCallbackQuery"]
    assert answer_of(calls) == (
        "You can choose up to 2 options. Tap a chosen one to remove it first.", True)
    assert await stored_choices(app, GRACE) == {first, second}

    assert answer_of(await harness.press(GRACE, f"bv:{ballot_id}:{first}")) == ("Removed", False)
    assert answer_of(await harness.press(GRACE, f"bv:{ballot_id}:{third}")) == ("✅ Chosen", False)
    assert await stored_choices(app, GRACE) == {second, third}


# --- refusals: nothing is stored -----------------------------------------------------------------

async def test_before_opening_a_vote_is_refused_and_the_opening_time_shown(app, harness, clock):
    await set_language(app, AINO, "fi")
    ballot_id, (first, *_rest) = await make_ballot(app)
    calls = await harness.press(AINO, f"bv:{ballot_id}:{first}")
    assert answer_of(calls) == ("Äänestys ei ole vielä alkanut.", False)
    edit = edit_of(calls)
    assert edit.text.endswith("\n\n⏳ Äänestys alkaa ma 15.6. klo 12.10.")
    assert edit.keyboard == [[("‹ Kaikki avoimet äänestykset", "bl")]]
    assert await stored_choices(app, AINO) == set()


async def test_a_stale_button_after_closing_says_so_and_shows_the_results(app, harness, clock):
    await set_language(app, AINO, "fi")
    ballot_id, (first, second, _third) = await make_ballot(app)
    await open_ballots(app, clock)
    await harness.deliver()
    await harness.press(AINO, f"bv:{ballot_id}:{first}")
    clock.advance((CLOSES - clock.now()).total_seconds())  # time is up, not yet counted
    calls = await harness.press(AINO, f"bv:{ballot_id}:{second}")
    assert answer_of(calls) == ("Tämä äänestys on päättynyt.", False)
    assert edit_of(calls).text.startswith("📊 <b>Tulokset tähän mennessä</b>")
    await close_ballots(app, clock)
    await harness.deliver()
    calls = await harness.press(AINO, f"bv:{ballot_id}:{second}")
    assert answer_of(calls) == ("Tämä äänestys on päättynyt.", False)
    results = edit_of(calls)
    assert results.text.startswith("📊 <b>Tulokset</b>\n")
    assert "🏆 Valittu vaihtoehto: <b>1. Lisää penkkejä</b>" in results.text
    assert results.keyboard == [[("‹ Takaisin", f"bo:{ballot_id}:0")]]
    assert await stored_choices(app, AINO) == {first}


async def test_residents_outside_the_ballots_areas_are_refused_and_told_who_may_vote(
    app, harness, clock, city,
):
    await resident(app, AINO, "fi")  # no area given
    await resident(app, SVEN, "sv", "holiday", "haukivuori")
    async with app.uow_factory() as uow:
        haukivuori = next(a.id for a in await uow.areas.listing() if a.code == "haukivuori")
    ballot_id, (first, *_rest) = await make_ballot(app, area_ids=(haukivuori,))
    await open_ballots(app, clock)
    assert [call.chat_id for call in await harness.deliver()] == [SVEN.id]

    calls = await harness.press(AINO, f"bv:{ballot_id}:{first}")  # a forwarded announcement
    assert answer_of(calls) == ("🔒 Tämä äänestys ei ole avoin sinulle.", False)
    edit = edit_of(calls)
    assert edit.text.endswith(
        "\n\n🔒 Tämä äänestys on tarkoitettu vain osalle asukkaista (alueet: Haukivuori). "
        "Jos tietosi ovat muuttuneet, voit päivittää ne kohdassa /settings.")
    assert edit.keyboard == [[("‹ Kaikki avoimet äänestykset", "bl")]]
    assert await stored_choices(app, AINO) == set()
    [listing] = await harness.say(AINO, "/vote")
    assert listing.text == (
        "Sinulle ei ole nyt avoinna äänestyksiä. Kun sellainen alkaa, kerromme siitä täällä.")

    calls = await harness.press(SVEN, f"bv:{ballot_id}:{first}")
    assert answer_of(calls) == ("✅ Din röst har räknats", False)
    assert await stored_choices(app, SVEN) == {first}


async def test_forged_buttons_change_nothing(app, harness, clock):
    await set_language(app, AINO, "fi")
    ballot_id, _options = await make_ballot(app)
    _other, (elsewhere, *_others) = await make_ballot(app)
    await open_ballots(app, clock)
    gone = harness.translate(GONE, "fi")
    assert answer_of(await harness.press(AINO, "bv:999:1")) == (gone, True)
    assert answer_of(await harness.press(AINO, f"bv:{ballot_id}:{elsewhere}")) == (gone, True)
    assert answer_of(await harness.press(AINO, f"bv:{ballot_id}:abc")) == (
        "Tämä painike ei ole enää käytössä.", True)
    # Results are not shown before closing, whatever the button says.
    assert answer_of(await harness.press(AINO, f"bo:{ballot_id}:1")) == (gone, True)
    assert await stored_choices(app, AINO) == set()


# --- /vote, /b7 and t.me/<bot>?start=b7 ------------------------------------------------------------

async def test_vote_lists_open_ballots_and_commands_and_links_open_one(app, harness, clock):
    await set_language(app, GRACE, "en")
    [none] = await harness.say(GRACE, "/vote")
    assert none.text == "No votes are open for you right now. When one opens, you will hear about it here."
    assert none.reply_markup is None
    ballot_id, (first, second, _third) = await make_ballot(app, visibility=Visibility.LIVE)
    await open_ballots(app, clock)
    [listing] = await harness.say(GRACE, "/vote")
    assert listing.text == (
        "🗳 <b>Open votes</b> – tap one to vote or to change your vote.\n\n"
        "• <b>Mitä torilla kehitetään ensin?</b> (only available in Finnish) "
        "– open until Wed 17 Jun 2026 at 12.00")
    assert listing.keyboard == [[("Mitä torilla kehitetään ensin?", f"bo:{ballot_id}:0")]]

    view = edit_of(await harness.press(GRACE, f"bo:{ballot_id}:0"))
    assert view.text.startswith("🗳 <b>Mitä torilla kehitetään ensin?</b> (only available in Finnish)\n\n")
    await harness.press(GRACE, f"bv:{ballot_id}:{second}")
    for opening in (f"/b{ballot_id}", f"/start b{ballot_id}"):
        [view] = await harness.say(GRACE, opening)
        assert view.text.endswith(
            "⏳ Voting is open until Wed 17 Jun 2026 at 12.00 – you can change your vote until then.")
        assert view.keyboard == [
            [("1. Lisää penkkejä", f"bv:{ballot_id}:{first}")],
            [("✅ 2. Kesäkahvila", f"bv:{ballot_id}:{second}")],
            [("3. Leikkipaikka", f"bv:{ballot_id}:{_third}")],
            [("📊 Results", f"bo:{ballot_id}:1")],  # live results while it is open
            [("‹ All open votes", "bl")],
        ]
    results = edit_of(await harness.press(GRACE, f"bo:{ballot_id}:1"))
    assert results.text.startswith("📊 <b>Results so far</b>\n")
    back = edit_of(await harness.press(GRACE, "bl"))
    assert back.text == listing.text
    [unknown] = await harness.say(GRACE, "/b999")
    assert unknown.text == GONE


# --- results ---------------------------------------------------------------------------------------

VOTERS = [Person(3000 + number, f"Voter {number}", "fi") for number in range(7)]


async def test_results_give_counts_shares_bars_and_hide_small_groups(app, harness, clock):
    """Seven voters: five permanent residents, one holiday resident and one who works here."""
    types = ["permanent"] * 5 + ["holiday", "works"]
    for person, resident_type in zip(VOTERS, types, strict=True):
        await resident(app, person, "fi", resident_type)
    ballot_id, (first, second, _third) = await make_ballot(app)
    await open_ballots(app, clock)
    await harness.deliver()
    picks = [first, first, first, second, second, first, second]
    for person, option in zip(VOTERS, picks, strict=True):
        await vote_as(app, person, ballot_id, option)
    await close_ballots(app, clock)
    [(texts, recipients)] = await notifications(app, "ballot_results")
    assert recipients == {person.id for person in VOTERS}
    assert texts["fi"] == (
        "📊 <b>Tulokset</b>\n"
        "<b>Mitä torilla kehitetään ensin?</b>\n"
        "👥 7 äänestäjää\n\n"
        "1. Lisää penkkejä\n4 ääntä · 57\xa0% ▰▰▰▰▰▰▱▱▱▱\n"
        "2. Kesäkahvila\n3 ääntä · 43\xa0% ▰▰▰▰▱▱▱▱▱▱\n"
        "3. Leikkipaikka\n0 ääntä · 0\xa0% ▱▱▱▱▱▱▱▱▱▱\n\n"
        "🏆 Valittu vaihtoehto: <b>1. Lisää penkkejä</b>\n\n"
        "<b>Asukasryhmittäin</b>\n"
        "🏠 Vakituiset asukkaat – 5 äänestäjää: 1: 60\xa0% · 2: 40\xa0%\n"
        "🔒 2 ryhmää ei näy, jotta alle 5 äänestäjän ryhmien äänet pysyvät salaisina.\n\n"
        "<b>Alueittain</b>\n"
        "Koko kaupunki – 7 äänestäjää: 1: 57\xa0% · 2: 43\xa0%\n\n"
        f"🗳 /b{ballot_id}"
    )
    assert texts["sv"].startswith(
        "📊 <b>Resultat</b>\n<b>Vad ska utvecklas först på torget?</b>\n👥 7 röstande\n\n"
        "1. Fler bänkar\n4 röster · 57\xa0% ▰▰▰▰▰▰▱▱▱▱\n")
    assert ("🔒 2 grupper visas inte, så att rösterna i grupper med färre än 5 röstande förblir hemliga."
            in texts["sv"])


@pytest.mark.parametrize("settings_overrides", [{"staff_chat_id": -1001000000001}])
async def test_a_tie_and_a_ballot_nobody_voted_in_are_said_as_such(app, harness, clock):
    for person in VOTERS[:2]:
        await resident(app, person, "fi")
    tied, (first, second, _third) = await make_ballot(app)
    empty, _options = await make_ballot(app)
    await open_ballots(app, clock)
    await vote_as(app, VOTERS[0], tied, first)
    await vote_as(app, VOTERS[1], tied, second)
    await close_ballots(app, clock)
    staff_lines = [texts["fi"] for texts, _ in await notifications(app, "ballot_closed")]
    assert staff_lines == [
        "🗳 Äänestys päättyi: <b>Mitä torilla kehitetään ensin?</b>\n"
        "⚖️ Tasapeli: <b>1. Lisää penkkejä</b>, <b>2. Kesäkahvila</b>. Kaupungin henkilökunta ratkaisee.\n"
        f"👥 2 äänestäjää · /b{tied}",
        "🗳 Äänestys päättyi: <b>Mitä torilla kehitetään ensin?</b>\n"
        "Kukaan ei äänestänyt.\n"
        f"👥 0 äänestäjää · /b{empty}",
    ]
    await set_language(app, AINO, "fi")
    [view] = await harness.say(AINO, f"/b{empty}")
    assert view.text.endswith("\n\n🔒 Äänestys päättyi ke 17.6. klo 12.00.")
    assert view.keyboard[0] == [("📊 Tulokset", f"bo:{empty}:1")]
    results = edit_of(await harness.press(AINO, f"bo:{empty}:1"))
    assert results.text == (
        "📊 <b>Tulokset</b>\n<b>Mitä torilla kehitetään ensin?</b>\n👥 0 äänestäjää\n\nKukaan ei äänestänyt.")


async def test_the_chosen_theme_moves_to_the_forum_with_the_vote_as_its_note(app, harness, clock):
    await make_moderator(app, AINO, "fi")
    theme_ids = []
    async with app.uow_factory() as uow:
        author = await uow.residents.by_telegram_id(AINO.id)
        for title in ("Penkkejä torille", "Kesäkahvila rantaan"):
            proposal = await proposals.submit(uow, author, Draft(title, "Kuvaus.", None), 99,
                                              app.core.notices, clock.now())
            await moderation.approve(uow, AINO.id, proposal.id, app.core.notices, clock.now())
            theme_ids.append(proposal.id)
    ballot_id, (first, _second) = await make_ballot(app, [OptionDraft(theme_id=i) for i in theme_ids])
    await harness.deliver()  # the author hears of the approvals
    await open_ballots(app, clock)
    [announcement] = await harness.deliver()
    assert f"1. Penkkejä torille – /p{theme_ids[0]}\n2. Kesäkahvila rantaan – /p{theme_ids[1]}" in (
        announcement.text)
    await harness.press(AINO, f"bv:{ballot_id}:{first}")
    await close_ballots(app, clock)
    async with app.uow_factory() as uow:
        author = await uow.residents.by_telegram_id(AINO.id)
        theme, entries = await themes.timeline(uow, author, theme_ids[0])
    assert theme.status == "forum"
    assert entries[-1].notes == {
        "fi": f"Valittiin äänestyksessä: 100\xa0% 1 äänestäjästä (/b{ballot_id})",
        "sv": f"Valt i en omröstning: 100\xa0% av 1 röstande (/b{ballot_id})",
        "en": f"Chosen in a vote: 100\xa0% of 1 voter (/b{ballot_id})",
    }
