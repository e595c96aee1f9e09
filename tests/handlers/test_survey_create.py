"""/newsurvey through the real Dispatcher: every kind of question written, the preview in each
language, bad answers asked again, Edit, Cancel, stale buttons – and only editors."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.services import staff
from storage.models import Survey
from tests.handlers.test_ballot_admin import REFUSAL, STALE, area_ids, make_editor
from tests.support.clock import MIDDAY
from tests.support.forums import new_forum
from tests.support.updates import AINO, GRACE, sticker

CLOSES = datetime(2026, 8, 11, 17, 0, tzinfo=UTC)  # ti 11.8. klo 20.00 in Mikkeli

# The conversation runs at a known noon (15 June 2026).
pytestmark = pytest.mark.parametrize("clock", [MIDDAY], indirect=True, ids=["midday"])


async def stored_surveys(app) -> list[Survey]:
    async with app.uow_factory() as uow:
        return list(await uow.session.scalars(select(Survey).order_by(Survey.id)))


async def write(harness, person, kind: str, text: str, *options: str, required: bool = True) -> None:
    """One question in the city's language only: its kind, text, options, and required or not."""
    await harness.press(person, f"nsk:{kind}")
    await harness.say(person, text)
    await harness.press(person, "ns:skip")
    await harness.press(person, "ns:skip")
    for option in options:
        await harness.say(person, option)
    if options:
        await harness.press(person, "ns:options_done")
    await harness.press(person, "ns:required" if required else "ns:optional")


async def to_the_questions(harness, person) -> None:
    """A Finnish title, no introduction, named, for everyone, open right away until 11 August."""
    await harness.say(person, "/newsurvey")
    await harness.say(person, "Palautetta kirjastofoorumista")
    await harness.press(person, "ns:skip")
    await harness.press(person, "ns:skip")
    await harness.press(person, "ns:no_intro")
    await harness.press(person, "ns:named")
    await harness.press(person, "ns:audience")
    await harness.press(person, "ns:everyone")
    await harness.press(person, "ns:now")
    await harness.say(person, "11.8. 20.00")


async def to_the_preview(harness, person) -> None:
    await to_the_questions(harness, person)
    await write(harness, person, "rating", "Miten foorumi onnistui?")
    await harness.press(person, "ns:another")
    await write(harness, person, "yes_no", "Tuletko uudelleen?", required=False)
    await harness.press(person, "ns:done")


