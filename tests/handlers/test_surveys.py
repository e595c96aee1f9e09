"""Answering a survey in the chat: /surveys, a survey's page and its deep link, every kind of
question answered with buttons or text, back/skip/continue later across a restart, and every
refusal (stale or forged buttons, wrong or too long text, a closed survey, a second response)
changing nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.notices.survey_buttons import SurveyOpen
from bot.services import surveys
from bot.services.surveys import QuestionDraft
from domain import QuestionKind
from handlers import command_menu
from handlers.surveys_views import Step, SurveyStep
from storage.models import Proposal, SurveyAnswer, SurveyParticipant, SurveyResponse
from tests.support.forums import STAFF_GROUP, resident_of
from tests.support.harness import BotHarness
from tests.support.proposals import set_language
from tests.support.surveys import CLOSES, OPENS, new_survey
from tests.support.updates import AINO, SVEN, sticker

NOON = OPENS + timedelta(hours=16)  # ke 5.8. klo 12.00: open, and no one's quiet hours
pytestmark = pytest.mark.parametrize("clock", [NOON], indirect=True, ids=["noon"])
staff_group = pytest.mark.parametrize("settings_overrides", [{"staff_chat_id": STAFF_GROUP}])

GONE = "That is no longer available – it may have been changed or removed."
STALE = "That button is from an earlier question and is no longer valid. Here is where you are now."
INVALID = "That is not an answer to this question."
FI = " (only available in Finnish)"


# --- helpers ------------------------------------------------------------------------------------------

def start(survey_id: int) -> str:
    return SurveyOpen(survey=survey_id, start=True).pack()


def step(survey_id: int, position: int, action: Step, value: int = 0) -> str:
    return SurveyStep(survey=survey_id, position=position, action=action, value=value).pack()


def only(calls, name: str):
    [call] = [call for call in calls if call.name == name]
    return call


def alert_of(calls) -> tuple[str | None, bool]:
    answer = only(calls, "AnswerCallbackQuery")
    return answer.text, bool(answer.show_alert)


async def english(app, person=AINO) -> None:
    await set_language(app, person, "en")


async def progress_of(app, person, survey_id) -> tuple[int, dict] | None:
    """(position, draft) of the person's participant row, or None before they start."""
    resident = await resident_of(app.uow_factory, person.id, "en")
    key = surveys.participant_key(app.settings.survey_secret, survey_id, resident.id)
    async with app.uow_factory() as uow:
        found = await uow.session.get(SurveyParticipant, (survey_id, key))
        return None if found is None else (found.position, found.draft)


async def draft_ids(app, survey_id, answers) -> dict[str, object]:
    """The draft a participant row holds after these answers to the first questions."""
    async with app.uow_factory() as uow:
        chosen = await surveys.survey(uow, survey_id)
        return {str(question.id): value for question, value in zip(chosen.questions, answers)}


async def responses(app) -> int:
    async with app.uow_factory() as uow:
        return await uow.session.scalar(select(func.count()).select_from(SurveyResponse))


def yes_no_survey(**changes):
    return {"questions": [QuestionDraft(QuestionKind.YES_NO, {"fi": "Tuletko uudelleen?", "en": "Coming again?"})],
            **changes}


# --- the list, the page, the link ----------------------------------------------------------------------

async def test_surveys_lists_started_first_and_answered_ones_marked(app, harness):
    await english(app)
    [nothing] = await harness.say(AINO, "/surveys")
    assert nothing.text.startswith("No surveys are open for you right now.")
    assert ("surveys", "Feedback surveys") in command_menu().residents
    answered = await new_survey(app.uow_factory, **yes_no_survey(title={"en": "Answered"}))
    fresh = await new_survey(app.uow_factory, title={"en": "Fresh"})
    begun = await new_survey(app.uow_factory, title={"en": "Begun"}, closes_at=CLOSES + timedelta(days=1))
    await harness.press(AINO, start(answered))
    await harness.press(AINO, step(answered, 1, Step.ANSWER, 1))
    await harness.press(AINO, start(begun))
    await harness.press(AINO, step(begun, 1, Step.ANSWER, 5))
    [listing] = await harness.say(AINO, "/surveys")
    assert listing.text == (
        "📝 <b>Feedback surveys</b> – tap one to answer. You can stop at any time and continue later where "
        "you left off.\n\n"
        "• <b>Begun</b> – open until Wed 12 Aug 2026 at 20.00\n"
        "• <b>Fresh</b> – open until Tue 11 Aug 2026 at 20.00\n"
        "✅ <b>Answered</b> – answered, thank you")
    assert listing.keyboard == [[("▶️ Continue: Begun (2/7)", start(begun))],
                                [("Fresh", SurveyOpen(survey=fresh).pack())]]


