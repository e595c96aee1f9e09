"""Survey invitations and the one reminder on SQLite and PostgreSQL, through the clock: at their
moment, once, after a restart, with several processes, in quiet hours and across the clock change."""
from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.notices.survey_buttons import SurveyOpen
from bot.scheduler import Clockwork
from bot.services import outbox, staff, survey_answers, survey_invitations, surveys
from domain import Audience, Priority, Role
from storage.models import Broadcast, Delivery, Resident, Survey
# The other bot process's database (PostgreSQL only), as the forum reminders' tests have it.
from tests.support.clock import FakeClock
from tests.support.delivery import ScriptedTelegram, make_sender, paced_bot
from tests.support.forums import EDITOR, ENDS, NOTICES, new_forum, people, rsvp
from tests.support.surveys import CLOSES, OPENS, SECRET, draft, new_survey

ZONE = NOTICES.settings.zone
DAY_BEFORE_CLOSING = CLOSES - timedelta(hours=24)  # ma 10.8. klo 20.00


def clockwork(uow_factory, clock: FakeClock) -> Clockwork:
    return Clockwork(uow_factory, clock, NOTICES, ZONE)


def local(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour, tzinfo=ZONE).astimezone(UTC)


async def queued(uow_factory, kind: str) -> list[Broadcast]:
    async with uow_factory() as uow:
        return list((await uow.session.scalars(
            select(Broadcast).where(Broadcast.kind == kind).order_by(Broadcast.id))).all())


async def recipients(uow_factory, broadcast_id: int) -> list[int]:
    async with uow_factory() as uow:
        return sorted((await uow.session.scalars(
            select(Delivery.resident_id).where(Delivery.broadcast_id == broadcast_id))).all())


async def forum_survey(uow_factory, **changes: object) -> tuple[int, list[int]]:
    """A forum with two coming in person, one remotely, one not coming and one who never answered,
    and its survey; returns the survey and the attendees."""
    forum_id = await new_forum(uow_factory)
    in_person, remote = await people(uow_factory, 2, first=5000), await people(uow_factory, 1, first=5100)
    await rsvp(uow_factory, forum_id, in_person, "in_person")
    await rsvp(uow_factory, forum_id, remote, "remote")
    await rsvp(uow_factory, forum_id, await people(uow_factory, 1, first=5200), "not_coming")
    await people(uow_factory, 1, first=5300)
    survey_id = await new_survey(uow_factory, forum_id=forum_id, audience=None, **changes)
    return survey_id, sorted(r.id for r in in_person + remote)


async def started(uow_factory, residents, survey_id: int, answers: list, now: datetime) -> None:
    """Each resident begins the survey and gives these answers (all of them: finished)."""
    for resident in residents:
        async with uow_factory() as uow:
            progress = await survey_answers.begin(uow, resident, survey_id, SECRET, now)
        for value in answers:
            async with uow_factory() as uow:
                progress = await survey_answers.answer(uow, resident, survey_id, progress.position, value,
                                                       SECRET, NOTICES, now)


async def survey_made(uow_factory, created: datetime, **changes: object) -> int:
    """A survey an editor made at `created` (for surveys before the forum's time)."""
    async with uow_factory() as uow:
        await staff.grant(uow, EDITOR, Role.EDITOR, None)
        return (await surveys.create(uow, EDITOR, draft(**changes), created)).id


ALL_ANSWERS = [4, 9, 1, [0, 2], 1, "Kiitos!", "Uimarannat"]


# --- invitations --------------------------------------------------------------------------------