async def test_a_survey_after_a_forum_with_every_kind_of_question(harness, app, city, clock):
    await make_editor(app, GRACE, "en")
    forum_id = await new_forum(app.uow_factory)

    [title] = await harness.say(GRACE, "/newsurvey")
    assert title.text == "📋 <b>New survey</b>\n\nWrite the survey's <b>title</b> in Finnish."
    assert title.keyboard == [[("✖ Cancel", "ns:cancel")]]  # the city's own language is not skipped
    [problem, _again] = await harness.say(GRACE, "P" * 101)
    assert problem.text.startswith("That is too long: 101 characters")
    [swedish] = await harness.say(GRACE, "Palautetta <kirjastofoorumista>")
    assert "in Swedish" in swedish.text and swedish.keyboard[0] == [("Skip this language ›", "ns:skip")]
    await harness.press(GRACE, "ns:skip")
    [intro] = await harness.say(GRACE, "Feedback on the library forum")
    assert intro.text.startswith("📋 <b>New survey</b>\n\nWrite a short <b>introduction</b> in Finnish")
    assert intro.keyboard == [[("Skip this language ›", "ns:skip")], [("No introduction ›", "ns:no_intro")],
                              [("✖ Cancel", "ns:cancel")]]
    await harness.say(GRACE, "Kiitos, että olit mukana!")
    await harness.press(GRACE, "ns:skip")
    [anonymity, _] = await harness.press(GRACE, "ns:skip")
    assert anonymity.keyboard[:2] == [[("🕶 Anonymous", "ns:anonymous")], [("👤 Named", "ns:named")]]
    [hint, _again] = await harness.say(GRACE, "anonymous")
    assert hint.text == "Please choose with the buttons."
    [target, _] = await harness.press(GRACE, "ns:anonymous")
    assert target.keyboard[:2] == [[("🗣 After a forum", "ns:forum")], [("👥 Open to an audience", "ns:audience")]]
    [chosen, _] = await harness.press(GRACE, "ns:forum")
    assert chosen.text == "📋 <b>New survey</b>\n\n🗣 <b>After which forum?</b>"
    assert chosen.keyboard[0][0][1] == f"nsf:{forum_id}"
    [delay, _] = await harness.press(GRACE, f"nsf:{forum_id}")
    assert delay.keyboard[1] == [("1 h after it ends", "nsd:60")]
    [opens, _] = await harness.press(GRACE, "nsd:180")
    assert opens.text.startswith("📋 <b>New survey</b>\n\n🕓 <b>When does it open?</b>")
    [closes, _] = await harness.press(GRACE, "ns:now")
    [problem, _again] = await harness.say(GRACE, "someday")
    assert problem.text == "I could not read that as a time in the future."
    [kind] = await harness.say(GRACE, "11.8. 20.00")
    assert kind.text == "📋 <b>New survey</b>\n\n<b>Question 1</b>\n\nWhat kind of question is it?"
    assert kind.keyboard[0] == [("Rating 1–5", "nsk:rating"), ("Scale 0–10", "nsk:scale")]

    await harness.press(GRACE, "nsk:rating")
    await harness.say(GRACE, "Miten foorumi onnistui?")
    await harness.say(GRACE, "Hur lyckades forumet?")
    [required, _] = await harness.press(GRACE, "ns:skip")
    assert required.keyboard[:2] == [[("Required", "ns:required")], [("Optional – may be skipped", "ns:optional")]]
    [so_far, _] = await harness.press(GRACE, "ns:required")
    assert so_far.text == ("📋 <b>New survey</b>\n\n<b>Questions so far</b>:\n\n"
                           "1. Miten foorumi onnistui? <i>(Rating 1–5)</i>")
    await harness.press(GRACE, "ns:another")
    await write(harness, GRACE, "scale", "Suosittelisitko foorumia?")
    await harness.press(GRACE, "ns:another")
    await write(harness, GRACE, "single", "Miten osallistuit?", "Paikan päällä", "Etänä")

    await harness.press(GRACE, "ns:another")
    await harness.press(GRACE, "nsk:multiple")
    await harness.say(GRACE, "Mikä toimi?")
    await harness.press(GRACE, "ns:skip")
    [options, _] = await harness.press(GRACE, "ns:skip")
    assert options.text.startswith("📋 <b>New survey</b>\n\n<b>Question 4</b>\n\nWrite the <b>options</b> (2–10)")
    [alert] = await harness.press(GRACE, "ns:options_done")
    assert (alert.text, alert.show_alert) == ("A choice question needs 2–10 options.", True)
    for option in ("Aikataulu", "Paikka", "Keskustelu", "Kahvi"):
        [options] = await harness.say(GRACE, option)
    assert options.text.endswith("1. Aikataulu\n2. Paikka\n3. Keskustelu\n4. Kahvi")
    [options, _] = await harness.press(GRACE, "ns:undo")
    assert options.text.endswith("3. Keskustelu")
    [most, _] = await harness.press(GRACE, "ns:options_done")
    assert most.keyboard[:2] == [[("1", "nsm:1"), ("2", "nsm:2")], [("Any number", "nsm:3")]]
    await harness.press(GRACE, "nsm:2")
    await harness.press(GRACE, "ns:optional")

    await harness.press(GRACE, "ns:another")
    await write(harness, GRACE, "yes_no", "Tuletko uudelleen?")
    await harness.press(GRACE, "ns:another")
    await write(harness, GRACE, "text", "Mitä muuta haluat sanoa?", required=False)
    await harness.press(GRACE, "ns:another")
    await harness.press(GRACE, "nsk:theme")
    await harness.say(GRACE, "Ehdota teemaa tulevalle foorumille")
    await harness.say(GRACE, "Föreslå ett tema för ett kommande forum")
    await harness.say(GRACE, "Suggest a theme for a future forum")
    await harness.press(GRACE, "ns:optional")

    [preview, _] = await harness.press(GRACE, "ns:done")
    assert preview.text.startswith(
        "<b>Ready?</b> This is the survey in Finnish, as residents get it:\n\n"
        "<b>Palautetta &lt;kirjastofoorumista&gt;</b>\n\nKiitos, että olit mukana!\n\n———\n"
        "🕶 Anonymous: answers are not linked to residents\n")
    assert "✉️ Invitations: 3 h after it ends" in preview.text and "7 questions" in preview.text
    assert ("<b>4.</b> Mikä toimi?\n<i>Several choices · optional · at most 2</i>\n"
            "  ○ Aikataulu\n  ○ Paikka\n  ○ Keskustelu") in preview.text
    assert "<b>7.</b> Ehdota teemaa tulevalle foorumille\n<i>A theme for a future forum · optional</i>" in preview.text
    assert preview.keyboard[0] == [("· Suomi", "nsp:fi:0"), ("Svenska", "nsp:sv:0"), ("English", "nsp:en:0")]
    assert preview.keyboard[1:] == [[("✅ Create the survey", "ns:create")], [("✏️ Edit", "ns:edit")],
                                    [("✖ Cancel", "ns:cancel")]]
    [swedish, _] = await harness.press(GRACE, "nsp:sv:0")
    assert "<b>1.</b> Hur lyckades forumet?\n" in swedish.text
    assert "<b>2.</b> Suosittelisitko foorumia? (only available in Finnish)" in swedish.text
    assert "<b>7.</b> Föreslå ett tema för ett kommande forum\n" in swedish.text
    assert await stored_surveys(app) == []

    [created, _] = await harness.press(GRACE, "ns:create")
    [survey] = await stored_surveys(app)
    assert created.text.startswith(f"✅ <b>Survey #{survey.id}</b> is created.\nInvitations: 3 h after it ends")
    assert created.text.endswith(f"Residents open it with /s{survey.id}.")
    assert (survey.forum_id, survey.invite_delay, survey.audience, survey.anonymous) == (forum_id, 180, None, True)
    assert (survey.opens_at, survey.closes_at, survey.created_by) == (clock.now(), CLOSES, GRACE.id)
    assert survey.title == {"fi": "Palautetta <kirjastofoorumista>", "en": "Feedback on the library forum"}
    assert [(q.kind, q.max_choices, q.required, len(q.options)) for q in survey.questions] == [
        ("rating", None, True, 0), ("scale", None, True, 0), ("single", None, True, 2), ("multiple", 2, False, 3),
        ("yes_no", None, True, 0), ("text", None, False, 0), ("theme", None, False, 0)]
    assert survey.questions[0].texts == {"fi": "Miten foorumi onnistui?", "sv": "Hur lyckades forumet?"}
    assert survey.questions[2].options == [{"fi": "Paikan päällä"}, {"fi": "Etänä"}]

    [stale] = await harness.press(GRACE, "ns:create", message_id=created.message_id)
    assert stale.text == STALE
    assert len(await stored_surveys(app)) == 1


