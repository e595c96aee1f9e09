"""A survey's results for staff, counted in the store: responses ÷ invited, where people stopped,
counts, averages and the net promoter score, small resident groups hidden, and written answers
listed by random id – on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.services import outbox, staff, survey_answers, survey_results
from bot.services.surveys import QuestionDraft
from domain import Notice, PermissionDenied, QuestionKind, Role
from storage.models import Resident, SurveyAnswer, SurveyResponse
from tests.support.forums import EDITOR, NOTICES, new_forum, people, rsvp
from tests.support.surveys import OPENS, SECRET, new_survey

DURING = OPENS + timedelta(hours=1)
SKIP = None

# Thirteen finished responses (6 permanent, 5 holiday, 2 working residents), one column per
# question of EVERY_KIND: rating, scale, single, multiple (optional), yes/no, text (optional), theme.
RATINGS = [5, 4, 3, 5, 4, 5, 2, 3, 4, 5, 1, 3, 3]
SCALES = [10, 9, 9, 8, 6, 0, 10, 7, 7, 3, 9, 5, 10]  # 6 promoters, 3 passive, 4 detractors
SINGLES = [0, 0, 1, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1]
MULTIPLES = [[0], [0, 2], [1], SKIP, [0, 1], [2], [0], [0], SKIP, [1, 2], [0], SKIP, [2]]
YES_NO = [1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1]
TEXTS = {0: "Hyvä ilta", 3: "Lisää tuoleja", 7: "Kahvi loppui"}
GROUPS = ["permanent"] * 6 + ["holiday"] * 5 + ["works"] * 2


async def respond(uow_factory, resident, survey_id, values) -> None:
    """Answer a survey through the answering service; None skips an optional question, and a
    response stops (unfinished) where the values end."""
    async with uow_factory() as uow:
        progress = await survey_answers.begin(uow, resident, survey_id, SECRET, DURING)
    for value in values:
        async with uow_factory() as uow:
            if value is SKIP:
                progress = await survey_answers.skip(uow, resident, survey_id, progress.position, SECRET,
                                                     NOTICES, DURING)
            else:
                progress = await survey_answers.answer(uow, resident, survey_id, progress.position, value,
                                                       SECRET, NOTICES, DURING)


async def answered_survey(uow_factory, **changes) -> int:
    """The survey of every kind with the thirteen responses above, two who stopped after the first
    question and one who only opened it (all residents of the city: 16, everyone invited)."""
    survey_id = await new_survey(uow_factory, **changes)
    residents = []
    for first, group in ((5000, "permanent"), (5100, "holiday"), (5200, "works")):
        residents += await people(uow_factory, GROUPS.count(group), group, first=first)
    for n, resident in enumerate(residents):
        await respond(uow_factory, resident, survey_id, [RATINGS[n], SCALES[n], SINGLES[n], MULTIPLES[n],
                                                         YES_NO[n], TEXTS.get(n, SKIP), SKIP])
    stopped = await people(uow_factory, 3, "other", first=5300)
    for resident in stopped[:2]:
        await respond(uow_factory, resident, survey_id, [4])
    await respond(uow_factory, stopped[2], survey_id, [])
    return survey_id


async def test_counts_averages_and_the_net_promoter_score(uow_factory):
    survey_id = await answered_survey(uow_factory)
    async with uow_factory() as uow:
        results = await survey_results.results(uow, EDITOR, survey_id)
    assert (results.invited, results.started, results.finished) == (16, 16, 13)
    assert results.response_rate == 13 / 16
    rating, scale, single, multiple, yes_no, text, theme = results.questions
    assert rating.answers.counts == {1: 1, 2: 1, 3: 4, 4: 3, 5: 4}
    assert rating.answers.answered == 13 and rating.answers.average == pytest.approx(47 / 13)
    assert scale.answers.average == pytest.approx(sum(SCALES) / 13)
    assert scale.answers.net_promoter_score == pytest.approx(100 * (6 - 4) / 13)
    assert single.answers.counts == {0: 7, 1: 6}
    assert (multiple.answers.answered, multiple.answers.counts) == (10, {0: 6, 1: 3, 2: 4})  # each chosen counts
    assert multiple.answers.share(0) == 0.6
    assert yes_no.answers.counts == {1: 11, 0: 2}
    assert (text.answers.answered, theme.answers.answered) == (3, 0)


async def test_completion_per_question_shows_where_people_stop(uow_factory):
    survey_id = await answered_survey(uow_factory)
    async with uow_factory() as uow:
        results = await survey_results.results(uow, EDITOR, survey_id)
    assert [result.reached for result in results.questions] == [16, 15, 13, 13, 13, 13, 13]
    first, second = results.questions[:2]
    assert (results.completion(first), results.completion(second)) == (1.0, 15 / 16)
    assert second.answers.answered / second.reached == 13 / 15  # the two who stopped had answered the first


async def test_small_resident_groups_are_hidden_with_the_next_smallest(uow_factory):
    survey_id = await answered_survey(uow_factory)
    async with uow_factory() as uow:
        results = await survey_results.results(uow, EDITOR, survey_id)
    # Two working residents are too few to show; then the five holiday residents would be given
    # away by the total, so they are hidden too.
    assert [(group.group, group.responses) for group in results.groups] == [("permanent", 6)]
    assert results.hidden == 2
    permanent = results.groups[0].answers
    rating, scale, _single, multiple = (results.questions[n].question.id for n in range(4))
    assert permanent[rating].average == pytest.approx(26 / 6)
    assert permanent[scale].net_promoter_score == pytest.approx(100 * (3 - 2) / 6)
    assert (permanent[multiple].answered, permanent[multiple].counts) == (5, {0: 3, 1: 2, 2: 2})


async def test_invited_is_the_invitation_once_sent_or_the_forum_attendees(uow_factory):
    survey_id = await answered_survey(uow_factory)
    async with uow_factory() as uow:
        ten = list((await uow.session.scalars(select(Resident.id).order_by(Resident.id).limit(10))).all())
        await outbox.enqueue(uow, ten, Notice({"fi": "Kysely"}), kind="survey", subject=f"survey:{survey_id}",
                             now=DURING)
        await uow.commit()
        assert (await survey_results.results(uow, EDITOR, survey_id)).invited == 10

    forum_id = await new_forum(uow_factory)
    coming = await people(uow_factory, 6, first=6000)
    await rsvp(uow_factory, forum_id, coming[:3], "in_person")
    await rsvp(uow_factory, forum_id, coming[3:5], "remote")
    await rsvp(uow_factory, forum_id, coming[5:], "not_coming")
    after_forum = await new_survey(uow_factory, forum_id=forum_id, audience=None)
    async with uow_factory() as uow:
        assert (await survey_results.results(uow, EDITOR, after_forum)).invited == 5


async def test_written_answers_of_an_anonymous_survey_by_random_id_a_page_at_a_time(uow_factory):
    survey_id = await new_survey(uow_factory, anonymous=True, questions=[
        QuestionDraft(QuestionKind.TEXT, {"fi": "Mitä haluat sanoa?"})])
    residents = await people(uow_factory, 12)
    for n, resident in enumerate(residents):
        await respond(uow_factory, resident, survey_id, [f"Vastaus {n}"])
    async with uow_factory() as uow:
        first = await survey_results.texts(uow, EDITOR, survey_id, 1, 0)
        second = await survey_results.texts(uow, EDITOR, survey_id, 1, 1)
        stored = (await uow.session.execute(
            select(SurveyAnswer.response_id, SurveyAnswer.text, SurveyResponse.finished_at)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id))).all()
    assert (len(first.texts), len(second.texts), first.total, first.pages) == (10, 2, 12, 2)
    assert all(finished_at is None for _id, _text, finished_at in stored)  # no time to order by
    assert first.texts + second.texts == [text for _id, text, _ in sorted(stored)]  # by the random id


async def test_only_editors_and_admins_see_results(uow_factory):
    survey_id = await new_survey(uow_factory)
    [aino] = await people(uow_factory, 1)
    async with uow_factory() as uow:
        for ask in (lambda: survey_results.results(uow, aino.telegram_id, survey_id),
                    lambda: survey_results.texts(uow, aino.telegram_id, survey_id, 6, 0),
                    lambda: survey_results.recent(uow, aino.telegram_id, 0, 5)):
            with pytest.raises(PermissionDenied):
                await ask()
        await staff.grant(uow, aino.telegram_id, Role.ADMIN, None)
        assert [found.id for found in await survey_results.recent(uow, aino.telegram_id, 0, 5)] == [survey_id]
