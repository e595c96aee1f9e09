"""Forum reminders on SQLite and PostgreSQL: at their moment, once, after restarts, with several
processes, across the daylight-saving change, and never after the forum has started."""
from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.scheduler import LEASE_TTL, Clockwork
from bot.services import forum_reminders, forums, outbox, staff
from domain import Role
from storage.models import Broadcast, Delivery, ForumReminder, Resident
from tests.support.clock import FakeClock
from tests.support.delivery import ScriptedTelegram, make_sender, paced_bot
from tests.support.forums import EDITOR, NOTICES, STARTS, draft, new_forum, people, rsvp, theme

ZONE = NOTICES.settings.zone
DAY_BEFORE = STARTS - timedelta(hours=24)  # ma 3.8. klo 18.00
HOUR_BEFORE = STARTS - timedelta(hours=1)
LINK = "https://meet.example.fi/kirjasto"


def clockwork(uow_factory, clock: FakeClock) -> Clockwork:
    return Clockwork(uow_factory, clock, NOTICES, ZONE)


async def reminders(uow_factory) -> list[Broadcast]:
    async with uow_factory() as uow:
        return list((await uow.session.scalars(
            select(Broadcast).where(Broadcast.kind == forum_reminders.KIND).order_by(Broadcast.id))).all())


async def recipients(uow_factory, broadcast_id: int) -> list[int]:
    async with uow_factory() as uow:
        return sorted((await uow.session.scalars(
            select(Delivery.resident_id).where(Delivery.broadcast_id == broadcast_id))).all())


async def attendees(uow_factory, forum_id: int) -> tuple[list, list]:
    """Two residents coming in person, one remotely, one not coming."""
    in_person, remote, absent = (await people(uow_factory, 2, first=5000), await people(uow_factory, 1, first=5100),
                                 await people(uow_factory, 1, first=5200))
    await rsvp(uow_factory, forum_id, in_person, "in_person")
    await rsvp(uow_factory, forum_id, remote, "remote")
    await rsvp(uow_factory, forum_id, absent, "not_coming")
    return in_person, remote


async def forum_at(uow_factory, starts: datetime, **changes: object) -> int:
    """A forum starting at `starts`, created a week before."""
    theme_id = await theme(uow_factory)
    async with uow_factory() as uow:
        await staff.grant(uow, EDITOR, Role.EDITOR, None)
        made = draft(theme_id, starts_at=starts, ends_at=starts + timedelta(hours=2), **changes)
        return (await forums.create(uow, EDITOR, made, NOTICES, starts - timedelta(days=7))).id


async def quiet_hours(uow_factory, resident: Resident, start: int, end: int, now: datetime) -> None:
    async with uow_factory() as uow:
        await outbox.set_quiet_hours(uow, await uow.session.get(Resident, resident.id), start, end, now)


def reminded_chats(telegram: ScriptedTelegram) -> list[int]:
    """The chats a reminder reached (the sender also sends the invitations and other notices)."""
    return [sent.chat_id for sent in telegram.sent if "Muistutus" in (sent.text or "")]


def local(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour, tzinfo=ZONE).astimezone(UTC)


# --- at the right moment, once ----------------------------------------------------------------

async def test_each_reminder_comes_at_its_moment_once_the_link_only_to_remote_attendees(uow_factory):
    forum_id = await new_forum(uow_factory)
    in_person, remote = await attendees(uow_factory, forum_id)
    clock = FakeClock(DAY_BEFORE - timedelta(seconds=10))
    clockwork_ = clockwork(uow_factory, clock)
    assert (await clockwork_.tick()).reminded == 0
    clock.advance(10)
    assert (await clockwork_.tick()).reminded == 3
    assert (await clockwork_.tick()).reminded == 0
    day_before = await reminders(uow_factory)
    assert [await recipients(uow_factory, b.id) for b in day_before] == [[r.id for r in in_person], [remote[0].id]]
    assert all(b.expires_at == STARTS and b.subject == f"forum:{forum_id}" for b in day_before)
    to_come, to_join = day_before
    assert "Kirjaston tulevaisuus" in to_come.texts["fi"] and "ti 4.8. klo 18.00" in to_come.texts["fi"]
    assert "is tomorrow" in to_come.texts["en"] and "Raatihuoneenkatu 6" in to_come.texts["en"]
    assert "openstreetmap.org/?mlat=61.6886&amp;mlon=27.2723" in to_come.texts["en"]
    assert LINK not in to_join.texts["en"] and "last reminder" in to_join.texts["en"]

    clock.advance((HOUR_BEFORE - timedelta(minutes=30) - clock.now()).total_seconds())
    reminded = []
    for _ in range(360):  # every 10 seconds through the hour around the 1 h reminder
        reminded.append((await clockwork_.tick()).reminded)
        clock.advance(10)
    assert reminded.count(3) == 1 and sum(reminded) == 3 and reminded.index(3) == 180
    _, _, to_come, to_join = await reminders(uow_factory)
    assert "starts in an hour" in to_come.texts["en"] and LINK not in to_come.texts["en"]
    assert f'<a href="{LINK}">' in to_join.texts["en"] and "Raatihuoneenkatu" not in to_join.texts["en"]
    async with uow_factory() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(ForumReminder)) == 6