async def test_in_finnish_for_chosen_areas_with_options_in_two_languages(harness, app, city, clock):
    await make_editor(app, AINO, "fi")
    [haukivuori] = await area_ids(app, "haukivuori")
    await harness.say(AINO, "/newsurvey")
    await harness.say(AINO, "Uimarannat")
    await harness.say(AINO, "Badstränderna")
    await harness.press(AINO, "ns:skip")
    await harness.press(AINO, "ns:no_intro")
    await harness.press(AINO, "ns:named")
    await harness.press(AINO, "ns:audience")
    [choose, _] = await harness.press(AINO, "ns:areas")
    assert choose.keyboard[-2:] == [[("Jatka ›", "ns:areas_done")], [("✖ Peruuta", "ns:cancel")]]
    [alert] = await harness.press(AINO, "ns:areas_done")
    assert (alert.text, alert.show_alert) == ("Valitse vähintään yksi alue.", True)
    await harness.press(AINO, "bca:a::1")  # Haukivuori is on the second page
    [alert] = await harness.press(AINO, "bca:a:99999:1")  # an area that is no more changes nothing
    assert (alert.text, alert.show_alert) == ("Tämä ei ole enää saatavilla – sitä on ehkä muutettu tai se on poistettu.", True)
    [choose, _] = await harness.press(AINO, f"bca:a:{haukivuori}:1")
    assert choose.text.endswith("alueet: Haukivuori")
    await harness.press(AINO, "ns:areas_done")
    await harness.say(AINO, "1.7. 9.00")
    [problem, _again] = await harness.say(AINO, "30.6. 9.00")
    assert problem.text == harness.translate("The survey has to close after it opens.", "fi")
    await harness.say(AINO, "31.7. 9.00")
    await harness.press(AINO, "nsk:single")
    await harness.say(AINO, "Millä rannalla käyt?")
    await harness.say(AINO, "Vilken strand besöker du?")
    await harness.press(AINO, "ns:skip")
    [problem, _again] = await harness.say(AINO, "Kirkkolahti|Kyrkviken|Church bay")
    assert problem.text.startswith(harness.translate(
        "Write the option once, or once per language of the question with | between them: {languages}.",
        "fi").split("{")[0])
    await harness.say(AINO, "Kirkkolahti | Kyrkviken")
    await harness.say(AINO, "Rantakylä")
    await harness.press(AINO, "ns:options_done")
    await harness.press(AINO, "ns:required")
    [preview, _] = await harness.press(AINO, "ns:done")
    assert "<b>Uimarannat</b>" in preview.text
    [created, _] = await harness.press(AINO, "ns:create")
    [survey] = await stored_surveys(app)
    assert (survey.forum_id, survey.anonymous) == (None, False)
    assert survey.audience == {"area_ids": [haukivuori], "resident_types": [], "locales": []}
    assert survey.questions[0].options == [{"fi": "Kirkkolahti", "sv": "Kyrkviken"},
                                           {"fi": "Rantakylä", "sv": "Rantakylä"}]


