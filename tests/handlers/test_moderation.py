"""Moderators' cards: approve, reject, merge, reports; every action checks the store's roles."""

from __future__ import annotations

import pytest

from bot.services import proposals, staff
from tests.support.proposals import (
    approve,
    latest_proposal,
    make_moderator,
    notifications,
    propose,
    set_language,
)
from tests.support.clock import MIDDAY
from tests.support.updates import AINO, GRACE, HANS, SVEN, Person

NOT_ALLOWED_EN = "Sorry, only city staff with the right role can do that."
NOT_ALLOWED_FI = "Valitettavasti vain kaupungin henkilökunta, jolla on tarvittavat oikeudet, voi tehdä tämän."
AT_MIDDAY_FI = "ma 15.6. klo 12.00"  # decisions are dated: tests that read the date run at MIDDAY
AT_MIDDAY_EN = "Mon 15 Jun 2026 at 12.00"
GONE_FI = "Tämä ei ole enää saatavilla – sitä on ehkä muutettu tai se on poistettu."


async def sent_by_sven_calls(harness, app, title="Fler bänkar vid torget") -> list:
    await set_language(app, SVEN, "sv")
    return await propose(harness, SVEN, title, "Det finns för få sittplatser på torget.")


async def sent_by_sven(harness, app, title="Fler bänkar vid torget") -> int:
    await sent_by_sven_calls(harness, app, title)
    return (await latest_proposal(app)).id


async def moderation_log(app, proposal_id):
    async with app.uow_factory() as uow:
        return [
            (a.actor_telegram_id, a.action, a.reason)
            for a in await proposals.moderation_log(uow, proposal_id)
        ]


async def test_the_card_goes_privately_to_each_moderator_in_their_language(harness, app):
    await make_moderator(app, AINO, "fi")
    await make_moderator(app, GRACE, "en")
    await sent_by_sven_calls(harness, app)
    cards = {call.chat_id: call for call in await harness.deliver()}
    assert set(cards) == {AINO.id, GRACE.id}
    assert cards[AINO.id].text.startswith(
        "🆕 <b>Uusi ehdotus #1</b> (ruotsiksi)\n\n"
        "<b>Fler bänkar vid torget</b>\n📍 Koko kaupunki · "
    )
    assert cards[AINO.id].keyboard == [
        [("✅ Hyväksy", "md:ok:1:0:"), ("✖️ Hylkää", "md:rj:1:0:"), ("🔗 Yhdistä", "md:mg:1:0:")]
    ]
    assert cards[GRACE.id].text.startswith("🆕 <b>New proposal #1</b> (in Swedish)")


@pytest.mark.parametrize("settings_overrides", [{"staff_chat_id": -100500}])
async def test_the_card_goes_to_the_staff_group_when_there_is_one(harness, app):
    await make_moderator(app, AINO, "fi")
    await sent_by_sven_calls(harness, app)
    [card] = await harness.deliver()
    assert card.name == "SendMessage"
    assert card.chat_id == -100500
    assert card.text.startswith("🆕 <b>Uusi ehdotus #1</b>")  # the city's default language


@pytest.mark.parametrize("clock", [MIDDAY], indirect=True)
async def test_approve_in_finnish_tells_the_author_in_swedish_and_is_logged(harness, app, clock):
    await make_moderator(app, AINO, "fi")
    proposal_id = await sent_by_sven(harness, app)
    edit, answer = await approve(harness, AINO, proposal_id)
    assert edit.text.endswith(f"\n\n✅ Hyväksytty – moderaattori, {AT_MIDDAY_FI}")  # a private chat
    assert edit.reply_markup is None
    assert answer.text == "Tehty – ehdottajalle kerrotaan."
    [(texts, recipients)] = await notifications(app, "proposal_outcome")
    assert recipients == {SVEN.id}
    assert texts["sv"] == (
        "✅ Ditt förslag <b>Fler bänkar vid torget</b> har godkänts och är nu offentligt. "
        f"Invånarna kan stöda och följa det: /p{proposal_id}"
    )
    assert await moderation_log(app, proposal_id) == [(AINO.id, "initiative", None)]
    assert (await latest_proposal(app)).status == "initiative"