async def test_a_forums_survey_invites_its_attendees_at_the_forums_end_plus_the_delay_once(uow_factory):
    survey_id, attendees = await forum_survey(uow_factory, invite_delay=30)
    clock = FakeClock(ENDS + timedelta(minutes=30) - timedelta(seconds=10))
    clockwork_ = clockwork(uow_factory, clock)
    assert (await clockwork_.tick()).surveys_invited == []
    clock.advance(10)
    assert (await clockwork_.tick()).surveys_invited == [survey_id]
    assert (await clockwork_.tick()).surveys_invited == []
    [invitation] = await queued(uow_factory, survey_invitations.INVITATION)
    assert await recipients(uow_factory, invitation.id) == attendees
    assert (invitation.subject, invitation.priority, invitation.urgent) == (
        f"survey:{survey_id}", Priority.BULK, False)
    assert invitation.expires_at == CLOSES
    fi, sv = invitation.texts["fi"], invitation.texts["sv"]
    assert "Palautetta kirjastofoorumista" in fi and "7 kysymystä, noin 4 minuuttia" in fi
    assert "ti 11.8. klo 20.00" in fi and f"/s{survey_id}" in fi and "Ei nimetön" in fi
    assert "Respons på biblioteksforumet" in sv and "7 frågor, cirka 4 minuter" in sv
    assert "(only available in Finnish)" in invitation.texts["en"]
    assert invitation.buttons["fi"] == [[["📝 Vastaa kyselyyn", SurveyOpen(survey=survey_id).pack()]]]
    async with uow_factory() as uow:
        assert (await uow.session.get(Survey, survey_id)).invited_at == clock.now()


async def test_a_forums_survey_is_never_invited_to_before_it_opens(uow_factory):
    opens = ENDS + timedelta(days=1)
    survey_id, attendees = await forum_survey(uow_factory, opens_at=opens)
    clock = FakeClock(opens - timedelta(seconds=1))
    clockwork_ = clockwork(uow_factory, clock)
    assert (await clockwork_.tick()).surveys_invited == []
    clock.advance(1)
    assert (await clockwork_.tick()).surveys_invited == [survey_id]


async def test_an_audience_survey_invites_its_audience_at_opening_in_quiet_hours_in_the_morning(
        uow_factory):
    holiday = await people(uow_factory, 2, "holiday", first=6000, locale="sv")
    await people(uow_factory, 2, "permanent", first=6100)
    opens = local(2026, 8, 5, 22)
    survey_id = await new_survey(uow_factory, opens_at=opens, audience=Audience(resident_types=("holiday",)),
                                 intro={"fi": "Kerro, miten kesä meni.", "sv": "Berätta hur sommaren var."},
                                 anonymous=True)
    clock = FakeClock(opens - timedelta(seconds=10))
    clockwork_ = clockwork(uow_factory, clock)
    assert (await clockwork_.tick()).surveys_invited == []
    clock.advance(10)
    assert (await clockwork_.tick()).surveys_invited == [survey_id]
    [invitation] = await queued(uow_factory, survey_invitations.INVITATION)
    assert await recipients(uow_factory, invitation.id) == [r.id for r in holiday]
    assert "Berätta hur sommaren var." in invitation.texts["sv"] and "Anonym" in invitation.texts["sv"]
    telegram = ScriptedTelegram()
    sender = make_sender(paced_bot(telegram, clock), uow_factory, clock)
    await sender.deliver_due()
    assert telegram.sent == []  # 22.00: their quiet hours hold it
    clock.advance((local(2026, 8, 6, 8) - clock.now()).total_seconds())
    await sender.deliver_due()
    assert sorted(sent.chat_id for sent in telegram.sent) == [6000, 6001]


async def test_after_a_restart_a_due_invitation_goes_out_late_once(uow_factory):
    survey_id, attendees = await forum_survey(uow_factory)
    before = clockwork(uow_factory, FakeClock(ENDS + timedelta(minutes=59)))
    assert (await before.tick()).surveys_invited == []
    await before.release()  # the bot stops and is down when the invitations are due
    after = clockwork(uow_factory, FakeClock(ENDS + timedelta(hours=5)))
    assert (await after.tick()).surveys_invited == [survey_id]
    assert (await after.tick()).surveys_invited == []
    [invitation] = await queued(uow_factory, survey_invitations.INVITATION)
    assert await recipients(uow_factory, invitation.id) == attendees