async def test_after_a_restart_a_missed_reminder_comes_late_and_none_twice(uow_factory):
    forum_id = await new_forum(uow_factory)
    await attendees(uow_factory, forum_id)
    before = clockwork(uow_factory, FakeClock(DAY_BEFORE + timedelta(seconds=5)))
    assert (await before.tick()).reminded == 3
    await before.release()  # the bot stops; it is down when the 1 h reminder is due
    after = clockwork(uow_factory, FakeClock(STARTS - timedelta(minutes=20)))
    assert (await after.tick()).reminded == 3
    assert (await after.tick()).reminded == 0
    late = (await reminders(uow_factory))[2:]
    assert len(late) == 2 and all("starts in 20 minutes" in b.texts["en"] for b in late)
    assert "20 minuutin" in late[0].texts["fi"]


async def test_when_several_are_due_at_once_only_the_nearest_is_sent(uow_factory):
    forum_id = await new_forum(uow_factory, reminders=(2 * 1440, 1440, 60))
    await attendees(uow_factory, forum_id)
    clock = FakeClock(STARTS - timedelta(hours=3))  # down through the 48 h and 24 h reminders
    assert (await clockwork(uow_factory, clock).tick()).reminded == 3
    sent = await reminders(uow_factory)
    assert len(sent) == 2 and all("is today" in b.texts["en"] for b in sent)
    assert LINK not in sent[1].texts["en"]  # the 1 h reminder, the last one, brings the link
    async with uow_factory() as uow:
        recorded = (await uow.session.scalars(select(ForumReminder.minutes_before))).all()
    assert sorted(recorded) == [1440] * 3 + [2880] * 3


async def test_a_forum_that_has_started_gets_no_reminder_and_it_is_logged(uow_factory, caplog):
    forum_id = await new_forum(uow_factory)
    await attendees(uow_factory, forum_id)
    caplog.set_level(logging.INFO, logger="bot.services.forum_reminders")
    clockwork_ = clockwork(uow_factory, FakeClock(STARTS + timedelta(minutes=5)))
    assert (await clockwork_.tick()).reminded == 0
    assert (await clockwork_.tick()).reminded == 0
    assert await reminders(uow_factory) == []
    logged = [record.getMessage() for record in caplog.records if record.name == forum_reminders.__name__]
    assert logged == [f"forum {forum_id} had started: 6 reminders dropped"]


# --- daylight saving in Europe/Helsinki --------------------------------------------------------

@pytest.mark.parametrize(("starts", "day_before", "hours_before"), [
    (local(2026, 3, 29, 18), local(2026, 3, 28, 18), 23),  # spring: the clocks go forward that night
    (local(2026, 10, 25, 18), local(2026, 10, 24, 18), 25),  # autumn: they go back
])
async def test_across_the_clock_change_the_day_before_keeps_the_time_and_the_hour_is_an_hour(
        uow_factory, starts, day_before, hours_before):
    assert starts - day_before == timedelta(hours=hours_before)
    forum_id = await forum_at(uow_factory, starts)
    await attendees(uow_factory, forum_id)
    clock = FakeClock(day_before - timedelta(seconds=1))
    clockwork_ = clockwork(uow_factory, clock)
    assert (await clockwork_.tick()).reminded == 0
    clock.advance(1)
    assert (await clockwork_.tick()).reminded == 3  # 18.00 local the day before
    assert all("is tomorrow" in b.texts["en"] and "klo 18.00" in b.texts["fi"]
               for b in await reminders(uow_factory))
    clock.advance((starts - timedelta(minutes=60, seconds=1) - clock.now()).total_seconds())
    assert (await clockwork_.tick()).reminded == 0
    clock.advance(1)
    assert (await clockwork_.tick()).reminded == 3  # 60 minutes before, whatever the clocks did


def test_a_whole_day_reminder_of_a_time_the_clock_change_skips_comes_an_hour_later():
    # 3.30 on 29 March 2026 does not exist in Helsinki (3.00 → 4.00): the day before it counts as 4.30.
    starts = local(2026, 3, 30, 3) + timedelta(minutes=30)
    assert forum_reminders.reminder_moment(starts, 1440, ZONE) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


# --- quiet hours --------------------------------------------------------------------------------