async def test_the_page_by_command_and_deep_link_says_what_anonymous_means(app, harness):
    await english(app)
    survey_id = await new_survey(app.uow_factory, anonymous=True,
                                 intro={"en": "Tell us how the <library> forum went.", "fi": "Kerro."})
    [page] = await harness.say(AINO, f"/s{survey_id}")
    assert page.text.startswith("📝 <b>Palautetta kirjastofoorumista</b>" + FI + "\n\n"
                                "Tell us how the &lt;library&gt; forum went.\n\n📋 7 questions, about ")
    assert ("🔒 Anonymous: your answers are not linked to you.\n"
            "Your answers are stored without your name, and no one can tell which answers are yours. "
            "You can answer once.") in page.text
    assert page.text.endswith("The survey is open until Tue 11 Aug 2026 at 20.00. You can stop at any time and "
                              "continue later.")
    assert page.keyboard == [[("▶️ Start", start(survey_id))], [("‹ All surveys", "svl")]]
    [linked] = await harness.say(AINO, f"/start s{survey_id}")
    assert (linked.text, linked.keyboard) == (page.text, page.keyboard)
    invited = only(await harness.press(AINO, SurveyOpen(survey=survey_id).pack()), "EditMessageText")
    assert invited.text == page.text  # the invitation's button
    [unknown] = await harness.say(AINO, "/s999")
    assert unknown.text == GONE


# --- every kind of question ------------------------------------------------------------------------------