@pytest.mark.parametrize("clock", [MIDDAY], indirect=True)
async def test_every_private_copy_of_the_card_shows_the_decision_and_when_but_no_name(harness, app):
    await make_moderator(app, AINO, "fi")
    await make_moderator(app, GRACE, "en")
    proposal_id = await sent_by_sven(harness, app)
    await harness.deliver()  # a card to each moderator
    graces_card = harness.session.latest_with_buttons[GRACE.id]
    await approve(harness, AINO, proposal_id)  # on her own copy, which the handler edits
    copies = [call for call in await harness.deliver() if call.chat_id in (AINO.id, GRACE.id)]
    [graces] = copies
    assert (graces.name, graces.chat_id, graces.message_id) == ("EditMessageText", GRACE.id, graces_card)
    assert graces.text.startswith(f"🆕 <b>New proposal #{proposal_id}</b> (in Swedish)")
    assert graces.text.endswith(f"\n\n✅ Approved by a moderator, {AT_MIDDAY_EN}")
    assert graces.reply_markup is None


@pytest.mark.parametrize("settings_overrides", [{"staff_chat_id": -100500}])
@pytest.mark.parametrize("clock", [MIDDAY], indirect=True)
async def test_deciding_from_the_moderation_list_updates_the_staff_group_card(harness, app):
    await make_moderator(app, AINO, "fi")
    proposal_id = await sent_by_sven(harness, app)
    await harness.deliver()
    group_card = harness.session.latest_with_buttons[-100500]
    await harness.say(AINO, "/moderation")
    await approve(harness, AINO, proposal_id)  # on the card /moderation listed
    [group_copy] = [call for call in await harness.deliver() if call.chat_id == -100500]
    assert (group_copy.name, group_copy.message_id) == ("EditMessageText", group_card)
    assert group_copy.text.endswith(f"\n\n✅ Hyväksytty – Aino, {AT_MIDDAY_FI}")
    assert group_copy.reply_markup is None


@pytest.mark.parametrize("clock", [MIDDAY], indirect=True)
async def test_a_second_moderator_pressing_a_decided_card_sees_the_decision_and_changes_nothing(
    harness, app
):
    await make_moderator(app, AINO, "fi")
    await make_moderator(app, GRACE, "en")
    proposal_id = await sent_by_sven(harness, app)
    await harness.deliver()
    graces_card = harness.session.latest_with_buttons[GRACE.id]
    await approve(harness, AINO, proposal_id)
    edit, answer = await harness.press(GRACE, f"md:rr:{proposal_id}:0:rules", graces_card)
    assert (edit.name, edit.message_id) == ("EditMessageText", graces_card)
    assert edit.text.endswith(f"\n\n✅ Approved by a moderator, {AT_MIDDAY_EN}")
    assert edit.reply_markup is None
    assert answer.text == "This was already decided – the card now shows how."
    assert (await latest_proposal(app)).status == "initiative"
    assert len(await moderation_log(app, proposal_id)) == 1


@pytest.mark.parametrize("clock", [MIDDAY], indirect=True)
async def test_reject_with_a_listed_reason(harness, app):
    await make_moderator(app, AINO, "fi")
    proposal_id = await sent_by_sven(harness, app)
    edit, _ = await harness.press(AINO, f"md:rj:{proposal_id}:0:")
    assert edit.text.startswith("Miksi <b>Fler bänkar vid torget</b> hylätään?")
    assert [row[0][1] for row in edit.keyboard] == [
        f"md:rr:{proposal_id}:0:{code}"
        for code in ("duplicate", "not_city", "rules", "unclear", "personal", "write")
    ] + [f"md:bk:{proposal_id}:0:"]
    edit, _ = await harness.press(AINO, f"md:rr:{proposal_id}:0:not_city")
    assert edit.text.endswith(
        f"✖️ Hylätty – moderaattori, {AT_MIDDAY_FI}\nPerustelu: Asia ei ole kaupungin päätettävissä.")
    [(texts, recipients)] = await notifications(app, "proposal_outcome")
    assert texts["sv"] == (
        "Ditt förslag <b>Fler bänkar vid torget</b> gick inte vidare.\n\n"
        "Motivering: Det är inget som staden kan besluta om."
    )
    assert await moderation_log(app, proposal_id) == [(AINO.id, "rejected", "not_city")]