async def test_a_survey_that_closed_before_its_invitations_is_marked_and_not_sent(uow_factory, caplog):
    survey_id, _ = await forum_survey(uow_factory)
    caplog.set_level(logging.INFO, logger=survey_invitations.__name__)
    clockwork_ = clockwork(uow_factory, FakeClock(CLOSES + timedelta(minutes=1)))  # down all week
    assert (await clockwork_.tick()).surveys_invited == []
    assert (await clockwork_.tick()).surveys_invited == []
    assert await queued(uow_factory, survey_invitations.INVITATION) == []
    logged = [r.getMessage() for r in caplog.records if r.name == survey_invitations.__name__]
    assert logged == [f"survey {survey_id} closed before its invitations went out: none sent"]


# --- the reminder -------------------------------------------------------------------------------

async def test_the_reminder_goes_once_to_those_who_started_and_did_not_finish(uow_factory):
    survey_id = await new_survey(uow_factory, anonymous=True)
    two_done = await people(uow_factory, 2, first=7000)
    just_began, finished = await people(uow_factory, 1, first=7100), await people(uow_factory, 1, first=7200)
    await people(uow_factory, 1, first=7300)  # never started
    during = OPENS + timedelta(hours=2)
    await started(uow_factory, two_done, survey_id, ALL_ANSWERS[:2], during)
    await started(uow_factory, just_began, survey_id, [], during)
    await started(uow_factory, finished, survey_id, ALL_ANSWERS, during)
    clock = FakeClock(DAY_BEFORE_CLOSING - timedelta(seconds=1))
    clockwork_ = clockwork(uow_factory, clock)
    assert (await clockwork_.tick()).survey_reminders == 0
    clock.advance(1)
    assert (await clockwork_.tick()).survey_reminders == 3
    assert (await clockwork_.tick()).survey_reminders == 0
    five_left, seven_left = await queued(uow_factory, survey_invitations.REMINDER)
    assert await recipients(uow_factory, five_left.id) == [r.id for r in two_done]
    assert await recipients(uow_factory, seven_left.id) == [just_began[0].id]
    assert "5 kysymystä jäljellä" in five_left.texts["fi"] and "7 frågor kvar" in seven_left.texts["sv"]
    assert "ti 11.8. klo 20.00" in five_left.texts["fi"]
    assert all(b.expires_at == CLOSES and b.subject == f"survey:{survey_id}" for b in (five_left, seven_left))
    assert five_left.buttons["fi"] == [[["▶️ Jatka", SurveyOpen(survey=survey_id).pack()]]]


async def test_a_short_survey_is_reminded_of_halfway_and_not_past_quiet_hours_to_its_closing(
        uow_factory, caplog):
    opens, closes = local(2026, 8, 5, 17), local(2026, 8, 5, 23)  # halfway: 20.00, before quiet hours
    survey_id = await new_survey(uow_factory, opens_at=opens, closes_at=closes)
    awake, sleepy = await people(uow_factory, 1, first=7000), await people(uow_factory, 1, first=7100)
    await started(uow_factory, awake + sleepy, survey_id, [5], opens)
    async with uow_factory() as uow:  # one goes to bed early: quiet hours would hold it past 23.00
        await outbox.set_quiet_hours(uow, await uow.session.get(Resident, sleepy[0].id), 19, 8, opens)
    caplog.set_level(logging.INFO, logger=survey_invitations.__name__)
    clock = FakeClock(local(2026, 8, 5, 20) - timedelta(seconds=1))
    clockwork_ = clockwork(uow_factory, clock)
    assert (await clockwork_.tick()).survey_reminders == 0
    clock.advance(1)
    assert (await clockwork_.tick()).survey_reminders == 1
    [reminder] = await queued(uow_factory, survey_invitations.REMINDER)
    assert await recipients(uow_factory, reminder.id) == [awake[0].id]
    assert any("1 reminders not sent" in r.getMessage() for r in caplog.records)