@staff_group
async def test_every_kind_answered_through_the_bot(app, harness):
    await english(app)
    survey_id = await new_survey(app.uow_factory)
    first = only(await harness.press(AINO, start(survey_id)), "EditMessageText")
    assert first.text == (
        "📝 <b>Palautetta kirjastofoorumista</b>" + FI + "\nQuestion 1/7\n\n"
        "<b>How did the forum go?</b>\n\n"
        "Tap a number from 1 to 5 – or type it.")
    assert first.keyboard == [
        [(str(n), step(survey_id, 1, Step.ANSWER, n)) for n in range(1, 6)],
        [("⏸ Continue later", step(survey_id, 1, Step.LATER))]]
    scale = only(await harness.press(AINO, step(survey_id, 1, Step.ANSWER, 4)), "EditMessageText")
    assert "Question 2/7\n\n<b>Suosittelisitko foorumia ystävällesi?</b>" + FI in scale.text
    assert [len(row) for row in scale.keyboard] == [6, 5, 1, 1]  # 0–5, 6–10, Back, Continue later
    assert scale.keyboard[2] == [("‹ Back", step(survey_id, 2, Step.BACK))]
    [single] = await harness.say(AINO, "9")  # typed instead of tapped
    assert single.keyboard[:2] == [[("Paikan päällä", step(survey_id, 3, Step.ANSWER, 0))],
                                   [("Etänä", step(survey_id, 3, Step.ANSWER, 1))]]
    multiple = only(await harness.press(AINO, step(survey_id, 3, Step.ANSWER, 1)), "EditMessageText")
    assert "Question 4/7 (optional)" in multiple.text
    assert "Tap the options that apply (at most 2), then Done." in multiple.text
    await harness.press(AINO, step(survey_id, 4, Step.TOGGLE, 0))
    ticked = only(await harness.press(AINO, step(survey_id, 4, Step.TOGGLE, 2)), "EditMessageText")
    assert ticked.keyboard == [
        [("☑️ Aikataulu", step(survey_id, 4, Step.TOGGLE, 0))],
        [("⬜ Paikka", step(survey_id, 4, Step.TOGGLE, 1))],
        [("☑️ Keskustelu", step(survey_id, 4, Step.TOGGLE, 2))],
        [("Done ›", step(survey_id, 4, Step.DONE))],
        [("‹ Back", step(survey_id, 4, Step.BACK)), ("Skip ›", step(survey_id, 4, Step.SKIP))],
        [("⏸ Continue later", step(survey_id, 4, Step.LATER))]]
    assert alert_of(await harness.press(AINO, step(survey_id, 4, Step.TOGGLE, 1))) == (
        "You can choose up to 2 options. Tap a chosen one to remove it first.", True)
    assert await progress_of(app, AINO, survey_id) == (4, await draft_ids(app, survey_id, [4, 9, 1]))
    yes_no = only(await harness.press(AINO, step(survey_id, 4, Step.DONE)), "EditMessageText")
    assert yes_no.keyboard[0] == [("Yes", step(survey_id, 5, Step.ANSWER, 1)),
                                  ("No", step(survey_id, 5, Step.ANSWER, 0))]
    text = only(await harness.press(AINO, step(survey_id, 5, Step.ANSWER, 1)), "EditMessageText")
    assert "Write your answer in one message (at most 1\xa0000 characters)." in text.text
    [theme] = await harness.say(AINO, "  Kiitos, hyvä ilta!  ")
    assert ("Write your answer in one message (at most 1\xa0000 characters). It goes to the moderators as a "
            "proposal in your name.") in theme.text
    [thanks] = await harness.say(AINO, "Uimarantojen kunto kesällä")
    assert thanks.text == (
        "✅ <b>Thank you!</b> Your response to <b>Palautetta kirjastofoorumista</b>" + FI + " is saved.\n\n"
        "Your theme suggestion went to the moderators as a proposal in your name. You will hear what they "
        "decide.")
    assert thanks.keyboard == []
    async with app.uow_factory() as uow:
        stored = (await uow.session.scalars(select(SurveyAnswer).order_by(SurveyAnswer.question_id))).all()
        assert [(a.number, a.choices, a.text) for a in stored] == [
            (4, None, None), (9, None, None), (1, None, None), (None, [0, 2], None), (1, None, None),
            (None, None, "Kiitos, hyvä ilta!"), (None, None, "Uimarantojen kunto kesällä")]
        [proposal] = (await uow.session.scalars(select(Proposal))).all()
    assert proposal.author_id == (await resident_of(app.uow_factory, AINO.id, "en")).id
    assert [call.chat_id for call in await harness.deliver()] == [STAFF_GROUP]


# --- back, skip, continue later, a restart -------------------------------------------------------------

