"""Live questions in the store: who may ask and when, moderation, the host's queue – and that
every staff step refuses residents and editors without changing anything."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.services import forum_questions, staff
from bot.services.forum_questions import NotLive, NotRemote, QuestionDecided, TooManyPending
from bot.services.proposals import TextProblem
from domain import ForumPhase, PermissionDenied, Role
from storage.models import Broadcast, Delivery, ForumQuestion
from tests.support.forums import DURING, EDITOR, ENDS, MODERATOR, NOTICES, STARTS, new_forum, people, rsvp


@pytest.fixture
async def forum(uow_factory):
    return await new_forum(uow_factory)


@pytest.fixture
async def remote(uow_factory, forum):
    residents = await people(uow_factory, 2, "holiday")
    await rsvp(uow_factory, forum, residents, "remote")
    return residents


async def ask(uow_factory, resident, forum_id, text="Miksi kirjasto on kiinni sunnuntaisin?", now=DURING):
    async with uow_factory() as uow:
        return await forum_questions.ask(uow, resident, forum_id, text, NOTICES, now)


async def statuses(uow_factory):
    async with uow_factory() as uow:
        return [(q.id, q.status) for q in await uow.session.scalars(select(ForumQuestion).order_by(ForumQuestion.id))]


async def decide(uow_factory, question_id, approved=True, actor=MODERATOR, who="Aino"):
    async with uow_factory() as uow:
        return await forum_questions.decide(uow, actor, question_id, approved, NOTICES, DURING, who)


async def take_next(uow_factory, actor=MODERATOR, now=DURING):
    async with uow_factory() as uow:
        return await forum_questions.take_next(uow, actor, NOTICES, now)


async def test_a_remote_attendee_asks_during_the_forum_and_moderators_get_the_card(uow_factory, forum, remote):
    question = await ask(uow_factory, remote[0], forum)
    assert (question.status, question.forum_id, question.resident_id) == ("pending", forum, remote[0].id)
    async with uow_factory() as uow:
        card = await uow.session.scalar(select(Broadcast).where(Broadcast.kind == "forum_question"))
        assert card.subject == f"question:{question.id}"
        assert "Miksi kirjasto on kiinni sunnuntaisin?" in card.texts["fi"]
        assert [label for label, _data in card.buttons["fi"][0]] == ["✅ Hyväksy", "⏭ Ohita"]
        # no staff group in these settings: the moderator (a resident or not) gets it privately
        assert set((await uow.session.scalars(select(Delivery.chat_id).where(
            Delivery.broadcast_id == card.id))).all()) == {MODERATOR}


@pytest.mark.parametrize("moment, phase", [(STARTS - timedelta(minutes=1), ForumPhase.UPCOMING),
                                           (ENDS, ForumPhase.PAST)])
async def test_no_question_before_the_start_or_after_the_end(uow_factory, forum, remote, moment, phase):
    with pytest.raises(NotLive) as refused:
        await ask(uow_factory, remote[0], forum, now=moment)
    assert refused.value.phase == phase
    assert await statuses(uow_factory) == []


@pytest.mark.parametrize("attendance", ["in_person", "waiting", "not_coming", None])
async def test_only_remote_attendees_ask(uow_factory, forum, attendance):
    [resident] = await people(uow_factory, 1, first=7000)
    if attendance:
        await rsvp(uow_factory, forum, [resident], attendance)
    with pytest.raises(NotRemote):
        await ask(uow_factory, resident, forum)
    async with uow_factory() as uow:
        assert await forum_questions.live_for(uow, resident, DURING) == []


async def test_a_question_is_text_of_at_most_500_characters(uow_factory, forum, remote):
    for text in ("   ", "k" * 501):
        with pytest.raises(TextProblem):
            await ask(uow_factory, remote[0], forum, text)
    assert len((await ask(uow_factory, remote[0], forum, "k" * 500)).text) == 500


async def test_three_questions_may_wait_at_once(uow_factory, forum, remote):
    first = await ask(uow_factory, remote[0], forum, "1")
    await ask(uow_factory, remote[0], forum, "2")
    await ask(uow_factory, remote[0], forum, "3")
    with pytest.raises(TooManyPending):
        await ask(uow_factory, remote[0], forum, "4")
    await ask(uow_factory, remote[1], forum, "someone else's")
    await decide(uow_factory, first.id)
    await ask(uow_factory, remote[0], forum, "4")  # one was decided: room again


async def test_a_question_is_decided_once(uow_factory, forum, remote):
    question = await ask(uow_factory, remote[0], forum)
    decided, _forum = await decide(uow_factory, question.id, approved=False)
    assert (decided.status, decided.decided_by, decided.decided_at) == ("skipped", MODERATOR, DURING)
    with pytest.raises(QuestionDecided):
        await decide(uow_factory, question.id, approved=True)
    assert await statuses(uow_factory) == [(question.id, "skipped")]


@pytest.mark.parametrize("who", ["resident", "editor"])
async def test_staff_steps_refuse_residents_and_editors_and_change_nothing(uow_factory, forum, remote, who):
    actor = remote[1].telegram_id if who == "resident" else EDITOR
    pending = await ask(uow_factory, remote[0], forum, "pending")
    approved = await ask(uow_factory, remote[0], forum, "approved")
    await decide(uow_factory, approved.id)
    for approve in (True, False):
        with pytest.raises(PermissionDenied):
            await decide(uow_factory, pending.id, approve, actor=actor)
    with pytest.raises(PermissionDenied):
        await take_next(uow_factory, actor=actor)
    assert await statuses(uow_factory) == [(pending.id, "pending"), (approved.id, "approved")]
    async with uow_factory() as uow:
        assert await uow.session.scalar(select(Broadcast).where(Broadcast.kind == "forum_question_taken")) is None


async def test_the_host_takes_the_oldest_approved_question_and_the_asker_hears(uow_factory, forum, remote):
    first = await ask(uow_factory, remote[0], forum, "first")
    second = await ask(uow_factory, remote[1], forum, "second")
    await ask(uow_factory, remote[1], forum, "still pending")
    await decide(uow_factory, second.id)
    async with uow_factory() as uow:
        await forum_questions.decide(uow, MODERATOR, first.id, True, NOTICES, DURING + timedelta(minutes=1))
    queue = await take_next(uow_factory)
    assert (queue.question.id, queue.forum.id, queue.approved, queue.pending) == (second.id, forum, 1, 1)
    queue = await take_next(uow_factory)
    assert (queue.question.id, queue.approved, queue.pending) == (first.id, 0, 1)
    async with uow_factory() as uow:
        told = (await uow.session.execute(
            select(Broadcast.subject, Delivery.resident_id).join(Delivery)
            .where(Broadcast.kind == "forum_question_taken").order_by(Broadcast.id))).all()
    assert told == [(f"question:{second.id}", remote[1].id), (f"question:{first.id}", remote[0].id)]
    empty = await take_next(uow_factory)
    assert (empty.question, empty.approved, empty.pending, [f.id for f in empty.live]) == (None, 0, 1, [forum])
    assert [status for _id, status in await statuses(uow_factory)] == ["taken", "taken", "pending"]


async def test_an_admin_may_moderate_and_nothing_is_taken_once_the_forum_is_over(uow_factory, forum, remote):
    async with uow_factory() as uow:
        await staff.grant(uow, 4242, Role.ADMIN, None)
    question = await ask(uow_factory, remote[0], forum)
    await decide(uow_factory, question.id, actor=4242)
    queue = await take_next(uow_factory, now=ENDS)
    assert (queue.question, queue.live) == (None, [])
    assert await statuses(uow_factory) == [(question.id, "approved")]