async def test_a_reminder_due_in_quiet_hours_waits_for_them_to_end(uow_factory):
    starts = local(2026, 8, 4, 8) + timedelta(minutes=30)  # ti 4.8. klo 8.30; quiet hours end at 8
    forum_id = await forum_at(uow_factory, starts)
    [early] = await people(uow_factory, 1)
    await rsvp(uow_factory, forum_id, [early], "in_person")
    clock = FakeClock(starts - timedelta(hours=1))
    assert (await clockwork(uow_factory, clock).tick()).reminded == 1
    [sleeping] = await reminders(uow_factory)
    assert "starts in 30 minutes" in sleeping.texts["en"]  # as read when quiet hours end
    telegram = ScriptedTelegram()
    sender = make_sender(paced_bot(telegram, clock), uow_factory, clock)
    await sender.deliver_due()
    assert reminded_chats(telegram) == []
    clock.advance(30 * 60)
    await sender.deliver_due()
    assert reminded_chats(telegram) == [early.telegram_id]


async def test_a_reminder_whose_wait_would_pass_the_start_is_never_delivered(uow_factory, caplog):
    starts = local(2026, 8, 4, 22)  # the 1 h reminder falls at 21, when quiet hours begin
    forum_id = await forum_at(uow_factory, starts, reminders=(60,))
    quiet, awake = await people(uow_factory, 1), await people(uow_factory, 1, first=6000)
    await quiet_hours(uow_factory, awake[0], 0, 0, starts)
    await rsvp(uow_factory, forum_id, quiet + awake, "remote")
    caplog.set_level(logging.INFO)
    clock = FakeClock(starts - timedelta(hours=1))
    assert (await clockwork(uow_factory, clock).tick()).reminded == 1  # quiet hours would hold it past 22
    [queued] = await reminders(uow_factory)
    assert await recipients(uow_factory, queued.id) == [awake[0].id]
    await quiet_hours(uow_factory, awake[0], 21, 8, clock.now())  # then they turn quiet hours on too
    telegram = ScriptedTelegram()
    await make_sender(paced_bot(telegram, clock), uow_factory, clock).deliver_due()
    async with uow_factory() as uow:
        dropped = await uow.session.get(Broadcast, queued.id)
        row = await uow.session.scalar(select(Delivery).where(Delivery.broadcast_id == queued.id))
    assert reminded_chats(telegram) == [] and (dropped.status, dropped.cancelled) == ("done", 1)
    assert (row.status, row.error) == ("cancelled", "expired")
    assert any("could not arrive before" in record.getMessage() for record in caplog.records)


async def test_a_reminder_the_sender_reaches_only_after_the_start_is_dropped(uow_factory):
    forum_id = await new_forum(uow_factory)
    await attendees(uow_factory, forum_id)
    clock = FakeClock(HOUR_BEFORE)
    await clockwork(uow_factory, clock).tick()
    clock.advance(3600)  # the sender was down until the forum started
    telegram = ScriptedTelegram()
    await make_sender(paced_bot(telegram, clock), uow_factory, clock).deliver_due()
    assert reminded_chats(telegram) == []
    assert [(b.cancelled, b.status) for b in await reminders(uow_factory)] == [(2, "done"), (1, "done")]


# --- one scheduler among processes ------------------------------------------------------------

async def test_only_the_lease_holder_ticks_and_another_takes_over_when_it_dies(uow_factory):
    forum_id = await new_forum(uow_factory)
    await attendees(uow_factory, forum_id)
    clock = FakeClock(DAY_BEFORE - timedelta(seconds=5))
    first, second = clockwork(uow_factory, clock), clockwork(uow_factory, clock)
    assert await first.tick() is not None and await second.tick() is None
    clock.advance(10)
    assert (await first.tick()).reminded == 3 and await second.tick() is None
    # the first process dies without a word: its lease runs out LEASE_TTL seconds after its last tick
    clock.advance(LEASE_TTL - 1)
    assert await second.tick() is None
    clock.advance(2)
    assert (await second.tick()).reminded == 0  # the reminders went out once, with the first
    assert await first.tick() is None  # back from the dead, it no longer holds the clock
    await second.release()
    assert await first.tick() is not None  # a lease given up is taken at once


async def test_two_processes_ticking_at_once_queue_each_reminder_once(uow_factory, second_process):
    forum_id = await new_forum(uow_factory)
    coming = await people(uow_factory, 40, first=7000)
    await rsvp(uow_factory, forum_id, coming, "in_person")
    clock = FakeClock(DAY_BEFORE)
    works = await asyncio.gather(clockwork(uow_factory, clock).tick(), clockwork(second_process, clock).tick())
    assert sorted(work.reminded for work in works if work is not None) == [40]
    assert [work is None for work in works].count(True) == 1

    # Even without the lease (one holder stalled past it), the store lets one of them queue each.
    clock.advance(23 * 3600)

    async def queue(factory):
        async with factory() as uow:
            return await forum_reminders.queue_due(uow, NOTICES, clock.now(), ZONE)

    assert sorted(await asyncio.gather(queue(uow_factory), queue(second_process))) == [0, 40]
    async with uow_factory() as uow:
        per_resident = (await uow.session.execute(
            select(Delivery.resident_id, func.count()).join(Broadcast)
            .where(Broadcast.kind == forum_reminders.KIND).group_by(Delivery.resident_id))).all()
    assert len(per_resident) == 40 and {count for _, count in per_resident} == {2}