async def test_back_skip_and_continue_later_survive_a_restart(app, harness, restart):
    await english(app)
    survey_id = await new_survey(app.uow_factory)
    await harness.press(AINO, start(survey_id))
    await harness.press(AINO, step(survey_id, 1, Step.ANSWER, 4))
    await harness.press(AINO, step(survey_id, 2, Step.ANSWER, 9))
    back = only(await harness.press(AINO, step(survey_id, 3, Step.BACK)), "EditMessageText")
    assert back.text.endswith("Tap a number from 0 to 10 – or type it.\n\nYour answer so far: 9")
    assert back.keyboard[1][3] == ("✅ 9", step(survey_id, 2, Step.ANSWER, 9))
    assert back.keyboard[2] == [("✔️ Keep my answer", step(survey_id, 2, Step.DONE))]
    await harness.press(AINO, step(survey_id, 2, Step.DONE))  # kept
    assert alert_of(await harness.press(AINO, step(survey_id, 3, Step.SKIP))) == (
        "This question needs an answer – it cannot be skipped.", True)
    await harness.press(AINO, step(survey_id, 3, Step.ANSWER, 0))
    await harness.press(AINO, step(survey_id, 4, Step.TOGGLE, 1))  # ticked, then skipped: not kept
    fifth = only(await harness.press(AINO, step(survey_id, 4, Step.SKIP)), "EditMessageText")
    assert "Question 5/7" in fifth.text
    later = only(await harness.press(AINO, step(survey_id, 5, Step.LATER)), "EditMessageText")
    assert later.text == ("⏸ Your answers so far are saved. Continue where you left off with /surveys – the "
                          "survey is open until Tue 11 Aug 2026 at 20.00.")
    assert await progress_of(app, AINO, survey_id) == (5, await draft_ids(app, survey_id, [4, 9, 0]))

    again = BotHarness(await restart(app))
    [listing] = await again.say(AINO, "/surveys")
    assert listing.keyboard == [[("▶️ Continue: Palautetta kirjastofoorumista (5/7)", start(survey_id))]]
    fifth = only(await again.press(AINO, start(survey_id)), "EditMessageText")
    assert "Question 5/7" in fifth.text
    await again.press(AINO, step(survey_id, 5, Step.ANSWER, 0))
    again = BotHarness(await restart(again.app))  # while a typed answer is expected
    [seventh] = await again.say(AINO, "Hyvä foorumi")
    assert "Question 7/7 (optional)" in seventh.text
    back = only(await again.press(AINO, step(survey_id, 7, Step.BACK)), "EditMessageText")
    assert back.text.endswith("Your answer so far: <i>Hyvä foorumi</i>")
    [seventh] = await again.say(AINO, "Parempi foorumi")  # changed
    thanks = only(await again.press(AINO, step(survey_id, 7, Step.SKIP)), "EditMessageText")
    assert thanks.text.startswith("✅ <b>Thank you!</b>")
    async with again.app.uow_factory() as uow:
        stored = (await uow.session.scalars(select(SurveyAnswer).order_by(SurveyAnswer.question_id))).all()
    assert [(a.number, a.choices, a.text) for a in stored] == [
        (4, None, None), (9, None, None), (0, None, None), (0, None, None), (None, None, "Parempi foorumi")]


# --- stale and forged buttons --------------------------------------------------------------------------

async def test_a_button_from_an_earlier_question_or_another_survey_changes_nothing(app, harness):
    await english(app)
    survey_id = await new_survey(app.uow_factory)
    other = await new_survey(app.uow_factory, title={"en": "Another"})
    await harness.press(AINO, start(other))
    await harness.press(AINO, start(survey_id))
    await harness.press(AINO, step(survey_id, 1, Step.ANSWER, 4))
    before = await progress_of(app, AINO, survey_id)
    calls = await harness.press(AINO, step(survey_id, 1, Step.ANSWER, 2))  # the first question's button again
    assert alert_of(calls) == (STALE, False)
    shown = only(calls, "SendMessage")  # the question they are at, at the bottom of the chat
    assert "Question 2/7" in shown.text and shown.keyboard[0][0] == ("0", step(survey_id, 2, Step.ANSWER, 0))
    calls = await harness.press(AINO, step(other, 3, Step.ANSWER, 1))  # another survey, at its first question
    assert alert_of(calls) == (STALE, False)
    assert only(calls, "SendMessage").text.startswith("📝 <b>Another</b>\nQuestion 1/7")
    assert await progress_of(app, AINO, survey_id) == before
    assert await progress_of(app, AINO, other) == (1, {})
    [typed] = await harness.say(AINO, "3")  # answers the question shown last: the other survey's first
    assert typed.text.startswith("📝 <b>Another</b>\nQuestion 2/7")
    assert await progress_of(app, AINO, survey_id) == before


