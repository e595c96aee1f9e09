"""Surveys in the store: a draft checked, taken one question at a time, one response per person,
and an anonymous response that carries nothing of the person."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.services import survey_answers, surveys
from bot.services.survey_answers import AlreadyAnswered, InvalidAnswer, Required, StaleStep
from bot.services.surveys import QuestionDraft
from domain import QuestionKind, Status
from storage.models import Proposal, SurveyAnswer, SurveyParticipant, SurveyResponse
from tests.support.forums import NOTICES, people
from tests.support.surveys import CLOSES, OPENS, SECRET, draft, new_survey

DURING = OPENS + timedelta(hours=1)
ALL_ANSWERS = [4, 9, 1, [0, 2], 1, "Kiitos, hyvä ilta!", "Uimarantojen kunto kesällä"]


async def answer_all(uow_factory, resident, survey_id, answers=ALL_ANSWERS):
    async with uow_factory() as uow:
        progress = await survey_answers.begin(uow, resident, survey_id, SECRET, DURING)
    for value in answers:
        async with uow_factory() as uow:
            progress = await survey_answers.answer(uow, resident, survey_id, progress.position, value, SECRET,
                                                   NOTICES, DURING)
    return progress


async def test_every_kind_answered_makes_one_response_and_a_theme_suggestion(uow_factory):
    [aino] = await people(uow_factory, 1)
    survey_id = await new_survey(uow_factory)
    finished = await answer_all(uow_factory, aino, survey_id)
    assert finished.finished and finished.suggestion.status == Status.PENDING
    async with uow_factory() as uow:
        [response] = (await uow.session.scalars(select(SurveyResponse))).all()
        assert response.resident_id == aino.id
        stored = (await uow.session.scalars(select(SurveyAnswer).order_by(SurveyAnswer.question_id))).all()
        assert [(a.number, a.choices, a.text) for a in stored] == [
            (4, None, None), (9, None, None), (1, None, None), (None, [0, 2], None), (1, None, None),
            (None, None, "Kiitos, hyvä ilta!"), (None, None, "Uimarantojen kunto kesällä")]
        suggestion = await uow.session.get(Proposal, finished.suggestion.id)
        assert (suggestion.author_id, suggestion.title) == (aino.id, "Uimarantojen kunto kesällä")
        with pytest.raises(AlreadyAnswered):
            await survey_answers.begin(uow, aino, survey_id, SECRET, DURING)


async def test_back_skip_and_bad_answers_change_nothing_wrongly(uow_factory):
    [aino] = await people(uow_factory, 1)
    survey_id = await new_survey(uow_factory)
    async with uow_factory() as uow:
        progress = await survey_answers.begin(uow, aino, survey_id, SECRET, DURING)
        with pytest.raises(InvalidAnswer):
            await survey_answers.answer(uow, aino, survey_id, 1, 6, SECRET, NOTICES, DURING)  # rating is 1–5
        with pytest.raises(Required):
            await survey_answers.skip(uow, aino, survey_id, 1, SECRET, NOTICES, DURING)
        progress = await survey_answers.answer(uow, aino, survey_id, 1, 5, SECRET, NOTICES, DURING)
        with pytest.raises(StaleStep):  # a button from the first question's message
            await survey_answers.answer(uow, aino, survey_id, 1, 3, SECRET, NOTICES, DURING)
        progress = await survey_answers.back(uow, aino, survey_id, 2, SECRET, DURING)
        assert progress.position == 1 and progress.answers == {progress.survey.questions[0].id: 5}
    async with uow_factory() as uow:  # resumed later: where they left it
        resumed = await survey_answers.begin(uow, aino, survey_id, SECRET, DURING + timedelta(days=1))
        assert resumed.position == 1 and resumed.answers == progress.answers
        assert await survey_answers.unfinished(uow, aino, DURING) == [(resumed.survey, 1)]


async def test_an_anonymous_response_carries_nothing_of_the_person(uow_factory):
    [sven] = await people(uow_factory, 1, "holiday", locale="sv")
    survey_id = await new_survey(uow_factory, anonymous=True)
    finished = await answer_all(uow_factory, sven, survey_id)
    async with uow_factory() as uow:
        [participant] = (await uow.session.scalars(select(SurveyParticipant))).all()
        [response] = (await uow.session.scalars(select(SurveyResponse))).all()
        suggestion = await uow.session.get(Proposal, finished.suggestion.id)
    assert (participant.resident_id, participant.started_at, participant.draft, participant.finished) == (
        None, None, None, True)
    assert participant.key == surveys.participant_key(SECRET, survey_id, sven.id) != str(sven.id)
    assert (response.resident_id, response.finished_at, response.resident_type) == (None, None, "holiday")
    assert len(response.id) == 32 and suggestion.author_id is None
    async with uow_factory() as uow:  # the keyed hash still refuses a second response
        with pytest.raises(AlreadyAnswered):
            await survey_answers.begin(uow, sven, survey_id, SECRET, DURING)


@pytest.mark.postgres
async def test_many_finishing_at_once_leave_one_response_each(uow_factory, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent writers: PostgreSQL")
    residents = await people(uow_factory, 8)
    survey_id = await new_survey(uow_factory, questions=[QuestionDraft(QuestionKind.YES_NO, {"fi": "Kyllä?"})])
    for resident in residents:
        async with uow_factory() as uow:
            await survey_answers.begin(uow, resident, survey_id, SECRET, DURING)

    async def tap(resident):
        async with uow_factory() as uow:
            try:
                await survey_answers.answer(uow, resident, survey_id, 1, 1, SECRET, NOTICES, DURING)
            except (AlreadyAnswered, StaleStep):
                pass

    await asyncio.gather(*(tap(resident) for resident in residents for _ in range(3)))
    async with uow_factory() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(SurveyResponse)) == len(residents)


def test_a_draft_is_checked_before_it_becomes_a_survey():
    bad = draft(title={}, closes_at=OPENS, questions=[
        QuestionDraft(QuestionKind.THEME, {"fi": "Teema?"}),
        QuestionDraft(QuestionKind.SINGLE, {"fi": "Kumpi?"}, [{"fi": "A"}]),
        QuestionDraft(QuestionKind.RATING, {"fi": "Arvosana?"}, max_choices=2),
    ])
    assert [str(problem) for problem in surveys.problems_of(bad, OPENS - timedelta(days=1))] == [
        "title: give it in at least one of fi, sv, en",
        "question 2: 2–10 options, not 1",
        "question 3: only a multiple-choice question has a maximum",
        "question 1: a theme suggestion can only be the last question",
        "closes: must be after it opens",
    ]
    assert CLOSES > OPENS