async def test_a_reminder_held_by_quiet_hours_arrives_in_the_morning_or_not_after_closing(uow_factory):
    closes = local(2026, 8, 12, 22)  # the day before at 22.00 is in quiet hours
    survey_id = await new_survey(uow_factory, closes_at=closes)
    [aino] = await people(uow_factory, 1, first=7000)
    await started(uow_factory, [aino], survey_id, [5], OPENS)
    clock = FakeClock(closes - timedelta(hours=24))
    assert (await clockwork(uow_factory, clock).tick()).survey_reminders == 1
    telegram = ScriptedTelegram()
    sender = make_sender(paced_bot(telegram, clock), uow_factory, clock)
    await sender.deliver_due()
    assert telegram.sent == []
    clock.advance((local(2026, 8, 12, 8) - clock.now()).total_seconds())
    await sender.deliver_due()
    assert [sent.chat_id for sent in telegram.sent if "Muistutus" in sent.text] == [7000]


async def test_a_reminder_the_sender_reaches_only_after_closing_is_dropped(uow_factory):
    survey_id = await new_survey(uow_factory)
    [aino] = await people(uow_factory, 1, first=7000)
    await started(uow_factory, [aino], survey_id, [5], OPENS)
    clock = FakeClock(DAY_BEFORE_CLOSING)
    assert (await clockwork(uow_factory, clock).tick()).survey_reminders == 1
    clock.advance(24 * 3600)  # the sender was down until the survey closed
    telegram = ScriptedTelegram()
    await make_sender(paced_bot(telegram, clock), uow_factory, clock).deliver_due()
    [reminder] = await queued(uow_factory, survey_invitations.REMINDER)
    assert telegram.sent == [] and (reminder.status, reminder.cancelled) == ("done", 1)


@pytest.mark.parametrize(("closes", "day_before", "hours_before"), [
    (local(2026, 3, 29, 18), local(2026, 3, 28, 18), 23),  # spring: the clocks go forward that night
    (local(2026, 10, 25, 18), local(2026, 10, 24, 18), 25),  # autumn: they go back
])
async def test_across_the_clock_change_the_reminder_keeps_the_time_of_day(uow_factory, closes, day_before,
                                                                           hours_before):
    assert closes - day_before == timedelta(hours=hours_before)
    opens = closes - timedelta(days=7)
    survey_id = await survey_made(uow_factory, opens - timedelta(days=1), opens_at=opens, closes_at=closes)
    [aino] = await people(uow_factory, 1, first=7000)
    await started(uow_factory, [aino], survey_id, [5], opens)
    clock = FakeClock(day_before - timedelta(seconds=1))
    clockwork_ = clockwork(uow_factory, clock)
    assert (await clockwork_.tick()).survey_reminders == 0
    clock.advance(1)
    assert (await clockwork_.tick()).survey_reminders == 1
    [reminder] = await queued(uow_factory, survey_invitations.REMINDER)
    assert "klo 18.00" in reminder.texts["fi"]


# --- several processes --------------------------------------------------------------------------

async def test_two_processes_invite_and_remind_once(uow_factory, second_process):
    survey_id, attendees = await forum_survey(uow_factory)
    clock = FakeClock(ENDS + timedelta(hours=1))
    works = await asyncio.gather(clockwork(uow_factory, clock).tick(),
                                 clockwork(second_process, clock).tick())
    assert [work.surveys_invited for work in works if work is not None] == [[survey_id]]

    # Even without the lease (one holder stalled past it), the store lets one of them do each.
    async def invite(factory):
        async with factory() as uow:
            return await survey_invitations.invite_due(uow, NOTICES, clock.now())

    async def remind(factory):
        async with factory() as uow:
            return await survey_invitations.remind_due(uow, NOTICES, clock.now(), ZONE)

    to_everyone = await new_survey(uow_factory)
    assert sorted(await asyncio.gather(invite(uow_factory), invite(second_process))) == [[], [to_everyone]]
    [aino] = await people(uow_factory, 1, first=7000)
    await started(uow_factory, [aino], to_everyone, [5], clock.now())
    clock.advance((DAY_BEFORE_CLOSING - clock.now()).total_seconds())
    assert sorted(await asyncio.gather(remind(uow_factory), remind(second_process))) == [0, 1]
    assert len(await queued(uow_factory, survey_invitations.INVITATION)) == 2
    assert len(await queued(uow_factory, survey_invitations.REMINDER)) == 1
