"""/surveyresults through the real Dispatcher: the list, a survey's summary, a chart per question,
the written answers page by page, the breakdown by resident group and the CSV – and a resident
without the editor role refused at every button, with nothing sent or stored."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from bot.services import staff
from bot.services.surveys import QuestionDraft
from domain import QuestionKind, Role
from handlers.survey_results_views import ResultsDo, SurveyResults, SurveyResultsPage
from storage.models import Broadcast, SurveyAnswer, SurveyResponse
from tests.integration.test_survey_results import answered_survey, respond
from tests.support.clock import MIDDAY
from tests.support.forums import people
from tests.support.proposals import set_language
from tests.support.surveys import new_survey
from tests.support.updates import AINO, GRACE

REFUSAL = "Sorry, only city staff with the right role can do that."

pytestmark = pytest.mark.parametrize("clock", [MIDDAY], indirect=True, ids=["midday"])


def button(survey_id: int, do: ResultsDo, question: int = 0, page: int = 0) -> str:
    return SurveyResults(survey=survey_id, do=do, question=question, page=page).pack()


async def editor(app, person=GRACE, locale="en") -> None:
    await set_language(app, person, locale)
    async with app.uow_factory() as uow:
        await staff.grant(uow, person.id, Role.EDITOR, None)


async def test_the_summary_shows_responses_where_people_stopped_and_each_question(harness, app):
    survey_id = await answered_survey(app.uow_factory)
    await editor(app)
    [listing] = await harness.say(GRACE, "/surveyresults")
    assert listing.text == (
        "📋 <b>Surveys</b>, the latest first\n\n"
        f"<b>#{survey_id}</b> · ⏳ upcoming · Tue 4 Aug 2026 at 20.00 – Tue 11 Aug 2026 at 20.00\n"
        "<b>Palautetta kirjastofoorumista</b> (only available in Finnish)\n13 responses")
    [summary, _] = await harness.press(GRACE, listing.keyboard[0][0][1])
    lines = summary.text.split("\n")
    assert "👥 Responses: 13 of 17 invited (76 %)" in lines  # the city's 16 and Grace: everyone was invited
    assert "Started: 16 · finished: 13" in lines
    where = lines.index("<b>Where people stopped</b> – reached each question, of those who started:")
    assert lines[where + 1:where + 4] == ["1. 16 · 100 % ▰▰▰▰▰▰▰▰▰▰", "2. 15 · 94 % ▰▰▰▰▰▰▰▰▰▱",
                                          "3. 13 · 81 % ▰▰▰▰▰▰▰▰▱▱"]
    rating = lines.index("<b>1. How did the forum go?</b>")
    assert lines[rating + 1:rating + 4] == [
        "Rating 1–5 · 13 answers (81 % of those who reached it) · average 3,6",
        "1 – 1 · 8 % ▰▱▱▱▱▱▱▱▱▱", "2 – 1 · 8 % ▰▱▱▱▱▱▱▱▱▱"]
    assert "Scale 0–10 · 13 answers (87 % of those who reached it) · average 7,2 · NPS +15" in lines
    assert "9–10 – 6 · 46 % ▰▰▰▰▰▱▱▱▱▱" in lines and "0–6 – 4 · 31 % ▰▰▰▱▱▱▱▱▱▱" in lines
    assert "3. Keskustelu – 4 · 40 % ▰▰▰▰▱▱▱▱▱▱" in lines and "No – 2 · 15 % ▰▰▱▱▱▱▱▱▱▱" in lines
    assert summary.keyboard == [
        [(f"📊 {n}", button(survey_id, ResultsDo.CHART, n)) for n in range(1, 6)],
        [("💬 6", button(survey_id, ResultsDo.TEXTS, 6)), ("💬 7", button(survey_id, ResultsDo.TEXTS, 7))],
        [("👥 By resident group", button(survey_id, ResultsDo.GROUPS)), ("⬇️ CSV", button(survey_id, ResultsDo.CSV))],
        [("‹ All surveys", SurveyResultsPage(page=0).pack())],
    ]

    [groups, _] = await harness.press(GRACE, button(survey_id, ResultsDo.GROUPS))
    assert groups.text.split("\n")[3:] == [
        "<b>🏠 Permanent residents</b> – 6 responses",
        "1. average 4,3", "2. average 7,0 · NPS +17", "3. 1: 67 % · 2: 33 %", "4. 1: 60 % · 2: 40 % · 3: 40 %",
        "5. ✅ 67 % · ❌ 33 %", "",
        "🔒 2 groups are not shown, to keep the answers of groups with fewer than 5 respondents private."]


async def test_a_chart_per_question_and_the_csv_are_sent_to_the_staff_member(harness, app):
    survey_id = await answered_survey(app.uow_factory)
    await editor(app, AINO, "fi")
    [answer, photo] = await harness.press(AINO, button(survey_id, ResultsDo.CHART, 2))
    assert answer.name == "AnswerCallbackQuery"
    assert (photo.name, photo.chat_id) == ("SendPhoto", AINO.id)
    assert photo.caption == f"📊 Kysely #{survey_id}: 2. Suosittelisitko foorumia ystävällesi?"
    assert photo.photo.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert photo.photo.filename == f"survey-{survey_id}-2.png"

    [answer, document] = await harness.press(AINO, button(survey_id, ResultsDo.CSV))
    assert (document.name, document.document.filename) == ("SendDocument", f"survey-{survey_id}.csv")
    rows = list(csv.reader(io.StringIO(document.document.data.decode("utf-8-sig"))))
    assert len(rows) == 1 + 13 and rows[0][:3] == ["response", "resident_group", "1. Miten foorumi onnistui?"]

    [refused] = await harness.press(AINO, button(survey_id, ResultsDo.CHART, 6))  # a written question
    assert refused.show_alert


async def test_written_answers_ten_to_a_page_escaped(harness, app):
    survey_id = await new_survey(app.uow_factory, anonymous=True, questions=[
        QuestionDraft(QuestionKind.TEXT, {"fi": "Mitä haluat sanoa?", "en": "What would you like to say?"})])
    for n, resident in enumerate(await people(app.uow_factory, 12)):
        await respond(app.uow_factory, resident, survey_id, [f"<b>Vastaus</b> {n}" if n == 0 else f"Vastaus {n}"])
    await editor(app)
    [page, _] = await harness.press(GRACE, button(survey_id, ResultsDo.TEXTS, 1))
    lines = page.text.split("\n")
    assert lines[:4] == [f"💬 <b>Survey #{survey_id}</b> · written answers",
                         "<b>1. What would you like to say?</b>", "",
                         "Page 1 of 2, 12 answers in no particular order:"]
    assert len([line for line in lines if line[:1].isdigit()]) == 10
    assert page.keyboard == [[("Next ›", button(survey_id, ResultsDo.TEXTS, 1, 1))],
                             [("‹ Back to the results", button(survey_id, ResultsDo.OPEN))]]
    [second, _] = await harness.press(GRACE, button(survey_id, ResultsDo.TEXTS, 1, 1))
    numbered = [line for line in second.text.split("\n") if line[:2] in ("11", "12")]
    assert len(numbered) == 2 and second.keyboard[0] == [("‹ Previous", button(survey_id, ResultsDo.TEXTS, 1, 0))]
    shown = page.text + second.text
    assert "&lt;b&gt;Vastaus&lt;/b&gt; 0" in shown and "<b>Vastaus</b>" not in shown


async def test_a_resident_without_the_editor_role_is_refused_everywhere_and_nothing_is_sent(harness, app):
    survey_id = await answered_survey(app.uow_factory)
    await set_language(app, AINO, "en")
    harness.session.take()
    async with app.uow_factory() as uow:
        before = (await uow.session.scalar(select(func.count()).select_from(SurveyAnswer)),
                  await uow.session.scalar(select(func.count()).select_from(Broadcast)))

    [refused] = await harness.say(AINO, "/surveyresults")
    assert refused.text == REFUSAL
    for data in (SurveyResultsPage(page=1).pack(), *(button(survey_id, do, 1) for do in ResultsDo),
                 button(survey_id, ResultsDo.TEXTS, 6)):
        [refused] = await harness.press(AINO, data)
        assert (refused.name, refused.text, refused.show_alert) == ("AnswerCallbackQuery", REFUSAL, True)
    async with app.uow_factory() as uow:
        after = (await uow.session.scalar(select(func.count()).select_from(SurveyAnswer)),
                 await uow.session.scalar(select(func.count()).select_from(Broadcast)))
        assert await uow.session.scalar(select(func.count()).select_from(SurveyResponse)) == 13
    assert after == before


async def test_a_long_survey_fits_in_one_message_and_says_what_was_left_out(harness, app):
    options = [{"fi": f"Vaihtoehto {n} " + "pitkä " * 7} for n in range(10)]
    questions = [QuestionDraft(QuestionKind.SINGLE, {"fi": f"Kysymys {n} " + "sana " * 50}, options)
                 for n in range(20)]
    survey_id = await new_survey(app.uow_factory, questions=questions)
    [aino] = await people(app.uow_factory, 1)
    await respond(app.uow_factory, aino, survey_id, [n % 10 for n in range(20)])
    await editor(app)
    [summary, _] = await harness.press(GRACE, button(survey_id, ResultsDo.OPEN))
    assert len(summary.text) <= 4096
    assert summary.text.endswith("more questions: see their charts and the CSV.")
    assert len(summary.keyboard) == 4 + 2  # every question still has its chart