async def test_forged_buttons_are_refused_politely(app, harness):
    await english(app)
    survey_id = await new_survey(app.uow_factory)
    never_started = await new_survey(app.uow_factory)
    await harness.press(AINO, start(survey_id))
    await harness.press(AINO, step(survey_id, 1, Step.ANSWER, 4))
    await harness.press(AINO, step(survey_id, 2, Step.ANSWER, 9))
    assert await progress_of(app, AINO, survey_id) == (3, await draft_ids(app, survey_id, [4, 9]))
    assert alert_of(await harness.press(AINO, step(999, 1, Step.ANSWER, 1))) == (GONE, True)  # no such survey
    assert alert_of(await harness.press(AINO, step(never_started, 1, Step.ANSWER, 1))) == (GONE, True)
    assert alert_of(await harness.press(AINO, step(survey_id, 3, Step.ANSWER, 7))) == (INVALID, True)  # option
    assert alert_of(await harness.press(AINO, step(survey_id, 3, Step.TOGGLE, 0))) == (INVALID, True)  # kind
    assert alert_of(await harness.press(AINO, step(survey_id, 3, Step.DONE))) == (INVALID, True)  # nothing kept
    assert alert_of(await harness.press(AINO, step(survey_id, 42, Step.ANSWER, 1)))[0] == STALE  # question
    assert alert_of(await harness.press(AINO, f"sq:{survey_id}:3:x:1")) == ("This button is no longer valid.", True)
    await harness.press(AINO, step(survey_id, 3, Step.ANSWER, 0))
    assert alert_of(await harness.press(AINO, step(survey_id, 4, Step.TOGGLE, 5))) == (INVALID, True)
    assert alert_of(await harness.press(AINO, step(survey_id, 4, Step.DONE))) == (
        "Choose at least one option first – or skip the question if it is optional.", True)
    assert await progress_of(app, AINO, survey_id) == (4, await draft_ids(app, survey_id, [4, 9, 0]))
    assert await progress_of(app, AINO, never_started) is None


# --- typed answers that do not fit ---------------------------------------------------------------------

async def test_wrong_typed_answers_are_explained_and_change_nothing(app, harness):
    await english(app)
    survey_id = await new_survey(app.uow_factory)
    await harness.press(AINO, start(survey_id))
    [again] = await harness.say(AINO, "great")  # rating: a number is expected
    assert again.text.startswith("⚠️ Please give a whole number from 1 to 5.\n\n📝 ")
    assert "Question 1/7" in again.text and again.keyboard[0][0] == ("1", step(survey_id, 1, Step.ANSWER, 1))
    [again] = await harness.say(AINO, "6")
    assert again.text.startswith("⚠️ Please give a whole number from 1 to 5.")
    await harness.say(AINO, "5")
    [again] = await harness.say(AINO, "11")  # scale 0–10
    assert again.text.startswith("⚠️ Please give a whole number from 0 to 10.")
    await harness.say(AINO, "10")
    [again] = await harness.say(AINO, "On site")  # a choice: buttons only
    assert again.text.startswith("⚠️ Please answer this question with the buttons under it.")
    [again] = await harness.feed(sticker(AINO))
    assert again.text.startswith("⚠️ Please answer this question with the buttons under it.")
    assert await progress_of(app, AINO, survey_id) == (3, await draft_ids(app, survey_id, [5, 10]))
    await harness.press(AINO, step(survey_id, 3, Step.ANSWER, 0))
    await harness.press(AINO, step(survey_id, 4, Step.SKIP))
    await harness.press(AINO, step(survey_id, 5, Step.ANSWER, 1))
    [again] = await harness.say(AINO, "x" * 1001)  # free text: at most 1 000 characters
    assert again.text.startswith("⚠️ Your answer is 1\xa0001 characters long; at most 1\xa0000 fit. Please shorten "
                                 "it and send it again.\n\n")
    assert "Question 6/7" in again.text
    [again] = await harness.feed(sticker(AINO))
    assert again.text.startswith("⚠️ Please write your answer as text.")
    assert (await progress_of(app, AINO, survey_id))[0] == 6
    [seventh] = await harness.say(AINO, "x" * 1000)
    assert "Question 7/7" in seventh.text


# --- a closed survey, a second response ------------------------------------------------------------------