@pytest.mark.parametrize("clock", [MIDDAY], indirect=True)
async def test_reject_with_a_written_reason(harness, app):
    await make_moderator(app, AINO, "fi")
    proposal_id = await sent_by_sven(harness, app)
    edit, _ = await harness.press(AINO, f"md:rr:{proposal_id}:0:write")
    assert edit.text == (
        f"Kirjoita yhteen viestiin, miksi ehdotus #{proposal_id} hylätään (/cancel keskeyttää)."
    )
    [done] = await harness.say(AINO, "Torin penkit <uusitaan> joka tapauksessa ensi kesänä.")
    assert done.text.endswith(
        f"✖️ Hylätty – moderaattori, {AT_MIDDAY_FI}\n"
        "Perustelu: Torin penkit &lt;uusitaan&gt; joka tapauksessa ensi kesänä."
    )
    [(texts, _)] = await notifications(app, "proposal_outcome")
    assert texts["sv"].endswith(
        "Motivering: Torin penkit &lt;uusitaan&gt; joka tapauksessa ensi kesänä."
    )
    assert await moderation_log(app, proposal_id) == [
        (AINO.id, "rejected", "Torin penkit <uusitaan> joka tapauksessa ensi kesänä.")
    ]


@pytest.mark.parametrize("clock", [MIDDAY], indirect=True)
async def test_merge_into_a_similar_public_proposal_after_confirming(harness, app):
    await make_moderator(app, AINO, "fi")
    await propose(harness, AINO, "Lisää penkkejä torille", "Torilla on liian vähän istumapaikkoja.")
    target = (await latest_proposal(app)).id
    await approve(harness, AINO, target)
    await harness.press(GRACE, f"pa:sup:{target}")
    source = await sent_by_sven(harness, app, "Penkkejä Mikkelin torille")

    edit, _ = await harness.press(AINO, f"md:mg:{source}:0:")
    assert edit.text.startswith(
        "Mihin julkiseen ehdotukseen <b>Penkkejä Mikkelin torille</b> yhdistetään?"
    )
    assert edit.keyboard[0] == [(f"#{target} Lisää penkkejä torille", f"md:mi:{source}:{target}:")]
    edit, _ = await harness.press(AINO, f"md:mi:{source}:{target}:")
    assert "Tätä ei voi perua." in edit.text
    assert edit.keyboard == [
        [("🔗 Kyllä, yhdistä", f"md:mc:{source}:{target}:"), ("‹ Takaisin", f"md:bk:{source}:0:")]
    ]
    edit, _ = await harness.press(AINO, f"md:mc:{source}:{target}:")
    assert edit.text.endswith(f"🔗 Yhdistetty ehdotukseen #{target} – moderaattori, {AT_MIDDAY_FI}")

    merged = await latest_proposal(app)
    assert (merged.status, merged.merged_into_id) == ("merged", target)
    [(texts, recipients)] = (await notifications(app, "proposal_outcome"))[-1:]
    assert recipients == {SVEN.id}
    assert texts["sv"].endswith(f"som dess stödjare och följare nu står bakom: /p{target}")
    async with app.uow_factory() as uow:
        assert await uow.themes.follows(target, (await uow.residents.by_telegram_id(SVEN.id)).id)
    assert await moderation_log(app, source) == [(AINO.id, "merged", f"#{target}")]


async def test_merge_target_typed_as_a_number(harness, app):
    await make_moderator(app, AINO, "fi")
    await propose(harness, AINO, "Kirjaston aukioloajat", "Kirjasto auki sunnuntaisin.")
    target = (await latest_proposal(app)).id
    await approve(harness, AINO, target)
    source = await sent_by_sven(harness, app)
    await harness.press(AINO, f"md:mg:{source}:0:")
    [confirm] = await harness.say(AINO, f"#{target}")
    assert confirm.keyboard[0][0] == ("🔗 Kyllä, yhdistä", f"md:mc:{source}:{target}:")
    [refusal] = await harness.press(AINO, f"md:mc:{source}:{source}:")  # into itself: forged
    assert refusal.text == GONE_FI
    assert (await latest_proposal(app)).status == "pending"


