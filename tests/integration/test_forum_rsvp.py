"""RSVPs on SQLite and PostgreSQL: answering and changing, a full room's waiting list and who gets a
freed seat (told through the outbox), the phases, and seats that hold when many answer at once."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.services import forum_rsvp, forums
from bot.services.forum_rsvp import AlreadyStarted, Answer, ForumEnded, Full, Headcount, NoRemoteLink
from domain import Attendance, NotFound
from storage.models import Broadcast, Delivery, Forum, Rsvp
from tests.support.forums import ENDS, NOTICES, STARTS, new_forum, people

BEFORE = STARTS - timedelta(days=1)
IN_PERSON, REMOTE, WAITING, NOT_COMING = (Attendance.IN_PERSON, Attendance.REMOTE, Attendance.WAITING,
                                          Attendance.NOT_COMING)


async def answer(uow_factory, resident, forum_id: int, attendance: Attendance, now=BEFORE) -> Answer:
    async with uow_factory() as uow:
        return await forum_rsvp.rsvp(uow, resident, forum_id, attendance, NOTICES, now)


async def headcount(uow_factory, forum_id: int) -> Headcount:
    async with uow_factory() as uow:
        return await forum_rsvp.headcount(uow, await forums.forum(uow, forum_id))


async def answers(uow_factory, forum_id: int) -> dict[int, str]:
    """resident id → attendance, as stored."""
    async with uow_factory() as uow:
        rows = await uow.session.execute(select(Rsvp.resident_id, Rsvp.attendance).where(Rsvp.forum_id == forum_id))
        return dict(rows.all())


async def seat_notices(uow_factory) -> list[tuple[Broadcast, list[int]]]:
    async with uow_factory() as uow:
        found = (await uow.session.scalars(select(Broadcast).where(Broadcast.kind == "forum_seat"))).all()
        return [(broadcast, list((await uow.session.scalars(
            select(Delivery.resident_id).where(Delivery.broadcast_id == broadcast.id))).all()))
                for broadcast in found]


async def test_an_answer_is_given_changed_and_cancelled_with_who_the_resident_was(uow_factory):
    forum_id = await new_forum(uow_factory)
    [aino] = await people(uow_factory, 1, "holiday")
    assert await answer(uow_factory, aino, forum_id, IN_PERSON) == Answer(None, IN_PERSON)
    async with uow_factory() as uow:
        stored = await uow.session.get(Rsvp, (forum_id, aino.id))
        assert (stored.attendance, stored.resident_type, stored.responded_at) == ("in_person", "holiday", BEFORE)
        assert await forum_rsvp.my_rsvp(uow, await forums.forum(uow, forum_id), aino) == IN_PERSON
    assert await answer(uow_factory, aino, forum_id, IN_PERSON) == Answer(IN_PERSON, IN_PERSON)
    assert await answer(uow_factory, aino, forum_id, REMOTE) == Answer(IN_PERSON, REMOTE)
    assert await headcount(uow_factory, forum_id) == Headcount(None, 0, 1, 0)
    assert await answer(uow_factory, aino, forum_id, NOT_COMING) == Answer(REMOTE, NOT_COMING)
    assert await answers(uow_factory, forum_id) == {aino.id: "not_coming"}


async def test_remote_attendance_only_when_the_forum_has_a_link(uow_factory):
    forum_id = await new_forum(uow_factory, remote_url=None)
    [aino] = await people(uow_factory, 1)
    with pytest.raises(NoRemoteLink):
        await answer(uow_factory, aino, forum_id, REMOTE)
    assert await answers(uow_factory, forum_id) == {}


async def test_a_full_room_offers_remote_or_the_waiting_list_and_a_freed_seat_goes_to_who_waited_longest(
        uow_factory):
    forum_id = await new_forum(uow_factory, capacity=2)
    first, second, third, fourth = await people(uow_factory, 4)
    await answer(uow_factory, first, forum_id, IN_PERSON)
    await answer(uow_factory, second, forum_id, WAITING)  # a seat is free: it is given at once
    with pytest.raises(Full) as refused:
        await answer(uow_factory, third, forum_id, IN_PERSON)
    assert refused.value.remote
    assert await answer(uow_factory, third, forum_id, WAITING, BEFORE) == Answer(None, WAITING)
    assert await answer(uow_factory, fourth, forum_id, WAITING, BEFORE + timedelta(minutes=1)) == Answer(
        None, WAITING)
    assert await headcount(uow_factory, forum_id) == Headcount(2, 2, 0, 2)
    assert await seat_notices(uow_factory) == []

    await answer(uow_factory, first, forum_id, REMOTE, BEFORE + timedelta(hours=1))
    assert await answers(uow_factory, forum_id) == {
        first.id: "remote", second.id: "in_person", third.id: "in_person", fourth.id: "waiting"}
    [(notice, recipients)] = await seat_notices(uow_factory)
    assert recipients == [third.id]
    assert notice.subject == f"forum:{forum_id}"
    assert notice.texts["fi"].startswith("🎉 <b>Sinulle vapautui paikka</b> – olet nyt tulossa paikan päälle:")
    assert f"/f{forum_id}" in notice.texts["sv"]


async def test_a_full_room_without_a_link_offers_only_the_waiting_list(uow_factory):
    forum_id = await new_forum(uow_factory, capacity=1, remote_url=None)
    first, second = await people(uow_factory, 2)
    await answer(uow_factory, first, forum_id, IN_PERSON)
    with pytest.raises(Full) as refused:
        await answer(uow_factory, second, forum_id, IN_PERSON)
    assert not refused.value.remote
    assert await answers(uow_factory, forum_id) == {first.id: "in_person"}


async def test_seats_are_given_only_before_the_start_and_nothing_changes_after_the_end(uow_factory):
    forum_id = await new_forum(uow_factory, capacity=1)
    seated, waiting, late = await people(uow_factory, 3)
    await answer(uow_factory, seated, forum_id, IN_PERSON)
    await answer(uow_factory, waiting, forum_id, WAITING)
    during = STARTS + timedelta(minutes=30)
    with pytest.raises(AlreadyStarted):
        await answer(uow_factory, late, forum_id, IN_PERSON, during)
    assert await answer(uow_factory, late, forum_id, REMOTE, during) == Answer(None, REMOTE)
    # a seat given up once the forum is on goes to nobody: the waiting list is over
    assert await answer(uow_factory, seated, forum_id, NOT_COMING, during) == Answer(IN_PERSON, NOT_COMING)
    assert (await answers(uow_factory, forum_id))[waiting.id] == "waiting"
    assert await seat_notices(uow_factory) == []
    for attendance in Attendance:
        with pytest.raises(ForumEnded):
            await answer(uow_factory, late, forum_id, attendance, ENDS)
    assert (await answers(uow_factory, forum_id))[late.id] == "remote"


async def test_no_answer_to_a_forum_that_is_unknown_or_not_announced(uow_factory):
    forum_id = await new_forum(uow_factory)
    [aino] = await people(uow_factory, 1)
    async with uow_factory() as uow:
        (await uow.session.get(Forum, forum_id)).announced_at = None
        await uow.commit()
    for unknown in (forum_id, 999):
        with pytest.raises(NotFound):
            await answer(uow_factory, aino, unknown, IN_PERSON)
    assert await answers(uow_factory, forum_id) == {}


async def test_many_residents_answering_at_once_never_fill_more_seats_than_the_room_has(uow_factory):
    forum_id = await new_forum(uow_factory, capacity=5)
    crowd = await people(uow_factory, 20)

    async def tap(resident, attendance: Attendance, now=BEFORE) -> Answer | Full:
        try:
            return await answer(uow_factory, resident, forum_id, attendance, now)
        except Full as refused:
            return refused

    outcomes = await asyncio.gather(*[tap(resident, IN_PERSON) for resident in crowd],
                                    *[tap(crowd[0], IN_PERSON) for _ in range(3)])  # one tapping again and again
    seated = [resident for resident, outcome in zip(crowd, outcomes) if isinstance(outcome, Answer)]
    refused = [resident for resident in crowd if resident not in seated]
    assert len(seated) == 5 and len(refused) == 15
    assert await answers(uow_factory, forum_id) == {resident.id: "in_person" for resident in seated}

    # the refused join the waiting list one second apart; then everyone seated gives up at once
    await asyncio.gather(*(tap(resident, WAITING, BEFORE + timedelta(seconds=n))
                           for n, resident in enumerate(refused)))
    await asyncio.gather(*(tap(resident, NOT_COMING, BEFORE + timedelta(minutes=1)) for resident in seated))
    assert await headcount(uow_factory, forum_id) == Headcount(5, 5, 0, 10)
    stored = await answers(uow_factory, forum_id)
    assert [stored[resident.id] for resident in refused] == ["in_person"] * 5 + ["waiting"] * 10
    told = [recipient for _notice, recipients in await seat_notices(uow_factory) for recipient in recipients]
    assert sorted(told) == sorted(resident.id for resident in refused[:5])