async def test_a_closed_survey_takes_no_more_answers(app, harness, clock):
    await english(app)
    survey_id = await new_survey(app.uow_factory)
    await harness.press(AINO, start(survey_id))
    await harness.press(AINO, step(survey_id, 1, Step.ANSWER, 4))
    clock.advance((CLOSES - clock.now()).total_seconds())
    closed = "This survey has closed, so answers are no longer taken. Thank you for your interest!"
    assert alert_of(await harness.press(AINO, step(survey_id, 2, Step.ANSWER, 7))) == (closed, True)
    await harness.press(AINO, step(survey_id, 1, Step.ANSWER, 4))  # the conversation forgot it…
    [reply] = await harness.say(AINO, "7")  # …so a number typed now is not an answer
    assert reply.text.startswith("I didn't quite catch that.")
    assert await progress_of(app, AINO, survey_id) == (2, await draft_ids(app, survey_id, [4]))
    [page] = await harness.say(AINO, f"/s{survey_id}")
    assert page.text.endswith("🔒 This survey closed Tue 11 Aug 2026 at 20.00.")
    assert page.keyboard == [[("‹ All surveys", "svl")]]
    [listing] = await harness.say(AINO, "/surveys")
    assert listing.text.startswith("No surveys are open for you right now.")


async def test_one_response_each(app, harness):
    await english(app)
    survey_id = await new_survey(app.uow_factory, **yes_no_survey())
    await harness.press(AINO, start(survey_id))
    only(await harness.press(AINO, step(survey_id, 1, Step.ANSWER, 1)), "EditMessageText")
    again = "✅ You have already answered this survey – thank you! Each resident answers once."
    assert alert_of(await harness.press(AINO, start(survey_id))) == (again, True)
    assert alert_of(await harness.press(AINO, step(survey_id, 1, Step.ANSWER, 0))) == (again, True)
    [page] = await harness.say(AINO, f"/s{survey_id}")
    assert page.text.endswith("✅ You have answered this survey – thank you!")
    assert page.keyboard == [[("‹ All surveys", "svl")]]
    [listing] = await harness.say(AINO, "/surveys")
    assert listing.keyboard == []
    assert await responses(app) == 1


# --- languages, and a theme suggested anonymously ----------------------------------------------------

async def test_a_swedish_resident_reads_finnish_only_text_with_a_note(app, harness):
    await set_language(app, SVEN, "sv")
    survey_id = await new_survey(app.uow_factory, title={"fi": "Kirjastokysely"}, questions=[
        QuestionDraft(QuestionKind.SINGLE, {"fi": "Miten osallistuit?"},
                      [{"fi": "Paikan päällä", "sv": "På plats"}, {"fi": "Etänä"}])])
    [page] = await harness.say(SVEN, f"/s{survey_id}")
    assert page.text.startswith("📝 <b>Kirjastokysely</b> (finns bara på finska)\n\n")
    question = only(await harness.press(SVEN, start(survey_id)), "EditMessageText")
    assert "\n\n<b>Miten osallistuit?</b> (finns bara på finska)\n\n" in question.text
    assert question.keyboard[:2] == [[("På plats", step(survey_id, 1, Step.ANSWER, 0))],
                                     [("Etänä", step(survey_id, 1, Step.ANSWER, 1))]]
    assert question.keyboard[2][0][0] == harness.translate("⏸ Continue later", "sv") != "⏸ Continue later"


@staff_group
async def test_an_anonymous_theme_suggestion_reaches_the_moderators_uncredited(app, harness):
    await english(app)
    survey_id = await new_survey(app.uow_factory, anonymous=True, questions=[
        QuestionDraft(QuestionKind.THEME, {"en": "Suggest a theme for a future forum"})])
    question = only(await harness.press(AINO, start(survey_id)), "EditMessageText")
    assert question.text.endswith("It goes to the moderators as a proposal, without your name.")
    [thanks] = await harness.say(AINO, "Beaches in summer")
    assert thanks.text.endswith("Your theme suggestion went to the moderators as a proposal, without your name – "
                                "this survey is anonymous.")
    [card] = await harness.deliver()
    assert card.chat_id == STAFF_GROUP and "<b>Beaches in summer</b>" in card.text
    assert "Aino" not in card.text
    async with app.uow_factory() as uow:
        [proposal] = (await uow.session.scalars(select(Proposal))).all()
        [response] = (await uow.session.scalars(select(SurveyResponse))).all()
    assert (proposal.author_id, proposal.status, response.resident_id) == (None, "pending", None)