@pytest.mark.parametrize(
    "data",
    [
        "md:ok:{id}:0:",
        "md:rj:{id}:0:",
        "md:rr:{id}:0:rules",
        "md:rr:{id}:0:write",
        "md:mg:{id}:0:",
        "md:mi:{id}:1:",
        "md:mc:{id}:1:",
        "md:rs:{id}:0:",
        "md:bk:{id}:0:",
        "tm:{id}:",
        "tm:{id}:preparation",
        "tmok:{id}:preparation",
    ],
)
async def test_every_staff_button_pressed_by_a_resident_is_refused(harness, app, data):
    await make_moderator(app, AINO, "fi")
    await propose(
        harness,
        AINO,
        "Kesätorin foorumi mökkiläisille",
        "Mökkiläiset mukaan kesätorin kehittämiseen.",
    )
    proposal_id = (await latest_proposal(app)).id
    before = (await latest_proposal(app)).status
    [answer] = await harness.press(GRACE, data.format(id=proposal_id))
    assert answer.name == "AnswerCallbackQuery"
    assert answer.text == NOT_ALLOWED_EN
    assert answer.show_alert is True
    assert (await latest_proposal(app)).status == before
    assert await moderation_log(app, proposal_id) == []


async def test_staff_commands_refused_for_residents(harness, app):
    [answer] = await harness.say(HANS, "/moderation")
    assert answer.text == NOT_ALLOWED_FI


async def test_a_revoked_moderator_is_refused_on_an_old_card(harness, app):
    await make_moderator(app, AINO, "fi")
    proposal_id = await sent_by_sven(harness, app)
    async with app.uow_factory() as uow:
        await staff.revoke(uow, AINO.id)
    [answer] = await approve(harness, AINO, proposal_id)
    assert answer.text == NOT_ALLOWED_FI
    assert (await latest_proposal(app)).status == "pending"


async def test_the_moderation_queue(harness, app):
    await make_moderator(app, AINO, "fi")
    [empty] = await harness.say(AINO, "/moderation")
    assert empty.text == "Moderoitavaa ei ole. 🎉"
    proposal_id = await sent_by_sven(harness, app)
    [card] = await harness.say(AINO, "/moderation")
    assert card.text.startswith(f"🆕 <b>Uusi ehdotus #{proposal_id}</b>")


@pytest.mark.parametrize("clock", [MIDDAY], indirect=True)
async def test_reports_hide_a_proposal_until_a_moderator_looks(harness, app):
    await make_moderator(app, AINO, "fi")
    proposal_id = await sent_by_sven(harness, app)
    await approve(harness, AINO, proposal_id)
    for person in (GRACE, HANS):
        confirm, _ = await harness.press(person, f"pa:rep:{proposal_id}")
        assert confirm.keyboard[0][0][1] == f"pa:repok:{proposal_id}"
        await harness.press(person, f"pa:repok:{proposal_id}")
        await harness.press(
            person, f"pa:repok:{proposal_id}"
        )  # a second report by the same person does not count
    assert not (await latest_proposal(app)).hidden

    await harness.press(Person(1005, "Pentti", "fi"), f"pa:repok:{proposal_id}")
    [card] = [call for call in await harness.deliver() if call.chat_id == AINO.id]
    assert card.name == "SendMessage"
    assert card.text.startswith(f"⚠️ <b>Piilotettu ilmoitusten vuoksi: #{proposal_id}</b>")
    assert card.keyboard == [
        [("↩️ Palauta näkyviin", f"md:rs:{proposal_id}:0:"), ("✖️ Hylkää", f"md:rj:{proposal_id}:0:")]
    ]
    assert (await latest_proposal(app)).hidden
    [gone] = await harness.press(GRACE, f"pa:sup:{proposal_id}")
    assert gone.text == "That is no longer available – it may have been changed or removed."
    assert await moderation_log(app, proposal_id) == [
        (AINO.id, "initiative", None),
        (None, "hide", "3 reports"),
    ]

    edit, _ = await harness.press(AINO, f"md:rs:{proposal_id}:0:")
    assert edit.text.endswith(f"↩️ Palautettu näkyviin – moderaattori, {AT_MIDDAY_FI}")
    assert not (await latest_proposal(app)).hidden
    assert (await moderation_log(app, proposal_id))[-1] == (AINO.id, "restore", None)