async def test_the_preview_edits_a_question_and_removes_the_last(harness, app, city, clock):
    await make_editor(app, GRACE, "en")
    await to_the_preview(harness, GRACE)
    [edit, _] = await harness.press(GRACE, "ns:edit")
    assert edit.keyboard[:2] == [[("✏️ Title", "ns:title"), ("🕓 Times", "ns:times")],
                                 [("Question 1", "nsr:1"), ("Question 2", "nsr:2")]]
    [kind, _] = await harness.press(GRACE, "nsr:1")
    assert kind.text.startswith("📋 <b>New survey</b>\n\n<b>Question 1</b>")
    await harness.press(GRACE, "nsk:scale")
    await harness.say(GRACE, "Suosittelisitko foorumia?")
    await harness.press(GRACE, "ns:skip")
    await harness.press(GRACE, "ns:skip")
    [preview, _] = await harness.press(GRACE, "ns:required")  # straight back to the preview
    assert "<b>1.</b> Suosittelisitko foorumia?\n<i>Scale 0–10 · required</i>" in preview.text
    assert "<b>2.</b> Tuletko uudelleen?" in preview.text
    await harness.press(GRACE, "ns:edit")
    [preview, _] = await harness.press(GRACE, "ns:drop")
    assert "Tuletko uudelleen?" not in preview.text and "1 question" in preview.text
    await harness.press(GRACE, "ns:create")
    [survey] = await stored_surveys(app)
    assert [question.kind for question in survey.questions] == ["scale"]


async def test_a_resident_without_the_editor_role_is_refused(harness, app, city, clock):
    [refused] = await harness.say(GRACE, "/newsurvey")
    assert refused.text == REFUSAL
    [again] = await harness.press(GRACE, "ns:create")
    assert again.text == STALE
    assert await stored_surveys(app) == []


async def test_the_role_is_checked_again_when_the_survey_is_created(harness, app, city, clock):
    await make_editor(app, GRACE, "en")
    await to_the_preview(harness, GRACE)
    async with app.uow_factory() as uow:
        await staff.revoke(uow, GRACE.id, None)
    [refused] = await harness.press(GRACE, "ns:create")
    assert (refused.text, refused.show_alert) == (REFUSAL, True)
    assert await stored_surveys(app) == []


async def test_old_buttons_change_nothing_and_cancel_stores_nothing(harness, app, city, clock):
    await make_editor(app, GRACE, "en")
    await to_the_questions(harness, GRACE)
    kinds = harness.session.latest_with_buttons[GRACE.id]
    await harness.press(GRACE, "nsk:rating")
    [stale, shown_again] = await harness.press(GRACE, "nsk:text", message_id=kinds)
    assert stale.text == STALE
    assert shown_again.text.startswith("📋 <b>New survey</b>\n\n<b>Question 1</b> · Rating 1–5")
    [sticker_hint, _again] = await harness.feed(sticker(GRACE))
    assert sticker_hint.text == "Please write it as text – stickers, photos and files can't be used here."
    [discarded] = await harness.say(GRACE, "/cancel")
    assert discarded.text == "The draft survey was discarded – nothing was created."

    await to_the_preview(harness, GRACE)
    preview = harness.session.latest_with_buttons[GRACE.id]
    [discarded, _] = await harness.press(GRACE, "ns:cancel")
    assert discarded.text == "The draft survey was discarded – nothing was created."
    [stale] = await harness.press(GRACE, "ns:create", message_id=preview)
    assert stale.text == STALE
    assert await stored_surveys(app) == []


async def test_the_preview_says_what_keeps_the_draft_from_becoming_a_survey(harness, app, city, clock):
    await make_editor(app, GRACE, "en")
    await to_the_questions(harness, GRACE)
    await write(harness, GRACE, "theme", "Ehdota teemaa", required=False)
    await harness.press(GRACE, "ns:another")
    await write(harness, GRACE, "rating", "Miten foorumi onnistui?")
    [problems, _] = await harness.press(GRACE, "ns:done")
    assert problems.text == ("⚠️ Something needs fixing before the survey can be created:\n"
                             "• Question 1: a theme suggestion can only be the last question")
    assert problems.keyboard == [[("✏️ Edit", "ns:edit")], [("✖ Cancel", "ns:cancel")]]
    clock.advance(70 * 24 * 3600)  # it would have closed by now
    [problems, _] = await harness.press(GRACE, "ns:create")
    assert "• Closing time: must be after it opens" in problems.text  # "right away" is now later
    assert await stored_surveys(app) == []
